/*
 * Shape functions of indexing ops: slice, select, their scatter forms,
 * cat, stack and embedding.
 *
 * Slicing follows Python: a negative bound counts from the end, bounds
 * outside [0, size] clamp, XP_END (INT64_MAX) means "to the end", and the
 * length is ceil((end - start) / step) or 0. With symbolic sizes or bounds
 * each of those decisions (is the bound negative? past the end? is the
 * slice empty?) must be decided by the declared ranges; the error says
 * which range would decide it.
 */
#include "ops/shape_util.h"

#include <inttypes.h>

/* Clamps one slice bound of a dim of size n to [0, n] with Python's rules. */
static xp_status clamp_bound(xp_symctx *ctx, int dim, const char *name, xp_dim x, xp_dim n, xp_dim *out) {
    if (x == XP_END) {
        *out = n;
        return XP_OK;
    }
    if (!xp_dim_is_valid(x)) return xps_fail(XP_ERR_INVALID_ARG, "slice", "invalid %s", name);
    if (!xp_dim_is_sym(x) && !xp_dim_is_sym(n)) { /* eager: plain integers */
        if (x < 0) x = x + n < 0 ? 0 : x + n;
        *out = x > n ? n : x;
        return XP_OK;
    }
    char tx[XPS_TEXT], what[64], why[96];
    xp_tri nonneg = xp_dim_le(ctx, 0, x);
    if (nonneg == XP_UNKNOWN) {
        xp_symctx_require(ctx, XP_REL_LE, 0, x); /* either sign decides; a start or end is usually meant >= 0 */
        return xps_fail(
            XP_ERR_SHAPE, "slice",
            "%s %s may be negative or not, which changes its meaning (a negative bound counts from the end); "
            "declare ranges that decide it",
            name, xps_dim_desc(ctx, x, tx, sizeof tx));
    }
    snprintf(what, sizeof what, "dim %d", dim);
    if (nonneg == XP_NO) {
        xp_dim from_end = xp_dim_add(ctx, x, n);
        if (!xp_dim_is_valid(from_end)) return xp_last_status();
        xp_tri inside = xp_dim_le(ctx, 0, from_end);
        if (inside == XP_UNKNOWN) {
            snprintf(why, sizeof why, "the slice %s %s counts from the end", name, xps_dim_text(ctx, x, tx, sizeof tx));
            return xps_require_le(ctx, "slice", xp_dim_sub(ctx, 0, x), what, n, why);
        }
        *out = inside == XP_YES ? from_end : 0;
        return XP_OK;
    }
    xp_tri inside = xp_dim_le(ctx, x, n);
    if (inside == XP_UNKNOWN) {
        snprintf(why, sizeof why, "the slice %s; a shorter dim would clamp it", name);
        return xps_require_le(ctx, "slice", x, what, n, why);
    }
    *out = inside == XP_YES ? x : n;
    return XP_OK;
}

/* The length of slice(dim of size n, start, end, step). */
static xp_status slice_length(xp_symctx *ctx, int dim, xp_dim n, const xp_arg *start, const xp_arg *end,
                              const xp_arg *step, xp_dim *len) {
    int64_t st = 1;
    if (step->kind == XP_ARG_INT) XPS_TRY(xps_const_int("slice", "step", step->i, &st));
    if (st < 1) return xps_fail(XP_ERR_INVALID_ARG, "slice", "slice step must be positive, got %" PRId64, st);
    xp_dim s, e;
    XPS_TRY(clamp_bound(ctx, dim, "start", start->kind == XP_ARG_INT ? start->i : 0, n, &s));
    XPS_TRY(clamp_bound(ctx, dim, "end", end->kind == XP_ARG_INT ? end->i : XP_END, n, &e));
    if (!xp_dim_is_sym(s) && !xp_dim_is_sym(e)) {
        *len = e > s ? (e - s - 1) / st + 1 : 0;
        return XP_OK;
    }
    xp_tri nonempty = xp_dim_le(ctx, s, e);
    if (nonempty == XP_UNKNOWN) {
        char ts[XPS_TEXT], te[XPS_TEXT];
        xp_symctx_require(ctx, XP_REL_LE, s, e);
        return xps_fail(
            XP_ERR_SHAPE, "slice",
            "whether the slice of dim %d is empty depends on the sizes: start %s and end %s are not ordered; "
            "declare ranges that give start <= end",
            dim, xps_dim_desc(ctx, s, ts, sizeof ts), xps_dim_desc(ctx, e, te, sizeof te));
    }
    if (nonempty == XP_NO) {
        *len = 0;
        return XP_OK;
    }
    /* ceil((e - s) / st) = (e - s + st - 1) / st */
    *len = xp_dim_floordiv(ctx, xp_dim_add(ctx, xp_dim_sub(ctx, e, s), st - 1), st);
    return xp_dim_is_valid(*len) ? XP_OK : xp_last_status();
}

