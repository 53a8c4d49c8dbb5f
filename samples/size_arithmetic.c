/*
 * tags: dynamic-shape
 * description: sizes computed with +, -, * and division by constants stay symbolic
 * expect: supported
 * source: ExportDB dynamic_shape_view (size expressions)
 */
#include "sample.h"

/* A zero block of (n + 1) / 2 rows under x, then a reshape to the flattened
 * count: each size is an expression over n (n + (n + 1) / 2 rows), kept
 * canonical and checked symbolically. */
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 6])
xp_tensor *size_arithmetic(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    xp_tensor *pad = xp_zeros(XP_F32, XP_DIMS((n + 1) / 2, 6));
    xp_tensor *rows = xp_cat(XP_TENSORS(x, pad), 0);
    return xp_reshape(rows, XP_DIMS((n + (n + 1) / 2) * 3, 2));
}

XP_SAMPLE(size_arithmetic) { XP_RETURN(size_arithmetic(XP_IN(0))); }
