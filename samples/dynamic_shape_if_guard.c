/*
 * tags: dynamic-shape, control-flow
 * description: an 'if' on a size that the declared range decides (a specialization)
 * expect: supported
 * source: ExportDB dynamic_shape_if_guard
 */
#include "sample.h"

/* torch: `if x.shape[0] == 3: return x.cos()`. With dim 0 declared in
 * [3, 3] the branch is decided at export time: only the taken side is
 * captured, and `xport show` lists the specialization. */
#pragma xport export
#pragma xport dim(c, min=3, max=3)
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[c, n, 2])
xp_tensor *dynamic_shape_if_guard(xp_tensor *x) {
    if (xp_size(x, 0) == 3)
        return xp_cos(x);
    return xp_sin(x);
}

XP_SAMPLE(dynamic_shape_if_guard) { XP_RETURN(dynamic_shape_if_guard(XP_IN(0))); }
