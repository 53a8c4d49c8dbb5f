/*
 * tags: dynamic-shape, control-flow, graph-break
 * description: an 'if' on a size that the declared range does not decide
 * expect: unsupported
 * diagnostic: is not decided by the declared ranges
 * source: ExportDB dynamic_shape_if_guard (undecided), torch.export's suggested fixes
 */
#include <xport.h>

/* n may be at most 4 or above 4: no single graph. Narrow the range (the
 * error's fix-it), or capture both sides with '#pragma xport cond'
 * (cond_on_shape.c). */
#pragma xport export
#pragma xport dim(n, min=1, max=16) // expected-note {{declare dim 'n' with 'max=4' to make the condition true for every size}} \
                                       expected-note {{or declare dim 'n' with 'min=5' to make it false for every size}}
#pragma xport input(x, f32[n, 4])
xp_tensor *undecided_size_if(xp_tensor *x) {
    if (xp_size(x, 0) <= 4) // expected-error {{'if' condition 'xp_size(x, 0) <= 4' is not decided by the declared ranges: it is 'n <= 4' with 'n' in [1, 16]}}
        return xp_cos(x);
    return xp_sin(x);
}
