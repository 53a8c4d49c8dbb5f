/*
 * Structured control flow during capture: cond branches and map bodies
 * (torch.cond / torch's map, as torch.export traces them).
 *
 * A region is an open cond or map. Ops called inside it are recorded into
 * its subgraph; every reference remembers the region its value lives in
 * (an id; 0 is the program's graph). Reading a tensor of an enclosing
 * region lifts it: the enclosing value becomes an operand of the node (once
 * per region, however often it is read) and a placeholder of the subgraph,
 * level by level when regions nest — torch.cond's handling of closed-over
 * tensors. Each cond branch is a region of its own, so the false branch
 * cannot read what the true branch computed, and references made inside a
 * region are dead once it ends.
 *
 * Writing a tensor from outside the innermost region is refused, as
 * torch.cond refuses branches that mutate their inputs: the write would
 * have to happen on one path only (cond) or once per slice (map), which a
 * functional graph cannot say.
 */
#include "capture/capture_internal.h"
#include "ir/ir_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *region_word(const xp_cap_region *r) {
    if (r->is_map) return "the body of map";
    return r->branch ? "the false branch of cond" : "the true branch of cond";
}

xp_graph *xp_cap_graph(const xp_capture *c) {
    return c->nregions ? c->regions[c->nregions - 1].graph : c->p->graph;
}

uint32_t xp_cap_region_id(const xp_capture *c) { return c->nregions ? c->regions[c->nregions - 1].id : 0; }

xp_graph *xp_cap_graph_at(const xp_capture *c, int depth) {
    return depth == 0 ? c->p->graph : c->regions[depth - 1].graph;
}

xp_status xp_cap_ref_depth(const xp_capture *c, const xp_cap_ref *r, int *depth) {
    if (r->region == 0) {
        *depth = 0;
        return XP_OK;
    }
    for (int j = 0; j < c->nregions; j++)
        if (c->regions[j].id == r->region) {
            *depth = j + 1;
            return XP_OK;
        }
    return xp_error(XP_ERR_INVALID_ARG,
                    "a tensor computed inside a cond branch or map body is used outside it; return it from the "
                    "branch or body instead");
}

/* ---- lifting ---- */

static xp_status reserve_ops(xp_cap_region *r) {
    if (r->nops < r->cap_ops) return XP_OK;
    int cap = r->cap_ops ? r->cap_ops * 2 : 8;
    int32_t *ops = xp_realloc(r->ops, (size_t)cap * sizeof *ops);
    if (!ops) return XP_ERR_OOM;
    r->ops = ops;
    for (int k = 0; k < 2; k++) {
        int32_t *in = xp_realloc(r->inner[k], (size_t)cap * sizeof *in);
        if (!in) return XP_ERR_OOM;
        r->inner[k] = in;
    }
    r->cap_ops = cap;
    return XP_OK;
}

/* A placeholder of `g` standing for `outer` (a value of graph `og`), named
 * after it. */
static xp_status add_placeholder(xp_graph *g, const xp_graph *og, int32_t outer, const char *suffix, int drop_lead,
                                 int32_t *out) {
    const xp_value *ov = &og->values[outer];
    xp_meta m = ov->meta;
    if (drop_lead) {
        for (int d = 1; d < m.ndim; d++) m.shape[d - 1] = m.shape[d];
        m.ndim--;
    }
    char name[256 + 32];
    snprintf(name, sizeof name, "%s%s", ov->name, suffix);
    for (int k = 1; xp_graph_find_value(g, name) >= 0; k++) snprintf(name, sizeof name, "%s%s_%d", ov->name, suffix, k);
    return xp_graph_add_input(g, name, &m, out);
}

/* `v` of the enclosing graph as a placeholder of region r's current graph. */
static xp_status lift_one(xp_capture *c, int depth, int32_t v, int32_t *out) {
    xp_cap_region *r = &c->regions[depth - 1];
    int b = r->is_map ? 0 : r->branch;
    int i = 0;
    while (i < r->nops && r->ops[i] != v) i++;
    if (i < r->nops && r->inner[b][i] >= 0) {
        *out = r->inner[b][i];
        return XP_OK;
    }
    if (i == r->nops) {
        xp_status st = reserve_ops(r);
        if (st) return st;
        r->ops[i] = v;
        r->inner[0][i] = r->inner[1][i] = -1;
        r->nops++;
    }
    xp_status st = add_placeholder(r->graph, xp_cap_graph_at(c, depth - 1), v, "", 0, &r->inner[b][i]);
    if (!st) *out = r->inner[b][i];
    return st;
}

xp_status xp_cap_lift(xp_capture *c, int32_t v, int from, int to, int32_t *out) {
    for (int d = from + 1; d <= to; d++) {
        xp_status st = lift_one(c, d, v, &v);
        if (st) return st;
    }
    *out = v;
    return XP_OK;
}

