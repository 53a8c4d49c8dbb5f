/*
 * The C API table (capi.def) as data: each row's C parameter list and op
 * arguments, stringified by the preprocessor, are parsed once into
 * xp_capi_fn. The table is code, so anything wrong with a row — text that
 * does not parse, an argument whose kind or C type disagrees with the op's
 * schema, a required argument left off, a parameter never passed — is a bug
 * in xport (XP_BUG), caught by the first lookup in any test.
 */
#include "ops/xp_capi.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

typedef struct capi_row {
    const char *c_name;
    xp_op_id op;
    const char *params; /* "(xp_tensor *x, int n, const int64_t *dims, bool keepdim)" */
    const char *args;   /* "(T(x), L(n, dims), B(keepdim))" */
} capi_row;

static const capi_row g_rows[] = {
#define XP_CAPI(cname, op, params, args) {#cname, XP_OP_##op, #params, #args},
#include "ops/capi.def"
#undef XP_CAPI
};
#define NROWS ((int)(sizeof g_rows / sizeof *g_rows))

/* Each argument constructor: how many parameters it names, the C type each
 * must have (normalized: no spaces around '*'), and the schema kind it fills. */
typedef struct capi_kind {
    const char *name;
    xp_capi_argkind kind;
    int nops;
    xp_argkind schema_kind;
    const char *types[2];
} capi_kind;

static const capi_kind g_kinds[] = {
    {"T", XP_CAPI_T, 1, XP_ARG_TENSOR, {"xp_tensor*"}},
    {"TL", XP_CAPI_TL, 2, XP_ARG_TENSOR_LIST, {"int", "xp_tensor*const*"}},
    {"I", XP_CAPI_I, 1, XP_ARG_INT, {"int64_t"}},
    {"F", XP_CAPI_F, 1, XP_ARG_FLOAT, {"double"}},
    {"B", XP_CAPI_B, 1, XP_ARG_BOOL, {"bool"}},
    {"D", XP_CAPI_D, 1, XP_ARG_DTYPE, {"xp_dtype"}},
    {"L", XP_CAPI_L, 2, XP_ARG_INT_LIST, {"int", "const int64_t*"}},
    {"L1", XP_CAPI_L1, 1, XP_ARG_INT_LIST, {"int64_t"}},
    {"I2", XP_CAPI_I2, 1, XP_ARG_INT_LIST, {"int64_t"}},
    {"L2", XP_CAPI_L2, 2, XP_ARG_INT_LIST, {"int64_t", "int64_t"}},
    {"NONE", XP_CAPI_NONE, 0, XP_ARG_NONE, {0}},
    {"FALSE", XP_CAPI_FALSE, 0, XP_ARG_BOOL, {0}},
    {"TRUE", XP_CAPI_TRUE, 0, XP_ARG_BOOL, {0}},
};
#define NKINDS ((int)(sizeof g_kinds / sizeof *g_kinds))

