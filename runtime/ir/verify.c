/*
 * The verifier: re-checks everything the builder guarantees, for graphs
 * that came from a file, a pass, or hand-written code. A program that
 * verifies can be printed, saved and interpreted without further checks:
 *
 *  - SSA: every value is defined once (a graph input or one node output),
 *    ids are in range, names are unique within their graph;
 *  - topological order: a node uses only values defined before it;
 *  - each node's arguments match its op's schema, and each output's dtype
 *    and shape are what the op's shape function infers from them;
 *  - cond nodes: two branches taking the operands and returning equal
 *    types, each verified recursively;
 *  - the signature matches the graph's inputs and outputs one to one, with
 *    sensible kinds and targets.
 *
 * Messages name the node as "%add_1 (model.c:12:3)".
 */
#include "ir/ir_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct vstate {
    const xp_program *p;
    /* every graph seen, so a subgraph attached twice is caught before a
     * double free */
    const xp_graph **seen;
    int nseen, capseen;
} vstate;

static xp_status fail_node(const xp_program *p, const xp_node *n) {
    char label[512];
    xp_ir_node_label(p, n, label, sizeof label);
    xp_status st = xp_error_prefix("%s", label);
    return st == XP_ERR_OOM ? st : xp_error(XP_ERR_INVALID_ARG, "%s", xp_last_error());
}

static xp_status verify_graph(vstate *vs, const xp_graph *g, const char *where, int depth);

static xp_status mark_seen(vstate *vs, const xp_graph *g, const char *where) {
    for (int i = 0; i < vs->nseen; i++)
        if (vs->seen[i] == g) return xp_error(XP_ERR_INVALID_ARG, "%s: the graph is attached twice", where);
    if (vs->nseen == vs->capseen) {
        int cap = vs->capseen ? vs->capseen * 2 : 8;
        const xp_graph **s = xp_realloc(vs->seen, (size_t)cap * sizeof *s);
        if (!s) return XP_ERR_OOM;
        vs->seen = s;
        vs->capseen = cap;
    }
    vs->seen[vs->nseen++] = g;
    return XP_OK;
}

/* *in_branch tells the caller the message already names the failing node. */
static xp_status verify_cond(vstate *vs, const xp_graph *g, const xp_node *n, const bool *defined, int depth,
                             bool *in_branch) {
    const xp_program *p = vs->p;
    if (n->nargs != 2 || n->args[0].kind != XP_ARG_TENSOR || n->args[1].kind != XP_ARG_TENSOR_LIST)
        return xp_error(XP_ERR_INVALID_ARG, "cond takes (Tensor pred, Tensor[] operands)");
    if (n->nsub != 2 || !n->sub) return xp_error(XP_ERR_INVALID_ARG, "cond has %d subgraphs, not 2", n->nsub);
    xp_arg a[2];
    xp_meta **lists[XP_MAX_OP_ARGS];
    xp_status st = xp_ir_args_to_xp(g, xp_op_get(XP_OP_cond), n->args, 2, defined, a, lists);
    xp_ir_free_arg_lists(lists);
    if (st) return st;
    st = xp_ir_check_cond(g, n->args[0].value, n->args[1].vl.n, n->args[1].vl.v, n->sub[0], n->sub[1]);
    if (st) return st;
    char label[512], where[600];
    xp_ir_node_label(p, n, label, sizeof label);
    for (int k = 0; k < 2; k++) {
        snprintf(where, sizeof where, "%s branch of %s", k ? "false" : "true", label);
        if ((st = verify_graph(vs, n->sub[k], where, depth + 1))) {
            *in_branch = true;
            return st;
        }
    }
    const xp_graph *tb = n->sub[0];
    if (n->nouts != tb->noutputs)
        return xp_error(XP_ERR_INVALID_ARG, "has %d outputs but its branches return %d", n->nouts, tb->noutputs);
    for (int k = 0; k < n->nouts; k++) {
        int32_t id = n->outs[k];
        if (id < 0 || id >= g->nvalues) continue; /* reported by the caller */
        const xp_meta *want = &tb->values[tb->outputs[k]].meta;
        if (!xp_ir_meta_equal(p->syms, &g->values[id].meta, want)) {
            char a1[128], b1[128];
            xp_meta_format(p, &g->values[id].meta, a1, sizeof a1);
            xp_meta_format(p, want, b1, sizeof b1);
            return xp_error(XP_ERR_SHAPE, "output %d is %s but the branches return %s", k, a1, b1);
        }
    }
    return XP_OK;
}

