// Plain C values are computed at export time: they must be initialized,
// sizes stay integers divided only by constants, and pointers only point
// into objects the capture can see.
#include <stdint.h>
#include <xport.h>

// Completes the tensor type, as code including xport's internals would.
struct xp_tensor {
    int64_t fake_storage;
};

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *uninitialized(xp_tensor *x) {
    xp_tensor *y;
    return xp_add(x, y); // expected-error {{'y' is used before it is assigned a value}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *size_to_float(xp_tensor *x) {
    double scale = 1.0 / xp_size(x, 0); // expected-error {{converting the size 'n' to a floating-point value cannot be captured}} \
                                           expected-note {{the conversion would freeze a dynamic size at export time; keep it an integer, or leave the dim static}}
    return xp_mul_scalar(x, scale);
}

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n])
xp_tensor *divide_by_size(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    return xp_reshape(x, XP_DIMS(64 / n, -1)); // expected-error {{dividing by the size 'n' cannot be captured: sizes can only be divided by constants}} \
                                                  expected-note {{sizes in an exported graph are polynomials over the dims with division by constants only}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n])
xp_tensor *divide_negative(xp_tensor *x) {
    int64_t m = xp_size(x, 0) - 8;
    return xp_reshape(x, XP_DIMS(m / 2 + 4, -1)); // expected-error {{'n - 8' may be negative, so 'm / 2' has no single symbolic form (C division truncates, sizes divide by flooring)}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *divide_by_zero(xp_tensor *x) {
    int zero = 0;
    return xp_mul_scalar(x, 4 / zero); // expected-error {{division by zero}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *overflow(xp_tensor *x) {
    int64_t big = INT64_MAX;
    return xp_mul_scalar(x, (double)(big + 1)); // expected-error {{integer overflow in 'big + 1' at export time}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_address(xp_tensor *x) {
    intptr_t p = (intptr_t)x; // expected-error {{converting tensor 'x' to an integer cannot be captured: it has no address in an exported graph}} \
                                 expected-note {{a tensor in an exported graph is a value without an identity (the analog of 'id(x)')}}
    return xp_mul_scalar(x, (double)p);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *null_dereference(xp_tensor *x) {
    const int64_t *dims = NULL;
    return xp_mul_scalar(x, (double)dims[0]); // expected-error {{dereferencing a null pointer cannot be captured in an exported function}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *past_single_object(xp_tensor *x) {
    int64_t k = 2;
    int64_t *p = &k;
    return xp_mul_scalar(x, (double)p[1]); // expected-error {{indexing a pointer to a single object cannot be captured in an exported function}}
}

#pragma xport export
#pragma xport input(x, f32[2, 3])
xp_tensor *past_the_end(xp_tensor *x) {
    int64_t dims[2] = {3, 2};
    int k = 2;
    return xp_reshape(x, 1, &dims[k]); // expected-error {{index 2 is outside 'dims', which has 2 elements}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=2) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *size_index(xp_tensor *x) {
    static const double scales[] = {0.5, 2.0};
    return xp_mul_scalar(x, scales[xp_size(x, 0) - 1]); // expected-error {{array index 'xp_size(x, 0) - 1' must be a compile-time constant in an exported function}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_internals(xp_tensor *x) {
    return xp_mul_scalar(x, (double)x->fake_storage); // expected-error {{accessing the internals of tensor 'x' cannot be captured: its storage does not exist at export time}} \
                                                         expected-note {{compute with tensor ops instead}}
}

static const union {
    int64_t i;
    double d;
} kBits = {.i = 1};

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *union_member(xp_tensor *x) {
    return xp_mul_scalar(x, kBits.d); // expected-error {{union member 'd' cannot be captured in an exported function}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *string_value(xp_tensor *x) {
    const char *name = "scale"; // expected-error {{a string literal is not supported in an exported function}}
    (void)name;
    return x;
}

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *bitwise_size(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    return xp_reshape(x, XP_DIMS(n & 1, -1)); // expected-error {{the operand of '&' must be known at export time, but it is the size 'n'}}
}
