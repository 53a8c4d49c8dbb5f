/*
 * Tensors: reference-counted storage and strided view headers.
 *
 * A header owns one reference to its storage; views made by
 * xp_tensor_set_view take another, so storage lives until the last header
 * over it is freed. Storage is owned (xp_aligned_alloc, or the backend's
 * allocator when `device` is set), part of a file mapping, or borrowed; the
 * last two call `release` when the count drops to zero.
 *
 * Accessors given a NULL tensor record XP_ERR_INVALID_ARG unless an earlier
 * error is pending (so a failed chain reports what started it) and return
 * -1 / false / 0.
 */
#include "tensor/xp_tensor_impl.h"

#include "backend/xp_backend.h"
#include "trace/xp_trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage ---- */

xp_storage *xp_storage_new(size_t nbytes) {
    xp_storage *s = xp_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->data = xp_aligned_alloc(nbytes);
    if (!s->data) {
        free(s);
        return NULL;
    }
    memset(s->data, 0, nbytes);
    s->nbytes = nbytes;
    s->refcount = 1;
    s->owner = XP_STORAGE_OWNED;
    return s;
}

void xp_storage_retain(xp_storage *s) {
    if (s) __atomic_add_fetch(&s->refcount, 1, __ATOMIC_RELAXED);
}

void xp_storage_release(xp_storage *s) {
    if (!s) return;
    int left = __atomic_sub_fetch(&s->refcount, 1, __ATOMIC_ACQ_REL);
    if (left > 0) return;
    if (left < 0) XP_BUG("storage %p released more often than retained", (void *)s);
    if (s->owner == XP_STORAGE_OWNED) {
        if (s->device && s->device->free) s->device->free(s->device, s->data);
        else xp_aligned_free(s->data);
    } else if (s->release) {
        s->release(s);
    }
    free(s);
}

/* ---- argument helpers ---- */

static bool null_tensor(const char *fn) {
    if (!xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "%s: tensor is NULL", fn);
    return true;
}

/* Validates a concrete eager shape: 0..XP_MAX_DIMS dims, sizes >= 0, numel
 * and byte size within int64. */
static xp_status check_shape(const char *fn, xp_dtype dt, int ndim, const int64_t *shape, bool allow_sym) {
    if ((unsigned)dt >= (unsigned)XP_DTYPE_COUNT)
        return xp_error(XP_ERR_INVALID_ARG, "%s: invalid dtype %d", fn, (int)dt);
    if (ndim < 0 || ndim > XP_MAX_DIMS)
        return xp_error(XP_ERR_INVALID_ARG, "%s: %d dims; between 0 and %d are supported", fn, ndim, XP_MAX_DIMS);
    if (ndim > 0 && !shape) return xp_error(XP_ERR_INVALID_ARG, "%s: shape is NULL for %d dims", fn, ndim);
    int64_t n = (int64_t)xp_dtype_size(dt);
    for (int d = 0; d < ndim; d++) {
        if (allow_sym && xp_dim_is_sym(shape[d])) continue;
        if (shape[d] < 0)
            return xp_error(XP_ERR_INVALID_ARG, "%s: dim %d has negative size %lld", fn, d, (long long)shape[d]);
        if (!xp_i64_mul_checked(n, shape[d], &n))
            return xp_error(XP_ERR_INVALID_ARG, "%s: shape is too large (byte size overflows int64)", fn);
    }
    return XP_OK;
}

static bool shape_is_concrete(int ndim, const int64_t *shape) {
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0) return false;
    return true;
}

/* ---- shapes ---- */

int64_t xp_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides) {
    /* PyTorch's rule: a zero-size dim counts as 1 for the strides before it */
    int64_t s = 1, numel = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = s;
        s *= shape[d] > 1 ? shape[d] : 1;
        numel *= shape[d];
    }
    return numel;
}

int64_t xp_shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        if (!xp_i64_mul_checked(n, shape[d], &n)) return -1;
    return n;
}

/* ---- headers ---- */

/* Internal: also accepts symbolic dims (shape-only tensors for tracing);
 * their strides are left 0 and such a header can never get storage. */
xp_tensor *xp_tensor_header(xp_dtype dt, int ndim, const int64_t *shape) {
    if (check_shape("xp_tensor_header", dt, ndim, shape, true) != XP_OK) return NULL;
    xp_tensor *t = xp_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->meta.dtype = dt;
    t->meta.ndim = ndim;
    for (int d = 0; d < ndim; d++) t->meta.shape[d] = shape[d];
    if (shape_is_concrete(ndim, shape)) xp_contiguous_strides(ndim, t->meta.shape, t->strides);
    xp_scope_adopt(t);
    return t;
}

