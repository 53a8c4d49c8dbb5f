/*
 * tags: data-structure, control-flow
 * description: 'if (x)' on an exported function's tensor input: a tensor input is never NULL
 * expect: supported
 * source: null-pointer checks on inputs
 */
#include "sample.h"

/* A run rejects a NULL input, so inside the exported function a tensor
 * input is non-null: 'if (x)' is true at export time, and defensive checks
 * in model code need no change to be exported. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_input_null_check(xp_tensor *x) {
    if (!x)
        return NULL;
    return xp_neg(x);
}

XP_SAMPLE(tensor_input_null_check) { XP_RETURN(tensor_input_null_check(XP_IN(0))); }
