/*
 * Shape functions of elementwise ops: broadcasting and PyTorch's type
 * promotion (binary, comparisons, where), unary ops, scalar operands, the
 * in-place forms and copy.
 *
 * A `Scalar` operand arrives as a double. C does not say whether the user
 * wrote 2 or 2.0, so an integral value counts as an integer scalar (an int
 * tensor times 2 stays int) and anything else (0.5, inf, nan) as a float
 * scalar. This is the one place xport's promotion differs from Python's.
 */
#include "ops/shape_util.h"

#include <math.h>

static bool scalar_is_float(const xp_arg *a) {
    if (a->kind != XP_ARG_FLOAT) return false;
    return !isfinite(a->f) || a->f != floor(a->f);
}

static xp_status binary(xp_symctx *ctx, const xp_arg *args, xp_meta *out, bool to_float) {
    const xp_meta *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &a));
    XPS_TRY(xps_tensor_arg(args, 1, NULL, "other", &b));
    xp_meta r = {0};
    XPS_TRY(xps_broadcast(ctx, NULL, "self", a, "other", b, &r));
    r.dtype = xp_dtype_promote(a->dtype, b->dtype);
    if (to_float) r.dtype = xps_float_of(r.dtype);
    *out = r;
    return XP_OK;
}

xp_status xp_shape_binary(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { return binary(ctx, args, out, false); }

/* true division: int / int is a float, as in PyTorch */
xp_status xp_shape_binary_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    return binary(ctx, args, out, true);
}

static xp_status binary_scalar(const xp_arg *args, xp_meta *out, bool to_float) {
    const xp_meta *a;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &a));
    xp_meta r = *a;
    r.dtype = xp_dtype_promote_scalar(a->dtype, scalar_is_float(&args[1]));
    if (to_float) r.dtype = xps_float_of(r.dtype);
    *out = r;
    return XP_OK;
}

xp_status xp_shape_binary_scalar(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    return binary_scalar(args, out, false);
}

xp_status xp_shape_binary_scalar_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    return binary_scalar(args, out, true);
}

xp_status xp_shape_unary(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *a;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &a));
    *out = *a;
    return XP_OK;
}

/* exp, log, sin, ...: ints and bool compute in f32, as in PyTorch */
xp_status xp_shape_unary_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *a;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &a));
    xp_meta r = *a;
    r.dtype = xps_float_of(a->dtype);
    *out = r;
    return XP_OK;
}

xp_status xp_shape_compare(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    XPS_TRY(binary(ctx, args, out, false));
    out->dtype = XP_BOOL;
    return XP_OK;
}

xp_status xp_shape_compare_scalar(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *a;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &a));
    xp_meta r = *a;
    r.dtype = XP_BOOL;
    *out = r;
    return XP_OK;
}

xp_status xp_shape_where(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *c, *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, "where", "condition", &c));
    XPS_TRY(xps_tensor_arg(args, 1, "where", "self", &a));
    XPS_TRY(xps_tensor_arg(args, 2, "where", "other", &b));
    if (c->dtype != XP_BOOL)
        return xps_fail(XP_ERR_DTYPE, "where",
                        "expected condition to be a boolean tensor, but got a tensor with dtype %s",
                        xp_dtype_name(c->dtype));
    xp_meta ab = {0}, r = {0};
    XPS_TRY(xps_broadcast(ctx, "where", "self", a, "other", b, &ab));
    XPS_TRY(xps_broadcast(ctx, "where", "condition", c, "the broadcast of self and other", &ab, &r));
    r.dtype = xp_dtype_promote(a->dtype, b->dtype);
    *out = r;
    return XP_OK;
}

/* ---- in place ---- */

static xp_status castable(xp_dtype result, xp_dtype self) {
    if (xps_can_cast(result, self)) return XP_OK;
    return xps_fail(XP_ERR_DTYPE, NULL, "result type %s can't be cast to the desired output type %s",
                    xps_torch_dtype_name(result), xps_torch_dtype_name(self));
}

/* The output is self; other must broadcast to self's shape (the result of
 * the functional op may not grow self) and the result dtype must cast. */
static xp_status inplace(xp_symctx *ctx, const xp_arg *args, xp_meta *out, bool to_float) {
    const xp_meta *self, *other;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &self));
    XPS_TRY(xps_tensor_arg(args, 1, NULL, "other", &other));
    xp_meta r = {0};
    XPS_TRY(xps_broadcast(ctx, NULL, "self", self, "other", other, &r));
    bool same = r.ndim == self->ndim;
    int i = 0;
    for (; same && i < r.ndim; i++) same = xps_same(ctx, r.shape[i], self->shape[i]);
    if (!same) {
        char ts[XPS_TEXT], tr[XPS_TEXT];
        if (r.ndim == self->ndim) xp_symctx_require(ctx, XP_REL_EQ, self->shape[i - 1], r.shape[i - 1]);
        return xps_fail(XP_ERR_SHAPE, NULL, "output with shape %s doesn't match the broadcast shape %s",
                        xps_shape_text(ctx, self->ndim, self->shape, ts, sizeof ts),
                        xps_shape_text(ctx, r.ndim, r.shape, tr, sizeof tr));
    }
    xp_dtype result = xp_dtype_promote(self->dtype, other->dtype);
    XPS_TRY(castable(to_float ? xps_float_of(result) : result, self->dtype));
    *out = *self;
    return XP_OK;
}

xp_status xp_shape_inplace(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { return inplace(ctx, args, out, false); }

xp_status xp_shape_inplace_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    return inplace(ctx, args, out, true);
}

xp_status xp_shape_inplace_scalar(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &self));
    XPS_TRY(castable(xp_dtype_promote_scalar(self->dtype, scalar_is_float(&args[1])), self->dtype));
    *out = *self;
    return XP_OK;
}

xp_status xp_shape_inplace_unary(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    return xp_shape_unary(ctx, args, out);
}

/* copy(self, src) and copy_: self's shape and dtype; src broadcasts to
 * self's shape and converts from any dtype (no promotion, as in PyTorch). */
xp_status xp_shape_copy(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self, *src;
    XPS_TRY(xps_tensor_arg(args, 0, "copy", "self", &self));
    XPS_TRY(xps_tensor_arg(args, 1, "copy", "src", &src));
    XPS_TRY(xps_broadcast_to(ctx, "copy", "src", src, "self", self));
    *out = *self;
    return XP_OK;
}
