/*
 * tags: dynamic-shape
 * description: an integer parameter declared as a dim is a symbolic int input
 * expect: supported
 * source: ExportDB dynamic_shape_constructor (symbolic int inputs)
 */
#include "sample.h"

/* `n` is a SYMINT input: a run passes it as a 0-d integer tensor, and the
 * guards check that it equals x's row count. */
#pragma xport export
#pragma xport dim(n, min=1, max=32)
#pragma xport input(x, f32[n, 4])
xp_tensor *symint_input(xp_tensor *x, int64_t n) {
    return xp_add(x, xp_ones(XP_F32, XP_DIMS(n, 4)));
}

XP_SAMPLE(symint_input) { XP_RETURN(symint_input(XP_IN(0), XP_INT(1))); }
