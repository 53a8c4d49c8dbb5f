/*
 * tags: dynamic-shape, control-flow, graph-break
 * description: a plain loop whose bound is a dynamic size
 * expect: unsupported
 * diagnostic: loop condition 'i < xp_size(x, 0)' is not decided by the declared ranges
 * source: C: non-constant loop bounds
 */
#include <xport.h>

/* Exported loops are unrolled; a loop over a dynamic dim is a map. */
#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n, 4])
xp_tensor *dynamic_loop_bound(xp_tensor *x) {
    xp_tensor *acc = xp_zeros(XP_F32, XP_DIMS(4));
    for (int64_t i = 0; i < xp_size(x, 0); i++) // expected-error {{loop condition 'i < xp_size(x, 0)' is not decided by the declared ranges}} \
                                                   expected-note {{a loop over a dynamic dim needs '#pragma xport map'}}
        acc = xp_add(acc, xp_select(x, 0, i));
    return acc;
}
