/*
 * tags: graph-break, c-language
 * description: reading a volatile global (memory-mapped or shared state)
 * expect: unsupported
 * diagnostic: 'volatile' access to 'gain' cannot be captured
 * source: C: volatile
 */
#include <xport.h>

volatile int gain = 2; // expected-note {{remove 'volatile': an exported graph has no shared or memory-mapped state}}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_global(xp_tensor *x) {
    return xp_mul_scalar(x, gain); // expected-error {{'volatile' access to 'gain' cannot be captured: each access is a side effect outside an exported graph}}
}
