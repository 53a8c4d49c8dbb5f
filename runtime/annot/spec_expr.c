/*
 * Integer expressions of the annotation grammar: + - * / % with C
 * precedence, unary minus and parentheses, evaluated in checked int64
 * (division truncates, as in C). In a dim position the value is kept as a
 * linear form a*name + b over at most one dim name, so `(seq + 1) * 2`
 * reduces to 2*seq + 2; anything that leaves that form (two names, a name
 * times a name, a name divided) is an error at the operator or name that
 * breaks it.
 */
#include "annot/spec_internal.h"

#include <string.h>

#define DIM_FORMS "a dim is an integer constant, a dim name, or A*name + B with A a positive integer"

/* A value during evaluation: a*name + b, or the constant b when !has_name. */
typedef struct lin {
    bool has_name;
    char name[XP_SPEC_NAME_MAX];
    int name_offset;
    int64_t a, b;
} lin;

typedef struct ectx {
    xp_spec_lexer *lx;
    const char *what; /* NULL in a dim position (names allowed) */
    int depth;        /* of nested unary operators and parentheses */
} ectx;

/* Bounds the recursion, so a hostile spec string cannot exhaust the stack. */
#define MAX_DEPTH 200

static xp_status parse_sum(ectx *e, lin *out);
static xp_status parse_unary_inner(ectx *e, lin *out);

static xp_status overflow(ectx *e, int offset) {
    return xp_spec_fail(e->lx, offset, "integer overflow in expression (the result does not fit in 64 bits)");
}

static xp_status parse_primary(ectx *e, lin *out) {
    xp_spec_lexer *lx = e->lx;
    const xp_spec_tok t = lx->tok;
    *out = (lin){.name_offset = -1};
    if (t.kind == XP_TOK_INT) {
        out->b = t.value;
        return xp_spec_next(lx);
    }
    if (t.kind == XP_TOK_IDENT) {
        if (e->what)
            return xp_spec_fail(lx, t.offset,
                                "'%.*s' is not an integer constant; %s must be an integer constant expression",
                                t.length, lx->text + t.offset, e->what);
        xp_status st = xp_spec_ident(lx, out->name);
        if (st != XP_OK) return st;
        out->has_name = true;
        out->name_offset = t.offset;
        out->a = 1;
        return xp_spec_next(lx);
    }
    if (xp_spec_at(lx, '(')) {
        xp_status st = xp_spec_next(lx);
        if (st == XP_OK) st = parse_sum(e, out);
        if (st != XP_OK) return st;
        if (!xp_spec_at(lx, ')')) return xp_spec_fail_found(lx, "expected ')' to match the '(' in this expression");
        return xp_spec_next(lx);
    }
    return xp_spec_fail_found(lx, "expected an integer expression");
}

static xp_status parse_unary(ectx *e, lin *out) {
    xp_spec_lexer *lx = e->lx;
    if (e->depth >= MAX_DEPTH) return xp_spec_fail(lx, lx->tok.offset, "expression is nested too deeply");
    e->depth++;
    xp_status st = parse_unary_inner(e, out);
    e->depth--;
    return st;
}

static xp_status parse_unary_inner(ectx *e, lin *out) {
    xp_spec_lexer *lx = e->lx;
    if (xp_spec_at(lx, '-') || xp_spec_at(lx, '+')) {
        bool neg = lx->tok.punct == '-';
        int op = lx->tok.offset;
        xp_status st = xp_spec_next(lx);
        if (st == XP_OK) st = parse_unary(e, out);
        if (st != XP_OK || !neg) return st;
        if (out->a == INT64_MIN || out->b == INT64_MIN) return overflow(e, op);
        out->a = -out->a;
        out->b = -out->b;
        return XP_OK;
    }
    return parse_primary(e, out);
}

