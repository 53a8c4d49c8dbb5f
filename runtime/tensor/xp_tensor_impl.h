/*
 * The tensor's layout, for the parts of libxport that see inside it
 * (kernels, views, the interpreter, file readers).
 *
 * A tensor is a view header (dtype, shape, strides in elements, offset in
 * elements) over a reference-counted storage. Views share storage; freeing
 * a header drops one reference. `xp_meta` is the header's first member so a
 * tensor can stand wherever shape functions expect metadata (xp_arg.t).
 */
#ifndef XP_TENSOR_IMPL_H
#define XP_TENSOR_IMPL_H

#include "core/xp_core.h"
#include "sym/xp_sym.h"

struct xp_backend;
struct xp_scope;

/* dtype and shape; in a graph the shape may hold symbolic dims */
typedef struct xp_meta {
    xp_dtype dtype;
    int ndim;
    xp_dim shape[XP_MAX_DIMS];
} xp_meta;

typedef enum xp_storage_owner {
    XP_STORAGE_OWNED,   /* xp_aligned_alloc'd; freed with the last reference */
    XP_STORAGE_MMAP,    /* part of a mapping; `release` unmaps with the last one */
    XP_STORAGE_EXTERNAL /* borrowed; `release` (if any) is called */
} xp_storage_owner;

typedef struct xp_storage {
    void *data;
    size_t nbytes;
    int refcount;
    xp_storage_owner owner;
    const struct xp_backend *device; /* where `data` lives; NULL means host */
    void (*release)(struct xp_storage *s); /* for MMAP/EXTERNAL */
    void *release_ctx;
} xp_storage;

#define XP_TRACE_REF_SYMINT (-1)

struct xp_tensor {
    xp_meta meta;                 /* must stay first */
    int64_t strides[XP_MAX_DIMS]; /* in elements */
    int64_t offset;               /* in elements, into storage */
    xp_storage *storage;          /* NULL for a header not yet bound */
    struct xp_scope *scope;       /* owning arena scope, or NULL */
    struct xp_tensor *scope_prev, *scope_next; /* links in the scope's list */
    /* Non-strict export (runtime/trace): 1 + the xp_cref of a traced
     * (shape-only, storage-less) tensor made by xp_export_trace, 0 for every
     * eager tensor; so a zero-initialized header is an eager one. */
    int32_t trace_ref;
    /* A SYMINT input of a trace (trace_ref == XP_TRACE_REF_SYMINT), a 0-d
     * i64 header whose value xp_item_i64 reads: its size (a handle, or a
     * concrete value in a validation pass). */
    int64_t trace_int;
    bool is_buffer; /* xp_tensor_mark_buffer */
    char *name;     /* weight name (xp_tensor_set_name), malloc'd, or NULL */
};

/* ---- storage (runtime/tensor/tensor.c) ---- */

xp_storage *xp_storage_new(size_t nbytes); /* zeroed, host, owned */
void xp_storage_retain(xp_storage *s);
void xp_storage_release(xp_storage *s);

/* ---- headers ---- */

/* A header with contiguous strides and no storage; joins the current scope. */
xp_tensor *xp_tensor_header(xp_dtype dt, int ndim, const int64_t *shape);
/* Allocates zeroed storage for a header made by xp_tensor_header. */
xp_status xp_tensor_alloc_storage(xp_tensor *t);
/* Makes `view` (a header) view `base`'s storage with the given geometry. */
void xp_tensor_set_view(xp_tensor *view, const xp_tensor *base, int ndim, const int64_t *shape,
                        const int64_t *strides, int64_t offset);
/* Contiguous strides for a shape; returns the element count. */
int64_t xp_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides);
int64_t xp_shape_numel(int ndim, const int64_t *shape);

/* Element pointer for a multi-index (no bounds check). */
static inline void *xp_tensor_at(const xp_tensor *t, const int64_t *idx) {
    int64_t off = t->offset;
    for (int d = 0; d < t->meta.ndim; d++) off += idx[d] * t->strides[d];
    return (char *)t->storage->data + (size_t)off * xp_dtype_size(t->meta.dtype);
}
static inline void *xp_tensor_base_ptr(const xp_tensor *t) {
    return (char *)t->storage->data + (size_t)t->offset * xp_dtype_size(t->meta.dtype);
}

/* Returns t when contiguous, else a new contiguous copy (in the current
 * scope); kernels that need dense input call this. */
xp_tensor *xp_tensor_dense(xp_tensor *t);

/* Copies src into dst elementwise through both views, converting dtype and
 * broadcasting src to dst's shape. */
xp_status xp_tensor_copy_into(xp_tensor *dst, const xp_tensor *src);

/* Multi-index iteration helper: advances idx over shape in C order;
 * returns false after the last element. */
static inline bool xp_index_next(int ndim, const int64_t *shape, int64_t *idx) {
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) return true;
        idx[d] = 0;
    }
    return false;
}

/* ---- scopes (runtime/tensor/scope.c) ---- */

/* Adds a new tensor to the innermost scope (no-op without one). */
void xp_scope_adopt(xp_tensor *t);
/* Removes t from its scope (used by xp_tensor_free and xp_keep). */
void xp_scope_disown(xp_tensor *t);
/* Pops every scope opened inside `scope` (which stays open), silently:
 * the tracer's cleanup after the traced function aborted (a failed
 * assert) with its own scopes still open. */
void xp_scope_unwind_inner(struct xp_scope *scope);

#endif /* XP_TENSOR_IMPL_H */
