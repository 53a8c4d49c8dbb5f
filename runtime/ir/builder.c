/*
 * The graph builder: the one way values and nodes enter a graph, shared by
 * the Clang plugin, the run-time tracer, the decomposer and the .xpg
 * reader. Every node is checked against its op's schema and gets its
 * output dtype and (symbolic) shape from the op's shape function, so a
 * graph built here is well-typed by construction; xp_program_verify
 * re-checks the same facts for graphs that came from elsewhere.
 *
 * Value names follow torch.fx: a node's output is named after its op
 * ("add"), then "add_1", "add_2", ... — unique across the whole program,
 * subgraphs included, so printed graphs are unambiguous. Names given
 * explicitly (inputs, and nodes read from a file) need only be unique
 * within their graph.
 */
#include "ir/ir_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- string map ---- */

static uint64_t str_hash(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int strmap_slot(const xp_strmap *m, const char *key) {
    size_t mask = (size_t)m->cap - 1, i = (size_t)str_hash(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & mask;
    return (int)i;
}

int32_t *xp_strmap_get(const xp_strmap *m, const char *key) {
    if (!m || m->cap == 0 || !key) return NULL;
    int i = strmap_slot(m, key);
    return m->keys[i] ? &m->vals[i] : NULL;
}

static xp_status strmap_grow(xp_strmap *m) {
    if (m->cap > (1 << 29)) return xp_error(XP_ERR_OOM, "name table too large");
    xp_strmap bigger = {.cap = m->cap ? m->cap * 2 : 16, .n = m->n};
    bigger.keys = xp_calloc((size_t)bigger.cap, sizeof *bigger.keys);
    bigger.vals = xp_calloc((size_t)bigger.cap, sizeof *bigger.vals);
    if (!bigger.keys || !bigger.vals) {
        free(bigger.keys);
        free(bigger.vals);
        return XP_ERR_OOM;
    }
    for (int i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        int j = strmap_slot(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = bigger;
    return XP_OK;
}

xp_status xp_strmap_put(xp_strmap *m, const char *key, int32_t val) {
    if ((m->n + 1) * 2 > m->cap) {
        xp_status st = strmap_grow(m);
        if (st) return st;
    }
    int i = strmap_slot(m, key);
    if (!m->keys[i]) {
        char *copy = xp_strdup(key);
        if (!copy) return XP_ERR_OOM;
        m->keys[i] = copy;
        m->n++;
    }
    m->vals[i] = val;
    return XP_OK;
}

void xp_strmap_clear(xp_strmap *m) {
    if (!m) return;
    for (int i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- names ---- */

#define XP_MAX_NAME 255

bool xp_ir_is_identifier(const char *s) {
    if (!s || !s[0]) return false;
    size_t n = 0;
    for (const char *c = s; *c; c++, n++) {
        bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
        bool digit = *c >= '0' && *c <= '9';
        if (!alpha && !(digit && c != s)) return false;
    }
    return n <= XP_MAX_NAME;
}

bool xp_ir_is_target(const char *s) {
    if (!s || !s[0]) return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c <= ' ' || *c >= 0x7f) return false;
    return true;
}

void xp_ir_names_free(xp_program *p) {
    if (p->sig_index) {
        xp_sig_index_clear(p->sig_index);
        free(p->sig_index);
        p->sig_index = NULL;
    }
    if (!p->names) return;
    xp_strmap_clear(p->names);
    free(p->names);
    p->names = NULL;
}

static xp_status name_register(xp_program *p, const char *name) {
    if (xp_strmap_get(p->names, name)) return XP_OK;
    return xp_strmap_put(p->names, name, 0);
}

/* A name not used anywhere in the program: `base`, else base_1, base_2...
 * The base's entry remembers the last suffix handed out. */
static char *name_fresh(xp_program *p, const char *base) {
    int32_t *last = xp_strmap_get(p->names, base);
    if (!last) return name_register(p, base) == XP_OK ? xp_strdup(base) : NULL;
    char buf[XP_MAX_NAME + 16];
    int32_t k = *last;
    do {
        k++;
        snprintf(buf, sizeof buf, "%s_%d", base, (int)k);
    } while (xp_strmap_get(p->names, buf));
    if (name_register(p, buf) != XP_OK) return NULL;
    *xp_strmap_get(p->names, base) = k; /* re-fetched: the insert may have rehashed */
    return xp_strdup(buf);
}

int32_t xp_graph_find_value(const xp_graph *g, const char *name) {
    if (!g || !name) return -1;
    /* every name the builder hands out or accepts is in the program's
     * index: a name never used anywhere needs no scan */
    if (g->prog && g->prog->names && !xp_strmap_get(g->prog->names, name)) return -1;
    for (int i = 0; i < g->nvalues; i++)
        if (g->values[i].name && strcmp(g->values[i].name, name) == 0) return i;
    return -1;
}

/* True when `g` already has a value called `name`. */
static bool graph_has_name(const xp_graph *g, const char *name) { return xp_graph_find_value(g, name) >= 0; }

/* ---- shared checks ---- */

xp_status xp_ir_check_meta(const xp_meta *m) {
    if ((unsigned)m->dtype >= XP_DTYPE_COUNT) return xp_error(XP_ERR_DTYPE, "invalid dtype %d", (int)m->dtype);
    if (m->ndim < 0 || m->ndim > XP_MAX_DIMS)
        return xp_error(XP_ERR_SHAPE, "rank %d is outside [0, %d]", m->ndim, XP_MAX_DIMS);
    for (int d = 0; d < m->ndim; d++) {
        if (!xp_dim_is_valid(m->shape[d])) return xp_error(XP_ERR_SHAPE, "dim %d is invalid", d);
        if (!xp_dim_is_sym(m->shape[d]) && m->shape[d] < 0)
            return xp_error(XP_ERR_SHAPE, "dim %d has negative size %lld", d, (long long)m->shape[d]);
    }
    return XP_OK;
}

bool xp_ir_meta_equal(const xp_symctx *ctx, const xp_meta *a, const xp_meta *b) {
    if (a->dtype != b->dtype || a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d] && xp_dim_eq(ctx, a->shape[d], b->shape[d]) != XP_YES) return false;
    return true;
}

/* "%add" for a node's output, "x" for a graph input (as printed). */
static void value_ref(const xp_graph *g, int32_t id, char *buf, size_t n) {
    if (id < 0 || id >= g->nvalues || !g->values[id].name)
        snprintf(buf, n, "<value %d>", (int)id);
    else
        snprintf(buf, n, "%s%s", g->values[id].producer >= 0 ? "%" : "", g->values[id].name);
}

static xp_status check_value(const xp_graph *g, int32_t id, const bool *defined, const char *what) {
    if (id < 0 || id >= g->nvalues)
        return xp_error(XP_ERR_INVALID_ARG, "%s: %d is not a value of this graph", what, (int)id);
    char ref[XP_MAX_NAME + 16];
    value_ref(g, id, ref, sizeof ref);
    if (defined && !defined[id]) return xp_error(XP_ERR_INVALID_ARG, "%s uses %s before it is defined", what, ref);
    if (g->values[id].kind != XP_VAL_TENSOR)
        return xp_error(XP_ERR_INVALID_ARG, "%s: %s is an integer, not a tensor", what, ref);
    return XP_OK;
}

void xp_ir_free_arg_lists(xp_meta **lists[XP_MAX_OP_ARGS]) {
    for (int i = 0; i < XP_MAX_OP_ARGS; i++) {
        free(lists[i]);
        lists[i] = NULL;
    }
}

xp_status xp_ir_args_to_xp(const xp_graph *g, const xp_op_def *def, const xp_narg *args, int n, const bool *defined,
                           xp_arg *out, xp_meta **lists[XP_MAX_OP_ARGS]) {
    memset(lists, 0, XP_MAX_OP_ARGS * sizeof *lists);
    if (n < 0 || n > XP_MAX_OP_ARGS)
        return xp_error(XP_ERR_INVALID_ARG, "%d arguments (at most %d)", n, XP_MAX_OP_ARGS);
    const xp_schema *s = def->schema;
    for (int i = 0; i < n; i++) {
        const xp_narg *a = &args[i];
        char what[64];
        if (s && i < s->nargs)
            snprintf(what, sizeof what, "argument '%s'", s->args[i].name);
        else
            snprintf(what, sizeof what, "argument %d", i);
        xp_status st = XP_OK;
        memset(&out[i], 0, sizeof out[i]);
        out[i].kind = a->kind;
        switch (a->kind) {
        case XP_ARG_TENSOR:
            st = check_value(g, a->value, defined, what);
            if (!st) out[i].t = (xp_meta *)&g->values[a->value].meta;
            break;
        case XP_ARG_TENSOR_LIST: {
            if (a->vl.n < 0 || (a->vl.n > 0 && !a->vl.v)) {
                st = xp_error(XP_ERR_INVALID_ARG, "%s: malformed tensor list", what);
                break;
            }
            xp_meta **v = xp_calloc((size_t)a->vl.n + 1, sizeof *v);
            if (!v) {
                xp_ir_free_arg_lists(lists);
                return XP_ERR_OOM;
            }
            lists[i] = v;
            for (int k = 0; k < a->vl.n && !st; k++) {
                char item[80];
                snprintf(item, sizeof item, "%s[%d]", what, k);
                st = check_value(g, a->vl.v[k], defined, item);
                if (!st) v[k] = (xp_meta *)&g->values[a->vl.v[k]].meta;
            }
            out[i].tl.n = a->vl.n;
            out[i].tl.v = v;
            break;
        }
        case XP_ARG_INT:
            if (!xp_dim_is_valid(a->i)) st = xp_error(XP_ERR_INVALID_ARG, "%s: invalid integer", what);
            out[i].i = a->i;
            break;
        case XP_ARG_INT_LIST:
            if (a->il.n < 0 || (a->il.n > 0 && !a->il.v)) {
                st = xp_error(XP_ERR_INVALID_ARG, "%s: malformed integer list", what);
                break;
            }
            for (int k = 0; k < a->il.n && !st; k++)
                if (!xp_dim_is_valid(a->il.v[k])) st = xp_error(XP_ERR_INVALID_ARG, "%s[%d]: invalid integer", what, k);
            out[i].il.n = a->il.n;
            out[i].il.v = a->il.v;
            break;
        case XP_ARG_FLOAT: out[i].f = a->f; break;
        case XP_ARG_BOOL: out[i].b = a->b; break;
        case XP_ARG_DTYPE:
            if ((unsigned)a->dt >= XP_DTYPE_COUNT)
                st = xp_error(XP_ERR_DTYPE, "%s: invalid dtype %d", what, (int)a->dt);
            out[i].dt = a->dt;
            break;
        case XP_ARG_NONE: break;
        default: st = xp_error(XP_ERR_INVALID_ARG, "%s: invalid argument kind %d", what, (int)a->kind); break;
        }
        if (st) {
            xp_ir_free_arg_lists(lists);
            return st;
        }
    }
    return XP_OK;
}

/* The value whose meta `m` points at (the binder hands back our pointers). */
static int32_t meta_to_value(const xp_graph *g, const xp_meta *m) {
    if (!m || g->nvalues == 0) return -1;
    uintptr_t base = (uintptr_t)&g->values[0].meta, q = (uintptr_t)m;
    if (q < base || (q - base) % sizeof(xp_value) != 0) return -1;
    uintptr_t id = (q - base) / sizeof(xp_value);
    return id < (uintptr_t)g->nvalues ? (int32_t)id : -1;
}

static void nargs_free(xp_narg *args, int n) {
    if (!args) return;
    for (int i = 0; i < n; i++) {
        if (args[i].kind == XP_ARG_TENSOR_LIST)
            free(args[i].vl.v);
        else if (args[i].kind == XP_ARG_INT_LIST)
            free(args[i].il.v);
    }
    free(args);
}

/* Converts the binder's complete argument list back to stored form. */
static xp_status store_args(const xp_graph *g, const xp_op_def *def, const xp_arg *full, int n, xp_narg **out) {
    xp_narg *args = xp_calloc((size_t)n + 1, sizeof *args);
    if (!args) return XP_ERR_OOM;
    for (int i = 0; i < n; i++) {
        const xp_arg *a = &full[i];
        args[i].kind = a->kind;
        switch (a->kind) {
        case XP_ARG_TENSOR:
            args[i].value = meta_to_value(g, a->t);
            if (args[i].value < 0) goto foreign;
            break;
        case XP_ARG_TENSOR_LIST:
            args[i].vl.n = a->tl.n;
            args[i].vl.v = xp_calloc((size_t)a->tl.n + 1, sizeof(int32_t));
            if (!args[i].vl.v) goto oom;
            for (int k = 0; k < a->tl.n; k++)
                if ((args[i].vl.v[k] = meta_to_value(g, a->tl.v[k])) < 0) goto foreign;
            break;
        case XP_ARG_INT: args[i].i = a->i; break;
        case XP_ARG_INT_LIST:
            args[i].il.n = a->il.n;
            args[i].il.v = xp_calloc((size_t)a->il.n + 1, sizeof(xp_dim));
            if (!args[i].il.v) goto oom;
            if (a->il.n) memcpy(args[i].il.v, a->il.v, (size_t)a->il.n * sizeof(xp_dim));
            break;
        case XP_ARG_FLOAT: args[i].f = a->f; break;
        case XP_ARG_BOOL: args[i].b = a->b; break;
        case XP_ARG_DTYPE: args[i].dt = a->dt; break;
        case XP_ARG_NONE: break;
        default: goto foreign;
        }
    }
    *out = args;
    return XP_OK;
foreign:
    nargs_free(args, n);
    return xp_error(XP_ERR_INTERNAL, "%s: the schema binder returned an argument that is not a graph value", def->name);
oom:
    nargs_free(args, n);
    return XP_ERR_OOM;
}

/* ---- growing a graph ---- */

static xp_status reserve(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return XP_OK;
    if (need > (1 << 28)) return xp_error(XP_ERR_OOM, "graph too large (%d entries)", need);
    int ncap = *cap ? *cap : 16;
    while (ncap < need) ncap *= 2;
    void *p = xp_realloc(*arr, (size_t)ncap * elem);
    if (!p) return XP_ERR_OOM;
    *arr = p;
    *cap = ncap;
    return XP_OK;
}

static xp_status reserve_values(xp_graph *g, int extra) {
    return reserve((void **)&g->values, &g->cap_values, g->nvalues + extra, sizeof *g->values);
}

static xp_status reserve_nodes(xp_graph *g, int extra) {
    return reserve((void **)&g->nodes, &g->cap_nodes, g->nnodes + extra, sizeof *g->nodes);
}

/* Appends to a plain array sized exactly `*n` (used for inputs/outputs). */
static xp_status append_i32(int32_t **arr, int n, int32_t v) {
    int32_t *p = xp_realloc(*arr, (size_t)(n + 1) * sizeof *p);
    if (!p) return XP_ERR_OOM;
    p[n] = v;
    *arr = p;
    return XP_OK;
}

/* Adds a value no node produces (a graph input, or a SYMINT output's
 * size) named `name` (already checked). */
static xp_status add_free_value(xp_graph *g, const char *name, xp_value_kind kind, const xp_meta *meta, xp_dim sym,
                                int32_t *out_value) {
    char *copy = xp_strdup(name);
    if (!copy || reserve_values(g, 1) || name_register(g->prog, name)) {
        free(copy);
        return XP_ERR_OOM;
    }
    xp_value *v = &g->values[g->nvalues];
    memset(v, 0, sizeof *v);
    v->name = copy;
    v->kind = kind;
    if (meta) v->meta = *meta;
    v->sym = sym;
    v->producer = -1;
    v->out_index = 0;
    if (out_value) *out_value = g->nvalues;
    g->nvalues++;
    return XP_OK;
}

/* Adds a placeholder value (graph input) named `name` (already checked). */
static xp_status add_placeholder(xp_graph *g, const char *name, xp_value_kind kind, const xp_meta *meta, xp_dim sym,
                                 int32_t *out_value) {
    /* the slot first: add_free_value is the step that cannot be undone */
    if (append_i32(&g->inputs, g->ninputs, g->nvalues)) return XP_ERR_OOM;
    xp_status st = add_free_value(g, name, kind, meta, sym, out_value);
    if (st == XP_OK) g->ninputs++;
    return st;
}

/* Names for a new node's outputs: the given ones (checked) or fresh ones. */
static xp_status node_names(xp_graph *g, const char *opname, const char *const *given, int nouts, char **names) {
    for (int k = 0; k < nouts; k++) {
        if (given) {
            if (!xp_ir_is_identifier(given[k]))
                return xp_error(XP_ERR_INVALID_ARG, "%s: output name '%s' is not an identifier", opname,
                                given[k] ? given[k] : "(null)");
            bool dup = graph_has_name(g, given[k]);
            for (int j = 0; j < k && !dup; j++) dup = strcmp(given[j], given[k]) == 0;
            if (dup) return xp_error(XP_ERR_INVALID_ARG, "%s: value '%s' is defined twice", opname, given[k]);
        }
    }
    for (int k = 0; k < nouts; k++) {
        if (given)
            names[k] = name_register(g->prog, given[k]) == XP_OK ? xp_strdup(given[k]) : NULL;
        else
            names[k] = name_fresh(g->prog, opname);
        if (!names[k]) {
            for (int j = 0; j < k; j++) free(names[j]);
            return XP_ERR_OOM;
        }
    }
    return XP_OK;
}

/* Appends a node owning `args` and `subs` (on success only) whose outputs
 * have metas `metas`. */
static xp_status commit_node(xp_graph *g, xp_op_id op, const char *opname, xp_narg *args, int nargs, xp_srcloc loc,
                             xp_graph **subs, int nsub, const xp_meta *metas, int nouts, const char *const *given,
                             int32_t *out_values) {
    char *names[64];
    if (nouts < 1 || nouts > 64) return xp_error(XP_ERR_UNSUPPORTED, "%s: %d outputs are not supported", opname, nouts);
    xp_status st = node_names(g, opname, given, nouts, names);
    if (st) return st;
    int32_t *outs = xp_calloc((size_t)nouts, sizeof *outs);
    xp_graph **sub = nsub ? xp_calloc((size_t)nsub, sizeof *sub) : NULL;
    char *node_name = xp_strdup(names[0]);
    if (!outs || (nsub && !sub) || !node_name || reserve_values(g, nouts) || reserve_nodes(g, 1)) {
        for (int k = 0; k < nouts; k++) free(names[k]);
        free(outs);
        free(sub);
        free(node_name);
        return XP_ERR_OOM;
    }
    int32_t node_index = g->nnodes;
    for (int k = 0; k < nouts; k++) {
        xp_value *v = &g->values[g->nvalues];
        memset(v, 0, sizeof *v);
        v->name = names[k];
        v->kind = XP_VAL_TENSOR;
        v->meta = metas[k];
        v->producer = node_index;
        v->out_index = k;
        outs[k] = g->nvalues++;
        if (out_values) out_values[k] = outs[k];
    }
    for (int k = 0; k < nsub; k++) sub[k] = subs[k];
    xp_node *n = &g->nodes[g->nnodes++];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->name = node_name;
    n->nargs = nargs;
    n->args = args;
    n->nouts = nouts;
    n->outs = outs;
    n->loc = loc;
    n->nsub = nsub;
    n->sub = sub;
    return XP_OK;
}

/* ---- public builder ---- */

int xp_ir_op_nouts(xp_op_id op) {
    const xp_op_def *def = xp_op_get(op); /* NULL for an unknown id; custom ops have ids >= XP_OP_COUNT */
    if (!def || !def->schema || (def->flags & (XP_OP_CONTROL | XP_OP_MUTABLE))) return -1;
    const xp_schema *s = def->schema;
    if (s->nrets < 1 || s->nrets > XP_MAX_OP_RETS) return -1;
    for (int k = 0; k < s->nrets; k++)
        if (s->rets[k].kind != XP_ARG_TENSOR) return -1;
    return s->nrets;
}

static xp_status check_op_for_graph(xp_op_id op, const xp_op_def **out) {
    const xp_op_def *def = xp_op_get(op);
    if (!def) return xp_error(XP_ERR_INVALID_ARG, "unknown op id %d", (int)op);
    if (!def->schema) return xp_error(XP_ERR_INTERNAL, "op %d has no parsed schema", (int)op);
    if (def->flags & XP_OP_CONTROL)
        return xp_error(XP_ERR_INVALID_ARG, "%s: control-flow nodes are added with xp_graph_add_cond", def->name);
    if (def->flags & XP_OP_MUTABLE) {
        const xp_op_def *fn = def->functional != XP_OP_NONE ? xp_op_get(def->functional) : NULL;
        return xp_error(XP_ERR_INVALID_ARG, "%s: mutates its argument; a graph holds only functional ops%s%s%s",
                        def->name, fn ? " (use '" : "", fn ? fn->name : "", fn ? "')" : "");
    }
    if (xp_ir_op_nouts(op) < 0)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: only ops returning tensors can be graph nodes", def->name);
    *out = def;
    return XP_OK;
}

/* `given`: the output metas of a custom op (from its meta function or a
 * program file); NULL infers them with the op's shape function. */
static xp_status add_node(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                          const char *const *names, int nnames, const xp_meta *given_metas, int32_t *out_values) {
    if (!g || !g->prog) return xp_error(XP_ERR_INVALID_ARG, "xp_graph_add_node: graph is NULL");
    const xp_op_def *def = NULL;
    xp_status st = check_op_for_graph(op, &def);
    if (st) return st;
    bool custom = (def->flags & XP_OP_CUSTOM) != 0;
    if (custom && !given_metas)
        return xp_error(XP_ERR_INVALID_ARG, "%s: a custom op node is added with xp_graph_add_custom_node, "
                        "with the output metas of its meta function", def->name);
    if (!custom && given_metas)
        return xp_error(XP_ERR_INVALID_ARG, "%s: is not a custom op; its output metas come from its shape function",
                        def->name);
    const xp_schema *s = def->schema;
    if (nargs < 0 || nargs > XP_MAX_OP_ARGS || (nargs > 0 && !args))
        return xp_error(XP_ERR_INVALID_ARG, "%s: takes at most %d arguments, %d given", def->name, s->nargs, nargs);
    int nouts = s->nrets;
    if (names && nnames != nouts)
        return xp_error(XP_ERR_INVALID_ARG, "%s: has %d output%s, %d named", def->name, nouts, nouts == 1 ? "" : "s",
                        nnames);

    xp_arg given[XP_MAX_OP_ARGS], full[XP_MAX_OP_ARGS];
    xp_meta **lists[XP_MAX_OP_ARGS];
    xp_meta metas[XP_MAX_OP_RETS];
    memset(full, 0, sizeof full);
    memset(metas, 0, sizeof metas);
    st = xp_ir_args_to_xp(g, def, args, nargs, NULL, given, lists);
    if (st) return st == XP_ERR_OOM ? st : xp_error_prefix("%s", def->name);
    st = xp_schema_bind(def, given, nargs, full);
    if (!st && given_metas) {
        for (int k = 0; k < nouts; k++) metas[k] = given_metas[k];
    } else if (!st) {
        st = xp_op_infer_shape(def, g->prog->syms, full, metas);
    }
    for (int k = 0; k < nouts && !st; k++) {
        if (xp_ir_check_meta(&metas[k]) != XP_OK) {
            if (given_metas) {
                st = xp_error_prefix("%s: output %d", def->name, k);
                break;
            }
            xp_error_prefix("%s: the shape function returned a bad output %d", def->name, k);
            st = xp_error(XP_ERR_INTERNAL, "%s", xp_last_error());
        }
    }
    xp_narg *stored = NULL;
    if (!st) st = store_args(g, def, full, s->nargs, &stored);
    xp_ir_free_arg_lists(lists);
    if (st) return st;
    /* a custom op's values are named after the op without its namespace, as torch.export does */
    const char *base = custom && strstr(def->name, "::") ? strstr(def->name, "::") + 2 : def->name;
    st = commit_node(g, op, base, stored, s->nargs, loc, NULL, 0, metas, nouts, names, out_values);
    if (st) nargs_free(stored, s->nargs);
    return st;
}

xp_status xp_graph_add_node_named(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                                  const char *const *names, int nnames, int32_t *out_values) {
    return add_node(g, op, args, nargs, loc, names, nnames, NULL, out_values);
}

xp_status xp_graph_add_custom_node(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, const xp_meta *metas,
                                   int nouts, xp_srcloc loc, const char *const *names, int32_t *out_values) {
    const xp_op_def *def = xp_op_get(op);
    if (!metas) return xp_error(XP_ERR_INVALID_ARG, "xp_graph_add_custom_node: metas are required");
    if (def && def->schema && nouts != def->schema->nrets)
        return xp_error(XP_ERR_INVALID_ARG, "%s: has %d output%s, %d metas given", def->name, def->schema->nrets,
                        def->schema->nrets == 1 ? "" : "s", nouts);
    return add_node(g, op, args, nargs, loc, names, nouts, metas, out_values);
}

xp_status xp_graph_add_node(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                            int32_t *out_values) {
    return xp_graph_add_node_named(g, op, args, nargs, loc, NULL, 0, out_values);
}

xp_status xp_ir_check_cond(const xp_graph *g, int32_t pred, int n_operands, const int32_t *operands, const xp_graph *tb,
                           const xp_graph *fb) {
    const xp_symctx *ctx = g->prog->syms;
    char ref[XP_MAX_NAME + 16], a[128], b[128];
    xp_status st = check_value(g, pred, NULL, "predicate");
    if (st) return st;
    const xp_meta *pm = &g->values[pred].meta;
    bool one = pm->dtype == XP_BOOL;
    for (int d = 0; d < pm->ndim && one; d++) one = pm->shape[d] == 1 || xp_dim_eq(ctx, pm->shape[d], 1) == XP_YES;
    if (!one) {
        value_ref(g, pred, ref, sizeof ref);
        xp_meta_format(g->prog, pm, a, sizeof a);
        return xp_error(XP_ERR_DTYPE, "predicate %s must be a one-element bool tensor, not %s", ref, a);
    }
    if (n_operands < 0 || (n_operands > 0 && !operands)) return xp_error(XP_ERR_INVALID_ARG, "malformed operand list");
    for (int i = 0; i < n_operands; i++) {
        char what[32];
        snprintf(what, sizeof what, "operand %d", i);
        if ((st = check_value(g, operands[i], NULL, what))) return st;
    }
    if (!tb || !fb) return xp_error(XP_ERR_INVALID_ARG, "a branch is NULL");
    if (tb == fb) return xp_error(XP_ERR_INVALID_ARG, "both branches are the same graph");
    const xp_graph *br[2] = {tb, fb};
    static const char *const which[2] = {"true", "false"};
    for (int k = 0; k < 2; k++) {
        const xp_graph *s = br[k];
        if (s->prog != g->prog || s == g || s == g->prog->graph)
            return xp_error(XP_ERR_INVALID_ARG, "the %s branch is not a subgraph of this program", which[k]);
        if (s->ninputs != n_operands)
            return xp_error(XP_ERR_INVALID_ARG, "the %s branch takes %d input%s but there %s %d operand%s", which[k],
                            s->ninputs, s->ninputs == 1 ? "" : "s", n_operands == 1 ? "is" : "are", n_operands,
                            n_operands == 1 ? "" : "s");
        for (int i = 0; i < n_operands; i++) {
            int32_t in = s->inputs[i];
            if (in < 0 || in >= s->nvalues || s->values[in].kind != XP_VAL_TENSOR)
                return xp_error(XP_ERR_INVALID_ARG, "the %s branch's input %d is not a tensor value", which[k], i);
            const xp_meta *om = &g->values[operands[i]].meta;
            if (!xp_ir_meta_equal(ctx, &s->values[in].meta, om)) {
                value_ref(g, operands[i], ref, sizeof ref);
                xp_meta_format(g->prog, &s->values[in].meta, a, sizeof a);
                xp_meta_format(g->prog, om, b, sizeof b);
                return xp_error(XP_ERR_SHAPE, "the %s branch's input %d (%s) is %s but operand %d (%s) is %s", which[k],
                                i, s->values[in].name, a, i, ref, b);
            }
        }
        for (int i = 0; i < s->noutputs; i++) {
            int32_t o = s->outputs[i];
            if (o < 0 || o >= s->nvalues || s->values[o].kind != XP_VAL_TENSOR)
                return xp_error(XP_ERR_INVALID_ARG, "the %s branch's output %d is not a tensor value", which[k], i);
        }
    }
    if (tb->noutputs != fb->noutputs)
        return xp_error(XP_ERR_SHAPE, "the branches return different numbers of tensors: %d (true) and %d (false)",
                        tb->noutputs, fb->noutputs);
    if (tb->noutputs < 1) return xp_error(XP_ERR_INVALID_ARG, "the branches return no tensor");
    if (tb->noutputs > 64)
        return xp_error(XP_ERR_UNSUPPORTED, "the branches return %d tensors (at most 64)", tb->noutputs);
    for (int i = 0; i < tb->noutputs; i++) {
        const xp_meta *tm = &tb->values[tb->outputs[i]].meta, *fm = &fb->values[fb->outputs[i]].meta;
        if (!xp_ir_meta_equal(ctx, tm, fm)) {
            xp_meta_format(g->prog, tm, a, sizeof a);
            xp_meta_format(g->prog, fm, b, sizeof b);
            return xp_error(tm->dtype != fm->dtype ? XP_ERR_DTYPE : XP_ERR_SHAPE,
                            "output %d differs between the branches: %s (true) and %s (false)", i, a, b);
        }
    }
    return XP_OK;
}

xp_status xp_graph_add_cond_named(xp_graph *g, int32_t pred, int n_operands, const int32_t *operands,
                                  xp_graph *true_branch, xp_graph *false_branch, xp_srcloc loc,
                                  const char *const *names, int nnames, int32_t *out_values) {
    xp_status st = XP_OK;
    xp_narg *args = NULL;
    if (!g || !g->prog)
        st = xp_error(XP_ERR_INVALID_ARG, "xp_graph_add_cond: graph is NULL");
    else if ((st = xp_ir_check_cond(g, pred, n_operands, operands, true_branch, false_branch)))
        xp_error_prefix("cond");
    else if (names && nnames != true_branch->noutputs)
        st = xp_error(XP_ERR_INVALID_ARG, "cond: has %d outputs, %d named", true_branch->noutputs, nnames);
    if (!st) {
        args = xp_calloc(2, sizeof *args);
        int32_t *ops = args ? xp_calloc((size_t)n_operands + 1, sizeof *ops) : NULL;
        if (!ops) {
            free(args);
            args = NULL;
            st = XP_ERR_OOM;
        } else {
            if (n_operands) memcpy(ops, operands, (size_t)n_operands * sizeof *ops);
            args[0] = xp_narg_value(pred);
            args[1] = xp_narg_values(n_operands, ops);
        }
    }
    if (!st) {
        int nouts = true_branch->noutputs;
        xp_meta metas[64];
        for (int i = 0; i < nouts; i++) metas[i] = true_branch->values[true_branch->outputs[i]].meta;
        xp_graph *subs[2] = {true_branch, false_branch};
        st = commit_node(g, XP_OP_cond, "cond", args, 2, loc, subs, 2, metas, nouts, names, out_values);
        if (!st) return XP_OK;
        nargs_free(args, 2);
    }
    /* the branches are ours either way, when they are free subgraphs of
     * this program (never free the program's graph or `g` itself) */
    xp_graph *br[2] = {true_branch, true_branch != false_branch ? false_branch : NULL};
    for (int k = 0; k < 2; k++)
        if (br[k] && g && br[k]->prog == g->prog && br[k] != g && br[k] != g->prog->graph) xp_graph_free(br[k]);
    return st;
}

xp_status xp_graph_add_cond(xp_graph *g, int32_t pred, int n_operands, const int32_t *operands, xp_graph *true_branch,
                            xp_graph *false_branch, xp_srcloc loc, int32_t *out_values) {
    return xp_graph_add_cond_named(g, pred, n_operands, operands, true_branch, false_branch, loc, NULL, 0, out_values);
}

xp_status xp_graph_add_input(xp_graph *g, const char *name, const xp_meta *meta, int32_t *out_value) {
    if (!g || !g->prog || !meta) return xp_error(XP_ERR_INVALID_ARG, "xp_graph_add_input: graph or meta is NULL");
    if (g == g->prog->graph)
        return xp_error(XP_ERR_INVALID_ARG, "input '%s': the program's graph takes inputs through xp_program_add_input",
                        name ? name : "(null)");
    if (!xp_ir_is_identifier(name))
        return xp_error(XP_ERR_INVALID_ARG, "input name '%s' is not an identifier", name ? name : "(null)");
    if (graph_has_name(g, name)) return xp_error(XP_ERR_INVALID_ARG, "input '%s' is defined twice", name);
    if (xp_ir_check_meta(meta)) return xp_error_prefix("input '%s'", name);
    return add_placeholder(g, name, XP_VAL_TENSOR, meta, 0, out_value);
}

xp_status xp_graph_set_outputs(xp_graph *g, int n, const int32_t *values) {
    if (!g || !g->prog) return xp_error(XP_ERR_INVALID_ARG, "xp_graph_set_outputs: graph is NULL");
    if (g == g->prog->graph)
        return xp_error(XP_ERR_INVALID_ARG, "the program's graph returns values through xp_program_add_output");
    if (n < 0 || (n > 0 && !values)) return xp_error(XP_ERR_INVALID_ARG, "xp_graph_set_outputs: malformed list");
    for (int i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "output %d", i);
        xp_status st = check_value(g, values[i], NULL, what);
        if (st) return st;
    }
    int32_t *outs = xp_calloc((size_t)n + 1, sizeof *outs);
    if (!outs) return XP_ERR_OOM;
    if (n) memcpy(outs, values, (size_t)n * sizeof *outs);
    free(g->outputs);
    g->outputs = outs;
    g->noutputs = n;
    return XP_OK;
}

/* ---- the signature index ---- */

static bool kind_has_target(xp_input_kind k) {
    return k == XP_IN_PARAMETER || k == XP_IN_BUFFER || k == XP_IN_CONSTANT;
}

/* 0 and 1 for the mutation outputs (ix->mutated), -1 for the others. */
static int mutation_slot(xp_output_kind k) {
    return k == XP_OUT_USER_INPUT_MUTATION ? 0 : k == XP_OUT_BUFFER_MUTATION ? 1 : -1;
}

/* Remembers the first entry with each key. */
static xp_status index_first(xp_strmap *m, const char *key, int32_t i) {
    if (!key || xp_strmap_get(m, key)) return XP_OK;
    return xp_strmap_put(m, key, i);
}

xp_status xp_sig_index_add_input(xp_sig_index *ix, const xp_program *p) {
    xp_status st = index_first(&ix->targets, p->sig_in[ix->nin].target, ix->nin);
    if (!st) ix->nin++;
    return st;
}

xp_status xp_sig_index_add_output(xp_sig_index *ix, const xp_program *p) {
    const xp_sig_output *o = &p->sig_out[ix->nout];
    int slot = mutation_slot(o->kind);
    xp_status st = slot >= 0 ? index_first(&ix->mutated[slot], o->target, ix->nout) : XP_OK;
    if (!st) ix->nout++;
    return st;
}

void xp_sig_index_clear(xp_sig_index *ix) {
    xp_strmap_clear(&ix->targets);
    xp_strmap_clear(&ix->mutated[0]);
    xp_strmap_clear(&ix->mutated[1]);
    ix->nin = ix->nout = 0;
}

/* Indexes sig_in[0, upto) afresh; false when out of memory. Only a full
 * re-index is safe once the index is behind: the entries it has not seen
 * need not be the last ones (the capture reorders the signature). */
static bool reindex_inputs(xp_sig_index *ix, const xp_program *p, int upto) {
    xp_strmap_clear(&ix->targets);
    ix->nin = 0;
    while (ix->nin < upto)
        if (xp_sig_index_add_input(ix, p)) return false;
    return true;
}

static bool reindex_outputs(xp_sig_index *ix, const xp_program *p, int upto) {
    xp_strmap_clear(&ix->mutated[0]);
    xp_strmap_clear(&ix->mutated[1]);
    ix->nout = 0;
    while (ix->nout < upto)
        if (xp_sig_index_add_output(ix, p)) return false;
    return true;
}

/* The program's own index, covering its whole signature: the builder
 * indexes each entry as it adds it, so this re-indexes only after the
 * signature grew some other way (or after running out of memory). NULL
 * when out of memory: the checks then scan. */
static xp_sig_index *program_sig_index(xp_program *p) {
    if (!p->sig_index && !(p->sig_index = xp_calloc(1, sizeof *p->sig_index))) return NULL;
    xp_sig_index *ix = p->sig_index;
    if ((ix->nin != p->nsig_in && !reindex_inputs(ix, p, p->nsig_in)) ||
        (ix->nout != p->nsig_out && !reindex_outputs(ix, p, p->nsig_out))) {
        xp_sig_index_clear(ix);
        return NULL;
    }
    return ix;
}

/* Indexes the entry just appended, keeping the index whole (when that
 * fails, the count tells program_sig_index to re-index). */
static void index_new_input(xp_program *p) {
    if (p->sig_index && p->sig_index->nin == p->nsig_in - 1) (void)xp_sig_index_add_input(p->sig_index, p);
}

static void index_new_output(xp_program *p) {
    if (p->sig_index && p->sig_index->nout == p->nsig_out - 1) (void)xp_sig_index_add_output(p->sig_index, p);
}

static bool has_target(const char *t, const char *target) { return t && strcmp(t, target) == 0; }

/* The first of sig_in[0, upto) whose target is `target`, or -1: from `ix`
 * (re-indexed when it does not cover exactly those inputs), else by a scan.
 * A hit that does not check out (the signature was reordered since, as the
 * capture does when it finishes) re-indexes once; a reordering keeps the
 * set of targets, so a miss needs no check. */
static int first_input_with_target(const xp_program *p, xp_sig_index *ix, int upto, const char *target) {
    if (ix && (ix->nin == upto || reindex_inputs(ix, p, upto))) {
        int32_t *j = xp_strmap_get(&ix->targets, target);
        if (!j) return -1;
        if (*j < upto && has_target(p->sig_in[*j].target, target)) return *j;
        if (reindex_inputs(ix, p, upto)) return (j = xp_strmap_get(&ix->targets, target)) ? *j : -1;
    }
    if (ix) reindex_inputs(ix, p, 0); /* out of memory: drop it, scan */
    for (int i = 0; i < upto; i++)
        if (has_target(p->sig_in[i].target, target)) return i;
    return -1;
}

int xp_program_input_by_target(const xp_program *p, const char *target) {
    if (!p || !target) return -1;
    return first_input_with_target(p, p->sig_index, p->nsig_in, target);
}

/* ---- the program's signature ---- */

xp_status xp_ir_check_sig_input(const xp_program *p, xp_input_kind kind, const char *name, bool is_symint,
                                const char *target, xp_sig_index *ix) {
    if ((unsigned)kind > XP_IN_SYMINT)
        return xp_error(XP_ERR_INVALID_ARG, "input '%s': invalid kind %d", name, (int)kind);
    const char *kn = xp_input_kind_name(kind);
    if ((kind == XP_IN_SYMINT) != is_symint)
        return xp_error(XP_ERR_INVALID_ARG,
                        is_symint ? "input '%s' is an integer; its kind must be SYMINT, not %s"
                                  : "input '%s' is a tensor; its kind cannot be %s",
                        name, kn);
    if (kind_has_target(kind)) {
        if (!xp_ir_is_target(target))
            return xp_error(XP_ERR_INVALID_ARG, "input '%s': a %s needs a target (its weight name), got '%s'", name, kn,
                            target ? target : "(null)");
        int upto = ix ? ix->nin : p->nsig_in;
        int dup = first_input_with_target(p, ix, upto, target);
        if (dup >= 0 && !kind_has_target(p->sig_in[dup].kind)) { /* a hand-made signature: scan */
            dup = -1;
            for (int i = 0; i < upto && dup < 0; i++)
                if (kind_has_target(p->sig_in[i].kind) && has_target(p->sig_in[i].target, target)) dup = i;
        }
        if (dup >= 0)
            return xp_error(XP_ERR_INVALID_ARG, "input '%s': target '%s' is already input '%s'", name, target,
                            p->graph->values[p->sig_in[dup].value].name);
    } else if (target) {
        return xp_error(XP_ERR_INVALID_ARG, "input '%s': a %s has no target, got '%s'", name, kn, target);
    }
    return XP_OK;
}

xp_status xp_ir_check_sig_output(const xp_program *p, xp_output_kind kind, int32_t value, const char *target,
                                 xp_sig_index *ix) {
    const xp_graph *g = p->graph;
    char ref[XP_MAX_NAME + 16];
    if (value < 0 || value >= g->nvalues)
        return xp_error(XP_ERR_INVALID_ARG, "output: %d is not a value of the program's graph", (int)value);
    value_ref(g, value, ref, sizeof ref);
    if ((unsigned)kind > XP_OUT_BUFFER_MUTATION)
        return xp_error(XP_ERR_INVALID_ARG, "output %s: invalid kind %d", ref, (int)kind);
    const char *kn = xp_output_kind_name(kind);
    if (kind != XP_OUT_USER_OUTPUT && g->values[value].kind == XP_VAL_SYMINT)
        return xp_error(XP_ERR_INVALID_ARG, "output %s: an integer can only be a USER_OUTPUT, not a %s", ref, kn);
    if (kind == XP_OUT_USER_OUTPUT) {
        /* optional: the struct field it is returned in */
        if (target && !xp_ir_is_target(target))
            return xp_error(XP_ERR_INVALID_ARG, "output %s: USER_OUTPUT field name '%s' is not valid", ref, target);
        return XP_OK;
    }
    if (!target) return xp_error(XP_ERR_INVALID_ARG, "output %s: a %s needs a target", ref, kn);
    /* USER_INPUT_MUTATION names the input; BUFFER_MUTATION the buffer's target */
    xp_input_kind want = kind == XP_OUT_USER_INPUT_MUTATION ? XP_IN_USER_INPUT : XP_IN_BUFFER;
    int found = -1;
    if (want == XP_IN_BUFFER) {
        /* the first input with this target is the only candidate, unless
         * the signature repeats a target (hand-made; the scan decides) */
        int j = first_input_with_target(p, ix, p->nsig_in, target);
        if (j < 0) found = -2;
        else if (p->sig_in[j].kind == XP_IN_BUFFER && p->sig_in[j].value >= 0 && p->sig_in[j].value < g->nvalues)
            found = j;
    }
    for (int i = 0; i < p->nsig_in && found == -1; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        if (in->kind != want || in->value < 0 || in->value >= g->nvalues) continue;
        const char *key = want == XP_IN_BUFFER ? in->target : g->values[in->value].name;
        if (key && strcmp(key, target) == 0) found = i;
    }
    if (found < 0)
        return xp_error(XP_ERR_INVALID_ARG, "output %s: %s target '%s' names no %s input", ref, kn, target,
                        xp_input_kind_name(want));
    if (g->values[value].kind != XP_VAL_TENSOR)
        return xp_error(XP_ERR_INVALID_ARG, "output %s: a %s must be a tensor", ref, kn);
    const xp_meta *im = &g->values[p->sig_in[found].value].meta, *om = &g->values[value].meta;
    if (!xp_ir_meta_equal(p->syms, im, om)) {
        char a[128], b[128];
        xp_meta_format(p, om, a, sizeof a);
        xp_meta_format(p, im, b, sizeof b);
        return xp_error(XP_ERR_SHAPE, "output %s: %s writes %s into '%s' of type %s", ref, kn, a, target, b);
    }
    int upto = ix ? ix->nout : p->nsig_out;
    int32_t *dup = ix ? xp_strmap_get(&ix->mutated[mutation_slot(kind)], target) : NULL;
    if (dup && *dup < upto && p->sig_out[*dup].kind == kind && has_target(p->sig_out[*dup].target, target))
        return xp_error(XP_ERR_INVALID_ARG, "output %s: '%s' is mutated twice", ref, target);
    if (ix && !dup) return XP_OK;
    for (int i = 0; i < upto; i++) /* no index, or it did not check out */
        if (p->sig_out[i].kind == kind && has_target(p->sig_out[i].target, target))
            return xp_error(XP_ERR_INVALID_ARG, "output %s: '%s' is mutated twice", ref, target);
    return XP_OK;
}

/* Grows sig_in and weights by one entry each (kept the same length). */
static xp_status grow_sig_in(xp_program *p) {
    xp_sig_input *s = xp_realloc(p->sig_in, (size_t)(p->nsig_in + 1) * sizeof *s);
    if (!s) return XP_ERR_OOM;
    p->sig_in = s;
    xp_tensor **w = xp_realloc(p->weights, (size_t)(p->nsig_in + 1) * sizeof *w);
    if (!w) return XP_ERR_OOM;
    p->weights = w;
    p->weights[p->nsig_in] = NULL;
    return XP_OK;
}

static xp_status add_sig_input(xp_program *p, xp_input_kind kind, const char *name, const char *target,
                               xp_value_kind vkind, const xp_meta *meta, xp_dim sym, int32_t *out_value) {
    if (!xp_ir_is_identifier(name))
        return xp_error(XP_ERR_INVALID_ARG, "input name '%s' is not an identifier", name ? name : "(null)");
    if (graph_has_name(p->graph, name)) return xp_error(XP_ERR_INVALID_ARG, "input '%s' is defined twice", name);
    xp_status st = xp_ir_check_sig_input(p, kind, name, vkind == XP_VAL_SYMINT, target, program_sig_index(p));
    if (st) return st;
    char *tcopy = target ? xp_strdup(target) : NULL;
    if ((target && !tcopy) || grow_sig_in(p)) {
        free(tcopy);
        return XP_ERR_OOM;
    }
    int32_t id;
    if ((st = add_placeholder(p->graph, name, vkind, meta, sym, &id))) {
        free(tcopy);
        return st;
    }
    p->sig_in[p->nsig_in++] = (xp_sig_input){.kind = kind, .value = id, .target = tcopy};
    index_new_input(p);
    if (out_value) *out_value = id;
    return XP_OK;
}

xp_status xp_program_add_input(xp_program *p, xp_input_kind kind, const char *name, const char *target, xp_dtype dt,
                               int ndim, const xp_dim *shape, int32_t *out_value) {
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_input: program is NULL");
    if (kind == XP_IN_SYMINT)
        return xp_error(XP_ERR_INVALID_ARG, "input '%s': SYMINT inputs are added with xp_program_add_symint_input",
                        name ? name : "(null)");
    if (ndim < 0 || ndim > XP_MAX_DIMS || (ndim > 0 && !shape))
        return xp_error(XP_ERR_SHAPE, "input '%s': rank %d is outside [0, %d]", name ? name : "(null)", ndim,
                        XP_MAX_DIMS);
    xp_meta m = {.dtype = dt, .ndim = ndim};
    for (int d = 0; d < ndim; d++) m.shape[d] = shape[d];
    if (xp_ir_check_meta(&m)) return xp_error_prefix("input '%s'", name ? name : "(null)");
    return add_sig_input(p, kind, name, target, XP_VAL_TENSOR, &m, 0, out_value);
}

xp_status xp_program_add_symint_input(xp_program *p, const char *name, xp_dim sym, int32_t *out_value) {
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_symint_input: program is NULL");
    if (!xp_dim_is_sym(sym) || xp_dim_as_symbol(p->syms, sym) < 0)
        return xp_error(XP_ERR_INVALID_ARG, "input '%s': a SYMINT input must be bound to one symbol",
                        name ? name : "(null)");
    xp_meta m = {.dtype = XP_I64, .ndim = 0};
    return add_sig_input(p, XP_IN_SYMINT, name, NULL, XP_VAL_SYMINT, &m, sym, out_value);
}

bool xp_value_is_symint_output(const xp_graph *g, int32_t id) {
    if (!g || id < 0 || id >= g->nvalues || g->values[id].kind != XP_VAL_SYMINT) return false;
    for (int i = 0; i < g->ninputs; i++)
        if (g->inputs[i] == id) return false;
    return true;
}

xp_status xp_program_add_symint_value(xp_program *p, xp_dim expr, int32_t *out_value) {
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_symint_value: program is NULL");
    char text[160];
    if (!xp_dim_is_valid(expr) || (xp_dim_is_sym(expr) && xp_dim_format(p->syms, expr, text, sizeof text) <= 0))
        return xp_error(XP_ERR_INVALID_ARG, "a SYMINT output must be a size of the program's symbols");
    xp_graph *g = p->graph;
    char name[32];
    for (int k = 0;; k++) { /* sym_size, sym_size_1, ...: not a name user code picks */
        snprintf(name, sizeof name, k ? "sym_size_%d" : "sym_size", k);
        if (!graph_has_name(g, name)) break;
    }
    return add_free_value(g, name, XP_VAL_SYMINT, &(xp_meta){.dtype = XP_I64, .ndim = 0}, expr, out_value);
}

xp_status xp_program_add_output(xp_program *p, xp_output_kind kind, int32_t value, const char *target) {
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_output: program is NULL");
    xp_status st = xp_ir_check_sig_output(p, kind, value, target, program_sig_index(p));
    if (st) return st;
    char *tcopy = target ? xp_strdup(target) : NULL;
    xp_sig_output *s = (!target || tcopy) ? xp_realloc(p->sig_out, (size_t)(p->nsig_out + 1) * sizeof *s) : NULL;
    if (!s) {
        free(tcopy);
        return XP_ERR_OOM;
    }
    p->sig_out = s;
    if (append_i32(&p->graph->outputs, p->graph->noutputs, value)) {
        free(tcopy);
        return XP_ERR_OOM;
    }
    p->graph->noutputs++;
    p->sig_out[p->nsig_out++] = (xp_sig_output){.kind = kind, .value = value, .target = tcopy};
    index_new_output(p);
    return XP_OK;
}

/* ---- map (torch's map / scan without carry) ---- */

xp_status xp_ir_check_map(const xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                          const xp_graph *body, xp_meta *out_metas, int *nouts) {
    const xp_symctx *ctx = g->prog->syms;
    char ref[XP_MAX_NAME + 16], a[128], b[128];
    xp_status st;
    if (n_xs < 1 || !xs) return xp_error(XP_ERR_INVALID_ARG, "maps over no tensor");
    if (n_extras < 0 || (n_extras > 0 && !extras)) return xp_error(XP_ERR_INVALID_ARG, "malformed extras list");
    xp_dim lead = 0;
    for (int i = 0; i < n_xs; i++) {
        char what[32];
        snprintf(what, sizeof what, "xs %d", i);
        if ((st = check_value(g, xs[i], NULL, what))) return st;
        const xp_meta *m = &g->values[xs[i]].meta;
        value_ref(g, xs[i], ref, sizeof ref);
        if (m->ndim < 1) return xp_error(XP_ERR_SHAPE, "xs %d (%s) is 0-d; map needs a leading dim", i, ref);
        if (i == 0) {
            lead = m->shape[0];
        } else if (m->shape[0] != lead && xp_dim_eq(ctx, m->shape[0], lead) != XP_YES) {
            xp_meta_format(g->prog, m, a, sizeof a);
            xp_meta_format(g->prog, &g->values[xs[0]].meta, b, sizeof b);
            return xp_error(XP_ERR_SHAPE, "xs %d (%s) is %s but xs 0 is %s: the leading sizes must be equal", i, ref,
                            a, b);
        }
    }
    for (int i = 0; i < n_extras; i++) {
        char what[32];
        snprintf(what, sizeof what, "extra %d", i);
        if ((st = check_value(g, extras[i], NULL, what))) return st;
    }
    if (!body) return xp_error(XP_ERR_INVALID_ARG, "the body is NULL");
    if (body->prog != g->prog || body == g || body == g->prog->graph)
        return xp_error(XP_ERR_INVALID_ARG, "the body is not a subgraph of this program");
    if (body->ninputs != n_xs + n_extras)
        return xp_error(XP_ERR_INVALID_ARG, "the body takes %d inputs but there are %d xs and %d extras", body->ninputs,
                        n_xs, n_extras);
    for (int i = 0; i < body->ninputs; i++) {
        int32_t in = body->inputs[i];
        if (in < 0 || in >= body->nvalues || body->values[in].kind != XP_VAL_TENSOR)
            return xp_error(XP_ERR_INVALID_ARG, "the body's input %d is not a tensor value", i);
        xp_meta want = g->values[i < n_xs ? xs[i] : extras[i - n_xs]].meta;
        if (i < n_xs) { /* one slice along dim 0 */
            for (int d = 1; d < want.ndim; d++) want.shape[d - 1] = want.shape[d];
            want.ndim--;
        }
        if (!xp_ir_meta_equal(ctx, &body->values[in].meta, &want)) {
            xp_meta_format(g->prog, &body->values[in].meta, a, sizeof a);
            xp_meta_format(g->prog, &want, b, sizeof b);
            return xp_error(XP_ERR_SHAPE, "the body's input %d (%s) is %s but %s %d is %s%s", i,
                            body->values[in].name, a, i < n_xs ? "xs" : "extra", i < n_xs ? i : i - n_xs, b,
                            i < n_xs ? " (one slice)" : "");
        }
    }
    if (body->noutputs < 1) return xp_error(XP_ERR_INVALID_ARG, "the body returns no tensor");
    if (body->noutputs > 64) return xp_error(XP_ERR_UNSUPPORTED, "the body returns %d tensors (at most 64)", body->noutputs);
    for (int i = 0; i < body->noutputs; i++) {
        int32_t o = body->outputs[i];
        if (o < 0 || o >= body->nvalues || body->values[o].kind != XP_VAL_TENSOR)
            return xp_error(XP_ERR_INVALID_ARG, "the body's output %d is not a tensor value", i);
        const xp_meta *m = &body->values[o].meta;
        if (m->ndim + 1 > XP_MAX_DIMS)
            return xp_error(XP_ERR_UNSUPPORTED, "the body's output %d has rank %d; stacked it exceeds %d dims", i,
                            m->ndim, XP_MAX_DIMS);
        if (out_metas) {
            xp_meta r = {.dtype = m->dtype, .ndim = m->ndim + 1};
            r.shape[0] = lead;
            for (int d = 0; d < m->ndim; d++) r.shape[d + 1] = m->shape[d];
            out_metas[i] = r;
        }
    }
    if (nouts) *nouts = body->noutputs;
    return XP_OK;
}

xp_status xp_graph_add_map_named(xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                                 xp_graph *body, xp_srcloc loc, const char *const *names, int nnames,
                                 int32_t *out_values) {
    xp_status st = XP_OK;
    xp_narg *args = NULL;
    xp_meta metas[64];
    int nouts = 0;
    if (!g || !g->prog)
        st = xp_error(XP_ERR_INVALID_ARG, "xp_graph_add_map: graph is NULL");
    else if ((st = xp_ir_check_map(g, n_xs, xs, n_extras, extras, body, metas, &nouts)))
        xp_error_prefix("map");
    else if (names && nnames != nouts)
        st = xp_error(XP_ERR_INVALID_ARG, "map: has %d outputs, %d named", nouts, nnames);
    if (!st) {
        args = xp_calloc(2, sizeof *args);
        int32_t *a0 = args ? xp_calloc((size_t)n_xs + 1, sizeof *a0) : NULL;
        int32_t *a1 = a0 ? xp_calloc((size_t)n_extras + 1, sizeof *a1) : NULL;
        if (!a1) {
            free(a0);
            free(args);
            args = NULL;
            st = XP_ERR_OOM;
        } else {
            memcpy(a0, xs, (size_t)n_xs * sizeof *a0);
            if (n_extras) memcpy(a1, extras, (size_t)n_extras * sizeof *a1);
            args[0] = xp_narg_values(n_xs, a0);
            args[1] = xp_narg_values(n_extras, a1);
        }
    }
    if (!st) {
        xp_graph *subs[1] = {body};
        st = commit_node(g, XP_OP_map, "map", args, 2, loc, subs, 1, metas, nouts, names, out_values);
        if (!st) return XP_OK;
        nargs_free(args, 2);
    }
    if (body && g && body->prog == g->prog && body != g && body != g->prog->graph) xp_graph_free(body);
    return st;
}

xp_status xp_graph_add_map(xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                           xp_graph *body, xp_srcloc loc, int32_t *out_values) {
    return xp_graph_add_map_named(g, n_xs, xs, n_extras, extras, body, loc, NULL, 0, out_values);
}
