/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: a map body that computes with its loop index
 * expect: unsupported
 * diagnostic: the body of a map cannot compute with its index
 * source: ExportDB dynamic_shape_map (map's rules)
 */
#include <xport.h>

/* The index only names the slice; a per-row value belongs in a tensor
 * (xp_arange) mapped alongside. */
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(xs, f32[n, 3])
xp_tensor *map_index_use(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_mul_scalar(xp_select(xs, 0, i), i)); // expected-error {{the map index 'i' is used outside 'xp_select(xs, 0, i)'; the body of a map cannot compute with its index}}
    return ys;
}
