/*
 * The directives of the annotation grammar (xp_spec.h): one parser for the
 * plugin's pragma text and for xp_export_trace's spec strings.
 */
#include "annot/spec_internal.h"

#include <stdlib.h>
#include <string.h>

#define DIRECTIVES "export, input, dim, param, buffer, cond, map, op, meta"

static const char *const kind_names[] = {
    [XP_PRAGMA_EXPORT] = "export", [XP_PRAGMA_INPUT] = "input", [XP_PRAGMA_DIM] = "dim",
    [XP_PRAGMA_PARAM] = "param",   [XP_PRAGMA_BUFFER] = "buffer", [XP_PRAGMA_COND] = "cond",
    [XP_PRAGMA_MAP] = "map",       [XP_PRAGMA_OP] = "op",         [XP_PRAGMA_META] = "meta",
};
#define NKINDS ((int)(sizeof kind_names / sizeof *kind_names))

const char *xp_pragma_kind_name(xp_pragma_kind k) {
    return (int)k >= 0 && (int)k < NKINDS ? kind_names[k] : "unknown";
}

/* Consumes `punct` or fails with "expected 'punct' <context>, found ...". */
static xp_status expect(xp_spec_lexer *lx, char punct, const char *context) {
    if (!xp_spec_at(lx, punct)) return xp_spec_fail_found(lx, "expected '%c' %s", punct, context);
    return xp_spec_next(lx);
}

/* dtype names as written in pragmas; `_Bool` is what `bool` becomes after
 * <stdbool.h>'s macro expands in the plugin's token text. */
static bool dtype_from_token(const xp_spec_lexer *lx, xp_dtype *out) {
    char name[16];
    const xp_spec_tok *t = &lx->tok;
    if (t->kind != XP_TOK_IDENT || t->length >= (int)sizeof name) return false;
    memcpy(name, lx->text + t->offset, (size_t)t->length);
    name[t->length] = '\0';
    if (strcmp(name, "_Bool") == 0) {
        *out = XP_BOOL;
        return true;
    }
    return xp_dtype_from_name(name, out);
}

/* "f32, f64, ..." for messages. */
static const char *dtype_list(char *buf, size_t n) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < XP_DTYPE_COUNT && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", xp_dtype_name((xp_dtype)i));
    return buf;
}

/* DTYPE[D, ...] */
static xp_status parse_shape(xp_spec_lexer *lx, xp_spec_shape *out) {
    char list[96];
    const xp_spec_tok t = lx->tok;
    if (t.kind != XP_TOK_IDENT)
        return xp_spec_fail_found(lx, "expected a dtype (one of %s)", dtype_list(list, sizeof list));
    if (!dtype_from_token(lx, &out->dtype))
        return xp_spec_fail(lx, t.offset, "unknown dtype '%.*s'; expected one of %s", t.length > 24 ? 24 : t.length,
                            lx->text + t.offset, dtype_list(list, sizeof list));
    out->offset = t.offset;
    xp_status st = xp_spec_next(lx);
    if (st != XP_OK) return st;
    if (!xp_spec_at(lx, '['))
        return xp_spec_fail_found(lx, "expected '[' after dtype '%.*s' (write %.*s[] for a 0-d tensor)", t.length,
                                  lx->text + t.offset, t.length, lx->text + t.offset);
    if ((st = xp_spec_next(lx)) != XP_OK) return st;
    out->ndim = 0;
    if (!xp_spec_at(lx, ']')) {
        for (;;) {
            if (out->ndim == XP_MAX_DIMS)
                return xp_spec_fail(lx, lx->tok.offset, "too many dims; tensors have at most %d", XP_MAX_DIMS);
            if ((st = xp_spec_parse_dim(lx, &out->dims[out->ndim])) != XP_OK) return st;
            out->ndim++;
            if (xp_spec_at(lx, ']')) break;
            if (xp_spec_at(lx, ',')) {
                if ((st = xp_spec_next(lx)) != XP_OK) return st;
                continue;
            }
            if (lx->tok.kind == XP_TOK_IDENT || lx->tok.kind == XP_TOK_INT || xp_spec_at(lx, '('))
                return xp_spec_fail_found(lx, "expected ',' between dims");
            return xp_spec_fail_found(lx, "expected ']' after the last dim");
        }
    }
    st = xp_spec_next(lx); /* ']' */
    out->length = lx->prev_end - out->offset;
    return st;
}

