// Catalogue (docs/graph-breaks.md): variable-length arrays (of tensors or
// anything else) have no length at export time.
#include <xport.h>

static xp_tensor *sum_parts(xp_tensor *x, int n) {
    xp_tensor *parts[n]; // expected-error {{variable-length array 'parts' cannot be captured: its length is not known at export time}} \
                            expected-note {{give it a constant length (a '#define' or 'enum' constant)}}
    for (int i = 0; i < n; i++) parts[i] = xp_mul_scalar(x, i);
    return xp_sum(xp_stack(n, (xp_tensor *const *)parts, 0));
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_vla(xp_tensor *x) {
    return sum_parts(x, 3); // expected-note {{in call from 'tensor_vla'}}
}
