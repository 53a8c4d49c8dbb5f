/*
 * Capture: turning a sequence of tensor-API calls into a functional graph.
 * Shared by the Clang plugin (which calls it while interpreting a function's
 * AST at compile time) and the run-time tracer (which calls it from eager
 * dispatch) — so both produce the same programs.
 *
 * The caller hands over op calls on *tensor references* (xp_cref). The
 * capture keeps, for every reference, its current graph value and, for a
 * view, how it was derived from its base (the view op and its arguments).
 * That is PyTorch's functionalization:
 *   - view ops are recorded as graph nodes and remembered as view chains;
 *   - a mutable op (relu_, add_, copy_, ...) on reference r computes the
 *     functional result, then writes it back up r's view chain with
 *     slice_scatter / select_scatter (and inverse reshapes/permutes), giving
 *     the base a new value; views of that base are re-derived lazily on
 *     their next use;
 *   - at the end, every user input or buffer whose value changed becomes a
 *     USER_INPUT_MUTATION / BUFFER_MUTATION output, listed before the user
 *     outputs as torch.export does; a mutated PARAMETER is an error.
 */
#ifndef XP_CAPTURE_H
#define XP_CAPTURE_H

#include "ir/xp_ir.h"

typedef int32_t xp_cref;
#define XP_CREF_NONE (-1)

typedef struct xp_capture xp_capture;

/* An op argument during capture: like xp_narg, but tensors are references. */
typedef struct xp_carg {
    xp_argkind kind;
    union {
        xp_cref t;
        struct { int n; const xp_cref *v; } tl;
        xp_dim i;
        struct { int n; const xp_dim *v; } il;
        double f;
        bool b;
        xp_dtype dt;
    };
} xp_carg;

static inline xp_carg xp_carg_t(xp_cref t) { xp_carg a = {.kind = t == XP_CREF_NONE ? XP_ARG_NONE : XP_ARG_TENSOR}; a.t = t; return a; }
static inline xp_carg xp_carg_tl(int n, const xp_cref *v) { xp_carg a = {.kind = XP_ARG_TENSOR_LIST}; a.tl.n = n; a.tl.v = v; return a; }
static inline xp_carg xp_carg_i(xp_dim i) { xp_carg a = {.kind = XP_ARG_INT}; a.i = i; return a; }
static inline xp_carg xp_carg_il(int n, const xp_dim *v) { xp_carg a = {.kind = XP_ARG_INT_LIST}; a.il.n = n; a.il.v = v; return a; }
static inline xp_carg xp_carg_f(double f) { xp_carg a = {.kind = XP_ARG_FLOAT}; a.f = f; return a; }
static inline xp_carg xp_carg_b(bool b) { xp_carg a = {.kind = XP_ARG_BOOL}; a.b = b; return a; }
static inline xp_carg xp_carg_dt(xp_dtype dt) { xp_carg a = {.kind = XP_ARG_DTYPE}; a.dt = dt; return a; }
static inline xp_carg xp_carg_none(void) { xp_carg a = {.kind = XP_ARG_NONE}; return a; }

/* Starts capturing into `p` (a fresh program from xp_program_new, whose
 * symbols the caller has declared). The capture does not own `p`. */
xp_capture *xp_capture_new(xp_program *p);
void xp_capture_free(xp_capture *c);
xp_program *xp_capture_program(const xp_capture *c);

/* A USER_INPUT tensor named after the C parameter. */
xp_status xp_capture_user_input(xp_capture *c, const char *name, xp_dtype dt, int ndim, const xp_dim *shape,
                                xp_cref *out);
/* A PARAMETER or BUFFER reached by access path `target` ("layers.3.attn.wq");
 * its placeholder is named p_layers_3_attn_wq / b_... as torch.export does.
 * Asking twice for one target returns the same input (checked: same dtype
 * and shape). */
xp_status xp_capture_weight(xp_capture *c, xp_input_kind kind, const char *target, xp_dtype dt, int ndim,
                            const xp_dim *shape, xp_cref *out);
