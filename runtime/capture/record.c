/*
 * Recording one op call (xp_capture_op).
 *
 * Every call is first checked on metadata alone — the schema binder and
 * the op's own shape function, as the builder will run them — so that a
 * rejected call leaves the graph untouched (re-deriving a stale view adds
 * nodes, so it must only happen once the call is known to be good). Then
 * the references become graph values and the node is added:
 *   - an ordinary op's result is a new base reference;
 *   - a view op's result remembers its parent (views.c);
 *   - a mutable op is functionalized (functionalize.c) and returns its
 *     argument 0, as an in-place op returns self.
 */
#include "capture/capture_internal.h"

#include <stdlib.h>
#include <string.h>

static void arg_what(const xp_op_def *def, int i, char *buf, size_t n) {
    if (i < def->schema->nargs)
        snprintf(buf, n, "argument '%s'", def->schema->args[i].name);
    else
        snprintf(buf, n, "argument %d", i);
}

static xp_status bad_ref(const xp_op_def *def, int i, int k, xp_cref r) {
    char what[64];
    arg_what(def, i, what, sizeof what);
    if (k >= 0)
        return xp_error(XP_ERR_INVALID_ARG, "%s: %s[%d]: %d is not a tensor reference of this capture", def->name, what,
                        k, (int)r);
    return xp_error(XP_ERR_INVALID_ARG, "%s: %s: %d is not a tensor reference of this capture", def->name, what,
                    (int)r);
}

static xp_status bad_list(const xp_op_def *def, int i) {
    char what[64];
    arg_what(def, i, what, sizeof what);
    return xp_error(XP_ERR_INVALID_ARG, "%s: %s: malformed list", def->name, what);
}

/* The arguments as the shape function sees them: tensors are the
 * references' metadata. lists[i] holds a tensor list's pointer array. */
static xp_status meta_args(const xp_capture *c, const xp_op_def *def, const xp_carg *args, int nargs, xp_arg *out,
                           xp_meta **lists[XP_MAX_OP_ARGS]) {
    for (int i = 0; i < nargs; i++) {
        const xp_carg *a = &args[i];
        memset(&out[i], 0, sizeof out[i]);
        out[i].kind = a->kind;
        switch (a->kind) {
        case XP_ARG_TENSOR: {
            xp_cap_ref *r = xp_cap_ref_get(c, a->t);
            if (!r) return bad_ref(def, i, -1, a->t);
            out[i].t = &r->meta;
            break;
        }
        case XP_ARG_TENSOR_LIST: {
            if (a->tl.n < 0 || (a->tl.n > 0 && !a->tl.v)) return bad_list(def, i);
            if (!(lists[i] = xp_calloc((size_t)a->tl.n + 1, sizeof *lists[i]))) return XP_ERR_OOM;
            for (int k = 0; k < a->tl.n; k++) {
                xp_cap_ref *r = xp_cap_ref_get(c, a->tl.v[k]);
                if (!r) return bad_ref(def, i, k, a->tl.v[k]);
                lists[i][k] = &r->meta;
            }
            out[i].tl.n = a->tl.n;
            out[i].tl.v = lists[i];
            break;
        }
        case XP_ARG_INT: out[i].i = a->i; break;
        case XP_ARG_INT_LIST:
            if (a->il.n < 0 || (a->il.n > 0 && !a->il.v)) return bad_list(def, i);
            out[i].il.n = a->il.n;
            out[i].il.v = a->il.v;
            break;
        case XP_ARG_FLOAT: out[i].f = a->f; break;
        case XP_ARG_BOOL: out[i].b = a->b; break;
        case XP_ARG_DTYPE: out[i].dt = a->dt; break;
        case XP_ARG_NONE: break;
        default: {
            char what[64];
            arg_what(def, i, what, sizeof what);
            return xp_error(XP_ERR_INVALID_ARG, "%s: %s has invalid kind %d", def->name, what, (int)a->kind);
        }
        }
    }
    return XP_OK;
}

xp_status xp_cap_check_call(xp_capture *c, const xp_op_def *def, const xp_carg *args, int nargs, xp_meta *out) {
    if (nargs < 0 || nargs > XP_MAX_OP_ARGS || (nargs > 0 && !args))
        return xp_error(XP_ERR_INVALID_ARG, "%s: takes at most %d arguments, %d given", def->name, def->schema->nargs,
                        nargs);
    xp_arg given[XP_MAX_OP_ARGS], full[XP_MAX_OP_ARGS];
    xp_meta **lists[XP_MAX_OP_ARGS] = {0};
    xp_meta metas[XP_MAX_OP_RETS];
    memset(full, 0, sizeof full);
    memset(metas, 0, sizeof metas);
    xp_status st = meta_args(c, def, args, nargs, given, lists);
    if (!st) st = xp_schema_bind(def, given, nargs, full);
    if (!st) {
        st = xp_op_infer_shape(def, c->p->syms, full, metas);
    }
    for (int i = 0; i < XP_MAX_OP_ARGS; i++) free(lists[i]);
    if (!st) *out = metas[0];
    return st;
}

