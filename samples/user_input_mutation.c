/*
 * tags: mutation
 * description: an in-place op on an input is applied back to the caller's tensor
 * expect: supported
 * source: ExportDB user_input_mutation
 */
#include "sample.h"

/* torch: `x.mul_(2); return x.cos()`. The graph is functional; the new
 * value of x is a USER_INPUT_MUTATION output the runtime copies back. */
#pragma xport export
#pragma xport input(x, f32[3, 2])
xp_tensor *user_input_mutation(xp_tensor *x) {
    xp_mul_scalar_(x, 2);
    return xp_cos(x);
}

XP_SAMPLE(user_input_mutation) { XP_RETURN(user_input_mutation(XP_IN(0))); }
