/*
 * tags: graph-break, c-language
 * description: a volatile variable
 * expect: unsupported
 * diagnostic: 'volatile' variable 'k' cannot be captured
 * source: C: volatile
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_local(xp_tensor *x) {
    volatile int k = 2; // expected-error {{'volatile' variable 'k' cannot be captured: each access is a side effect outside an exported graph}} \
                            expected-note {{remove 'volatile': an exported graph has no shared or memory-mapped state}}
    return xp_mul_scalar(x, k);
}
