/*
 * Decompositions of the non-core shape ops into permute, view, clone,
 * unsqueeze and cat (PyTorch's refs: t and transpose are permutes,
 * flatten is a reshape, contiguous is a clone, stack is cat of unsqueezes).
 *
 * reshape and flatten become `view` when their input is contiguous by
 * construction, and `clone` + `view` otherwise (xp_dc_reshape). PyTorch's
 * reshape decides the same way on the input's strides at trace time; a
 * graph has no strides, but which values are dense is known from how they
 * were made (xp_dc_is_contiguous). User inputs count as possibly strided,
 * since the interpreter runs on the tensors the caller passes: a reshape of
 * an input costs a copy, and never fails where the original would not.
 */
#include "decomp/xp_decomp.h"

#include <stdlib.h>

/* t(Tensor(a) self): 0-D and 1-D tensors are returned as they are */
xp_status xp_decomp_t(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int n = xp_dc_meta(g, args[0].value)->ndim;
    int perm[2] = {n == 2 ? 1 : 0, 0};
    return xp_dc_permute(g, loc, args[0].value, n, perm, &outs[0]);
}

/* transpose(Tensor(a) self, int dim0, int dim1) */
xp_status xp_decomp_transpose(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int n = xp_dc_meta(g, args[0].value)->ndim, perm[XP_MAX_DIMS];
    for (int d = 0; d < n; d++) perm[d] = d;
    if (n > 0) {
        int d0 = xp_dc_wrap_dim(args[1].i, n), d1 = xp_dc_wrap_dim(args[2].i, n);
        perm[d0] = d1;
        perm[d1] = d0;
    }
    return xp_dc_permute(g, loc, args[0].value, n, perm, &outs[0]);
}

/* The result shape of a reshape-like node (a -1 resolved, flatten's dims
 * merged), then xp_dc_reshape. */
static xp_status reshape_like(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                              int32_t *out) {
    xp_meta m;
    xp_status st = xp_dc_infer(g, op, nargs, args, &m);
    if (st != XP_OK) return st;
    return xp_dc_reshape(g, loc, args[0].value, m.ndim, m.shape, out);
}

/* reshape(Tensor(a) self, int[] shape) */
xp_status xp_decomp_reshape(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    return reshape_like(g, XP_OP_reshape, args, 2, loc, &outs[0]);
}

/* flatten(Tensor(a) self, int start_dim=0, int end_dim=-1) */
xp_status xp_decomp_flatten(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    return reshape_like(g, XP_OP_flatten, args, 3, loc, &outs[0]);
}

/* contiguous(Tensor self): a dense copy, which clone always is here */
xp_status xp_decomp_contiguous(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    return xp_dc_unary(g, loc, XP_OP_clone, args[0].value, &outs[0]);
}

/* stack(Tensor[] tensors, int dim=0): cat of the tensors unsqueezed at dim
 * (wrapped against rank + 1) */
xp_status xp_decomp_stack(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int n = args[0].vl.n;
    if (n < 1) return xp_error(XP_ERR_INVALID_ARG, "stack: expects a non-empty list of tensors");
    int32_t *parts = xp_calloc((size_t)n, sizeof *parts);
    if (!parts) return XP_ERR_OOM;
    int dim = xp_dc_wrap_dim(args[1].i, xp_dc_meta(g, args[0].vl.v[0])->ndim + 1);
    xp_status st = XP_OK;
    for (int k = 0; k < n && st == XP_OK; k++) st = xp_dc_unsqueeze(g, loc, args[0].vl.v[k], dim, &parts[k]);
    if (st == XP_OK)
        st = xp_dc_node(g, loc, XP_OP_cat, 2, (xp_narg[]){xp_narg_values(n, parts), xp_narg_int(dim)}, &outs[0]);
    free(parts);
    return st;
}
