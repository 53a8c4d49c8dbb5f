/*
 * tags: control-flow
 * description: the tutorial's torch.cond: sin or cos of x by the sign of its sum, both branches captured
 * expect: supported
 * source: torch.export tutorial, control flow ops (cond)
 */
#include "sample.h"

/* torch.export: `torch.cond(x.sum() > 0, lambda x: x.sin(), lambda x: x.cos(), (x,))`.
 * The predicate is the value of a one-element bool tensor, read with
 * xp_item_bool as the eager code must read it; under the pragma that read
 * is not a graph break: both branches become subgraphs of one cond node
 * and the run takes one of them. */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *tutorial_cond(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        return xp_sin(x);
    return xp_cos(x);
}

XP_SAMPLE(tutorial_cond) { XP_RETURN(tutorial_cond(XP_IN(0))); }
