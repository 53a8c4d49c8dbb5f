/*
 * tags: control-flow, dynamic-shape, graph-break
 * description: a map body that writes its output slice on only some paths
 * expect: unsupported
 * diagnostic: does not write slice 'i' of 'ys' on every path
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *map_output_unwritten(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++) // expected-error {{the map body does not write slice 'i' of 'ys' on every path}}
        if (xp_size(xs, 1) > 4)
            xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
    return ys;
}
