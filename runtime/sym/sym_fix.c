/*
 * Suggested fixes (torch.export's "suggested fixes"): the change to the
 * declared ranges that makes a relation a shape check needed provable.
 *
 * The relation is moved to one side, d = rhs - lhs (minus 1 for `<`, since
 * sizes are integers), so it reads `d == 0` or `d >= 0`, and d's canonical
 * polynomial is matched against the forms that one declaration can fix:
 *
 *   A*s + B           == 0: s is the constant -B/A (when the division is exact)
 *                     >= 0: A > 0: s >= ceil(-B/A);  A < 0: s <= floor(B/-A)
 *   K*((A*s + B) / C) + D >= 0: the quotient q must be >= ceil(-D/K)
 *                     (K > 0) or <= floor(D/-K) (K < 0), and
 *                     q >= m <=> A*s + B >= C*m,  q <= m <=> A*s + B <= C*m + C - 1
 *                     (floor division is monotone), which is the linear case
 *   A*t - A*s         == 0: s and t are one dim
 *
 * The bound is compared with the symbol's current range: a fix only
 * narrows. A bound the range already satisfies changes nothing and one
 * that would empty the range cannot be met; both are XP_FIX_NONE, so a
 * caller never proposes a no-op or an impossible declaration.
 */
#include "sym/sym_internal.h"

#include <inttypes.h>
#include <stdio.h>

/* The fix for A*s + B >= 0 (a != 0). */
static xp_sym_fix fix_ge(const xp_symctx *ctx, int sym, int64_t a, int64_t b) {
    xp_sym_fix none = {.kind = XP_FIX_NONE, .sym = -1, .other = -1};
    int64_t lo = xp_sym_min(ctx, sym), hi = xp_sym_max(ctx, sym);
    if (a > 0) {
        int64_t v = -xs_floordiv_i64(b, a); /* ceil(-b / a) = -floor(b / a) */
        if (v <= lo || v > hi) return none;
        return (xp_sym_fix){.kind = XP_FIX_MIN, .sym = sym, .other = -1, .value = v};
    }
    int64_t v = xs_floordiv_i64(b, -a); /* floor(b / -a) */
    if (v >= hi || v < lo) return none;
    return (xp_sym_fix){.kind = XP_FIX_MAX, .sym = sym, .other = -1, .value = v};
}

/* The fix for A*s + B == 0 (a != 0). */
static xp_sym_fix fix_eq(const xp_symctx *ctx, int sym, int64_t a, int64_t b) {
    xp_sym_fix none = {.kind = XP_FIX_NONE, .sym = -1, .other = -1};
    if (b % a != 0) return none; /* no integer s; b != INT64_MIN (coefficients never are) */
    int64_t v = -(b / a), lo = xp_sym_min(ctx, sym), hi = xp_sym_max(ctx, sym);
    if (v < lo || v > hi || (lo == v && hi == v)) return none;
    return (xp_sym_fix){.kind = XP_FIX_CONST, .sym = sym, .other = -1, .value = v};
}

/* The symbol index of a single-atom factor `f` (exponent 1), or -1. */
static int factor_symbol(const xp_symctx *ctx, const xs_term *t) {
    if (t->nf != 1 || t->f[0].exp != 1) return -1;
    const xs_node *n = &ctx->nodes[t->f[0].atom];
    return n->kind == XS_SYM ? (int)ctx->pool[n->ofs] : -1;
}

/* K*((A*s + B) / C) + D >= 0, `t` the quotient's term. */
static xp_sym_fix fix_quotient(const xp_symctx *ctx, const xs_term *t, int64_t d) {
    xp_sym_fix none = {.kind = XP_FIX_NONE, .sym = -1, .other = -1};
    if (t->nf != 1 || t->f[0].exp != 1) return none;
    const xs_node *n = &ctx->nodes[t->f[0].atom];
    if (n->kind != XS_FLOORDIV) return none;
    const int64_t *w = ctx->pool + n->ofs; /* [argument handle, divisor] */
    int64_t k = t->coef, c = w[1], a, b, m, cm, rhs;
    int sym;
    if (!xp_dim_as_linear(ctx, w[0], &sym, &a, &b)) return none;
    if (k > 0) {
        m = -xs_floordiv_i64(d, k); /* q >= m  <=>  A*s + (B - C*m) >= 0 */
        if (!xs_coef_mul(c, m, &cm) || !xs_coef_add(b, -cm, &rhs)) return none;
        return fix_ge(ctx, sym, a, rhs);
    }
    m = xs_floordiv_i64(d, -k); /* q <= m  <=>  -A*s + (C*m + C - 1 - B) >= 0 */
    if (!xs_coef_mul(c, m, &cm) || !xs_coef_add(cm, c - 1, &rhs) || !xs_coef_add(rhs, -b, &rhs)) return none;
    return fix_ge(ctx, sym, -a, rhs);
}

