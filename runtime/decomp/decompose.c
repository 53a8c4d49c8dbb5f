/*
 * xp_program_run_decompositions: applies a decomposition table to a
 * program, writing a new one (torch.export's run_decompositions).
 *
 * One pass replays the program into a fresh one with the graph builder:
 * the same symbols (a clone of the symbol context, so every dim handle
 * keeps its meaning), signature, file table, specializations and value
 * names; each node
 * whose op is in the table is replaced by its decomposition (decomps.def),
 * the others are copied, cond branches are replayed the same way.
 * Decompositions may emit ops that are in the table themselves (attention
 * emits matmul and softmax), so passes repeat until no node of the table is
 * left. Every replayed node is re-checked by the builder, and the result is
 * verified, so a wrong decomposition is an error here, not at run time.
 *
 * Names: replayed nodes keep their names (the generated names of the
 * source, OP and OP_k, are reserved first, so names generated for
 * decomposition nodes, "addmm", "permute_1", never collide with them), and
 * the value a decomposition returns for a program output takes the replaced
 * node's name, so the signature's output names stay the same.
 */
#include "decomp/xp_decomp.h"
#include "ir/ir_internal.h"

#include <stdlib.h>
#include <string.h>

/* More passes than any chain of decompositions needs (attention -> matmul
 * and softmax -> core is two); more means the table loops. */
#define XP_DECOMP_MAX_PASSES 16

typedef struct pass {
    const xp_program *src;
    xp_program *dst;
    const bool *want; /* per op id: replace by its decomposition */
    int32_t *file_map;/* src file index -> dst file index */
} pass;

/* ---- small helpers ---- */

/* Splits "add_12" into base "add" (length) and 12; a name without a
 * numeric suffix is its own base with 0. */
static size_t name_base(const char *name, int32_t *k) {
    size_t n = strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') i--;
    *k = 0;
    if (i == n || i < 2 || name[i - 1] != '_' || n - i > 9) return n;
    *k = (int32_t)strtol(name + i, NULL, 10);
    return i - 1;
}

/* Makes the builder's generated names skip the source's: for every source
 * name of the form OP or OP_k (the only forms the builder generates, from
 * op names), the new program's name index gets OP with the largest k, so
 * fresh names start above it. Only those bases are entered: a name in the
 * index costs the builder a scan when a node takes it explicitly. */
static xp_status reserve_generated_names(xp_program *dst, const xp_graph *g) {
    for (int i = 0; i < g->nvalues; i++) {
        const char *name = g->values[i].name;
        int32_t k;
        char base[64];
        size_t len = name ? name_base(name, &k) : sizeof base;
        if (len >= sizeof base) continue;
        memcpy(base, name, len);
        base[len] = 0;
        if (!xp_op_find(base)) continue;
        int32_t *have = xp_strmap_get(dst->names, base);
        if (have) {
            if (*have < k) *have = k;
        } else if (xp_strmap_put(dst->names, base, k) != XP_OK) {
            return XP_ERR_OOM;
        }
    }
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nsub; k++) {
            xp_status st = reserve_generated_names(dst, g->nodes[i].sub[k]);
            if (st != XP_OK) return st;
        }
    return XP_OK;
}

static int count_wanted(const xp_graph *g, const bool *want, const char **first) {
    int n = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const xp_node *nd = &g->nodes[i];
        if (!xp_op_is_custom(nd->op) && want[nd->op]) {
            if (!n && first && !*first) *first = xp_op_get(nd->op)->name;
            n++;
        }
        for (int k = 0; k < nd->nsub; k++) n += count_wanted(nd->sub[k], want, first);
    }
    return n;
}

static xp_srcloc map_loc(const pass *ps, xp_srcloc loc) {
    if (loc.file >= 0 && loc.file < ps->src->nfiles) loc.file = ps->file_map[loc.file];
    else loc.file = -1;
    return loc;
}

/* The node's arguments with value ids of the new graph; tensor lists get
 * new arrays, listed in `owned` (freed by the caller). */
static xp_status map_args(const xp_node *n, const int32_t *map, xp_narg *out, int32_t **owned) {
    for (int i = 0; i < n->nargs; i++) {
        out[i] = n->args[i];
        owned[i] = NULL;
        if (n->args[i].kind == XP_ARG_TENSOR) {
            out[i].value = map[n->args[i].value];
        } else if (n->args[i].kind == XP_ARG_TENSOR_LIST) {
            int k = n->args[i].vl.n;
            owned[i] = xp_calloc((size_t)k + 1, sizeof **owned);
            if (!owned[i]) return XP_ERR_OOM;
            for (int j = 0; j < k; j++) owned[i][j] = map[n->args[i].vl.v[j]];
            out[i].vl.v = owned[i];
        }
    }
    return XP_OK;
}

