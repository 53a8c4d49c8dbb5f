// Capturing calls of custom ops: one node whose shape comes from the meta
// function (interpreted at compile time, symbolic sizes included); a meta
// function must return a tensor, and a mutable op cannot be a graph node.
#include <xport.h>

#pragma xport op("my_lib::drop_first(Tensor x) -> Tensor")
xp_tensor *drop_first(xp_tensor *x) { return xp_slice(x, 0, 1, XP_END, 1); }

#pragma xport meta("my_lib::drop_first")
xp_tensor *drop_first_meta(xp_tensor *x) {
    int64_t shape[2] = {xp_size(x, 0) - 1, xp_size(x, 1)};
    return xp_empty(xp_dtype_of(x), 2, shape);
}

// The meta function's symbolic shape [n - 1, 4] reaches the next op: adding
// a [n, 4] tensor is a shape error found at export.
#pragma xport export
#pragma xport dim(n, min=2, max=64)
// expected-note@+1 {{'x' has shape f32[n, 4]}}
#pragma xport input(x, f32[n, 4])
xp_tensor *symbolic(xp_tensor *x) {
    xp_tensor *y = drop_first(x); // expected-note {{'y' has shape f32[n - 1, 4]}}
    return xp_add(y, x); // expected-error {{add: cannot broadcast self dim 0 (n - 1) with other dim 0 (n)}}
}

#pragma xport op("my_lib::no_tensor(Tensor x) -> Tensor")
xp_tensor *no_tensor(xp_tensor *x) { return x; }

#pragma xport meta("my_lib::no_tensor")
xp_tensor *no_tensor_meta(xp_tensor *x) { (void)x; return NULL; }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *meta_returns_null(xp_tensor *x) {
    return no_tensor(x); // expected-error {{the meta function of custom op 'my_lib::no_tensor' must return a tensor made with 'xp_empty_like' or 'xp_empty', not a null pointer}}
}

// expected-note@+1 {{custom op 'my_lib::fill_' is declared here}}
#pragma xport op("my_lib::fill_(Tensor(a!) x, float value) -> Tensor")
xp_tensor *fill_(xp_tensor *x, double value) { (void)value; return x; }

#pragma xport meta("my_lib::fill_")
xp_tensor *fill_meta(xp_tensor *x, double value) { (void)value; return xp_empty_like(x); }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *mutable_op(xp_tensor *x) {
    return fill_(x, 1.0); // expected-error {{custom op my_lib::fill_ writes an argument (Tensor(a!)); an exported graph holds only functional ops: return a new tensor instead}}
}
