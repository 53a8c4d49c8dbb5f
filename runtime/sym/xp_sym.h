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

#endif /* XP_SYM_H */
