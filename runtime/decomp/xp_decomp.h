/*
 * Decompositions (DESIGN §4, §5): the table (decomps.def), the functions
 * that rewrite one non-core op into core ops with the graph builder, the
 * helpers they share (emit.c), and the pass that applies a table to a
 * program (decompose.c, xp_program_run_decompositions in xport.h).
 */
#ifndef XP_DECOMP_H
#define XP_DECOMP_H

#include "ir/xp_ir.h"

/* Appends nodes computing one op to `g` (args: the node's complete bound
 * arguments, tensors as values of g), each at `loc`, and writes the
 * result's value id(s) to outs. */
typedef xp_status (*xp_decomp_fn)(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs);

#define XP_DECOMP(op, fn) xp_status fn(xp_graph *g, const xp_narg *args, xp_srcloc loc, int32_t *outs);
#include "decomp/decomps.def"
#undef XP_DECOMP

/* The op's decomposition in decomps.def, or NULL. */
xp_decomp_fn xp_decomp_get(xp_op_id op);
/* True when decomps.def has a row for `op`. */
bool xp_op_has_decomposition(xp_op_id op);

/* The opaque xp_decomp_table of xport.h: which ops to decompose. */
struct xp_decomp_table {
    bool ops[XP_OP_COUNT];
};

/* ---- helpers for writing decompositions (emit.c) ----
 * Each appends one node (or none, where noted) to g at loc and writes its
 * output value to *out; errors are the builder's, naming the op. */

/* Value v's metadata; the pointer is good until the next node is added
 * (the builder may move g's values), so keep a copy across builder calls. */
static inline const xp_meta *xp_dc_meta(const xp_graph *g, int32_t v) { return &g->values[v].meta; }

xp_status xp_dc_node(xp_graph *g, xp_srcloc loc, xp_op_id op, int nargs, const xp_narg *args, int32_t *out);
xp_status xp_dc_unary(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t x, int32_t *out);
xp_status xp_dc_binary(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t a, int32_t b, int32_t *out);
/* add_scalar, mul_scalar, ...: a Scalar operand */
xp_status xp_dc_scalar(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t a, double s, int32_t *out);
/* sum, mean, amax, amin over dims[0..n) (already normalized) */
xp_status xp_dc_reduce(xp_graph *g, xp_srcloc loc, xp_op_id op, int32_t x, int n, const int *dims, bool keepdim,
                       int32_t *out);
xp_status xp_dc_permute(xp_graph *g, xp_srcloc loc, int32_t x, int n, const int *perm, int32_t *out);
xp_status xp_dc_unsqueeze(xp_graph *g, xp_srcloc loc, int32_t x, int dim, int32_t *out);
xp_status xp_dc_view(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out);
xp_status xp_dc_expand(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out);
/* PyTorch's reshape in a graph: a view when x is contiguous by
 * construction (xp_dc_is_contiguous), else clone + view. */
xp_status xp_dc_reshape(xp_graph *g, xp_srcloc loc, int32_t x, int n, const xp_dim *shape, int32_t *out);
/* x converted to dt; no node (out = x) when x already is dt. */
xp_status xp_dc_to(xp_graph *g, xp_srcloc loc, int32_t x, xp_dtype dt, int32_t *out);
/* A tensor of `dt` filled with `value`, broadcastable anywhere (0-d). */
xp_status xp_dc_scalar_tensor(xp_graph *g, xp_srcloc loc, double value, xp_dtype dt, int32_t *out);

/* The output metadata a node of `op` with these arguments would have,
 * without adding it (the op's shape function on g's values). */
xp_status xp_dc_infer(xp_graph *g, xp_op_id op, int nargs, const xp_narg *args, xp_meta *out);

/* Whether value v is contiguous by construction, so a view of it never
 * fails at run time: outputs of non-view ops (kernels write dense
 * buffers), bound weights (PARAMETER/BUFFER/CONSTANT, kept as contiguous
 * copies), and view/reshape/flatten/unsqueeze/squeeze of such a value, or
 * a slice/select along dim 0 with step 1. User inputs and subgraph inputs
 * may be strided views the caller passes, and permute/expand/transpose/t
 * results are strided, so they are not. */
bool xp_dc_is_contiguous(const xp_graph *g, int32_t v);

/* Dim d of a rank-ndim tensor, negative counting from the end (the shape
 * function has checked it; a 0-d tensor takes -1 and 0). */
int xp_dc_wrap_dim(int64_t d, int ndim);
/* The dtype float math runs in, as the CPU kernels and PyTorch's
 * decompositions do it: f64 stays, everything else computes in f32
 * (f16/bf16 are upcast and the result rounded once). */
xp_dtype xp_dc_compute_dtype(xp_dtype dt);
/* Product of dims [from, to) of m, symbolic when they are. */
xp_dim xp_dc_numel(xp_graph *g, const xp_meta *m, int from, int to);

#endif /* XP_DECOMP_H */
