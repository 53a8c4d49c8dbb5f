/*
 * Helpers shared by the decomposition functions: one builder call per
 * helper (so every node gets the replaced node's source location), the
 * graph form of PyTorch's reshape, and a look at a value's layout.
 */
#include "decomp/xp_decomp.h"
#include "ir/ir_internal.h"

#include <string.h>

xp_status xp_dc_node(xp_graph *g, xp_srcloc loc, xp_op_id op, int nargs, const xp_narg *args, int32_t *out) {
    return xp_graph_add_node(g, op, args, nargs, loc, out);
}

xp_status xp_dc_unary(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t x, int32_t *out) {
    return xp_dc_node(g, loc, op, 1, (xp_narg[]){xp_narg_value(x)}, out);
}

xp_status xp_dc_binary(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t a, int32_t b, int32_t *out) {
    return xp_dc_node(g, loc, op, 2, (xp_narg[]){xp_narg_value(a), xp_narg_value(b)}, out);
}

xp_status xp_dc_scalar(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t a, double s, int32_t *out) {
    return xp_dc_node(g, loc, op, 2, (xp_narg[]){xp_narg_value(a), xp_narg_float(s)}, out);
}

xp_status xp_dc_reduce(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t x, int n, const int *dims, bool keepdim,
                       int32_t *out) {
    xp_dim d[XP_MAX_DIMS];
    for (int i = 0; i < n; i++) d[i] = dims[i];
    return xp_dc_node(g, loc, op, 3, (xp_narg[]){xp_narg_value(x), xp_narg_ints(n, d), xp_narg_bool(keepdim)}, out);
}

xp_status xp_dc_permute(xp_graph *g, xp_srcloc loc, int32_t x, int n, const int *perm, int32_t *out) {
    xp_dim d[XP_MAX_DIMS];
    for (int i = 0; i < n; i++) d[i] = perm[i];
    return xp_dc_node(g, loc, XP_OP_permute, 2, (xp_narg[]){xp_narg_value(x), xp_narg_ints(n, d)}, out);
}

xp_status xp_dc_unsqueeze(xp_graph *g, xp_srcloc loc, int32_t x, int dim, int32_t *out) {
    return xp_dc_node(g, loc, XP_OP_unsqueeze, 2, (xp_narg[]){xp_narg_value(x), xp_narg_int(dim)}, out);
}

xp_status xp_dc_view(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out) {
    xp_dim d[XP_MAX_DIMS];
    if (n) memcpy(d, shape, (size_t)n * sizeof *d);
    return xp_dc_node(g, loc, XP_OP_view, 2, (xp_narg[]){xp_narg_value(x), xp_narg_ints(n, d)}, out);
}

xp_status xp_dc_expand(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out) {
    xp_dim d[XP_MAX_DIMS];
    if (n) memcpy(d, shape, (size_t)n * sizeof *d);
    return xp_dc_node(g, loc, XP_OP_expand, 2, (xp_narg[]){xp_narg_value(x), xp_narg_ints(n, d)}, out);
}

xp_status xp_dc_reshape(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out) {
    if (!xp_dc_is_contiguous(g, x)) {
        xp_status st = xp_dc_unary(g, loc, XP_OP_clone, x, &x);
        if (st != XP_OK) return st;
    }
    return xp_dc_view(g, loc, x, n, shape, out);
}

xp_status xp_dc_to(xp_graph *g, xp_srcloc loc, int32_t x, xp_dtype dt, int32_t *out) {
    if (xp_dc_meta(g, x)->dtype == dt) {
        *out = x;
        return XP_OK;
    }
    return xp_dc_node(g, loc, XP_OP_to, 2, (xp_narg[]){xp_narg_value(x), xp_narg_dtype(dt)}, out);
}

xp_status xp_dc_scalar_tensor(xp_graph *g, xp_srcloc loc, double value, xp_dtype dt, int32_t *out) {
    xp_narg args[3] = {xp_narg_ints(0, NULL), xp_narg_float(value), xp_narg_dtype(dt)};
    return xp_dc_node(g, loc, XP_OP_full, 3, args, out);
}

xp_status xp_dc_infer(xp_graph *g, xp_op_id op, int nargs, const xp_narg *args, xp_meta *out) {
    const xp_op_def *def = xp_op_get(op);
    xp_arg given[XP_MAX_OP_ARGS], full[XP_MAX_OP_ARGS];
    xp_meta **lists[XP_MAX_OP_ARGS];
    memset(full, 0, sizeof full);
    xp_status st = xp_ir_args_to_xp(g, def, args, nargs, NULL, given, lists);
    if (st != XP_OK) return st;
    st = xp_schema_bind(def, given, nargs, full);
    if (st == XP_OK) st = xp_op_infer_shape(def, g->prog->syms, full, out);
    xp_ir_free_arg_lists(lists);
    return st;
}

static bool is_weight_input(const xp_graph *g, int32_t v) {
    const xp_program *p = g->prog;
    if (g != p->graph) return false;
    for (int i = 0; i < p->nsig_in; i++)
        if (p->sig_in[i].value == v)
            return p->sig_in[i].kind == XP_IN_PARAMETER || p->sig_in[i].kind == XP_IN_BUFFER ||
                   p->sig_in[i].kind == XP_IN_CONSTANT;
    return false;
}

bool xp_dc_is_contiguous(const xp_graph *g, int32_t v) {
    for (;;) {
        const xp_value *val = &g->values[v];
        if (val->producer < 0) return is_weight_input(g, v);
        const xp_node *n = &g->nodes[val->producer];
        const xp_op_def *def = xp_op_get(n->op);
        if (!(def->flags & XP_OP_VIEW)) return true;
        switch (n->op) {
        case XP_OP_view:
        case XP_OP_reshape:
        case XP_OP_flatten:
        case XP_OP_unsqueeze:
        case XP_OP_squeeze: break;
        case XP_OP_slice: /* (self, dim, start, end, step): rows of a contiguous tensor */
            if (xp_dc_wrap_dim(n->args[1].i, xp_dc_meta(g, n->args[0].value)->ndim) != 0 || n->args[4].i != 1)
                return false;
            break;
        case XP_OP_select: /* (self, dim, index) */
            if (xp_dc_wrap_dim(n->args[1].i, xp_dc_meta(g, n->args[0].value)->ndim) != 0) return false;
            break;
        default: return false; /* permute, expand, t, transpose: strided */
        }
        v = n->args[0].value;
    }
}

int xp_dc_wrap_dim(int64_t d, int ndim) {
    int n = ndim > 0 ? ndim : 1;
    return (int)(d < 0 ? d + n : d);
}

xp_dtype xp_dc_compute_dtype(xp_dtype dt) { return dt == XP_F64 ? XP_F64 : XP_F32; }

xp_dim xp_dc_numel(xp_graph *g, const xp_meta *m, int from, int to) {
    xp_dim n = 1;
    for (int d = from; d < to && xp_dim_is_valid(n); d++) n = xp_dim_mul(g->prog->syms, n, m->shape[d]);
    return n;
}
