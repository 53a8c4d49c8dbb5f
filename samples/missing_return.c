/*
 * tags: control-flow, graph-break
 * description: a helper that falls off its end without returning a value on the path taken
 * expect: unsupported
 * diagnostic: ends without returning a value
 */
#include <xport.h>

static xp_tensor *maybe_relu(xp_tensor *x, int k) {
    if (k) return xp_relu(x);
} // expected-warning {{non-void function does not return a value in all control paths}}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *missing_return(xp_tensor *x) {
    return maybe_relu(x, 0); // expected-error {{function 'maybe_relu' ends without returning a value}}
}
