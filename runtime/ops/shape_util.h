/*
 * Helpers shared by the shape functions (runtime/ops/shape_*.c).
 *
 * Every shape function runs in two settings: eager (ctx == NULL, every dim
 * a plain integer; the helpers then do plain integer work and allocate
 * nothing) and in a graph (ctx is the program's symbol context, dims may be
 * symbolic). A relation a shape function needs (equal sizes, a size at
 * least some bound) must then be *provable* from the declared ranges; when
 * it is not, the error names the op, the arguments, the dims in text form
 * with their ranges, and the relation that is needed.
 *
 * `op` arguments name the op for messages ("matmul"); NULL means the shape
 * function serves several ops and cannot tell which, so the message starts
 * with the fact itself (as PyTorch's broadcasting message does).
 */
#ifndef XP_SHAPE_UTIL_H
#define XP_SHAPE_UTIL_H

#include "ops/xp_registry.h"

#include <stddef.h>

/* Returns from the calling function when `expr` is not XP_OK. */
#define XPS_TRY(expr)                         \
    do {                                      \
        xp_status xps_st_ = (expr);           \
        if (xps_st_ != XP_OK) return xps_st_; \
    } while (0)

/* Buffer size for one dim's or one shape's text in a message. */
#define XPS_TEXT 192

/* Records `st` with "op: message" (or just the message when op is NULL). */
xp_status xps_fail(xp_status st, const char *op, const char *fmt, ...) XP_PRINTF(3, 4);

/* ---- text for messages ---- */

/* "batch*seq" or "64". */
const char *xps_dim_text(const xp_symctx *ctx, xp_dim d, char *buf, size_t n);
/* "k in [1, 64]" for a symbolic dim, "64" for a concrete one. */
const char *xps_dim_desc(const xp_symctx *ctx, xp_dim d, char *buf, size_t n);
/* "[2, batch*seq]" */
const char *xps_shape_text(const xp_symctx *ctx, int ndim, const xp_dim *shape, char *buf, size_t n);
/* PyTorch's dtype names, as its messages use them: Float, Long, Bool, ... */
const char *xps_torch_dtype_name(xp_dtype dt);

/* ---- arguments ---- */

/* Tensor argument i (XP_ERR_INVALID_ARG naming `name` when it is missing). */
xp_status xps_tensor_arg(const xp_arg *args, int i, const char *op, const char *name, const xp_meta **out);
/* An optional tensor argument: *out is NULL for None. */
xp_status xps_opt_tensor_arg(const xp_arg *args, int i, const char *op, const char *name, const xp_meta **out);

/* Normalizes a dim index for a tensor of rank `ndim` with PyTorch's rule
 * (negative counts from the end; a 0-d tensor accepts -1 and 0) and its
 * message: "dimension out of range (expected to be in range of [-2, 1],
 * but got 2)". */
xp_status xps_dim_index(const char *op, xp_dim dim, int ndim, int *out);
/* An int argument that must be a compile-time constant (not symbolic). */
xp_status xps_const_int(const char *op, const char *name, xp_dim v, int64_t *out);
/* An int[2] argument: two values, one value for both, or `dflt` for an
 * empty list (an empty list means "the default" in schemas like
 * `int[2] stride=[]`). Values must be constants. */
xp_status xps_int_pair(const char *op, const char *name, const xp_arg *a, int64_t dflt, int64_t out[2]);

/* ---- relations between sizes ----
 *
 * Every failure about a relation between sizes, here and in the shape
 * functions, first records the relation it needed in ctx with
 * xp_symctx_require (a no-op when ctx is NULL), so the plugin can turn it
 * into a suggested fix. */

/* Requires a == b. `what_a`/`what_b` name them ("self dim 1"). */
xp_status xps_require_eq(xp_symctx *ctx, const char *op, const char *what_a, xp_dim a, const char *what_b, xp_dim b);
/* Requires lo <= d, explaining `what` and the needed range on failure. */
xp_status xps_require_le(xp_symctx *ctx, const char *op, xp_dim lo, const char *what, xp_dim d, const char *why);

/* Element count (product of the shape). */
xp_dim xps_numel(xp_symctx *ctx, int ndim, const xp_dim *shape);
/* True when d is provably 1. */
bool xps_is_one(const xp_symctx *ctx, xp_dim d);
/* True when a and b are provably equal. */
bool xps_same(const xp_symctx *ctx, xp_dim a, xp_dim b);

/* ---- broadcasting ----
 *
 * Right-aligned, as in PyTorch: two sizes agree when they are equal or one
 * of them is 1. With symbols the rule is decided on what the declared
 * ranges prove, and xport never specializes silently:
 *   - s against 1 gives s; s against s gives s;
 *   - a dim provably equal to 1 (range [1, 1]) broadcasts like 1;
 *   - two sizes provably equal give that size;
 *   - anything else is an error naming both sizes and their ranges, even
 *     when one of them could be 1 at run time: torch.export would
 *     specialize that dim to 1 (or to the other size); xport asks for the
 *     intent to be declared instead (one dim name, or a static size).
 */

/* out->ndim and out->shape become the broadcast of a's and b's shapes. */
xp_status xps_broadcast(xp_symctx *ctx, const char *op, const char *name_a, const xp_meta *a, const char *name_b,
                        const xp_meta *b, xp_meta *out);
/* Requires src to broadcast to exactly dst's shape (copy, addmm's self,
 * attention masks, in-place ops). */
xp_status xps_broadcast_to(xp_symctx *ctx, const char *op, const char *src_name, const xp_meta *src,
                           const char *dst_name, const xp_meta *dst);

/* ---- dtypes ---- */

/* The float dtype an op that needs floats computes in: floats stay, ints and
 * bool become f32 (PyTorch's default dtype). */
xp_dtype xps_float_of(xp_dtype dt);
/* PyTorch's can_cast for writing a `from` result into a `to` tensor. */
bool xps_can_cast(xp_dtype from, xp_dtype to);
/* Requires a floating-point dtype. */
xp_status xps_require_float(const char *op, const char *name, xp_dtype dt);
/* Requires equal dtypes (linear algebra does not promote). */
xp_status xps_require_same_dtype(const char *op, const char *name_a, xp_dtype a, const char *name_b, xp_dtype b);

/* ---- output ---- */

/* Copies a shape into out (dtype untouched). */
void xps_set_shape(xp_meta *out, int ndim, const xp_dim *shape);
/* Checks a result rank against XP_MAX_DIMS. */
xp_status xps_check_rank(const char *op, int ndim);

#endif /* XP_SHAPE_UTIL_H */
