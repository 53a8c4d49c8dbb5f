/*
 * Canonicalizing arithmetic on sizes. Concrete operands take the plain
 * integer path (no context, no allocation); symbolic ones are decoded into
 * working polynomials, combined, simplified and interned.
 *
 * Floor division and modulo by a constant c > 0 are simplified with rules
 * that hold for every integer value of the atoms:
 *   p = c*q + r with every coefficient of r in [0, c):
 *       p / c = q + r / c          p % c = r % c
 *   r constant (so 0 <= r < c):  r / c = 0, r % c = r
 *   g = gcd(c, coefficients of r) > 1:
 *       r / c = (r/g) / (c/g)      r % c = g * ((r/g) % (c/g))
 *   (x / a) / c = x / (a*c)        (x / a + b) / c = (x + a*b) / (a*c)
 *   (x % a) / c = 0 when a <= c
 *   (x % a) % c = x % c when c divides a, = x % a when a <= c
 *   k*c*(x / c) + k*(x % c) = k*x  (applied whenever both terms appear)
 * x / 1 = x and x % 1 = 0. Ranges are never used to simplify, so the
 * canonical form stays valid when a symbol's range changes.
 */
#include "sym/sym_internal.h"

#include <stdlib.h>
#include <string.h>

static xp_dim invalid_operand(void) {
    if (!xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "invalid size operand (the result of a failed operation)");
    return XP_DIM_INVALID;
}

/* A concrete result must stay above the handle range. */
static xp_dim concrete(int64_t v, const char *what) {
    if (v < XP_DIM_SYM_LIMIT) {
        xs_overflow(what);
        return XP_DIM_INVALID;
    }
    return v;
}

/* ---- interning a polynomial ---- */

static bool is_single_atom(const xs_term *t, uint32_t kind, const xp_symctx *ctx) {
    return t->nf == 1 && t->f[0].exp == 1 && ctx->nodes[t->f[0].atom].kind == kind;
}

/* Finds k*c*(A / c) next to k*(A % c) and replaces the pair with k*A. */
static xp_status recombine(const xp_symctx *ctx, xs_poly *p) {
    for (int iter = 0; iter < 64; iter++) {
        bool changed = false;
        for (int i = 0; i < p->n && !changed; i++) {
            const xs_term *tm = &p->t[i];
            if (!is_single_atom(tm, XS_MOD, ctx)) continue;
            const int64_t *w = xs_payload(ctx, tm->f[0].atom);
            uint32_t fd = xs_lookup(ctx, XS_FLOORDIV, w, 2);
            int64_t want;
            if (fd == UINT32_MAX || !xs_coef_mul(tm->coef, w[1], &want)) continue;
            for (int j = 0; j < p->n; j++) {
                const xs_term *tf = &p->t[j];
                if (tf->nf != 1 || tf->f[0].atom != fd || tf->f[0].exp != 1 || tf->coef != want) continue;
                xs_poly arg, rest, sum;
                xs_poly_init(&arg), xs_poly_init(&rest), xs_poly_init(&sum);
                int64_t k = tm->coef;
                xp_status st = xs_poly_from_dim(ctx, w[0], &arg);
                for (int m = 0; st == XP_OK && m < p->n; m++)
                    if (m != i && m != j) st = xs_poly_push(&rest, &p->t[m]);
                if (st == XP_OK) st = xs_poly_add(ctx, &rest, &arg, k, &sum);
                if (st == XP_OK) st = xs_poly_copy(p, &sum);
                xs_poly_free(&arg), xs_poly_free(&rest), xs_poly_free(&sum);
                if (st != XP_OK) return st;
                changed = true;
                break;
            }
        }
        if (!changed) return XP_OK;
    }
    return XP_OK;
}

