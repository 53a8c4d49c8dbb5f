/*
 * tags: dynamic-shape, operator
 * description: slices whose bounds are computed from dynamic sizes
 * expect: supported
 * source: ExportDB dynamic_shape_slicing
 */
#include "sample.h"

/* torch: x[: x.shape[0] - 2, x.shape[1] - 1 :: 2] */
#pragma xport export
#pragma xport dim(h, min=3, max=64)
#pragma xport dim(w, min=2, max=64)
#pragma xport input(x, f32[h, w])
xp_tensor *dynamic_shape_slicing(xp_tensor *x) {
    xp_tensor *rows = xp_slice(x, 0, 0, xp_size(x, 0) - 2, 1);
    return xp_slice(rows, 1, xp_size(x, 1) - 1, XP_END, 2);
}

XP_SAMPLE(dynamic_shape_slicing) { XP_RETURN(dynamic_shape_slicing(XP_IN(0))); }
