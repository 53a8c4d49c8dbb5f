/*
 * CPU kernels for cat, stack, slice_scatter, select_scatter and embedding.
 *
 * Each writes its inputs into views of the (contiguous) output. Contiguous
 * inputs of the output's dtype are copied as memcpy blocks; anything else
 * (strided views, other dtypes, broadcasts) goes through
 * xp_tensor_copy_into, which converts and follows strides.
 */
#include "cpu/nn_util.h"

#include <string.h>

/* Copies `src` into the region of `out` with the given shape, strides and
 * offset (elements), converting and broadcasting as xp_tensor_copy_into does. */
static xp_status copy_to_region(xp_tensor *out, int ndim, const int64_t *shape, const int64_t *strides, int64_t offset,
                                const xp_tensor *src) {
    xp_tensor *view = xp_tensor_header(out->meta.dtype, ndim, shape);
    if (!view) return xp_last_status();
    xp_tensor_set_view(view, out, ndim, shape, strides, offset);
    xp_status st = xp_tensor_copy_into(view, src);
    xp_tensor_free(view);
    return st;
}

static bool same_dims_except(const xp_tensor *a, const xp_tensor *b, int skip) {
    if (a->meta.ndim != b->meta.ndim) return false;
    for (int d = 0; d < a->meta.ndim; d++)
        if (d != skip && a->meta.shape[d] != b->meta.shape[d]) return false;
    return true;
}

xp_status xp_cpu_cat(const xp_call *call) {
    const xp_arg *tl = &call->args[0];
    xp_tensor *out = call->outs[0];
    int nd = out->meta.ndim, dim;
    if (nd == 0) return xp_error(XP_ERR_SHAPE, "cat: zero-dimensional tensors cannot be concatenated");
    if (!xp_cpu_norm_dim("cat", call->args[1].kind == XP_ARG_INT ? call->args[1].i : 0, nd, &dim))
        return xp_last_status();
    size_t es = xp_dtype_size(out->meta.dtype);
    int64_t outer = xp_shape_numel(dim, out->meta.shape);
    int64_t inner = xp_shape_numel(nd - dim - 1, out->meta.shape + dim + 1);
    int64_t out_row = out->meta.shape[dim] * inner;

    /* Validate everything first so a bad input leaves nothing half-written.
     * 1-D empty tensors are skipped, as PyTorch's legacy rule allows. */
    int64_t total = 0;
    for (int i = 0; i < tl->tl.n; i++) {
        const xp_tensor *t = XP_ARG_TL(*tl, i);
        if (t->meta.ndim == 1 && t->meta.shape[0] == 0 && nd != 1) continue;
        if (!same_dims_except(t, out, dim))
            return xp_error(XP_ERR_SHAPE, "cat: tensor %d does not match the others outside dim %d", i, dim);
        total += t->meta.shape[dim];
    }
    if (total != out->meta.shape[dim])
        return xp_error(XP_ERR_INTERNAL, "cat: inputs add up to %lld along dim %d, output has %lld",
                        (long long)total, dim, (long long)out->meta.shape[dim]);

    int64_t pos = 0;
    char *o = xp_tensor_base_ptr(out);
    for (int i = 0; i < tl->tl.n; i++) {
        const xp_tensor *t = XP_ARG_TL(*tl, i);
        if (t->meta.ndim == 1 && t->meta.shape[0] == 0 && nd != 1) continue;
        int64_t n = t->meta.shape[dim], chunk = n * inner;
        if (chunk * outer == 0) continue;
        if (t->meta.dtype == out->meta.dtype && xp_is_contiguous(t)) {
            const char *s = xp_tensor_base_ptr(t);
            for (int64_t r = 0; r < outer; r++)
                memcpy(o + (size_t)(r * out_row + pos * inner) * es, s + (size_t)(r * chunk) * es,
                       (size_t)chunk * es);
        } else {
            int64_t shape[XP_MAX_DIMS];
            memcpy(shape, out->meta.shape, sizeof shape);
            shape[dim] = n;
            xp_status st = copy_to_region(out, nd, shape, out->strides, out->offset + pos * out->strides[dim], t);
            if (st != XP_OK) return st;
        }
        pos += n;
    }
    return XP_OK;
}

