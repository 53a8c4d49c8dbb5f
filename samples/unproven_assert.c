/*
 * tags: dynamic-shape, builtin, graph-break
 * description: assert on sizes that the declared ranges do not prove
 * expect: unsupported
 * diagnostic: assertion 'xp_size(x, 0) % 2 == 0' is not decided by the declared ranges
 * source: ExportDB dynamic_shape_assert (unproven)
 */
#include <assert.h>
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *unproven_assert(xp_tensor *x) {
    assert(xp_size(x, 0) % 2 == 0); // expected-error {{assertion 'xp_size(x, 0) % 2 == 0' is not decided by the declared ranges}} \
                                     expected-note {{narrow the declared range (min=, max=) so that the assertion holds for every size}}
    return x;
}