static xp_status verify_map(vstate *vs, const xp_graph *g, const xp_node *n, const bool *defined, int depth,
                            bool *in_branch) {
    const xp_program *p = vs->p;
    if (n->nargs != 2 || n->args[0].kind != XP_ARG_TENSOR_LIST || n->args[1].kind != XP_ARG_TENSOR_LIST)
        return xp_error(XP_ERR_INVALID_ARG, "map takes (Tensor[] xs, Tensor[] extras)");
    if (n->nsub != 1 || !n->sub) return xp_error(XP_ERR_INVALID_ARG, "map has %d subgraphs, not 1", n->nsub);
    xp_arg a[2];
    xp_meta **lists[XP_MAX_OP_ARGS];
    xp_status st = xp_ir_args_to_xp(g, xp_op_get(XP_OP_map), n->args, 2, defined, a, lists);
    xp_ir_free_arg_lists(lists);
    if (st) return st;
    xp_meta metas[64];
    int nouts = 0;
    st = xp_ir_check_map(g, n->args[0].vl.n, n->args[0].vl.v, n->args[1].vl.n, n->args[1].vl.v, n->sub[0], metas,
                         &nouts);
    if (st) return st;
    char label[512], where[600];
    xp_ir_node_label(p, n, label, sizeof label);
    snprintf(where, sizeof where, "body of %s", label);
    if ((st = verify_graph(vs, n->sub[0], where, depth + 1))) {
        *in_branch = true;
        return st;
    }
    if (n->nouts != nouts) return xp_error(XP_ERR_INVALID_ARG, "has %d outputs but its body returns %d", n->nouts, nouts);
    for (int k = 0; k < n->nouts; k++) {
        int32_t id = n->outs[k];
        if (id < 0 || id >= g->nvalues) continue; /* reported by the caller */
        if (!xp_ir_meta_equal(p->syms, &g->values[id].meta, &metas[k])) {
            char a1[128], b1[128];
            xp_meta_format(p, &g->values[id].meta, a1, sizeof a1);
            xp_meta_format(p, &metas[k], b1, sizeof b1);
            return xp_error(XP_ERR_SHAPE, "output %d is %s but the stacked body outputs are %s", k, a1, b1);
        }
    }
    return XP_OK;
}

