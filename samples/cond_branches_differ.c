/*
 * tags: control-flow, graph-break
 * description: cond whose branches produce tensors of different shapes
 * expect: unsupported
 * diagnostic: differs between the branches
 * source: torch.cond's branch checks
 */
#include <xport.h>

/* Like torch.cond, both branches must produce the same tensors with the
 * same dtype and shape. */
#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *cond_branches_differ(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{cond: output 0 differs between the branches (rank): f32[4] in the true branch, f32[4, 4] in the false branch; both branches must return tensors of the same dtype and shape}}
        return xp_sum_dims(x, XP_DIMS(0), false);
    return x;
}
