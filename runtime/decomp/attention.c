/*
 * Decomposition of scaled_dot_product_attention, PyTorch's math reference
 * (the documentation's and aten's _scaled_dot_product_attention_math):
 *
 *   scores = (q * scale) @ k^T               scale defaults to 1/sqrt(E)
 *   is_causal: scores = where(i >= j, scores, -inf), i and j from arange
 *   bool mask: scores = where(mask, scores, -inf); float mask: scores + mask
 *   out = softmax(scores, -1) @ v
 *
 * matmul and softmax are decomposed further when they are in the table.
 * The causal mask is built in the graph from two aranges, so L and S may be
 * symbolic; so may E: 1/sqrt(E) is then computed in the graph as
 * rsqrt(sum(full([E], 1))). f16/bf16 inputs compute in f32 and the result
 * is rounded once, as the fused kernel does. The kernel scales q @ k^T
 * after the product instead; both agree exactly when scale is a power of
 * two (E = 4, 16, 64, 256, ...) and otherwise within a rounding per score.
 * A row whose every score is masked comes out NaN, as in the kernel and in
 * PyTorch.
 */
#include "decomp/xp_decomp.h"

#include <math.h>

/* q * scale, with scale from the argument or 1/sqrt(E) */
static xp_status scale_query(xp_graph *g, xp_srcloc loc, int32_t q, const xp_narg *scale, int32_t *out) {
    const xp_meta m = *xp_dc_meta(g, q);
    xp_dim E = m.shape[m.ndim - 1];
    if (scale->kind == XP_ARG_FLOAT) return xp_dc_scalar(g, loc, XP_OP_mul_scalar, q, scale->f, out);
    if (!xp_dim_is_sym(E)) return xp_dc_scalar(g, loc, XP_OP_mul_scalar, q, 1.0 / sqrt((double)E), out);
    int32_t ones, e, s;
    xp_status st = xp_dc_node(g, loc, XP_OP_full, 3,
                              (xp_narg[]){xp_narg_ints(1, &E), xp_narg_float(1.0), xp_narg_dtype(m.dtype)}, &ones);
    if (st == XP_OK) st = xp_dc_node(g, loc, XP_OP_sum, 1, (xp_narg[]){xp_narg_value(ones)}, &e);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_rsqrt, e, &s);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mul, q, s, out);
    return st;
}

/* [L, S] bool, true where j <= i (the lower triangle, top-left aligned) */
static xp_status causal_mask(xp_graph *g, xp_srcloc loc, xp_dim L, xp_dim S, int32_t *out) {
    int32_t i, j, col;
    xp_status st = xp_dc_node(g, loc, XP_OP_arange, 4,
                              (xp_narg[]){xp_narg_int(0), xp_narg_int(L), xp_narg_int(1), xp_narg_dtype(XP_I64)}, &i);
    if (st == XP_OK)
        st = xp_dc_node(g, loc, XP_OP_arange, 4,
                        (xp_narg[]){xp_narg_int(0), xp_narg_int(S), xp_narg_int(1), xp_narg_dtype(XP_I64)}, &j);
    if (st == XP_OK) st = xp_dc_unsqueeze(g, loc, i, 1, &col);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_ge, col, j, out);
    return st;
}

/* scaled_dot_product_attention(Tensor query, Tensor key, Tensor value,
 *     Tensor? attn_mask=None, bool is_causal=False, *, float? scale=None) */
xp_status xp_decomp_sdpa(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    const xp_meta qm = *xp_dc_meta(g, args[0].value), km = *xp_dc_meta(g, args[1].value);
    xp_dtype dt = qm.dtype, ct = xp_dc_compute_dtype(dt);
    int nk = km.ndim, perm[XP_MAX_DIMS];
    for (int d = 0; d < nk; d++) perm[d] = d;
    perm[nk - 2] = nk - 1, perm[nk - 1] = nk - 2;
    int32_t q, k, v, qs, kt, scores, keep, neg, attn, r;
    xp_status st = xp_dc_to(g, loc, args[0].value, ct, &q);
    if (st == XP_OK) st = xp_dc_to(g, loc, args[1].value, ct, &k);
    if (st == XP_OK) st = xp_dc_to(g, loc, args[2].value, ct, &v);
    if (st == XP_OK) st = scale_query(g, loc, q, &args[5], &qs);
    if (st == XP_OK) st = xp_dc_permute(g, loc, k, nk, perm, &kt);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_matmul, qs, kt, &scores);
    const xp_narg *mask = &args[3];
    bool causal = args[4].b, bool_mask = mask->kind == XP_ARG_TENSOR && xp_dc_meta(g, mask->value)->dtype == XP_BOOL;
    if (st == XP_OK && (causal || bool_mask)) {
        if (causal) st = causal_mask(g, loc, qm.shape[qm.ndim - 2], km.shape[nk - 2], &keep);
        else keep = mask->value;
        if (st == XP_OK) st = xp_dc_scalar_tensor(g, loc, -INFINITY, ct, &neg);
        if (st == XP_OK)
            st = xp_dc_node(g, loc, XP_OP_where, 3,
                            (xp_narg[]){xp_narg_value(keep), xp_narg_value(scores), xp_narg_value(neg)}, &scores);
    }
    if (st == XP_OK && mask->kind == XP_ARG_TENSOR && !bool_mask) {
        int32_t m;
        st = xp_dc_to(g, loc, mask->value, ct, &m);
        if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_add, scores, m, &scores);
    }
    if (st == XP_OK)
        st = xp_dc_node(g, loc, XP_OP_softmax, 2, (xp_narg[]){xp_narg_value(scores), xp_narg_int(-1)}, &attn);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_matmul, attn, v, &r);
    if (st == XP_OK) st = xp_dc_to(g, loc, r, dt, &outs[0]);
    return st;
}
