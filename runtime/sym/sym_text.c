/*
 * The text form of sizes:   batch*seq   2*h + 1   (h + 1) / 2 + p   n % 4
 *
 * Grammar (C precedence; `/` and `%` are floor division and modulo, and
 * their right operand must be a positive integer constant):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | primary
 *   primary := integer | name | '(' expr ')'
 *
 * xp_dim_format prints the canonical form (terms in canonical order, the
 * constant last, s*s for a square) and parenthesizes a floor-division or
 * modulo atom wherever C precedence would otherwise regroup it, so
 * xp_dim_parse(xp_dim_format(d)) == d. The parser computes on working
 * polynomials, so no intermediate value needs to fit a concrete xp_dim.
 */
#include "sym/sym_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- formatting ---- */

typedef struct sink {
    char *buf;
    size_t n, len;
} sink;

static void put(sink *s, const char *str) {
    for (; *str; str++, s->len++)
        if (s->len + 1 < s->n) s->buf[s->len] = *str;
}

static void put_i64(sink *s, int64_t v) {
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    put(s, tmp);
}

static void put_expr(const xp_symctx *ctx, sink *s, xp_dim d);

static bool all_symbols(const xp_symctx *ctx, const xs_term *t) {
    for (int i = 0; i < t->nf; i++)
        if (ctx->nodes[t->f[i].atom].kind != XS_SYM) return false;
    return true;
}

static void put_atom(const xp_symctx *ctx, sink *s, uint32_t atom, bool bare) {
    const xs_node *n = &ctx->nodes[atom];
    const int64_t *w = ctx->pool + n->ofs;
    if (n->kind == XS_SYM) {
        put(s, ctx->syms[w[0]].name);
        return;
    }
    int64_t arg = w[0], c = w[1];
    /* the argument may stand bare only when it is one product of symbols:
     * `a*b / 4` regroups as (a*b) / 4, which is what it means */
    xs_poly p;
    xs_poly_init(&p);
    bool arg_bare = xs_poly_from_dim(ctx, arg, &p) == XP_OK && p.n == 1 && p.t[0].coef > 0 && all_symbols(ctx, &p.t[0]);
    xs_poly_free(&p);
    if (!bare) put(s, "(");
    if (!arg_bare) put(s, "(");
    put_expr(ctx, s, arg);
    if (!arg_bare) put(s, ")");
    put(s, n->kind == XS_FLOORDIV ? " / " : " % ");
    put_i64(s, c);
    if (!bare) put(s, ")");
}

static void put_poly(const xp_symctx *ctx, sink *s, const xs_poly *p) {
    for (int i = 0; i < p->n; i++) {
        const xs_term *t = &p->t[i];
        bool neg = t->coef < 0;
        int64_t mag = neg ? -t->coef : t->coef; /* coefficients are never INT64_MIN */
        if (i == 0)
            put(s, neg ? "-" : "");
        else
            put(s, neg ? " - " : " + ");
        if (t->nf == 0) {
            put_i64(s, mag);
            continue;
        }
        /* a division atom alone in its term needs no parentheses, except
         * after a leading unary minus, which binds tighter than `/` */
        bool bare = mag == 1 && t->nf == 1 && t->f[0].exp == 1 && !(i == 0 && neg);
        if (mag != 1) {
            put_i64(s, mag);
            put(s, "*");
        }
        bool first = true;
        for (int j = 0; j < t->nf; j++)
            for (uint32_t e = 0; e < t->f[j].exp; e++) {
                if (!first) put(s, "*");
                put_atom(ctx, s, t->f[j].atom, bare);
                first = false;
            }
    }
}

