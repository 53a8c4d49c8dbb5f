/*
 * tags: control-flow, dynamic-shape
 * description: cond on a size comparison that the declared range does not decide
 * expect: supported
 * source: ExportDB cond_branch_class_method, dynamic_shape_if_guard (the undecided case)
 */
#include "sample.h"

/* Without the pragma this 'if' is an error (undecided_size_if.c); with it,
 * both sides are captured and the run picks one by the input's size. */
#pragma xport export
#pragma xport dim(n, min=1, max=16)
#pragma xport input(x, f32[n, 4])
xp_tensor *cond_on_shape(xp_tensor *x) {
    #pragma xport cond
    if (xp_size(x, 0) > 4)
        return xp_cos(x);
    return xp_sin(x);
}

XP_SAMPLE(cond_on_shape) { XP_RETURN(cond_on_shape(XP_IN(0))); }
