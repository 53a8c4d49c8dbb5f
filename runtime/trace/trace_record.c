/*
 * Recording op calls while tracing (the per-thread part is trace.c).
 *
 * Representation. A traced tensor is an ordinary xp_tensor header with no
 * storage, its (maybe symbolic) shape in meta, and trace_ref = 1 + its
 * xp_cref. While this thread traces, xp_dispatch hands every call here:
 * arguments become capture arguments (traced tensors by reference,
 * concrete tensors lifted to weights on first use, ints checked), the call
 * is recorded with xp_capture_op, and the result is a new traced header
 * (or, for an in-place op, argument 0 itself: the capture functionalizes).
 * Headers live in a scope the trace opens around the call, so all of them
 * are freed at the end.
 *
 * Weights. A concrete tensor reaching an op is state of the model, as in
 * torch's non-strict mode: a named one (xp_tensor_set_name) is a PARAMETER
 * with its name as target, or a BUFFER when marked (xp_tensor_mark_buffer)
 * or found written in place: a first trace that writes an unmarked named
 * tensor is redone once with that name as a buffer (torch keeps such
 * state in buffers; a parameter cannot be updated by a program). An
 * unnamed one is a CONSTANT "lifted_tensor_N". Each weight's data is
 * copied when first seen and bound to the program at the end.
 */
#include "trace/trace_internal.h"

#include "capture/capture_internal.h"
#include "tensor/xp_tensor_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ---- */

static bool is_auto_buffer(const xp_trace *tr, const char *name) {
    for (int i = 0; i < tr->nbuffers; i++)
        if (!strcmp(tr->buffers[i], name)) return true;
    return false;
}

static xp_cref lift(xp_trace *tr, xp_tensor *t) {
    char key[32];
    snprintf(key, sizeof key, "%p", (void *)t);
    const int32_t *known = xp_strmap_get(&tr->lifted_by_tensor, key);
    if (known) return tr->lifted[*known].ref;
    if (!t->storage || t->storage->device) {
        char where[512];
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, XP_ERR_UNSUPPORTED, "a tensor with no host data reached an op at %s while tracing", where);
        return XP_CREF_NONE;
    }
    if (tr->nlifted == tr->caplifted) {
        int cap = tr->caplifted ? tr->caplifted * 2 : 16;
        lifted *l = xp_realloc(tr->lifted, (size_t)cap * sizeof *l);
        if (!l) {
            xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
            return XP_CREF_NONE;
        }
        tr->lifted = l;
        tr->caplifted = cap;
    }
    lifted e = {.t = t, .ref = XP_CREF_NONE};
    char target[64];
    if (t->name) {
        e.kind = t->is_buffer || is_auto_buffer(tr, t->name) ? XP_IN_BUFFER : XP_IN_PARAMETER;
        e.target = xp_strdup(t->name);
    } else {
        e.kind = XP_IN_CONSTANT;
        snprintf(target, sizeof target, "lifted_tensor_%d", tr->nconst++);
        e.target = xp_strdup(target);
    }
    if (!e.target) {
        xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
        return XP_CREF_NONE;
    }
    bool seen = xp_strmap_get(&tr->lifted_by_target, e.target) != NULL;
    /* its value is not asked for here: inside a region that would lift it
     * into the region before the op's own operands */
    if (xp_capture_weight(tr->cap, e.kind, e.target, t->meta.dtype, t->meta.ndim, t->meta.shape, &e.ref) != XP_OK) {
        char where[512];
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        free(e.target);
        return XP_CREF_NONE;
    }
    if (!seen && !tr->validate) {
        /* a private copy: the model may change or free the tensor later */
        e.data = xp_tensor_new(t->meta.dtype, t->meta.ndim, t->meta.shape);
        if (e.data) xp_scope_disown(e.data);
        if (!e.data || xp_tensor_copy_into(e.data, t) != XP_OK) {
            xp_trace_fail(tr, xp_last_status(), "copying weight '%s': %s", e.target, xp_last_error());
            xp_tensor_free(e.data);
            free(e.target);
            return XP_CREF_NONE;
        }
    }
    if (xp_strmap_put(&tr->lifted_by_tensor, key, tr->nlifted) != XP_OK ||
        (!seen && xp_strmap_put(&tr->lifted_by_target, e.target, tr->nlifted) != XP_OK)) {
        xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
        xp_tensor_free(e.data);
        free(e.target);
        return XP_CREF_NONE;
    }
    tr->lifted[tr->nlifted++] = e;
    return e.ref;
}

