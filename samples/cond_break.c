/*
 * tags: control-flow, graph-break
 * description: 'break' out of a branch of a cond inside a loop
 * expect: unsupported
 * diagnostic: 'break' out of a branch of the cond cannot be captured
 * source: torch.cond's branch checks
 */
#include <xport.h>

/* Leaving the loop from one branch would make the rest of the unrolled
 * loop data-dependent. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_break(xp_tensor *x) {
    for (int j = 0; j < 2; j++) {
        #pragma xport cond
        if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{'break' out of a branch of the cond cannot be captured}}
            break;
        x = xp_neg(x);
    }
    return x;
}