/* An identifier naming a parameter or a dim. */
static xp_status parse_name(xp_spec_lexer *lx, xp_pragma *out, const char *what) {
    if (lx->tok.kind != XP_TOK_IDENT) return xp_spec_fail_found(lx, "expected %s", what);
    xp_status st = xp_spec_ident(lx, out->name);
    if (st != XP_OK) return st;
    out->name_offset = lx->tok.offset;
    out->name_length = lx->tok.length;
    return xp_spec_next(lx);
}

/* dim(NAME[, min=EXPR][, max=EXPR]), keys in either order, each once. */
static xp_status parse_dim_body(xp_spec_lexer *lx, xp_pragma *p) {
    xp_status st = parse_name(lx, p, "a dim name");
    while (st == XP_OK && xp_spec_at(lx, ',')) {
        if ((st = xp_spec_next(lx)) != XP_OK) return st;
        bool is_min = xp_spec_at_word(lx, "min");
        if (!is_min && !xp_spec_at_word(lx, "max"))
            return xp_spec_fail_found(lx, "expected 'min' or 'max' in dim '%s'", p->name);
        const char *key = is_min ? "min" : "max";
        if (is_min ? p->has_min : p->has_max)
            return xp_spec_fail(lx, lx->tok.offset, "duplicate '%s' in dim '%s'", key, p->name);
        if ((st = xp_spec_next(lx)) != XP_OK) return st;
        char ctx[32];
        snprintf(ctx, sizeof ctx, "after '%s'", key);
        if ((st = expect(lx, '=', ctx)) != XP_OK) return st;
        int expr_offset = lx->tok.offset;
        char what[XP_SPEC_NAME_MAX + 32];
        snprintf(what, sizeof what, "the %s of dim '%s'", key, p->name);
        int64_t v;
        if ((st = xp_spec_parse_const(lx, what, &v)) != XP_OK) return st;
        if (v < 0)
            return xp_spec_fail(lx, expr_offset, "%s of dim '%s' is %lld; sizes cannot be negative", key, p->name,
                                (long long)v);
        if (is_min) p->has_min = true, p->min = v, p->min_offset = expr_offset;
        else p->has_max = true, p->max = v, p->max_offset = expr_offset;
    }
    if (st == XP_OK && p->has_min && p->has_max && p->min > p->max)
        return xp_spec_fail(lx, p->min_offset > p->max_offset ? p->min_offset : p->max_offset,
                            "dim '%s' has min %lld greater than max %lld", p->name, (long long)p->min,
                            (long long)p->max);
    return st;
}

/* One or more adjacent string literals, concatenated as in C. */
static xp_status parse_strings(xp_spec_lexer *lx, char **out) {
    size_t len = 0;
    char *s = NULL;
    while (lx->tok.kind == XP_TOK_STRING) {
        xp_status st = xp_spec_string_append(lx, &lx->tok, &s, &len);
        if (st == XP_OK) st = xp_spec_next(lx);
        if (st != XP_OK) {
            free(s);
            return st;
        }
    }
    *out = s;
    return XP_OK;
}

/* op("schema") */
static xp_status parse_op_body(xp_spec_lexer *lx, xp_pragma *p) {
    int start = lx->tok.offset;
    if (lx->tok.kind != XP_TOK_STRING)
        return xp_spec_fail_found(lx, "expected the op's schema as a string literal, as in "
                                      "op(\"ns::name(Tensor x) -> Tensor\")");
    xp_status st = parse_strings(lx, &p->schema);
    if (st != XP_OK) return st;
    if (p->schema[0] == '\0') return xp_spec_fail(lx, start, "op schema string is empty");
    return XP_OK;
}

static xp_status name_too_long(xp_spec_lexer *lx, int offset) {
    return xp_spec_fail(lx, offset, "op name is too long; names have at most %d characters", XP_SPEC_NAME_MAX - 1);
}

