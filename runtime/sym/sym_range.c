/*
 * Ranges and decisions: sound bounds of an expression by interval
 * arithmetic over the symbols' declared ranges.
 *
 * Bounds are int64 with directed infinities: a lower bound of INT64_MIN
 * means -inf and an upper bound of INT64_MAX means +inf. Every operation
 * rounds outward (a lower bound that overflows upward saturates at
 * INT64_MAX, which is still below the true value, and so on), so a bound
 * is always sound even when the true extreme does not fit in int64.
 *
 * A relation between a and b is decided on the canonical difference b - a:
 * a constant decides it exactly, otherwise its interval does when the
 * interval lies on one side of zero.
 */
#include "sym/sym_internal.h"

#include <stdlib.h>
#include <string.h>

#define NEG_INF INT64_MIN
#define POS_INF INT64_MAX

typedef struct iv {
    int64_t lo, hi;
} iv;

static const iv FULL = {NEG_INF, POS_INF};

static int64_t add_lo(int64_t a, int64_t b) {
    if (a == NEG_INF || b == NEG_INF) return NEG_INF;
    int64_t r;
    if (!xp_i64_add_checked(a, b, &r)) return a > 0 ? POS_INF : NEG_INF;
    return r;
}

static int64_t add_hi(int64_t a, int64_t b) {
    if (a == POS_INF || b == POS_INF) return POS_INF;
    int64_t r;
    if (!xp_i64_add_checked(a, b, &r)) return a > 0 ? POS_INF : NEG_INF;
    return r;
}

static iv iv_add(iv a, iv b) { return (iv){add_lo(a.lo, b.lo), add_hi(a.hi, b.hi)}; }

/* x * y where x, y are endpoints; `xinf`/`yinf` say whether the endpoint is
 * an infinity (only a lower INT64_MIN or an upper INT64_MAX is). */
static int64_t mul_end(int64_t x, bool xinf, int64_t y, bool yinf) {
    if ((x == 0 && !xinf) || (y == 0 && !yinf)) return 0;
    bool neg = (x < 0) != (y < 0);
    if (xinf || yinf) return neg ? NEG_INF : POS_INF;
    int64_t r;
    if (!xp_i64_mul_checked(x, y, &r)) return neg ? NEG_INF : POS_INF;
    return r;
}

static iv iv_mul(iv a, iv b) {
    bool alo = a.lo == NEG_INF, ahi = a.hi == POS_INF, blo = b.lo == NEG_INF, bhi = b.hi == POS_INF;
    int64_t p[4] = {mul_end(a.lo, alo, b.lo, blo), mul_end(a.lo, alo, b.hi, bhi), mul_end(a.hi, ahi, b.lo, blo),
                    mul_end(a.hi, ahi, b.hi, bhi)};
    iv r = {p[0], p[0]};
    for (int i = 1; i < 4; i++) {
        if (p[i] < r.lo) r.lo = p[i];
        if (p[i] > r.hi) r.hi = p[i];
    }
    return r;
}

static iv iv_floordiv(iv a, int64_t c) {
    return (iv){a.lo == NEG_INF ? NEG_INF : xs_floordiv_i64(a.lo, c),
                a.hi == POS_INF ? POS_INF : xs_floordiv_i64(a.hi, c)};
}

static iv iv_mod(iv a, int64_t c) {
    if (a.lo != NEG_INF && a.hi != POS_INF && xs_floordiv_i64(a.lo, c) == xs_floordiv_i64(a.hi, c))
        return (iv){xs_mod_i64(a.lo, c), xs_mod_i64(a.hi, c)};
    return (iv){0, c - 1};
}

static iv range_of(const xp_symctx *ctx, xp_dim d, int depth);
static iv range_best(const xp_symctx *ctx, const xs_poly *p, int depth);