/* Gives value v (made by a node of g) the name `name`, and its node too
 * when v is the node's first output. */
static xp_status rename_value(xp_graph *g, int32_t v, const char *name) {
    xp_value *val = &g->values[v];
    char *a = xp_strdup(name), *b = val->out_index == 0 ? xp_strdup(name) : NULL;
    if (!a || (val->out_index == 0 && !b)) {
        free(a);
        free(b);
        return XP_ERR_OOM;
    }
    if (!xp_strmap_get(g->prog->names, name) && xp_strmap_put(g->prog->names, name, 0) != XP_OK) {
        free(a);
        free(b);
        return XP_ERR_OOM;
    }
    free(val->name);
    val->name = a;
    if (b) {
        xp_node *n = &g->nodes[val->producer];
        free(n->name);
        n->name = b;
    }
    return XP_OK;
}

/* ---- one node ---- */

static xp_status replay_graph(const pass *ps, const xp_graph *sg, xp_graph *dg, int depth);

static xp_status replay_cond(const pass *ps, const xp_node *n, const xp_narg *args, xp_graph *dg, xp_srcloc loc,
                             const char *const *names, int32_t *outs, int depth) {
    xp_graph *br[2] = {NULL, NULL};
    xp_status st = XP_OK;
    for (int k = 0; k < 2 && st == XP_OK; k++) {
        br[k] = xp_graph_new_sub(ps->dst);
        st = br[k] ? replay_graph(ps, n->sub[k], br[k], depth + 1) : XP_ERR_OOM;
    }
    if (st != XP_OK) {
        xp_graph_free(br[0]);
        xp_graph_free(br[1]);
        return st;
    }
    /* takes the branches, also when it fails */
    return xp_graph_add_cond_named(dg, args[0].value, args[1].vl.n, args[1].vl.v, br[0], br[1], loc, names, n->nouts,
                                   outs);
}

static xp_status replay_map(const pass *ps, const xp_node *n, const xp_narg *args, xp_graph *dg, xp_srcloc loc,
                            const char *const *names, int32_t *outs, int depth) {
    xp_graph *body = xp_graph_new_sub(ps->dst);
    xp_status st = body ? replay_graph(ps, n->sub[0], body, depth + 1) : XP_ERR_OOM;
    if (st != XP_OK) {
        xp_graph_free(body);
        return st;
    }
    /* takes the body, also when it fails */
    return xp_graph_add_map_named(dg, args[0].vl.n, args[0].vl.v, args[1].vl.n, args[1].vl.v, body, loc, names,
                                  n->nouts, outs);
}

static xp_status replay_decomposed(const pass *ps, const xp_graph *sg, const xp_node *n, const xp_narg *args,
                                   xp_graph *dg, xp_srcloc loc, const bool *is_output, int32_t *outs) {
    const xp_op_def *def = xp_op_get(n->op);
    int32_t first_new = dg->nvalues;
    for (int k = 0; k < n->nouts; k++) outs[k] = -1;
    xp_status st = xp_decomp_get(n->op)(dg, args, loc, outs);
    char label[160];
    if (st != XP_OK) {
        xp_ir_node_label(ps->src, n, label, sizeof label);
        return xp_error_prefix("decomposing %s %s", def->name, label);
    }
    for (int k = 0; k < n->nouts; k++) {
        const xp_value *old = &sg->values[n->outs[k]];
        if (outs[k] < 0 || outs[k] >= dg->nvalues || dg->values[outs[k]].kind != XP_VAL_TENSOR ||
            !xp_ir_meta_equal(ps->dst->syms, &dg->values[outs[k]].meta, &old->meta)) {
            char want[128], got[128] = "no tensor";
            xp_meta_format(ps->dst, &old->meta, want, sizeof want);
            if (outs[k] >= 0 && outs[k] < dg->nvalues)
                xp_meta_format(ps->dst, &dg->values[outs[k]].meta, got, sizeof got);
            xp_ir_node_label(ps->src, n, label, sizeof label);
            return xp_error(XP_ERR_INTERNAL, "the decomposition of %s returned %s for %s, which is %s", def->name, got,
                            label, want);
        }
        /* a program output keeps its name (only a value the decomposition made can be renamed) */
        if (is_output && is_output[n->outs[k]] && outs[k] >= first_new && dg->values[outs[k]].producer >= 0) {
            st = rename_value(dg, outs[k], old->name);
            if (st != XP_OK) return st;
        }
    }
    return XP_OK;
}

