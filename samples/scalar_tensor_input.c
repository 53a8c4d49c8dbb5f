/*
 * tags: data-structure, operator
 * description: a run-time scalar passed as a 0-d tensor input and broadcast
 * expect: supported
 * source: ExportDB fn_with_kwargs (scalar inputs as 0-d tensors)
 */
#include "sample.h"

#pragma xport export
#pragma xport input(x, f32[2, 4])
#pragma xport input(scale, f32[])
xp_tensor *scalar_tensor_input(xp_tensor *x, xp_tensor *scale) {
    return xp_mul(x, scale);
}

XP_SAMPLE(scalar_tensor_input) { XP_RETURN(scalar_tensor_input(XP_IN(0), XP_IN(1))); }
