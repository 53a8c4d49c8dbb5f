/*
 * The graph IR of an exported program (DESIGN §4), and the builder API that
 * the Clang plugin, the run-time tracer and the decomposer all call.
 *
 * A program owns one symbol context, a top-level graph, the graph
 * signature and a table of source file names. A graph is SSA: values are
 * produced once (by a graph input or a node) and nodes are kept in
 * topological order. `cond` nodes own two subgraphs whose inputs receive the
 * node's operands and whose outputs become the node's outputs.
 */
#ifndef XP_IR_H
#define XP_IR_H

#include "ops/xp_registry.h"

#define XP_PROGRAM_FORMAT_VERSION 1

typedef enum xp_input_kind {
    XP_IN_USER_INPUT = 0,
    XP_IN_PARAMETER,
    XP_IN_BUFFER,
    XP_IN_CONSTANT,
    XP_IN_SYMINT
} xp_input_kind;

typedef enum xp_output_kind {
    XP_OUT_USER_OUTPUT = 0,
    XP_OUT_USER_INPUT_MUTATION,
    XP_OUT_BUFFER_MUTATION
} xp_output_kind;

const char *xp_input_kind_name(xp_input_kind k);   /* "USER_INPUT", ... */
const char *xp_output_kind_name(xp_output_kind k); /* "USER_OUTPUT", ... */
bool xp_input_kind_from_name(const char *s, xp_input_kind *out);
bool xp_output_kind_from_name(const char *s, xp_output_kind *out);

/* Source location; `file` indexes the program's file table, -1 when unknown. */
typedef struct xp_srcloc {
    int32_t file;
    int32_t line;
    int32_t col;
} xp_srcloc;

#define XP_NO_LOC ((xp_srcloc){-1, 0, 0})

typedef enum xp_value_kind {
    XP_VAL_TENSOR = 0,
    XP_VAL_SYMINT  /* an integer input; `sym` is its symbol's expression */
} xp_value_kind;

typedef struct xp_value {
    char *name;         /* unique within the graph: "x", "p_lin_weight", "add_1" */
    xp_value_kind kind;
    xp_meta meta;       /* dtype and (maybe symbolic) shape of a tensor */
    xp_dim sym;         /* for XP_VAL_SYMINT */
    int32_t producer;   /* node index, or -1 for a graph input */
    int32_t out_index;  /* which output of the producer */
} xp_value;

/* A node argument as stored in the graph: tensors are value ids, integers
 * may be symbolic expressions. Kinds mirror xp_argkind. */
typedef struct xp_narg {
    xp_argkind kind;
    union {
        int32_t value;                    /* XP_ARG_TENSOR */
        struct { int n; int32_t *v; } vl; /* XP_ARG_TENSOR_LIST */
        xp_dim i;                         /* XP_ARG_INT */
        struct { int n; xp_dim *v; } il;  /* XP_ARG_INT_LIST */
        double f;
        bool b;
        xp_dtype dt;
    };
} xp_narg;

static inline xp_narg xp_narg_value(int32_t v) { xp_narg a = {.kind = XP_ARG_TENSOR}; a.value = v; return a; }
static inline xp_narg xp_narg_values(int n, int32_t *v) { xp_narg a = {.kind = XP_ARG_TENSOR_LIST}; a.vl.n = n; a.vl.v = v; return a; }
static inline xp_narg xp_narg_int(xp_dim i) { xp_narg a = {.kind = XP_ARG_INT}; a.i = i; return a; }
static inline xp_narg xp_narg_ints(int n, xp_dim *v) { xp_narg a = {.kind = XP_ARG_INT_LIST}; a.il.n = n; a.il.v = v; return a; }
static inline xp_narg xp_narg_float(double f) { xp_narg a = {.kind = XP_ARG_FLOAT}; a.f = f; return a; }
static inline xp_narg xp_narg_bool(bool b) { xp_narg a = {.kind = XP_ARG_BOOL}; a.b = b; return a; }
static inline xp_narg xp_narg_dtype(xp_dtype dt) { xp_narg a = {.kind = XP_ARG_DTYPE}; a.dt = dt; return a; }
static inline xp_narg xp_narg_none(void) { xp_narg a = {.kind = XP_ARG_NONE}; return a; }