static xp_status combine_product(ectx *e, char op, int op_offset, lin *x, const lin *y) {
    if (op == '*') {
        if (x->has_name && y->has_name)
            return xp_spec_fail(e->lx, op_offset,
                                "dim expression multiplies dim name '%s' by dim name '%s'; " DIM_FORMS, x->name,
                                y->name);
        const lin *var = x->has_name ? x : y;
        int64_t c = x->has_name ? y->b : x->b;
        lin r = *var;
        if (!xp_i64_mul_checked(var->a, c, &r.a) || !xp_i64_mul_checked(var->b, c, &r.b))
            return overflow(e, op_offset);
        *x = r;
        return XP_OK;
    }
    const char *what = op == '/' ? "divided" : "taken modulo";
    if (x->has_name)
        return xp_spec_fail(e->lx, op_offset, "dim name '%s' cannot be %s; " DIM_FORMS, x->name, what);
    if (y->has_name)
        return xp_spec_fail(e->lx, op_offset, "dim name '%s' cannot be a divisor; " DIM_FORMS, y->name);
    if (y->b == 0)
        return xp_spec_fail(e->lx, op_offset, "%s by zero is undefined", op == '/' ? "division" : "remainder");
    if (x->b == INT64_MIN && y->b == -1) {
        if (op == '/') return overflow(e, op_offset);
        x->b = 0;
        return XP_OK;
    }
    x->b = op == '/' ? x->b / y->b : x->b % y->b;
    return XP_OK;
}

static xp_status parse_product(ectx *e, lin *out) {
    xp_status st = parse_unary(e, out);
    while (st == XP_OK && (xp_spec_at(e->lx, '*') || xp_spec_at(e->lx, '/') || xp_spec_at(e->lx, '%'))) {
        char op = e->lx->tok.punct;
        int op_offset = e->lx->tok.offset;
        lin rhs;
        st = xp_spec_next(e->lx);
        if (st == XP_OK) st = parse_unary(e, &rhs);
        if (st == XP_OK) st = combine_product(e, op, op_offset, out, &rhs);
    }
    return st;
}

static xp_status combine_sum(ectx *e, char op, int op_offset, lin *x, const lin *y) {
    if (x->has_name && y->has_name && strcmp(x->name, y->name) != 0)
        return xp_spec_fail(e->lx, y->name_offset, "dim expression uses two dim names, '%s' and '%s'; " DIM_FORMS,
                            x->name, y->name);
    int64_t ya = y->a, yb = y->b;
    if (op == '-') {
        if (ya == INT64_MIN || yb == INT64_MIN) return overflow(e, op_offset);
        ya = -ya, yb = -yb;
    }
    lin r = x->has_name ? *x : *y;
    if (!xp_i64_add_checked(x->a, ya, &r.a) || !xp_i64_add_checked(x->b, yb, &r.b)) return overflow(e, op_offset);
    r.has_name = x->has_name || y->has_name;
    *x = r;
    return XP_OK;
}

static xp_status parse_sum(ectx *e, lin *out) {
    xp_status st = parse_product(e, out);
    while (st == XP_OK && (xp_spec_at(e->lx, '+') || xp_spec_at(e->lx, '-'))) {
        char op = e->lx->tok.punct;
        int op_offset = e->lx->tok.offset;
        lin rhs;
        st = xp_spec_next(e->lx);
        if (st == XP_OK) st = parse_product(e, &rhs);
        if (st == XP_OK) st = combine_sum(e, op, op_offset, out, &rhs);
    }
    return st;
}

xp_status xp_spec_parse_dim(xp_spec_lexer *lx, xp_spec_dim *out) {
    ectx e = {lx, NULL, 0};
    int start = lx->tok.offset;
    lin v;
    xp_status st = parse_sum(&e, &v);
    if (st != XP_OK) return st;
    if (v.has_name && v.a <= 0)
        return xp_spec_fail(lx, start, "dim expression has coefficient %lld for dim name '%s'; " DIM_FORMS,
                            (long long)v.a, v.name);
    if (!v.has_name && v.b < 0) return xp_spec_fail(lx, start, "dim size %lld is negative", (long long)v.b);
    memset(out, 0, sizeof *out);
    if (v.has_name) {
        memcpy(out->name, v.name, sizeof out->name);
        out->a = v.a;
    }
    out->b = v.b;
    out->offset = start;
    out->length = lx->prev_end - start;
    return XP_OK;
}

xp_status xp_spec_parse_const(xp_spec_lexer *lx, const char *what, int64_t *out) {
    ectx e = {lx, what, 0};
    lin v;
    xp_status st = parse_sum(&e, &v);
    if (st == XP_OK) *out = v.b;
    return st;
}
