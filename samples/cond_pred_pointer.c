/*
 * tags: control-flow, graph-break
 * description: '#pragma xport cond' on 'if (t)', which tests the pointer and not the tensor's value
 * expect: unsupported
 * diagnostic: tests the pointer 'positive', not the value of the tensor
 * source: C pitfall beside ExportDB cond_predicate
 */
#include <xport.h>

/* Eagerly 'if (positive)' is always true (an op's result is never NULL),
 * so a cond on it would disagree with the eager run: the plugin asks for
 * the value, 'if (xp_item_bool(positive))' (cond_predicate.c). */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *cond_pred_pointer(xp_tensor *x) {
    xp_tensor *positive = xp_gt_scalar(xp_sum(x), 0);
    #pragma xport cond
    if (positive) // expected-error {{the condition of '#pragma xport cond' tests the pointer 'positive', not the value of the tensor}} \
                     expected-note {{write 'xp_item_bool(positive)' to branch on the tensor's value}}
        return xp_sin(x);
    return xp_cos(x);
}