static xp_status replay_node(const pass *ps, const xp_graph *sg, const xp_node *n, xp_graph *dg, int32_t *map,
                             const bool *is_output, int depth) {
    xp_narg args[XP_MAX_OP_ARGS];
    int32_t *owned[XP_MAX_OP_ARGS];
    int32_t outs[64];
    const char *names[64];
    if (n->nargs > XP_MAX_OP_ARGS || n->nouts > 64 || n->nouts < 1)
        return xp_error(XP_ERR_INTERNAL, "node %s has %d arguments and %d outputs", n->name, n->nargs, n->nouts);
    for (int k = 0; k < n->nouts; k++) names[k] = sg->values[n->outs[k]].name;
    xp_status st = map_args(n, map, args, owned);
    xp_srcloc loc = map_loc(ps, n->loc);
    if (st == XP_OK) {
        if (n->op == XP_OP_cond)
            st = replay_cond(ps, n, args, dg, loc, names, outs, depth);
        else if (n->op == XP_OP_map)
            st = replay_map(ps, n, args, dg, loc, names, outs, depth);
        else if (xp_op_is_custom(n->op)) { /* custom ops have no decomposition: copied with their metas */
            xp_meta metas[XP_MAX_OP_RETS];
            for (int k = 0; k < n->nouts && k < XP_MAX_OP_RETS; k++) metas[k] = sg->values[n->outs[k]].meta;
            st = xp_graph_add_custom_node(dg, n->op, args, n->nargs, metas, n->nouts, loc, names, outs);
        } else if (ps->want[n->op])
            st = replay_decomposed(ps, sg, n, args, dg, loc, is_output, outs);
        else
            st = xp_graph_add_node_named(dg, n->op, args, n->nargs, loc, names, n->nouts, outs);
    }
    for (int i = 0; i < n->nargs; i++) free(owned[i]);
    if (st != XP_OK) return st;
    for (int k = 0; k < n->nouts; k++) map[n->outs[k]] = outs[k];
    return XP_OK;
}

/* ---- graphs and programs ---- */

static xp_status replay_inputs(const pass *ps, const xp_graph *sg, xp_graph *dg, int32_t *map) {
    xp_status st = XP_OK;
    for (int i = 0; i < sg->ninputs && st == XP_OK; i++) {
        int32_t v = sg->inputs[i];
        const xp_value *val = &sg->values[v];
        if (dg != ps->dst->graph) {
            st = xp_graph_add_input(dg, val->name, &val->meta, &map[v]);
            continue;
        }
        const xp_sig_input *si = &ps->src->sig_in[i]; /* same order as the graph's inputs */
        if (si->kind == XP_IN_SYMINT)
            st = xp_program_add_symint_input(ps->dst, val->name, val->sym, &map[v]);
        else
            st = xp_program_add_input(ps->dst, si->kind, val->name, si->target, val->meta.dtype, val->meta.ndim,
                                      val->meta.shape, &map[v]);
    }
    return st;
}

static xp_status replay_graph(const pass *ps, const xp_graph *sg, xp_graph *dg, int depth) {
    if (depth > XP_IR_MAX_DEPTH)
        return xp_error(XP_ERR_UNSUPPORTED, "subgraphs nested deeper than %d", XP_IR_MAX_DEPTH);
    bool top = sg == ps->src->graph;
    int32_t *map = xp_calloc((size_t)sg->nvalues + 1, sizeof *map);
    bool *is_output = top ? xp_calloc((size_t)sg->nvalues + 1, sizeof *is_output) : NULL;
    if (!map || (top && !is_output)) {
        free(map);
        free(is_output);
        return XP_ERR_OOM;
    }
    for (int i = 0; top && i < sg->noutputs; i++) is_output[sg->outputs[i]] = true;
    xp_status st = replay_inputs(ps, sg, dg, map);
    for (int i = 0; i < sg->nnodes && st == XP_OK; i++)
        st = replay_node(ps, sg, &sg->nodes[i], dg, map, is_output, depth);
    if (st == XP_OK && top) {
        for (int i = 0; i < ps->src->nsig_out && st == XP_OK; i++) {
            const xp_sig_output *so = &ps->src->sig_out[i];
            int32_t v = map[so->value];
            if (xp_value_is_symint_output(sg, so->value)) /* a returned size: no node made it */
                st = xp_program_add_symint_value(ps->dst, sg->values[so->value].sym, &v);
            if (st == XP_OK) st = xp_program_add_output(ps->dst, so->kind, v, so->target);
        }
    } else if (st == XP_OK) {
        int32_t *outs = xp_calloc((size_t)sg->noutputs + 1, sizeof *outs);
        if (!outs) st = XP_ERR_OOM;
        for (int i = 0; outs && i < sg->noutputs; i++) outs[i] = map[sg->outputs[i]];
        if (outs) st = xp_graph_set_outputs(dg, sg->noutputs, outs);
        free(outs);
    }
    free(map);
    free(is_output);
    return st;
}

