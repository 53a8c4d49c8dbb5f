// An exported function returns a tensor, or a struct whose fields are
// tensors or int64_t sizes (one output each, named by the field).
#include <stdint.h>
#include <xport.h>

typedef struct {
    xp_tensor *y;
    int64_t n; /* a SYMINT output */
} WithSize;

typedef struct {
    xp_tensor *y;
    double scale; // expected-note {{each field of a returned struct becomes one output of the exported program: a tensor, or an int64_t size (a SYMINT output)}}
    int narrow; // expected-note {{each field of a returned struct becomes one output of the exported program: a tensor, or an int64_t size (a SYMINT output)}}
} WithScale;

typedef struct {
    xp_tensor *a; // expected-note {{each field of a returned struct becomes one output of the exported program: a tensor, or an int64_t size (a SYMINT output)}}
    xp_tensor *b;
} Pair;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *returns_null(xp_tensor *x) {
    return NULL; // expected-error {{exported function 'returns_null' returns a null pointer}}
}

#pragma xport export
#pragma xport input(x, f32[4])
int64_t returns_size(xp_tensor *x) {
    return xp_size(x, 0); // expected-error {{exported function 'returns_size' must return a tensor or a struct of tensors and sizes, not an integer}}
}

#pragma xport export
#pragma xport input(x, f32[4])
void returns_nothing(xp_tensor *x) { // expected-error {{exported function 'returns_nothing' must return a tensor or a struct of tensors and sizes, not 'void'}}
    (void)x;
}

#pragma xport export
#pragma xport input(x, f32[4])
WithSize returns_size_field(xp_tensor *x) { /* supported: n is a SYMINT output */
    WithSize r = {xp_neg(x), 4};
    return r;
}

#pragma xport export
#pragma xport input(x, f32[4])
WithScale returns_other_fields(xp_tensor *x) {
    WithScale r = {xp_neg(x), 0.5, 3};
    return r; // expected-error {{field 'scale' of the result of exported function 'returns_other_fields' is of type 'double', not a tensor or an int64_t size}} \
                 expected-error {{field 'narrow' of the result of exported function 'returns_other_fields' is of type 'int', not a tensor or an int64_t size}}
}

#pragma xport export
#pragma xport input(x, f32[4])
Pair returns_partial(xp_tensor *x) {
    Pair p;
    p.b = xp_neg(x);
    return p; // expected-error {{field 'a' of the result of exported function 'returns_partial' is an uninitialized value, not a tensor or an int64_t size}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *no_return(xp_tensor *x) {
    if (xp_ndim(x) == 2)
        return x;
} // expected-error {{function 'no_return' ends without returning a value}} \
     expected-warning {{non-void function does not return a value in all control paths}}
