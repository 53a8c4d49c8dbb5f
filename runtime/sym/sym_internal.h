/*
 * Inside the symbol context: the node table, the hash-consing index and the
 * working polynomials that arithmetic builds before interning them.
 *
 * Canonical form. An expression is an integer polynomial: a sum of terms
 * `coef * monomial`, a monomial a product of atoms with positive exponents,
 * an atom a symbol, `floordiv(p, c)` or `mod(p, c)` with p itself canonical
 * and c > 1 a constant. Terms are sorted by a monomial order (lexicographic
 * on atoms, which is compatible with multiplication, so long division
 * terminates), equal monomials are combined and zero terms dropped. Atoms
 * are ordered structurally (symbols by name, then floordiv, then mod, each
 * by argument and divisor), never by creation order, so the canonical form
 * and its text do not depend on the order in which expressions were built,
 * cloned or read back from a file.
 *
 * A constant is never a node: it is the plain integer. A polynomial that is
 * exactly one atom (coefficient 1, exponent 1) is the atom's node. Every
 * other polynomial is a POLY node. Nodes are interned: the table maps each
 * node's payload to its index, so equal expressions share one handle.
 */
#ifndef XP_SYM_INTERNAL_H
#define XP_SYM_INTERNAL_H

#include "core/xp_core.h"
#include "sym/xp_sym.h"

#include <stddef.h>
#include <stdint.h>

enum { XS_SYM = 1, XS_FLOORDIV = 2, XS_MOD = 3, XS_POLY = 4 };

/* Distinct atoms in one monomial; more is reported as too complex. */
#define XS_MAX_FACTORS 12

/* Payload words in ctx->pool:
 *   SYM:            [symbol index]
 *   FLOORDIV / MOD: [argument handle, divisor]
 *   POLY:           [nterms, then per term: coef, nf, atom, exp, atom, exp, ...] */
typedef struct xs_node {
    uint32_t kind;
    uint32_t len;
    size_t ofs;
    uint64_t hash;
} xs_node;

typedef struct xs_symbol {
    char *name;
    int64_t min, max;
    uint32_t node;
} xs_symbol;

struct xp_symctx {
    xs_symbol *syms;
    int nsyms, symcap;
    xs_node *nodes;
    uint32_t nnodes, nodecap;
    int64_t *pool;
    size_t npool, poolcap;
    uint32_t *table; /* open addressing: 0 empty, else node index + 1 */
    size_t tablecap;
    /* the relation the last failing shape check needed (xp_symctx_require) */
    bool has_req;
    xp_requirement req;
};

/* ---- handles ---- */

/* Handles are spread out so that plain C arithmetic on one (the run-time
 * tracer hands them to user code as sizes) never lands on another handle:
 * handle = INT64_MIN + u with
 *   u = 2^39 | idx_hi << 32 | 2^31 | idx_lo << 16 | XS_HANDLE_TAG
 * (idx = idx_hi << 14 | idx_lo, 21 bits). So h + c and h - c for
 * 0 < |c| < 2^16 break the tag; h * c wraps far outside the handle range
 * (c even: a positive value >= 2^40; c odd: the tag times c); h / c is a
 * huge negative number; and (int)h, which keeps the low 32 bits, is below
 * -2^30. XS_HANDLE_TAG is odd, so the tag times an odd c != 1 (mod 2^16)
 * differs from it. */
#define XS_HANDLE_TAG 0x6B35u
#define XS_HANDLE_MAX_NODES (1u << 21)

static inline xp_dim xs_handle(uint32_t idx) {
    uint64_t u = (1ull << 39) | ((uint64_t)(idx >> 14) << 32) | (1ull << 31) | ((uint64_t)(idx & 0x3fff) << 16) |
                 XS_HANDLE_TAG;
    return (xp_dim)((uint64_t)INT64_MIN + u);
}
static inline uint32_t xs_index(xp_dim d) {
    uint64_t u = (uint64_t)d - (uint64_t)INT64_MIN;
    return (uint32_t)(((u >> 32) & 0x7f) << 14 | ((u >> 16) & 0x3fff));
}
/* True when d has the shape of a handle (whether or not a context made it). */
static inline bool xs_is_handle(xp_dim d) {
    uint64_t u = (uint64_t)d - (uint64_t)INT64_MIN;
    return (u >> 39) == 1 && (u & 0xc000ffffull) == (0x80000000ull | XS_HANDLE_TAG);
}

