/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: a map body that assigns a variable declared outside the loop
 * expect: unsupported
 * diagnostic: nothing but slice writes can leave a map
 * source: ExportDB dynamic_shape_map (map's rules)
 */
#include <xport.h>

/* Only slice writes leave a map: there is no "last iteration" in a graph
 * that runs them all at once. */
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(xs, f32[n, 3])
xp_tensor *map_escape(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    xp_tensor *last = NULL;
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++) {
        last = xp_select(xs, 0, i); // expected-error {{'last' is declared outside the map body and assigned inside it; nothing but slice writes can leave a map}} \
                                       expected-note {{write per-slice results with 'xp_copy_(xp_select(ys, 0, i), value)' into a tensor 'ys' created before the loop}}
        xp_copy_(xp_select(ys, 0, i), last);
    }
    return xp_add(ys, last);
}
