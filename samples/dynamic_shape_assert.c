/*
 * tags: dynamic-shape, builtin
 * description: assert on sizes that the declared ranges prove
 * expect: supported
 * source: ExportDB dynamic_shape_assert
 */
#include <assert.h>

#include "sample.h"

/* torch: `assert x.shape[0] > 2`. An assertion the ranges prove holds for
 * every input the program accepts; one they do not prove is an error. */
#pragma xport export
#pragma xport dim(n, min=3, max=64)
#pragma xport input(x, f32[n, 4])
xp_tensor *dynamic_shape_assert(xp_tensor *x) {
    assert(xp_size(x, 0) > 2);
    assert(xp_size(x, 1) == 4);
    return xp_add(x, x);
}

XP_SAMPLE(dynamic_shape_assert) { XP_RETURN(dynamic_shape_assert(XP_IN(0))); }
