/*
 * Helpers shared by the graph IR's own files (runtime/ir/, and the .xpg
 * reader/writer in runtime/io/program_json.c): a string map, name
 * generation, builder entry points that take explicit value names (the
 * reader keeps the names a file gives), and a growable string for the
 * printers and messages. Not part of the contract between parts.
 */
#ifndef XP_IR_INTERNAL_H
#define XP_IR_INTERNAL_H

#include "ir/xp_ir.h"

#include <stdio.h>

/* ---- string -> int32 map, open addressing (builder.c) ---- */

typedef struct xp_strmap {
    int cap, n;  /* cap is 0 or a power of two */
    char **keys; /* owned copies; NULL marks an empty slot */
    int32_t *vals;
} xp_strmap;

/* The value stored for `key`, or NULL. */
int32_t *xp_strmap_get(const xp_strmap *m, const char *key);
/* Inserts or overwrites; XP_ERR_OOM on allocation failure. */
xp_status xp_strmap_put(xp_strmap *m, const char *key, int32_t val);
void xp_strmap_clear(xp_strmap *m);

/* ---- names (builder.c) ---- */

/* [A-Za-z_][A-Za-z0-9_]*, at most 255 characters. */
bool xp_ir_is_identifier(const char *s);
/* A weight name ("lin.weight", "layers.3.wq"): non-empty printable ASCII
 * without spaces. */
bool xp_ir_is_target(const char *s);
/* Frees the program's name and signature indexes (used by xp_program_free). */
void xp_ir_names_free(xp_program *p);

/* ---- builder entry points with explicit output names (builder.c) ---- */

/* As xp_graph_add_node, but names the outputs `names[0..nnames)` when
 * `names` is not NULL (each an identifier not yet used in `g`; the count
 * must equal the op's output count). */
xp_status xp_graph_add_node_named(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                                  const char *const *names, int nnames, int32_t *out_values);
xp_status xp_graph_add_cond_named(xp_graph *g, int32_t pred, int n_operands, const int32_t *operands,
                                  xp_graph *true_branch, xp_graph *false_branch, xp_srcloc loc,
                                  const char *const *names, int nnames, int32_t *out_values);
/* Number of outputs a node of `op` produces (cond: see its branches);
 * -1 for an op the builder does not accept in graphs. */
int xp_ir_op_nouts(xp_op_id op);

/* The checks shared by the builder and the verifier. Each returns XP_OK or
 * records a message naming what is wrong (without the node's name; the
 * caller prefixes it). */
xp_status xp_ir_check_cond(const xp_graph *g, int32_t pred, int n_operands, const int32_t *operands, const xp_graph *tb,
                           const xp_graph *fb);
/* map: xs share their (maybe symbolic) leading size; the body takes one
 * slice of each xs, then the extras. out_metas (may be NULL) receive the
 * node's outputs: the body's outputs with the leading size prepended. */
xp_status xp_ir_check_map(const xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                          const xp_graph *body, xp_meta *out_metas, int *nouts);
xp_status xp_graph_add_map_named(xp_graph *g, int n_xs, const int32_t *xs, int n_extras, const int32_t *extras,
                                 xp_graph *body, xp_srcloc loc, const char *const *names, int nnames,
                                 int32_t *out_values);
/* Where the targets of the first `nin` signature inputs and `nout` outputs
 * are, so that checking a new entry against the earlier ones takes
 * constant time instead of a scan (a 4096-layer model has 8192 weights).
 * The builder keeps one per program (p->sig_index), indexing each entry
 * it adds, and re-indexes when the signature grew behind its back (the
 * counts differ) or was reordered (a hit does not check out against the
 * signature); the verifier builds its own as it goes. Out of memory, the
 * checks scan. */
typedef struct xp_sig_index {
    xp_strmap targets;    /* target -> the first input in sig_in[0, nin) that has it */
    xp_strmap mutated[2]; /* USER_INPUT_MUTATION, BUFFER_MUTATION: target -> the
                           * first output of that kind in sig_out[0, nout) */
    int nin, nout;
} xp_sig_index;

/* Indexes sig_in[ix->nin] / sig_out[ix->nout] and counts it. */
xp_status xp_sig_index_add_input(xp_sig_index *ix, const xp_program *p);
xp_status xp_sig_index_add_output(xp_sig_index *ix, const xp_program *p);
void xp_sig_index_clear(xp_sig_index *ix);

/* Signature entry checks: a new input (earlier inputs, sig_in[0, ix->nin),
 * are checked for duplicate targets), a new output likewise (against
 * sig_out[0, ix->nout)). `ix` covers the earlier entries; with ix NULL,
 * they are all of sig_in / sig_out, scanned. */
xp_status xp_ir_check_sig_input(const xp_program *p, xp_input_kind kind, const char *name, bool is_symint,
                                const char *target, xp_sig_index *ix);
xp_status xp_ir_check_sig_output(const xp_program *p, xp_output_kind kind, int32_t value, const char *target,
                                 xp_sig_index *ix);
/* Converts a node's stored arguments (n <= XP_MAX_OP_ARGS) to xp_arg for
 * xp_schema_bind and the shape function: tensor args point at the values'
 * meta; lists[i] receives the pointer array of a tensor-list argument
 * (free with xp_ir_free_arg_lists, also after a failure). Checks value ids
 * (in range, of tensor kind, and defined when `defined` is not NULL). */
xp_status xp_ir_args_to_xp(const xp_graph *g, const xp_op_def *def, const xp_narg *nargs, int n, const bool *defined,
                           xp_arg *out, xp_meta **lists[XP_MAX_OP_ARGS]);
void xp_ir_free_arg_lists(xp_meta **lists[XP_MAX_OP_ARGS]);
/* True when two metas have the same dtype and provably equal dims. */
bool xp_ir_meta_equal(const xp_symctx *ctx, const xp_meta *a, const xp_meta *b);
/* Checks a shape function's output for sanity (rank, valid dims, dtype). */
xp_status xp_ir_check_meta(const xp_meta *m);

/* ---- growable strings (print.c) ---- */

typedef struct xp_sb {
    char *buf;
    size_t len, cap;
    bool oom;
} xp_sb;

void xp_sb_printf(xp_sb *sb, const char *fmt, ...) XP_PRINTF(2, 3);
void xp_sb_puts(xp_sb *sb, const char *s);
void xp_sb_dim(xp_sb *sb, const xp_symctx *ctx, xp_dim d);
void xp_sb_meta(xp_sb *sb, const xp_symctx *ctx, const xp_meta *m);
/* A double that reads back exactly, Python-style ("1.0", "1e-05", "-inf"). */
void xp_sb_float(xp_sb *sb, double f);
void xp_sb_free(xp_sb *sb);
/* "" when the builder ran out of memory. */
static inline const char *xp_sb_str(const xp_sb *sb) { return sb->buf && !sb->oom ? sb->buf : ""; }

/* "%add_1 (model.c:12:3)" or "%add_1" without a location, for messages. */
void xp_ir_node_label(const xp_program *p, const xp_node *n, char *buf, size_t size);

/* Maximum nesting of subgraphs accepted by the builder, verifier and reader. */
#define XP_IR_MAX_DEPTH 64

#endif /* XP_IR_INTERNAL_H */
