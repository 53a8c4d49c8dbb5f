/*
 * tags: control-flow, graph-break
 * description: a cond whose branch assigns a plain integer
 * expect: unsupported
 * diagnostic: the branches of a cond can only produce tensors
 * source: torch.cond's branch checks
 */
#include <xport.h>

/* A cond's outputs are tensors (torch.cond's too); compute the integer's
 * effect as a tensor in each branch instead. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_non_tensor(xp_tensor *x) {
    int k = 0;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{'k' is an integer assigned in a branch of the cond; the branches of a cond can only produce tensors}}
        k = 1;
    return xp_mul_scalar(x, k);
}
