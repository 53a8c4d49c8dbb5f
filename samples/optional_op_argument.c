/*
 * tags: operator
 * description: NULL for an optional tensor argument of an op is None (linear without bias)
 * expect: supported
 * source: ExportDB optional_input (None arguments)
 */
#include "sample.h"

#pragma xport export
#pragma xport input(x, f32[2, 6])
#pragma xport input(w, f32[4, 6])
xp_tensor *optional_op_argument(xp_tensor *x, xp_tensor *w) {
    return xp_linear(x, w, NULL);
}

XP_SAMPLE(optional_op_argument) { XP_RETURN(optional_op_argument(XP_IN(0), XP_IN(1))); }