/* Matches d (== 0 when `eq`, else >= 0) against the forms above. */
static xp_sym_fix classify(const xp_symctx *ctx, const xs_poly *d, bool eq) {
    xp_sym_fix none = {.kind = XP_FIX_NONE, .sym = -1, .other = -1};
    int64_t konst = 0;
    const xs_term *var[2];
    int nvar = 0;
    for (int i = 0; i < d->n; i++) {
        if (d->t[i].nf == 0) {
            konst = d->t[i].coef;
        } else {
            if (nvar == 2) return none;
            var[nvar++] = &d->t[i];
        }
    }
    if (nvar == 1) {
        int sym = factor_symbol(ctx, var[0]);
        if (sym >= 0) return eq ? fix_eq(ctx, sym, var[0]->coef, konst) : fix_ge(ctx, sym, var[0]->coef, konst);
        return eq ? none : fix_quotient(ctx, var[0], konst);
    }
    if (nvar == 2 && eq && konst == 0) {
        int s0 = factor_symbol(ctx, var[0]), s1 = factor_symbol(ctx, var[1]);
        if (s0 < 0 || s1 < 0 || var[0]->coef != -var[1]->coef) return none;
        /* d = rhs - lhs: the lhs symbol has the negative coefficient */
        int sym = var[0]->coef < 0 ? s0 : s1, other = var[0]->coef < 0 ? s1 : s0;
        int64_t lo0 = xp_sym_min(ctx, s0), hi0 = xp_sym_max(ctx, s0);
        int64_t lo1 = xp_sym_min(ctx, s1), hi1 = xp_sym_max(ctx, s1);
        if ((lo0 > lo1 ? lo0 : lo1) > (hi0 < hi1 ? hi0 : hi1)) return none; /* one dim would have no size */
        return (xp_sym_fix){.kind = XP_FIX_EQUAL, .sym = sym, .other = other};
    }
    return none;
}

xp_status xp_sym_suggest_fix(const xp_symctx *ctx, const xp_requirement *req, xp_sym_fix *out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_sym_suggest_fix: out is NULL");
    *out = (xp_sym_fix){.kind = XP_FIX_NONE, .sym = -1, .other = -1};
    if (!req) return xp_error(XP_ERR_INVALID_ARG, "xp_sym_suggest_fix: requirement is NULL");
    if ((unsigned)req->rel > XP_REL_LT)
        return xp_error(XP_ERR_INVALID_ARG, "xp_sym_suggest_fix: unknown relation %d", (int)req->rel);
    xp_dim l = req->lhs, r = req->rhs;
    if (!xp_dim_is_valid(l) || !xp_dim_is_valid(r)) return XP_OK;
    if (!xp_dim_is_sym(l) && !xp_dim_is_sym(r)) return XP_OK; /* decided: no declaration changes it */
    if (xp_dim_is_sym(l) && !xs_node_of(ctx, l)) return xs_bad_handle(ctx, l);
    if (xp_dim_is_sym(r) && !xs_node_of(ctx, r)) return xs_bad_handle(ctx, r);

    xs_poly pl, pr, d, one;
    xs_poly_init(&pl), xs_poly_init(&pr), xs_poly_init(&d), xs_poly_init(&one);
    bool pending = xp_error_pending();
    bool ok = xs_poly_from_dim(ctx, l, &pl) == XP_OK && xs_poly_from_dim(ctx, r, &pr) == XP_OK &&
              xs_poly_add(ctx, &pr, &pl, -1, &d) == XP_OK;
    if (ok && req->rel == XP_REL_LT) { /* l < r  <=>  r - l - 1 >= 0 */
        ok = xs_poly_push_const(&one, 1) == XP_OK && xs_poly_add(ctx, &d, &one, -1, &pl) == XP_OK &&
             xs_poly_copy(&d, &pl) == XP_OK;
    }
    xp_status st = XP_OK;
    if (ok) {
        *out = classify(ctx, &d, req->rel == XP_REL_EQ);
    } else if (xp_last_status() == XP_ERR_OOM) {
        st = XP_ERR_OOM;
    } else if (!pending) {
        xp_clear_error(); /* a coefficient overflow just means no fix */
    }
    xs_poly_free(&pl), xs_poly_free(&pr), xs_poly_free(&d), xs_poly_free(&one);
    return st;
}

int xp_requirement_format(const xp_symctx *ctx, const xp_requirement *req, char *buf, size_t n) {
    if (!buf) n = 0;
    if (!req) return snprintf(buf, n, "(no requirement)");
    static const char *const ops[] = {[XP_REL_EQ] = " == ", [XP_REL_LE] = " <= ", [XP_REL_LT] = " < "};
    const char *op = (unsigned)req->rel <= XP_REL_LT ? ops[req->rel] : " ? ";
    /* lhs, then op, then rhs, each where the previous one ended (or nowhere once full) */
    size_t len = (size_t)xp_dim_format(ctx, req->lhs, buf, n);
    len += (size_t)snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0, "%s", op);
    len += (size_t)xp_dim_format(ctx, req->rhs, len < n ? buf + len : NULL, len < n ? n - len : 0);
    return len > INT32_MAX ? INT32_MAX : (int)len;
}
