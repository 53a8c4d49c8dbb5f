/*
 * Tokens of the annotation grammar. The text is either a spec string as a
 * user typed it or a pragma's macro-expanded tokens re-joined with single
 * spaces, so whitespace between tokens never matters. Integer literals
 * follow C (decimal, 0x hex, 0 octal, u/l suffixes), since macros expand
 * to them; string literals follow C's escapes.
 */
#include "annot/spec_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xp_status xp_spec_fail(xp_spec_lexer *lx, int offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    xp_verror(XP_ERR_INVALID_ARG, fmt, ap);
    va_end(ap);
    lx->err_offset = offset;
    return XP_ERR_INVALID_ARG;
}

static bool is_ident_start(char c) { return c == '_' || isalpha((unsigned char)c); }
static bool is_ident_char(char c) { return c == '_' || isalnum((unsigned char)c); }

/* u, l, ll in any C-valid combination: u, l, ul, lu, ll, ull, llu (either case,
 * ll not mixed as lL). */
static bool valid_int_suffix(const char *s, int n) {
    int i = 0;
    bool u = false;
    if (i < n && (s[i] == 'u' || s[i] == 'U')) u = true, i++;
    if (i < n && (s[i] == 'l' || s[i] == 'L')) {
        if (i + 1 < n && s[i + 1] == s[i]) i += 2;
        else i++;
    }
    if (!u && i < n && (s[i] == 'u' || s[i] == 'U')) i++;
    return i == n;
}

static xp_status lex_int(xp_spec_lexer *lx, int start) {
    const char *s = lx->text;
    int i = start, base = 10;
    if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
        if (!isxdigit((unsigned char)s[i]))
            return xp_spec_fail(lx, start, "expected hexadecimal digits after '0x'");
    } else if (s[i] == '0') {
        base = 8;
    }
    uint64_t v = 0;
    bool too_large = false;
    for (;; i++) {
        char c = s[i];
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else break;
        if (d >= base) return xp_spec_fail(lx, i, "invalid digit '%c' in octal constant", c);
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) too_large = true;
        else v = v * (uint64_t)base + (uint64_t)d;
    }
    bool exponent = base != 16 && (s[i] == 'e' || s[i] == 'E') &&
                    (isdigit((unsigned char)s[i + 1]) || s[i + 1] == '+' || s[i + 1] == '-');
    if (s[i] == '.' || exponent)
        return xp_spec_fail(lx, start, "floating-point constant is not allowed; sizes and bounds are integers");
    int suffix = i;
    while (is_ident_char(s[i])) i++;
    if (!valid_int_suffix(s + suffix, i - suffix))
        return xp_spec_fail(lx, suffix, "invalid suffix '%.*s' on integer constant", i - suffix, s + suffix);
    if (too_large || v > (uint64_t)INT64_MAX)
        return xp_spec_fail(lx, start, "integer literal '%.*s' is too large to be represented in a 64-bit integer",
                            i - start, s + start);
    lx->tok = (xp_spec_tok){.kind = XP_TOK_INT, .offset = start, .length = i - start, .value = (int64_t)v};
    return XP_OK;
}

static bool simple_escape(char c) { return strchr("\"'\\?abfnrtv", c) != NULL && c != '\0'; }

static xp_status lex_string(xp_spec_lexer *lx, int start) {
    const char *s = lx->text;
    int i = start + 1;
    for (;;) {
        char c = s[i];
        if (c == '\0' || c == '\n') return xp_spec_fail(lx, start, "missing terminating '\"' character");
        if (c == '"') break;
        if (c == '\\') {
            if (!simple_escape(s[i + 1])) {
                if (s[i + 1] == '\0' || s[i + 1] == '\n')
                    return xp_spec_fail(lx, start, "missing terminating '\"' character");
                return xp_spec_fail(lx, i, "unknown escape sequence '\\%c'", s[i + 1]);
            }
            i += 2;
            continue;
        }
        i++;
    }
    lx->tok = (xp_spec_tok){.kind = XP_TOK_STRING, .offset = start, .length = i + 1 - start};
    return XP_OK;
}