struct xp_graph;

typedef struct xp_node {
    xp_op_id op;
    char *name;           /* the name of its (first) output value */
    int nargs;
    xp_narg *args;        /* complete: defaults filled in by the builder */
    int nouts;
    int32_t *outs;        /* value ids */
    xp_srcloc loc;
    int nsub;
    struct xp_graph **sub; /* cond: [0] true branch, [1] false branch */
} xp_node;

typedef struct xp_graph {
    struct xp_program *prog; /* owner of symbols and file table */
    int nvalues, cap_values;
    xp_value *values;
    int nnodes, cap_nodes;
    xp_node *nodes;
    int ninputs;
    int32_t *inputs;  /* value ids of the graph's placeholders, in order */
    int noutputs;
    int32_t *outputs; /* value ids returned, in order */
} xp_graph;

typedef struct xp_sig_input {
    xp_input_kind kind;
    int32_t value;    /* placeholder in the top graph */
    char *target;     /* PARAMETER/BUFFER/CONSTANT: "lin.weight"; else NULL */
} xp_sig_input;

typedef struct xp_sig_output {
    xp_output_kind kind;
    int32_t value;
    char *target;     /* mutated input name or buffer target; for a USER_OUTPUT,
                       * the struct field it is returned in, or NULL */
} xp_sig_output;

/* A branch or assertion that the declared ranges decided at export time
 * (only one side was captured): where, and why, for `xport show`. */
typedef struct xp_specialization {
    xp_srcloc loc;
    char *text;  /* "'xp_size(x, 0) <= 16' is true for batch in [1, 16]" */
} xp_specialization;

struct xp_exec_state; /* the interpreter's per-program state (runtime/exec) */

struct xp_program {
    char *name;
    xp_symctx *syms;
    xp_graph *graph;
    int nsig_in;
    xp_sig_input *sig_in;   /* same order as graph->inputs */
    int nsig_out;
    xp_sig_output *sig_out; /* same order as graph->outputs */
    int nfiles;
    char **files;
    int nspecs;
    xp_specialization *specs;
    /* run-time state, not part of the file */
    xp_tensor **weights;    /* per sig input: bound PARAMETER/BUFFER/CONSTANT;
                             * kept nsig_in long (NULL entries) by the builder */
    const struct xp_backend *backend;
    struct xp_exec_state *exec;
    /* Frees `exec`; set by whoever creates it, called by xp_program_free. */
    void (*exec_free)(struct xp_exec_state *exec);
    /* Every value name used in the program, so generated ones are unique
     * (runtime/ir/builder.c). */
    struct xp_strmap *names;
    /* Which signature entry holds each weight target and mutation target,
     * so adding one checks for duplicates without a scan (builder.c). */
    struct xp_sig_index *sig_index;
};

/* ---- building (runtime/ir/builder.c) ---- */

xp_program *xp_program_new(const char *name);
/* Interns a file name for source locations; returns its index. */
int32_t xp_program_file(xp_program *p, const char *file);

/* Adds a graph input with its signature entry. `name` must be a unique
 * identifier; `target` is the weight name for PARAMETER/BUFFER/CONSTANT.
 * Shapes may use the program's symbols. */
xp_status xp_program_add_input(xp_program *p, xp_input_kind kind, const char *name, const char *target,
                               xp_dtype dt, int ndim, const xp_dim *shape, int32_t *out_value);
/* Adds an integer input bound to symbol `sym` (a handle from xp_sym_new). */
xp_status xp_program_add_symint_input(xp_program *p, const char *name, xp_dim sym, int32_t *out_value);
/* A SYMINT output's value: size expression `expr` over the program's
 * symbols (`n + 1`), computed from the bound symbols when a run returns
 * it (a 0-d i64 tensor); no node produces it. Return it with
 * xp_program_add_output(p, XP_OUT_USER_OUTPUT, *out_value, field). */
