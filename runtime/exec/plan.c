/*
 * Memory plans: one per distinct binding of symbol values (an LRU of
 * XP_PLAN_CACHE_SIZE per program).
 *
 * Building a plan evaluates every value's concrete shape and every int
 * argument, makes each node output's tensor header, and assigns buffers by
 * liveness: nodes run in order, a buffer is live from the node that makes
 * it to its last use, and a buffer whose last use has passed is free for
 * later nodes (greedy best-fit over one arena, neighbouring free blocks
 * merged). Rules the kernels rely on:
 *  - a node's outputs never share memory with its inputs (a buffer freed
 *    at step i is reused only from step i + 1);
 *  - view-op outputs (XP_OP_VIEW) get no buffer: the kernel points them at
 *    their input's storage, so the root buffer lives until the view's last
 *    use;
 *  - graph outputs keep their buffers to the end of the run (they are
 *    copied out afterwards);
 *  - graph inputs (the caller's tensors, bound weights) are never written:
 *    the graph is functional, so in-place ops are refused here.
 * A cond branch is planned the same way in its own region, placed after
 * the parent's; all branches at one nesting depth share that region since
 * only one branch runs at a time and its buffers die when the cond's
 * outputs have been copied out.
 *
 * Everything a plan holds lives in one pool and one arena, so a run with
 * cached shapes allocates nothing.
 */
#include "exec/xp_exec.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- a bump pool: freed all at once with the plan ---- */

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t used, cap;
    max_align_t data[];
} pool_chunk;

struct xp_plan_pool {
    pool_chunk *head;
};

