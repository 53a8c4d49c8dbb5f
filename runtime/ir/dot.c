/*
 * `xport show --dot`: the graph in Graphviz syntax. Inputs are ellipses
 * (with their signature kind), nodes are boxes with the op and output
 * type, edges follow data flow; a cond node's branches are clusters whose
 * outputs feed the node with dashed edges.
 */
#include "ir/ir_internal.h"

#include <string.h>

/* A dot string literal body: quotes and backslashes escaped. */
static void put_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

/* Graph `gid`'s value `v` as a dot node id. Node outputs share the id of
 * the node that produces them. */
static void put_value_id(FILE *f, const xp_graph *g, int gid, int32_t v) {
    if (v >= 0 && v < g->nvalues && g->values[v].producer >= 0)
        fprintf(f, "g%d_n%d", gid, (int)g->values[v].producer);
    else
        fprintf(f, "g%d_v%d", gid, (int)v);
}

static void dot_graph(const xp_program *p, const xp_graph *g, FILE *f, int gid, int *next_gid, int depth) {
    for (int i = 0; i < g->ninputs; i++) {
        int32_t id = g->inputs[i];
        if (id < 0 || id >= g->nvalues) continue;
        const xp_value *v = &g->values[id];
        xp_sb label = {0};
        xp_sb_puts(&label, v->name ? v->name : "?");
        xp_sb_puts(&label, "\n");
        if (v->kind == XP_VAL_SYMINT) {
            xp_sb_puts(&label, "SymInt(");
            xp_sb_dim(&label, p->syms, v->sym);
            xp_sb_puts(&label, ")");
        } else {
            xp_sb_meta(&label, p->syms, &v->meta);
        }
        if (g == p->graph && i < p->nsig_in) {
            const char *target = p->sig_in[i].target;
            xp_sb_printf(&label, "\n%s%s%s", xp_input_kind_name(p->sig_in[i].kind), target ? " " : "",
                         target ? target : "");
        }
        fprintf(f, "  g%d_v%d [shape=ellipse, label=\"", gid, (int)id);
        put_escaped(f, xp_sb_str(&label));
        fputs("\"];\n", f);
        xp_sb_free(&label);
    }
    for (int i = 0; i < g->nnodes; i++) {
        const xp_node *n = &g->nodes[i];
        const xp_op_def *def = xp_op_get(n->op);
        xp_sb label = {0};
        xp_sb_printf(&label, "%%%s = xp.%s", n->name ? n->name : "?", def ? def->name : "?");
        for (int k = 0; k < n->nouts; k++) {
            int32_t id = n->outs[k];
            xp_sb_puts(&label, "\n");
            if (id >= 0 && id < g->nvalues) xp_sb_meta(&label, p->syms, &g->values[id].meta);
        }
        char loc[256];
        if (xp_srcloc_format(p, n->loc, loc, sizeof loc) > 0) xp_sb_printf(&label, "\n%s", loc);
        fprintf(f, "  g%d_n%d [label=\"", gid, i);
        put_escaped(f, xp_sb_str(&label));
        fputs("\"];\n", f);
        xp_sb_free(&label);
        for (int a = 0; a < n->nargs; a++) {
            const xp_narg *arg = &n->args[a];
            int cnt = arg->kind == XP_ARG_TENSOR ? 1 : arg->kind == XP_ARG_TENSOR_LIST ? arg->vl.n : 0;
            for (int k = 0; k < cnt; k++) {
                int32_t v = arg->kind == XP_ARG_TENSOR ? arg->value : arg->vl.v[k];
                fputs("  ", f);
                put_value_id(f, g, gid, v);
                fprintf(f, " -> g%d_n%d;\n", gid, i);
            }
        }
        for (int k = 0; k < n->nsub && depth < XP_IR_MAX_DEPTH; k++) {
            const xp_graph *sub = n->sub[k];
            if (!sub) continue;
            int sid = (*next_gid)++;
            const char *which = n->op == XP_OP_cond && n->nsub == 2 ? (k ? "false_branch" : "true_branch")
                                : n->op == XP_OP_map && n->nsub == 1 ? "body"
                                                                   : "subgraph";
            fprintf(f, "  subgraph cluster_g%d {\n  label=\"", sid);
            put_escaped(f, n->name ? n->name : "?");
            fprintf(f, ": %s\";\n  style=dashed;\n", which);
            dot_graph(p, sub, f, sid, next_gid, depth + 1);
            fputs("  }\n", f);
            for (int o = 0; o < sub->noutputs; o++) {
                fputs("  ", f);
                put_value_id(f, sub, sid, sub->outputs[o]);
                fprintf(f, " -> g%d_n%d [style=dashed];\n", gid, i);
            }
        }
    }
}

void xp_program_print_dot(const xp_program *p, FILE *f) {
    if (!p || !f || !p->graph) return;
    fputs("digraph \"", f);
    put_escaped(f, p->name ? p->name : "");
    fputs("\" {\n  node [shape=box, fontname=\"monospace\"];\n", f);
    int next_gid = 1;
    dot_graph(p, p->graph, f, 0, &next_gid, 0);
    const xp_graph *g = p->graph;
    for (int i = 0; i < g->noutputs; i++) {
        const char *kind = i < p->nsig_out ? xp_output_kind_name(p->sig_out[i].kind) : "output";
        const char *target = i < p->nsig_out ? p->sig_out[i].target : NULL;
        fprintf(f, "  out%d [shape=ellipse, label=\"%s", i, kind);
        if (target) {
            fputs("\\n", f);
            put_escaped(f, target);
        }
        fputs("\"];\n  ", f);
        put_value_id(f, g, 0, g->outputs[i]);
        fprintf(f, " -> out%d;\n", i);
    }
    fputs("}\n", f);
}
