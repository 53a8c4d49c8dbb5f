/*
 * Decompositions of the constructors outside the core opset: zeros and
 * ones are `full` with 0 and 1, empty_like is `empty` with the input's
 * (possibly symbolic) size and dtype.
 */
#include "decomp/xp_decomp.h"

#include <string.h>

static xp_status fill(xp_graph *g, const xp_narg *args, xp_srcloc loc, double value, int32_t *out) {
    xp_dim size[XP_MAX_DIMS];
    int n = args[0].il.n;
    if (n) memcpy(size, args[0].il.v, (size_t)n * sizeof *size);
    return xp_dc_node(g, loc, XP_OP_full, 3,
                      (xp_narg[]){xp_narg_ints(n, size), xp_narg_float(value), xp_narg_dtype(args[1].dt)}, out);
}

/* zeros(int[] size, *, ScalarType dtype) */
xp_status xp_decomp_zeros(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    return fill(g, args, loc, 0.0, &outs[0]);
}

/* ones(int[] size, *, ScalarType dtype) */
xp_status xp_decomp_ones(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    return fill(g, args, loc, 1.0, &outs[0]);
}

/* empty_like(Tensor self) */
xp_status xp_decomp_empty_like(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    xp_meta m = *xp_dc_meta(g, args[0].value);
    return xp_dc_node(g, loc, XP_OP_empty, 2, (xp_narg[]){xp_narg_ints(m.ndim, m.shape), xp_narg_dtype(m.dtype)},
                      &outs[0]);
}
