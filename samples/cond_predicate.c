/*
 * tags: control-flow
 * description: cond on a tensor predicate computed from the input
 * expect: supported
 * source: ExportDB cond_predicate
 */
#include "sample.h"

#pragma xport export
#pragma xport input(x, f32[6, 4, 3])
xp_tensor *cond_predicate(xp_tensor *x) {
    xp_tensor *pred = xp_gt_scalar(xp_sum(x), 0);
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(pred))
        y = xp_cos(x);
    else
        y = xp_sin(x);
    return y;
}

XP_SAMPLE(cond_predicate) { XP_RETURN(cond_predicate(XP_IN(0))); }
