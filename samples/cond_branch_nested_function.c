/*
 * tags: control-flow
 * description: cond whose branches call helper functions defined in the file
 * expect: supported
 * source: ExportDB cond_branch_nested_function
 */
#include "sample.h"

static xp_tensor *inner_true(xp_tensor *y) { return xp_mul(y, y); }
static xp_tensor *inner_false(xp_tensor *y) { return xp_add(y, y); }
static xp_tensor *true_fn(xp_tensor *x) { return inner_true(xp_sin(x)); }
static xp_tensor *false_fn(xp_tensor *x) { return inner_false(xp_cos(x)); }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_branch_nested_function(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        return true_fn(x);
    return false_fn(x);
}

XP_SAMPLE(cond_branch_nested_function) { XP_RETURN(cond_branch_nested_function(XP_IN(0))); }
