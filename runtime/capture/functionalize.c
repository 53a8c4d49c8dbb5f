/*
 * In-place ops, functionalized as torch.export does.
 *
 * `relu_(v)` becomes `r = relu(v)` on v's current value (converted back to
 * v's dtype with `to` when the functional op promotes, as PyTorch's
 * FunctionalTensorWrapper::replace_ does). Then r is written back up v's
 * view chain, each link undone on its parent's current value:
 *
 *   slice(p, dim, start, end, step)   -> slice_scatter(p, r, dim, start, end, step)
 *   select(p, dim, index)             -> select_scatter(p, r, dim, index)
 *   t / transpose / permute           -> the inverse permutation of r
 *   view / reshape / flatten /
 *   unsqueeze / squeeze               -> reshape(r, p's shape)
 *   expand                            -> an error: several elements of the
 *                                        view share one element of p
 *
 * until the base, whose value becomes the result. Every other view of the
 * base is then stale (views.c) and re-derived when next read; the written
 * view itself now holds r.
 */
#include "capture/capture_internal.h"

#include <string.h>

/* Refuses a write that cannot go back through `m`'s view chain, before
 * anything is recorded. */
static xp_status check_chain(const xp_capture *c, const xp_op_def *def, xp_cref m) {
    for (const xp_cap_ref *r = xp_cap_ref_get(c, m); xp_cap_is_view(r); r = xp_cap_ref_get(c, r->parent)) {
        int depth;
        xp_status st = xp_cap_ref_depth(c, r, &depth);
        if (st) return st;
        xp_op_id op = xp_cap_graph_at(c, depth)->nodes[r->view_node].op;
        switch (op) {
        case XP_OP_slice:
        case XP_OP_select:
        case XP_OP_t:
        case XP_OP_transpose:
        case XP_OP_permute:
        case XP_OP_view:
        case XP_OP_reshape:
        case XP_OP_flatten:
        case XP_OP_unsqueeze:
        case XP_OP_squeeze: break;
        case XP_OP_expand:
            /* PyTorch's wording (at::assert_no_internal_overlap) */
            return xp_error(XP_ERR_UNSUPPORTED,
                            "%s: unsupported operation: more than one element of the written-to tensor refers to a "
                            "single memory location (it is a view made by expand); clone the tensor before writing "
                            "to it",
                            def->name);
        default:
            return xp_error(XP_ERR_UNSUPPORTED, "%s: writing through a view made by %s is not supported", def->name,
                            xp_op_get(op)->name);
        }
    }
    return XP_OK;
}

/* Writes `src` (the new value of view `view`) into its parent's current
 * value `parent`: the parent's new value. */
static xp_status unview(xp_capture *c, const xp_cap_ref *view, int32_t parent, int32_t src, xp_srcloc loc,
                        int32_t *out) {
    /* the whole chain lives in the current region (xp_cap_check_region_write) */
    const xp_node *n = &xp_cap_graph(c)->nodes[view->view_node];
    xp_narg a[XP_MAX_OP_ARGS];
    switch (n->op) {
    case XP_OP_slice: /* slice(self, dim, start, end, step) */
        a[0] = xp_narg_value(parent);
        a[1] = xp_narg_value(src);
        memcpy(&a[2], &n->args[1], 4 * sizeof *a);
        return xp_cap_add_node(c, XP_OP_slice_scatter, a, 6, loc, out);
    case XP_OP_select: /* select(self, dim, index) */
        a[0] = xp_narg_value(parent);
        a[1] = xp_narg_value(src);
        memcpy(&a[2], &n->args[1], 2 * sizeof *a);
        return xp_cap_add_node(c, XP_OP_select_scatter, a, 4, loc, out);
    case XP_OP_t: /* its own inverse */
        a[0] = xp_narg_value(src);
        return xp_cap_add_node(c, XP_OP_t, a, 1, loc, out);
    case XP_OP_transpose: /* so is transpose(dim0, dim1) */
        a[0] = xp_narg_value(src);
        a[1] = n->args[1];
        a[2] = n->args[2];
        return xp_cap_add_node(c, XP_OP_transpose, a, 3, loc, out);
    case XP_OP_permute: {
        int nd = n->args[1].il.n;
        xp_dim inv[XP_MAX_DIMS];
        for (int i = 0; i < nd; i++) {
            xp_dim d = n->args[1].il.v[i];
            inv[d < 0 ? d + nd : d] = i;
        }
        a[0] = xp_narg_value(src);
        a[1] = xp_narg_ints(nd, inv);
        return xp_cap_add_node(c, XP_OP_permute, a, 2, loc, out);
    }
    default: { /* view, reshape, flatten, unsqueeze, squeeze: back to the parent's shape */
        const xp_meta *pm = &xp_cap_ref_get(c, view->parent)->meta;
        xp_dim shape[XP_MAX_DIMS];
        memcpy(shape, pm->shape, (size_t)pm->ndim * sizeof *shape);
        a[0] = xp_narg_value(src);
        a[1] = xp_narg_ints(pm->ndim, shape);
        return xp_cap_add_node(c, XP_OP_reshape, a, 2, loc, out);
    }
    }
}

