/*
 * View references and their lazy re-derivation.
 *
 * A view remembers the node that first derived it from its parent and the
 * base's version at that moment. A write to any reference of the chain
 * bumps the base's version, which makes every other view of that base
 * stale; reading a stale view replays its derivation — the stale part of
 * the chain, outermost first, each link the same op with the same
 * arguments on its parent's current value — as new nodes. This is
 * PyTorch's functionalization: views are regenerated from the base's
 * latest value instead of being aliases of it.
 *
 * One layout fact leaks into the graph: the interpreter's `view` kernel,
 * like PyTorch's, refuses strides it cannot view. A base written through a
 * transpose or permute gets the inverse permutation of the result as its
 * new value, which the interpreter holds as a strided view, while the
 * eager base it stands for stays contiguous. A `view` of such a base (or
 * of a view of it) is recorded as `reshape`, which equals `view` on values
 * and copies only when strides require it.
 */
#include "capture/capture_internal.h"

#include <stdlib.h>
#include <string.h>

xp_status xp_cap_new_view(xp_capture *c, xp_cref parent, int32_t node, int32_t value, xp_cref *out) {
    xp_cref base = xp_cap_ref_get(c, parent)->base, id;
    xp_status st = xp_cap_new_base(c, value, &id);
    if (st) return st;
    xp_cap_ref *r = xp_cap_ref_get(c, id);
    r->base = base;
    r->parent = parent;
    r->view_node = node;
    r->version = xp_cap_ref_get(c, base)->version;
    *out = id;
    return XP_OK;
}

xp_op_id xp_cap_view_op(const xp_capture *c, xp_op_id op, xp_cref r) {
    if (op != XP_OP_view) return op;
    const xp_cap_ref *ref = xp_cap_ref_get(c, r);
    return ref && xp_cap_ref_get(c, ref->base)->strided ? XP_OP_reshape : op;
}

static bool is_stale(const xp_capture *c, const xp_cap_ref *r) {
    return xp_cap_is_view(r) && r->version != xp_cap_ref_get(c, r->base)->version;
}

/* Re-derives view `id` from its parent's (current) value. */
static xp_status replay(xp_capture *c, xp_cref id, xp_srcloc loc) {
    xp_cap_ref *r = xp_cap_ref_get(c, id);
    const xp_cap_ref *parent = xp_cap_ref_get(c, r->parent);
    int depth, pdepth;
    xp_status st = xp_cap_ref_depth(c, r, &depth);
    if (!st) st = xp_cap_ref_depth(c, parent, &pdepth);
    int32_t pv;
    if (!st) st = xp_cap_lift(c, parent->value, pdepth, depth, &pv);
    if (st) return st;
    xp_graph *g = xp_cap_graph_at(c, depth);
    const xp_node *n = &g->nodes[r->view_node];
    xp_op_id op = xp_cap_view_op(c, n->op, r->parent);
    int nargs = n->nargs;
    /* the node's own arguments (shallow: the builder copies lists), with the
     * parent's current value for `self` */
    xp_narg args[XP_MAX_OP_ARGS];
    memcpy(args, n->args, (size_t)nargs * sizeof *args);
    args[0] = xp_narg_value(pv);
    int32_t v;
    st = xp_cap_add_node_in(g, op, args, nargs, loc, &v);
    if (st) return st;
    r->value = v;
    r->version = xp_cap_ref_get(c, r->base)->version;
    return XP_OK;
}

xp_status xp_cap_resolve(xp_capture *c, xp_cref id, xp_srcloc loc, int32_t *value) {
    xp_cap_ref *r = xp_cap_ref_get(c, id);
    if (!r) return xp_error(XP_ERR_INVALID_ARG, "%d is not a tensor reference of this capture", (int)id);
    int depth;
    xp_status st = xp_cap_ref_depth(c, r, &depth);
    if (st) return st;
    int n = 0;
    for (xp_cref k = id; is_stale(c, xp_cap_ref_get(c, k)); k = xp_cap_ref_get(c, k)->parent) {
        if (n == c->cap_chain) {
            int cap = c->cap_chain ? c->cap_chain * 2 : 16;
            xp_cref *chain = xp_realloc(c->chain, (size_t)cap * sizeof *chain);
            if (!chain) return XP_ERR_OOM;
            c->chain = chain;
            c->cap_chain = cap;
        }
        c->chain[n++] = k;
    }
    for (int i = n - 1; i >= 0; i--) {
        if ((st = replay(c, c->chain[i], loc))) return st;
    }
    /* a value of an enclosing graph is read through the regions' inputs */
    return xp_cap_lift(c, r->value, depth, c->nregions, value);
}