static iv range_atom(const xp_symctx *ctx, uint32_t atom, int depth) {
    const xs_node *n = &ctx->nodes[atom];
    const int64_t *w = ctx->pool + n->ofs;
    if (n->kind == XS_SYM) return (iv){ctx->syms[w[0]].min, ctx->syms[w[0]].max};
    iv arg = range_of(ctx, w[0], depth + 1);
    return n->kind == XS_FLOORDIV ? iv_floordiv(arg, w[1]) : iv_mod(arg, w[1]);
}

static iv range_poly(const xp_symctx *ctx, const xs_poly *p, int depth) {
    iv sum = {0, 0};
    for (int i = 0; i < p->n; i++) {
        const xs_term *t = &p->t[i];
        iv prod = {t->coef, t->coef};
        for (int j = 0; j < t->nf; j++) {
            iv a = range_atom(ctx, t->f[j].atom, depth);
            for (uint32_t e = 0; e < t->f[j].exp; e++) prod = iv_mul(prod, a);
        }
        sum = iv_add(sum, prod);
    }
    return sum;
}

static iv range_of(const xp_symctx *ctx, xp_dim d, int depth) {
    if (!xp_dim_is_sym(d)) return xp_dim_is_valid(d) ? (iv){d, d} : FULL;
    const xs_node *n = xs_node_of(ctx, d);
    if (!n || depth > 64) return FULL;
    if (n->kind != XS_POLY) return range_atom(ctx, xs_index(d), depth);
    xs_poly p;
    xs_poly_init(&p);
    xp_status before = xp_last_status();
    iv r = xs_poly_from_dim(ctx, d, &p) == XP_OK ? range_best(ctx, &p, depth) : FULL;
    if (before == XP_OK && xp_last_status() != XP_OK) xp_clear_error(); /* OOM: answer FULL quietly */
    xs_poly_free(&p);
    return r;
}

void xp_dim_range(const xp_symctx *ctx, xp_dim d, int64_t *lo, int64_t *hi) {
    iv r = range_of(ctx, d, 0);
    if (lo) *lo = r.lo;
    if (hi) *hi = r.hi;
}

/* ---- decisions ---- */

enum { REL_EQ, REL_LT, REL_LE };

static xp_tri from_interval(iv r, int rel) {
    switch (rel) {
    case REL_EQ:
        if (r.lo == 0 && r.hi == 0) return XP_YES;
        return (r.lo > 0 || r.hi < 0) ? XP_NO : XP_UNKNOWN;
    case REL_LT:
        return r.lo >= 1 ? XP_YES : r.hi <= 0 ? XP_NO : XP_UNKNOWN;
    default:
        return r.lo >= 0 ? XP_YES : r.hi < 0 ? XP_NO : XP_UNKNOWN;
    }
}

static iv iv_intersect(iv a, iv b) { return (iv){a.lo > b.lo ? a.lo : b.lo, a.hi < b.hi ? a.hi : b.hi}; }

/* A second sound range for p: each term k*(x / c) with c dividing k is
 * rewritten as (k/c)*x - (k/c)*(x % c), so x can cancel against the rest of
 * p (2*(h / 2) - h is -(h % 2), in [-1, 0], where plain intervals give a
 * range as wide as h's). Returns false when no term qualifies. */
