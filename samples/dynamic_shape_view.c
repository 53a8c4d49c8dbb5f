/*
 * tags: dynamic-shape, operator
 * description: view and permute with a shape computed from dynamic sizes
 * expect: supported
 * source: ExportDB dynamic_shape_view
 */
#include "sample.h"

/* torch: new_x_shape = x.size()[:-1] + (2, 5); x.view(*new_x_shape).permute(0, 2, 1) */
#pragma xport export
#pragma xport dim(b, min=1, max=32)
#pragma xport input(x, f32[b, 10])
xp_tensor *dynamic_shape_view(xp_tensor *x) {
    xp_tensor *v = xp_view(x, XP_DIMS(xp_size(x, 0), 2, 5));
    return xp_contiguous(xp_permute(v, XP_DIMS(0, 2, 1)));
}

XP_SAMPLE(dynamic_shape_view) { XP_RETURN(dynamic_shape_view(XP_IN(0))); }
