/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: a map body that reads another row than its own slice
 * expect: unsupported
 * diagnostic: each iteration may read only its own slice
 * source: ExportDB dynamic_shape_map (map's rules)
 */
#include <xport.h>

/* Each iteration of a map sees only its slice; what every iteration needs
 * from other rows is computed before the loop and read as a loop-invariant
 * value. */
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(xs, f32[n, 3])
xp_tensor *map_reads_outside_slice(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_add(xp_select(xs, 0, i), xp_select(xs, 0, 0))); // expected-error {{the map body reads 'xs' outside slice 'xp_select(xs, 0, i)': each iteration may read only its own slice}} \
                                                                                           expected-note {{read 'xp_select(xs, 0, i)' instead, or compute what the body needs from 'xs' before the loop}}
    return ys;
}
