/*
 * Eager dispatch: every xp_* op call goes through here and through the
 * registry — schema binding, shape function, output allocation, kernel.
 * While xp_export_trace runs on this thread, every call is recorded as a
 * graph node instead (runtime/trace); the eager path pays one load and a
 * predicted branch for that.
 */
#include "backend/xp_backend.h"
#include "trace/xp_trace.h"

/* The backend of the first tensor argument (host tensors run on the CPU). */
static const xp_backend *pick_backend(const xp_arg *args, int nargs) {
    for (int i = 0; i < nargs; i++) {
        const xp_tensor *t = NULL;
        if (args[i].kind == XP_ARG_TENSOR) t = XP_ARG_T(args[i]);
        else if (args[i].kind == XP_ARG_TENSOR_LIST && args[i].tl.n > 0) t = XP_ARG_TL(args[i], 0);
        if (t && t->storage && t->storage->device) return t->storage->device;
    }
    return xp_backend_cpu();
}

/* A NULL tensor usually means an earlier call in a chain failed: keep that
 * first message (it names the real cause) instead of replacing it. */
static bool has_null_tensor(const xp_op_def *op, const xp_arg *args, int nargs) {
    for (int i = 0; i < nargs && i < op->schema->nargs; i++) {
        const xp_schema_arg *sa = &op->schema->args[i];
        bool null_tensor = (sa->kind == XP_ARG_TENSOR && !sa->optional && args[i].kind == XP_ARG_NONE) ||
                           (args[i].kind == XP_ARG_TENSOR && !args[i].t);
        if (args[i].kind == XP_ARG_TENSOR_LIST)
            for (int k = 0; k < args[i].tl.n; k++) null_tensor |= !args[i].tl.v || !args[i].tl.v[k];
        if (null_tensor) return true;
    }
    return false;
}

static xp_tensor *run_kernel(const xp_op_def *op, const xp_arg *full, const xp_meta *m) {
    const xp_backend *be = pick_backend(full, op->schema->nargs);
    xp_kernel_fn kernel = be->kernel(be, op->id);
    if (!kernel) {
        xp_error(XP_ERR_UNSUPPORTED, "%s: no kernel on the %s backend", op->name, be->name);
        return NULL;
    }
    xp_tensor *out = xp_tensor_header(m->dtype, m->ndim, m->shape);
    if (!out) return NULL;
    if (!(op->flags & XP_OP_VIEW) && xp_tensor_alloc_storage(out) != XP_OK) {
        xp_tensor_free(out);
        return NULL;
    }
    xp_call call = {op, full, op->schema->nargs, &out, 1};
    if (kernel(&call) != XP_OK) {
        xp_tensor_free(out);
        return NULL;
    }
    return out;
}

/* In-place ops: copy_ writes through its own kernel; the others compute
 * their functional variant and copy the result into `self` (through its
 * view), exactly what functionalization does in a graph. */
static xp_tensor *run_mutable(const xp_op_def *op, const xp_arg *full) {
    xp_meta m;
    if (xp_op_infer_shape(op, NULL, full, &m) != XP_OK) return NULL;
    xp_tensor *self = XP_ARG_T(full[0]);
    if (op->cpu != xp_kernel_none) {
        const xp_backend *be = pick_backend(full, op->schema->nargs);
        xp_kernel_fn kernel = be->kernel(be, op->id);
        if (!kernel) {
            xp_error(XP_ERR_UNSUPPORTED, "%s: no kernel on the %s backend", op->name, be->name);
            return NULL;
        }
        xp_tensor *outs[1] = {self};
        xp_call call = {op, full, op->schema->nargs, outs, 1};
        return kernel(&call) == XP_OK ? self : NULL;
    }
    const xp_op_def *fn = xp_op_get(op->functional);
    xp_meta fm;
    if (xp_op_infer_shape(fn, NULL, full, &fm) != XP_OK) return NULL;
    xp_tensor *r = run_kernel(fn, full, &fm);
    if (!r) return NULL;
    xp_status st = xp_tensor_copy_into(self, r);
    xp_tensor_free(r);
    return st == XP_OK ? self : NULL;
}

xp_tensor *xp_dispatch(xp_op_id id, const xp_arg *args, int nargs) {
    const xp_op_def *op = xp_op_get(id);
    if (!op) {
        xp_error(XP_ERR_INTERNAL, "xp_dispatch: unknown op id %d", (int)id);
        return NULL;
    }
    if (XP_UNLIKELY(xp_trace_active_)) {
        struct xp_trace *tr = xp_trace_current();
        if (tr) return xp_trace_dispatch(tr, op, args, nargs);
    }
    if (has_null_tensor(op, args, nargs)) {
        if (!xp_error_pending()) xp_schema_bind(op, args, nargs, (xp_arg[XP_MAX_OP_ARGS]){0});
        if (!xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "%s: a tensor argument is NULL", op->name);
        return NULL;
    }
    if (op->flags & XP_OP_CONTROL) {
        xp_error(XP_ERR_UNSUPPORTED, "%s: control-flow ops run through xp_cond/xp_map, not eager dispatch", op->name);
        return NULL;
    }
    xp_arg full[XP_MAX_OP_ARGS];
    if (xp_schema_bind(op, args, nargs, full) != XP_OK) return NULL;
    if (op->flags & XP_OP_MUTABLE) return run_mutable(op, full);
    xp_meta m;
    if (xp_op_infer_shape(op, NULL, full, &m) != XP_OK) return NULL;
    return run_kernel(op, full, &m);
}
