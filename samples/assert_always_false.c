/*
 * tags: dynamic-shape, builtin, graph-break
 * description: an assertion on shapes that no input satisfies
 * expect: unsupported
 * diagnostic: is false for every size in the declared ranges
 * source: ExportDB dynamic_shape_assert (false)
 */
#include <assert.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *assert_always_false(xp_tensor *x) {
    assert(xp_ndim(x) == 2); // expected-error {{assertion 'xp_ndim(x) == 2' is false for every size in the declared ranges}}
    return x;
}