static void *pool_alloc(struct xp_plan_pool *pool, size_t n, size_t count) {
    size_t bytes;
    if (count && n > SIZE_MAX / count) {
        xp_error(XP_ERR_OOM, "memory plan: allocation size overflows");
        return NULL;
    }
    bytes = n * count;
    bytes = (bytes + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (bytes == 0) bytes = sizeof(max_align_t);
    pool_chunk *c = pool->head;
    if (!c || c->cap - c->used < bytes) {
        size_t cap = bytes > 16384 ? bytes : 16384;
        c = xp_malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = pool->head;
        c->used = 0;
        c->cap = cap;
        pool->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += bytes;
    memset(p, 0, bytes);
    return p;
}

static void pool_free(struct xp_plan_pool *pool) {
    if (!pool) return;
    for (pool_chunk *c = pool->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(pool);
}

/* ---- building ---- */

typedef struct build_ctx {
    const xp_program *p;
    const struct xp_exec_state *s;
    const xp_backend *be;
    struct xp_plan_pool *pool;
} build_ctx;

/* The value of `d` for this plan's symbols; names `what` on failure. */
static xp_status eval_dim(const build_ctx *b, xp_dim d, int64_t *out, const char *what_fmt, const char *name,
                          int index) {
    if (!xp_dim_is_sym(d)) {
        *out = d;
        return XP_OK;
    }
    int syms[16];
    int ns = xp_dim_symbols(b->p->syms, d, syms, 16);
    for (int k = 0; k < ns && k < 16; k++) {
        if (b->s->origin[syms[k]].input >= 0) continue;
        char e[128], what[160];
        xp_dim_format(b->p->syms, d, e, sizeof e);
        snprintf(what, sizeof what, what_fmt, name, index);
        return xp_error(XP_ERR_GUARD, "%s (%s) depends on symbol %s, which no input determines", what, e,
                        xp_sym_name(b->p->syms, syms[k]));
    }
    xp_status st = xp_dim_eval(b->p->syms, d, b->s->symvals, out);
    if (st != XP_OK) {
        char what[160];
        snprintf(what, sizeof what, what_fmt, name, index);
        return xp_error_prefix("%s", what);
    }
    return XP_OK;
}

/* A short description of the symbol values, for messages: "batch = 8". */
static void format_bindings(const build_ctx *b, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < b->s->nsyms; k++) {
        if (b->s->origin[k].input < 0) continue;
        int w = snprintf(buf + used, n - used, "%s%s = %" PRId64, used ? ", " : "", xp_sym_name(b->p->syms, k),
                         b->s->symvals[k]);
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
    }
}

static xp_status make_header(const build_ctx *b, const xp_value *val, xp_tensor *h) {
    int64_t shape[XP_MAX_DIMS];
    for (int d = 0; d < val->meta.ndim; d++) {
        xp_status st = eval_dim(b, val->meta.shape[d], &shape[d], "value %s: dim %d", val->name, d);
        if (st != XP_OK) return st;
        if (shape[d] < 0) {
            char e[128], binds[256];
            xp_dim_format(b->p->syms, val->meta.shape[d], e, sizeof e);
            format_bindings(b, binds, sizeof binds);
            return xp_error(XP_ERR_GUARD, "value %s: dim %d (%s) is %" PRId64 " for %s; the program cannot run on these sizes",
                            val->name, d, e, shape[d], binds);
        }
    }
    memset(h, 0, sizeof *h);
    h->meta.dtype = val->meta.dtype;
    h->meta.ndim = val->meta.ndim;
    for (int d = 0; d < val->meta.ndim; d++) h->meta.shape[d] = shape[d];
    xp_contiguous_strides(val->meta.ndim, shape, h->strides);
    return XP_OK;
}

static xp_status buffer_size(const xp_tensor *h, const char *name, size_t *out) {
    int64_t n = 1;
    for (int d = 0; d < h->meta.ndim; d++)
        if (!xp_i64_mul_checked(n, h->meta.shape[d], &n))
            return xp_error(XP_ERR_OOM, "value %s: element count overflows", name);
    int64_t bytes;
    if (!xp_i64_mul_checked(n, (int64_t)xp_dtype_size(h->meta.dtype), &bytes) ||
        !xp_i64_add_checked(bytes, XP_PLAN_ALIGN - 1, &bytes))
        return xp_error(XP_ERR_OOM, "value %s: size in bytes overflows", name);
    *out = (size_t)(bytes / XP_PLAN_ALIGN * XP_PLAN_ALIGN);
    return XP_OK;
}

/* ---- best-fit allocation over one region ---- */

typedef struct block {
    size_t off, size;
} block;

typedef struct fitter {
    block *free; /* sorted by offset, never adjacent */
    int nfree, cap;
    size_t end;  /* high-water mark */
} fitter;

static size_t fit_alloc(fitter *f, size_t size) {
    if (size == 0) return 0;
    int best = -1;
    for (int k = 0; k < f->nfree; k++)
        if (f->free[k].size >= size && (best < 0 || f->free[k].size < f->free[best].size)) best = k;
    if (best >= 0) {
        size_t off = f->free[best].off;
        f->free[best].off += size;
        f->free[best].size -= size;
        if (f->free[best].size == 0) {
            memmove(&f->free[best], &f->free[best + 1], (size_t)(f->nfree - best - 1) * sizeof(block));
            f->nfree--;
        }
        return off;
    }
    /* no block fits: grow the region, starting inside a free tail block */
    if (f->nfree > 0 && f->free[f->nfree - 1].off + f->free[f->nfree - 1].size == f->end) {
        size_t off = f->free[--f->nfree].off;
        f->end = off + size;
        return off;
    }
    size_t off = f->end;
    f->end += size;
    return off;
}

static void fit_release(fitter *f, size_t off, size_t size) {
    if (size == 0) return;
    int k = 0;
    while (k < f->nfree && f->free[k].off < off) k++;
    bool merge_prev = k > 0 && f->free[k - 1].off + f->free[k - 1].size == off;
    bool merge_next = k < f->nfree && off + size == f->free[k].off;
    if (merge_prev && merge_next) {
        f->free[k - 1].size += size + f->free[k].size;
        memmove(&f->free[k], &f->free[k + 1], (size_t)(f->nfree - k - 1) * sizeof(block));
        f->nfree--;
    } else if (merge_prev) {
        f->free[k - 1].size += size;
    } else if (merge_next) {
        f->free[k].off = off;
        f->free[k].size += size;
    } else {
        memmove(&f->free[k + 1], &f->free[k], (size_t)(f->nfree - k) * sizeof(block));
        f->free[k] = (block){off, size};
        f->nfree++;
    }
}

/* The first tensor argument of a node (a view op's base). */
static int32_t first_tensor_arg(const xp_node *n) {
    for (int k = 0; k < n->nargs; k++)
        if (n->args[k].kind == XP_ARG_TENSOR) return n->args[k].value;
    return -1;
}

/* Assigns offsets in this graph's own region to every buffer (non-view
 * node output). `sizes` holds each buffer's byte size. */
static xp_status assign_buffers(xp_gplan *gp, const size_t *sizes) {
    const xp_graph *g = gp->g;
    int nv = g->nvalues, nn = g->nnodes;
    xp_status st = XP_ERR_OOM;
    int *last = xp_malloc((size_t)nv * sizeof *last);
    int32_t *root = xp_malloc((size_t)nv * sizeof *root);
    int *head = xp_malloc((size_t)(nn + 1) * sizeof *head);
    int *next = xp_malloc((size_t)nv * sizeof *next);
    fitter f = {.free = xp_malloc((size_t)(nv + 1) * sizeof(block)), .cap = nv + 1};
    if (!last || !root || !head || !next || !f.free) goto done;

    for (int v = 0; v < nv; v++) {
        last[v] = g->values[v].producer; /* a dead value dies where it is made */
        root[v] = v;
    }
    for (int i = 0; i < nn; i++) {
        const xp_node *n = &g->nodes[i];
        for (int k = 0; k < n->nargs; k++) {
            const xp_narg *a = &n->args[k];
            if (a->kind == XP_ARG_TENSOR && last[a->value] < i) last[a->value] = i;
            if (a->kind == XP_ARG_TENSOR_LIST)
                for (int j = 0; j < a->vl.n; j++)
                    if (last[a->vl.v[j]] < i) last[a->vl.v[j]] = i;
        }
        if (n->nouts > 0 && gp->is_view[n->outs[0]]) {
            int32_t base = first_tensor_arg(n);
            for (int o = 0; o < n->nouts; o++) root[n->outs[o]] = base >= 0 ? root[base] : n->outs[o];
        }
    }
    for (int o = 0; o < g->noutputs; o++) last[g->outputs[o]] = nn; /* outputs live to the end */
    for (int v = 0; v < nv; v++)
        if (root[v] != v && last[root[v]] < last[v]) last[root[v]] = last[v];

    /* bucket buffers by the step after their last use */
    for (int i = 0; i <= nn; i++) head[i] = -1;
    for (int v = 0; v < nv; v++) {
        if (gp->offset[v] != -2) continue; /* -2 marks "needs a buffer" */
        int free_at = last[v] + 1;
        if (free_at < nn) {
            next[v] = head[free_at];
            head[free_at] = v;
        }
    }
    for (int i = 0; i < nn; i++) {
        for (int v = head[i]; v >= 0; v = next[v]) fit_release(&f, (size_t)gp->offset[v], sizes[v]);
        const xp_node *n = &g->nodes[i];
        for (int o = 0; o < n->nouts; o++) {
            int32_t v = n->outs[o];
            if (gp->offset[v] != -2) continue;
            gp->offset[v] = (int64_t)fit_alloc(&f, sizes[v]);
        }
    }
    gp->own_bytes = f.end;
    st = XP_OK;
done:
    free(last);
    free(root);
    free(head);
    free(next);
    free(f.free);
    return st;
}

static xp_status build_gplan(build_ctx *b, const xp_graph *g, xp_gplan **out);

static xp_status build_node(build_ctx *b, xp_gplan *gp, int i) {
    const xp_graph *g = gp->g;
    const xp_node *n = &g->nodes[i];
    xp_nplan *np = &gp->nodes[i];
    np->node = n;
    np->op = xp_op_get(n->op);
    if (!np->op) return xp_error(XP_ERR_FORMAT, "node %s: unknown op id %d", n->name, (int)n->op);
    const xp_op_def *op = np->op;
    if (op->flags & XP_OP_MUTABLE)
        return xp_error(XP_ERR_UNSUPPORTED, "node %s: in-place op '%s' in an exported graph; graphs are functional (use '%s')",
                        n->name, op->name, op->functional >= 0 ? xp_op_get(op->functional)->name : "its functional form");
    if (n->op == XP_OP_map) {
        /* the body is planned like a branch, in the region after ours; the
         * slices of xs and of the outputs are views set per iteration */
        if (n->nsub != 1 || n->nargs != 2 || n->args[0].kind != XP_ARG_TENSOR_LIST ||
            n->args[1].kind != XP_ARG_TENSOR_LIST)
            return xp_error(XP_ERR_FORMAT, "node %s: malformed control-flow node '%s'", n->name, op->name);
        xp_status st = build_gplan(b, n->sub[0], &np->sub[0]);
        if (st != XP_OK) return xp_error_prefix("node %s (body)", n->name);
        const xp_graph *sg = n->sub[0];
        int nslices = n->args[0].vl.n + n->nouts;
        if (sg->ninputs != n->args[0].vl.n + n->args[1].vl.n || sg->noutputs != n->nouts)
            return xp_error(XP_ERR_FORMAT, "node %s: the body takes %d inputs and returns %d outputs, but the node has %d operands and %d outputs",
                            n->name, sg->ninputs, sg->noutputs, n->args[0].vl.n + n->args[1].vl.n, n->nouts);
        np->slices = pool_alloc(b->pool, sizeof(xp_tensor), (size_t)nslices);
        if (!np->slices) return XP_ERR_OOM;
        memset(np->slices, 0, (size_t)nslices * sizeof(xp_tensor));
    } else if (op->flags & XP_OP_CONTROL) {
        if (n->op != XP_OP_cond || n->nsub != 2 || n->nargs != 2 || n->args[0].kind != XP_ARG_TENSOR ||
            n->args[1].kind != XP_ARG_TENSOR_LIST)
            return xp_error(XP_ERR_FORMAT, "node %s: malformed control-flow node '%s'", n->name, op->name);
        for (int k = 0; k < 2; k++) {
            xp_status st = build_gplan(b, n->sub[k], &np->sub[k]);
            if (st != XP_OK) return xp_error_prefix("node %s (%s branch)", n->name, k == 0 ? "true" : "false");
            const xp_graph *sg = n->sub[k];
            if (sg->ninputs != n->args[1].vl.n || sg->noutputs != n->nouts)
                return xp_error(XP_ERR_FORMAT, "node %s: %s branch takes %d inputs and returns %d outputs, but the node has %d operands and %d outputs",
                                n->name, k == 0 ? "true" : "false", sg->ninputs, sg->noutputs, n->args[1].vl.n, n->nouts);
        }
    } else {
        np->kernel = b->be->kernel(b->be, n->op);
        if (!np->kernel)
            return xp_error(XP_ERR_UNSUPPORTED, "node %s: backend %s has no kernel for op '%s'", n->name, b->be->name,
                            op->name);
    }

    np->args = pool_alloc(b->pool, sizeof(xp_arg), (size_t)n->nargs);
    if (!np->args) return XP_ERR_OOM;
    for (int k = 0; k < n->nargs; k++) {
        const xp_narg *a = &n->args[k];
        xp_arg *dst = &np->args[k];
        dst->kind = a->kind;
        switch (a->kind) {
        case XP_ARG_TENSOR:
        case XP_ARG_TENSOR_LIST: {
            int cnt = a->kind == XP_ARG_TENSOR ? 1 : a->vl.n;
            for (int j = 0; j < cnt; j++) {
                int32_t v = a->kind == XP_ARG_TENSOR ? a->value : a->vl.v[j];
                if (v < 0 || v >= g->nvalues || g->values[v].kind != XP_VAL_TENSOR)
                    return xp_error(XP_ERR_FORMAT, "node %s: argument %d is not a tensor value", n->name, k);
            }
            if (a->kind == XP_ARG_TENSOR_LIST) {
                xp_meta **list = pool_alloc(b->pool, sizeof(xp_meta *), (size_t)a->vl.n);
                if (!list) return XP_ERR_OOM;
                dst->tl.n = a->vl.n;
                dst->tl.v = list; /* filled per run */
            }
            break;
        }
        case XP_ARG_INT: {
            xp_status st = eval_dim(b, a->i, &dst->i, "node %s: argument %d", n->name, k);
            if (st != XP_OK) return st;
            break;
        }
        case XP_ARG_INT_LIST: {
            xp_dim *vals = pool_alloc(b->pool, sizeof(xp_dim), (size_t)a->il.n);
            if (!vals) return XP_ERR_OOM;
            for (int j = 0; j < a->il.n; j++) {
                xp_status st = eval_dim(b, a->il.v[j], &vals[j], "node %s: argument %d", n->name, k);
                if (st != XP_OK) return st;
            }
            dst->il.n = a->il.n;
            dst->il.v = vals;
            break;
        }
        case XP_ARG_FLOAT: dst->f = a->f; break;
        case XP_ARG_BOOL: dst->b = a->b; break;
        case XP_ARG_DTYPE: dst->dt = a->dt; break;
        case XP_ARG_NONE: break;
        }
    }

    np->outs = pool_alloc(b->pool, sizeof(xp_tensor *), (size_t)n->nouts);
    if (!np->outs) return XP_ERR_OOM;
    for (int o = 0; o < n->nouts; o++) {
        int32_t v = n->outs[o];
        np->outs[o] = &gp->hdrs[v];
        gp->vals[v] = &gp->hdrs[v];
        if (op->flags & XP_OP_VIEW) gp->is_view[v] = true;
        else gp->offset[v] = -2; /* needs a buffer */
    }
    return XP_OK;
}

static xp_status build_gplan(build_ctx *b, const xp_graph *g, xp_gplan **out) {
    int nv = g->nvalues;
    size_t nva = (size_t)(nv ? nv : 1);
    xp_gplan *gp = pool_alloc(b->pool, sizeof *gp, 1);
    if (!gp) return XP_ERR_OOM;
    gp->g = g;
    gp->vals = pool_alloc(b->pool, sizeof(xp_tensor *), nva);
    gp->hdrs = pool_alloc(b->pool, sizeof(xp_tensor), nva);
    gp->stors = pool_alloc(b->pool, sizeof(xp_storage), nva);
    gp->offset = pool_alloc(b->pool, sizeof(int64_t), nva);
    gp->is_view = pool_alloc(b->pool, sizeof(bool), nva);
    gp->nodes = pool_alloc(b->pool, sizeof(xp_nplan), (size_t)(g->nnodes ? g->nnodes : 1));
    if (!gp->vals || !gp->hdrs || !gp->stors || !gp->offset || !gp->is_view || !gp->nodes) return XP_ERR_OOM;

    for (int v = 0; v < nv; v++) {
        gp->offset[v] = -1;
        const xp_value *val = &g->values[v];
        if (val->producer < 0 || val->kind != XP_VAL_TENSOR) continue;
        xp_status st = make_header(b, val, &gp->hdrs[v]);
        if (st != XP_OK) return st;
    }
    for (int i = 0; i < g->nnodes; i++) {
        xp_status st = build_node(b, gp, i);
        if (st != XP_OK) return st;
    }

    size_t *sizes = xp_calloc(nva, sizeof *sizes);
    if (!sizes) return XP_ERR_OOM;
    xp_status st = XP_OK;
    for (int v = 0; v < nv && st == XP_OK; v++) {
        if (gp->offset[v] != -2) continue;
        st = buffer_size(&gp->hdrs[v], g->values[v].name, &sizes[v]);
        gp->nbuffers++;
        gp->buffer_bytes += sizes[v];
    }
    if (st == XP_OK) st = assign_buffers(gp, sizes);
    free(sizes);
    if (st != XP_OK) return st;

    size_t sub_max = 0;
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < 2; k++)
            if (gp->nodes[i].sub[k] && gp->nodes[i].sub[k]->total_bytes > sub_max)
                sub_max = gp->nodes[i].sub[k]->total_bytes;
    gp->total_bytes = gp->own_bytes + sub_max;
    *out = gp;
    return XP_OK;
}

/* Points every buffer's storage at its slice of the arena; branches get the
 * region after this graph's own. */
static void bind_region(xp_gplan *gp, char *base, const xp_backend *device) {
    for (int v = 0; v < gp->g->nvalues; v++) {
        if (gp->offset[v] < 0) continue;
        xp_storage *s = &gp->stors[v];
        s->data = base + gp->offset[v];
        s->nbytes = 0; /* set below from the header */
        int64_t numel = xp_shape_numel(gp->hdrs[v].meta.ndim, gp->hdrs[v].meta.shape);
        s->nbytes = (size_t)numel * xp_dtype_size(gp->hdrs[v].meta.dtype);
        s->refcount = 1; /* the plan's reference, never dropped */
        s->owner = XP_STORAGE_EXTERNAL;
        s->device = device;
        s->release = NULL;
        gp->hdrs[v].storage = s;
    }
    for (int i = 0; i < gp->g->nnodes; i++)
        for (int k = 0; k < 2; k++)
            if (gp->nodes[i].sub[k]) bind_region(gp->nodes[i].sub[k], base + gp->own_bytes, device);
}

/* Drops the storage references view headers took during a run. */
static void release_views(xp_gplan *gp) {
    for (int v = 0; v < gp->g->nvalues; v++) {
        if (!gp->is_view[v] || !gp->hdrs[v].storage) continue;
        xp_storage_release(gp->hdrs[v].storage);
        gp->hdrs[v].storage = NULL;
    }
    for (int i = 0; i < gp->g->nnodes; i++)
        for (int k = 0; k < 2; k++)
            if (gp->nodes[i].sub[k]) release_views(gp->nodes[i].sub[k]);
}

void xp_plan_release_views(struct xp_plan *pl) {
    if (pl) release_views(pl->top);
}

void xp_plan_free(struct xp_plan *pl) {
    if (!pl) return;
    if (pl->top) release_views(pl->top);
    if (pl->arena) pl->backend->free(pl->backend, pl->arena);
    free(pl->key);
    pool_free(pl->pool);
    free(pl);
}

static xp_status plan_build(xp_program *p, struct xp_exec_state *s, struct xp_plan **out) {
    const xp_backend *be = xp_exec_backend(p);
    struct xp_plan *pl = xp_calloc(1, sizeof *pl);
    if (!pl) return XP_ERR_OOM;
    pl->backend = be;
    pl->nsyms = s->nsyms;
    pl->key = xp_malloc((size_t)(s->nsyms ? s->nsyms : 1) * sizeof(int64_t));
    pl->pool = xp_calloc(1, sizeof *pl->pool);
    if (!pl->key || !pl->pool) {
        xp_plan_free(pl);
        return XP_ERR_OOM;
    }
    if (s->nsyms) memcpy(pl->key, s->symvals, (size_t)s->nsyms * sizeof(int64_t));

    build_ctx b = {.p = p, .s = s, .be = be, .pool = pl->pool};
    xp_status st = build_gplan(&b, p->graph, &pl->top);
    if (st == XP_OK) {
        /* at least one aligned block, so empty buffers still point somewhere */
        pl->arena_bytes = pl->top->total_bytes ? pl->top->total_bytes : XP_PLAN_ALIGN;
        st = be->alloc(be, pl->arena_bytes, &pl->arena);
        if (st != XP_OK) {
            pl->arena = NULL;
            if (!xp_error_pending())
                xp_error(XP_ERR_OOM, "cannot allocate %zu bytes for the memory plan", pl->arena_bytes);
        }
    }
    if (st != XP_OK) {
        pl->top = NULL; /* nothing in it holds references yet */
        xp_plan_free(pl);
        return st;
    }
    bind_region(pl->top, pl->arena, be == xp_backend_cpu() ? NULL : be);
    *out = pl;
    return XP_OK;
}

xp_status xp_plan_get(xp_program *p, struct xp_exec_state *s, struct xp_plan **out) {
    const xp_backend *be = xp_exec_backend(p);
    for (int i = 0; i < s->nplans; i++) {
        struct xp_plan *pl = s->plans[i];
        if (pl->backend != be || pl->nsyms != s->nsyms ||
            (s->nsyms && memcmp(pl->key, s->symvals, (size_t)s->nsyms * sizeof(int64_t)) != 0))
            continue;
        memmove(&s->plans[1], &s->plans[0], (size_t)i * sizeof s->plans[0]);
        s->plans[0] = pl;
        s->stats.plan_hits++;
        *out = pl;
        return XP_OK;
    }
    struct xp_plan *pl;
    xp_status st = plan_build(p, s, &pl);
    if (st != XP_OK) return st;
    if (s->nplans == XP_PLAN_CACHE_SIZE) {
        xp_plan_free(s->plans[--s->nplans]);
        s->stats.plans_evicted++;
    }
    memmove(&s->plans[1], &s->plans[0], (size_t)s->nplans * sizeof s->plans[0]);
    s->plans[0] = pl;
    s->nplans++;
    s->stats.plans_built++;
    *out = pl;
    return XP_OK;
}