void xp_cap_free_nargs(xp_narg *args, int nargs) {
    for (int i = 0; i < nargs; i++) {
        if (args[i].kind == XP_ARG_TENSOR_LIST) free(args[i].vl.v);
        if (args[i].kind == XP_ARG_INT_LIST) free(args[i].il.v);
        args[i].kind = XP_ARG_NONE;
    }
}

xp_status xp_cap_node_args(xp_capture *c, const xp_carg *args, int nargs, xp_srcloc loc, xp_narg *out) {
    memset(out, 0, (size_t)nargs * sizeof *out);
    xp_status st = XP_OK;
    for (int i = 0; i < nargs && !st; i++) {
        const xp_carg *a = &args[i];
        switch (a->kind) {
        case XP_ARG_TENSOR: {
            int32_t v = -1;
            st = xp_cap_resolve(c, a->t, loc, &v);
            out[i] = xp_narg_value(v);
            break;
        }
        case XP_ARG_TENSOR_LIST: {
            int32_t *v = xp_calloc((size_t)a->tl.n + 1, sizeof *v);
            if (!v) {
                st = XP_ERR_OOM;
                break;
            }
            out[i] = xp_narg_values(a->tl.n, v);
            for (int k = 0; k < a->tl.n && !st; k++) st = xp_cap_resolve(c, a->tl.v[k], loc, &v[k]);
            break;
        }
        case XP_ARG_INT: out[i] = xp_narg_int(a->i); break;
        case XP_ARG_INT_LIST: {
            xp_dim *v = xp_calloc((size_t)a->il.n + 1, sizeof *v);
            if (!v) {
                st = XP_ERR_OOM;
                break;
            }
            if (a->il.n) memcpy(v, a->il.v, (size_t)a->il.n * sizeof *v);
            out[i] = xp_narg_ints(a->il.n, v);
            break;
        }
        case XP_ARG_FLOAT: out[i] = xp_narg_float(a->f); break;
        case XP_ARG_BOOL: out[i] = xp_narg_bool(a->b); break;
        case XP_ARG_DTYPE: out[i] = xp_narg_dtype(a->dt); break;
        default: out[i] = xp_narg_none(); break;
        }
    }
    if (st) xp_cap_free_nargs(out, nargs);
    return st;
}

xp_status xp_cap_add_node_in(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc, int32_t *value) {
    int32_t outs[XP_MAX_OP_RETS];
    xp_status st = xp_graph_add_node(g, op, args, nargs, loc, outs);
    if (!st) *value = outs[0];
    return st;
}

xp_status xp_cap_add_node(xp_capture *c, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                          int32_t *value) {
    return xp_cap_add_node_in(xp_cap_graph(c), op, args, nargs, loc, value);
}

xp_status xp_capture_op(xp_capture *c, xp_op_id op, const xp_carg *args, int nargs, xp_srcloc loc, xp_cref *out) {
    if (out) *out = XP_CREF_NONE;
    if (!c || !out) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_op: capture and out are required");
    if (c->finished) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_op: the capture is already finished");
    if ((int)op < 0 || op >= XP_OP_COUNT) return xp_error(XP_ERR_NOT_FOUND, "xp_capture_op: unknown op id %d", (int)op);
    const xp_op_def *def = xp_op_get(op);
    if (def->flags & XP_OP_CONTROL)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: control flow is not recorded as a single op call", def->name);
    xp_meta meta;
    xp_status st = xp_cap_check_call(c, def, args, nargs, &meta);
    if (st) return st;
    if (def->flags & XP_OP_MUTABLE) {
        if ((st = xp_cap_functionalize(c, def, args, nargs, loc))) return st;
        *out = args[0].t;
        return XP_OK;
    }
    xp_narg nodeargs[XP_MAX_OP_ARGS];
    if ((st = xp_cap_node_args(c, args, nargs, loc, nodeargs))) return st;
    xp_op_id node_op = (def->flags & XP_OP_VIEW) ? xp_cap_view_op(c, op, args[0].t) : op;
    int32_t value;
    st = xp_cap_add_node(c, node_op, nodeargs, nargs, loc, &value);
    xp_cap_free_nargs(nodeargs, nargs);
    if (st) return st;
    if (def->flags & XP_OP_VIEW) return xp_cap_new_view(c, args[0].t, xp_cap_graph(c)->nnodes - 1, value, out);
    return xp_cap_new_base(c, value, out);
}