xp_cref xp_trace_ref_of(xp_trace *tr, xp_tensor *t) {
    if (t->trace_ref == XP_TRACE_REF_SYMINT) {
        char where[512];
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, XP_ERR_INVALID_ARG,
                      "a symbolic int input reached an op as a tensor at %s; it is an integer: read it with xp_item_i64 "
                      "and pass the size (make a tensor of it with xp_full)",
                      where);
        return XP_CREF_NONE;
    }
    if (t->trace_ref) return t->trace_ref - 1;
    return lift(tr, t);
}

/* ---- recording an op ---- */

static xp_tensor *traced_header(xp_trace *tr, xp_cref ref) {
    const xp_meta *m = xp_capture_meta(tr->cap, ref);
    if (!m) {
        xp_trace_fail(tr, XP_ERR_INTERNAL, "capture reference %d has no metadata", (int)ref);
        return NULL;
    }
    xp_tensor *t = xp_tensor_header(m->dtype, m->ndim, m->shape);
    if (!t) {
        xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        return NULL;
    }
    t->trace_ref = ref + 1;
    return t;
}

xp_tensor *xp_trace_dispatch(xp_trace *tr, const xp_op_def *op, const xp_arg *args, int nargs) {
    /* counted after an error too: fn goes on running after one */
    if (++tr->nops > tr->op_limit && tr->op_limit && tr->pass != PASS_CONCRETE) {
        char where[512];
        xp_trace_site_text(where, sizeof where);
        char *first = tr->msg; /* often a consequence: an index past a size */
        tr->msg = NULL;
        tr->err = XP_OK;
        xp_trace_fail(tr, XP_ERR_DATA_DEPENDENT,
                      "the traced function made more than %d ops with symbolic sizes (the last at %s), more than 4 times "
                      "as many as with concrete sizes: a C loop bounded by a symbolic size? Its number of iterations "
                      "cannot be traced; map over the dim with xp_map, or make the dim static%s%s%s",
                      tr->op_limit, where, first ? " (the first error: " : "", first ? first : "", first ? ")" : "");
        free(first);
        xp_trace_jump_out(); /* out of the loop: it may run 2^61 times */
        return NULL;
    }
    if (tr->err != XP_OK) return NULL;
    if (xp_trace_site().file) tr->last_site = xp_trace_site();
    char where[512];
    const xp_schema *sc = op->schema;
    xp_arg full[XP_MAX_OP_ARGS];
    bool null_arg = false;
    for (int i = 0; i < nargs; i++) {
        if (args[i].kind == XP_ARG_TENSOR && !args[i].t) null_arg = true;
        if (args[i].kind == XP_ARG_TENSOR_LIST)
            for (int k = 0; k < args[i].tl.n; k++) null_arg |= !args[i].tl.v || !args[i].tl.v[k];
    }
    if (null_arg || xp_schema_bind(op, args, nargs, full) != XP_OK) {
        xp_trace_site_text(where, sizeof where);
        if (null_arg && !xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "xp_%s: a tensor argument is NULL", op->name);
        xp_trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        return NULL;
    }
    for (int i = 0; i < sc->nargs; i++)
        if (sc->args[i].kind == XP_ARG_TENSOR && !sc->args[i].optional && full[i].kind == XP_ARG_NONE) {
            xp_trace_site_text(where, sizeof where);
            xp_trace_fail(tr, XP_ERR_INVALID_ARG, "xp_%s: tensor '%s' is NULL (at %s)", op->name, sc->args[i].name, where);
            return NULL;
        }
    if (op->flags & XP_OP_CONTROL) {
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, XP_ERR_UNSUPPORTED, "xp_%s cannot be called directly (at %s)", op->name, where);
        return NULL;
    }
    char fname[96]; /* for messages: "xp_reshape" */
    snprintf(fname, sizeof fname, "xp_%s", op->name);
    xp_carg cargs[XP_MAX_OP_ARGS];
    xp_cref *lists[XP_MAX_OP_ARGS] = {0};
    int64_t *ilists[XP_MAX_OP_ARGS] = {0};
    xp_tensor *result = NULL;
    bool ok = true;
    for (int i = 0; ok && i < sc->nargs; i++) {
        const xp_arg *a = &full[i];
        switch (a->kind) {
        case XP_ARG_NONE: cargs[i] = xp_carg_none(); break;
        case XP_ARG_TENSOR: {
            xp_cref r = xp_trace_ref_of(tr, XP_ARG_T(*a));
            ok = r != XP_CREF_NONE;
            cargs[i] = xp_carg_t(r);
            break;
        }
        case XP_ARG_TENSOR_LIST: {
            lists[i] = xp_calloc((size_t)(a->tl.n > 0 ? a->tl.n : 1), sizeof(xp_cref));
            if (!lists[i]) {
                xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                ok = false;
                break;
            }
            for (int k = 0; ok && k < a->tl.n; k++) {
                lists[i][k] = xp_trace_ref_of(tr, XP_ARG_TL(*a, k));
                ok = lists[i][k] != XP_CREF_NONE;
            }
            cargs[i] = xp_carg_tl(a->tl.n, lists[i]);
            break;
        }
        case XP_ARG_INT: {
            xp_dim v = xp_trace_from_user(tr, a->i);
            ok = xp_trace_check_int(tr, fname, sc->args[i].name, v);
            cargs[i] = xp_carg_i(v);
            break;
        }
        case XP_ARG_INT_LIST: {
            const int64_t *v = a->il.v;
            if (tr->pass != PASS_CONCRETE && a->il.n > 0) {
                ilists[i] = xp_calloc((size_t)a->il.n, sizeof(int64_t));
                if (!ilists[i]) {
                    xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                    ok = false;
                    break;
                }
                for (int k = 0; k < a->il.n; k++) ilists[i][k] = xp_trace_from_user(tr, a->il.v[k]);
                v = ilists[i];
            }
            for (int k = 0; ok && k < a->il.n; k++) ok = xp_trace_check_int(tr, fname, sc->args[i].name, v[k]);
            cargs[i] = xp_carg_il(a->il.n, v);
            break;
        }
        case XP_ARG_FLOAT:
            if (xp_trace_float_is_size(tr, a->f)) {
                /* a handle converted to double: the size would be frozen */
                xp_trace_site_text(where, sizeof where);
                xp_trace_fail(tr, XP_ERR_INVALID_ARG,
                              "xp_%s: argument '%s' is %g, a symbolic size converted to a floating-point value (at %s); "
                              "a traced program cannot use a dynamic size as a scalar",
                              op->name, sc->args[i].name, a->f, where);
                ok = false;
            }
            cargs[i] = xp_carg_f(a->f);
            break;
        case XP_ARG_BOOL: cargs[i] = xp_carg_b(a->b); break;
        case XP_ARG_DTYPE: cargs[i] = xp_carg_dt(a->dt); break;
        default:
            xp_trace_fail(tr, XP_ERR_INTERNAL, "xp_%s: argument kind %d cannot be traced", op->name, (int)a->kind);
            ok = false;
        }
    }
    if (ok) {
        xp_cref out;
        if (xp_capture_op(tr->cap, op->id, cargs, sc->nargs, xp_trace_loc(tr), &out) != XP_OK) {
            xp_trace_site_text(where, sizeof where);
            xp_trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        } else if ((op->flags & XP_OP_MUTABLE) && full[0].kind == XP_ARG_TENSOR && out == cargs[0].t) {
            result = XP_ARG_T(full[0]); /* in place: the same tensor, now with the new value */
        } else {
            result = traced_header(tr, out);
        }
    }
    for (int i = 0; i < sc->nargs; i++) free(lists[i]), free(ilists[i]);
    return result;
}

