/*
 * Internals of the annotation grammar parser (xp_spec.h): the lexer
 * (spec_lexer.c), integer and dim expressions (spec_expr.c) and the
 * directives (spec_parse.c).
 *
 * Every failure records its message with xp_error and the byte offset of the
 * offending token in lx->err_offset; callers just propagate the status.
 */
#ifndef XP_SPEC_INTERNAL_H
#define XP_SPEC_INTERNAL_H

#include "annot/xp_spec.h"
#include "core/xp_core.h"

typedef enum xp_spec_tok_kind {
    XP_TOK_EOF = 0,
    XP_TOK_IDENT,
    XP_TOK_INT,
    XP_TOK_STRING, /* a C string literal, quotes included; escapes already checked */
    XP_TOK_PUNCT   /* one of ( ) [ ] , = + - * / % ; : */
} xp_spec_tok_kind;

typedef struct xp_spec_tok {
    xp_spec_tok_kind kind;
    int offset, length;
    int64_t value; /* XP_TOK_INT */
    char punct;    /* XP_TOK_PUNCT */
} xp_spec_tok;

typedef struct xp_spec_lexer {
    const char *text;
    int len;
    int pos;          /* where the next token starts scanning */
    xp_spec_tok tok;  /* the current (not yet consumed) token */
    int prev_end;     /* end offset of the last consumed token */
    int err_offset;
} xp_spec_lexer;

/* Records a failure at `offset`; returns XP_ERR_INVALID_ARG. */
xp_status xp_spec_fail(xp_spec_lexer *lx, int offset, const char *fmt, ...) XP_PRINTF(3, 4);

/* Starts lexing `text` (the first token becomes lx->tok). */
xp_status xp_spec_lexer_init(xp_spec_lexer *lx, const char *text);
/* Consumes the current token and lexes the next one. */
xp_status xp_spec_next(xp_spec_lexer *lx);

static inline bool xp_spec_at(const xp_spec_lexer *lx, char punct) {
    return lx->tok.kind == XP_TOK_PUNCT && lx->tok.punct == punct;
}
/* True when the current token is the identifier `word`. */
bool xp_spec_at_word(const xp_spec_lexer *lx, const char *word);
/* Records a failure at the current token, appending what was found
 * there: "expected ']' after the last dim, found ')'" (or "found end of
 * text"). */
xp_status xp_spec_fail_found(xp_spec_lexer *lx, const char *fmt, ...) XP_PRINTF(2, 3);

/* Copies the current identifier token into buf (XP_SPEC_NAME_MAX bytes);
 * fails when it is too long. Does not consume it. */
xp_status xp_spec_ident(xp_spec_lexer *lx, char *buf);

/* Appends the decoded value of string literal token `t` to the malloc'd
 * buffer *buf of length *len (NUL-terminated). */
xp_status xp_spec_string_append(const xp_spec_lexer *lx, const xp_spec_tok *t, char **buf, size_t *len);

/* A dim: an integer constant expression, or one that reduces to a*name + b
 * with a > 0. Constants must be >= 0. */
xp_status xp_spec_parse_dim(xp_spec_lexer *lx, xp_spec_dim *out);
/* An integer constant expression (no names); `what` names its role in the
 * message for a stray name ("the min of dim 'batch'"). */
xp_status xp_spec_parse_const(xp_spec_lexer *lx, const char *what, int64_t *out);

#endif /* XP_SPEC_INTERNAL_H */