xp_dim xs_poly_finish(xp_symctx *ctx, xs_poly *p) {
    if (recombine(ctx, p) != XP_OK) return XP_DIM_INVALID;
    if (p->n == 0) return 0;
    if (p->n == 1 && p->t[0].nf == 0) return concrete(p->t[0].coef, "a constant size");
    if (p->n == 1 && p->t[0].coef == 1 && p->t[0].nf == 1 && p->t[0].f[0].exp == 1) return xs_handle(p->t[0].f[0].atom);
    size_t len = 1;
    for (int i = 0; i < p->n; i++) len += 2 + 2 * (size_t)p->t[i].nf;
    int64_t small[64];
    int64_t *w = len <= 64 ? small : xp_malloc(len * sizeof *w);
    if (!w) return XP_DIM_INVALID;
    size_t k = 0;
    w[k++] = p->n;
    for (int i = 0; i < p->n; i++) {
        w[k++] = p->t[i].coef;
        w[k++] = p->t[i].nf;
        for (int j = 0; j < p->t[i].nf; j++) {
            w[k++] = p->t[i].f[j].atom;
            w[k++] = p->t[i].f[j].exp;
        }
    }
    uint32_t idx = len > UINT32_MAX ? UINT32_MAX : xs_intern(ctx, XS_POLY, w, (uint32_t)len);
    if (w != small) free(w);
    return idx == UINT32_MAX ? XP_DIM_INVALID : xs_handle(idx);
}

/* Interns an atom node and returns it as an expression. */
static xp_dim make_atom(xp_symctx *ctx, uint32_t kind, xp_dim arg, int64_t c) {
    int64_t w[2] = {arg, c};
    uint32_t idx = xs_intern(ctx, kind, w, 2);
    return idx == UINT32_MAX ? XP_DIM_INVALID : xs_handle(idx);
}

/* ---- ring operations ---- */

enum { OP_ADD, OP_SUB, OP_MUL };

static xp_dim binop(xp_symctx *ctx, xp_dim a, xp_dim b, int op) {
    if (!xp_dim_is_valid(a) || !xp_dim_is_valid(b)) return invalid_operand();
    if (!xp_dim_is_sym(a) && !xp_dim_is_sym(b)) {
        int64_t r;
        /* xp_*_overflow_i64 return true when the result fits */
        bool over = !(op == OP_ADD   ? xp_i64_add_checked(a, b, &r)
                      : op == OP_SUB ? xp_i64_add_checked(a, -b, &r)
                                     : xp_i64_mul_checked(a, b, &r));
        if (over || r < XP_DIM_SYM_LIMIT) {
            static const char ops[] = "+-*";
            xp_error(XP_ERR_SHAPE, "size arithmetic overflows int64 (%lld %c %lld)", (long long)a, ops[op],
                     (long long)b);
            return XP_DIM_INVALID;
        }
        return r;
    }
    xs_poly pa, pb, r;
    xs_poly_init(&pa), xs_poly_init(&pb), xs_poly_init(&r);
    xp_dim out = XP_DIM_INVALID;
    xp_status st = xs_poly_from_dim(ctx, a, &pa);
    if (st == XP_OK) st = xs_poly_from_dim(ctx, b, &pb);
    if (st == XP_OK)
        st = op == OP_MUL ? xs_poly_mul(ctx, &pa, &pb, &r) : xs_poly_add(ctx, &pa, &pb, op == OP_ADD ? 1 : -1, &r);
    if (st == XP_OK) out = xs_poly_finish(ctx, &r);
    xs_poly_free(&pa), xs_poly_free(&pb), xs_poly_free(&r);
    return out;
}

xp_dim xp_dim_add(xp_symctx *ctx, xp_dim a, xp_dim b) { return binop(ctx, a, b, OP_ADD); }
xp_dim xp_dim_sub(xp_symctx *ctx, xp_dim a, xp_dim b) { return binop(ctx, a, b, OP_SUB); }
xp_dim xp_dim_mul(xp_symctx *ctx, xp_dim a, xp_dim b) { return binop(ctx, a, b, OP_MUL); }

/* ---- floor division and modulo ---- */