/* meta("ns::name") or meta(ns::name); C lexes `::` as two ':' tokens, which
 * the plugin's token text joins with a space. */
static xp_status parse_meta_body(xp_spec_lexer *lx, xp_pragma *p) {
    int start = lx->tok.offset;
    p->name_offset = start;
    if (lx->tok.kind == XP_TOK_STRING) {
        char *s = NULL;
        xp_status st = parse_strings(lx, &s);
        if (st != XP_OK) return st;
        size_t n = strlen(s);
        if (n == 0 || n >= XP_SPEC_NAME_MAX) {
            free(s);
            return n ? name_too_long(lx, start) : xp_spec_fail(lx, start, "op name is empty");
        }
        memcpy(p->name, s, n + 1);
        free(s);
        p->name_length = lx->prev_end - start;
        return XP_OK;
    }
    size_t n = 0;
    for (;;) {
        if (lx->tok.kind != XP_TOK_IDENT)
            return xp_spec_fail_found(lx, "expected the op's name, as in meta(ns::name) or meta(\"ns::name\")");
        size_t k = (size_t)lx->tok.length;
        if (n + k >= XP_SPEC_NAME_MAX) return name_too_long(lx, start);
        memcpy(p->name + n, lx->text + lx->tok.offset, k);
        n += k;
        p->name[n] = '\0';
        xp_status st = xp_spec_next(lx);
        if (st != XP_OK) return st;
        if (!xp_spec_at(lx, ':')) break;
        int colon = lx->tok.offset;
        if ((st = xp_spec_next(lx)) != XP_OK) return st;
        if (!xp_spec_at(lx, ':')) return xp_spec_fail(lx, colon, "expected '::' in a qualified op name");
        if ((st = xp_spec_next(lx)) != XP_OK) return st;
        if (n + 2 >= XP_SPEC_NAME_MAX) return name_too_long(lx, start);
        memcpy(p->name + n, "::", 3);
        n += 2;
    }
    p->name_length = lx->prev_end - start;
    return XP_OK;
}

static bool has_arguments(xp_pragma_kind k) {
    return k != XP_PRAGMA_EXPORT && k != XP_PRAGMA_COND && k != XP_PRAGMA_MAP;
}

static xp_status parse_directive(xp_spec_lexer *lx, xp_pragma *p) {
    memset(p, 0, sizeof *p);
    p->name_offset = p->min_offset = p->max_offset = p->close_offset = -1;
    p->offset = lx->tok.offset;
    if (lx->tok.kind != XP_TOK_IDENT)
        return xp_spec_fail_found(lx, "expected an xport directive (one of " DIRECTIVES ")");
    int k = 0;
    while (k < NKINDS && !xp_spec_at_word(lx, kind_names[k])) k++;
    if (k == NKINDS)
        return xp_spec_fail(lx, lx->tok.offset, "unknown xport directive '%.*s'; expected one of " DIRECTIVES,
                            lx->tok.length > 32 ? 32 : lx->tok.length, lx->text + lx->tok.offset);
    p->kind = (xp_pragma_kind)k;
    const char *kname = kind_names[k];
    xp_status st = xp_spec_next(lx);
    if (st != XP_OK) return st;
    if (!has_arguments(p->kind)) {
        if (xp_spec_at(lx, '(')) return xp_spec_fail(lx, lx->tok.offset, "'%s' takes no arguments", kname);
        p->length = lx->prev_end - p->offset;
        return XP_OK;
    }
    char ctx[XP_SPEC_NAME_MAX + 24];
    snprintf(ctx, sizeof ctx, "after '%s'", kname);
    if ((st = expect(lx, '(', ctx)) != XP_OK) return st;
    switch (p->kind) {
    case XP_PRAGMA_INPUT:
        st = parse_name(lx, p, "a parameter name");
        if (st == XP_OK) {
            snprintf(ctx, sizeof ctx, "after input '%s'", p->name);
            st = expect(lx, ',', ctx);
        }
        if (st == XP_OK && xp_spec_at_word(lx, "int")) { /* a SYMINT: no shape */
            p->int_input = true;
            p->shape.offset = lx->tok.offset;
            st = xp_spec_next(lx);
            p->shape.length = lx->prev_end - p->shape.offset;
            break;
        }
        if (st == XP_OK) st = parse_shape(lx, &p->shape);
        break;
    case XP_PRAGMA_PARAM:
    case XP_PRAGMA_BUFFER: st = parse_shape(lx, &p->shape); break;
    case XP_PRAGMA_DIM: st = parse_dim_body(lx, p); break;
    case XP_PRAGMA_OP: st = parse_op_body(lx, p); break;
    case XP_PRAGMA_META: st = parse_meta_body(lx, p); break;
    default: XP_BUG("xp_spec: directive '%s' has no argument parser", kname);
    }
    if (st != XP_OK) return st;
    if (!xp_spec_at(lx, ')'))
        return xp_spec_fail_found(lx, "expected %s to end the '%s' directive",
                                  p->kind == XP_PRAGMA_DIM ? "',' or ')'" : "')'", kname);
    p->close_offset = lx->tok.offset;
    st = xp_spec_next(lx);
    p->length = lx->prev_end - p->offset;
    return st;
}

