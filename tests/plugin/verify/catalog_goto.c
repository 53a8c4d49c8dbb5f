// Catalogue (docs/graph-breaks.md): 'goto'.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *jump(xp_tensor *x) {
    x = xp_relu(x);
    goto done; // expected-error {{'goto' cannot be captured: an exported graph has no jumps}} \
                  expected-note {{use structured control flow: 'if', loops with constant bounds, 'break' and 'continue'}}
    x = xp_neg(x);
done:
    return x;
}

static xp_tensor *retry(xp_tensor *x) {
again: // a label alone is harmless
    x = xp_relu(x);
    if (xp_ndim(x) > 4) goto again; // the branch not taken is not captured
    goto out; // expected-error {{'goto' cannot be captured}} \
                 expected-note {{use structured control flow}}
out:
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *goto_in_helper(xp_tensor *x) {
    return retry(x); // expected-note {{in call from 'goto_in_helper'}}
}
