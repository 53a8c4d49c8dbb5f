/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: '#pragma xport cond' on two size comparisons joined by '&&': a cond predicate is one relation or one bool tensor
 * expect: unsupported
 * diagnostic: is neither a tensor value nor a comparison of sizes
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 2])
xp_tensor *cond_pred_two_relations(xp_tensor *x) {
    #pragma xport cond
    if (xp_size(x, 0) > 16 && xp_size(x, 0) < 32) // expected-error {{the condition 'xp_size(x, 0) > 16 && xp_size(x, 0) < 32' of '#pragma xport cond' is neither a tensor value nor a comparison of sizes}} \
                                                     expected-note {{compute the condition as one bool tensor with tensor ops (for example 'xp_gt_scalar(t, 0)') and branch on 'xp_item_bool' of it}}
        return xp_relu(x);
    return xp_neg(x);
}
