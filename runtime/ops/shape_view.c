/*
 * Shape functions of view ops: t, transpose, permute, view/reshape,
 * flatten, unsqueeze, squeeze, expand.
 */
#include "ops/shape_util.h"

#include <inttypes.h>

xp_status xp_shape_t(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "t", "self", &self));
    if (self->ndim > 2)
        return xps_fail(XP_ERR_SHAPE, "t", "t() expects a tensor with <= 2 dimensions, but self is %dD", self->ndim);
    xp_meta r = *self;
    if (r.ndim == 2) r.shape[0] = self->shape[1], r.shape[1] = self->shape[0];
    *out = r;
    return XP_OK;
}

xp_status xp_shape_transpose(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    int d0, d1;
    XPS_TRY(xps_tensor_arg(args, 0, "transpose", "self", &self));
    XPS_TRY(xps_dim_index("transpose", args[1].i, self->ndim, &d0));
    XPS_TRY(xps_dim_index("transpose", args[2].i, self->ndim, &d1));
    xp_meta r = *self;
    if (r.ndim > 0) r.shape[d0] = self->shape[d1], r.shape[d1] = self->shape[d0];
    *out = r;
    return XP_OK;
}

xp_status xp_shape_permute(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "permute", "self", &self));
    const xp_arg *dims = &args[1];
    if (dims->kind != XP_ARG_INT_LIST || dims->il.n != self->ndim)
        return xps_fail(
            XP_ERR_SHAPE, "permute",
            "the number of dims in self (%d) does not match the length of the desired ordering of dims (%d)",
            self->ndim, dims->kind == XP_ARG_INT_LIST ? dims->il.n : 0);
    bool seen[XP_MAX_DIMS] = {false};
    xp_meta r = *self;
    for (int i = 0; i < self->ndim; i++) {
        int d;
        XPS_TRY(xps_dim_index("permute", dims->il.v[i], self->ndim, &d));
        if (seen[d])
            return xps_fail(XP_ERR_INVALID_ARG, "permute", "duplicate dims are not allowed (dim %d appears twice)", d);
        seen[d] = true;
        r.shape[i] = self->shape[d];
    }
    *out = r;
    return XP_OK;
}

/* view / reshape: at most one -1, inferred by exact division; the element
 * counts must be provably equal. */
