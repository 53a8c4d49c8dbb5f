/*
 * Decompositions of linear and matmul into mm, bmm and addmm with views,
 * following PyTorch's aten::linear and aten::matmul (_matmul_impl):
 *
 *   linear(x, w, b)   2-D x: addmm(b, x, w^T) (mm without bias);
 *                     N-D x: x folded to [prod(batch), in], addmm, viewed
 *                     back to [batch..., out]; 1-D x: a one-row matrix
 *   matmul(a, b)      1-D/2-D operands: mm with the added dim removed;
 *                     N-D a with 1-D/2-D b: a's batch folded into the rows,
 *                     one mm; otherwise batch dims broadcast, both sides
 *                     expanded and reshaped to 3-D, one bmm, viewed back
 *
 * w^T is permute(w, [1, 0]): a strided view, which the GEMM kernels take
 * as a transposed operand without copying. Folding uses xp_dc_reshape, so
 * an operand that may be strided is cloned first (PyTorch's reshape). Sums
 * run over the same K products as the fused kernels, in the GEMM's order.
 */
#include "decomp/xp_decomp.h"

/* addmm(bias, x, wt), or mm(x, wt) without a bias */
static xp_status affine(xp_graph *g, xp_srcloc loc, int32_t x, int32_t wt, const xp_narg *bias, int32_t *out) {
    if (bias->kind == XP_ARG_TENSOR)
        return xp_dc_node(g, loc, XP_OP_addmm, 3, (xp_narg[]){*bias, xp_narg_value(x), xp_narg_value(wt)}, out);
    return xp_dc_binary(g, loc, XP_OP_mm, x, wt, out);
}

/* linear(Tensor input, Tensor weight, Tensor? bias=None) */
xp_status xp_decomp_linear(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int32_t x = args[0].value, w = args[1].value, wt, x2, r;
    const xp_meta xm = *xp_dc_meta(g, x); /* a copy: adding nodes moves g's values */
    xp_dim out_f = xp_dc_meta(g, w)->shape[0];
    xp_status st = xp_dc_permute(g, loc, w, 2, (const int[]){1, 0}, &wt);
    if (st != XP_OK) return st;
    if (xm.ndim == 2) return affine(g, loc, x, wt, &args[2], &outs[0]);
    /* 1-D: one row; N-D: the batch dims folded into the rows */
    int nb = xm.ndim - 1;
    xp_dim in_f = xm.shape[nb], rows = xp_dc_numel(g, &xm, 0, nb);
    if (!xp_dim_is_valid(rows)) return xp_last_status();
    if (xm.ndim == 1) st = xp_dc_unsqueeze(g, loc, x, 0, &x2);
    else st = xp_dc_reshape(g, loc, x, 2, (const xp_dim[]){rows, in_f}, &x2);
    if (st == XP_OK) st = affine(g, loc, x2, wt, &args[2], &r);
    if (st != XP_OK) return st;
    xp_dim shape[XP_MAX_DIMS];
    for (int d = 0; d < nb; d++) shape[d] = xm.shape[d];
    shape[nb] = out_f;
    return xp_dc_view(g, loc, r, nb + 1, shape, &outs[0]);
}

/* a's dims [0, nd-2) against the broadcast batch dims: no expand needed */
static bool batch_matches(const xp_graph *g, const xp_meta *m, const xp_meta *out, int nb) {
    if (m->ndim - 2 != nb) return false;
    for (int d = 0; d < nb; d++)
        if (m->shape[d] != out->shape[d] && xp_dim_eq(g->prog->syms, m->shape[d], out->shape[d]) != XP_YES)
            return false;
    return true;
}

/* One side of a batched product as [B, rows, cols]: expanded to the batch
 * dims when it has to be, then reshaped; v is at least 2-D. */
static xp_status as_batch3(xp_graph *g, xp_srcloc loc, int32_t v, const xp_meta *out, int nb, xp_dim B,
                           int32_t *res) {
    const xp_meta m = *xp_dc_meta(g, v);
    xp_dim rows = m.shape[m.ndim - 2], cols = m.shape[m.ndim - 1];
    xp_status st = XP_OK;
    if (!batch_matches(g, &m, out, nb)) {
        xp_dim shape[XP_MAX_DIMS];
        for (int d = 0; d < nb; d++) shape[d] = out->shape[d];
        shape[nb] = rows, shape[nb + 1] = cols;
        st = xp_dc_expand(g, loc, v, nb + 2, shape, &v);
    }
    if (st != XP_OK) return st;
    return xp_dc_reshape(g, loc, v, 3, (const xp_dim[]){B, rows, cols}, res);
}

/* matmul(Tensor self, Tensor other) */
xp_status xp_decomp_matmul(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int32_t a = args[0].value, b = args[1].value, a2, b2, r;
    xp_meta om;
    xp_status st = xp_dc_infer(g, XP_OP_matmul, 2, args, &om);
    if (st != XP_OK) return st;
    const xp_meta am = *xp_dc_meta(g, a); /* a copy: adding nodes moves g's values */
    int da = am.ndim, db = xp_dc_meta(g, b)->ndim;

    if (da <= 2 && db <= 2) {
        /* dot, mv, vector-matrix, mm: a 1-D side gets its dim back, mm, the
         * result viewed to matmul's shape (the added dims dropped) */
        st = da == 1 ? xp_dc_unsqueeze(g, loc, a, 0, &a2) : (a2 = a, XP_OK);
        if (st == XP_OK) st = db == 1 ? xp_dc_unsqueeze(g, loc, b, 1, &b2) : (b2 = b, XP_OK);
        if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mm, a2, b2, &r);
        if (st != XP_OK) return st;
        if (da == 2 && db == 2) {
            outs[0] = r;
            return XP_OK;
        }
        return xp_dc_view(g, loc, r, om.ndim, om.shape, &outs[0]);
    }
    if (da >= 3 && db <= 2) {
        /* fold a's batch into the rows: [prod(a[:-1]), k] @ b */
        xp_dim rows = xp_dc_numel(g, &am, 0, da - 1);
        if (!xp_dim_is_valid(rows)) return xp_last_status();
        st = xp_dc_reshape(g, loc, a, 2, (const xp_dim[]){rows, am.shape[da - 1]}, &a2);
        if (st == XP_OK) st = db == 1 ? xp_dc_unsqueeze(g, loc, b, 1, &b2) : (b2 = b, XP_OK);
        if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mm, a2, b2, &r);
        if (st != XP_OK) return st;
        return xp_dc_view(g, loc, r, om.ndim, om.shape, &outs[0]);
    }
    /* batched: broadcast batch dims, [B, n, k] @ [B, k, p] */
    int nb = om.ndim - (da >= 2) - (db >= 2);
    xp_dim B = xp_dc_numel(g, &om, 0, nb);
    if (!xp_dim_is_valid(B)) return xp_last_status();
    st = da == 1 ? xp_dc_unsqueeze(g, loc, a, 0, &a2) : (a2 = a, XP_OK);
    if (st == XP_OK) st = db == 1 ? xp_dc_unsqueeze(g, loc, b, 1, &b2) : (b2 = b, XP_OK);
    if (st == XP_OK) st = as_batch3(g, loc, a2, &om, nb, B, &a2);
    if (st == XP_OK) st = as_batch3(g, loc, b2, &om, nb, B, &b2);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_bmm, a2, b2, &r);
    if (st != XP_OK) return st;
    return xp_dc_view(g, loc, r, om.ndim, om.shape, &outs[0]);
}