static int64_t gcd_i64(int64_t a, int64_t b) {
    if (a < 0) a = -a;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Splits p into c*q + r with r's coefficients in [0, c). */
static xp_status split_by(const xs_poly *p, int64_t c, xs_poly *q, xs_poly *r) {
    for (int i = 0; i < p->n; i++) {
        xs_term tq = p->t[i], tr = p->t[i];
        tq.coef = xs_floordiv_i64(p->t[i].coef, c);
        tr.coef = xs_mod_i64(p->t[i].coef, c);
        if (tq.coef && xs_poly_push(q, &tq) != XP_OK) return XP_ERR_OOM;
        if (tr.coef && xs_poly_push(r, &tr) != XP_OK) return XP_ERR_OOM;
    }
    return XP_OK;
}

static int64_t coef_gcd(const xs_poly *p, int64_t c) {
    int64_t g = c;
    for (int i = 0; i < p->n && g > 1; i++) g = gcd_i64(p->t[i].coef, g);
    return g;
}

static void divide_coefs(xs_poly *p, int64_t g) {
    for (int i = 0; i < p->n; i++) p->t[i].coef /= g;
}

static bool check_divisor(int64_t c, const char *op) {
    if (c > 0) return true;
    xp_error(XP_ERR_INVALID_ARG, "size %s by %lld: the divisor must be a positive constant", op, (long long)c);
    return false;
}

/* The atom r / c or r % c for a canonical remainder r (coefficients in
 * [0, c), gcd with c already 1); applies the nesting rules. */
static xp_dim remainder_atom(xp_symctx *ctx, uint32_t kind, xs_poly *r, int64_t c) {
    if (r->n == 0) return 0;
    if (r->n == 1 && r->t[0].nf == 0) return kind == XS_FLOORDIV ? 0 : r->t[0].coef;
    if (r->n == 1 && r->t[0].coef == 1 && r->t[0].nf == 1 && r->t[0].f[0].exp == 1) {
        uint32_t atom = r->t[0].f[0].atom;
        const xs_node *n = &ctx->nodes[atom];
        const int64_t *w = ctx->pool + n->ofs;
        int64_t inner_arg = w[0], a = w[1], ac;
        /* the inner argument is canonical for a, not necessarily for a*c or c:
         * canonicalize again (it is no nested atom, so this recurses once) */
        if (kind == XS_FLOORDIV && n->kind == XS_FLOORDIV && xs_coef_mul(a, c, &ac))
            return xp_dim_floordiv(ctx, inner_arg, ac);
        if (kind == XS_FLOORDIV && n->kind == XS_MOD && a <= c) return 0;
        if (kind == XS_MOD && n->kind == XS_MOD) {
            if (a <= c) return xs_handle(atom);
            if (a % c == 0) return xp_dim_mod(ctx, inner_arg, c);
        }
    }
    /* (x / a + b) / c = (x + a*b) / (a*c): floor(floor(y) / c) = floor(y / c) */
    if (kind == XS_FLOORDIV && r->n == 2 && r->t[0].coef == 1 && r->t[0].nf == 1 && r->t[0].f[0].exp == 1 &&
        r->t[1].nf == 0 && ctx->nodes[r->t[0].f[0].atom].kind == XS_FLOORDIV) {
        const int64_t *w = ctx->pool + ctx->nodes[r->t[0].f[0].atom].ofs;
        int64_t a = w[1], ab, ac;
        if (xs_coef_mul(a, r->t[1].coef, &ab) && xs_coef_mul(a, c, &ac)) {
            xp_dim x = xp_dim_add(ctx, w[0], ab);
            return xp_dim_is_valid(x) ? xp_dim_floordiv(ctx, x, ac) : XP_DIM_INVALID;
        }
    }
    xp_dim arg = xs_poly_finish(ctx, r);
    if (!xp_dim_is_valid(arg)) return XP_DIM_INVALID;
    return make_atom(ctx, kind, arg, c);
}

xp_dim xp_dim_floordiv(xp_symctx *ctx, xp_dim a, int64_t c) {
    if (!xp_dim_is_valid(a)) return invalid_operand();
    if (!check_divisor(c, "floor division")) return XP_DIM_INVALID;
    if (!xp_dim_is_sym(a)) return xs_floordiv_i64(a, c);
    if (c == 1) return xs_node_of(ctx, a) ? a : (xs_bad_handle(ctx, a), XP_DIM_INVALID);
    xs_poly p, q, r;
    xs_poly_init(&p), xs_poly_init(&q), xs_poly_init(&r);
    xp_dim out = XP_DIM_INVALID;
    xp_status st = xs_poly_from_dim(ctx, a, &p);
    if (st == XP_OK) st = split_by(&p, c, &q, &r);
    if (st == XP_OK) {
        int64_t g = coef_gcd(&r, c);
        divide_coefs(&r, g);
        xp_dim atom = remainder_atom(ctx, XS_FLOORDIV, &r, c / g);
        if (xp_dim_is_valid(atom)) {
            xp_dim qd = xs_poly_finish(ctx, &q);
            if (xp_dim_is_valid(qd)) out = xp_dim_add(ctx, qd, atom);
        }
    }
    xs_poly_free(&p), xs_poly_free(&q), xs_poly_free(&r);
    return out;
}

xp_dim xp_dim_mod(xp_symctx *ctx, xp_dim a, int64_t c) {
    if (!xp_dim_is_valid(a)) return invalid_operand();
    if (!check_divisor(c, "modulo")) return XP_DIM_INVALID;
    if (!xp_dim_is_sym(a)) return xs_mod_i64(a, c);
    if (!xs_node_of(ctx, a)) return (xs_bad_handle(ctx, a), XP_DIM_INVALID);
    if (c == 1) return 0;
    xs_poly p, q, r;
    xs_poly_init(&p), xs_poly_init(&q), xs_poly_init(&r);
    xp_dim out = XP_DIM_INVALID;
    xp_status st = xs_poly_from_dim(ctx, a, &p);
    if (st == XP_OK) st = split_by(&p, c, &q, &r);
    if (st == XP_OK) {
        int64_t g = coef_gcd(&r, c);
        divide_coefs(&r, g);
        xp_dim atom = remainder_atom(ctx, XS_MOD, &r, c / g);
        out = xp_dim_is_valid(atom) ? xp_dim_mul(ctx, atom, g) : XP_DIM_INVALID;
    }
    xs_poly_free(&p), xs_poly_free(&q), xs_poly_free(&r);
    return out;
}

/* ---- exact division ---- */

static xp_dim not_divisible(xp_symctx *ctx, xp_dim a, xp_dim b) {
    char sa[160], sb[160];
    xp_dim_format(ctx, a, sa, sizeof sa);
    xp_dim_format(ctx, b, sb, sizeof sb);
    xp_error(XP_ERR_SHAPE, "%s is not divisible by %s", sa, sb);
    return XP_DIM_INVALID;
}

/* Whether term d divides term n; fills the quotient monomial and coefficient. */
static bool term_divides(const xs_term *d, const xs_term *n, xs_term *q) {
    if (d->coef == 0 || n->coef % d->coef != 0) return false;
    if (d->coef == -1 && n->coef == INT64_MIN) return false;
    q->coef = n->coef / d->coef;
    q->nf = 0;
    int j = 0;
    for (int i = 0; i < n->nf; i++) {
        uint32_t e = n->f[i].exp;
        if (j < d->nf && d->f[j].atom == n->f[i].atom) {
            if (d->f[j].exp > e) return false;
            e -= d->f[j].exp;
            j++;
        }
        if (e) q->f[q->nf++] = (xs_factor){n->f[i].atom, e};
    }
    return j == d->nf; /* every factor of d was found in n */
}

/* Multivariate long division by the leading term (lex order); exact only. */
static xp_status poly_div_exact(const xp_symctx *ctx, const xs_poly *a, const xs_poly *b, xs_poly *q, bool *exact) {
    xs_poly rem, tmp, prod, mono;
    xs_poly_init(&rem), xs_poly_init(&tmp), xs_poly_init(&prod), xs_poly_init(&mono);
    xp_status st = xs_poly_copy(&rem, a);
    *exact = true;
    for (int iter = 0; st == XP_OK && rem.n > 0; iter++) {
        xs_term qt;
        if (iter > 10000 || !term_divides(&b->t[0], &rem.t[0], &qt)) {
            *exact = false;
            break;
        }
        st = xs_poly_push(q, &qt);
        xs_poly_clear(&mono);
        if (st == XP_OK) st = xs_poly_push(&mono, &qt);
        if (st == XP_OK) st = xs_poly_mul(ctx, &mono, b, &prod);
        if (st == XP_OK) st = xs_poly_add(ctx, &rem, &prod, -1, &tmp);
        if (st == XP_OK) st = xs_poly_copy(&rem, &tmp);
    }
    if (st == XP_OK) st = xs_poly_normalize(ctx, q);
    xs_poly_free(&rem), xs_poly_free(&tmp), xs_poly_free(&prod), xs_poly_free(&mono);
    return st;
}

xp_dim xp_dim_div_exact(xp_symctx *ctx, xp_dim a, xp_dim b) {
    if (!xp_dim_is_valid(a) || !xp_dim_is_valid(b)) return invalid_operand();
    if (b == 0) {
        xp_error(XP_ERR_SHAPE, "size division by zero");
        return XP_DIM_INVALID;
    }
    if (!xp_dim_is_sym(a) && !xp_dim_is_sym(b)) {
        if (a % b != 0) return not_divisible(ctx, a, b);
        return concrete(a / b, "a size quotient");
    }
    if (a == b) return 1;
    xs_poly pa, pb, q;
    xs_poly_init(&pa), xs_poly_init(&pb), xs_poly_init(&q);
    xp_dim out = XP_DIM_INVALID;
    bool exact = false;
    xp_status st = xs_poly_from_dim(ctx, a, &pa);
    if (st == XP_OK) st = xs_poly_from_dim(ctx, b, &pb);
    if (st == XP_OK) st = poly_div_exact(ctx, &pa, &pb, &q, &exact);
    if (st == XP_OK) out = exact ? xs_poly_finish(ctx, &q) : not_divisible(ctx, a, b);
    xs_poly_free(&pa), xs_poly_free(&pb), xs_poly_free(&q);
    return out;
}

/* ---- min / max ---- */

static xp_dim pick(xp_symctx *ctx, xp_dim a, xp_dim b, bool want_min) {
    if (!xp_dim_is_valid(a) || !xp_dim_is_valid(b)) return invalid_operand();
    xp_tri le = xp_dim_le(ctx, a, b);
    if (le == XP_UNKNOWN) {
        char sa[160], sb[160];
        int64_t alo, ahi, blo, bhi;
        xp_symctx_require(ctx, XP_REL_LE, a, b); /* either order would decide; record one */
        xp_dim_format(ctx, a, sa, sizeof sa);
        xp_dim_format(ctx, b, sb, sizeof sb);
        xp_dim_range(ctx, a, &alo, &ahi);
        xp_dim_range(ctx, b, &blo, &bhi);
        xp_error(
            XP_ERR_SHAPE, "%s(%s, %s) depends on the sizes: %s in [%lld, %lld] and %s in [%lld, %lld] are not ordered",
            want_min ? "min" : "max", sa, sb, sa, (long long)alo, (long long)ahi, sb, (long long)blo, (long long)bhi);
        return XP_DIM_INVALID;
    }
    return (le == XP_YES) == want_min ? a : b;
}

xp_dim xp_dim_min(xp_symctx *ctx, xp_dim a, xp_dim b) { return pick(ctx, a, b, true); }
xp_dim xp_dim_max(xp_symctx *ctx, xp_dim a, xp_dim b) { return pick(ctx, a, b, false); }

/* ---- structure queries ---- */

bool xp_dim_as_linear(const xp_symctx *ctx, xp_dim d, int *sym, int64_t *a, int64_t *b) {
    const xs_node *n = xs_node_of(ctx, d);
    if (!n) return false;
    if (n->kind == XS_SYM) {
        if (sym) *sym = (int)ctx->pool[n->ofs];
        if (a) *a = 1;
        if (b) *b = 0;
        return true;
    }
    if (n->kind != XS_POLY) return false;
    const int64_t *w = ctx->pool + n->ofs;
    int nterms = (int)w[0];
    /* term 0: coef, nf=1, atom, exp=1; optional term 1: constant */
    if (nterms < 1 || nterms > 2 || w[2] != 1 || w[4] != 1) return false;
    const xs_node *atom = &ctx->nodes[w[3]];
    if (atom->kind != XS_SYM) return false;
    if (nterms == 2 && w[6] != 0) return false;
    if (sym) *sym = (int)ctx->pool[atom->ofs];
    if (a) *a = w[1];
    if (b) *b = nterms == 2 ? w[5] : 0;
    return true;
}

static void collect_syms(const xp_symctx *ctx, uint32_t idx, bool *seen) {
    const xs_node *n = &ctx->nodes[idx];
    const int64_t *w = ctx->pool + n->ofs;
    switch (n->kind) {
    case XS_SYM:
        seen[w[0]] = true;
        break;
    case XS_FLOORDIV:
    case XS_MOD:
        collect_syms(ctx, xs_index(w[0]), seen);
        break;
    default: {
        const int64_t *t = w + 1;
        for (int64_t i = 0; i < w[0]; i++) {
            int64_t nf = t[1];
            for (int64_t j = 0; j < nf; j++) collect_syms(ctx, (uint32_t)t[2 + 2 * j], seen);
            t += 2 + 2 * nf;
        }
    }
    }
}

int xp_dim_symbols(const xp_symctx *ctx, xp_dim d, int *syms, int cap) {
    if (!xs_node_of(ctx, d) || ctx->nsyms == 0) return 0;
    bool *seen = xp_calloc((size_t)ctx->nsyms, sizeof *seen);
    if (!seen) return 0;
    collect_syms(ctx, xs_index(d), seen);
    int n = 0;
    for (int i = 0; i < ctx->nsyms && n < cap; i++)
        if (seen[i]) syms[n++] = i;
    free(seen);
    return n;
}