/* args from `base`: dim, start, end, step (slice and slice_scatter) */
static xp_status slice_meta(xp_symctx *ctx, const xp_meta *self, const xp_arg *a, xp_meta *out) {
    int d;
    if (self->ndim == 0) return xps_fail(XP_ERR_SHAPE, "slice", "slice() cannot be applied to a 0-dim tensor");
    XPS_TRY(xps_dim_index("slice", a[0].kind == XP_ARG_INT ? a[0].i : 0, self->ndim, &d));
    xp_meta r = *self;
    XPS_TRY(slice_length(ctx, d, self->shape[d], &a[1], &a[2], &a[3], &r.shape[d]));
    *out = r;
    return XP_OK;
}

xp_status xp_shape_slice(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "slice", "self", &self));
    return slice_meta(ctx, self, &args[1], out);
}

/* index (possibly symbolic) into a dim of size n: [-n, n) */
static xp_status select_index(xp_symctx *ctx, const char *op, const xp_meta *self, int dim, xp_dim index) {
    xp_dim n = self->shape[dim];
    char ts[XPS_TEXT], ti[XPS_TEXT], what[64];
    if (!xp_dim_is_valid(index)) return xps_fail(XP_ERR_INVALID_ARG, op, "invalid index");
    if (!xp_dim_is_sym(index) && !xp_dim_is_sym(n)) {
        if (index < -n || index >= n)
            return xps_fail(XP_ERR_INVALID_ARG, op,
                            "index %" PRId64 " out of range for tensor of size %s at dimension %d", (int64_t)index,
                            xps_shape_text(ctx, self->ndim, self->shape, ts, sizeof ts), dim);
        return XP_OK;
    }
    xp_tri nonneg = xp_dim_le(ctx, 0, index);
    if (nonneg == XP_UNKNOWN) {
        xp_symctx_require(ctx, XP_REL_LE, 0, index);
        return xps_fail(XP_ERR_SHAPE, op,
                        "index %s may be negative or not, which changes its meaning (a negative index counts from the "
                        "end); declare ranges that decide it",
                        xps_dim_desc(ctx, index, ti, sizeof ti));
    }
    snprintf(what, sizeof what, "dim %d", dim);
    if (nonneg == XP_YES) /* index < n  <=>  index + 1 <= n */
        return xps_require_le(ctx, op, xp_dim_add(ctx, index, 1), what, n, "the index must be less than the size");
    return xps_require_le(ctx, op, xp_dim_sub(ctx, 0, index), what, n, "a negative index counts from the end");
}

static xp_status select_meta(xp_symctx *ctx, const char *op, const xp_meta *self, const xp_arg *a, xp_meta *out) {
    int d;
    if (self->ndim == 0) return xps_fail(XP_ERR_SHAPE, op, "select() cannot be applied to a 0-dim tensor");
    XPS_TRY(xps_dim_index(op, a[0].i, self->ndim, &d));
    XPS_TRY(select_index(ctx, op, self, d, a[1].i));
    xp_meta r = {.dtype = self->dtype, .ndim = self->ndim - 1};
    for (int i = 0, j = 0; i < self->ndim; i++)
        if (i != d) r.shape[j++] = self->shape[i];
    *out = r;
    return XP_OK;
}

xp_status xp_shape_select(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self;
    XPS_TRY(xps_tensor_arg(args, 0, "select", "self", &self));
    return select_meta(ctx, "select", self, &args[1], out);
}