static void put_expr(const xp_symctx *ctx, sink *s, xp_dim d) {
    if (!xp_dim_is_valid(d)) {
        put(s, "<invalid>");
        return;
    }
    if (!xp_dim_is_sym(d)) {
        put_i64(s, d);
        return;
    }
    if (!xs_node_of(ctx, d)) {
        put(s, "<unknown size>");
        return;
    }
    xs_poly p;
    xs_poly_init(&p);
    xp_status before = xp_last_status();
    if (xs_poly_from_dim(ctx, d, &p) == XP_OK)
        put_poly(ctx, s, &p);
    else
        put(s, "<out of memory>");
    if (before == XP_OK && xp_last_status() != XP_OK) xp_clear_error();
    xs_poly_free(&p);
}

int xp_dim_format(const xp_symctx *ctx, xp_dim d, char *buf, size_t n) {
    sink s = {buf, buf ? n : 0, 0};
    put_expr(ctx, &s, d);
    if (s.n) s.buf[s.len < s.n ? s.len : s.n - 1] = '\0';
    return s.len > INT32_MAX ? INT32_MAX : (int)s.len;
}

/* ---- parsing ---- */

typedef struct parser {
    xp_symctx *ctx;
    const char *text;
    size_t pos;
    int depth;
} parser;

#define MAX_DEPTH 100

static xp_status fail_at(parser *p, size_t pos, const char *fmt, ...) XP_PRINTF(3, 4);
static xp_status fail_at(parser *p, size_t pos, const char *fmt, ...) {
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t len = strlen(p->text);
    return xp_error(XP_ERR_FORMAT, "size expression \"%.80s%s\": %s at column %zu", p->text, len > 80 ? "..." : "",
                    what, pos + 1);
}

static xp_status unexpected(parser *p) {
    unsigned char c = (unsigned char)p->text[p->pos];
    if (c == '\0') return fail_at(p, p->pos, "unexpected end of expression");
    if (c < 0x20 || c >= 0x7f) return fail_at(p, p->pos, "unexpected byte 0x%02x", c);
    return fail_at(p, p->pos, "unexpected '%c'", c);
}

static void skip_ws(parser *p) {
    while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' || p->text[p->pos] == '\n' || p->text[p->pos] == '\r')
        p->pos++;
}

static bool is_ident_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

static xp_status parse_expr(parser *p, xs_poly *out);

static xp_status parse_primary(parser *p, xs_poly *out) {
    skip_ws(p);
    size_t start = p->pos;
    char c = p->text[p->pos];
    if (c >= '0' && c <= '9') {
        uint64_t v = 0;
        while (p->text[p->pos] >= '0' && p->text[p->pos] <= '9') {
            v = v * 10 + (uint64_t)(p->text[p->pos] - '0');
            if (v > INT64_MAX) return fail_at(p, start, "integer literal does not fit in int64");
            p->pos++;
        }
        if (is_ident_char(p->text[p->pos])) return unexpected(p);
        xs_poly_clear(out);
        return xs_poly_push_const(out, (int64_t)v);
    }
    if (is_ident_start(c)) {
        while (is_ident_char(p->text[p->pos])) p->pos++;
        char name[128];
        size_t len = p->pos - start;
        if (len >= sizeof name) return fail_at(p, start, "dim name is too long");
        memcpy(name, p->text + start, len);
        name[len] = '\0';
        int sym = xp_sym_find(p->ctx, name);
        if (sym < 0) return fail_at(p, start, "unknown dim '%s'", name);
        return xs_poly_from_dim(p->ctx, xp_sym_expr(p->ctx, sym), out);
    }
    if (c == '(') {
        if (++p->depth > MAX_DEPTH) return fail_at(p, start, "parentheses nested too deeply");
        p->pos++;
        xp_status st = parse_expr(p, out);
        if (st != XP_OK) return st;
        skip_ws(p);
        if (p->text[p->pos] != ')') {
            if (p->text[p->pos] == '\0') return fail_at(p, start, "unclosed '('");
            return unexpected(p);
        }
        p->pos++;
        p->depth--;
        return XP_OK;
    }
    return unexpected(p);
}

