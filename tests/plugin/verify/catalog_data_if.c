// Catalogue (docs/graph-breaks.md): an 'if' on a tensor's value is an
// error at the condition; the fix-it inserts '#pragma xport cond' above the
// 'if' (tests/plugin/catalog_cond_fixit.sh checks it and applies it).
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *branch_on_value(xp_tensor *x) {
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) // expected-error {{'if' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                                     expected-note {{mark the branch '#pragma xport cond' to capture both sides}}
        return xp_relu(x);
    return xp_neg(x);
}

#pragma xport export
#pragma xport input(a, f32[4])
#pragma xport input(b, f32[4])
xp_tensor *branch_on_two(xp_tensor *a, xp_tensor *b) {
    xp_tensor *y = a;
    if (xp_item_f32(xp_sum(xp_add(a, b))) > 0.5f) { // expected-error {{'if' depends on the value of tensors 'a' and 'b'; an exported graph cannot branch on data}} \
                                                      expected-note {{mark the branch '#pragma xport cond'}}
        y = b;
    }
    return y;
}

// Inside a helper: the notes lead back to the exported function.
static xp_tensor *clip(xp_tensor *t) {
    if (xp_item_f32(xp_amax(t)) > 1) // expected-error {{'if' depends on the value of tensor 't'}} \
                                        expected-note {{mark the branch '#pragma xport cond'}}
        return xp_tanh(t);
    return t;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *branch_in_helper(xp_tensor *x) {
    return clip(x); // expected-note {{in call from 'branch_in_helper'}}
}