/* src must have exactly the shape of the region it replaces */
static xp_status require_src_shape(xp_symctx *ctx, const char *op, const xp_meta *src, const xp_meta *region) {
    char ts[XPS_TEXT], tr[XPS_TEXT];
    bool concrete = true;
    for (int i = 0; i < src->ndim; i++) concrete &= !xp_dim_is_sym(src->shape[i]);
    for (int i = 0; i < region->ndim; i++) concrete &= !xp_dim_is_sym(region->shape[i]);
    bool same = src->ndim == region->ndim;
    for (int i = 0; same && i < src->ndim; i++) same = xps_same(ctx, src->shape[i], region->shape[i]);
    if (same) return XP_OK;
    if (concrete || src->ndim != region->ndim)
        return xps_fail(XP_ERR_SHAPE, op,
                        "expected src to have a size equal to the slice of self. src size = %s, slice size = %s",
                        xps_shape_text(ctx, src->ndim, src->shape, ts, sizeof ts),
                        xps_shape_text(ctx, region->ndim, region->shape, tr, sizeof tr));
    for (int i = 0; i < src->ndim; i++) {
        char wa[48], wb[64];
        snprintf(wa, sizeof wa, "src dim %d", i);
        snprintf(wb, sizeof wb, "dim %d of the slice of self", i);
        XPS_TRY(xps_require_eq(ctx, op, wa, src->shape[i], wb, region->shape[i]));
    }
    return XP_OK;
}

/* slice_scatter(self, src, dim, start, end, step): self with the slice replaced by src */
xp_status xp_shape_slice_scatter(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self, *src;
    XPS_TRY(xps_tensor_arg(args, 0, "slice_scatter", "self", &self));
    XPS_TRY(xps_tensor_arg(args, 1, "slice_scatter", "src", &src));
    xp_meta region;
    XPS_TRY(slice_meta(ctx, self, &args[2], &region));
    XPS_TRY(require_src_shape(ctx, "slice_scatter", src, &region));
    *out = *self;
    return XP_OK;
}

xp_status xp_shape_select_scatter(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self, *src;
    XPS_TRY(xps_tensor_arg(args, 0, "select_scatter", "self", &self));
    XPS_TRY(xps_tensor_arg(args, 1, "select_scatter", "src", &src));
    xp_meta region;
    XPS_TRY(select_meta(ctx, "select_scatter", self, &args[2], &region));
    XPS_TRY(require_src_shape(ctx, "select_scatter", src, &region));
    *out = *self;
    return XP_OK;
}

static xp_status tensor_list(const xp_arg *a, const char *op) {
    if (a->kind != XP_ARG_TENSOR_LIST)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument 'tensors' must be a list of tensors");
    if (a->tl.n <= 0) return xps_fail(XP_ERR_INVALID_ARG, op, "expected a non-empty list of tensors");
    for (int k = 0; k < a->tl.n; k++)
        if (!a->tl.v || !a->tl.v[k]) return xps_fail(XP_ERR_INVALID_ARG, op, "tensor %d in the list is NULL", k);
    return XP_OK;
}

/* cat(tensors, dim): same rank, equal sizes except along dim (summed);
 * dtypes promote as in PyTorch */
