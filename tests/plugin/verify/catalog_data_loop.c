// Catalogue (docs/graph-breaks.md): a loop whose condition reads a
// tensor's value would run a data-dependent number of times.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *while_on_value(xp_tensor *x) {
    while (xp_item_f32(xp_sum(x)) > 1) // expected-error {{'while' loop depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                          expected-note {{an exported graph runs a fixed number of iterations: bound the loop with a constant and select each iteration's result with 'xp_where'}}
        x = xp_mul_scalar(x, 0.5);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *for_on_value(xp_tensor *x) {
    for (int i = 0; i < xp_item_i64(xp_sum(x)); i++) // expected-error {{'for' loop depends on the value of tensor 'x'}} \
                                                        expected-note {{bound the loop with a constant}}
        x = xp_neg(x);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *do_on_value(xp_tensor *x) {
    do {
        x = xp_sqrt(x);
    } while (xp_item_bool(xp_gt_scalar(xp_amax(x), 2))); // expected-error {{'do' loop depends on the value of tensor 'x'}} \
                                                           expected-note {{bound the loop with a constant}}
    return x;
}

// Inside a helper: the notes lead back to the exported function.
static xp_tensor *halve_until_small(xp_tensor *t) {
    while (xp_item_f32(xp_amax(t)) > 1) // expected-error {{'while' loop depends on the value of tensor 't'}} \
                                           expected-note {{bound the loop with a constant}}
        t = xp_mul_scalar(t, 0.5);
    return t;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *loop_in_helper(xp_tensor *x) {
    return halve_until_small(x); // expected-note {{in call from 'loop_in_helper'}}
}
