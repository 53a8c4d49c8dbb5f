// Catalogue (docs/graph-breaks.md): '&&' and '||' evaluate their right
// operand depending on the left one; on a tensor's value that is a branch.
// (Inside an 'if' condition, the 'if' is reported: catalog_data_if.c.)
#include <stdbool.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *and_on_value(xp_tensor *x) {
    bool both = xp_item_bool(xp_gt_scalar(xp_sum(x), 0)) && xp_size(x, 0) == 4; // expected-error {{'&&' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                                                                   expected-note {{'&&' evaluates its right operand only for some values of its left operand}} \
                                                                                   expected-note {{compute the condition as one bool tensor with tensor ops and branch on it once with '#pragma xport cond'}}
    return xp_mul_scalar(x, both);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *or_on_value(xp_tensor *x) {
    int any = xp_item_bool(xp_gt_scalar(xp_amax(x), 0)) || xp_item_bool(xp_lt_scalar(xp_amin(x), 0)); // expected-error {{'||' depends on the value of tensor 'x'}} \
                                                                                                        expected-note {{'||' evaluates its right operand only for some values}} \
                                                                                                        expected-note {{compute the condition as one bool tensor}}
    return xp_mul_scalar(x, any);
}

static bool positive_and_small(xp_tensor *t) {
    return xp_item_bool(xp_gt_scalar(xp_amin(t), 0)) && xp_item_bool(xp_lt_scalar(xp_amax(t), 1)); // expected-error {{'&&' depends on the value of tensor 't'}} \
                                                                                                     expected-note {{'&&' evaluates its right operand only}} \
                                                                                                     expected-note {{compute the condition as one bool tensor}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *short_circuit_in_helper(xp_tensor *x) {
    return xp_mul_scalar(x, positive_and_small(x)); // expected-note {{in call from 'short_circuit_in_helper'}}
}
