// Catalogue (docs/graph-breaks.md): 'switch' on a tensor's value.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *switch_on_value(xp_tensor *x) {
    switch (xp_item_i64(xp_argmax(x))) { // expected-error {{'switch' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                            expected-note {{write the cases as 'if' statements marked '#pragma xport cond', or select between their results with 'xp_where'}}
    case 0:
        return x;
    default:
        return xp_neg(x);
    }
}

static xp_tensor *by_class(xp_tensor *x, xp_tensor *logits) {
    switch (xp_item_i64(xp_argmax(logits))) { // expected-error {{'switch' depends on the value of tensor 'logits'}} \
                                                 expected-note {{write the cases as 'if' statements}}
    case 1:
        return xp_neg(x);
    default:
        return x;
    }
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *switch_in_helper(xp_tensor *x) {
    return by_class(x, xp_relu(x)); // expected-note {{in call from 'switch_in_helper'}}
}
