/*
 * tags: dynamic-shape, operator
 * description: a constructor whose shape is computed from an input's dynamic size
 * expect: supported
 * source: ExportDB dynamic_shape_constructor
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(n, min=1, max=128)
#pragma xport input(x, f32[n, 2])
xp_tensor *dynamic_shape_constructor(xp_tensor *x) {
    return xp_zeros(XP_F32, XP_DIMS(xp_size(x, 0) * 2));
}

XP_SAMPLE(dynamic_shape_constructor) { XP_RETURN(dynamic_shape_constructor(XP_IN(0))); }