xp_status xp_shape_view(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, NULL, "self", &self));
    const xp_arg *size = &args[1];
    if (size->kind != XP_ARG_INT_LIST) return xps_fail(XP_ERR_INVALID_ARG, NULL, "the shape must be a list of ints");
    XPS_TRY(xps_check_rank(NULL, size->il.n));
    int n = size->il.n, infer = -1;
    xp_dim known = 1;
    char ts[XPS_TEXT], tn[XPS_TEXT], td[XPS_TEXT];
    for (int i = 0; i < n; i++) {
        xp_dim v = size->il.v[i];
        if (v == -1) {
            if (infer >= 0) return xps_fail(XP_ERR_INVALID_ARG, NULL, "only one dimension can be inferred");
            infer = i;
            continue;
        }
        if (!xp_dim_is_valid(v) || (!xp_dim_is_sym(v) && v < 0))
            return xps_fail(XP_ERR_INVALID_ARG, NULL, "invalid shape dimension %s",
                            xps_dim_text(ctx, v, td, sizeof td));
        if (xp_dim_is_sym(v) && xp_dim_le(ctx, 0, v) != XP_YES) {
            xp_symctx_require(ctx, XP_REL_LE, 0, v);
            return xps_fail(XP_ERR_SHAPE, NULL, "shape dimension %s may be negative",
                            xps_dim_desc(ctx, v, td, sizeof td));
        }
        known = xp_dim_mul(ctx, known, v);
        if (!xp_dim_is_valid(known)) return xp_last_status();
    }
    xp_dim numel = xps_numel(ctx, self->ndim, self->shape);
    if (!xp_dim_is_valid(numel)) return xp_last_status();
    xp_meta r = {.dtype = self->dtype, .ndim = n};
    for (int i = 0; i < n; i++) r.shape[i] = size->il.v[i];
    if (infer >= 0 && known != 0) {
        r.shape[infer] = xp_dim_div_exact(ctx, numel, known);
        if (xp_dim_is_valid(r.shape[infer])) {
            *out = r;
            return XP_OK;
        }
    } else if (infer < 0 && xps_same(ctx, numel, known)) {
        *out = r;
        return XP_OK;
    }
    /* the error: texts are made only here, the eager success path formats nothing.
     * The relation needed: equal element counts, or for a -1 divided by a
     * constant, a multiple of it (no declaration makes a symbolic divisor
     * divide, so that records nothing). */
    if (ctx && infer < 0) {
        xp_symctx_require(ctx, XP_REL_EQ, numel, known);
    } else if (ctx && infer >= 0 && known != 0 && !xp_dim_is_sym(known) && xp_dim_is_sym(numel)) {
        xp_dim rem = xp_dim_mod(ctx, numel, known);
        if (xp_dim_is_valid(rem)) xp_symctx_require(ctx, XP_REL_EQ, rem, 0);
    }
    xps_shape_text(ctx, n, size->il.v, ts, sizeof ts);
    xps_dim_text(ctx, numel, tn, sizeof tn);
    xps_dim_text(ctx, known, td, sizeof td);
    if (infer >= 0 && known == 0)
        return xps_fail(XP_ERR_SHAPE, NULL,
                        "cannot reshape tensor of %s elements into shape %s because the unspecified dimension size -1 "
                        "can be any value and is ambiguous",
                        tn, ts);
    if (!xp_dim_is_sym(numel) && !xp_dim_is_sym(known))
        return xps_fail(XP_ERR_SHAPE, NULL, "shape '%s' is invalid for input of size %s", ts, tn);
    if (infer >= 0)
        return xps_fail(XP_ERR_SHAPE, NULL,
                        "shape '%s' is invalid for input of size %s: %s is not provably a multiple of %s", ts, tn, tn,
                        td);
    return xps_fail(XP_ERR_SHAPE, NULL,
                    "shape '%s' is invalid for input of size %s: the element counts %s and %s are not provably equal",
                    ts, tn, tn, td);
}

xp_status xp_shape_flatten(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    int start, end;
    XPS_TRY(xps_tensor_arg(args, 0, "flatten", "self", &self));
    XPS_TRY(xps_dim_index("flatten", args[1].i, self->ndim, &start));
    XPS_TRY(xps_dim_index("flatten", args[2].i, self->ndim, &end));
    if (start > end) return xps_fail(XP_ERR_INVALID_ARG, "flatten", "start_dim cannot come after end_dim");
    xp_meta r = {.dtype = self->dtype};
    if (self->ndim == 0) { /* a scalar flattens to one element */
        r.ndim = 1;
        r.shape[0] = 1;
        *out = r;
        return XP_OK;
    }
    for (int i = 0; i < start; i++) r.shape[r.ndim++] = self->shape[i];
    xp_dim prod = xps_numel(ctx, end - start + 1, self->shape + start);
    if (!xp_dim_is_valid(prod)) return xp_last_status();
    r.shape[r.ndim++] = prod;
    for (int i = end + 1; i < self->ndim; i++) r.shape[r.ndim++] = self->shape[i];
    *out = r;
    return XP_OK;
}

xp_status xp_shape_unsqueeze(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *self;
    int d;
    XPS_TRY(xps_tensor_arg(args, 0, "unsqueeze", "self", &self));
    XPS_TRY(xps_check_rank("unsqueeze", self->ndim + 1));
    XPS_TRY(xps_dim_index("unsqueeze", args[1].i, self->ndim + 1, &d));
    xp_meta r = {.dtype = self->dtype, .ndim = self->ndim + 1};
    for (int i = 0, j = 0; i < r.ndim; i++) r.shape[i] = i == d ? 1 : self->shape[j++];
    *out = r;
    return XP_OK;
}

