// Catalogue (docs/graph-breaks.md): a call to a function that is neither an
// xport op, nor defined in this file, nor a custom op.
#include <xport.h>

xp_tensor *normalize(xp_tensor *x); // defined in another file

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *call_elsewhere(xp_tensor *x) {
    return normalize(x); // expected-error {{call to 'normalize' cannot be captured: it is neither an xport op nor defined in this translation unit}} \
                            expected-note {{define 'normalize' in this file so that it can be inlined, or declare it a custom op with '#pragma xport op(...)'}}
}

static xp_tensor *layer(xp_tensor *x) {
    return normalize(xp_relu(x)); // expected-error 2 {{call to 'normalize' cannot be captured}} \
                                     expected-note 2 {{define 'normalize' in this file}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *call_elsewhere_in_helper(xp_tensor *x) {
    return layer(x); // expected-note {{in call from 'call_elsewhere_in_helper'}}
}

// Two helpers deep: one note per call, innermost first.
static xp_tensor *block(xp_tensor *x) {
    return layer(xp_neg(x)); // expected-note {{in call from 'block'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *call_elsewhere_two_deep(xp_tensor *x) {
    return block(x); // expected-note {{in call from 'call_elsewhere_two_deep'}}
}
