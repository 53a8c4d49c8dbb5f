/*
 * Shape functions of reductions (sum, mean, amax/amin, argmax) and of
 * softmax, which keeps its input's shape.
 */
#include "ops/shape_util.h"

/* Marks the reduced dims (`dims` None or empty: all of them). */
static xp_status reduced_dims(const char *op, const xp_meta *self, const xp_arg *dims, bool mask[XP_MAX_DIMS]) {
    if (dims->kind != XP_ARG_NONE && dims->kind != XP_ARG_INT_LIST)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument 'dim' must be a list of ints");
    bool all = dims->kind == XP_ARG_NONE || dims->il.n == 0;
    for (int i = 0; i < XP_MAX_DIMS; i++) mask[i] = all;
    if (all) return XP_OK;
    for (int k = 0; k < dims->il.n; k++) {
        int d;
        XPS_TRY(xps_dim_index(op, dims->il.v[k], self->ndim, &d));
        if (mask[d]) return xps_fail(XP_ERR_INVALID_ARG, op, "dim %d appears multiple times in the list of dims", d);
        mask[d] = true;
    }
    return XP_OK;
}

/* A reduction without an identity (max, min, argmax) needs elements. */
static xp_status require_nonempty(const char *op, const xp_meta *self, const bool mask[XP_MAX_DIMS]) {
    for (int i = 0; i < self->ndim; i++)
        if (mask[i] && self->shape[i] == 0)
            return xps_fail(XP_ERR_SHAPE, op, "expected reduction dim %d to have non-zero size", i);
    return XP_OK;
}

static void reduce_shape(const xp_meta *self, const bool mask[XP_MAX_DIMS], bool keepdim, xp_meta *out) {
    xp_meta r = *self;
    int n = 0;
    for (int i = 0; i < self->ndim; i++) {
        if (!mask[i])
            r.shape[n++] = self->shape[i];
        else if (keepdim)
            r.shape[n++] = 1;
    }
    r.ndim = n;
    *out = r;
}

/* args: self, int[]? dim, bool keepdim */
static xp_status reduce(const char *op, const xp_arg *args, xp_meta *out, bool needs_elements) {
    const xp_meta *self;
    bool mask[XP_MAX_DIMS];
    XPS_TRY(xps_tensor_arg(args, 0, op, "self", &self));
    XPS_TRY(reduced_dims(op, self, &args[1], mask));
    if (needs_elements) XPS_TRY(require_nonempty(op, self, mask));
    reduce_shape(self, mask, args[2].kind == XP_ARG_BOOL && args[2].b, out);
    return XP_OK;
}

/* sum of bool or ints accumulates in i64, as in PyTorch */
xp_status xp_shape_sum(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    XPS_TRY(reduce("sum", args, out, false));
    if (!xp_dtype_is_float(out->dtype)) out->dtype = XP_I64;
    return XP_OK;
}

xp_status xp_shape_mean(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "mean", "self", &self));
    XPS_TRY(xps_require_float("mean", "self", self->dtype));
    return reduce("mean", args, out, false);
}

/* amax, amin: same dtype */
xp_status xp_shape_reduce(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    return reduce(NULL, args, out, true);
}

/* argmax(self, int? dim, bool keepdim): i64 indices; no dim means the
 * flat index (0-d, or all ones with keepdim) */
xp_status xp_shape_argmax(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "argmax", "self", &self));
    bool keepdim = args[2].kind == XP_ARG_BOOL && args[2].b;
    bool mask[XP_MAX_DIMS];
    if (args[1].kind == XP_ARG_NONE) {
        for (int i = 0; i < XP_MAX_DIMS; i++) mask[i] = true;
        for (int i = 0; i < self->ndim; i++)
            if (self->shape[i] == 0)
                return xps_fail(XP_ERR_SHAPE, "argmax", "cannot take the argmax of an empty tensor");
    } else {
        int d;
        XPS_TRY(xps_dim_index("argmax", args[1].i, self->ndim, &d));
        for (int i = 0; i < XP_MAX_DIMS; i++) mask[i] = i == d;
        XPS_TRY(require_nonempty("argmax", self, mask));
    }
    reduce_shape(self, mask, keepdim, out);
    out->dtype = XP_I64;
    return XP_OK;
}

/* softmax, log_softmax (self, int dim): float input, same meta */
xp_status xp_shape_softmax(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    int d;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &self));
    XPS_TRY(xps_dim_index(NULL, args[1].i, self->ndim, &d));
    XPS_TRY(xps_require_float(NULL, "self", self->dtype));
    *out = *self;
    return XP_OK;
}