xp_status xp_shape_cat(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    XPS_TRY(tensor_list(&args[0], "cat"));
    int n = args[0].tl.n, d;
    const xp_meta *first = args[0].tl.v[0];
    for (int k = 0; k < n; k++)
        if (args[0].tl.v[k]->ndim == 0)
            return xps_fail(XP_ERR_SHAPE, "cat", "zero-dimensional tensor (at position %d) cannot be concatenated", k);
    XPS_TRY(xps_dim_index("cat", args[1].i, first->ndim, &d));
    xp_meta r = *first;
    for (int k = 1; k < n; k++) {
        const xp_meta *t = args[0].tl.v[k];
        if (t->ndim != first->ndim)
            return xps_fail(XP_ERR_SHAPE, "cat",
                            "tensors must have the same number of dimensions: got %d and %d (tensor %d)", first->ndim,
                            t->ndim, k);
        for (int i = 0; i < first->ndim; i++) {
            if (i == d) continue;
            if (!xp_dim_is_sym(t->shape[i]) && !xp_dim_is_sym(first->shape[i]) && t->shape[i] != first->shape[i])
                return xps_fail(XP_ERR_SHAPE, "cat",
                                "sizes of tensors must match except in dimension %d. Expected size %" PRId64
                                " but got size %" PRId64 " for tensor number %d in the list",
                                d, (int64_t)first->shape[i], (int64_t)t->shape[i], k);
            if (xps_same(ctx, t->shape[i], first->shape[i])) continue;
            char wa[48], wb[48];
            snprintf(wa, sizeof wa, "tensor %d dim %d", k, i);
            snprintf(wb, sizeof wb, "tensor 0 dim %d", i);
            return xps_require_eq(ctx, "cat", wa, t->shape[i], wb, first->shape[i]);
        }
        r.shape[d] = xp_dim_add(ctx, r.shape[d], t->shape[d]);
        if (!xp_dim_is_valid(r.shape[d])) return xp_last_status();
        r.dtype = xp_dtype_promote(r.dtype, t->dtype);
    }
    *out = r;
    return XP_OK;
}

/* stack(tensors, dim): equal shapes, a new dim of size len(tensors) */
xp_status xp_shape_stack(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    XPS_TRY(tensor_list(&args[0], "stack"));
    int n = args[0].tl.n, d;
    const xp_meta *first = args[0].tl.v[0];
    XPS_TRY(xps_check_rank("stack", first->ndim + 1));
    XPS_TRY(xps_dim_index("stack", args[1].i, first->ndim + 1, &d));
    xp_dtype dt = first->dtype;
    char ta[XPS_TEXT], tb[XPS_TEXT];
    for (int k = 1; k < n; k++) {
        const xp_meta *t = args[0].tl.v[k];
        bool concrete = true, same = t->ndim == first->ndim;
        for (int i = 0; same && i < t->ndim; i++) {
            concrete &= !xp_dim_is_sym(t->shape[i]) && !xp_dim_is_sym(first->shape[i]);
            same = xps_same(ctx, t->shape[i], first->shape[i]);
        }
        if (!same && (concrete || t->ndim != first->ndim))
            return xps_fail(XP_ERR_SHAPE, "stack",
                            "stack expects each tensor to be equal size, but got %s at entry 0 and %s at entry %d",
                            xps_shape_text(ctx, first->ndim, first->shape, ta, sizeof ta),
                            xps_shape_text(ctx, t->ndim, t->shape, tb, sizeof tb), k);
        for (int i = 0; !same && i < t->ndim; i++) {
            char wa[48], wb[48];
            snprintf(wa, sizeof wa, "tensor %d dim %d", k, i);
            snprintf(wb, sizeof wb, "tensor 0 dim %d", i);
            XPS_TRY(xps_require_eq(ctx, "stack", wa, t->shape[i], wb, first->shape[i]));
        }
        dt = xp_dtype_promote(dt, t->dtype);
    }
    xp_meta r = {.dtype = dt, .ndim = first->ndim + 1};
    for (int i = 0, j = 0; i < r.ndim; i++) r.shape[i] = i == d ? n : first->shape[j++];
    *out = r;
    return XP_OK;
}

/* embedding(weight [num, dim], indices int) -> [*indices.shape, dim] */
xp_status xp_shape_embedding(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    const xp_meta *w, *idx;
    XPS_TRY(xps_tensor_arg(args, 0, "embedding", "weight", &w));
    XPS_TRY(xps_tensor_arg(args, 1, "embedding", "indices", &idx));
    if (w->ndim != 2) return xps_fail(XP_ERR_SHAPE, "embedding", "'weight' must be 2-D, but it has %d dims", w->ndim);
    if (idx->dtype != XP_I64 && idx->dtype != XP_I32)
        return xps_fail(XP_ERR_DTYPE, "embedding", "expected indices to have dtype i64 or i32, but got %s",
                        xp_dtype_name(idx->dtype));
    XPS_TRY(xps_check_rank("embedding", idx->ndim + 1));
    xp_meta r = *idx;
    r.dtype = w->dtype;
    r.shape[r.ndim++] = w->shape[1];
    *out = r;
    return XP_OK;
}
