/*
 * tags: control-flow, data-structure
 * description: a call through a function pointer the capture resolves at export time
 * expect: supported
 * source: C: resolvable function pointers
 */
#include "sample.h"

typedef xp_tensor *(*unary_fn)(xp_tensor *);

static xp_tensor *double_it(xp_tensor *x) { return xp_add(x, x); }

/* A constant table of function pointers indexed by a constant: each call
 * resolves to one function, which is inlined or recorded as an op. */
static const unary_fn kPipeline[3] = {double_it, xp_tanh, xp_sigmoid};

#pragma xport export
#pragma xport input(x, f32[5])
xp_tensor *function_pointer_constant(xp_tensor *x) {
    for (int i = 0; i < 3; i++)
        x = kPipeline[i](x);
    return x;
}

XP_SAMPLE(function_pointer_constant) { XP_RETURN(function_pointer_constant(XP_IN(0))); }
