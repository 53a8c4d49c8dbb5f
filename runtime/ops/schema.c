/*
 * Parser for PyTorch's operator schema syntax, and the binder that checks a
 * call's arguments against a parsed schema and fills in defaults.
 *
 *   name[.overload](Type name[=default], ..., *, kwarg ...) -> Ret
 *
 * Types: Tensor, Tensor?, Tensor(a), Tensor(a!), Tensor[], int, int?, int[],
 * int[N], int[]?, float, float?, bool, Scalar (a double here), ScalarType,
 * ScalarType?. Returns: Tensor, Tensor(a!), Tensor[], or a parenthesized
 * tuple of those. The same parser will validate user schemas of custom ops,
 * so every error names the column and what was expected.
 */
#include "ops/xp_registry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *text;
    const char *p;
} parser;

static xp_status fail(const parser *ps, const char *what) {
    return xp_error(XP_ERR_INVALID_ARG, "schema \"%s\": column %d: %s", ps->text, (int)(ps->p - ps->text) + 1,
                    what);
}

static void skip_ws(parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\t') ps->p++;
}

static bool eat(parser *ps, const char *tok) {
    skip_ws(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n) != 0) return false;
    ps->p += n;
    return true;
}

/* Reads an identifier (letters, digits, '_', and '.' or ':' when allowed). */
static bool ident(parser *ps, char *out, size_t cap, bool qualified) {
    skip_ws(ps);
    const char *s = ps->p;
    if (!(isalpha((unsigned char)*s) || *s == '_')) return false;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_' ||
           (qualified && (*ps->p == '.' || (ps->p[0] == ':' && ps->p[1] == ':')))) {
        ps->p += (*ps->p == ':') ? 2 : 1;
    }
    size_t n = (size_t)(ps->p - s);
    if (n + 1 > cap) return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* Tensor annotations: (a), (a!), (a -> *) is not supported. */
static xp_status parse_alias(parser *ps, char *alias, bool *is_write) {
    *alias = 0;
    *is_write = false;
    if (!eat(ps, "(")) return XP_OK;
    skip_ws(ps);
    if (!islower((unsigned char)*ps->p)) return fail(ps, "expected an alias letter after '('");
    *alias = *ps->p++;
    if (eat(ps, "!")) *is_write = true;
    if (!eat(ps, ")")) return fail(ps, "expected ')' after the alias annotation");
    return XP_OK;
}

static xp_status parse_type(parser *ps, xp_schema_arg *a) {
    const char *start = (skip_ws(ps), ps->p);
    char word[32];
    if (!ident(ps, word, sizeof word, false)) return fail(ps, "expected a type");
    a->fixed_len = 0;
    if (strcmp(word, "Tensor") == 0) {
        a->kind = XP_ARG_TENSOR;
        xp_status st = parse_alias(ps, &a->alias, &a->is_write);
        if (st != XP_OK) return st;
    } else if (strcmp(word, "int") == 0 || strcmp(word, "SymInt") == 0) {
        a->kind = XP_ARG_INT;
    } else if (strcmp(word, "float") == 0 || strcmp(word, "Scalar") == 0) {
        a->kind = XP_ARG_FLOAT;
    } else if (strcmp(word, "bool") == 0) {
        a->kind = XP_ARG_BOOL;
    } else if (strcmp(word, "ScalarType") == 0) {
        a->kind = XP_ARG_DTYPE;
    } else {
        ps->p = start;
        return fail(ps, "unknown type (expected Tensor, int, float, bool, Scalar or ScalarType)");
    }
    if (ps->p[0] == '[') {
        ps->p++;
        char *end;
        long n = strtol(ps->p, &end, 10);
        if (end != ps->p) {
            if (n <= 0 || n > XP_MAX_DIMS) return fail(ps, "list length must be between 1 and 8");
            a->fixed_len = (int)n;
            ps->p = end;
        }
        if (*ps->p != ']') return fail(ps, "expected ']'");
        ps->p++;
        if (a->kind == XP_ARG_TENSOR) a->kind = XP_ARG_TENSOR_LIST;
        else if (a->kind == XP_ARG_INT) a->kind = XP_ARG_INT_LIST;
        else return fail(ps, "only Tensor[] and int[] lists are supported");
    }
    if (ps->p[0] == '?') {
        ps->p++;
        a->optional = true;
    }
    return XP_OK;
}

static xp_status parse_int_value(parser *ps, int64_t *out) {
    skip_ws(ps);
    char *end;
    long long v = strtoll(ps->p, &end, 10);
    if (end == ps->p) return fail(ps, "expected an integer");
    if (*end == '.' || *end == 'e' || *end == 'E') return fail(ps, "expected an integer, not a float");
    ps->p = end;
    *out = (int64_t)v;
    return XP_OK;
}