static xp_status verify_op_node(const xp_program *p, const xp_graph *g, const xp_node *n, const xp_op_def *def,
                                const bool *defined) {
    const xp_schema *s = def->schema;
    if (def->flags & XP_OP_MUTABLE) return xp_error(XP_ERR_INVALID_ARG, "op '%s' mutates its argument", def->name);
    if (n->nsub != 0) return xp_error(XP_ERR_INVALID_ARG, "op '%s' takes no subgraphs", def->name);
    int nouts = xp_ir_op_nouts(n->op);
    if (nouts < 0) return xp_error(XP_ERR_UNSUPPORTED, "op '%s' cannot be a graph node", def->name);
    if (n->nargs != s->nargs)
        return xp_error(XP_ERR_INVALID_ARG, "has %d arguments; '%s' takes %d", n->nargs, def->name, s->nargs);
    if (n->nouts != nouts)
        return xp_error(XP_ERR_INVALID_ARG, "has %d outputs; '%s' returns %d", n->nouts, def->name, nouts);
    xp_arg a[XP_MAX_OP_ARGS], full[XP_MAX_OP_ARGS];
    xp_meta **lists[XP_MAX_OP_ARGS];
    xp_meta metas[XP_MAX_OP_RETS];
    memset(full, 0, sizeof full);
    memset(metas, 0, sizeof metas);
    xp_status st = xp_ir_args_to_xp(g, def, n->args, n->nargs, defined, a, lists);
    if (st) return st;
    /* the binder checks each kind against the schema */
    st = xp_schema_bind(def, a, n->nargs, full);
    if (!st && (def->flags & XP_OP_CUSTOM)) {
        /* a custom op's metas came from its meta function (or the file): trusted here, checked against the
         * implementation's result when it runs (runtime/ops/custom.c) */
        for (int k = 0; k < nouts; k++) {
            int32_t id = n->outs[k];
            if (id >= 0 && id < g->nvalues) metas[k] = g->values[id].meta;
        }
    } else if (!st) {
        st = xp_op_infer_shape(def, p->syms, full, metas);
    }
    xp_ir_free_arg_lists(lists);
    if (st) return st;
    for (int k = 0; k < nouts; k++) {
        int32_t id = n->outs[k];
        if (id < 0 || id >= g->nvalues) continue; /* reported by the caller */
        if (!xp_ir_meta_equal(p->syms, &g->values[id].meta, &metas[k])) {
            char got[128], want[128];
            xp_meta_format(p, &g->values[id].meta, got, sizeof got);
            xp_meta_format(p, &metas[k], want, sizeof want);
            return xp_error(XP_ERR_SHAPE, "output %d is %s but '%s' infers %s", k, got, def->name, want);
        }
    }
    return XP_OK;
}

static xp_status verify_values(const xp_program *p, const xp_graph *g, bool top) {
    xp_strmap names = {0};
    xp_status st = XP_OK;
    for (int i = 0; i < g->nvalues && !st; i++) {
        const xp_value *v = &g->values[i];
        if (!v->name || !xp_ir_is_identifier(v->name)) {
            st = xp_error(XP_ERR_INVALID_ARG, "value %d has no valid name", i);
            break;
        }
        if (xp_strmap_get(&names, v->name)) {
            st = xp_error(XP_ERR_INVALID_ARG, "value '%s' is defined twice", v->name);
            break;
        }
        if ((st = xp_strmap_put(&names, v->name, i))) break;
        if (v->producer < -1 || v->producer >= g->nnodes)
            st = xp_error(XP_ERR_INVALID_ARG, "value '%s' names producer %d of %d nodes", v->name, (int)v->producer,
                          g->nnodes);
        else if (v->kind == XP_VAL_TENSOR) {
            if (xp_ir_check_meta(&v->meta)) st = xp_error_prefix("value '%s'", v->name);
        } else if (v->kind == XP_VAL_SYMINT) {
            char text[160];
            if (!top || v->producer != -1)
                st = xp_error(XP_ERR_INVALID_ARG,
                              "value '%s': integer values are inputs and outputs of the program's graph only", v->name);
            else if (!xp_value_is_symint_output(g, i) && (!xp_dim_is_sym(v->sym) || xp_dim_as_symbol(p->syms, v->sym) < 0))
                st = xp_error(XP_ERR_INVALID_ARG, "value '%s': an integer input must be bound to one symbol", v->name);
            else if (!xp_dim_is_valid(v->sym) || (xp_dim_is_sym(v->sym) && xp_dim_format(p->syms, v->sym, text, sizeof text) <= 0))
                st = xp_error(XP_ERR_INVALID_ARG, "value '%s': not a size of the program's symbols", v->name);
        } else {
            st = xp_error(XP_ERR_INVALID_ARG, "value '%s' has invalid kind %d", v->name, (int)v->kind);
        }
    }
    xp_strmap_clear(&names);
    return st;
}

/* Each entry is checked against the ones before it through an index built
 * as it goes (ix covers sig_in[0, i), then sig_out[0, i)), so a program
 * with thousands of weights verifies in linear time. */
