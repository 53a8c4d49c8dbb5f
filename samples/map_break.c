/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: 'break' in the body of a map
 * expect: unsupported
 * diagnostic: 'break' in the body of a map cannot be captured
 * source: ExportDB dynamic_shape_map (map's rules)
 */
#include <xport.h>

/* Every iteration of a map runs; stopping early depends on the data. */
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(xs, f32[n, 3])
xp_tensor *map_break(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++) {
        xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
        break; // expected-error {{'break' in the body of a map cannot be captured}}
    }
    return ys;
}
