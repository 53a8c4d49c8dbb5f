/*
 * tags: dynamic-shape, graph-break
 * description: dividing by a dynamic size
 * expect: unsupported
 * diagnostic: dividing by the size 'n' cannot be captured
 * source: C: sizes as values
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n])
xp_tensor *divide_by_size(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    return xp_reshape(x, XP_DIMS(64 / n, -1)); // expected-error {{dividing by the size 'n' cannot be captured: sizes can only be divided by constants}} \
                                                  expected-note {{sizes in an exported graph are polynomials over the dims with division by constants only}}
}
