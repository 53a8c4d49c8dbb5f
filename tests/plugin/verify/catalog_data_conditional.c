// Catalogue (docs/graph-breaks.md): '?:' on a tensor's value.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *select_on_value(xp_tensor *x) {
    return xp_item_bool(xp_gt_scalar(xp_sum(x), 0)) ? x : xp_neg(x); // expected-error {{'?:' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                                                        expected-note {{compute both values and select between them with 'xp_where', or capture both sides with 'xp_cond'}}
}

static xp_tensor *pick(xp_tensor *a, xp_tensor *b) {
    return xp_item_f32(xp_sum(a)) > xp_item_f32(xp_sum(b)) ? a : b; // expected-error {{'?:' depends on the value of tensors 'a' and 'b'}} \
                                                                      expected-note {{select between them with 'xp_where'}}
}

#pragma xport export
#pragma xport input(a, f32[4])
#pragma xport input(b, f32[4])
xp_tensor *conditional_in_helper(xp_tensor *a, xp_tensor *b) {
    return pick(a, b); // expected-note {{in call from 'conditional_in_helper'}}
}
