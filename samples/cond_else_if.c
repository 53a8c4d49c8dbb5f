/*
 * tags: control-flow
 * description: an else-if chain of conds, one with a default value set before it
 * expect: supported
 * source: ExportDB cond_branch_nested_function (nested conds)
 */
#include "sample.h"

/* Each 'if' of the chain is its own cond (nested in the false branch of
 * the one before); 'y' has a value before the first, so a branch that does
 * not assign it keeps that value. */
#pragma xport export
#pragma xport input(x, f32[2, 3])
xp_tensor *cond_else_if(xp_tensor *x) {
    xp_tensor *y = xp_neg(x);
    xp_tensor *s = xp_sum(x);
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(s, 1)))
        y = xp_sin(x);
    else
        #pragma xport cond
        if (xp_item_bool(xp_lt_scalar(s, -1)))
            y = xp_cos(x);
    return y;
}

XP_SAMPLE(cond_else_if) { XP_RETURN(cond_else_if(XP_IN(0))); }
