/*
 * Custom ops: user ops declared with `#pragma xport op(SCHEMA)` and
 * registered at run time, after the built-in table (ids from XP_OP_COUNT).
 *
 * Registration comes from constructors the plugin emits next to each op's
 * implementation (xp_op_register_linked), so linking the op's object — or
 * dlopening a library built with the plugin (xp_ops_load_library, `xport
 * run --ops`) — registers it. Entries live in a fixed array and are
 * published by an atomic count, so lookups take no lock and an entry's
 * address never changes.
 *
 * A custom op's shape comes from its meta function, run by the plugin at
 * export time; the node stores the result (xp_graph_add_custom_node), and a
 * program file's metas are trusted when loaded. The kernel adapter below
 * checks the implementation's result against the planned output, so a
 * wrong meta is a run-time error, never a write out of bounds.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "ops/custom_internal.h"

typedef struct custom_op {
    xp_op_def def;
    xp_schema schema;
    char schema_text[512];
    char source[256];
    _Atomic(xp_custom_impl) impl;
} custom_op;

static custom_op g_custom[XP_MAX_CUSTOM_OPS];
static atomic_int g_ncustom;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* the first failure of a constructor's registration, reported on load */
static xp_status g_linked_status;
static char g_linked_error[512];
/* the library being dlopened by xp_ops_load_library (its registrations' source) */
static _Thread_local const char *g_loading_library;

static xp_status shape_custom(xp_symctx *ctx, const xp_arg *args, xp_meta *out);
static xp_status kernel_custom(const xp_call *call);

int xp_custom_op_count(void) { return atomic_load_explicit(&g_ncustom, memory_order_acquire); }

const xp_op_def *xp_custom_op_get(xp_op_id id) {
    int k = (int)id - (int)XP_OP_COUNT;
    if (k < 0 || k >= xp_custom_op_count()) return NULL;
    return &g_custom[k].def;
}

const xp_op_def *xp_custom_op_find(const char *name) {
    int n = xp_custom_op_count();
    for (int k = 0; k < n; k++)
        if (strcmp(g_custom[k].def.name, name) == 0) return &g_custom[k].def;
    return NULL;
}

static custom_op *entry_of(xp_op_id id) {
    int k = (int)id - (int)XP_OP_COUNT;
    return k >= 0 && k < xp_custom_op_count() ? &g_custom[k] : NULL;
}

xp_custom_impl xp_op_custom_impl(xp_op_id op) {
    custom_op *e = entry_of(op);
    return e ? atomic_load(&e->impl) : NULL;
}

const char *xp_op_custom_source(xp_op_id op) {
    custom_op *e = entry_of(op);
    return e && e->source[0] ? e->source : NULL;
}

/* ---- schemas ---- */

xp_custom_ckind xp_custom_ckind_of(const xp_schema_arg *a) {
    switch (a->kind) {
    case XP_ARG_INT: return XP_CK_INT;
    case XP_ARG_FLOAT: return XP_CK_FLOAT;
    case XP_ARG_BOOL: return XP_CK_BOOL;
    default: return XP_CK_TENSOR;
    }
}

static xp_status schema_fail(int *column, int col, const char *fmt, ...) XP_PRINTF(3, 4);
static xp_status schema_fail(int *column, int col, const char *fmt, ...) {
    if (column) *column = col;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xp_error(XP_ERR_INVALID_ARG, "%s", msg);
}

xp_status xp_custom_schema_check(const char *text, xp_schema *out, int *column) {
    if (column) *column = 0;
    if (!text || !out) return xp_error(XP_ERR_INVALID_ARG, "xp_custom_schema_check: text and out are required");
    xp_status st = xp_schema_parse(text, out);
    if (st) {
        /* "schema \"...\": column N: what" -> column N, message "what" */
        const char *msg = xp_last_error(), *c = strstr(msg, "\": column ");
        int col = 0, used = 0;
        if (c && sscanf(c, "\": column %d: %n", &col, &used) == 1 && used > 0) {
            char what[256];
            snprintf(what, sizeof what, "%s", c + used);
            return schema_fail(column, col, "%s", what);
        }
        return st;
    }
    const char *sep = strstr(out->name, "::");
    if (!sep || sep == out->name || !sep[2] || strchr(sep + 2, ':'))
        return schema_fail(column, 1, "custom op name '%s' needs a namespace, as in 'my_lib::%s'", out->name,
                           out->name);
    if (strchr(out->name, '.'))
        return schema_fail(column, 1, "custom op '%s': overload names are not supported", out->name);
    if (out->nargs > XP_CUSTOM_MAX_ARGS) {
        if (column) *column = 0;
        return xp_error(XP_ERR_UNSUPPORTED, "custom op '%s' has %d arguments; custom ops take at most %d",
                        out->name, out->nargs, XP_CUSTOM_MAX_ARGS);
    }
    for (int i = 0; i < out->nargs; i++) {
        const xp_schema_arg *a = &out->args[i];
        const char *at = strstr(text, a->type_text ? a->type_text : "");
        int col = at ? (int)(at - text) + 1 : 0;
        bool scalar_opt = a->optional && a->kind != XP_ARG_TENSOR;
        if ((a->kind != XP_ARG_TENSOR && a->kind != XP_ARG_INT && a->kind != XP_ARG_FLOAT &&
             a->kind != XP_ARG_BOOL) || scalar_opt || a->fixed_len) {
            if (column) *column = col;
            return xp_error(XP_ERR_UNSUPPORTED,
                            "argument '%s' has type '%s'; custom op arguments are Tensor, Tensor?, int, float or "
                            "bool",
                            a->name, a->type_text ? a->type_text : "?");
        }
        if (a->alias && !a->is_write) {
            if (column) *column = col;
            return xp_error(XP_ERR_UNSUPPORTED,
                            "argument '%s' is annotated Tensor(%c): custom ops cannot return views of their "
                            "arguments; use Tensor(%c!) for an argument the op writes, or plain Tensor",
                            a->name, a->alias, a->alias);
        }
    }
    const char *arrow = strstr(text, "->");
    int rcol = arrow ? (int)(arrow - text) + 3 : 0;
    if (out->nrets != 1 || out->rets[0].kind != XP_ARG_TENSOR) {
        if (column) *column = rcol;
        return xp_error(XP_ERR_UNSUPPORTED, "custom op '%s' must return one Tensor (its C function returns "
                        "'xp_tensor *')", out->name);
    }
    if (out->rets[0].alias) {
        if (column) *column = rcol;
        return xp_error(XP_ERR_UNSUPPORTED, "custom op '%s' returns Tensor(%c%s): custom ops return a new tensor",
                        out->name, out->rets[0].alias, out->rets[0].is_write ? "!" : "");
    }
    return XP_OK;
}

