/*
 * The "kernels" of the view ops (XP_OP_VIEW in ops.def): each makes
 * call->outs[0] — a header whose shape the op's shape function computed —
 * a view of its input's storage, with strides and offset exactly as
 * PyTorch computes them. Nothing is read or written, except by reshape and
 * flatten when no view exists (PyTorch copies then too).
 */
#include "ops/xp_registry.h"

#include <string.h>

static xp_tensor *self_of(const xp_call *call) { return XP_ARG_T(call->args[0]); }
static xp_tensor *out_of(const xp_call *call) { return call->outs[0]; }

/* Wraps a dim the shape function has already validated; the check only
 * guards against a shape function that let a bad one through. */
static xp_status wrap(const char *op, int64_t d, int ndim, int *out) {
    int n = ndim > 0 ? ndim : 1; /* a 0-d tensor accepts dim 0 and -1, as in torch */
    *out = 0;
    if (d < -n || d >= n)
        return xp_error(XP_ERR_INVALID_ARG, "%s: dim %lld is out of range for a tensor with %d dims", op, (long long)d,
                        ndim);
    *out = (int)(d < 0 ? d + n : d);
    return XP_OK;
}

static void set_view(const xp_call *call, int ndim, const int64_t *shape, const int64_t *strides, int64_t offset) {
    xp_tensor_set_view(out_of(call), self_of(call), ndim, shape, strides, offset);
}

/* ---- permutations ---- */

static xp_status transpose_dims(const xp_call *call, int d0, int d1) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim;
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    memcpy(shape, x->meta.shape, sizeof shape);
    memcpy(strides, x->strides, sizeof strides);
    if (n > 0) {
        int64_t t = shape[d0]; shape[d0] = shape[d1]; shape[d1] = t;
        t = strides[d0]; strides[d0] = strides[d1]; strides[d1] = t;
    }
    set_view(call, n, shape, strides, x->offset);
    return XP_OK;
}

xp_status xp_view_t(const xp_call *call) {
    int n = self_of(call)->meta.ndim;
    if (n > 2) return xp_error(XP_ERR_SHAPE, "t: expects a tensor with <= 2 dims, but self is %dD", n);
    return transpose_dims(call, 0, n == 2 ? 1 : 0);
}

xp_status xp_view_transpose(const xp_call *call) {
    int n = self_of(call)->meta.ndim, d0, d1;
    if (wrap("transpose", call->args[1].i, n, &d0) != XP_OK || wrap("transpose", call->args[2].i, n, &d1) != XP_OK)
        return xp_last_status();
    if (n == 0) d0 = d1 = 0;
    return transpose_dims(call, d0, d1);
}

xp_status xp_view_permute(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim;
    const xp_arg *dims = &call->args[1];
    if (dims->il.n != n)
        return xp_error(XP_ERR_SHAPE, "permute: %d dims given for a tensor with %d dims", dims->il.n, n);
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        int d;
        if (wrap("permute", dims->il.v[i], n, &d) != XP_OK) return xp_last_status();
        shape[i] = x->meta.shape[d];
        strides[i] = x->strides[d];
    }
    set_view(call, n, shape, strides, x->offset);
    return XP_OK;
}

/* ---- view / reshape / flatten ---- */

/* PyTorch's computeStride (aten/src/ATen/TensorUtils.cpp): strides that
 * let a tensor of `oldshape`/`oldstride` be viewed as `newshape`, or false
 * when some new dim would span two non-contiguous chunks of the old one. */
