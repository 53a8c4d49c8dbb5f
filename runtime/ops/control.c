/*
 * xp_cond and xp_map run eagerly (DESIGN §5): the function-pointer forms of
 * torch.cond and torch's map. They are not ops — the Clang plugin captures
 * their calls as cond / map nodes (runtime/capture/region.c) — so they have
 * no capi.def row. While this thread traces (xp_export_trace), they record a
 * cond / map node instead (runtime/trace/trace.c): both branches, or the
 * body once on a traced slice; the predicate is never read.
 */
#include "core/xp_core.h"
#include "tensor/xp_tensor_impl.h"
#include "trace/xp_trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* "f32[2, 3]" */
static void meta_text(const xp_tensor *t, char *buf, size_t n) {
    size_t len = (size_t)snprintf(buf, n, "%s[", xp_dtype_name(t->meta.dtype));
    for (int d = 0; d < t->meta.ndim && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, "%s%" PRId64, d ? ", " : "", (int64_t)t->meta.shape[d]);
    if (len < n) snprintf(buf + len, n - len, "]");
}

xp_tensor *xp_cond(xp_tensor *pred, xp_branch_fn true_fn, xp_branch_fn false_fn, int n, xp_tensor *const *operands) {
    if (!pred || !true_fn || !false_fn) {
        xp_error(XP_ERR_INVALID_ARG, "xp_cond: %s is NULL", !pred ? "the predicate" : "a branch function");
        return NULL;
    }
    if (n < 0 || (n > 0 && !operands)) {
        xp_error(XP_ERR_INVALID_ARG, "xp_cond: malformed operand list (%d operands)", n);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!operands[i]) {
            xp_error(XP_ERR_INVALID_ARG, "xp_cond: operand %d is NULL", i);
            return NULL;
        }
    if (pred->meta.dtype != XP_BOOL || xp_numel(pred) != 1) {
        char m[160];
        meta_text(pred, m, sizeof m);
        xp_error(pred->meta.dtype != XP_BOOL ? XP_ERR_DTYPE : XP_ERR_SHAPE,
                 "xp_cond: the predicate must be a one-element bool tensor, not %s", m);
        return NULL;
    }
    if (XP_UNLIKELY(xp_trace_active_)) {
        struct xp_trace *tr = xp_trace_current();
        if (tr) return xp_trace_cond(tr, pred, true_fn, false_fn, n, operands);
    }
    bool taken = xp_item_bool(pred);
    xp_tensor *r = (taken ? true_fn : false_fn)(n, operands);
    if (!r && !xp_error_pending())
        xp_error(XP_ERR_INVALID_ARG, "xp_cond: the %s branch returned NULL", taken ? "true" : "false");
    return r;
}

/* Frees what fn returned unless it is one of the tensors fn was given. */
static void drop_result(xp_tensor *r, xp_tensor *slice, int n, xp_tensor *const *extras) {
    if (!r || r == slice) return;
    for (int i = 0; i < n; i++)
        if (r == extras[i]) return;
    xp_tensor_free(r);
}

xp_tensor *xp_map(xp_map_fn fn, xp_tensor *xs, int n, xp_tensor *const *extras) {
    if (!fn || !xs) {
        xp_error(XP_ERR_INVALID_ARG, "xp_map: %s is NULL", !fn ? "the function" : "xs");
        return NULL;
    }
    if (n < 0 || (n > 0 && !extras)) {
        xp_error(XP_ERR_INVALID_ARG, "xp_map: malformed extras list (%d extras)", n);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!extras[i]) {
            xp_error(XP_ERR_INVALID_ARG, "xp_map: extra %d is NULL", i);
            return NULL;
        }
    if (xs->meta.ndim < 1) {
        xp_error(XP_ERR_SHAPE, "xp_map: xs is 0-d; map needs a leading dim to map over");
        return NULL;
    }
    if (XP_UNLIKELY(xp_trace_active_)) {
        struct xp_trace *tr = xp_trace_current();
        if (tr) return xp_trace_map(tr, fn, xs, n, extras);
    }
    int64_t len = xs->meta.shape[0];
    if (len == 0) {
        xp_error(XP_ERR_SHAPE, "xp_map: xs has leading size 0, so the result's shape is unknown");
        return NULL;
    }
    xp_tensor **results = xp_calloc((size_t)len, sizeof *results);
    xp_tensor **slices = xp_calloc((size_t)len, sizeof *slices);
    xp_tensor *out = NULL;
    int64_t done = 0;
    if (!results || !slices) goto cleanup;
    for (; done < len; done++) {
        if (!(slices[done] = xp_select(xs, 0, done))) goto cleanup;
        xp_tensor *r = fn(slices[done], n, extras);
        results[done] = r;
        if (!r) {
            if (!xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "xp_map: the function returned NULL for slice %" PRId64, done);
            else xp_error_prefix("xp_map: slice %" PRId64, done);
            done++;
            goto cleanup;
        }
        const xp_tensor *r0 = results[0];
        bool same = r->meta.dtype == r0->meta.dtype && r->meta.ndim == r0->meta.ndim;
        for (int d = 0; same && d < r->meta.ndim; d++) same = r->meta.shape[d] == r0->meta.shape[d];
        if (!same) {
            char a[160], b[160];
            meta_text(r, a, sizeof a);
            meta_text(r0, b, sizeof b);
            xp_error(r->meta.dtype != r0->meta.dtype ? XP_ERR_DTYPE : XP_ERR_SHAPE,
                     "xp_map: the result for slice %" PRId64 " is %s but for slice 0 it is %s; every slice must give "
                     "the same dtype and shape",
                     done, a, b);
            done++;
            goto cleanup;
        }
    }
    if (len > INT32_MAX) {
        xp_error(XP_ERR_UNSUPPORTED, "xp_map: %" PRId64 " slices are too many", len);
        goto cleanup;
    }
    out = xp_stack((int)len, results, 0);
cleanup:
    for (int64_t i = 0; i < done; i++) {
        if (results) drop_result(results[i], slices ? slices[i] : NULL, n, extras);
        if (slices && slices[i]) xp_tensor_free(slices[i]);
    }
    free(results);
    free(slices);
    return out;
}
