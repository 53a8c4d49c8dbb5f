/*
 * tags: dynamic-shape, graph-break
 * description: an integer parameter that is not a declared dim: declare it a symbolic size, or make it a constant
 * expect: unsupported
 * diagnostic: is not a declared dim
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *int_param_no_dim(xp_tensor *x, int k) { // expected-error {{integer parameter 'k' of exported function 'int_param_no_dim' is not a declared dim}} \
                                                      expected-note {{add '#pragma xport dim(k, min=..., max=...)' to make it a symbolic size input, or make it a constant}}
    return xp_mul_scalar(x, k);
}