/* An integer input bound to symbol `sym` (dim on an int parameter). */
xp_status xp_capture_symint_input(xp_capture *c, const char *name, xp_dim sym);

/* Records one op call. Ordinary ops add a node; view ops add a node and
 * remember the view; mutable ops are functionalized (the result reference
 * is argument 0's reference, now holding the new value). On error nothing
 * is recorded and the message names the op (shape errors come from the
 * registry's shape functions). */
xp_status xp_capture_op(xp_capture *c, xp_op_id op, const xp_carg *args, int nargs, xp_srcloc loc, xp_cref *out);

/* Records a call of custom op `op` (XP_OP_CUSTOM) as one node whose output
 * has dtype and shape `meta` (from the op's meta function). Ops that write
 * an argument are refused: a graph holds only functional ops. */
xp_status xp_capture_custom_op(xp_capture *c, xp_op_id op, const xp_carg *args, int nargs, const xp_meta *meta,
                               xp_srcloc loc, xp_cref *out);

/* Dtype and (maybe symbolic) shape of a reference's current value; NULL
 * for an unknown reference. The pointer stays valid for the capture's life. */
const xp_meta *xp_capture_meta(xp_capture *c, xp_cref t);
/* The graph value currently behind a reference (re-deriving a stale view). */
xp_status xp_capture_value(xp_capture *c, xp_cref t, int32_t *value);

/* Marks `t` as a USER_OUTPUT (in call order); `field` names it when the
 * exported function returns a struct (NULL for a single tensor). */
xp_status xp_capture_output(xp_capture *c, xp_cref t, const char *field);
/* Returns a size (an int64_t field, a SYMINT output): concrete or an
 * expression over the program's symbols; a run gives it as a 0-d i64
 * tensor computed from the bound symbols. */
xp_status xp_capture_output_size(xp_capture *c, xp_dim size, const char *field);
/* Adds mutation outputs, orders the signature (mutations first, then user
 * outputs) and verifies the program. Inputs may be declared in any order
 * (weights as they are first read); finishing orders them as torch.export
 * does: parameters, buffers, constants, then user inputs as declared. */
xp_status xp_capture_finish(xp_capture *c);

/* ---- structured control flow: cond and map (issue 5) ----
 *
 * Between a *_begin and its *_end, op calls are recorded into a subgraph.
 * A tensor created outside the region and read inside it becomes an
 * operand of the cond/map node automatically (lifted into a subgraph
 * input), as torch.cond does with closed-over tensors. Regions nest.
 * Inside a region, mutating a tensor from outside it (an input, a buffer,
 * or any outer value) is an error naming the tensor; views of outer
 * tensors are fine. On any error the caller calls xp_capture_region_abort
 * to discard the open region(s). */

/* cond: `pred` is a one-element bool tensor (for a condition on sizes, make
 * it with the sym_eq / sym_le / sym_lt ops). Ops go to the true branch
 * until xp_capture_cond_else, then to the false branch. */
xp_status xp_capture_cond_begin(xp_capture *c, xp_cref pred, xp_srcloc loc);
xp_status xp_capture_cond_else(xp_capture *c);
/* Ends the cond: both branches return n tensors of equal dtype and
 * (symbolically equal) shape; outs receive the cond node's outputs. The
 * error names the first output that differs and how. */
xp_status xp_capture_cond_end(xp_capture *c, int n, const xp_cref *true_outs, const xp_cref *false_outs,
                              xp_cref *outs);

/* map over the leading dim of each of xs (all the same size, maybe
 * symbolic): slices[i] receive references to slice i of xs[i] inside the
 * body. */
xp_status xp_capture_map_begin(xp_capture *c, int n_xs, const xp_cref *xs, xp_srcloc loc, xp_cref *slices);
/* Ends the map: outs[i] stacks body_outs[i] over the mapped dim. */
xp_status xp_capture_map_end(xp_capture *c, int n, const xp_cref *body_outs, xp_cref *outs);

/* Discards every open region (after an error). */
void xp_capture_region_abort(xp_capture *c);

#endif /* XP_CAPTURE_H */