static xp_status parse_unary(parser *p, xs_poly *out) {
    skip_ws(p);
    if (p->text[p->pos] != '-') return parse_primary(p, out);
    size_t start = p->pos++;
    if (++p->depth > MAX_DEPTH) return fail_at(p, start, "unary minus nested too deeply");
    xs_poly v, zero;
    xs_poly_init(&v), xs_poly_init(&zero);
    xp_status st = parse_unary(p, &v);
    if (st == XP_OK) st = xs_poly_add(p->ctx, &zero, &v, -1, out);
    xs_poly_free(&v), xs_poly_free(&zero);
    p->depth--;
    return st;
}

/* Applies `/ c` or `% c` to a polynomial through the canonicalizing ops. */
static xp_status apply_division(parser *p, xs_poly *acc, char op, const xs_poly *divisor, size_t at) {
    if (divisor->n > 1 || (divisor->n == 1 && divisor->t[0].nf != 0) || divisor->n == 0 || divisor->t[0].coef <= 0)
        return fail_at(p, at, "the divisor of '%c' must be a positive integer constant", op);
    int64_t c = divisor->t[0].coef;
    xp_dim a = xs_poly_finish(p->ctx, acc);
    if (!xp_dim_is_valid(a)) return xp_last_status();
    xp_dim r = op == '/' ? xp_dim_floordiv(p->ctx, a, c) : xp_dim_mod(p->ctx, a, c);
    if (!xp_dim_is_valid(r)) return xp_last_status();
    return xs_poly_from_dim(p->ctx, r, acc);
}

static xp_status parse_term(parser *p, xs_poly *out) {
    xp_status st = parse_unary(p, out);
    xs_poly rhs, tmp;
    xs_poly_init(&rhs), xs_poly_init(&tmp);
    while (st == XP_OK) {
        skip_ws(p);
        char op = p->text[p->pos];
        if (op != '*' && op != '/' && op != '%') break;
        p->pos++;
        skip_ws(p);
        size_t at = p->pos;
        st = parse_unary(p, &rhs);
        if (st != XP_OK) break;
        if (op == '*') {
            st = xs_poly_mul(p->ctx, out, &rhs, &tmp);
            if (st == XP_OK) st = xs_poly_copy(out, &tmp);
        } else {
            st = apply_division(p, out, op, &rhs, at);
        }
    }
    xs_poly_free(&rhs), xs_poly_free(&tmp);
    return st;
}

static xp_status parse_expr(parser *p, xs_poly *out) {
    xp_status st = parse_term(p, out);
    xs_poly rhs, tmp;
    xs_poly_init(&rhs), xs_poly_init(&tmp);
    while (st == XP_OK) {
        skip_ws(p);
        char op = p->text[p->pos];
        if (op != '+' && op != '-') break;
        p->pos++;
        st = parse_term(p, &rhs);
        if (st == XP_OK) st = xs_poly_add(p->ctx, out, &rhs, op == '+' ? 1 : -1, &tmp);
        if (st == XP_OK) st = xs_poly_copy(out, &tmp);
    }
    xs_poly_free(&rhs), xs_poly_free(&tmp);
    return st;
}

xp_status xp_dim_parse(xp_symctx *ctx, const char *text, xp_dim *out) {
    if (!text) return xp_error(XP_ERR_INVALID_ARG, "xp_dim_parse: no text");
    parser p = {ctx, text, 0, 0};
    xs_poly v;
    xs_poly_init(&v);
    xp_status st = parse_expr(&p, &v);
    if (st == XP_OK) {
        skip_ws(&p);
        if (text[p.pos] != '\0') st = unexpected(&p);
    }
    if (st == XP_OK) {
        xp_dim d = xs_poly_finish(ctx, &v);
        if (xp_dim_is_valid(d))
            *out = d;
        else
            st = xp_error_prefix("size expression \"%.80s\"", text);
    } else if (st != XP_ERR_FORMAT) {
        st = xp_error_prefix("size expression \"%.80s\"", text);
    }
    xs_poly_free(&v);
    return st;
}