/* squeeze: drops the listed (or all) dims of size 1. A symbolic dim is
 * dropped only when its range proves it is 1: squeezing it on a guess would
 * make the graph's rank depend on the input. */
xp_status xp_shape_squeeze(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "squeeze", "self", &self));
    bool listed[XP_MAX_DIMS];
    bool all = args[1].kind == XP_ARG_NONE;
    for (int i = 0; i < XP_MAX_DIMS; i++) listed[i] = all;
    if (!all) {
        if (args[1].kind != XP_ARG_INT_LIST)
            return xps_fail(XP_ERR_INVALID_ARG, "squeeze", "argument 'dim' must be a list of ints");
        for (int k = 0; k < args[1].il.n; k++) {
            int d;
            XPS_TRY(xps_dim_index("squeeze", args[1].il.v[k], self->ndim, &d));
            listed[d] = true;
        }
    }
    xp_meta r = {.dtype = self->dtype};
    for (int i = 0; i < self->ndim; i++)
        if (!(listed[i] && xps_is_one(ctx, self->shape[i]))) r.shape[r.ndim++] = self->shape[i];
    *out = r;
    return XP_OK;
}

/* expand: -1 keeps a size, new dims are added in front, and only size-1
 * dims may grow. */
xp_status xp_shape_expand(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "expand", "self", &self));
    const xp_arg *size = &args[1];
    if (size->kind != XP_ARG_INT_LIST)
        return xps_fail(XP_ERR_INVALID_ARG, "expand", "argument 'size' must be a list of ints");
    int n = size->il.n, lead = n - self->ndim;
    XPS_TRY(xps_check_rank("expand", n));
    if (lead < 0)
        return xps_fail(XP_ERR_SHAPE, "expand",
                        "the number of sizes provided (%d) must be greater or equal to the number of dimensions in the "
                        "tensor (%d)",
                        n, self->ndim);
    xp_meta r = {.dtype = self->dtype, .ndim = n};
    char tt[XPS_TEXT], ts[XPS_TEXT], td[XPS_TEXT];
    for (int i = 0; i < n; i++) {
        xp_dim want = size->il.v[i];
        if (!xp_dim_is_valid(want)) return xps_fail(XP_ERR_INVALID_ARG, "expand", "invalid size at entry %d", i);
        if (i < lead) {
            if (want == -1)
                return xps_fail(XP_ERR_INVALID_ARG, "expand",
                                "-1 is not allowed in a leading, non-existing dimension %d", i);
        } else if (want == -1) {
            r.shape[i] = self->shape[i - lead];
            continue;
        }
        if (!xp_dim_is_sym(want) && want < 0)
            return xps_fail(XP_ERR_INVALID_ARG, "expand", "invalid size %" PRId64 " at entry %d", (int64_t)want, i);
        if (i < lead) {
            r.shape[i] = want;
            continue;
        }
        xp_dim cur = self->shape[i - lead];
        if (xps_same(ctx, want, cur)) {
            r.shape[i] = xp_dim_is_sym(want) ? cur : want;
        } else if (xps_is_one(ctx, cur)) {
            r.shape[i] = want;
        } else if (!xp_dim_is_sym(want) && !xp_dim_is_sym(cur)) {
            return xps_fail(XP_ERR_SHAPE, "expand",
                            "the expanded size of the tensor (%" PRId64 ") must match the existing size (%" PRId64
                            ") at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                            (int64_t)want, (int64_t)cur, i, xps_shape_text(ctx, n, size->il.v, tt, sizeof tt),
                            xps_shape_text(ctx, self->ndim, self->shape, ts, sizeof ts));
        } else {
            char what[48];
            snprintf(what, sizeof what, "size %d", i);
            snprintf(td, sizeof td, "self dim %d", i - lead);
            return xps_require_eq(ctx, "expand", what, want, td, cur);
        }
    }
    *out = r;
    return XP_OK;
}
