/*
 * Decompositions of gelu, silu, softmax and log_softmax into core
 * elementwise ops and reductions, as PyTorch's decompositions write them
 * (torch/_refs/nn/functional, torch/_decomp/decompositions.py):
 *
 *   gelu(x)        = x * 0.5 * (1 + erf(x * M_SQRT1_2))
 *   silu(x)        = x * sigmoid(x)
 *   softmax(x, d)  = e / sum(e, d, keepdim)       e = exp(x - amax(x, d, keepdim))
 *   log_softmax    = s - log(sum(exp(s), d, keepdim))   s = x - amax(x, d, keepdim)
 *
 * Like PyTorch's elementwise type promotion, f16/bf16 inputs are upcast to
 * f32 and the result rounded once at the end (what the fused CPU kernels
 * do too); integer inputs of gelu and silu compute in f32, their result
 * dtype.
 *
 * Numerics against the fused kernels: silu is the same arithmetic (the
 * kernel is x * sigmoid(x)); softmax and log_softmax differ only in the
 * order of the row sum; gelu's 1 + erf(x/sqrt2) cancels for negative x,
 * so its error is absolute, about |x| * 2^-24, where the kernel's erfc
 * form keeps relative accuracy (decompositions trade such edge accuracy
 * for a smaller opset, in PyTorch as here).
 */
#include "decomp/xp_decomp.h"

/* x converted to the compute dtype for an op whose result dtype is `out_dt` */
static xp_status upcast(xp_graph *g, xp_srcloc loc, int32_t x, xp_dtype out_dt, int32_t *res) {
    return xp_dc_to(g, loc, x, xp_dc_compute_dtype(out_dt), res);
}

/* gelu(Tensor self), exact (erf) form */
xp_status xp_decomp_gelu(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    xp_meta om;
    int32_t x, half, scaled, e, one_plus, r;
    xp_status st = xp_dc_infer(g, XP_OP_gelu, 1, args, &om);
    if (st == XP_OK) st = upcast(g, loc, args[0].value, om.dtype, &x);
    if (st == XP_OK) st = xp_dc_scalar(g, loc, XP_OP_mul_scalar, x, 0.5, &half);
    if (st == XP_OK) st = xp_dc_scalar(g, loc, XP_OP_mul_scalar, x, 0.70710678118654752440 /* 1/sqrt(2) */, &scaled);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_erf, scaled, &e);
    if (st == XP_OK) st = xp_dc_scalar(g, loc, XP_OP_add_scalar, e, 1.0, &one_plus);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mul, half, one_plus, &r);
    if (st == XP_OK) st = xp_dc_to(g, loc, r, om.dtype, &outs[0]);
    return st;
}

/* silu(Tensor self) */
xp_status xp_decomp_silu(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    xp_meta om;
    int32_t x, s, r;
    xp_status st = xp_dc_infer(g, XP_OP_silu, 1, args, &om);
    if (st == XP_OK) st = upcast(g, loc, args[0].value, om.dtype, &x);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_sigmoid, x, &s);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_mul, x, s, &r);
    if (st == XP_OK) st = xp_dc_to(g, loc, r, om.dtype, &outs[0]);
    return st;
}

/* x - amax(x, dim, keepdim) in the compute dtype, for both softmaxes */
static xp_status shifted(xp_graph *g, xp_srcloc loc, const xp_narg *args, int32_t *s, int *dim, xp_dtype *dt) {
    const xp_meta *m = xp_dc_meta(g, args[0].value);
    int32_t x, mx;
    *dt = m->dtype;
    *dim = xp_dc_wrap_dim(args[1].i, m->ndim);
    xp_status st = upcast(g, loc, args[0].value, *dt, &x);
    if (st == XP_OK) st = xp_dc_reduce(g, loc, XP_OP_amax, x, 1, dim, true, &mx);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_sub, x, mx, s);
    return st;
}

/* softmax(Tensor self, int dim) */
xp_status xp_decomp_softmax(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int32_t s, e, sum, r;
    int dim;
    xp_dtype dt;
    xp_status st = shifted(g, loc, args, &s, &dim, &dt);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_exp, s, &e);
    if (st == XP_OK) st = xp_dc_reduce(g, loc, XP_OP_sum, e, 1, &dim, true, &sum);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_div, e, sum, &r);
    if (st == XP_OK) st = xp_dc_to(g, loc, r, dt, &outs[0]);
    return st;
}

/* log_softmax(Tensor self, int dim) */
xp_status xp_decomp_log_softmax(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs) {
    int32_t s, e, sum, lse, r;
    int dim;
    xp_dtype dt;
    xp_status st = shifted(g, loc, args, &s, &dim, &dt);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_exp, s, &e);
    if (st == XP_OK) st = xp_dc_reduce(g, loc, XP_OP_sum, e, 1, &dim, true, &sum);
    if (st == XP_OK) st = xp_dc_unary(g, loc, XP_OP_log, sum, &lse);
    if (st == XP_OK) st = xp_dc_binary(g, loc, XP_OP_sub, s, lse, &r);
    if (st == XP_OK) st = xp_dc_to(g, loc, r, dt, &outs[0]);
    return st;
}
