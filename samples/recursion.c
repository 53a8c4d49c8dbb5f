/*
 * tags: graph-break, control-flow
 * description: a recursive helper
 * expect: unsupported
 * diagnostic: recursive call to 'repeat' cannot be inlined
 * source: C: recursion
 */
#include <xport.h>

static xp_tensor *repeat(xp_tensor *x, int n) { // expected-note {{write the recursion as a loop with a constant bound}}
    return n ? repeat(xp_neg(x), n - 1) : x;     // expected-error {{recursive call to 'repeat' cannot be inlined into an exported graph}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *recursion(xp_tensor *x) {
    return repeat(x, 2); // expected-note {{in call from 'recursion'}}
}
