/*
 * Symbolic sizes.
 *
 * A size is an `xp_dim` (an int64_t). Concrete sizes are plain integers;
 * symbolic ones are handles into an `xp_symctx`, encoded in a reserved range
 * at the very bottom of int64_t that no real size or index can reach (the
 * same trick as PyTorch's SymInt packing an int or a node pointer). So every
 * shape function, builder call and kernel argument carries sizes one way,
 * and the concrete path is plain integer arithmetic with no context at all.
 *
 * Symbolic expressions are integer polynomials over symbols and over
 * floor-division / modulo terms by positive constants, kept in one
 * canonical form and hash-consed in the context: two equal expressions are
 * the same handle, so `a == b` on handles is structural equality. Every
 * symbol has an inclusive range [min, max]; interval arithmetic over those
 * ranges decides relations when it can (XP_YES / XP_NO) and says XP_UNKNOWN
 * when it cannot.
 *
 * Text form (used by `xport show`, .xpg files and error messages):
 *   batch*seq      2*h + 1      (h + 2*p - 3) / 2 + 1      n % 4
 * `/` and `%` are floor division and modulo by a positive constant.
 */
#ifndef XP_SYM_H
#define XP_SYM_H

#include "xport.h"

#include <stdbool.h>
#include <stdint.h>

typedef int64_t xp_dim;

/* Handles live in [INT64_MIN + 1, XP_DIM_SYM_LIMIT); INT64_MIN itself is
 * XP_DIM_INVALID, the result of a failed operation (the error is recorded). */
#define XP_DIM_INVALID INT64_MIN
#define XP_DIM_SYM_LIMIT (INT64_MIN + ((int64_t)1 << 40))

static inline bool xp_dim_is_sym(xp_dim d) { return d < XP_DIM_SYM_LIMIT && d != XP_DIM_INVALID; }
static inline bool xp_dim_is_valid(xp_dim d) { return d != XP_DIM_INVALID; }

/* The largest size a symbol may take when no max is declared. */
#define XP_SYM_MAX_DEFAULT (INT64_MAX / 4)

typedef struct xp_symctx xp_symctx;

xp_symctx *xp_symctx_new(void);
void xp_symctx_free(xp_symctx *ctx);
/* A deep copy; handles valid in `ctx` are valid, with the same meaning, in the copy. */
xp_symctx *xp_symctx_clone(const xp_symctx *ctx);

/* ---- symbols ---- */

/* Declares symbol `name` with inclusive range [min, max] and returns the
 * handle of the expression `name`. Fails (XP_DIM_INVALID, error recorded)
 * on a duplicate name, an invalid name, or min > max, or min < 0. */
xp_dim xp_sym_new(xp_symctx *ctx, const char *name, int64_t min, int64_t max);
int xp_sym_count(const xp_symctx *ctx);
const char *xp_sym_name(const xp_symctx *ctx, int sym);
int64_t xp_sym_min(const xp_symctx *ctx, int sym);
int64_t xp_sym_max(const xp_symctx *ctx, int sym);
xp_status xp_sym_set_range(xp_symctx *ctx, int sym, int64_t min, int64_t max);
/* Index of the symbol called `name`, or -1. */
int xp_sym_find(const xp_symctx *ctx, const char *name);
/* The handle of symbol index `sym` as an expression. */
xp_dim xp_sym_expr(const xp_symctx *ctx, int sym);
/* The symbol index when `d` is exactly one symbol, else -1. */
int xp_dim_as_symbol(const xp_symctx *ctx, xp_dim d);
/* True when d = A*sym + B for one symbol (A != 0); fills the parts. */
bool xp_dim_as_linear(const xp_symctx *ctx, xp_dim d, int *sym, int64_t *a, int64_t *b);

/* ---- arithmetic (canonicalizing; concrete operands need no ctx) ---- */

xp_dim xp_dim_add(xp_symctx *ctx, xp_dim a, xp_dim b);
xp_dim xp_dim_sub(xp_symctx *ctx, xp_dim a, xp_dim b);
xp_dim xp_dim_mul(xp_symctx *ctx, xp_dim a, xp_dim b);
/* floor(a / c) and a mod c for a constant c > 0 */
xp_dim xp_dim_floordiv(xp_symctx *ctx, xp_dim a, int64_t c);
xp_dim xp_dim_mod(xp_symctx *ctx, xp_dim a, int64_t c);
/* a / b when b divides a exactly as polynomials (e.g. 100*b*s / b = 100*s);
 * XP_DIM_INVALID with an XP_ERR_SHAPE message otherwise. */
xp_dim xp_dim_div_exact(xp_symctx *ctx, xp_dim a, xp_dim b);
xp_dim xp_dim_min(xp_symctx *ctx, xp_dim a, xp_dim b); /* only when decidable */
xp_dim xp_dim_max(xp_symctx *ctx, xp_dim a, xp_dim b); /* only when decidable */

/* ---- ranges and decisions ---- */

