/*
 * tags: control-flow, graph-break
 * description: '#pragma xport map' before a 'while' loop: map takes a 'for' loop over the leading dim
 * expect: unsupported
 * diagnostic: must be followed by a 'for' loop
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *pragma_map_not_for(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    int64_t i = 0;
    #pragma xport map // expected-error {{'#pragma xport map' must be followed by a 'for' loop}}
    while (i < xp_size(xs, 0)) { // expected-note {{the next statement is here}}
        xp_copy_(xp_select(ys, 0, i), xp_relu(xp_select(xs, 0, i)));
        i++;
    }
    return ys;
}