static xp_status parse_default(parser *ps, xp_schema_arg *a) {
    skip_ws(ps);
    xp_arg *d = &a->default_value;
    if (eat(ps, "None")) {
        if (!a->optional) return fail(ps, "default None needs an optional type ('?')");
        d->kind = XP_ARG_NONE;
        return XP_OK;
    }
    switch (a->kind) {
    case XP_ARG_BOOL:
        if (eat(ps, "True")) *d = xp_arg_bool(true);
        else if (eat(ps, "False")) *d = xp_arg_bool(false);
        else return fail(ps, "expected True or False");
        return XP_OK;
    case XP_ARG_INT: {
        int64_t v;
        xp_status st = parse_int_value(ps, &v);
        if (st != XP_OK) return st;
        *d = xp_arg_int(v);
        return XP_OK;
    }
    case XP_ARG_FLOAT: {
        char *end;
        double v = strtod(ps->p, &end);
        if (end == ps->p) return fail(ps, "expected a number");
        ps->p = end;
        *d = xp_arg_float(v);
        return XP_OK;
    }
    case XP_ARG_INT_LIST: {
        int n = 0;
        if (eat(ps, "[")) {
            if (!eat(ps, "]")) {
                do {
                    if (n == XP_MAX_DIMS) return fail(ps, "too many list elements");
                    xp_status st = parse_int_value(ps, &a->default_list[n++]);
                    if (st != XP_OK) return st;
                } while (eat(ps, ","));
                if (!eat(ps, "]")) return fail(ps, "expected ']'");
            }
            if (a->fixed_len && n != 0 && n != a->fixed_len) return fail(ps, "default list has the wrong length");
        } else {
            /* int[2] stride=1 means [1, 1], as in PyTorch */
            if (!a->fixed_len) return fail(ps, "a scalar default needs a fixed-length list type like int[2]");
            int64_t v;
            xp_status st = parse_int_value(ps, &v);
            if (st != XP_OK) return st;
            for (n = 0; n < a->fixed_len; n++) a->default_list[n] = v;
        }
        *d = xp_arg_ints(n, a->default_list);
        return XP_OK;
    }
    default:
        return fail(ps, "this type cannot have a default");
    }
}

static const char *kind_text(const xp_schema_arg *a) {
    switch (a->kind) {
    case XP_ARG_TENSOR: return a->optional ? "Tensor?" : "Tensor";
    case XP_ARG_TENSOR_LIST: return "Tensor[]";
    case XP_ARG_INT: return a->optional ? "int?" : "int";
    case XP_ARG_INT_LIST: return a->fixed_len ? (a->optional ? "int[N]?" : "int[N]") : (a->optional ? "int[]?" : "int[]");
    case XP_ARG_FLOAT: return a->optional ? "float?" : "float";
    case XP_ARG_BOOL: return "bool";
    case XP_ARG_DTYPE: return a->optional ? "ScalarType?" : "ScalarType";
    default: return "?";
    }
}

static xp_status parse_return(parser *ps, xp_schema *s) {
    if (s->nrets == XP_MAX_OP_RETS) return fail(ps, "too many return values");
    xp_schema_arg tmp;
    memset(&tmp, 0, sizeof tmp);
    xp_status st = parse_type(ps, &tmp);
    if (st != XP_OK) return st;
    if (tmp.kind != XP_ARG_TENSOR && tmp.kind != XP_ARG_TENSOR_LIST) return fail(ps, "ops return Tensor or Tensor[]");
    if (tmp.optional) return fail(ps, "a return value cannot be optional");
    xp_schema_ret *r = &s->rets[s->nrets++];
    r->kind = tmp.kind;
    r->alias = tmp.alias;
    r->is_write = tmp.is_write;
    /* a return may carry a name: "-> Tensor(a!) out" */
    char name[32];
    ident(ps, name, sizeof name, false);
    return XP_OK;
}

