/*
 * Working polynomials: decoding nodes, the structural order, and the ring
 * operations (add, multiply) with checked coefficient arithmetic.
 */
#include "sym/sym_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- checked coefficients ---- */

bool xs_coef_add(int64_t a, int64_t b, int64_t *out) { return xp_i64_add_checked(a, b, out) && *out != INT64_MIN; }

bool xs_coef_mul(int64_t a, int64_t b, int64_t *out) { return xp_i64_mul_checked(a, b, out) && *out != INT64_MIN; }

xp_status xs_overflow(const char *what) { return xp_error(XP_ERR_SHAPE, "size arithmetic overflows int64 (%s)", what); }

/* ---- storage ---- */

void xs_poly_init(xs_poly *p) { memset(p, 0, sizeof *p); }

void xs_poly_free(xs_poly *p) {
    free(p->t);
    xs_poly_init(p);
}

void xs_poly_clear(xs_poly *p) { p->n = 0; }

xp_status xs_poly_push(xs_poly *p, const xs_term *t) {
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        xs_term *nt = xp_realloc(p->t, (size_t)cap * sizeof *nt);
        if (!nt) return XP_ERR_OOM;
        p->t = nt;
        p->cap = cap;
    }
    p->t[p->n++] = *t;
    return XP_OK;
}

xp_status xs_poly_push_const(xs_poly *p, int64_t c) {
    if (c == 0) return XP_OK;
    xs_term t = {.coef = c, .nf = 0};
    return xs_poly_push(p, &t);
}

xp_status xs_poly_copy(xs_poly *dst, const xs_poly *src) {
    xs_poly_clear(dst);
    for (int i = 0; i < src->n; i++)
        if (xs_poly_push(dst, &src->t[i]) != XP_OK) return XP_ERR_OOM;
    return XP_OK;
}

/* ---- reading nodes ---- */

/* The terms of a node as payload words: a POLY's own, or one synthesized
 * term `1 * atom` for an atom node. */
typedef struct term_view {
    const int64_t *w;
    int n;
    int64_t one[4];
} term_view;

static void view_node(const xp_symctx *ctx, uint32_t idx, term_view *v) {
    const xs_node *node = &ctx->nodes[idx];
    if (node->kind == XS_POLY) {
        const int64_t *w = ctx->pool + node->ofs;
        v->n = (int)w[0];
        v->w = w + 1;
    } else {
        v->one[0] = 1;
        v->one[1] = 1;
        v->one[2] = idx;
        v->one[3] = 1;
        v->w = v->one;
        v->n = 1;
    }
}

/* Reads one term at `w` into `t`; returns the words after it. */
static const int64_t *read_term(const int64_t *w, xs_term *t) {
    t->coef = w[0];
    t->nf = (int)w[1];
    for (int i = 0; i < t->nf; i++) {
        t->f[i].atom = (uint32_t)w[2 + 2 * i];
        t->f[i].exp = (uint32_t)w[3 + 2 * i];
    }
    return w + 2 + 2 * t->nf;
}

xp_status xs_poly_from_dim(const xp_symctx *ctx, xp_dim d, xs_poly *out) {
    xs_poly_clear(out);
    if (!xp_dim_is_sym(d)) {
        if (!xp_dim_is_valid(d)) return xp_error(XP_ERR_INVALID_ARG, "invalid size (the result of a failed operation)");
        return xs_poly_push_const(out, d);
    }
    if (!xs_node_of(ctx, d)) return xs_bad_handle(ctx, d);
    term_view v;
    view_node(ctx, xs_index(d), &v);
    const int64_t *w = v.w;
    for (int i = 0; i < v.n; i++) {
        xs_term t;
        w = read_term(w, &t);
        if (xs_poly_push(out, &t) != XP_OK) return XP_ERR_OOM;
    }
    return XP_OK;
}

/* ---- the structural order ---- */

static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

int xs_atom_cmp(const xp_symctx *ctx, uint32_t a, uint32_t b) {
    if (a == b) return 0;
    const xs_node *na = &ctx->nodes[a], *nb = &ctx->nodes[b];
    if (na->kind != nb->kind) return na->kind < nb->kind ? -1 : 1;
    const int64_t *wa = ctx->pool + na->ofs, *wb = ctx->pool + nb->ofs;
    if (na->kind == XS_SYM) {
        int c = strcmp(ctx->syms[wa[0]].name, ctx->syms[wb[0]].name);
        return c < 0 ? -1 : c > 0;
    }
    int c = xs_dim_cmp(ctx, wa[0], wb[0]);
    return c ? c : cmp_i64(wa[1], wb[1]);
}

/* Descending lexicographic order on exponent vectors: the smaller atom
 * first, a higher exponent first, a monomial before its own prefix (so the
 * constant term is last). Lex order is a monomial order: multiplying both
 * sides by one monomial keeps it, which long division relies on. */
