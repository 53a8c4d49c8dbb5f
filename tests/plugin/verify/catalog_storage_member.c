// Catalogue (docs/graph-breaks.md): 'x->data'. xp_tensor is an incomplete
// type outside xport, so Clang itself rejects a member access, in every
// build, before the plugin looks at the function.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *member(xp_tensor *x) {
    return xp_mul_scalar(x, x->data[0]); // expected-error {{incomplete definition of type 'xp_tensor'}}
}
// expected-note@xport.h:* {{forward declaration of 'struct xp_tensor'}}
