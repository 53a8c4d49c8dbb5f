/*
 * Comparing the programs of two trace passes (trace_passes.c): a symbolic
 * recording against another symbolic one, or against a recording made
 * with every size concrete, which must be the symbolic program evaluated
 * at those sizes.
 */
#include "trace/trace_internal.h"

#include "sym/xp_sym.h"

#include <math.h>
#include <string.h>

/* a's int (maybe symbolic) equals b's, a's symbols taken at `values` */
static bool same_int(const xp_symctx *actx, const int64_t *values, xp_dim a, xp_dim b) {
    if (!values || !xp_dim_is_sym(a)) return a == b;
    int64_t v;
    return xp_dim_eval(actx, a, values, &v) == XP_OK && v == b;
}

static bool same_arg(const xp_narg *a, const xp_narg *b, const xp_symctx *actx, const int64_t *values) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case XP_ARG_TENSOR: return a->value == b->value;
    case XP_ARG_TENSOR_LIST:
        return a->vl.n == b->vl.n && (a->vl.n == 0 || !memcmp(a->vl.v, b->vl.v, (size_t)a->vl.n * sizeof *a->vl.v));
    case XP_ARG_INT: return same_int(actx, values, a->i, b->i);
    case XP_ARG_INT_LIST:
        if (a->il.n != b->il.n) return false;
        for (int k = 0; k < a->il.n; k++)
            if (!same_int(actx, values, a->il.v[k], b->il.v[k])) return false;
        return true;
    case XP_ARG_FLOAT: return a->f == b->f || (isnan(a->f) && isnan(b->f));
    case XP_ARG_BOOL: return a->b == b->b;
    case XP_ARG_DTYPE: return a->dt == b->dt;
    default: return true;
    }
}

static void set_loc(const xp_node *b, const xp_node *a, xp_srcloc *loc, bool *in_b) {
    *in_b = b && b->loc.file >= 0;
    *loc = *in_b ? b->loc : a ? a->loc : XP_NO_LOC;
}

bool xp_trace_graph_diff(const xp_graph *a, const xp_graph *b, const xp_symctx *actx, const int64_t *values,
                         xp_srcloc *loc, bool *in_b) {
    int n = a->nnodes < b->nnodes ? a->nnodes : b->nnodes;
    for (int i = 0; i < n; i++) {
        const xp_node *x = &a->nodes[i], *y = &b->nodes[i];
        bool same = x->op == y->op && x->nargs == y->nargs && x->nouts == y->nouts && x->nsub == y->nsub;
        for (int k = 0; same && k < x->nargs; k++) same = same_arg(&x->args[k], &y->args[k], actx, values);
        if (!same) {
            set_loc(y, x, loc, in_b);
            return true;
        }
        for (int k = 0; k < x->nsub; k++)
            if (x->sub[k] && y->sub[k] && xp_trace_graph_diff(x->sub[k], y->sub[k], actx, values, loc, in_b)) return true;
    }
    if (a->nnodes != b->nnodes) {
        if (b->nnodes > n) set_loc(&b->nodes[n], NULL, loc, in_b);
        else set_loc(NULL, &a->nodes[n], loc, in_b);
        return true;
    }
    if (a->noutputs != b->noutputs ||
        (a->noutputs && memcmp(a->outputs, b->outputs, (size_t)a->noutputs * sizeof *a->outputs))) {
        *loc = XP_NO_LOC;
        *in_b = false;
        return true;
    }
    return false;
}