xp_status xp_program_add_symint_value(xp_program *p, xp_dim expr, int32_t *out_value);
/* Whether value `id` of the top graph is a SYMINT output's value (an
 * integer that is not a graph input). */
bool xp_value_is_symint_output(const xp_graph *g, int32_t id);
/* Records a specialization (copied) for `xport show` and the .xpg file. */
xp_status xp_program_add_specialization(xp_program *p, xp_srcloc loc, const char *text);
/* Appends an output with its signature entry. */
xp_status xp_program_add_output(xp_program *p, xp_output_kind kind, int32_t value, const char *target);
/* The index in p->sig_in of the input whose target (weight name) is
 * `target`, or -1. Constant time; it may bring the program's signature
 * index up to date, so it is no safer to call from two threads at once
 * than the builder. */
int xp_program_input_by_target(const xp_program *p, const char *target);
/* The value of graph `g` called `name`, or -1. Constant time when no graph
 * of the program uses the name. */
int32_t xp_graph_find_value(const xp_graph *g, const char *name);

/* Appends a node for `op` to graph `g` (the program's graph or a subgraph):
 * checks the arguments against the schema, fills defaults, infers the
 * output's dtype and shape with the registry's shape function and creates
 * the output value(s), named after the op ("add", "add_1", ...).
 * On error nothing is added and the message names the op and argument. */
xp_status xp_graph_add_node(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                            int32_t *out_values);

/* Appends a node of custom op `op` (XP_OP_CUSTOM, docs/custom-ops.md) whose
 * output metas are given: computed by the plugin from the op's meta
 * function, or read from a program file (trusted; the kernel checks the
 * implementation's result against them). Arguments are checked against the
 * schema as for xp_graph_add_node; `names` may be NULL. */
xp_status xp_graph_add_custom_node(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, const xp_meta *metas,
                                   int nouts, xp_srcloc loc, const char *const *names, int32_t *out_values);

/* A fresh subgraph owned by `p` (attach it with xp_graph_add_cond). */
xp_graph *xp_graph_new_sub(xp_program *p);
xp_status xp_graph_add_input(xp_graph *g, const char *name, const xp_meta *meta, int32_t *out_value);
xp_status xp_graph_set_outputs(xp_graph *g, int n, const int32_t *values);
/* Appends a cond node: branches take the operands as inputs and must return
 * outputs of equal dtype and shape; takes ownership of both subgraphs (also
 * when it fails: subgraphs made by xp_graph_new_sub are freed then). */
xp_status xp_graph_add_cond(xp_graph *g, int32_t pred, int n_operands, const int32_t *operands,
                            xp_graph *true_branch, xp_graph *false_branch, xp_srcloc loc,
                            int32_t *out_values);

/* Appends a map node (torch's map): `body` takes one slice along dim 0 of
 * each of xs (which share their leading size, maybe symbolic), then the
 * extras (loop-invariant); the node's outputs are the body's outputs
 * stacked along a new leading dim of that size. Takes ownership of `body`
 * as xp_graph_add_cond does. */
xp_status xp_graph_add_map(xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                           xp_graph *body, xp_srcloc loc, int32_t *out_values);

void xp_graph_free(xp_graph *g);

/* ---- checking and printing ---- */

/* SSA, topological order, arg kinds vs schema, dtypes and shapes re-inferred
 * and compared, signature consistency. The message names the node. */
xp_status xp_program_verify(const xp_program *p);

/* Formats a source location as "model.c:12:31" ("" when unknown). */
int xp_srcloc_format(const xp_program *p, xp_srcloc loc, char *buf, size_t n);
/* Formats "f32[batch, 100]". */
int xp_meta_format(const xp_program *p, const xp_meta *m, char *buf, size_t n);

/* ---- JSON (runtime/io/program_json.c) ---- */

/* Serializes to a malloc'd NUL-terminated JSON string. */
xp_status xp_program_to_json(const xp_program *p, char **out, size_t *len);

#endif /* XP_IR_H */
