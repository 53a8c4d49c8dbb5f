/*
 * tags: control-flow, dynamic-shape
 * description: map over the leading dim of a tensor whose size is dynamic
 * expect: supported
 * source: ExportDB dynamic_shape_map
 */
#include "sample.h"

/* Each iteration reads slice i of xs and writes slice i of ys: the body is
 * one subgraph applied to every slice, whatever the number of rows. */
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(xs, f32[n, 3])
#pragma xport input(y, f32[3])
xp_tensor *dynamic_shape_map(xp_tensor *xs, xp_tensor *y) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_add(xp_select(xs, 0, i), y));
    return ys;
}

XP_SAMPLE(dynamic_shape_map) { XP_RETURN(dynamic_shape_map(XP_IN(0), XP_IN(1))); }