/* ---- writes ---- */

xp_status xp_cap_check_region_write(xp_capture *c, const char *opname, xp_cref m) {
    if (!c->nregions) return XP_OK;
    const xp_cap_ref *r = xp_cap_ref_get(c, m);
    if (!r) return xp_error(XP_ERR_INVALID_ARG, "%s: %d is not a tensor reference of this capture", opname, (int)m);
    const xp_cap_ref *base = xp_cap_ref_get(c, r->base);
    int depth;
    xp_status st = xp_cap_ref_depth(c, base, &depth);
    if (st) return xp_error_prefix("%s", opname);
    if (depth == c->nregions) return XP_OK;
    const xp_graph *g = xp_cap_graph_at(c, depth);
    const char *name = base->placeholder >= 0 ? c->p->graph->values[base->placeholder].name : g->values[base->value].name;
    const xp_cap_region *reg = &c->regions[c->nregions - 1];
    return xp_error(XP_ERR_UNSUPPORTED,
                    "%s: %s writes '%s', a tensor from outside it; %s must not mutate inputs (write to a clone, or "
                    "write after the %s)",
                    opname, region_word(reg), name, reg->is_map ? "a map body" : "cond branches",
                    reg->is_map ? "map" : "cond");
}

/* ---- opening and closing ---- */

static void region_free(xp_cap_region *r) {
    xp_graph_free(r->sub[0]);
    xp_graph_free(r->sub[1]);
    free(r->xs);
    free(r->ops);
    free(r->inner[0]);
    free(r->inner[1]);
    memset(r, 0, sizeof *r);
}

void xp_cap_regions_free(xp_capture *c) {
    while (c->nregions > 0) region_free(&c->regions[--c->nregions]);
    free(c->regions);
    c->regions = NULL;
    c->cap_regions = 0;
}

void xp_capture_region_abort(xp_capture *c) {
    if (!c) return;
    while (c->nregions > 0) region_free(&c->regions[--c->nregions]);
}

static xp_status check_open(const xp_capture *c, const char *fn) {
    if (!c) return xp_error(XP_ERR_INVALID_ARG, "%s: capture is NULL", fn);
    if (c->finished) return xp_error(XP_ERR_INVALID_ARG, "%s: the capture is already finished", fn);
    return XP_OK;
}

/* Pushes a region with `nsub` fresh subgraphs. */
static xp_status push_region(xp_capture *c, bool is_map, xp_srcloc loc, xp_cap_region **out) {
    if (c->nregions >= XP_IR_MAX_DEPTH)
        return xp_error(XP_ERR_UNSUPPORTED, "cond and map regions nest deeper than %d", XP_IR_MAX_DEPTH);
    if (c->nregions == c->cap_regions) {
        int cap = c->cap_regions ? c->cap_regions * 2 : 4;
        xp_cap_region *rs = xp_realloc(c->regions, (size_t)cap * sizeof *rs);
        if (!rs) return XP_ERR_OOM;
        c->regions = rs;
        c->cap_regions = cap;
    }
    xp_cap_region *r = &c->regions[c->nregions];
    memset(r, 0, sizeof *r);
    r->is_map = is_map;
    r->loc = loc;
    for (int k = 0; k < (is_map ? 1 : 2); k++) {
        if (!(r->sub[k] = xp_graph_new_sub(c->p))) {
            region_free(r);
            return XP_ERR_OOM;
        }
        r->ids[k] = ++c->next_region;
    }
    r->graph = r->sub[0];
    r->id = r->ids[0];
    c->nregions++;
    *out = r;
    return XP_OK;
}

/* Pops the innermost region, handing its subgraphs to the caller. */
static xp_cap_region pop_region(xp_capture *c) {
    xp_cap_region r = c->regions[--c->nregions];
    return r;
}

static void release_region(xp_cap_region *r) {
    free(r->xs);
    free(r->ops);
    free(r->inner[0]);
    free(r->inner[1]);
}

static bool one_element(const xp_symctx *ctx, const xp_meta *m) {
    for (int d = 0; d < m->ndim; d++)
        if (m->shape[d] != 1 && xp_dim_eq(ctx, m->shape[d], 1) != XP_YES) return false;
    return true;
}