/* ---- registration ---- */

xp_status xp_op_register_custom(const char *schema, xp_custom_impl impl, const char *source, xp_op_id *out) {
    if (out) *out = XP_OP_NONE;
    xp_schema s;
    xp_status st = xp_custom_schema_check(schema, &s, NULL);
    if (st) return xp_error_prefix("custom op schema \"%s\"", schema ? schema : "(null)");
    if (strlen(schema) >= sizeof g_custom[0].schema_text)
        return xp_error(XP_ERR_UNSUPPORTED, "custom op '%s': its schema is longer than %zu characters", s.name,
                        sizeof g_custom[0].schema_text - 1);
    xp_registry_init();
    pthread_mutex_lock(&g_lock);
    int n = xp_custom_op_count();
    for (int k = 0; k < n; k++) {
        custom_op *e = &g_custom[k];
        if (strcmp(e->def.name, s.name) != 0) continue;
        if (strcmp(e->schema_text, schema) != 0) {
            st = xp_error(XP_ERR_INVALID_ARG,
                          "custom op %s is registered twice with different schemas: \"%s\"%s%s%s and \"%s\"%s%s",
                          s.name, e->schema_text, e->source[0] ? " (" : "", e->source, e->source[0] ? ")" : "",
                          schema, source ? " from " : "", source ? source : "");
        } else {
            if (impl && !atomic_load(&e->impl)) {
                atomic_store(&e->impl, impl);
                if (source) snprintf(e->source, sizeof e->source, "%s", source);
            }
            if (out) *out = e->def.id;
        }
        pthread_mutex_unlock(&g_lock);
        return st;
    }
    if (n == XP_MAX_CUSTOM_OPS) {
        pthread_mutex_unlock(&g_lock);
        return xp_error(XP_ERR_UNSUPPORTED, "custom op %s: at most %d custom ops can be registered", s.name,
                        XP_MAX_CUSTOM_OPS);
    }
    custom_op *e = &g_custom[n];
    memset(e, 0, sizeof *e);
    e->schema = s;
    snprintf(e->schema_text, sizeof e->schema_text, "%s", schema);
    if (source) snprintf(e->source, sizeof e->source, "%s", source);
    atomic_store(&e->impl, impl);
    bool writes = false;
    for (int i = 0; i < s.nargs; i++) writes |= s.args[i].is_write;
    e->def.id = (xp_op_id)((int)XP_OP_COUNT + n);
    e->def.name = e->schema.name;
    e->def.schema_text = e->schema_text;
    e->def.flags = XP_OP_CUSTOM | (writes ? XP_OP_MUTABLE : 0);
    e->def.shape = shape_custom;
    e->def.cpu = kernel_custom;
    e->def.functional = XP_OP_NONE;
    e->def.schema = &e->schema;
    atomic_store_explicit(&g_ncustom, n + 1, memory_order_release);
    pthread_mutex_unlock(&g_lock);
    if (out) *out = e->def.id;
    return XP_OK;
}

void xp_op_register_linked(const char *schema, void (*impl)(void), const char *source) {
    const char *from = g_loading_library ? g_loading_library : source;
    if (xp_op_register_custom(schema, impl, from, NULL) == XP_OK) return;
    pthread_mutex_lock(&g_lock);
    if (!g_linked_status) {
        g_linked_status = XP_ERR_INVALID_ARG;
        snprintf(g_linked_error, sizeof g_linked_error, "%s", xp_last_error());
    }
    pthread_mutex_unlock(&g_lock);
    xp_clear_error();
}