xp_status xp_cpu_stack(const xp_call *call) {
    const xp_arg *tl = &call->args[0];
    xp_tensor *out = call->outs[0];
    int nd = out->meta.ndim, dim;
    if (!xp_cpu_norm_dim("stack", call->args[1].kind == XP_ARG_INT ? call->args[1].i : 0, nd, &dim))
        return xp_last_status();
    if (tl->tl.n != out->meta.shape[dim])
        return xp_error(XP_ERR_INTERNAL, "stack: %d tensors but the output has %lld along dim %d", tl->tl.n,
                        (long long)out->meta.shape[dim], dim);
    /* each input is out.select(dim, i) */
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int d = 0, k = 0; d < nd; d++)
        if (d != dim) shape[k] = out->meta.shape[d], strides[k++] = out->strides[d];
    for (int i = 0; i < tl->tl.n; i++) {
        const xp_tensor *t = XP_ARG_TL(*tl, i);
        if (t->meta.ndim != nd - 1 || memcmp(t->meta.shape, shape, (size_t)(nd - 1) * sizeof(int64_t)))
            return xp_error(XP_ERR_SHAPE, "stack: tensor %d has a different shape from the output's slices", i);
    }
    size_t es = xp_dtype_size(out->meta.dtype);
    int64_t outer = xp_shape_numel(dim, out->meta.shape);
    int64_t inner = xp_shape_numel(nd - dim - 1, out->meta.shape + dim + 1);
    char *o = xp_tensor_base_ptr(out);
    for (int i = 0; i < tl->tl.n; i++) {
        const xp_tensor *t = XP_ARG_TL(*tl, i);
        if (outer * inner == 0) break;
        if (t->meta.dtype == out->meta.dtype && xp_is_contiguous(t)) {
            const char *s = xp_tensor_base_ptr(t);
            for (int64_t r = 0; r < outer; r++)
                memcpy(o + (size_t)((r * tl->tl.n + i) * inner) * es, s + (size_t)(r * inner) * es,
                       (size_t)inner * es);
        } else {
            xp_status st = copy_to_region(out, nd - 1, shape, strides, out->offset + i * out->strides[dim], t);
            if (st != XP_OK) return st;
        }
    }
    return XP_OK;
}

/* Python slice bounds: None is the whole dim, negatives count from the end,
 * out-of-range bounds clamp. Returns the slice length. */
static int64_t slice_bounds(const xp_arg *start, const xp_arg *end, int64_t step, int64_t size, int64_t *first) {
    int64_t s = start->kind == XP_ARG_INT ? start->i : 0;
    int64_t e = end->kind == XP_ARG_INT ? end->i : size;
    if (s < 0) s = s < -size ? 0 : s + size;
    if (e < 0) e = e < -size ? 0 : e + size;
    if (s > size) s = size;
    if (e > size) e = size;
    *first = s;
    return e > s ? (e - s - 1) / step + 1 : 0;
}

/* `src` must broadcast to the region's shape (PyTorch requires the exact
 * slice shape; a broadcastable one is what a functionalized copy_ gives). */
static xp_status check_src(const char *op, const xp_tensor *src, int nd, const int64_t *shape) {
    if (src->meta.ndim > nd)
        return xp_error(XP_ERR_SHAPE, "%s: src has %d dims, the slice %d", op, src->meta.ndim, nd);
    for (int d = 0; d < src->meta.ndim; d++) {
        int64_t n = src->meta.shape[d], want = shape[nd - src->meta.ndim + d];
        if (n != want && n != 1)
            return xp_error(XP_ERR_SHAPE, "%s: src size %lld at dim %d does not match the slice size %lld", op,
                            (long long)n, d, (long long)want);
    }
    return XP_OK;
}

static xp_status check_same_shape(const char *op, const xp_tensor *self, const xp_tensor *out) {
    if (self->meta.ndim != out->meta.ndim ||
        memcmp(self->meta.shape, out->meta.shape, (size_t)self->meta.ndim * sizeof(int64_t)))
        return xp_error(XP_ERR_INTERNAL, "%s: output shape differs from self's", op);
    return XP_OK;
}