typedef enum xp_tri { XP_NO = 0, XP_YES = 1, XP_UNKNOWN = -1 } xp_tri;

/* Sound bounds of `d` over the symbols' ranges. */
void xp_dim_range(const xp_symctx *ctx, xp_dim d, int64_t *lo, int64_t *hi);
xp_tri xp_dim_eq(const xp_symctx *ctx, xp_dim a, xp_dim b);
xp_tri xp_dim_lt(const xp_symctx *ctx, xp_dim a, xp_dim b);
xp_tri xp_dim_le(const xp_symctx *ctx, xp_dim a, xp_dim b);

/* ---- evaluation, text ---- */

/* Value of `d` given each symbol's value (indexed by symbol index). */
xp_status xp_dim_eval(const xp_symctx *ctx, xp_dim d, const int64_t *sym_values, int64_t *out);
/* Writes the text form; returns the length it needed (snprintf-like). */
int xp_dim_format(const xp_symctx *ctx, xp_dim d, char *buf, size_t n);
/* Parses the text form; every symbol named must already exist. */
xp_status xp_dim_parse(xp_symctx *ctx, const char *text, xp_dim *out);
/* Symbol indices that occur in `d` (up to `cap`); returns how many. */
int xp_dim_symbols(const xp_symctx *ctx, xp_dim d, int *syms, int cap);

/* ---- requirements and suggested fixes (dynamic shapes, issue 4) ---- */

/* A relation between sizes that an op or a branch needed but the declared
 * ranges did not decide: lhs REL rhs. */
typedef enum xp_rel { XP_REL_EQ = 0, XP_REL_LE, XP_REL_LT } xp_rel;

typedef struct xp_requirement {
    xp_rel rel;
    xp_dim lhs, rhs;
} xp_requirement;

/* Shape functions record the relation they failed to prove here (the last
 * one wins); a caller that can act on it (the plugin's suggested fixes)
 * takes it after the failure. Taking clears it; `out` may be NULL to just
 * clear. xp_op_infer_shape clears it before and after a successful shape
 * function, so after a failing xp_op_infer_shape (builder, capture) the
 * requirement, if any, is that op's. Every "cannot prove" failure of a
 * shape function records one (runtime/ops/shape_util.c); a failure that is
 * not about a relation (dtype, rank, a non-constant argument) records none.
 * xp_symctx_clone copies a pending requirement (it is part of the state,
 * and its handles mean the same in the copy). Recording with ctx == NULL
 * (eager mode) does nothing. */
void xp_symctx_require(xp_symctx *ctx, xp_rel rel, xp_dim lhs, xp_dim rhs);
bool xp_symctx_take_requirement(xp_symctx *ctx, xp_requirement *out);

/* The mechanical change to the declarations that makes a requirement hold
 * for every value in the ranges (torch.export's "suggested fixes"). */
typedef enum xp_fix_kind {
    XP_FIX_NONE = 0, /* no single-symbol bound or renaming makes it provable */
    XP_FIX_MIN,      /* raise sym's min to value */
    XP_FIX_MAX,      /* lower sym's max to value */
    XP_FIX_EQUAL,    /* sym and other must be one dim: use one name for both */
    XP_FIX_CONST     /* sym must be exactly value (min = max = value) */
} xp_fix_kind;

typedef struct xp_sym_fix {
    xp_fix_kind kind;
    int sym, other; /* symbol indices (other: XP_FIX_EQUAL only) */
    int64_t value;
} xp_sym_fix;

/* Suggests the fix for `req` (linear relations in one symbol give a bound;
 * A*s + B == A*t + B gives EQUAL). A fix that would empty a range (min >
 * max) is XP_FIX_NONE. Details (runtime/sym/sym_fix.c): the relation is
 * moved to one side, d = rhs - lhs (minus 1 for LT), and must then be
 * d == 0 or d >= 0 with
 *   d = A*s + B             EQ: CONST -B/A when exact; GE: MIN ceil(-B/A)
 *                           for A > 0, MAX floor(B/-A) for A < 0
 *   d = K*((A*s + B) / C) + D    GE only: the bound on s that makes the
 *                           quotient at least / at most what it must be
 *   d = A*t - A*s           EQ: EQUAL (sym: the symbol of the lhs side)
 * against the symbols' current ranges: a fix only narrows, so a bound
 * outside the range (nothing to change, or an empty range) is NONE, as is
 * a CONST outside it and an EQUAL of disjoint ranges. Anything else
 * (two symbols in an inequality, products, modulo) is NONE. Returns an
 * error only for bad arguments (a handle of another context) or OOM;
 * `out` is always set. */
xp_status xp_sym_suggest_fix(const xp_symctx *ctx, const xp_requirement *req, xp_sym_fix *out);
/* "lhs <= rhs", "lhs < rhs", "lhs == rhs" in the text form, for messages;
 * snprintf-like. */
int xp_requirement_format(const xp_symctx *ctx, const xp_requirement *req, char *buf, size_t n);

#endif /* XP_SYM_H */
