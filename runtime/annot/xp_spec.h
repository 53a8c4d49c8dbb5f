/*
 * The annotation grammar (DESIGN §2): one parser for the text of
 * `#pragma xport ...` lines (the Clang plugin hands over the pragma's
 * macro-expanded tokens as text) and for xp_export_trace's spec strings
 * ("dim(batch, max=1024); input(x, f32[batch, 100])").
 *
 *   export
 *   input(NAME, DTYPE[D, ...])        D: integer constant expression, or
 *   param(DTYPE[D, ...])                 A*name + B (A > 0, B any integer),
 *   buffer(DTYPE[D, ...])                e.g. batch, dimx + 1, 3*dx + 1, 8*2
 *   dim(NAME[, min=EXPR][, max=EXPR])
 *   cond
 *   map
 *   op("ns::name(Tensor x) -> Tensor")
 *   meta("ns::name")   or   meta(ns::name)
 *
 * Integer constant expressions use + - * / % and parentheses (C semantics:
 * division truncates; errors on division by zero and overflow). Every
 * failure reports the byte offset of the offending token in the text, so
 * the plugin can put a caret on the token in the user's source.
 */
#ifndef XP_SPEC_H
#define XP_SPEC_H

#include "xport.h"

#define XP_SPEC_NAME_MAX 64

typedef enum xp_pragma_kind {
    XP_PRAGMA_EXPORT = 0,
    XP_PRAGMA_INPUT,
    XP_PRAGMA_DIM,
    XP_PRAGMA_PARAM,
    XP_PRAGMA_BUFFER,
    XP_PRAGMA_COND,
    XP_PRAGMA_MAP,
    XP_PRAGMA_OP,
    XP_PRAGMA_META
} xp_pragma_kind;

/* "export", "input", ... */
const char *xp_pragma_kind_name(xp_pragma_kind k);

/* One size in a shape: a*name + b, or the constant b when name is "". */
typedef struct xp_spec_dim {
    char name[XP_SPEC_NAME_MAX];
    int64_t a, b;
    int offset, length; /* its text in the pragma */
} xp_spec_dim;

typedef struct xp_spec_shape {
    xp_dtype dtype;
    int ndim;
    xp_spec_dim dims[XP_MAX_DIMS];
    int offset, length; /* "f32[batch, 100]" */
} xp_spec_shape;

typedef struct xp_pragma {
    xp_pragma_kind kind;
    int offset, length;              /* the whole directive in the text */
    char name[XP_SPEC_NAME_MAX];     /* input: parameter name; dim: dim name; meta: op name */
    int name_offset, name_length;
    xp_spec_shape shape;             /* input, param, buffer */
    bool int_input;                  /* input(NAME, int): a symbolic int input (SYMINT), NAME a dim */
    bool has_min, has_max;           /* dim */
    int64_t min, max;
    int min_offset, max_offset;      /* the EXPR after min= / max= (-1 if absent) */
    int close_offset;                /* the ')' that ends the directive (for fix-its) */
    char *schema;                    /* op: the schema string (malloc'd) */
} xp_pragma;

/* Parses one directive. On error returns XP_ERR_INVALID_ARG with a message
 * in Clang's style ("expected ']' after the last dim") and *err_offset set
 * to the offending byte. */
xp_status xp_pragma_parse(const char *text, xp_pragma *out, int *err_offset);
/* Parses directives separated by ';' (trailing ';' allowed) into a malloc'd
 * array; free with xp_pragmas_free. */
xp_status xp_spec_parse(const char *text, xp_pragma **out, int *n, int *err_offset);
void xp_pragma_clear(xp_pragma *p);
void xp_pragmas_free(xp_pragma *ps, int n);

#endif /* XP_SPEC_H */
