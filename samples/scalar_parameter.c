/*
 * tags: graph-break, data-structure
 * description: a float parameter of the exported function (a run-time scalar input)
 * expect: unsupported
 * diagnostic: which an exported program cannot take
 * source: ExportDB fn_with_kwargs (non-tensor inputs)
 */
#include <xport.h>

/* An exported program's inputs are tensors and declared integer sizes. A
 * run-time scalar is a 0-d tensor input (f32[]); a fixed one is a constant. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *scalar_parameter(xp_tensor *x, float scale) { // expected-error {{parameter 'scale' of exported function 'scalar_parameter' has type 'float', which an exported program cannot take}} \
                                                            expected-note {{an exported function takes tensors}}
    return xp_mul_scalar(x, scale);
}
