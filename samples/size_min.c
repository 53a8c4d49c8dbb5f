/*
 * tags: dynamic-shape, control-flow, graph-break
 * description: the minimum of a dynamic size and a constant, which the declared range does not decide
 * expect: unsupported
 * diagnostic: '?:' condition 'n < 5' is not decided by the declared ranges
 * source: ExportDB torch_sym_min
 */
#include <xport.h>

/* torch: `x.sum(dim=0, keepdim=True)` sliced to `min(x.shape[0], 5)` rows.
 * A size expression has no min(): either n < 5 for every size (the
 * fix-it, max=4) or for none (the note's min=5); then the '?:' is decided. */
#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{declare dim 'n' with 'max=4' to make the condition true for every size}} \
                                       expected-note {{or declare dim 'n' with 'min=5' to make it false for every size}}
#pragma xport input(x, f32[n, 3])
xp_tensor *size_min(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    int64_t rows = n < 5 ? n : 5; // expected-error {{'?:' condition 'n < 5' is not decided by the declared ranges: it is 'n < 5' with 'n' in [1, 64]}}
    return xp_slice(x, 0, 0, rows, 1);
}