int xs_mono_cmp(const xp_symctx *ctx, const xs_term *a, const xs_term *b) {
    for (int i = 0;; i++) {
        if (i == a->nf || i == b->nf) return (i == a->nf) - (i == b->nf);
        int c = xs_atom_cmp(ctx, a->f[i].atom, b->f[i].atom);
        if (c) return c;
        if (a->f[i].exp != b->f[i].exp) return a->f[i].exp > b->f[i].exp ? -1 : 1;
    }
}

int xs_dim_cmp(const xp_symctx *ctx, xp_dim a, xp_dim b) {
    if (a == b) return 0;
    bool sa = xp_dim_is_sym(a), sb = xp_dim_is_sym(b);
    if (!sa || !sb) return sa == sb ? cmp_i64(a, b) : (sa ? 1 : -1);
    term_view va, vb;
    view_node(ctx, xs_index(a), &va);
    view_node(ctx, xs_index(b), &vb);
    const int64_t *wa = va.w, *wb = vb.w;
    for (int i = 0; i < va.n && i < vb.n; i++) {
        xs_term ta, tb;
        wa = read_term(wa, &ta);
        wb = read_term(wb, &tb);
        int c = xs_mono_cmp(ctx, &ta, &tb);
        if (c) return c;
        if (ta.coef != tb.coef) return cmp_i64(ta.coef, tb.coef);
    }
    return cmp_i64(va.n, vb.n);
}

/* ---- ring operations ---- */

xp_status xs_poly_normalize(const xp_symctx *ctx, xs_poly *p) {
    /* insertion sort: polynomials here have a handful of terms */
    for (int i = 1; i < p->n; i++) {
        xs_term t = p->t[i];
        int j = i;
        while (j > 0 && xs_mono_cmp(ctx, &p->t[j - 1], &t) > 0) {
            p->t[j] = p->t[j - 1];
            j--;
        }
        p->t[j] = t;
    }
    int n = 0;
    for (int i = 0; i < p->n; i++) {
        if (n > 0 && xs_mono_cmp(ctx, &p->t[n - 1], &p->t[i]) == 0) {
            if (!xs_coef_add(p->t[n - 1].coef, p->t[i].coef, &p->t[n - 1].coef))
                return xs_overflow("a coefficient of a symbolic size");
        } else {
            p->t[n++] = p->t[i];
        }
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (p->t[i].coef != 0) p->t[m++] = p->t[i];
    p->n = m;
    return XP_OK;
}

xp_status xs_poly_add(const xp_symctx *ctx, const xs_poly *a, const xs_poly *b, int64_t scale, xs_poly *out) {
    xs_poly_clear(out);
    for (int i = 0; i < a->n; i++)
        if (xs_poly_push(out, &a->t[i]) != XP_OK) return XP_ERR_OOM;
    for (int i = 0; i < b->n; i++) {
        xs_term t = b->t[i];
        if (!xs_coef_mul(t.coef, scale, &t.coef)) return xs_overflow("a coefficient of a symbolic size");
        if (xs_poly_push(out, &t) != XP_OK) return XP_ERR_OOM;
    }
    return xs_poly_normalize(ctx, out);
}

xp_status xs_term_mul(const xp_symctx *ctx, const xs_term *a, const xs_term *b, xs_term *out) {
    xs_term r;
    if (!xs_coef_mul(a->coef, b->coef, &r.coef)) return xs_overflow("a coefficient of a symbolic size");
    int i = 0, j = 0, n = 0;
    while (i < a->nf || j < b->nf) {
        if (n == XS_MAX_FACTORS)
            return xp_error(XP_ERR_UNSUPPORTED, "symbolic size has more than %d distinct factors in one product",
                            XS_MAX_FACTORS);
        int c = i == a->nf ? 1 : j == b->nf ? -1 : xs_atom_cmp(ctx, a->f[i].atom, b->f[j].atom);
        if (c < 0) {
            r.f[n++] = a->f[i++];
        } else if (c > 0) {
            r.f[n++] = b->f[j++];
        } else {
            uint64_t e = (uint64_t)a->f[i].exp + b->f[j].exp;
            if (e > 1u << 20) return xs_overflow("an exponent of a symbolic size");
            r.f[n].atom = a->f[i].atom;
            r.f[n++].exp = (uint32_t)e;
            i++, j++;
        }
    }
    r.nf = n;
    *out = r;
    return XP_OK;
}

xp_status xs_poly_mul(const xp_symctx *ctx, const xs_poly *a, const xs_poly *b, xs_poly *out) {
    xs_poly_clear(out);
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++) {
            xs_term t;
            xp_status st = xs_term_mul(ctx, &a->t[i], &b->t[j], &t);
            if (st != XP_OK) return st;
            if (xs_poly_push(out, &t) != XP_OK) return XP_ERR_OOM;
        }
    return xs_poly_normalize(ctx, out);
}