xp_status xp_tensor_alloc_storage(xp_tensor *t) {
    if (!t) return xp_error(XP_ERR_INVALID_ARG, "xp_tensor_alloc_storage: tensor is NULL");
    if (t->storage) return xp_error(XP_ERR_INTERNAL, "xp_tensor_alloc_storage: tensor already has storage");
    if (!shape_is_concrete(t->meta.ndim, t->meta.shape))
        return xp_error(XP_ERR_INVALID_ARG, "xp_tensor_alloc_storage: cannot allocate a tensor with a symbolic shape");
    int64_t numel = xp_contiguous_strides(t->meta.ndim, t->meta.shape, t->strides);
    t->offset = 0;
    xp_storage *s = xp_storage_new((size_t)numel * xp_dtype_size(t->meta.dtype));
    if (!s) return xp_last_status();
    t->storage = s;
    return XP_OK;
}

void xp_tensor_set_view(xp_tensor *view, const xp_tensor *base, int ndim, const int64_t *shape,
                        const int64_t *strides, int64_t offset) {
    if (!view || !base || ndim < 0 || ndim > XP_MAX_DIMS) XP_BUG("xp_tensor_set_view: bad arguments");
    /* copy through locals: shape/strides may point into view itself */
    int64_t sh[XP_MAX_DIMS], st[XP_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        sh[d] = shape[d];
        st[d] = strides[d];
    }
    xp_storage *old = view->storage;
    xp_storage_retain(base->storage);
    view->storage = base->storage;
    xp_storage_release(old);
    view->meta.dtype = base->meta.dtype;
    view->meta.ndim = ndim;
    for (int d = 0; d < XP_MAX_DIMS; d++) {
        view->meta.shape[d] = d < ndim ? sh[d] : 0;
        view->strides[d] = d < ndim ? st[d] : 0;
    }
    view->offset = offset;
}

xp_tensor *xp_tensor_new(xp_dtype dt, int ndim, const int64_t *shape) {
    if (check_shape("xp_tensor_new", dt, ndim, shape, false) != XP_OK) return NULL;
    xp_tensor *t = xp_tensor_header(dt, ndim, shape);
    if (!t) return NULL;
    if (xp_tensor_alloc_storage(t) != XP_OK) {
        xp_tensor_free(t);
        return NULL;
    }
    return t;
}

xp_tensor *xp_tensor_from(xp_dtype dt, int ndim, const int64_t *shape, const void *data) {
    if (check_shape("xp_tensor_from", dt, ndim, shape, false) != XP_OK) return NULL;
    int64_t numel = xp_shape_numel(ndim, shape);
    if (!data && numel > 0) {
        xp_error(XP_ERR_INVALID_ARG, "xp_tensor_from: data is NULL for %lld elements", (long long)numel);
        return NULL;
    }
    xp_tensor *t = xp_tensor_new(dt, ndim, shape);
    if (!t) return NULL;
    if (numel > 0) memcpy(t->storage->data, data, (size_t)numel * xp_dtype_size(dt));
    return t;
}

void xp_tensor_free(xp_tensor *t) {
    if (!t) return;
    xp_scope_disown(t);
    xp_storage_release(t->storage);
    free(t->name);
    free(t);
}

/* ---- accessors ---- */

void *xp_data(xp_tensor *t) {
    if (!t) {
        null_tensor("xp_data");
        return NULL;
    }
    if (!t->storage) {
        if (t->trace_ref) {
            xp_trace_data_access("xp_data", t);
            return NULL;
        }
        xp_error(XP_ERR_INVALID_ARG, "xp_data: tensor has no storage");
        return NULL;
    }
    if (t->storage->device) {
        xp_error(XP_ERR_UNSUPPORTED, "xp_data: tensor lives on device '%s'; copy it to the host first",
                 t->storage->device->name);
        return NULL;
    }
    return xp_tensor_base_ptr(t);
}

int xp_ndim(const xp_tensor *t) {
    if (!t) return null_tensor("xp_ndim"), -1;
    return t->meta.ndim;
}

static int wrap_dim(const char *fn, const xp_tensor *t, int d) {
    int n = t->meta.ndim;
    if (d < -n || d >= n) {
        xp_error(XP_ERR_INVALID_ARG, "%s: dim %d is out of range for a tensor with %d dims (expected %d..%d)", fn, d, n,
                 -n, n - 1);
        return -1;
    }
    return d < 0 ? d + n : d;
}

int64_t xp_size(const xp_tensor *t, int d) {
    if (!t) return null_tensor("xp_size"), -1;
    int w = wrap_dim("xp_size", t, d);
    if (w < 0) return -1;
    if (XP_UNLIKELY(t->trace_ref)) return xp_trace_user_dim(t->meta.shape[w]);
    return t->meta.shape[w];
}

int64_t xp_stride(const xp_tensor *t, int d) {
    if (!t) return null_tensor("xp_stride"), -1;
    int w = wrap_dim("xp_stride", t, d);
    return w < 0 ? -1 : t->strides[w];
}

