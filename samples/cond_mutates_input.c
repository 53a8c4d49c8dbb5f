/*
 * tags: control-flow, mutation, graph-break
 * description: a cond branch that writes to an input in place
 * expect: unsupported
 * diagnostic: cond branches must not mutate inputs
 * source: torch.cond's branch checks (no mutation of inputs)
 */
#include <xport.h>

/* Like torch.cond, a branch may not mutate what it reads from outside:
 * compute the new value in both branches and write it after the cond
 * (xp_copy_(x, y)), or write to a clone. */
#pragma xport export
#pragma xport input(x, f32[4]) // expected-note {{'x' has shape f32[4]}}
xp_tensor *cond_mutates_input(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        xp_mul_scalar_(x, 2); // expected-error {{mul_scalar_: the true branch of cond writes 'x', a tensor from outside it; cond branches must not mutate inputs (write to a clone, or write after the cond)}}
    return xp_neg(x);
}
