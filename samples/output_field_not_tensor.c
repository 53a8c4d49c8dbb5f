/*
 * tags: data-structure, graph-break
 * description: a returned struct with a field that is not a tensor: every field of a result becomes an output
 * expect: unsupported
 * diagnostic: of the result of exported function
 */
#include <xport.h>

#include <stdint.h>

typedef struct {
    xp_tensor *y;
    int64_t n; // expected-note {{each field of a returned struct becomes one output of the exported program}}
} WithSize;

#pragma xport export
#pragma xport input(x, f32[4])
WithSize output_field_not_tensor(xp_tensor *x) {
    WithSize r = {xp_neg(x), 4};
    return r; // expected-error {{field 'n' of the result of exported function 'output_field_not_tensor' is of type 'int64_t', not a tensor}}
}