xp_status xp_capture_cond_begin(xp_capture *c, xp_cref pred, xp_srcloc loc) {
    xp_status st = check_open(c, "xp_capture_cond_begin");
    if (st) return st;
    const xp_cap_ref *pr = xp_cap_ref_get(c, pred);
    if (!pr) return xp_error(XP_ERR_INVALID_ARG, "cond: the predicate %d is not a tensor reference of this capture",
                             (int)pred);
    if (pr->meta.dtype != XP_BOOL || !one_element(c->p->syms, &pr->meta)) {
        char m[128];
        xp_meta_format(c->p, &pr->meta, m, sizeof m);
        return xp_error(pr->meta.dtype != XP_BOOL ? XP_ERR_DTYPE : XP_ERR_SHAPE,
                        "cond: the predicate must be a one-element bool tensor, not %s (compare sizes with sym_eq, "
                        "sym_le or sym_lt)",
                        m);
    }
    int32_t pv;
    if ((st = xp_cap_resolve(c, pred, loc, &pv))) return xp_error_prefix("cond: predicate");
    xp_cap_region *r;
    if ((st = push_region(c, false, loc, &r))) return st;
    r->pred = pv;
    return XP_OK;
}

xp_status xp_capture_cond_else(xp_capture *c) {
    xp_status st = check_open(c, "xp_capture_cond_else");
    if (st) return st;
    if (!c->nregions || c->regions[c->nregions - 1].is_map)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_cond_else: no cond is open");
    xp_cap_region *r = &c->regions[c->nregions - 1];
    if (r->branch) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_cond_else: the cond is already in its false branch");
    r->branch = 1;
    r->graph = r->sub[1];
    r->id = r->ids[1];
    return XP_OK;
}

/* Resolves `n` branch outputs in branch `b` of the innermost cond. */
static xp_status branch_values(xp_capture *c, int b, int n, const xp_cref *refs, int32_t *vals) {
    xp_cap_region *r = &c->regions[c->nregions - 1];
    int saved = r->branch;
    r->branch = b;
    r->graph = r->sub[b];
    r->id = r->ids[b];
    xp_status st = XP_OK;
    for (int i = 0; i < n && !st; i++) {
        if ((st = xp_cap_resolve(c, refs[i], r->loc, &vals[i])))
            xp_error_prefix("cond: output %d of the %s branch", i, b ? "false" : "true");
    }
    r->branch = saved;
    r->graph = r->sub[saved];
    r->id = r->ids[saved];
    return st;
}

/* The first difference between two metas ("dtype", "rank", "dim 1"), or
 * NULL when they are (symbolically) equal. */
static const char *meta_diff(const xp_symctx *ctx, const xp_meta *a, const xp_meta *b, char *buf, size_t n) {
    if (a->dtype != b->dtype) return "dtype";
    if (a->ndim != b->ndim) return "rank";
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d] && xp_dim_eq(ctx, a->shape[d], b->shape[d]) != XP_YES) {
            snprintf(buf, n, "size of dim %d", d);
            return buf;
        }
    return NULL;
}

xp_status xp_capture_cond_end(xp_capture *c, int n, const xp_cref *true_outs, const xp_cref *false_outs,
                              xp_cref *outs) {
    xp_status st = check_open(c, "xp_capture_cond_end");
    if (st) return st;
    if (!c->nregions || c->regions[c->nregions - 1].is_map)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_cond_end: no cond is open");
    xp_cap_region *r = &c->regions[c->nregions - 1];
    if (!r->branch) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_cond_end: the false branch was not started (xp_capture_cond_else)");
    if (n < 1) return xp_error(XP_ERR_INVALID_ARG, "cond: the branches must return at least one tensor");
    if (n > 64) return xp_error(XP_ERR_UNSUPPORTED, "cond: the branches return %d tensors (at most 64)", n);
    if (!true_outs || !false_outs || !outs)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_cond_end: the output lists are required");
    for (int i = 0; i < n; i++) {
        const xp_cap_ref *t = xp_cap_ref_get(c, true_outs[i]), *f = xp_cap_ref_get(c, false_outs[i]);
        if (!t || !f)
            return xp_error(XP_ERR_INVALID_ARG, "cond: output %d of the %s branch is not a tensor reference", i,
                            t ? "false" : "true");
        char buf[32], a[128], b[128];
        const char *what = meta_diff(c->p->syms, &t->meta, &f->meta, buf, sizeof buf);
        if (what) {
            xp_meta_format(c->p, &t->meta, a, sizeof a);
            xp_meta_format(c->p, &f->meta, b, sizeof b);
            return xp_error(t->meta.dtype != f->meta.dtype ? XP_ERR_DTYPE : XP_ERR_SHAPE,
                            "cond: output %d differs between the branches (%s): %s in the true branch, %s in the false "
                            "branch; both branches must return tensors of the same dtype and shape",
                            i, what, a, b);
        }
    }
    int32_t tv[64], fv[64];
    if ((st = branch_values(c, 0, n, true_outs, tv)) || (st = branch_values(c, 1, n, false_outs, fv))) return st;
    /* every operand an input of both branches, in operand order */
    const xp_graph *parent = xp_cap_graph_at(c, c->nregions - 1);
    for (int i = 0; i < r->nops && !st; i++)
        for (int k = 0; k < 2 && !st; k++)
            if (r->inner[k][i] < 0) st = add_placeholder(r->sub[k], parent, r->ops[i], "", 0, &r->inner[k][i]);
    if (st) return st;
    for (int k = 0; k < 2; k++) {
        if (r->sub[k]->ninputs != r->nops) XP_BUG("cond region: a branch has inputs that are not operands");
        memcpy(r->sub[k]->inputs, r->inner[k], (size_t)r->nops * sizeof(int32_t));
    }
    if ((st = xp_graph_set_outputs(r->sub[0], n, tv)) || (st = xp_graph_set_outputs(r->sub[1], n, fv))) return st;
    xp_cap_region done = pop_region(c);
    xp_graph *g = xp_cap_graph(c);
    int32_t vals[64];
    /* takes the branches, also when it fails */
    st = xp_graph_add_cond(g, done.pred, done.nops, done.ops, done.sub[0], done.sub[1], done.loc, vals);
    release_region(&done);
    for (int i = 0; i < n && !st; i++) st = xp_cap_new_base(c, vals[i], &outs[i]);
    return st;
}