void xp_pragma_clear(xp_pragma *p) {
    if (!p) return;
    free(p->schema);
    p->schema = NULL;
}

void xp_pragmas_free(xp_pragma *ps, int n) {
    if (!ps) return;
    for (int i = 0; i < n; i++) xp_pragma_clear(&ps[i]);
    free(ps);
}

static void set_offset(int *err_offset, int v) {
    if (err_offset) *err_offset = v;
}

xp_status xp_pragma_parse(const char *text, xp_pragma *out, int *err_offset) {
    set_offset(err_offset, -1);
    if (!text || !out) return xp_error(XP_ERR_INVALID_ARG, "xp_pragma_parse: text and out must not be NULL");
    memset(out, 0, sizeof *out);
    xp_spec_lexer lx;
    xp_status st = xp_spec_lexer_init(&lx, text);
    if (st == XP_OK) st = parse_directive(&lx, out);
    if (st == XP_OK && lx.tok.kind != XP_TOK_EOF)
        st = xp_spec_fail(&lx, lx.tok.offset, "extra tokens after the '%s' directive, starting at '%.*s'",
                          xp_pragma_kind_name(out->kind), lx.tok.length > 24 ? 24 : lx.tok.length,
                          lx.text + lx.tok.offset);
    if (st != XP_OK) {
        xp_pragma_clear(out);
        set_offset(err_offset, lx.err_offset);
    }
    return st;
}

xp_status xp_spec_parse(const char *text, xp_pragma **out, int *n, int *err_offset) {
    set_offset(err_offset, -1);
    if (!text || !out || !n) return xp_error(XP_ERR_INVALID_ARG, "xp_spec_parse: text, out and n must not be NULL");
    *out = NULL;
    *n = 0;
    xp_pragma *ps = NULL;
    int count = 0, cap = 0;
    xp_spec_lexer lx;
    xp_status st = xp_spec_lexer_init(&lx, text);
    while (st == XP_OK && lx.tok.kind != XP_TOK_EOF) {
        if (count == cap) {
            int ncap = cap ? cap * 2 : 4;
            xp_pragma *nps = xp_realloc(ps, (size_t)ncap * sizeof *nps);
            if (!nps) {
                st = XP_ERR_OOM;
                break;
            }
            ps = nps, cap = ncap;
        }
        st = parse_directive(&lx, &ps[count]);
        count++; /* counted even on failure so its schema (if any) is freed */
        if (st != XP_OK) break;
        if (xp_spec_at(&lx, ';')) {
            st = xp_spec_next(&lx);
        } else if (lx.tok.kind != XP_TOK_EOF) {
            st = xp_spec_fail_found(&lx, "expected ';' after the '%s' directive",
                                    xp_pragma_kind_name(ps[count - 1].kind));
        }
    }
    if (st != XP_OK) {
        xp_pragmas_free(ps, count);
        set_offset(err_offset, st == XP_ERR_OOM ? 0 : lx.err_offset);
        return st;
    }
    *out = ps;
    *n = count;
    return XP_OK;
}