static xp_status verify_signature_entries(const xp_program *p, xp_sig_index *ix) {
    const xp_graph *g = p->graph;
    if (p->nsig_in != g->ninputs || (p->nsig_in > 0 && !p->sig_in))
        return xp_error(XP_ERR_INVALID_ARG, "signature: %d input entries for %d graph inputs", p->nsig_in, g->ninputs);
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        if (in->value != g->inputs[i])
            return xp_error(XP_ERR_INVALID_ARG, "signature: input %d names value %d but graph input %d is value %d", i,
                            (int)in->value, i, (int)g->inputs[i]);
        const xp_value *v = &g->values[in->value];
        if (xp_ir_check_sig_input(p, in->kind, v->name, v->kind == XP_VAL_SYMINT, in->target, ix))
            return xp_error_prefix("signature");
        if (xp_sig_index_add_input(ix, p)) return XP_ERR_OOM;
    }
    if (p->nsig_out != g->noutputs || (p->nsig_out > 0 && !p->sig_out))
        return xp_error(XP_ERR_INVALID_ARG, "signature: %d output entries for %d graph outputs", p->nsig_out,
                        g->noutputs);
    for (int i = 0; i < p->nsig_out; i++) {
        const xp_sig_output *out = &p->sig_out[i];
        if (out->value != g->outputs[i])
            return xp_error(XP_ERR_INVALID_ARG, "signature: output %d names value %d but graph output %d is value %d",
                            i, (int)out->value, i, (int)g->outputs[i]);
        if (xp_ir_check_sig_output(p, out->kind, out->value, out->target, ix)) return xp_error_prefix("signature");
        if (xp_sig_index_add_output(ix, p)) return XP_ERR_OOM;
    }
    return XP_OK;
}

static xp_status verify_signature(const xp_program *p) {
    xp_sig_index ix = {0};
    xp_status st = verify_signature_entries(p, &ix);
    xp_sig_index_clear(&ix);
    return st;
}