/* One pass: src replayed into a new program with `want` ops decomposed. */
static xp_status decompose_once(const xp_program *src, const bool *want, xp_program **out) {
    xp_program *dst = xp_program_new(src->name);
    if (!dst) return xp_last_status();
    pass ps = {.src = src, .dst = dst, .want = want};
    xp_status st = XP_OK;
    xp_symctx *syms = xp_symctx_clone(src->syms);
    if (!syms) st = XP_ERR_OOM;
    else {
        xp_symctx_free(dst->syms);
        dst->syms = syms;
    }
    ps.file_map = xp_calloc((size_t)src->nfiles + 1, sizeof *ps.file_map);
    if (!ps.file_map) st = XP_ERR_OOM;
    for (int i = 0; i < src->nfiles && st == XP_OK; i++)
        if ((ps.file_map[i] = xp_program_file(dst, src->files[i])) < 0) st = XP_ERR_OOM;
    if (st == XP_OK) st = reserve_generated_names(dst, src->graph);
    if (st == XP_OK) st = replay_graph(&ps, src->graph, dst->graph, 0);
    for (int i = 0; i < src->nspecs && st == XP_OK; i++)
        st = xp_program_add_specialization(dst, map_loc(&ps, src->specs[i].loc), src->specs[i].text);
    free(ps.file_map);
    if (st != XP_OK) {
        xp_program_free(dst);
        return st == XP_ERR_OOM && !xp_error_pending() ? xp_error(st, "out of memory decomposing %s", src->name) : st;
    }
    *out = dst;
    return XP_OK;
}

/* The bound weights and the backend of `src`, on the decomposed program. */
static xp_status carry_state(const xp_program *src, xp_program *dst) {
    dst->backend = src->backend;
    for (int i = 0; src->weights && i < src->nsig_in; i++) {
        if (!src->weights[i] || !src->sig_in[i].target) continue;
        xp_status st = xp_program_bind_tensor(dst, src->sig_in[i].target, src->weights[i]);
        if (st != XP_OK) return st;
    }
    return XP_OK;
}

xp_status xp_program_run_decompositions(const xp_program *p, const xp_decomp_table *table, xp_program **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_program_run_decompositions: out is NULL");
    *out = NULL;
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_run_decompositions: program is NULL");
    xp_registry_init();
    bool want[XP_OP_COUNT];
    for (int i = 0; i < XP_OP_COUNT; i++) want[i] = table ? table->ops[i] : xp_op_has_decomposition((xp_op_id)i);

    xp_program *cur = NULL;
    for (int pass_no = 0;; pass_no++) {
        xp_program *next = NULL;
        xp_status st = decompose_once(cur ? cur : p, want, &next);
        xp_program_free(cur);
        if (st != XP_OK) return st;
        cur = next;
        const char *left = NULL;
        if (count_wanted(cur->graph, want, &left) == 0) break;
        if (pass_no + 1 == XP_DECOMP_MAX_PASSES) {
            xp_program_free(cur);
            return xp_error(XP_ERR_INTERNAL, "decompositions of %s did not finish after %d passes: %s nodes remain",
                            p->name, XP_DECOMP_MAX_PASSES, left);
        }
    }
    xp_status st = xp_program_verify(cur);
    if (st != XP_OK) {
        xp_error_prefix("the decomposed program %s does not verify", p->name);
        st = xp_error(XP_ERR_INTERNAL, "%s", xp_last_error());
    }
    if (st == XP_OK) st = carry_state(p, cur);
    if (st != XP_OK) {
        xp_program_free(cur);
        return st;
    }
    *out = cur;
    return XP_OK;
}