xp_status xp_schema_parse(const char *text, xp_schema *out) {
    memset(out, 0, sizeof *out);
    parser ps = {text, text};
    if (!ident(&ps, out->name, sizeof out->name, true)) return fail(&ps, "expected the op name");
    if (!eat(&ps, "(")) return fail(&ps, "expected '(' after the op name");
    bool kwarg_only = false, seen_default = false;
    if (!eat(&ps, ")")) {
        do {
            if (eat(&ps, "*")) {
                if (kwarg_only) return fail(&ps, "'*' appears twice");
                kwarg_only = true;
                continue;
            }
            if (out->nargs == XP_MAX_OP_ARGS) return fail(&ps, "too many arguments");
            xp_schema_arg *a = &out->args[out->nargs];
            xp_status st = parse_type(&ps, a);
            if (st != XP_OK) return st;
            if (!ident(&ps, a->name, sizeof a->name, false)) return fail(&ps, "expected an argument name");
            for (int i = 0; i < out->nargs; i++)
                if (strcmp(out->args[i].name, a->name) == 0) return fail(&ps, "duplicate argument name");
            a->kwarg_only = kwarg_only;
            a->type_text = kind_text(a);
            if (eat(&ps, "=")) {
                st = parse_default(&ps, a);
                if (st != XP_OK) return st;
                a->has_default = true;
                seen_default = true;
            } else if (seen_default && !kwarg_only) {
                return fail(&ps, "a positional argument without a default follows one with a default");
            }
            out->nargs++;
        } while (eat(&ps, ","));
        if (!eat(&ps, ")")) return fail(&ps, "expected ',' or ')'");
    }
    if (!eat(&ps, "->")) return fail(&ps, "expected '->' and the return type");
    if (eat(&ps, "(")) {
        if (!eat(&ps, ")")) {
            do {
                xp_status st = parse_return(&ps, out);
                if (st != XP_OK) return st;
            } while (eat(&ps, ","));
            if (!eat(&ps, ")")) return fail(&ps, "expected ')' after the return tuple");
        }
    } else {
        xp_status st = parse_return(&ps, out);
        if (st != XP_OK) return st;
    }
    skip_ws(&ps);
    if (*ps.p) return fail(&ps, "unexpected text after the return type");
    /* a written alias must name an argument's alias */
    for (int r = 0; r < out->nrets; r++) {
        if (!out->rets[r].alias) continue;
        bool found = false;
        for (int i = 0; i < out->nargs; i++)
            if (out->args[i].alias == out->rets[r].alias && out->args[i].is_write == out->rets[r].is_write) found = true;
        if (!found) {
            ps.p = text + strlen(text);
            return fail(&ps, "the return's alias annotation matches no argument");
        }
    }
    return XP_OK;
}

int xp_schema_arg_index(const xp_schema *s, const char *name) {
    for (int i = 0; i < s->nargs; i++)
        if (strcmp(s->args[i].name, name) == 0) return i;
    return -1;
}

static const char *argkind_name(xp_argkind k) {
    switch (k) {
    case XP_ARG_NONE: return "None";
    case XP_ARG_TENSOR: return "a tensor";
    case XP_ARG_TENSOR_LIST: return "a tensor list";
    case XP_ARG_INT: return "an int";
    case XP_ARG_INT_LIST: return "an int list";
    case XP_ARG_FLOAT: return "a float";
    case XP_ARG_BOOL: return "a bool";
    case XP_ARG_DTYPE: return "a dtype";
    }
    return "?";
}

xp_status xp_schema_bind(const xp_op_def *op, const xp_arg *args, int nargs, xp_arg *full) {
    const xp_schema *s = op->schema;
    if (nargs > s->nargs)
        return xp_error(XP_ERR_INVALID_ARG, "%s: takes %d arguments, got %d", op->name, s->nargs, nargs);
    for (int i = 0; i < s->nargs; i++) {
        const xp_schema_arg *sa = &s->args[i];
        if (i >= nargs) {
            if (!sa->has_default)
                return xp_error(XP_ERR_INVALID_ARG, "%s: missing argument '%s'", op->name, sa->name);
            full[i] = sa->default_value;
            continue;
        }
        xp_arg a = args[i];
        if (a.kind == XP_ARG_NONE) {
            if (!sa->optional) {
                if (sa->kind == XP_ARG_TENSOR)
                    return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' is NULL", op->name, sa->name);
                return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' (%s) cannot be None", op->name, sa->name,
                                sa->type_text);
            }
            full[i] = a;
            continue;
        }
        if (a.kind == XP_ARG_INT && sa->kind == XP_ARG_FLOAT) {
            if (xp_dim_is_sym(a.i))
                return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' is a float and cannot be symbolic", op->name,
                                sa->name);
            a = xp_arg_float((double)a.i);
        }
        if (a.kind != sa->kind)
            return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' must be %s (%s), got %s", op->name, sa->name,
                            argkind_name(sa->kind), sa->type_text, argkind_name(a.kind));
        if (a.kind == XP_ARG_INT_LIST && sa->fixed_len && a.il.n != sa->fixed_len && !(a.il.n == 0 && sa->has_default))
            return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' must have %d elements, got %d", op->name, sa->name,
                            sa->fixed_len, a.il.n);
        if (a.kind == XP_ARG_INT_LIST && (a.il.n < 0 || a.il.n > XP_MAX_DIMS))
            return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' has %d elements; at most %d are supported", op->name,
                            sa->name, a.il.n, XP_MAX_DIMS);
        if (a.kind == XP_ARG_TENSOR_LIST) {
            if (a.tl.n < 0) return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' has a negative count", op->name, sa->name);
            for (int k = 0; k < a.tl.n; k++)
                if (!a.tl.v || !a.tl.v[k])
                    return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' element %d is NULL", op->name, sa->name, k);
        }
        if (a.kind == XP_ARG_DTYPE && (unsigned)a.dt >= XP_DTYPE_COUNT)
            return xp_error(XP_ERR_INVALID_ARG, "%s: argument '%s' is not a valid dtype (%d)", op->name, sa->name,
                            (int)a.dt);
        full[i] = a;
    }
    return XP_OK;
}
