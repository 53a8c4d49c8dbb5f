// Calls: xport ops are recorded, functions defined here are inlined
// (errors inside them say where they were called from), anything else is
// an error; tensor data and layout do not exist at export time.
#include <stdlib.h>
#include <xport.h>

typedef struct {
    // expected-note@+1 {{'w' has shape f32[10, 100]}}
    #pragma xport param(f32[10, 100])
    xp_tensor *w;
} Model;

xp_tensor *external_helper(xp_tensor *x);

static xp_tensor *project(xp_tensor *x, xp_tensor *w) {
    return xp_matmul(x, w); // expected-error {{matmul: self dim 1 (100) and other dim 0 (10) must be equal}}
}

#pragma xport export
#pragma xport dim(batch, min=1, max=16)
// expected-note@+1 {{'x' has shape f32[batch, 100]}}
#pragma xport input(x, f32[batch, 100])
xp_tensor *shape_error(const Model *m, xp_tensor *x) {
    return project(x, m->w); // expected-note {{in call from 'shape_error'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *unknown_function(xp_tensor *x) {
    return external_helper(x); // expected-error {{call to 'external_helper' cannot be captured: it is neither an xport op nor defined in this translation unit}} \
                                  expected-note {{define 'external_helper' in this file so that it can be inlined, or declare it a custom op with '#pragma xport op(...)'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *library_function(xp_tensor *x) {
    return xp_mul_scalar(x, rand()); // expected-error {{call to 'rand' cannot be captured: it is neither an xport op nor defined in this translation unit}} \
                                        expected-note {{'rand' is a library function whose effects and results are not part of a graph}}
}

static xp_tensor *repeat(xp_tensor *x, int n) { // expected-note {{write the recursion as a loop with a constant bound}}
    return n ? repeat(xp_neg(x), n - 1) : x;     // expected-error {{recursive call to 'repeat' cannot be inlined into an exported graph}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *recursion(xp_tensor *x) {
    return repeat(x, 2); // expected-note {{in call from 'recursion'}}
}

static xp_tensor *sum_all(int n, ...) { return NULL; }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *variadic(xp_tensor *x) {
    return sum_all(1, x); // expected-error {{call to variadic function 'sum_all' cannot be inlined into an exported graph}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *item(xp_tensor *x) {
    // A branch on the value is reported at the branch (catalog_data_if.c).
    return xp_mul_scalar(x, xp_item_f32(xp_sum(x))); // expected-error {{reading tensor data with 'xp_item_f32' is data-dependent; an exported graph cannot depend on tensor values}} \
                                                        expected-note {{compute with tensor ops instead (for example 'xp_where'), or capture a data-dependent branch with '#pragma xport cond'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *raw_data(xp_tensor *x) {
    float *p = xp_data(x); // expected-error {{accessing the storage of tensor 'x' with 'xp_data' cannot be captured: an exported graph has no storage to read or write}} \
                              expected-note {{compute with tensor ops instead (the analog of PyTorch's '.data')}}
    return xp_mul_scalar(x, p[0]);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *host_data(xp_tensor *x) {
    static const float table[4] = {1, 2, 3, 4};
    return xp_add(x, xp_tensor_from(XP_F32, XP_DIMS(4), table)); // expected-error {{'xp_tensor_from' copies host memory into a tensor, which an exported graph cannot capture}} \
                                                                   expected-note {{build the tensor with ops such as 'xp_full' or 'xp_arange', or pass it in as an input or a model buffer}}
}

#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *layout(xp_tensor *x) {
    if (xp_is_contiguous(x)) // expected-error {{'xp_is_contiguous' reads a tensor's memory layout, which an exported graph does not fix}} \
                                expected-note {{an exported program chooses its own memory layouts; use 'xp_contiguous' where an operation needs contiguous data}}
        return x;
    return xp_contiguous(x);
}

#pragma xport export
#pragma xport dim(n, min=1, max=2) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n, 4])
xp_tensor *symbolic_count(xp_tensor *x) {
    int count = xp_size(x, 0);
    return xp_sum_dims(x, count, (int64_t[]){0, 1}, false); // expected-error {{argument 'n' of 'xp_sum_dims' must be known at export time, but it is the size 'n'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *null_in_list(xp_tensor *x) {
    xp_tensor *parts[2] = {x, NULL};
    return xp_cat(2, parts, 0); // expected-error {{argument 'tensors' of 'xp_cat' must be an array of tensors, but it is a null pointer}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *size_of_missing_dim(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(xp_size(x, 1), -1)); // expected-error {{'xp_size' reads dim 1 of a tensor with 1 dims}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *size_of_null(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(xp_size(NULL, 0), -1)); // expected-error {{argument 't' of 'xp_size' must be a tensor, but it is a null pointer}}
}

#pragma xport export
#pragma xport input(x, f32[10, 100])
xp_tensor *mutate_parameter(const Model *m, xp_tensor *x) {
    xp_add_(m->w, x);
    return x; // expected-error {{parameter 'w' is written at}}
}

#pragma xport op("my::scale(Tensor x) -> Tensor")
static xp_tensor *custom(xp_tensor *x) { return xp_mul_scalar(x, 2); }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *custom_op(xp_tensor *x) {
    return custom(x); // expected-error {{custom op 'my::scale' has no meta function, so the shape of its result is unknown at export}} \
                         expected-note {{add '#pragma xport meta("my::scale")' before a function with the op's parameters}}
}
