/*
 * The exported program object: creation and destruction, the source file
 * table, and the names of signature kinds.
 */
#include "ir/ir_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const input_kind_names[] = {
    [XP_IN_USER_INPUT] = "USER_INPUT", [XP_IN_PARAMETER] = "PARAMETER", [XP_IN_BUFFER] = "BUFFER",
    [XP_IN_CONSTANT] = "CONSTANT",     [XP_IN_SYMINT] = "SYMINT",
};

static const char *const output_kind_names[] = {
    [XP_OUT_USER_OUTPUT] = "USER_OUTPUT",
    [XP_OUT_USER_INPUT_MUTATION] = "USER_INPUT_MUTATION",
    [XP_OUT_BUFFER_MUTATION] = "BUFFER_MUTATION",
};

#define N_INPUT_KINDS ((int)(sizeof input_kind_names / sizeof input_kind_names[0]))
#define N_OUTPUT_KINDS ((int)(sizeof output_kind_names / sizeof output_kind_names[0]))

const char *xp_input_kind_name(xp_input_kind k) {
    return (int)k >= 0 && (int)k < N_INPUT_KINDS ? input_kind_names[k] : "INVALID_INPUT_KIND";
}

const char *xp_output_kind_name(xp_output_kind k) {
    return (int)k >= 0 && (int)k < N_OUTPUT_KINDS ? output_kind_names[k] : "INVALID_OUTPUT_KIND";
}

bool xp_input_kind_from_name(const char *s, xp_input_kind *out) {
    for (int k = 0; s && k < N_INPUT_KINDS; k++) {
        if (strcmp(s, input_kind_names[k]) == 0) {
            *out = (xp_input_kind)k;
            return true;
        }
    }
    return false;
}

bool xp_output_kind_from_name(const char *s, xp_output_kind *out) {
    for (int k = 0; s && k < N_OUTPUT_KINDS; k++) {
        if (strcmp(s, output_kind_names[k]) == 0) {
            *out = (xp_output_kind)k;
            return true;
        }
    }
    return false;
}

static xp_graph *graph_alloc(xp_program *p) {
    xp_graph *g = xp_calloc(1, sizeof *g);
    if (g) g->prog = p;
    return g;
}

xp_program *xp_program_new(const char *name) {
    xp_registry_init();
    xp_program *p = xp_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->name = xp_strdup(name ? name : "");
    p->syms = xp_symctx_new();
    p->graph = graph_alloc(p);
    p->names = xp_calloc(1, sizeof *p->names);
    if (!p->name || !p->syms || !p->graph || !p->names) {
        xp_program_free(p);
        xp_error(XP_ERR_OOM, "out of memory creating program '%s'", name ? name : "");
        return NULL;
    }
    return p;
}

xp_graph *xp_graph_new_sub(xp_program *p) {
    if (!p) {
        xp_error(XP_ERR_INVALID_ARG, "xp_graph_new_sub: program is NULL");
        return NULL;
    }
    return graph_alloc(p);
}

static void node_free_contents(xp_node *n) {
    free(n->name);
    for (int i = 0; i < n->nargs; i++) {
        if (n->args[i].kind == XP_ARG_TENSOR_LIST)
            free(n->args[i].vl.v);
        else if (n->args[i].kind == XP_ARG_INT_LIST)
            free(n->args[i].il.v);
    }
    free(n->args);
    free(n->outs);
    for (int i = 0; i < n->nsub; i++) xp_graph_free(n->sub[i]);
    free(n->sub);
}

void xp_graph_free(xp_graph *g) {
    if (!g) return;
    for (int i = 0; i < g->nvalues; i++) free(g->values[i].name);
    free(g->values);
    for (int i = 0; i < g->nnodes; i++) node_free_contents(&g->nodes[i]);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g);
}

void xp_program_free(xp_program *p) {
    if (!p) return;
    if (p->exec && p->exec_free) p->exec_free(p->exec);
    if (p->weights) {
        for (int i = 0; i < p->nsig_in; i++) xp_tensor_free(p->weights[i]);
        free(p->weights);
    }
    xp_graph_free(p->graph);
    for (int i = 0; i < p->nsig_in; i++) free(p->sig_in[i].target);
    free(p->sig_in);
    for (int i = 0; i < p->nsig_out; i++) free(p->sig_out[i].target);
    free(p->sig_out);
    for (int i = 0; i < p->nfiles; i++) free(p->files[i]);
    free(p->files);
    for (int i = 0; i < p->nspecs; i++) free(p->specs[i].text);
    free(p->specs);
    if (p->syms) xp_symctx_free(p->syms);
    xp_ir_names_free(p);
    free(p->name);
    free(p);
}

const char *xp_program_name(const xp_program *p) { return p && p->name ? p->name : ""; }

int32_t xp_program_file(xp_program *p, const char *file) {
    if (!p || !file) return -1;
    for (int i = 0; i < p->nfiles; i++)
        if (strcmp(p->files[i], file) == 0) return i;
    if (p->nfiles >= INT32_MAX - 1) return -1;
    char *copy = xp_strdup(file);
    char **files = copy ? xp_realloc(p->files, (size_t)(p->nfiles + 1) * sizeof *files) : NULL;
    if (!files) {
        free(copy);
        return -1;
    }
    p->files = files;
    p->files[p->nfiles] = copy;
    return p->nfiles++;
}
