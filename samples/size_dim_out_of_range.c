/*
 * tags: dynamic-shape, graph-break
 * description: 'xp_size' of a dim the tensor does not have
 * expect: unsupported
 * diagnostic: reads dim 1 of a tensor with 1 dims
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *size_dim_out_of_range(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(xp_size(x, 1), -1)); // expected-error {{'xp_size' reads dim 1 of a tensor with 1 dims}}
}