/* The node of handle d, or NULL when d is not a handle of ctx. */
static inline const xs_node *xs_node_of(const xp_symctx *ctx, xp_dim d) {
    if (!ctx || !xp_dim_is_sym(d) || !xs_is_handle(d) || xs_index(d) >= ctx->nnodes) return NULL;
    return &ctx->nodes[xs_index(d)];
}
static inline const int64_t *xs_payload(const xp_symctx *ctx, uint32_t idx) { return ctx->pool + ctx->nodes[idx].ofs; }

/* Records the error for a handle the context does not know. */
xp_status xs_bad_handle(const xp_symctx *ctx, xp_dim d);

/* ---- interning (sym_ctx.c) ---- */

/* The node index with this payload, creating it if needed; UINT32_MAX on OOM. */
uint32_t xs_intern(xp_symctx *ctx, uint32_t kind, const int64_t *words, uint32_t len);
/* The existing node with this payload, or UINT32_MAX; never creates. */
uint32_t xs_lookup(const xp_symctx *ctx, uint32_t kind, const int64_t *words, uint32_t len);

/* ---- working polynomials (sym_poly.c) ---- */

typedef struct xs_factor {
    uint32_t atom; /* node index of a SYM, FLOORDIV or MOD node */
    uint32_t exp;
} xs_factor;

typedef struct xs_term {
    int64_t coef;
    int nf;
    xs_factor f[XS_MAX_FACTORS]; /* sorted by atom order */
} xs_term;

typedef struct xs_poly {
    int n, cap;
    xs_term *t;
} xs_poly;

void xs_poly_init(xs_poly *p);
void xs_poly_free(xs_poly *p);
void xs_poly_clear(xs_poly *p);
xp_status xs_poly_push(xs_poly *p, const xs_term *t);
xp_status xs_poly_push_const(xs_poly *p, int64_t c);
xp_status xs_poly_copy(xs_poly *dst, const xs_poly *src);
/* Decodes a constant or handle into a polynomial (already canonical). */
xp_status xs_poly_from_dim(const xp_symctx *ctx, xp_dim d, xs_poly *out);

/* Structural order of atoms / monomials / expressions (-1, 0, 1). */
int xs_atom_cmp(const xp_symctx *ctx, uint32_t a, uint32_t b);
int xs_mono_cmp(const xp_symctx *ctx, const xs_term *a, const xs_term *b);
int xs_dim_cmp(const xp_symctx *ctx, xp_dim a, xp_dim b);

/* Sorts terms, combines equal monomials, drops zero terms. */
xp_status xs_poly_normalize(const xp_symctx *ctx, xs_poly *p);
/* out = a + scale * b, normalized (out may not alias a or b). */
xp_status xs_poly_add(const xp_symctx *ctx, const xs_poly *a, const xs_poly *b, int64_t scale, xs_poly *out);
/* out = a * b, normalized. */
xp_status xs_poly_mul(const xp_symctx *ctx, const xs_poly *a, const xs_poly *b, xs_poly *out);
/* The product of two monomials (coefficients multiplied, factors merged). */
xp_status xs_term_mul(const xp_symctx *ctx, const xs_term *a, const xs_term *b, xs_term *out);

/* Checked coefficient arithmetic: INT64_MIN counts as overflow, so every
 * coefficient can be negated and printed as a sign and a magnitude. */
bool xs_coef_add(int64_t a, int64_t b, int64_t *out);
bool xs_coef_mul(int64_t a, int64_t b, int64_t *out);
xp_status xs_overflow(const char *what);

/* Floor division and modulo of integers by a positive divisor. */
static inline int64_t xs_floordiv_i64(int64_t a, int64_t c) {
    int64_t q = a / c;
    if ((a % c != 0) && (a < 0)) q--;
    return q;
}
static inline int64_t xs_mod_i64(int64_t a, int64_t c) {
    int64_t r = a % c;
    return r < 0 ? r + c : r;
}

/* ---- canonical expressions (sym_expr.c) ---- */

/* Interns a normalized polynomial: a constant, an atom handle or a POLY node
 * (after recombining c*(p / c) + p % c into p). */
xp_dim xs_poly_finish(xp_symctx *ctx, xs_poly *p);

#endif /* XP_SYM_INTERNAL_H */