xp_status xp_capture_map_begin(xp_capture *c, int n_xs, const xp_cref *xs, xp_srcloc loc, xp_cref *slices) {
    xp_status st = check_open(c, "xp_capture_map_begin");
    if (st) return st;
    if (n_xs < 1 || !xs || !slices) return xp_error(XP_ERR_INVALID_ARG, "map: needs at least one tensor to map over");
    const xp_meta *m0 = NULL;
    for (int i = 0; i < n_xs; i++) {
        const xp_cap_ref *x = xp_cap_ref_get(c, xs[i]);
        if (!x) return xp_error(XP_ERR_INVALID_ARG, "map: xs %d is not a tensor reference of this capture", i);
        char a[128], b[128];
        xp_meta_format(c->p, &x->meta, a, sizeof a);
        if (x->meta.ndim < 1) return xp_error(XP_ERR_SHAPE, "map: xs %d is %s; map needs a leading dim to map over", i, a);
        if (!m0) {
            m0 = &x->meta;
        } else if (x->meta.shape[0] != m0->shape[0] && xp_dim_eq(c->p->syms, x->meta.shape[0], m0->shape[0]) != XP_YES) {
            xp_meta_format(c->p, m0, b, sizeof b);
            return xp_error(XP_ERR_SHAPE, "map: xs %d is %s but xs 0 is %s; the leading sizes must be equal", i, a, b);
        }
    }
    int32_t *vals = xp_calloc((size_t)n_xs, sizeof *vals);
    if (!vals) return XP_ERR_OOM;
    for (int i = 0; i < n_xs && !st; i++)
        if ((st = xp_cap_resolve(c, xs[i], loc, &vals[i]))) xp_error_prefix("map: xs %d", i);
    xp_cap_region *r = NULL;
    if (!st) st = push_region(c, true, loc, &r);
    if (st) {
        free(vals);
        return st;
    }
    r->n_xs = n_xs;
    r->xs = vals;
    const xp_graph *parent = xp_cap_graph_at(c, c->nregions - 1);
    for (int i = 0; i < n_xs && !st; i++) {
        int32_t in;
        st = add_placeholder(r->graph, parent, vals[i], "_slice", 1, &in);
        if (!st) st = xp_cap_new_base(c, in, &slices[i]);
    }
    if (st) {
        region_free(&c->regions[--c->nregions]);
        return st;
    }
    return XP_OK;
}

xp_status xp_capture_map_end(xp_capture *c, int n, const xp_cref *body_outs, xp_cref *outs) {
    xp_status st = check_open(c, "xp_capture_map_end");
    if (st) return st;
    if (!c->nregions || !c->regions[c->nregions - 1].is_map)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_map_end: no map is open");
    if (n < 1) return xp_error(XP_ERR_INVALID_ARG, "map: the body must return at least one tensor");
    if (n > 64) return xp_error(XP_ERR_UNSUPPORTED, "map: the body returns %d tensors (at most 64)", n);
    if (!body_outs || !outs) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_map_end: the output lists are required");
    xp_cap_region *r = &c->regions[c->nregions - 1];
    int32_t vals[64];
    for (int i = 0; i < n && !st; i++)
        if ((st = xp_cap_resolve(c, body_outs[i], r->loc, &vals[i]))) xp_error_prefix("map: output %d of the body", i);
    if (!st) st = xp_graph_set_outputs(r->graph, n, vals);
    if (st) return st;
    xp_cap_region done = pop_region(c);
    /* takes the body, also when it fails */
    st = xp_graph_add_map(xp_cap_graph(c), done.n_xs, done.xs, done.nops, done.ops, done.sub[0], done.loc, vals);
    release_region(&done);
    for (int i = 0; i < n && !st; i++) st = xp_cap_new_base(c, vals[i], &outs[i]);
    return st;
}
