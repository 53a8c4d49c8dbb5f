/*
 * tags: control-flow
 * description: cond whose branches read a tensor and a constant from the enclosing function
 * expect: supported
 * source: ExportDB cond_closed_over_variable, cond_branch_nonlocal_variables
 */
#include "sample.h"

/* The branches read `y` and `scale` without passing them: the capture
 * makes the tensors they read operands of the cond node, and constants
 * stay constants in each branch. */
#pragma xport export
#pragma xport input(pred, bool[])
#pragma xport input(x, f32[3, 2])
#pragma xport input(y, f32[2])
xp_tensor *cond_closed_over_variable(xp_tensor *pred, xp_tensor *x, xp_tensor *y) {
    const double scale = 2.5;
    xp_tensor *out;
    #pragma xport cond
    if (xp_item_bool(pred))
        out = xp_mul_scalar(xp_add(x, y), scale);
    else
        out = xp_sub(x, y);
    return out;
}

XP_SAMPLE(cond_closed_over_variable) { XP_RETURN(cond_closed_over_variable(XP_IN(0), XP_IN(1), XP_IN(2))); }