static xp_status verify_graph_body(vstate *vs, const xp_graph *g, bool top, int depth, bool *defined) {
    const xp_program *p = vs->p;
    xp_status st = verify_values(p, g, top);
    if (st) return st;
    for (int i = 0; i < g->ninputs; i++) {
        int32_t id = g->inputs[i];
        if (id < 0 || id >= g->nvalues)
            return xp_error(XP_ERR_INVALID_ARG, "input %d is value %d of %d", i, (int)id, g->nvalues);
        if (g->values[id].producer != -1)
            return xp_error(XP_ERR_INVALID_ARG, "input %d ('%s') is also produced by a node", i, g->values[id].name);
        if (defined[id]) return xp_error(XP_ERR_INVALID_ARG, "input '%s' is listed twice", g->values[id].name);
        defined[id] = true;
    }
    for (int i = 0; i < g->nnodes; i++) {
        const xp_node *n = &g->nodes[i];
        if (!xp_op_get(n->op)) {
            xp_error(XP_ERR_INVALID_ARG, "invalid op id %d", (int)n->op);
            return fail_node(p, n);
        }
        const xp_op_def *def = xp_op_get(n->op);
        if (n->nargs < 0 || n->nargs > XP_MAX_OP_ARGS || (n->nargs > 0 && !n->args) || n->nouts < 1 || !n->outs ||
            n->nsub < 0 || (n->nsub > 0 && !n->sub)) {
            xp_error(XP_ERR_INVALID_ARG, "malformed node");
            return fail_node(p, n);
        }
        if (!n->name || n->outs[0] < 0 || n->outs[0] >= g->nvalues ||
            strcmp(n->name, g->values[n->outs[0]].name) != 0) {
            xp_error(XP_ERR_INVALID_ARG, "the node's name is not the name of its first output");
            return fail_node(p, n);
        }
        bool in_branch = false;
        if (n->op == XP_OP_map)
            st = verify_map(vs, g, n, defined, depth, &in_branch);
        else if (def->flags & XP_OP_CONTROL)
            st = verify_cond(vs, g, n, defined, depth, &in_branch);
        else
            st = verify_op_node(p, g, n, def, defined);
        if (st) return st == XP_ERR_OOM || in_branch ? st : fail_node(p, n);
        for (int k = 0; k < n->nouts; k++) {
            int32_t id = n->outs[k];
            if (id < 0 || id >= g->nvalues)
                st = xp_error(XP_ERR_INVALID_ARG, "output %d is value %d of %d", k, (int)id, g->nvalues);
            else if (g->values[id].producer != i || g->values[id].out_index != k)
                st = xp_error(XP_ERR_INVALID_ARG, "output %d ('%s') records another producer", k, g->values[id].name);
            else if (defined[id])
                st = xp_error(XP_ERR_INVALID_ARG, "output %d ('%s') is defined twice", k, g->values[id].name);
            else if (g->values[id].kind != XP_VAL_TENSOR)
                st = xp_error(XP_ERR_INVALID_ARG, "output %d ('%s') is not a tensor", k, g->values[id].name);
            if (st) return fail_node(p, n);
            defined[id] = true;
        }
    }
    for (int i = 0; i < g->nvalues; i++)
        if (!defined[i] && !xp_value_is_symint_output(g, i)) /* a returned size needs no producer */
            return xp_error(XP_ERR_INVALID_ARG, "value '%s' is neither a graph input nor a node output",
                            g->values[i].name);
    for (int i = 0; i < g->noutputs; i++) {
        int32_t id = g->outputs[i];
        if (id < 0 || id >= g->nvalues)
            return xp_error(XP_ERR_INVALID_ARG, "output %d is value %d of %d", i, (int)id, g->nvalues);
    }
    if (!top)
        for (int i = 0; i < g->noutputs; i++)
            if (g->values[g->outputs[i]].kind != XP_VAL_TENSOR)
                return xp_error(XP_ERR_INVALID_ARG, "output %d is not a tensor", i);
    return top ? verify_signature(p) : XP_OK;
}

static xp_status verify_graph(vstate *vs, const xp_graph *g, const char *where, int depth) {
    const xp_program *p = vs->p;
    bool top = depth == 0;
    xp_status st;
    if (!g) return xp_error(XP_ERR_INVALID_ARG, "%s: graph is NULL", where);
    if (depth > XP_IR_MAX_DEPTH)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: subgraphs nest deeper than %d", where, XP_IR_MAX_DEPTH);
    if (g->prog != p) return xp_error(XP_ERR_INVALID_ARG, "%s: the graph belongs to another program", where);
    if ((st = mark_seen(vs, g, where))) return st;
    if (g->nvalues < 0 || g->nnodes < 0 || g->ninputs < 0 || g->noutputs < 0 || (g->nvalues && !g->values) ||
        (g->nnodes && !g->nodes) || (g->ninputs && !g->inputs) || (g->noutputs && !g->outputs))
        return xp_error(XP_ERR_INVALID_ARG, "%s: malformed graph", where);
    bool *defined = xp_calloc((size_t)g->nvalues + 1, sizeof *defined);
    if (!defined) return XP_ERR_OOM;
    st = verify_graph_body(vs, g, top, depth, defined);
    free(defined);
    if (st && !top && st != XP_ERR_OOM) {
        /* say which branch, once, at the innermost level */
        if (strstr(xp_last_error(), " branch of ") == NULL) xp_error_prefix("%s", where);
    }
    return st;
}

xp_status xp_program_verify(const xp_program *p) {
    if (!p || !p->graph || !p->syms) return xp_error(XP_ERR_INVALID_ARG, "xp_program_verify: program is incomplete");
    vstate vs = {.p = p};
    xp_status st = verify_graph(&vs, p->graph, "graph", 0);
    free(vs.seen);
    return st;
}
