// Catalogue (docs/graph-breaks.md): a tensor's address is its identity in
// eager code (the analog of 'id(x)'); a graph value has none.
#include <stdint.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
#pragma xport input(y, f32[4])
xp_tensor *identity(xp_tensor *x, xp_tensor *y) {
    uintptr_t a = (uintptr_t)x; // expected-error {{converting tensor 'x' to an integer cannot be captured: it has no address in an exported graph}} \
                                   expected-note {{a tensor in an exported graph is a value without an identity (the analog of 'id(x)'); compare shapes with 'xp_size' or values with tensor ops}}
    return a & 1 ? x : y;
}

static int same(xp_tensor *a, xp_tensor *b) {
    return (intptr_t)a == (intptr_t)b; // expected-error {{converting tensor 'a' to an integer cannot be captured}} \
                                          expected-note {{the analog of 'id(x)'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *address_in_helper(xp_tensor *x) {
    return same(x, x) ? x : xp_neg(x); // expected-note {{in call from 'address_in_helper'}}
}
