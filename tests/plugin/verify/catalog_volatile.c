// Catalogue (docs/graph-breaks.md): 'volatile' variables and accesses.
#include <xport.h>

volatile int g_flag = 1; // expected-note {{remove 'volatile': an exported graph has no shared or memory-mapped state}}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_local(xp_tensor *x) {
    volatile int k = 2; // expected-error {{'volatile' variable 'k' cannot be captured: each access is a side effect outside an exported graph}} \
                           expected-note {{remove 'volatile'}}
    return xp_mul_scalar(x, k);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_access(xp_tensor *x) {
    int k = 2;
    return xp_mul_scalar(x, *(volatile int *)&k); // expected-error {{'volatile' access to '&k' cannot be captured: each access is a side effect outside an exported graph}} \
                                                     expected-note {{remove 'volatile'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_global(xp_tensor *x) {
    return xp_mul_scalar(x, g_flag); // expected-error {{'volatile' access to 'g_flag' cannot be captured}}
}

static xp_tensor *spin(xp_tensor *x) {
    volatile int ready = 1; // expected-error {{'volatile' variable 'ready' cannot be captured}} \
                               expected-note {{remove 'volatile'}}
    return ready ? x : xp_neg(x);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_in_helper(xp_tensor *x) {
    return spin(x); // expected-note {{in call from 'volatile_in_helper'}}
}