static bool range_quotients_expanded(const xp_symctx *ctx, const xs_poly *p, int depth, iv *out) {
    xs_poly rest, arg, sum;
    xs_poly_init(&rest), xs_poly_init(&arg), xs_poly_init(&sum);
    iv mods = {0, 0};
    bool any = false, ok = true;
    for (int i = 0; ok && i < p->n; i++) {
        const xs_term *t = &p->t[i];
        const xs_node *nd = t->nf == 1 && t->f[0].exp == 1 ? &ctx->nodes[t->f[0].atom] : NULL;
        const int64_t *w = nd ? ctx->pool + nd->ofs : NULL;
        if (!nd || nd->kind != XS_FLOORDIV || t->coef % w[1] != 0) {
            ok = xs_poly_push(&rest, t) == XP_OK;
            continue;
        }
        int64_t q = t->coef / w[1];
        ok = xs_poly_from_dim(ctx, w[0], &arg) == XP_OK && xs_poly_add(ctx, &rest, &arg, q, &sum) == XP_OK &&
             xs_poly_copy(&rest, &sum) == XP_OK;
        uint32_t mod = xs_lookup(ctx, XS_MOD, w, 2); /* same payload: [x, c] */
        if (mod != UINT32_MAX) {                     /* keep x % c symbolic so it can cancel too */
            xs_term tm = {.coef = -q, .nf = 1, .f = {{mod, 1}}};
            xs_poly_clear(&arg);
            ok = ok && xs_poly_push(&arg, &tm) == XP_OK && xs_poly_add(ctx, &rest, &arg, 1, &sum) == XP_OK &&
                 xs_poly_copy(&rest, &sum) == XP_OK;
        } else {
            mods = iv_add(mods, iv_mul((iv){-q, -q}, iv_mod(range_of(ctx, w[0], depth + 1), w[1])));
        }
        any = true;
    }
    ok = ok && any && xs_poly_normalize(ctx, &rest) == XP_OK;
    if (ok) *out = iv_add(range_poly(ctx, &rest, depth), mods);
    xs_poly_free(&rest), xs_poly_free(&arg), xs_poly_free(&sum);
    return ok;
}

/* The tighter of the two sound ranges. */
static iv range_best(const xp_symctx *ctx, const xs_poly *p, int depth) {
    iv r = range_poly(ctx, p, depth), r2;
    if (range_quotients_expanded(ctx, p, depth, &r2)) r = iv_intersect(r, r2);
    return r;
}

/* Decides `a rel b` through the range of b - a. */
static xp_tri decide(const xp_symctx *ctx, xp_dim a, xp_dim b, int rel) {
    if (!xp_dim_is_valid(a) || !xp_dim_is_valid(b)) return XP_UNKNOWN;
    if (!xp_dim_is_sym(a) && !xp_dim_is_sym(b)) {
        bool r = rel == REL_EQ ? a == b : rel == REL_LT ? a < b : a <= b;
        return r ? XP_YES : XP_NO;
    }
    if (a == b) return rel == REL_LT ? XP_NO : XP_YES;
    if (!xs_node_of(ctx, xp_dim_is_sym(a) ? a : b) || (xp_dim_is_sym(a) && xp_dim_is_sym(b) && !xs_node_of(ctx, b)))
        return XP_UNKNOWN;
    xs_poly pa, pb, diff;
    xs_poly_init(&pa), xs_poly_init(&pb), xs_poly_init(&diff);
    xp_status before = xp_last_status();
    xp_tri out = XP_UNKNOWN;
    if (xs_poly_from_dim(ctx, a, &pa) == XP_OK && xs_poly_from_dim(ctx, b, &pb) == XP_OK &&
        xs_poly_add(ctx, &pb, &pa, -1, &diff) == XP_OK)
        out = from_interval(range_best(ctx, &diff, 0), rel);
    /* a coefficient overflow just leaves the relation undecided */
    if (before == XP_OK && xp_last_status() != XP_OK) xp_clear_error();
    xs_poly_free(&pa), xs_poly_free(&pb), xs_poly_free(&diff);
    return out;
}

xp_tri xp_dim_eq(const xp_symctx *ctx, xp_dim a, xp_dim b) { return decide(ctx, a, b, REL_EQ); }
xp_tri xp_dim_lt(const xp_symctx *ctx, xp_dim a, xp_dim b) { return decide(ctx, a, b, REL_LT); }
xp_tri xp_dim_le(const xp_symctx *ctx, xp_dim a, xp_dim b) { return decide(ctx, a, b, REL_LE); }