static xp_capi_fn g_fns[NROWS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* ---- a tiny scanner over the stringified row text ---- */

typedef struct scan {
    const char *s;
    const char *row;  /* for messages */
    const char *what; /* "parameters" / "arguments" */
} scan;

static void skip_ws(scan *sc) {
    while (isspace((unsigned char)*sc->s)) sc->s++;
}

static bool at(scan *sc, char c) {
    skip_ws(sc);
    return *sc->s == c;
}

static void expect(scan *sc, char c) {
    if (!at(sc, c)) XP_BUG("capi.def: row %s: expected '%c' in the %s at \"%s\"", sc->row, c, sc->what, sc->s);
    sc->s++;
}

/* Reads an identifier into buf (n bytes); false when there is none. */
static bool ident(scan *sc, char *buf, size_t n) {
    skip_ws(sc);
    const char *p = sc->s;
    if (!(*p == '_' || isalpha((unsigned char)*p))) return false;
    while (*p == '_' || isalnum((unsigned char)*p)) p++;
    size_t len = (size_t)(p - sc->s);
    if (len >= n) XP_BUG("capi.def: row %s: name '%.*s' is too long", sc->row, (int)len, sc->s);
    memcpy(buf, sc->s, len);
    buf[len] = '\0';
    sc->s = p;
    return true;
}

/* "(xp_tensor *const *tensors, int64_t dim)": names into fn->param_names,
 * normalized types ("xp_tensor*const*", "int64_t") into types. */
static void parse_params(const capi_row *r, xp_capi_fn *fn, char types[][48]) {
    scan sc = {r->params, r->c_name, "parameters"};
    expect(&sc, '(');
    for (;;) {
        if (fn->nparams == XP_MAX_OP_ARGS)
            XP_BUG("capi.def: row %s: more than %d parameters", r->c_name, XP_MAX_OP_ARGS);
        /* tokens of one parameter: identifiers and '*'; the last is the name,
         * the others its type, joined with a space only between two words */
        char toks[8][48];
        int nt = 0;
        for (;;) {
            if (nt == 8) XP_BUG("capi.def: row %s: parameter %d has too many tokens", r->c_name, fn->nparams + 1);
            if (ident(&sc, toks[nt], sizeof toks[nt])) nt++;
            else if (at(&sc, '*')) sc.s++, strcpy(toks[nt++], "*");
            else break;
        }
        if (nt < 2 || strcmp(toks[nt - 1], "*") == 0)
            XP_BUG("capi.def: row %s: parameter %d needs a type and a name (at \"%s\")", r->c_name, fn->nparams + 1,
                   sc.s);
        char type[48] = "", *last = toks[nt - 1];
        for (int i = 0; i < nt - 1; i++) {
            bool words = i > 0 && strcmp(toks[i], "*") != 0 && strcmp(toks[i - 1], "*") != 0;
            if (strlen(type) + strlen(toks[i]) + 2 > sizeof type) XP_BUG("capi.def: row %s: type too long", r->c_name);
            if (words) strcat(type, " ");
            strcat(type, toks[i]);
        }
        if (strlen(last) >= sizeof fn->param_names[0])
            XP_BUG("capi.def: row %s: parameter name '%s' is too long", r->c_name, last);
        for (int i = 0; i < fn->nparams; i++)
            if (strcmp(fn->param_names[i], last) == 0)
                XP_BUG("capi.def: row %s: parameter '%s' twice", r->c_name, last);
        strcpy(fn->param_names[fn->nparams], last);
        strcpy(types[fn->nparams], type);
        fn->nparams++;
        if (at(&sc, ')')) break;
        expect(&sc, ',');
    }
    sc.s++;
    if (!at(&sc, '\0')) XP_BUG("capi.def: row %s: text after the parameters: \"%s\"", r->c_name, sc.s);
}

static int param_index(const xp_capi_fn *fn, const char *name) {
    for (int i = 0; i < fn->nparams; i++)
        if (strcmp(fn->param_names[i], name) == 0) return i;
    return -1;
}

/* One argument constructor, checked against schema argument `sa`. */
static void parse_arg(scan *sc, xp_capi_fn *fn, char types[][48], const xp_schema_arg *sa, bool *used) {
    const char *row = fn->c_name;
    char kname[16];
    if (!ident(sc, kname, sizeof kname)) XP_BUG("capi.def: row %s: expected an argument at \"%s\"", row, sc->s);
    const capi_kind *k = NULL;
    for (int i = 0; i < NKINDS; i++)
        if (strcmp(g_kinds[i].name, kname) == 0) k = &g_kinds[i];
    if (!k) XP_BUG("capi.def: row %s: unknown argument kind '%s'", row, kname);
    int ops[2] = {-1, -1};
    if (k->nops > 0) {
        expect(sc, '(');
        for (int j = 0; j < k->nops; j++) {
            if (j) expect(sc, ',');
            char pname[48];
            if (!ident(sc, pname, sizeof pname)) XP_BUG("capi.def: row %s: %s needs a parameter name", row, kname);
            ops[j] = param_index(fn, pname);
            if (ops[j] < 0) XP_BUG("capi.def: row %s: %s(%s) names no parameter", row, kname, pname);
            if (strcmp(types[ops[j]], k->types[j]) != 0)
                XP_BUG("capi.def: row %s: %s needs parameter '%s' of type '%s', not '%s'", row, kname, pname,
                       k->types[j], types[ops[j]]);
            used[ops[j]] = true;
        }
        expect(sc, ')');
    }
    xp_capi_arg *a = &fn->args[fn->nargs];
    *a = (xp_capi_arg){.kind = k->kind, .param = -1, .count_param = -1, .param2 = -1};
    if (k->kind == XP_CAPI_TL || k->kind == XP_CAPI_L) a->count_param = ops[0], a->param = ops[1];
    else if (k->kind == XP_CAPI_L2) a->param = ops[0], a->param2 = ops[1];
    else if (k->nops == 1) a->param = ops[0];

    if (k->kind == XP_CAPI_NONE) {
        if (!sa->optional)
            XP_BUG("capi.def: row %s: NONE for '%s', which is not optional (%s)", row, sa->name, sa->type_text);
        return;
    }
    if (k->schema_kind != sa->kind)
        XP_BUG("capi.def: row %s: %s for '%s', whose type is %s", row, kname, sa->name, sa->type_text);
    int len = k->kind == XP_CAPI_L1 ? 1 : (k->kind == XP_CAPI_I2 || k->kind == XP_CAPI_L2) ? 2 : 0;
    if (len && sa->fixed_len && sa->fixed_len != len)
        XP_BUG("capi.def: row %s: %s gives %d element(s) for '%s', which takes %d", row, kname, len, sa->name,
               sa->fixed_len);
}

static void parse_row(const capi_row *r, xp_capi_fn *fn) {
    char types[XP_MAX_OP_ARGS][48];
    const xp_op_def *op = xp_op_get(r->op);
    if (!op) XP_BUG("capi.def: row %s: op id %d is not in ops.def", r->c_name, (int)r->op);
    const xp_schema *s = op->schema;
    memset(fn, 0, sizeof *fn);
    fn->c_name = r->c_name;
    fn->op = r->op;
    parse_params(r, fn, types);

    bool used[XP_MAX_OP_ARGS] = {0};
    scan sc = {r->args, r->c_name, "arguments"};
    expect(&sc, '(');
    for (;;) {
        if (fn->nargs >= s->nargs)
            XP_BUG("capi.def: row %s: more arguments than op '%s' takes (%d)", r->c_name, op->name, s->nargs);
        parse_arg(&sc, fn, types, &s->args[fn->nargs], used);
        fn->nargs++;
        if (at(&sc, ')')) break;
        expect(&sc, ',');
    }
    sc.s++;
    if (!at(&sc, '\0')) XP_BUG("capi.def: row %s: text after the arguments: \"%s\"", r->c_name, sc.s);
    for (int i = fn->nargs; i < s->nargs; i++)
        if (!s->args[i].has_default)
            XP_BUG("capi.def: row %s: op '%s' argument '%s' has no default and is not given", r->c_name, op->name,
                   s->args[i].name);
    for (int i = 0; i < fn->nparams; i++)
        if (!used[i]) XP_BUG("capi.def: row %s: parameter '%s' is not passed to the op", r->c_name, fn->param_names[i]);
}

static void init_once(void) {
    for (int i = 0; i < NROWS; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(g_rows[i].c_name, g_rows[j].c_name) == 0)
                XP_BUG("capi.def: row %s appears twice", g_rows[i].c_name);
        parse_row(&g_rows[i], &g_fns[i]);
    }
}

static void capi_init(void) { pthread_once(&g_once, init_once); }

const xp_capi_fn *xp_capi_find(const char *c_name) {
    if (!c_name) return NULL;
    capi_init();
    for (int i = 0; i < NROWS; i++)
        if (strcmp(g_fns[i].c_name, c_name) == 0) return &g_fns[i];
    return NULL;
}

int xp_capi_count(void) {
    capi_init();
    return NROWS;
}

const xp_capi_fn *xp_capi_get(int i) {
    capi_init();
    return i >= 0 && i < NROWS ? &g_fns[i] : NULL;
}