static bool compute_stride(int on, const int64_t *oldshape, const int64_t *oldstride, int nn,
                           const int64_t *newshape, int64_t *newstride) {
    if (on == 0) {
        for (int d = 0; d < nn; d++) newstride[d] = 1;
        return true;
    }
    int64_t numel = xp_shape_numel(on, oldshape);
    if (numel == 0) {
        bool same = on == nn;
        for (int d = 0; same && d < on; d++) same = oldshape[d] == newshape[d];
        if (same) {
            memcpy(newstride, oldstride, (size_t)on * sizeof *newstride);
            return true;
        }
        for (int d = nn - 1; d >= 0; d--)
            newstride[d] = d == nn - 1 ? 1 : (newshape[d + 1] > 1 ? newshape[d + 1] : 1) * newstride[d + 1];
        return true;
    }
    int view_d = nn - 1;
    int64_t chunk_base_stride = oldstride[on - 1];
    int64_t tensor_numel = 1, view_numel = 1;
    for (int tensor_d = on - 1; tensor_d >= 0; tensor_d--) {
        tensor_numel *= oldshape[tensor_d];
        /* at the end of a contiguous chunk of the old tensor, fill the view
         * dims that cover the same elements */
        if (tensor_d == 0 ||
            (oldshape[tensor_d - 1] != 1 && oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel || newshape[view_d] == 1)) {
                newstride[view_d] = view_numel * chunk_base_stride;
                view_numel *= newshape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel) return false;
            if (tensor_d > 0) {
                chunk_base_stride = oldstride[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

static xp_status check_numel(const char *op, const xp_tensor *x, const xp_tensor *out) {
    int64_t a = xp_shape_numel(x->meta.ndim, x->meta.shape), b = xp_shape_numel(out->meta.ndim, out->meta.shape);
    if (a != b)
        return xp_error(XP_ERR_SHAPE, "%s: shape of %lld elements is invalid for input of size %lld", op, (long long)b,
                        (long long)a);
    return XP_OK;
}

xp_status xp_view_view(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    xp_tensor *out = out_of(call);
    if (check_numel("view", x, out) != XP_OK) return xp_last_status();
    int64_t strides[XP_MAX_DIMS];
    if (!compute_stride(x->meta.ndim, x->meta.shape, x->strides, out->meta.ndim, out->meta.shape, strides))
        return xp_error(XP_ERR_SHAPE,
                        "view: view size is not compatible with input tensor's size and stride (at least one "
                        "dimension spans across two contiguous subspaces). Use reshape instead");
    set_view(call, out->meta.ndim, out->meta.shape, strides, x->offset);
    return XP_OK;
}

/* A view when computeStride allows one, else a contiguous copy in fresh
 * storage (PyTorch's reshape, and so flatten). */
static xp_status reshape_into(const char *op, const xp_call *call) {
    const xp_tensor *x = self_of(call);
    xp_tensor *out = out_of(call);
    if (check_numel(op, x, out) != XP_OK) return xp_last_status();
    int64_t strides[XP_MAX_DIMS];
    if (compute_stride(x->meta.ndim, x->meta.shape, x->strides, out->meta.ndim, out->meta.shape, strides)) {
        set_view(call, out->meta.ndim, out->meta.shape, strides, x->offset);
        return XP_OK;
    }
    out->meta.dtype = x->meta.dtype;
    if (xp_tensor_alloc_storage(out) != XP_OK) return xp_last_status();
    /* copy in C order: view the fresh storage with the input's shape */
    xp_tensor as_input;
    memset(&as_input, 0, sizeof as_input);
    as_input.meta = x->meta;
    as_input.storage = out->storage;
    xp_contiguous_strides(x->meta.ndim, x->meta.shape, as_input.strides);
    return xp_tensor_copy_into(&as_input, x);
}

xp_status xp_view_reshape(const xp_call *call) { return reshape_into("reshape", call); }

xp_status xp_view_flatten(const xp_call *call) { return reshape_into("flatten", call); }

/* ---- adding and removing dims ---- */

xp_status xp_view_unsqueeze(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim, d;
    if (n >= XP_MAX_DIMS) return xp_error(XP_ERR_SHAPE, "unsqueeze: result would have more than %d dims", XP_MAX_DIMS);
    if (wrap("unsqueeze", call->args[1].i, n + 1, &d) != XP_OK) return xp_last_status();
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int i = 0, j = 0; i <= n; i++) {
        if (i == d) {
            shape[i] = 1;
            /* torch: sizes[dim] * strides[dim], or 1 past the last dim */
            strides[i] = d >= n ? 1 : x->meta.shape[d] * x->strides[d];
        } else {
            shape[i] = x->meta.shape[j];
            strides[i] = x->strides[j];
            j++;
        }
    }
    set_view(call, n + 1, shape, strides, x->offset);
    return XP_OK;
}

xp_status xp_view_squeeze(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim;
    bool drop[XP_MAX_DIMS] = {false};
    const xp_arg *dims = &call->args[1];
    if (dims->kind == XP_ARG_NONE) {
        for (int d = 0; d < n; d++) drop[d] = x->meta.shape[d] == 1;
    } else {
        /* torch >= 2.0: a listed dim whose size is not 1 is left alone */
        for (int i = 0; i < dims->il.n; i++) {
            int d;
            if (wrap("squeeze", dims->il.v[i], n, &d) != XP_OK) return xp_last_status();
            if (n > 0 && x->meta.shape[d] == 1) drop[d] = true;
        }
    }
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    int m = 0;
    for (int d = 0; d < n; d++) {
        if (drop[d]) continue;
        shape[m] = x->meta.shape[d];
        strides[m] = x->strides[d];
        m++;
    }
    set_view(call, m, shape, strides, x->offset);
    return XP_OK;
}

xp_status xp_view_expand(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    const xp_tensor *out = out_of(call);
    int n = out->meta.ndim, xn = x->meta.ndim;
    if (n < xn)
        return xp_error(XP_ERR_SHAPE, "expand: the number of sizes provided (%d) must be greater or equal to the "
                                      "number of dimensions in the tensor (%d)", n, xn);
    /* torch's inferExpandGeometry */
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int i = n - 1; i >= 0; i--) {
        int dim = xn - n + i;
        int64_t size = dim >= 0 ? x->meta.shape[dim] : 1;
        int64_t stride = dim >= 0 ? x->strides[dim] : (i == n - 1 ? 1 : shape[i + 1] * strides[i + 1]);
        int64_t target = out->meta.shape[i];
        if (target == -1) target = size;
        if (size != target) {
            if (size != 1)
                return xp_error(XP_ERR_SHAPE, "expand: the expanded size %lld must match the existing size %lld at "
                                              "non-singleton dim %d", (long long)target, (long long)size, i);
            size = target;
            stride = 0;
        }
        shape[i] = size;
        strides[i] = stride;
    }
    set_view(call, n, shape, strides, x->offset);
    return XP_OK;
}

/* ---- indexing ---- */

xp_status xp_view_slice(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim, d;
    if (n == 0) return xp_error(XP_ERR_SHAPE, "slice: cannot be applied to a 0-dim tensor");
    if (wrap("slice", call->args[1].i, n, &d) != XP_OK) return xp_last_status();
    int64_t size = x->meta.shape[d];
    int64_t start = call->args[2].kind == XP_ARG_NONE ? 0 : call->args[2].i;
    int64_t end = call->args[3].kind == XP_ARG_NONE ? INT64_MAX : call->args[3].i;
    int64_t step = call->args[4].i;
    if (step <= 0) return xp_error(XP_ERR_INVALID_ARG, "slice: step must be positive, got %lld", (long long)step);
    /* Python slicing, exactly as at::slice clamps */
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    else if (start >= size) start = size;
    if (end < start) end = start;
    else if (end >= size) end = size;
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    memcpy(shape, x->meta.shape, sizeof shape);
    memcpy(strides, x->strides, sizeof strides);
    int64_t len = end - start;
    shape[d] = len / step + (len % step != 0);
    strides[d] = x->strides[d] * step;
    set_view(call, n, shape, strides, x->offset + start * x->strides[d]);
    return XP_OK;
}

xp_status xp_view_select(const xp_call *call) {
    const xp_tensor *x = self_of(call);
    int n = x->meta.ndim, d;
    if (n == 0) return xp_error(XP_ERR_SHAPE, "select: cannot be applied to a 0-dim tensor");
    if (wrap("select", call->args[1].i, n, &d) != XP_OK) return xp_last_status();
    int64_t size = x->meta.shape[d], index = call->args[2].i;
    if (index < -size || index >= size)
        return xp_error(XP_ERR_INVALID_ARG, "select: index %lld is out of range for dim %d of size %lld",
                        (long long)index, d, (long long)size);
    if (index < 0) index += size;
    int64_t shape[XP_MAX_DIMS], strides[XP_MAX_DIMS];
    for (int i = 0, j = 0; i < n; i++) {
        if (i == d) continue;
        shape[j] = x->meta.shape[i];
        strides[j] = x->strides[i];
        j++;
    }
    set_view(call, n - 1, shape, strides, x->offset + index * x->strides[d]);
    return XP_OK;
}
