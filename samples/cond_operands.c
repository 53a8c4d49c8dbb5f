/*
 * tags: control-flow, dynamic-shape
 * description: cond whose branches read two tensors, one of them with a dynamic dim
 * expect: supported
 * source: ExportDB cond_operands
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(n, min=2, max=64)
#pragma xport input(x, f32[n, 3])
#pragma xport input(y, f32[2])
xp_tensor *cond_operands(xp_tensor *x, xp_tensor *y) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(y), 0)))
        return xp_add(x, xp_sum(y));
    return xp_sub(x, xp_sum(y));
}

XP_SAMPLE(cond_operands) { XP_RETURN(cond_operands(XP_IN(0), XP_IN(1))); }