int64_t xp_numel(const xp_tensor *t) {
    if (!t) return null_tensor("xp_numel"), -1;
    if (XP_UNLIKELY(t->trace_ref)) return xp_trace_numel(t);
    return xp_shape_numel(t->meta.ndim, t->meta.shape);
}

xp_dtype xp_dtype_of(const xp_tensor *t) {
    if (!t) return null_tensor("xp_dtype_of"), XP_DTYPE_COUNT;
    return t->meta.dtype;
}

bool xp_is_contiguous(const xp_tensor *t) {
    if (!t) return !null_tensor("xp_is_contiguous");
    /* PyTorch's rule: empty tensors are contiguous; size-1 dims' strides
     * do not matter */
    int64_t expected = 1;
    for (int d = t->meta.ndim - 1; d >= 0; d--) {
        int64_t n = t->meta.shape[d];
        if (n == 0) return true;
        if (n == 1) continue;
        if (t->strides[d] != expected) return false;
        expected *= n;
    }
    return true;
}

bool xp_shares_storage(const xp_tensor *a, const xp_tensor *b) {
    return a && b && a->storage && a->storage == b->storage;
}

/* ---- item reads ---- */

static const void *item_ptr(const char *fn, const xp_tensor *t) {
    if (XP_UNLIKELY(t && t->trace_ref)) {
        xp_trace_data_access(fn, t);
        return NULL;
    }
    if (!t) return null_tensor(fn), NULL;
    int64_t n = xp_shape_numel(t->meta.ndim, t->meta.shape);
    if (n != 1) {
        xp_error(XP_ERR_INVALID_ARG, "%s: tensor has %lld elements; only a one-element tensor has an item", fn,
                 (long long)n);
        return NULL;
    }
    if (!t->storage) {
        xp_error(XP_ERR_INVALID_ARG, "%s: tensor has no storage", fn);
        return NULL;
    }
    if (t->storage->device) {
        xp_error(XP_ERR_UNSUPPORTED, "%s: tensor lives on device '%s'; copy it to the host first", fn,
                 t->storage->device->name);
        return NULL;
    }
    return xp_tensor_base_ptr(t);
}

float xp_item_f32(xp_tensor *t) {
    const void *p = item_ptr("xp_item_f32", t);
    return p ? (float)xp_load_f64(t->meta.dtype, p) : NAN;
}

double xp_item_f64(xp_tensor *t) {
    const void *p = item_ptr("xp_item_f64", t);
    return p ? xp_load_f64(t->meta.dtype, p) : NAN;
}

int64_t xp_item_i64(xp_tensor *t) {
    if (XP_UNLIKELY(t && t->trace_ref == XP_TRACE_REF_SYMINT)) return xp_trace_symint_value(t);
    const void *p = item_ptr("xp_item_i64", t);
    return p ? xp_load_i64(t->meta.dtype, p) : 0;
}

bool xp_item_bool(xp_tensor *t) {
    const void *p = item_ptr("xp_item_bool", t);
    if (!p) return false;
    if (xp_dtype_is_float(t->meta.dtype)) return xp_load_f64(t->meta.dtype, p) != 0.0; /* NaN is true */
    return xp_load_i64(t->meta.dtype, p) != 0;
}

/* ---- dense copies ---- */

xp_tensor *xp_tensor_dense(xp_tensor *t) {
    if (!t) return null_tensor("xp_tensor_dense"), NULL;
    if (xp_is_contiguous(t)) return t;
    xp_tensor *d = xp_tensor_header(t->meta.dtype, t->meta.ndim, t->meta.shape);
    if (!d) return NULL;
    if (xp_tensor_alloc_storage(d) != XP_OK || xp_tensor_copy_into(d, t) != XP_OK) {
        xp_tensor_free(d);
        return NULL;
    }
    return d;
}

/* ---- names (weights for the tracer) ---- */

xp_status xp_tensor_set_name(xp_tensor *t, const char *name) {
    if (!t) return xp_error(XP_ERR_INVALID_ARG, "xp_tensor_set_name: tensor is NULL");
    char *copy = NULL;
    if (name) {
        if (!name[0]) return xp_error(XP_ERR_INVALID_ARG, "xp_tensor_set_name: name is empty");
        copy = xp_strdup(name);
        if (!copy) return xp_last_status();
    }
    free(t->name);
    t->name = copy;
    return XP_OK;
}

const char *xp_tensor_name(const xp_tensor *t) { return t ? t->name : NULL; }

xp_status xp_tensor_mark_buffer(xp_tensor *t) {
    if (!t) return xp_error(XP_ERR_INVALID_ARG, "xp_tensor_mark_buffer: tensor is NULL");
    t->is_buffer = true;
    return XP_OK;
}

bool xp_tensor_is_buffer(const xp_tensor *t) { return t && t->is_buffer; }
