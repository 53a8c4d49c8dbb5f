/*
 * tags: control-flow, graph-break
 * description: '#pragma xport map' on a loop that is not over a tensor's leading dim
 * expect: unsupported
 * diagnostic: '#pragma xport map' needs a loop
 * source: ExportDB dynamic_shape_map (map's rules)
 */
#include <xport.h>

/* A constant loop needs no pragma (it is unrolled, static_for_loop.c); a
 * map runs over 'xp_size(xs, 0)' of a tensor variable. */
#pragma xport export
#pragma xport dim(n, min=4, max=8)
#pragma xport input(xs, f32[n, 3])
xp_tensor *map_loop_form(xp_tensor *xs) {
    xp_tensor *ys = xp_zeros(XP_F32, XP_DIMS(4, 3));
    #pragma xport map
    for (int64_t i = 0; i < 4; i++) // expected-error {{'#pragma xport map' needs a loop 'for (i = 0; i < xp_size(xs, 0); i++)' over a tensor variable 'xs'}}
        xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
    return ys;
}