xp_status xp_cpu_slice_scatter(const xp_call *call) {
    xp_tensor *self = XP_ARG_T(call->args[0]), *src = XP_ARG_T(call->args[1]), *out = call->outs[0];
    int nd = out->meta.ndim, dim;
    xp_status st = check_same_shape("slice_scatter", self, out);
    if (st != XP_OK) return st;
    if (!xp_cpu_norm_dim("slice_scatter", call->args[2].kind == XP_ARG_INT ? call->args[2].i : 0, nd, &dim))
        return xp_last_status();
    int64_t step = call->args[5].kind == XP_ARG_INT ? call->args[5].i : 1;
    if (step < 1) return xp_error(XP_ERR_INVALID_ARG, "slice_scatter: step %lld must be positive", (long long)step);
    int64_t first, len = slice_bounds(&call->args[3], &call->args[4], step, out->meta.shape[dim], &first);
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    memcpy(shape, out->meta.shape, sizeof shape);
    memcpy(strides, out->strides, sizeof strides);
    shape[dim] = len;
    strides[dim] *= step;
    if ((st = check_src("slice_scatter", src, nd, shape)) != XP_OK) return st;
    if ((st = xp_tensor_copy_into(out, self)) != XP_OK) return st;
    return copy_to_region(out, nd, shape, strides, out->offset + first * out->strides[dim], src);
}

xp_status xp_cpu_select_scatter(const xp_call *call) {
    xp_tensor *self = XP_ARG_T(call->args[0]), *src = XP_ARG_T(call->args[1]), *out = call->outs[0];
    int nd = out->meta.ndim, dim;
    xp_status st = check_same_shape("select_scatter", self, out);
    if (st != XP_OK) return st;
    if (!xp_cpu_norm_dim("select_scatter", call->args[2].i, nd, &dim)) return xp_last_status();
    int64_t size = out->meta.shape[dim], index = call->args[3].i;
    if (index < -size || index >= size)
        return xp_error(XP_ERR_INVALID_ARG, "select_scatter: index %lld is out of range for dim %d of size %lld",
                        (long long)index, dim, (long long)size);
    if (index < 0) index += size;
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int d = 0, k = 0; d < nd; d++)
        if (d != dim) shape[k] = out->meta.shape[d], strides[k++] = out->strides[d];
    if ((st = check_src("select_scatter", src, nd - 1, shape)) != XP_OK) return st;
    if ((st = xp_tensor_copy_into(out, self)) != XP_OK) return st;
    return copy_to_region(out, nd - 1, shape, strides, out->offset + index * out->strides[dim], src);
}

xp_status xp_cpu_embedding(const xp_call *call) {
    xp_tensor *w = XP_ARG_T(call->args[0]), *idx = XP_ARG_T(call->args[1]), *out = call->outs[0];
    if (w->meta.ndim != 2)
        return xp_error(XP_ERR_SHAPE, "embedding: weight must have 2 dims [rows, dim], got %d", w->meta.ndim);
    if (xp_dtype_is_float(idx->meta.dtype) || idx->meta.dtype == XP_BOOL)
        return xp_error(XP_ERR_DTYPE, "embedding: indices must be an integer tensor, got %s",
                        xp_dtype_name(idx->meta.dtype));
    int64_t V = w->meta.shape[0], D = w->meta.shape[1], n = xp_shape_numel(idx->meta.ndim, idx->meta.shape);
    if (xp_shape_numel(out->meta.ndim, out->meta.shape) != n * D || out->meta.shape[out->meta.ndim - 1] != D)
        return xp_error(XP_ERR_INTERNAL, "embedding: output shape does not match indices x embedding dim");

    /* Every index is checked before anything is read from the table. */
    xp_tensor *I = xp_nn_as(idx, XP_I64, true);
    if (!I) return xp_last_status();
    const int64_t *ix = xp_tensor_base_ptr(I);
    for (int64_t i = 0; i < n; i++)
        if (ix[i] < 0 || ix[i] >= V) {
            long long bad = (long long)ix[i];
            xp_nn_release(idx, I);
            return xp_error(XP_ERR_INVALID_ARG,
                            "embedding: index %lld (at position %lld of indices) is out of range for a weight "
                            "table of %lld rows",
                            bad, (long long)i, (long long)V);
        }
    /* rows are copied whole from a table whose rows are contiguous */
    xp_tensor *Wt = w;
    if (w->meta.dtype != out->meta.dtype || (D > 1 && w->strides[1] != 1)) Wt = xp_nn_as(w, out->meta.dtype, true);
    if (!Wt) {
        xp_nn_release(idx, I);
        return xp_last_status();
    }
    size_t es = xp_dtype_size(out->meta.dtype);
    const char *w0 = xp_tensor_base_ptr(Wt);
    char *o = xp_tensor_base_ptr(out);
    int64_t rs = Wt->strides[0];
    if (D > 0)
        for (int64_t i = 0; i < n; i++)
            memcpy(o + (size_t)(i * D) * es, w0 + (size_t)(ix[i] * rs) * es, (size_t)D * es);
    xp_nn_release(w, Wt);
    xp_nn_release(idx, I);
    return XP_OK;
}
