/*
 * tags: control-flow, data-structure
 * description: 'if (t)' on a tensor without '#pragma xport cond' tests the pointer, not the value (a pitfall)
 * expect: supported
 * source: C pitfall beside ExportDB cond_predicate
 */
#include "sample.h"

/* In C, 'if (t)' asks whether the pointer t is non-null, and an op's
 * result always is: eagerly this function always returns sin(x), and the
 * exported program captures exactly that. To branch on the value of a
 * one-element bool tensor, read it with xp_item_bool in an 'if' marked
 * '#pragma xport cond' (cond_predicate.c); for a per-element choice use
 * xp_where (where_instead_of_if.c). */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *pointer_test_is_not_a_predicate(xp_tensor *x) {
    xp_tensor *positive = xp_gt_scalar(xp_sum(x), 0);
    if (positive)
        return xp_sin(x);
    return xp_cos(x);
}

XP_SAMPLE(pointer_test_is_not_a_predicate) { XP_RETURN(pointer_test_is_not_a_predicate(XP_IN(0))); }
