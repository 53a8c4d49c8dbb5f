/*
 * tags: control-flow, graph-break
 * description: a cond that assigns its result in only one branch
 * expect: unsupported
 * diagnostic: is assigned in only one branch of the cond
 * source: torch.cond's branch checks
 */
#include <xport.h>

/* Like torch.cond, both branches must produce every output: give 'y' a
 * value before the 'if' (then the other branch keeps it), or assign it in
 * both. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_one_sided(xp_tensor *x) {
    xp_tensor *y; // expected-note {{assign 'y' before the 'if', or in both branches}}
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{'y' is assigned in only one branch of the cond and has no tensor value before the 'if'}}
        y = xp_sin(x);
    return y;
}