/* Makes `r` the new value of reference `m`, and so of its base. */
static xp_status write_back(xp_capture *c, xp_cref m, int32_t r, xp_srcloc loc) {
    int32_t cur = r;
    xp_cref k = m;
    bool permuted = false;
    while (xp_cap_is_view(xp_cap_ref_get(c, k))) {
        const xp_cap_ref *view = xp_cap_ref_get(c, k);
        xp_op_id op = xp_cap_graph(c)->nodes[view->view_node].op;
        permuted |= op == XP_OP_t || op == XP_OP_transpose || op == XP_OP_permute;
        int32_t parent;
        xp_status st = xp_cap_resolve(c, view->parent, loc, &parent);
        if (!st) st = unview(c, view, parent, cur, loc, &cur);
        if (st) return st;
        k = view->parent;
    }
    xp_cap_ref *base = xp_cap_ref_get(c, k);
    base->value = cur;
    base->version++;
    /* without a permutation every link made a contiguous value (the
     * functional result, scatters, reshapes of those) */
    base->strided = permuted;
    if (!base->written) {
        base->written = true;
        base->first_write = loc;
    }
    xp_cap_ref *mr = xp_cap_ref_get(c, m);
    if (mr != base) {
        mr->value = r;
        mr->version = base->version;
    }
    return XP_OK;
}

xp_status xp_cap_functionalize(xp_capture *c, const xp_op_def *def, const xp_carg *args, int nargs, xp_srcloc loc) {
    if (def->functional == XP_OP_NONE)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: mutates its argument and has no functional variant", def->name);
    if (nargs < 1 || args[0].kind != XP_ARG_TENSOR)
        return xp_error(XP_ERR_INVALID_ARG, "%s: argument 0 must be the tensor to write", def->name);
    xp_cref m = args[0].t;
    xp_status st = xp_cap_check_region_write(c, def->name, m);
    if (!st) st = check_chain(c, def, m);
    if (st) return st;

    xp_narg nodeargs[XP_MAX_OP_ARGS];
    if ((st = xp_cap_node_args(c, args, nargs, loc, nodeargs))) return st;
    int32_t r;
    st = xp_cap_add_node(c, def->functional, nodeargs, nargs, loc, &r);
    xp_cap_free_nargs(nodeargs, nargs);
    if (st) return st;

    xp_dtype dt = xp_cap_ref_get(c, m)->meta.dtype;
    if (xp_cap_graph(c)->values[r].meta.dtype != dt) {
        xp_narg cast[2] = {xp_narg_value(r), xp_narg_dtype(dt)};
        if ((st = xp_cap_add_node(c, XP_OP_to, cast, 2, loc, &r))) return st;
    }
    return write_back(c, m, r, loc);
}
