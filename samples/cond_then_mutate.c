/*
 * tags: control-flow, mutation
 * description: a cond computes the new value of an input, which is written back after it
 * expect: supported
 * source: torch.cond's branch checks (the fix for a mutating branch)
 */
#include "sample.h"

/* The fix cond_mutates_input.c's error suggests: the branches compute,
 * the write comes after the cond (a USER_INPUT_MUTATION of x). */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_then_mutate(xp_tensor *x) {
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        y = xp_mul_scalar(x, 2);
    else
        y = xp_neg(x);
    xp_copy_(x, y);
    return xp_sum(x);
}

XP_SAMPLE(cond_then_mutate) { XP_RETURN(cond_then_mutate(XP_IN(0))); }
