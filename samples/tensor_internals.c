/*
 * tags: graph-break, builtin
 * description: reading a field of the tensor struct (storage, like x.data)
 * expect: unsupported
 * diagnostic: accessing the internals of tensor 'x' cannot be captured
 * source: torch.export tutorial, graph breaks (Bad2: x.data)
 */
#include <xport.h>

/* Code that sees xport's internals can read a tensor's fields; at export
 * time a tensor has a dtype and a shape, and nothing else. */
struct xp_tensor {
    float *data;
};

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_internals(xp_tensor *x) {
    return xp_mul_scalar(x, x->data[0]); // expected-error {{accessing the internals of tensor 'x' cannot be captured: its storage does not exist at export time}} \
                                            expected-note {{compute with tensor ops instead (the analog of PyTorch's '.data')}}
}