/* ---- xp_cond and xp_map under tracing ---- */

/* The result of a branch or map body as a capture reference; NONE (the
 * trace failed) when fn failed or returned NULL. */
static xp_cref body_result(xp_trace *tr, xp_tensor *r, const char *what) {
    if (tr->err != XP_OK) return XP_CREF_NONE;
    if (!r) {
        char where[512];
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG, "%s returned NULL (at %s)%s%s", what,
                      where, xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        return XP_CREF_NONE;
    }
    return xp_trace_ref_of(tr, r);
}

static void region_failed(xp_trace *tr) {
    char where[512];
    xp_trace_site_text(where, sizeof where);
    xp_trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
}

/* The result of closing a region (cond or map) with status `st`: the
 * node's traced output, or NULL with the region discarded. */
static xp_tensor *region_end(xp_trace *tr, xp_status st, xp_cref out) {
    if (st == XP_OK) return traced_header(tr, out);
    region_failed(tr);
    xp_capture_region_abort(tr->cap);
    return NULL;
}

xp_tensor *xp_trace_cond(xp_trace *tr, xp_tensor *pred, xp_branch_fn true_fn, xp_branch_fn false_fn, int n,
                         xp_tensor *const *operands) {
    if (tr->err != XP_OK) return NULL;
    xp_cref p = xp_trace_ref_of(tr, pred);
    if (p == XP_CREF_NONE) return NULL;
    xp_srcloc loc = xp_trace_loc(tr);
    if (xp_capture_cond_begin(tr->cap, p, loc) != XP_OK) {
        region_failed(tr);
        return NULL;
    }
    /* both branches run, on the operands as they are: a traced operand
     * read in a branch is lifted into it by the capture */
    xp_cref t = body_result(tr, true_fn(n, operands), "the true branch of xp_cond");
    if (t == XP_CREF_NONE) goto abort;
    if (xp_capture_cond_else(tr->cap) != XP_OK) {
        region_failed(tr);
        goto abort;
    }
    xp_cref f = body_result(tr, false_fn(n, operands), "the false branch of xp_cond");
    if (f == XP_CREF_NONE) goto abort;
    xp_cref out = XP_CREF_NONE;
    xp_status st = xp_capture_cond_end(tr->cap, 1, &t, &f, &out);
    return region_end(tr, st, out);
abort:
    xp_capture_region_abort(tr->cap);
    return NULL;
}

xp_tensor *xp_trace_map(xp_trace *tr, xp_map_fn fn, xp_tensor *xs, int n, xp_tensor *const *extras) {
    if (tr->err != XP_OK) return NULL;
    xp_cref x = xp_trace_ref_of(tr, xs);
    if (x == XP_CREF_NONE) return NULL;
    xp_cref slice;
    if (xp_capture_map_begin(tr->cap, 1, &x, xp_trace_loc(tr), &slice) != XP_OK) {
        region_failed(tr);
        return NULL;
    }
    /* fn runs once, on a traced slice: the map node's body */
    xp_tensor *s = traced_header(tr, slice);
    xp_cref body = s ? body_result(tr, fn(s, n, extras), "the function of xp_map") : XP_CREF_NONE;
    xp_cref out = XP_CREF_NONE;
    if (body == XP_CREF_NONE) {
        xp_capture_region_abort(tr->cap);
        return NULL;
    }
    xp_status st = xp_capture_map_end(tr->cap, 1, &body, &out);
    return region_end(tr, st, out);
}
