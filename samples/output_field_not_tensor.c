/*
 * tags: data-structure, graph-break
 * description: a returned struct with a field that is neither a tensor nor an int64_t size: every field becomes an output
 * expect: unsupported
 * diagnostic: of the result of exported function
 */
#include <xport.h>

#include <stdint.h>

typedef struct {
    xp_tensor *y;
    double scale; // expected-note {{each field of a returned struct becomes one output of the exported program: a tensor, or an int64_t size (a SYMINT output)}}
} WithScale;

#pragma xport export
#pragma xport input(x, f32[4])
WithScale output_field_not_tensor(xp_tensor *x) {
    WithScale r = {xp_neg(x), 0.5};
    return r; // expected-error {{field 'scale' of the result of exported function 'output_field_not_tensor' is of type 'double', not a tensor or an int64_t size}}
}
