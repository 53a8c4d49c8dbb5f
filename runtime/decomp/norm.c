/*
 * Decomposition of layer_norm, as PyTorch's native_layer_norm
 * decomposition (torch/_decomp/decompositions.py, _normalize):
 *
 *   mean = mean(x, dims, keepdim)            dims: the normalized_shape dims
 *   xc   = x - mean
 *   var  = mean(xc * xc, dims, keepdim)      biased variance (divides by N)
 *   out  = xc * rsqrt(var + eps) [* weight] [+ bias]
 *
 * f16/bf16 compute in f32 (weight and bias too) and round once at the end,
 * as PyTorch's computation dtype and the fused kernel do.
 */
#include "decomp/xp_decomp.h"

/* layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05) */
xp_status xp_decomp_layer_norm(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    const xp_meta *m = xp_dc_meta(g, args[0].value);
    xp_dtype dt = m->dtype, ct = xp_dc_compute_dtype(dt);
    int n = args[1].il.n, ndim = m->ndim, dims[XP_MAX_DIMS];
    for (int i = 0; i < n; i++) dims[i] = ndim - n + i;
    int32_t x, mean, xc, sq, var, ve, rstd, r;
    xp_status st = xp_dc_to(g, loc, args[0].value, ct, &x);
    if (st == XP_OK) st = xp_dc_reduce(g, loc, XP_OP_mean, x, n, dims, true, &mean);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_sub, x, mean, &xc);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mul, xc, xc, &sq);
    if (st == XP_OK) st = xp_dc_reduce(g, loc, XP_OP_mean, sq, n, dims, true, &var);
    if (st == XP_OK) st = xp_dc_scalar(g, loc, XP_OP_add_scalar, var, args[4].f, &ve);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_rsqrt, ve, &rstd);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mul, xc, rstd, &r);
    static const xp_op_id affine[2] = {XP_OP_mul, XP_OP_add}; /* weight, then bias */
    for (int k = 0; k < 2 && st == XP_OK; k++) {
        if (args[2 + k].kind != XP_ARG_TENSOR) continue;
        int32_t p;
        st = xp_dc_to(g, loc, args[2 + k].value, ct, &p);
        if (st == XP_OK) st = xp_dc_binary(g, loc, affine[k], r, p, &r);
    }
    if (st == XP_OK) st = xp_dc_to(g, loc, r, dt, &outs[0]);
    return st;
}