static xp_status lex(xp_spec_lexer *lx) {
    const char *s = lx->text;
    int i = lx->pos;
    while (i < lx->len && isspace((unsigned char)s[i])) i++;
    if (i >= lx->len) {
        lx->tok = (xp_spec_tok){.kind = XP_TOK_EOF, .offset = lx->len, .length = 0};
        lx->pos = lx->len;
        return XP_OK;
    }
    char c = s[i];
    xp_status st = XP_OK;
    if (is_ident_start(c)) {
        int j = i;
        while (is_ident_char(s[j])) j++;
        lx->tok = (xp_spec_tok){.kind = XP_TOK_IDENT, .offset = i, .length = j - i};
    } else if (isdigit((unsigned char)c)) {
        st = lex_int(lx, i);
    } else if (c == '"') {
        st = lex_string(lx, i);
    } else if (strchr("()[],=+-*/%;:", c)) {
        lx->tok = (xp_spec_tok){.kind = XP_TOK_PUNCT, .offset = i, .length = 1, .punct = c};
    } else if (isprint((unsigned char)c)) {
        return xp_spec_fail(lx, i, "unexpected character '%c' in xport directive", c);
    } else {
        return xp_spec_fail(lx, i, "unexpected byte 0x%02x in xport directive", (unsigned char)c);
    }
    if (st != XP_OK) return st;
    lx->pos = lx->tok.offset + lx->tok.length;
    return XP_OK;
}

xp_status xp_spec_lexer_init(xp_spec_lexer *lx, const char *text) {
    *lx = (xp_spec_lexer){.text = text, .err_offset = -1};
    size_t n = strlen(text);
    if (n > (size_t)INT_MAX / 2) return xp_spec_fail(lx, 0, "xport directive text is too long (%zu bytes)", n);
    lx->len = (int)n;
    return lex(lx);
}

xp_status xp_spec_next(xp_spec_lexer *lx) {
    lx->prev_end = lx->tok.offset + lx->tok.length;
    return lex(lx);
}

bool xp_spec_at_word(const xp_spec_lexer *lx, const char *word) {
    return lx->tok.kind == XP_TOK_IDENT && (size_t)lx->tok.length == strlen(word) &&
           memcmp(lx->text + lx->tok.offset, word, (size_t)lx->tok.length) == 0;
}

xp_status xp_spec_fail_found(xp_spec_lexer *lx, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const xp_spec_tok *t = &lx->tok;
    if (t->kind == XP_TOK_EOF) return xp_spec_fail(lx, t->offset, "%s, found end of text", msg);
    return xp_spec_fail(lx, t->offset, "%s, found '%.*s'", msg, t->length > 24 ? 24 : t->length, lx->text + t->offset);
}

xp_status xp_spec_ident(xp_spec_lexer *lx, char *buf) {
    const xp_spec_tok *t = &lx->tok;
    if (t->length >= XP_SPEC_NAME_MAX)
        return xp_spec_fail(lx, t->offset, "name '%.*s...' is too long; names have at most %d characters", 16,
                            lx->text + t->offset, XP_SPEC_NAME_MAX - 1);
    memcpy(buf, lx->text + t->offset, (size_t)t->length);
    buf[t->length] = '\0';
    return XP_OK;
}

static char unescape(char c) {
    switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c; /* \" \' \\ \? */
    }
}

xp_status xp_spec_string_append(const xp_spec_lexer *lx, const xp_spec_tok *t, char **buf, size_t *len) {
    const char *s = lx->text + t->offset + 1;
    size_t body = (size_t)t->length - 2;
    char *nb = xp_realloc(*buf, *len + body + 1);
    if (!nb) return XP_ERR_OOM;
    size_t o = *len;
    for (size_t i = 0; i < body; i++) nb[o++] = s[i] == '\\' ? unescape(s[++i]) : s[i];
    nb[o] = '\0';
    *buf = nb;
    *len = o;
    return XP_OK;
}
