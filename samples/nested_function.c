/*
 * tags: control-flow
 * description: helper functions defined in the file are inlined into the graph
 * expect: supported
 * source: ExportDB nested_function, class_method
 */
#include "sample.h"

static xp_tensor *scale(xp_tensor *x, double s) { return xp_mul_scalar(x, s); }
static xp_tensor *block(xp_tensor *x, xp_tensor *y) { return xp_relu(xp_add(scale(x, 0.5), y)); }

#pragma xport export
#pragma xport input(a, f32[3, 2])
#pragma xport input(b, f32[2])
xp_tensor *nested_function(xp_tensor *a, xp_tensor *b) {
    return block(block(a, b), b);
}

XP_SAMPLE(nested_function) { XP_RETURN(nested_function(XP_IN(0), XP_IN(1))); }
