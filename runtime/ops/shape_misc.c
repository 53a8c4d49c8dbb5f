/*
 * Shape functions of dtype casts and constructors: to, full, zeros (also
 * ones and empty), arange.
 */
#include "ops/shape_util.h"

#include <inttypes.h>

static xp_status dtype_arg(const char *op, const xp_arg *a, xp_dtype *out) {
    if (a->kind != XP_ARG_DTYPE || (unsigned)a->dt >= XP_DTYPE_COUNT)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument 'dtype' must be a dtype");
    *out = a->dt;
    return XP_OK;
}

xp_status xp_shape_to(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    xp_dtype dt = XP_F32;
    XPS_TRY(xps_tensor_arg(args, 0, "to", "self", &self));
    XPS_TRY(dtype_arg("to", &args[1], &dt));
    xp_meta r = *self;
    r.dtype = dt;
    *out = r;
    return XP_OK;
}

/* A constructor's size list: every size provably >= 0. */
static xp_status sized(xp_symctx *ctx, const char *op, const xp_arg *size, xp_dtype dt, xp_meta *out) {
    if (size->kind != XP_ARG_INT_LIST)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument 'size' must be a list of ints");
    XPS_TRY(xps_check_rank(op, size->il.n));
    char ts[XPS_TEXT], td[XPS_TEXT];
    xp_meta r = {.dtype = dt, .ndim = size->il.n};
    for (int i = 0; i < size->il.n; i++) {
        xp_dim d = size->il.v[i];
        if (!xp_dim_is_valid(d) || (!xp_dim_is_sym(d) && d < 0))
            return xps_fail(XP_ERR_INVALID_ARG, op, "trying to create tensor with negative dimension %s: %s",
                            xps_dim_text(ctx, d, td, sizeof td),
                            xps_shape_text(ctx, size->il.n, size->il.v, ts, sizeof ts));
        if (xp_dim_is_sym(d) && xp_dim_le(ctx, 0, d) != XP_YES) {
            xp_symctx_require(ctx, XP_REL_LE, 0, d);
            return xps_fail(XP_ERR_SHAPE, op, "size %d (%s) may be negative", i, xps_dim_desc(ctx, d, td, sizeof td));
        }
        r.shape[i] = d;
    }
    *out = r;
    return XP_OK;
}

/* full(size, fill_value, *, dtype) */
xp_status xp_shape_full(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    xp_dtype dt = XP_F32;
    XPS_TRY(dtype_arg("full", &args[2], &dt));
    return sized(ctx, "full", &args[0], dt, out);
}

/* zeros / ones / empty (size, *, dtype) */
xp_status xp_shape_zeros(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    xp_dtype dt = XP_F32;
    XPS_TRY(dtype_arg(NULL, &args[1], &dt));
    return sized(ctx, NULL, &args[0], dt, out);
}

/* arange(start, end, step, *, dtype): ceil((end - start) / step) elements;
 * the bounds must be ordered as the step's sign says, as in PyTorch */
xp_status xp_shape_arange(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "arange";
    xp_dtype dt = XP_F32;
    int64_t step;
    XPS_TRY(dtype_arg(op, &args[3], &dt));
    if (dt == XP_BOOL) return xps_fail(XP_ERR_DTYPE, op, "arange does not support dtype bool");
    XPS_TRY(xps_const_int(op, "step", args[2].kind == XP_ARG_INT ? args[2].i : 1, &step));
    if (step == 0) return xps_fail(XP_ERR_INVALID_ARG, op, "step must be nonzero");
    xp_dim start = args[0].i, end = args[1].i;
    if (!xp_dim_is_valid(start) || !xp_dim_is_valid(end)) return xps_fail(XP_ERR_INVALID_ARG, op, "invalid bounds");
    /* lo..hi ascending by |step| */
    xp_dim lo = step > 0 ? start : end, hi = step > 0 ? end : start;
    int64_t mag = step > 0 ? step : -step;
    xp_tri ordered = xp_dim_le(ctx, lo, hi);
    char ts[XPS_TEXT], te[XPS_TEXT];
    if (ordered != XP_YES) {
        xp_symctx_require(ctx, XP_REL_LE, lo, hi);
        xps_dim_desc(ctx, start, ts, sizeof ts);
        xps_dim_desc(ctx, end, te, sizeof te);
        if (ordered == XP_NO)
            return xps_fail(XP_ERR_INVALID_ARG, op,
                            "upper bound and larger bound inconsistent with step sign (start %s, end %s, step %" PRId64
                            ")",
                            ts, te, step);
        return xps_fail(XP_ERR_SHAPE, op,
                        "start %s and end %s are not provably ordered for step %" PRId64
                        "; declare ranges that order them",
                        ts, te, step);
    }
    xp_dim n = xp_dim_floordiv(ctx, xp_dim_add(ctx, xp_dim_sub(ctx, hi, lo), mag - 1), mag);
    if (!xp_dim_is_valid(n)) return xp_last_status();
    xp_meta r = {.dtype = dt, .ndim = 1, .shape = {n}};
    *out = r;
    return XP_OK;
}
