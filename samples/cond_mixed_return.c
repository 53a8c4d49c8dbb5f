/*
 * tags: control-flow, graph-break
 * description: a cond where one branch returns and the other assigns
 * expect: unsupported
 * diagnostic: a cond needs both to return or neither
 * source: torch.cond's branch checks
 */
#include <xport.h>

/* Both branches return (the cond is the function's result), or neither
 * does (the cond's results are the variables they assign). */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_mixed_return(xp_tensor *x) {
    xp_tensor *y = x;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{one branch of the cond returns and the other does not; a cond needs both to return or neither}}
        return xp_sin(x);
    else
        y = xp_cos(x);
    return y;
}
