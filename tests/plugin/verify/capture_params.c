// The parameters of an exported function become the program's inputs:
// tensors need an input pragma, integers a dim, structs are the model.
#include <xport.h>

#pragma xport export
xp_tensor *no_input(xp_tensor *x) { // expected-error {{tensor parameter 'x' of exported function 'no_input' has no declared dtype and shape}} \
                                       expected-note {{add '#pragma xport input(x, DTYPE[...])' before the function to declare it}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *int_without_dim(xp_tensor *x, int n) { // expected-error {{integer parameter 'n' of exported function 'int_without_dim' is not a declared dim}} \
                                                     expected-note {{add '#pragma xport dim(n, min=..., max=...)' to make it a symbolic size input, or make it a constant}}
    return xp_mul_scalar(x, n);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *float_param(xp_tensor *x, float s) { // expected-error {{parameter 's' of exported function 'float_param' has type 'float', which an exported program cannot take}} \
                                                   expected-note {{an exported function takes tensors ('xp_tensor *'), a pointer to the model struct, and integer sizes declared with '#pragma xport dim'}}
    return xp_mul_scalar(x, s);
}

#pragma xport export
#pragma xport input(x, f32[4])
// expected-error@+1 {{'#pragma xport input' describes parameter 'n', which is not a tensor ('xp_tensor *')}}
#pragma xport input(n, f32[4])
xp_tensor *input_on_int(xp_tensor *x, int n) { // expected-note {{'n' is declared here}}
    return x;
}

#pragma xport export
// expected-error@+2 {{unknown dim 'width' in the shape of 'x'}}
// expected-note@+1 {{declare it with '#pragma xport dim(width, min=..., max=...)' before the function}}
#pragma xport input(x, f32[4, width])
xp_tensor *undeclared_dim(xp_tensor *x) {
    return x;
}

// input(NAME, int) declares a symbolic int: on an integer parameter it says
// what dim(NAME, ...) says (the one grammar of xp_export_trace specs), on a
// tensor parameter it is an error.
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(x, f32[n])
#pragma xport input(n, int)
xp_tensor *input_int_on_int(xp_tensor *x, int64_t n) {
    return xp_add(x, xp_ones(XP_F32, XP_DIMS(n)));
}

#pragma xport export
// expected-error@+1 {{'#pragma xport input(x, int)' describes a tensor parameter; give its dtype and shape, as in input(x, f32[...])}}
#pragma xport input(x, int)
xp_tensor *input_int_on_tensor(xp_tensor *x) {
    return x;
}
