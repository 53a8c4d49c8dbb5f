// Catalogue (docs/graph-breaks.md): recursion cannot be inlined.
#include <xport.h>

static xp_tensor *apply(xp_tensor *x, int depth) { // expected-note {{write the recursion as a loop with a constant bound}}
    if (depth == 0) return x;
    return apply(xp_relu(x), depth - 1); // expected-error {{recursive call to 'apply' cannot be inlined into an exported graph}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *recursive(xp_tensor *x) {
    return apply(x, 3); // expected-note {{in call from 'recursive'}}
}