xp_status xp_custom_ops_check_linked(void) {
    pthread_mutex_lock(&g_lock);
    xp_status st = g_linked_status;
    char msg[sizeof g_linked_error];
    memcpy(msg, g_linked_error, sizeof msg);
    pthread_mutex_unlock(&g_lock);
    return st ? xp_error(st, "%s", msg) : XP_OK;
}

xp_status xp_ops_load_library(const char *path) {
    if (!path || !path[0]) return xp_error(XP_ERR_INVALID_ARG, "--ops needs a shared library");
    int before = xp_custom_op_count();
    xp_status linked_before = g_linked_status;
    g_loading_library = path;
    /* the constructors in the library register its ops */
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    g_loading_library = NULL;
    if (!h) return xp_error(XP_ERR_IO, "cannot load op library %s: %s", path, dlerror());
    if (!linked_before && g_linked_status) {
        xp_custom_ops_check_linked();
        return xp_error_prefix("op library %s", path);
    }
    if (xp_custom_op_count() == before) {
        /* already loaded (its ops registered before), or no ops at all */
        int n = xp_custom_op_count();
        for (int k = 0; k < n; k++)
            if (strcmp(g_custom[k].source, path) == 0) return XP_OK;
        return xp_error(XP_ERR_NOT_FOUND,
                        "op library %s registers no custom ops: build it from files with '#pragma xport op' "
                        "with the xport plugin (xport-cc -shared -fPIC ...)",
                        path);
    }
    return XP_OK;
}

/* ---- shape function and kernel ---- */

static xp_status shape_custom(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx, (void)args, (void)out;
    return xp_error(XP_ERR_UNSUPPORTED,
                    "a custom op's output shape comes from its meta function when the program is exported "
                    "(#pragma xport meta); it cannot be inferred here");
}

static bool same_meta(const xp_meta *a, const xp_meta *b) {
    if (a->dtype != b->dtype || a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d]) return false;
    return true;
}

static void format_meta(const xp_meta *m, char *buf, size_t n) {
    size_t used = (size_t)snprintf(buf, n, "%s[", xp_dtype_name(m->dtype));
    for (int d = 0; d < m->ndim && used < n; d++)
        used += (size_t)snprintf(buf + used, n - used, "%s%lld", d ? ", " : "", (long long)m->shape[d]);
    if (used < n) snprintf(buf + used, n - used, "]");
}

static xp_status kernel_custom(const xp_call *call) {
    const xp_op_def *op = call->op;
    xp_custom_impl impl = xp_op_custom_impl(op->id);
    if (!impl)
        return xp_error(XP_ERR_NOT_FOUND,
                        "custom op %s has no implementation: link the file that defines it (compiled with the "
                        "xport plugin) or pass --ops LIB.so to xport run",
                        op->name);
    const xp_schema *s = op->schema;
    if (call->nargs != s->nargs || call->nouts != 1 || s->nargs > XP_CUSTOM_MAX_ARGS)
        return xp_error(XP_ERR_INTERNAL, "custom op %s: called with %d arguments and %d outputs", op->name,
                        call->nargs, call->nouts);
    xp_custom_cval v[XP_CUSTOM_MAX_ARGS];
    memset(v, 0, sizeof v);
    for (int k = 0; k < s->nargs; k++) {
        const xp_arg *a = &call->args[k];
        v[k].kind = xp_custom_ckind_of(&s->args[k]);
        switch (v[k].kind) {
        case XP_CK_TENSOR: v[k].t = a->kind == XP_ARG_TENSOR ? XP_ARG_T(*a) : NULL; break;
        case XP_CK_INT:
            if (xp_dim_is_sym(a->i))
                return xp_error(XP_ERR_INTERNAL, "custom op %s: argument '%s' is still symbolic", op->name,
                                s->args[k].name);
            v[k].i = a->i;
            break;
        case XP_CK_FLOAT: v[k].f = a->kind == XP_ARG_INT ? (double)a->i : a->f; break;
        case XP_CK_BOOL: v[k].b = a->b; break;
        }
    }
    xp_clear_error();
    xp_scope *scope = xp_scope_push();
    xp_tensor *r = xp_custom_invoke(impl, s->nargs, v);
    xp_status st = XP_OK;
    xp_tensor *out = call->outs[0];
    if (!r) {
        const char *why = xp_last_error();
        st = xp_error(XP_ERR_INVALID_ARG, "custom op %s: its implementation returned NULL%s%s", op->name,
                      why[0] ? ": " : "", why);
    } else if (!same_meta(&r->meta, &out->meta)) {
        char got[160], want[160];
        format_meta(&r->meta, got, sizeof got);
        format_meta(&out->meta, want, sizeof want);
        st = xp_error(XP_ERR_SHAPE,
                      "custom op %s: its implementation returned %s, but its meta function said %s", op->name,
                      got, want);
    } else {
        st = xp_tensor_copy_into(out, r);
    }
    xp_scope_pop(scope);
    return st;
}
