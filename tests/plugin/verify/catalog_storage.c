// Catalogue (docs/graph-breaks.md): a tensor's storage does not exist at
// export time: xp_data(x), arithmetic on the pointer it returns, and
// reinterpreting the tensor as memory are errors (the analog of '.data').
#include <stdint.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *read_storage(xp_tensor *x) {
    const float *p = xp_data(x); // expected-error {{accessing the storage of tensor 'x' with 'xp_data' cannot be captured: an exported graph has no storage to read or write}} \
                                    expected-note {{compute with tensor ops instead (the analog of PyTorch's '.data'); read results only outside the exported function}}
    return xp_mul_scalar(x, p[0]);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *write_storage(xp_tensor *x) {
    xp_tensor *y = xp_relu(x);
    *((float *)xp_data(y) + 2) = 0; // expected-error {{accessing the storage of tensor 'y' with 'xp_data'}} \
                                       expected-note {{compute with tensor ops instead}}
    return y;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *reinterpret(xp_tensor *x) {
    return xp_mul_scalar(x, ((const float *)x)[0]); // expected-error {{accessing the internals of tensor 'x' cannot be captured: its storage does not exist at export time}} \
                                                       expected-note {{compute with tensor ops instead}}
}

static float first(xp_tensor *t) {
    return ((float *)xp_data(t))[0]; // expected-error {{accessing the storage of tensor 't' with 'xp_data'}} \
                                        expected-note {{compute with tensor ops instead}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *storage_in_helper(xp_tensor *x) {
    return xp_mul_scalar(x, first(x)); // expected-note {{in call from 'storage_in_helper'}}
}
