/*
 * Non-strict export (DESIGN §5): xp_export_trace runs the user's C function
 * once (twice with a declared dim: Comparisons below) on shape-only
 * tensors and records every op call it makes, through the capture library
 * the Clang plugin uses (runtime/capture), so traced and captured programs
 * have the same form.
 *
 * Representation. A traced tensor is an ordinary xp_tensor header with no
 * storage, its (maybe symbolic) shape in meta, and trace_ref = 1 + its
 * xp_cref. While this thread traces, xp_dispatch hands every call here:
 * arguments become capture arguments (traced tensors by reference,
 * concrete tensors lifted to weights on first use, ints checked), the call
 * is recorded with xp_capture_op, and the result is a new traced header
 * (or, for an in-place op, argument 0 itself: the capture functionalizes).
 * Headers live in a scope the trace opens around the call, so all of them
 * are freed at the end.
 *
 * Weights. A concrete tensor reaching an op is state of the model, as in
 * torch's non-strict mode: a named one (xp_tensor_set_name) is a PARAMETER
 * with its name as target, or a BUFFER when marked (xp_tensor_mark_buffer)
 * or found written in place: a first trace that writes an unmarked named
 * tensor is redone once with that name as a buffer (torch keeps such
 * state in buffers; a parameter cannot be updated by a program). An
 * unnamed one is a CONSTANT "lifted_tensor_N". Each weight's data is
 * copied when first seen and bound to the program at the end.
 *
 * Call sites. The XP_AT_ macros of xport.h push __FILE__/__LINE__ on a
 * thread-local stack while xp_trace_active_ is set and pop it when the
 * call returns, so the innermost open site is that of the call being
 * handled (nested calls included); library-internal calls push nothing.
 *
 * Sizes. xp_size of a traced tensor is its symbolic handle. Handles are
 * spread out (runtime/sym/sym_internal.h) so that plain C arithmetic on one
 * gives a value that is in the handle range but not a live handle, or far
 * outside any sane size; such an int reaching an op is an error naming
 * the dim it most likely came from, never a silent specialization.
 *
 * Comparisons. A plain C comparison of a size cannot be seen, so a trace
 * whose spec declares a dim runs fn twice: user code sees the handles in
 * the first pass and the same handles moved above every real size in the
 * second (to_user / from_user). A comparison against a real number goes
 * the other way in one pass; the two programs then differ, which is an
 * XP_ERR_DATA_DEPENDENT error naming the first differing node's site.
 */
#include "trace/xp_trace.h"

#include "capture/xp_capture.h"
#include "capture/capture_internal.h"
#include "sym/sym_internal.h"
#include "annot/xp_spec.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xp_trace_active_;

/* ---- call sites ---- */

#define SITE_STACK 64

typedef struct site {
    const char *file;
    int line;
} site;

static _Thread_local site g_sites[SITE_STACK];
static _Thread_local int g_nsites;

void xp_trace_push_site_(const char *file, int line) {
    if (g_nsites < SITE_STACK) g_sites[g_nsites] = (site){file, line};
    g_nsites++; /* counted past the end so pops stay balanced */
}

void xp_trace_pop_site_(void) {
    if (g_nsites > 0) g_nsites--;
}

/* The innermost open call site: the call being handled. */
static site current_site(void) {
    if (g_nsites <= 0 || g_nsites > SITE_STACK) return (site){NULL, 0};
    return g_sites[g_nsites - 1];
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* "model.c:12", or a hint when the caller did not ask for call sites. */
static void site_text(char *buf, size_t n) {
    site here = current_site();
    if (here.file) snprintf(buf, n, "%s:%d", base_name(here.file), here.line);
    else snprintf(buf, n, "an unknown call site (define XPORT_CALL_SITES before including xport.h to know it)");
}

/* ---- the trace ---- */

typedef struct lifted {
    const xp_tensor *t; /* the concrete tensor (only compared, never read later) */
    xp_cref ref;
    xp_input_kind kind;
    char *target;
    xp_tensor *data; /* a private copy to bind, or NULL (same target seen before) */
} lifted;

typedef struct xp_trace {
    xp_program *prog;
    xp_capture *cap;
    xp_status err; /* the first error; the ops after it are ignored */
    char *msg;
    lifted *lifted;
    int nlifted, caplifted;
    int nconst;
    char **buffers; /* names found written in a first trace */
    int nbuffers;
    bool log;
    bool pass2; /* the second pass: sizes handed to user code are in the high range */
} xp_trace;

static _Thread_local xp_trace *g_trace;

xp_trace *xp_trace_current(void) { return g_trace; }

static void trace_fail(xp_trace *tr, xp_status st, const char *fmt, ...) XP_PRINTF(3, 4);
static void trace_fail(xp_trace *tr, xp_status st, const char *fmt, ...) {
    if (tr->err != XP_OK) return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tr->err = st;
    tr->msg = xp_strdup(buf);
    xp_error(st, "%s", buf);
    if (tr->log) fprintf(stderr, "xport-dynamic: trace: error: %s\n", buf);
}

static bool log_enabled(void) {
    const char *e = getenv("XPORT_LOG");
    if (!e) return false;
    for (const char *s = e; *s;) {
        size_t n = strcspn(s, ",");
        if ((n == 7 && strncmp(s, "dynamic", 7) == 0) || (n == 3 && strncmp(s, "all", 3) == 0)) return true;
        s += n;
        if (*s == ',') s++;
    }
    return false;
}

static xp_srcloc current_loc(xp_trace *tr) {
    site here = current_site();
    if (!here.file) return XP_NO_LOC;
    int32_t f = xp_program_file(tr->prog, base_name(here.file));
    if (f < 0) return XP_NO_LOC;
    return (xp_srcloc){f, here.line, 0};
}

/* ---- sizes: the two encodings user code sees ---- */

/* The first pass hands user code the handles themselves (huge negative
 * ints); the second hands it the same handles moved into a disjoint range
 * above every real size, [2^61, 2^61 + 2^40) (real sizes are at most
 * XP_SYM_MAX_DEFAULT = 2^61 - 1, XP_END is INT64_MAX). A C comparison of a
 * size against a real number then goes the other way in one of the
 * passes, and the two recorded programs differ. Internal code only ever
 * sees handles: the boundary maps (xp_size and xp_numel return to_user,
 * every int reaching dispatch and the xp_sym_* helpers goes through
 * from_user). */
#define USER_HI_BASE ((uint64_t)1 << 61)
#define USER_HI_SPAN ((uint64_t)1 << 40)

static int64_t to_user(const xp_trace *tr, xp_dim d) {
    if (!tr || !tr->pass2 || !xs_is_handle(d)) return d;
    return (int64_t)((uint64_t)d - (uint64_t)INT64_MIN + USER_HI_BASE);
}

/* Also maps the result of plain arithmetic on a high-range size back next
 * to the handle range, where the checks below recognize it. */
static xp_dim from_user(const xp_trace *tr, int64_t v) {
    if (!tr || !tr->pass2 || v < (int64_t)USER_HI_BASE || v >= (int64_t)(USER_HI_BASE + USER_HI_SPAN)) return v;
    return (xp_dim)((uint64_t)v - USER_HI_BASE + (uint64_t)INT64_MIN);
}

int64_t xp_trace_user_dim(xp_dim d) {
    xp_trace *tr = g_trace;
    return to_user(tr, d);
}

/* ---- sizes: telling a handle from the result of plain C arithmetic ---- */

/* Handles that no context made but that lie in the handle range, and ints
 * no real size or index reaches: |v| >= 2^40 (sentinels like XP_END, near
 * INT64_MAX, excepted), or below -2^30 (the low half of a handle stored in
 * an int). */
static bool absurd_int(xp_dim v) {
    if (v == XP_DIM_INVALID) return false;
    if (xp_dim_is_sym(v)) return true; /* the caller checked it is not a live handle */
    if (v > ((int64_t)1 << 40) && v < ((int64_t)1 << 62)) return true;
    return v < -((int64_t)1 << 30);
}

/* Which live handle `v` was computed from, and how: "+" (h + c), "*"
 * (h * c, maybe + c'), "/" (h / c), "int" (truncated to 32 bits); -1 when
 * nothing matches. */
static int64_t guess_origin(const xp_symctx *ctx, xp_dim v, const char **how) {
    *how = "";
    if (!ctx) return -1;
    uint64_t x = (uint64_t)v & (uint64_t)INT64_MAX;
    for (uint32_t i = 0; i < ctx->nnodes && i < XS_HANDLE_MAX_NODES; i++) {
        xp_dim h = xs_handle(i);
        uint64_t s = (uint64_t)h - (uint64_t)INT64_MIN;
        uint64_t c = (x + s / 2) / s;
        if (c >= 1 && c <= (1u << 20)) {
            uint64_t cs = c * s;
            uint64_t d = x > cs ? x - cs : cs - x;
            if (d <= (1u << 20)) {
                *how = c == 1 ? "+" : "*";
                return h;
            }
        }
        if ((int32_t)(uint32_t)s == (int32_t)v) {
            *how = "int";
            return h;
        }
        if (v < 0)
            for (int64_t k = 2; k <= 4096; k++)
                if (h / k == v) {
                    *how = "/";
                    return h;
                }
    }
    return -1;
}

static bool check_int(xp_trace *tr, const xp_op_def *op, const char *arg, xp_dim v) {
    xp_symctx *ctx = tr->prog->syms;
    if (xp_dim_is_sym(v) && xs_node_of(ctx, v)) return true;
    if (!absurd_int(v)) return true;
    const char *how;
    xp_dim h = guess_origin(ctx, v, &how);
    char where[512], from[256] = "a symbolic size", fix[128];
    site_text(where, sizeof where);
    if (h != -1) {
        char text[160];
        xp_dim_format(ctx, h, text, sizeof text);
        int sym = xp_dim_as_symbol(ctx, h);
        snprintf(from, sizeof from, "%s '%s'", sym >= 0 ? "symbolic dim" : "symbolic size", text);
    }
    if (!strcmp(how, "+")) snprintf(fix, sizeof fix, "use xp_sym_add / xp_sym_sub");
    else if (!strcmp(how, "/")) snprintf(fix, sizeof fix, "use xp_sym_div");
    else if (!strcmp(how, "int")) snprintf(fix, sizeof fix, "keep sizes in int64_t: a 32-bit int cannot hold one");
    else snprintf(fix, sizeof fix, "use xp_sym_mul (and xp_sym_add)");
    if (tr->log)
        fprintf(stderr, "xport-dynamic: trace: %s: argument '%s' of xp_%s is %" PRId64 ", computed from %s\n", where,
                arg, op->name, (int64_t)v, from);
    trace_fail(tr, XP_ERR_INVALID_ARG,
               "a size computed with plain C arithmetic from %s reached xp_%s (argument '%s') at %s; %s",
               from, op->name, arg, where, fix);
    return false;
}

/* ---- weights ---- */

static bool is_auto_buffer(const xp_trace *tr, const char *name) {
    for (int i = 0; i < tr->nbuffers; i++)
        if (!strcmp(tr->buffers[i], name)) return true;
    return false;
}

static xp_cref lift(xp_trace *tr, xp_tensor *t) {
    for (int i = 0; i < tr->nlifted; i++)
        if (tr->lifted[i].t == t) return tr->lifted[i].ref;
    if (!t->storage || t->storage->device) {
        char where[512];
        site_text(where, sizeof where);
        trace_fail(tr, XP_ERR_UNSUPPORTED, "a tensor with no host data reached an op at %s while tracing", where);
        return XP_CREF_NONE;
    }
    if (tr->nlifted == tr->caplifted) {
        int cap = tr->caplifted ? tr->caplifted * 2 : 16;
        lifted *l = xp_realloc(tr->lifted, (size_t)cap * sizeof *l);
        if (!l) {
            trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
            return XP_CREF_NONE;
        }
        tr->lifted = l;
        tr->caplifted = cap;
    }
    lifted e = {.t = t, .ref = XP_CREF_NONE};
    char target[64];
    if (t->name) {
        e.kind = t->is_buffer || is_auto_buffer(tr, t->name) ? XP_IN_BUFFER : XP_IN_PARAMETER;
        e.target = xp_strdup(t->name);
    } else {
        e.kind = XP_IN_CONSTANT;
        snprintf(target, sizeof target, "lifted_tensor_%d", tr->nconst++);
        e.target = xp_strdup(target);
    }
    if (!e.target) {
        trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
        return XP_CREF_NONE;
    }
    bool seen = false;
    for (int i = 0; i < tr->nlifted; i++) seen |= !strcmp(tr->lifted[i].target, e.target);
    /* its value is not asked for here: inside a region that would lift it
     * into the region before the op's own operands */
    if (xp_capture_weight(tr->cap, e.kind, e.target, t->meta.dtype, t->meta.ndim, t->meta.shape, &e.ref) != XP_OK) {
        char where[512];
        site_text(where, sizeof where);
        trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        free(e.target);
        return XP_CREF_NONE;
    }
    if (!seen) {
        /* a private copy: the model may change or free the tensor later */
        e.data = xp_tensor_new(t->meta.dtype, t->meta.ndim, t->meta.shape);
        if (e.data) xp_scope_disown(e.data);
        if (!e.data || xp_tensor_copy_into(e.data, t) != XP_OK) {
            trace_fail(tr, xp_last_status(), "copying weight '%s': %s", e.target, xp_last_error());
            xp_tensor_free(e.data);
            free(e.target);
            return XP_CREF_NONE;
        }
    }
    tr->lifted[tr->nlifted++] = e;
    return e.ref;
}

static xp_cref ref_of(xp_trace *tr, xp_tensor *t) {
    if (t->trace_ref) return t->trace_ref - 1;
    return lift(tr, t);
}

/* ---- recording an op ---- */

static xp_tensor *traced_header(xp_trace *tr, xp_cref ref) {
    const xp_meta *m = xp_capture_meta(tr->cap, ref);
    if (!m) {
        trace_fail(tr, XP_ERR_INTERNAL, "capture reference %d has no metadata", (int)ref);
        return NULL;
    }
    xp_tensor *t = xp_tensor_header(m->dtype, m->ndim, m->shape);
    if (!t) {
        trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        return NULL;
    }
    t->trace_ref = ref + 1;
    return t;
}

xp_tensor *xp_trace_dispatch(xp_trace *tr, const xp_op_def *op, const xp_arg *args, int nargs) {
    if (tr->err != XP_OK) return NULL;
    char where[512];
    const xp_schema *sc = op->schema;
    xp_arg full[XP_MAX_OP_ARGS];
    bool null_arg = false;
    for (int i = 0; i < nargs; i++) {
        if (args[i].kind == XP_ARG_TENSOR && !args[i].t) null_arg = true;
        if (args[i].kind == XP_ARG_TENSOR_LIST)
            for (int k = 0; k < args[i].tl.n; k++) null_arg |= !args[i].tl.v || !args[i].tl.v[k];
    }
    if (null_arg || xp_schema_bind(op, args, nargs, full) != XP_OK) {
        site_text(where, sizeof where);
        if (null_arg && !xp_error_pending()) xp_error(XP_ERR_INVALID_ARG, "xp_%s: a tensor argument is NULL", op->name);
        trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        return NULL;
    }
    for (int i = 0; i < sc->nargs; i++)
        if (sc->args[i].kind == XP_ARG_TENSOR && !sc->args[i].optional && full[i].kind == XP_ARG_NONE) {
            site_text(where, sizeof where);
            trace_fail(tr, XP_ERR_INVALID_ARG, "xp_%s: tensor '%s' is NULL (at %s)", op->name, sc->args[i].name, where);
            return NULL;
        }
    if (op->flags & XP_OP_CONTROL) {
        site_text(where, sizeof where);
        trace_fail(tr, XP_ERR_UNSUPPORTED, "xp_%s cannot be called directly (at %s)", op->name, where);
        return NULL;
    }
    xp_carg cargs[XP_MAX_OP_ARGS];
    xp_cref *lists[XP_MAX_OP_ARGS] = {0};
    int64_t *ilists[XP_MAX_OP_ARGS] = {0};
    xp_tensor *result = NULL;
    bool ok = true;
    for (int i = 0; ok && i < sc->nargs; i++) {
        const xp_arg *a = &full[i];
        switch (a->kind) {
        case XP_ARG_NONE: cargs[i] = xp_carg_none(); break;
        case XP_ARG_TENSOR: {
            xp_cref r = ref_of(tr, XP_ARG_T(*a));
            ok = r != XP_CREF_NONE;
            cargs[i] = xp_carg_t(r);
            break;
        }
        case XP_ARG_TENSOR_LIST: {
            lists[i] = xp_calloc((size_t)(a->tl.n > 0 ? a->tl.n : 1), sizeof(xp_cref));
            if (!lists[i]) {
                trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                ok = false;
                break;
            }
            for (int k = 0; ok && k < a->tl.n; k++) {
                lists[i][k] = ref_of(tr, XP_ARG_TL(*a, k));
                ok = lists[i][k] != XP_CREF_NONE;
            }
            cargs[i] = xp_carg_tl(a->tl.n, lists[i]);
            break;
        }
        case XP_ARG_INT: {
            xp_dim v = from_user(tr, a->i);
            ok = check_int(tr, op, sc->args[i].name, v);
            cargs[i] = xp_carg_i(v);
            break;
        }
        case XP_ARG_INT_LIST: {
            const int64_t *v = a->il.v;
            if (tr->pass2 && a->il.n > 0) {
                ilists[i] = xp_calloc((size_t)a->il.n, sizeof(int64_t));
                if (!ilists[i]) {
                    trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                    ok = false;
                    break;
                }
                for (int k = 0; k < a->il.n; k++) ilists[i][k] = from_user(tr, a->il.v[k]);
                v = ilists[i];
            }
            for (int k = 0; ok && k < a->il.n; k++) ok = check_int(tr, op, sc->args[i].name, v[k]);
            cargs[i] = xp_carg_il(a->il.n, v);
            break;
        }
        case XP_ARG_FLOAT:
            if (a->f < -0x1p62) {
                /* a handle converted to double: the size would be frozen */
                site_text(where, sizeof where);
                trace_fail(tr, XP_ERR_INVALID_ARG,
                           "xp_%s: argument '%s' is %g, a symbolic size converted to a floating-point value (at %s); "
                           "a traced program cannot use a dynamic size as a scalar",
                           op->name, sc->args[i].name, a->f, where);
                ok = false;
            }
            cargs[i] = xp_carg_f(a->f);
            break;
        case XP_ARG_BOOL: cargs[i] = xp_carg_b(a->b); break;
        case XP_ARG_DTYPE: cargs[i] = xp_carg_dt(a->dt); break;
        default:
            trace_fail(tr, XP_ERR_INTERNAL, "xp_%s: argument kind %d cannot be traced", op->name, (int)a->kind);
            ok = false;
        }
    }
    if (ok) {
        xp_cref out;
        if (xp_capture_op(tr->cap, op->id, cargs, sc->nargs, current_loc(tr), &out) != XP_OK) {
            site_text(where, sizeof where);
            trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
        } else if ((op->flags & XP_OP_MUTABLE) && full[0].kind == XP_ARG_TENSOR && out == cargs[0].t) {
            result = XP_ARG_T(full[0]); /* in place: the same tensor, now with the new value */
        } else {
            result = traced_header(tr, out);
        }
    }
    for (int i = 0; i < sc->nargs; i++) free(lists[i]), free(ilists[i]);
    return result;
}

/* ---- data access and sizes ---- */

void xp_trace_data_access(const char *fn, const xp_tensor *t) {
    (void)t;
    xp_trace *tr = g_trace;
    char where[512];
    site_text(where, sizeof where);
    bool storage = !strcmp(fn, "xp_data");
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%s at %s reads the %s of a traced tensor, which is not known while tracing: an exported graph cannot "
             "depend on tensor data; %s",
             fn, where, storage ? "storage" : "value",
             storage ? "compute with xp_* ops instead, and branch on a value with xp_cond ('#pragma xport cond' with "
                       "the plugin)"
                     : "branch on it with xp_cond ('#pragma xport cond' with the plugin)");
    if (tr) trace_fail(tr, XP_ERR_DATA_DEPENDENT, "%s", buf);
    else xp_error(XP_ERR_DATA_DEPENDENT, "%s", buf);
}

int64_t xp_trace_numel(const xp_tensor *t) {
    xp_trace *tr = g_trace;
    xp_symctx *ctx = tr ? tr->prog->syms : NULL;
    xp_dim n = 1;
    for (int d = 0; d < t->meta.ndim && xp_dim_is_valid(n); d++) n = xp_dim_mul(ctx, n, t->meta.shape[d]);
    return to_user(tr, n);
}

/* ---- public symbolic-int helpers ---- */

static int64_t sym_op(char what, int64_t a, int64_t b) {
    xp_trace *tr = NULL;
    if (XP_UNLIKELY(xp_trace_active_)) tr = g_trace;
    a = from_user(tr, a);
    b = from_user(tr, b);
    if (!tr || (!xp_dim_is_sym(a) && !xp_dim_is_sym(b))) {
        int64_t r;
        switch (what) {
        case '+': return xp_i64_add_checked(a, b, &r) ? r : (xp_error(XP_ERR_INVALID_ARG, "xp_sym_add: overflow"), 0);
        case '-': return xp_i64_add_checked(a, -b, &r) ? r : (xp_error(XP_ERR_INVALID_ARG, "xp_sym_sub: overflow"), 0);
        case '*': return xp_i64_mul_checked(a, b, &r) ? r : (xp_error(XP_ERR_INVALID_ARG, "xp_sym_mul: overflow"), 0);
        default:
            if (b == 0) return xp_error(XP_ERR_INVALID_ARG, "xp_sym_div: division by zero"), 0;
            return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
        }
    }
    if (tr->err != XP_OK) return 0;
    xp_symctx *ctx = tr->prog->syms;
    const char *name = what == '+' ? "xp_sym_add" : what == '-' ? "xp_sym_sub" : what == '*' ? "xp_sym_mul" : "xp_sym_div";
    for (int k = 0; k < 2; k++) {
        xp_dim v = k ? b : a;
        if (xp_dim_is_sym(v) && !xs_node_of(ctx, v)) {
            char where[512];
            site_text(where, sizeof where);
            trace_fail(tr, XP_ERR_INVALID_ARG, "%s at %s: operand %" PRId64 " is not a size (plain C arithmetic on a symbolic size?)",
                       name, where, (int64_t)v);
            return 0;
        }
    }
    xp_dim r;
    switch (what) {
    case '+': r = xp_dim_add(ctx, a, b); break;
    case '-': r = xp_dim_sub(ctx, a, b); break;
    case '*': r = xp_dim_mul(ctx, a, b); break;
    default: r = xp_dim_is_sym(b) ? xp_dim_div_exact(ctx, a, b) : b > 0 ? xp_dim_floordiv(ctx, a, b) : XP_DIM_INVALID;
    }
    if (!xp_dim_is_valid(r)) {
        char where[512];
        site_text(where, sizeof where);
        trace_fail(tr, XP_ERR_INVALID_ARG, "%s at %s: %s", name, where,
                   xp_error_pending() ? xp_last_error() : "division by a constant that is not positive");
        return 0;
    }
    return to_user(tr, r);
}

int64_t xp_sym_add(int64_t a, int64_t b) { return sym_op('+', a, b); }
int64_t xp_sym_sub(int64_t a, int64_t b) { return sym_op('-', a, b); }
int64_t xp_sym_mul(int64_t a, int64_t b) { return sym_op('*', a, b); }
int64_t xp_sym_div(int64_t a, int64_t b) { return sym_op('/', a, b); }

/* ---- xp_export_trace ---- */

static void trace_clear(xp_trace *tr) {
    for (int i = 0; i < tr->nlifted; i++) {
        free(tr->lifted[i].target);
        xp_tensor_free(tr->lifted[i].data);
    }
    free(tr->lifted);
    tr->lifted = NULL;
    tr->nlifted = tr->caplifted = 0;
    tr->nconst = 0;
    if (tr->cap) xp_capture_free(tr->cap);
    tr->cap = NULL;
    free(tr->msg);
    tr->msg = NULL;
    tr->err = XP_OK;
}

static xp_status build_inputs(xp_trace *tr, const xp_pragma *ps, int n, xp_tensor **inputs, int *ninputs) {
    xp_symctx *ctx = tr->prog->syms;
    for (int i = 0; i < n; i++) {
        const xp_pragma *p = &ps[i];
        if (p->kind != XP_PRAGMA_DIM) continue;
        int64_t lo = p->has_min ? p->min : 0, hi = p->has_max ? p->max : XP_SYM_MAX_DEFAULT;
        if (!xp_dim_is_valid(xp_sym_new(ctx, p->name, lo, hi)))
            return xp_error_prefix("xp_export_trace: spec: dim '%s': ", p->name);
        if (tr->log) fprintf(stderr, "xport-dynamic: trace: symbol %s in [%" PRId64 ", %" PRId64 "]\n", p->name, lo, hi);
    }
    *ninputs = 0;
    for (int i = 0; i < n; i++) {
        const xp_pragma *p = &ps[i];
        if (p->kind == XP_PRAGMA_DIM) continue;
        if (p->kind != XP_PRAGMA_INPUT)
            return xp_error(XP_ERR_INVALID_ARG,
                            "xp_export_trace: spec: '%s' is not a trace directive (only dim and input are; weights "
                            "come from the tensors the function reads: name them with xp_tensor_set_name)",
                            xp_pragma_kind_name(p->kind));
        xp_dim shape[XP_MAX_DIMS];
        const xp_spec_shape *sp = &p->shape;
        for (int d = 0; d < sp->ndim; d++) {
            const xp_spec_dim *sd = &sp->dims[d];
            if (!sd->name[0]) {
                shape[d] = sd->b;
                continue;
            }
            int sym = xp_sym_find(ctx, sd->name);
            if (sym < 0)
                return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: spec: input '%s' uses dim '%s', which no dim(...) declares",
                                p->name, sd->name);
            shape[d] = xp_dim_add(ctx, xp_dim_mul(ctx, sd->a, xp_sym_expr(ctx, sym)), sd->b);
            if (!xp_dim_is_valid(shape[d])) return xp_error_prefix("xp_export_trace: spec: input '%s': ", p->name);
        }
        xp_cref ref;
        if (xp_capture_user_input(tr->cap, p->name, sp->dtype, sp->ndim, shape, &ref) != XP_OK)
            return xp_error_prefix("xp_export_trace: spec: ");
        if (*ninputs >= 64) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: spec: more than 64 inputs");
        xp_tensor *t = xp_tensor_header(sp->dtype, sp->ndim, shape);
        if (!t) return xp_last_status();
        t->trace_ref = ref + 1;
        inputs[(*ninputs)++] = t;
        if (tr->log)
            for (int d = 0; d < sp->ndim; d++)
                if (xp_dim_is_sym(shape[d])) {
                    char text[128];
                    xp_dim_format(ctx, shape[d], text, sizeof text);
                    fprintf(stderr, "xport-dynamic: trace: input %s dim %d is %s\n", p->name, d, text);
                }
    }
    return XP_OK;
}

/* One run of fn. On success *prog is the finished program with its weights
 * bound; *rerun is set (and the names added to tr->buffers) when fn wrote
 * a named tensor that was not a buffer. */
/* The traced function: one output (fn1) or several (fnn). */
typedef struct traced_fn {
    xp_trace_fn fn1;
    xp_trace_fn_n fnn;
    void *user_data;
} traced_fn;

/* Calls the traced function: its outputs and their count, or -1. */
static int call_traced(const traced_fn *f, xp_tensor *const *inputs, xp_tensor **outs) {
    if (f->fn1) {
        outs[0] = f->fn1(f->user_data, inputs);
        return 1;
    }
    return f->fnn(f->user_data, inputs, outs);
}

static xp_status trace_once(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n, xp_program **prog,
                            bool *rerun) {
    *prog = NULL;
    *rerun = false;
    tr->prog = xp_program_new("forward");
    if (!tr->prog) return xp_last_status();
    tr->cap = xp_capture_new(tr->prog);
    if (!tr->cap) {
        xp_program_free(tr->prog);
        return xp_last_status();
    }
    xp_scope *scope = xp_scope_push();
    xp_tensor *inputs[64];
    int ninputs = 0;
    xp_status st = build_inputs(tr, ps, n, inputs, &ninputs);
    if (st == XP_OK) {
        g_trace = tr;
        g_nsites = 0;
        __atomic_add_fetch(&xp_trace_active_, 1, __ATOMIC_SEQ_CST);
        xp_clear_error();
        xp_tensor *outs[XP_TRACE_MAX_OUTPUTS] = {0};
        int nout = call_traced(f, inputs, outs);
        __atomic_sub_fetch(&xp_trace_active_, 1, __ATOMIC_SEQ_CST);
        g_trace = NULL;
        if (tr->err == XP_OK && (nout < 1 || nout > XP_TRACE_MAX_OUTPUTS))
            trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG,
                       "the traced function returned %d outputs (1 to %d)%s%s", nout, XP_TRACE_MAX_OUTPUTS,
                       xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        for (int o = 0; tr->err == XP_OK && o < nout; o++)
            if (!outs[o])
                trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG,
                           "the traced function returned NULL%s%s%s", nout > 1 ? " as an output" : "",
                           xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        for (int o = 0; tr->err == XP_OK && o < nout; o++) {
            xp_cref ref = ref_of(tr, outs[o]);
            if (ref != XP_CREF_NONE && xp_capture_output(tr->cap, ref, NULL) != XP_OK)
                trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        }
        /* a named tensor written in place is state: redo the trace with it as a buffer */
        for (int i = 0; tr->err == XP_OK && i < tr->nlifted; i++) {
            lifted *e = &tr->lifted[i];
            /* written: its base was functionalized (its value compared
             * instead would be a subgraph's when first read in a region) */
            const xp_cap_ref *cr = xp_cap_ref_get(tr->cap, e->ref);
            if (e->kind != XP_IN_PARAMETER || !cr || !xp_cap_ref_get(tr->cap, cr->base)->written) continue;
            char **b = xp_realloc(tr->buffers, (size_t)(tr->nbuffers + 1) * sizeof *b);
            if (!b) {
                trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                break;
            }
            tr->buffers = b;
            tr->buffers[tr->nbuffers++] = xp_strdup(e->target);
            *rerun = true;
            if (tr->log) fprintf(stderr, "xport-dynamic: trace: '%s' is written: tracing again with it as a buffer\n", e->target);
        }
        if (tr->err == XP_OK && !*rerun && xp_capture_finish(tr->cap) != XP_OK)
            trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        for (int i = 0; tr->err == XP_OK && !*rerun && i < tr->nlifted; i++)
            if (tr->lifted[i].data && xp_program_bind_tensor(tr->prog, tr->lifted[i].target, tr->lifted[i].data) != XP_OK)
                trace_fail(tr, xp_last_status(), "binding weight '%s': %s", tr->lifted[i].target, xp_last_error());
        st = tr->err;
    }
    xp_scope_pop(scope);
    if (st == XP_OK && !*rerun) {
        *prog = tr->prog;
    } else {
        /* the message that explains st: the trace's first error, or (a bad
         * spec) the one recorded; copied, xp_error may not read its own buffer */
        char *msg = xp_strdup(tr->msg ? tr->msg : xp_last_error());
        xp_program_free(tr->prog);
        if (st != XP_OK) xp_error(st, "%s", msg ? msg : "xp_export_trace failed");
        free(msg);
    }
    tr->prog = NULL;
    trace_clear(tr);
    return st;
}

/* ---- comparing the two passes ---- */

static bool same_arg(const xp_narg *a, const xp_narg *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case XP_ARG_TENSOR: return a->value == b->value;
    case XP_ARG_TENSOR_LIST:
        return a->vl.n == b->vl.n && (a->vl.n == 0 || !memcmp(a->vl.v, b->vl.v, (size_t)a->vl.n * sizeof *a->vl.v));
    case XP_ARG_INT: return a->i == b->i;
    case XP_ARG_INT_LIST:
        return a->il.n == b->il.n && (a->il.n == 0 || !memcmp(a->il.v, b->il.v, (size_t)a->il.n * sizeof *a->il.v));
    case XP_ARG_FLOAT: return a->f == b->f || (isnan(a->f) && isnan(b->f));
    case XP_ARG_BOOL: return a->b == b->b;
    case XP_ARG_DTYPE: return a->dt == b->dt;
    default: return true;
    }
}

/* The first node (in order, branches included) where the graphs differ:
 * its location in *loc (from a, else b); false when they agree. */
static bool graph_diff(const xp_graph *a, const xp_graph *b, xp_srcloc *loc) {
    int n = a->nnodes < b->nnodes ? a->nnodes : b->nnodes;
    for (int i = 0; i < n; i++) {
        const xp_node *x = &a->nodes[i], *y = &b->nodes[i];
        bool same = x->op == y->op && x->nargs == y->nargs && x->nouts == y->nouts && x->nsub == y->nsub;
        for (int k = 0; same && k < x->nargs; k++) same = same_arg(&x->args[k], &y->args[k]);
        if (!same) {
            *loc = x->loc.file >= 0 ? x->loc : y->loc;
            return true;
        }
        for (int k = 0; k < x->nsub; k++)
            if (x->sub[k] && y->sub[k] && graph_diff(x->sub[k], y->sub[k], loc)) return true;
    }
    if (a->nnodes != b->nnodes) {
        const xp_node *extra = a->nnodes > n ? &a->nodes[n] : &b->nodes[n];
        *loc = extra->loc;
        return true;
    }
    if (a->noutputs != b->noutputs ||
        (a->noutputs && memcmp(a->outputs, b->outputs, (size_t)a->noutputs * sizeof *a->outputs))) {
        *loc = XP_NO_LOC;
        return true;
    }
    return false;
}

static bool same_program(const xp_program *a, const xp_program *b) {
    xp_srcloc loc;
    if (graph_diff(a->graph, b->graph, &loc)) return false;
    char *ja = NULL, *jb = NULL;
    size_t la = 0, lb = 0;
    bool same = xp_program_to_json(a, &ja, &la) == XP_OK && xp_program_to_json(b, &jb, &lb) == XP_OK && la == lb &&
                !memcmp(ja, jb, la);
    free(ja);
    free(jb);
    xp_clear_error();
    return same;
}

/* The error for two passes that recorded different programs (or a second
 * pass that failed, msg2): a plain C comparison of a symbolic size. */
static xp_status specialized(const xp_trace *tr, const xp_program *first, const xp_program *second, const char *msg2) {
    char where[256] = "";
    xp_srcloc loc = XP_NO_LOC;
    if (second && graph_diff(first->graph, second->graph, &loc) && loc.file >= 0) {
        char text[200];
        const xp_program *p = loc.file < (int32_t)first->nfiles ? first : second;
        if (xp_srcloc_format(p, loc, text, sizeof text) > 0 && text[0])
            snprintf(where, sizeof where, " (the first difference is at %s)", text);
    }
    char dims[512] = "";
    const xp_symctx *ctx = first->syms;
    int nsyms = xp_sym_count(ctx);
    size_t len = 0;
    for (int i = 0; i < nsyms && len < sizeof dims; i++)
        len += (size_t)snprintf(dims + len, sizeof dims - len, "%s'%s'", i == 0 ? "" : i == nsyms - 1 ? " or " : ", ",
                                xp_sym_name(ctx, i));
    char buf[2048];
    snprintf(buf, sizeof buf,
             "the traced function compares a symbolic size in plain C code%s: the branch would silently "
             "specialize %s %s; a C comparison of a size cannot be traced: export this function with the Clang plugin, "
             "which decides such conditions from the declared ranges, or make the dim static%s%s%s",
             where, nsyms > 1 ? "one of the dims" : "dim", dims, msg2 ? " (the second pass failed: " : "", msg2 ? msg2 : "",
             msg2 ? ")" : "");
    if (tr->log) fprintf(stderr, "xport-dynamic: trace: error: %s\n", buf);
    return xp_error(XP_ERR_DATA_DEPENDENT, "%s", buf);
}

static xp_status export_trace(const traced_fn *f, const char *spec, xp_program **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: out is NULL");
    *out = NULL;
    if (!f->fn1 && !f->fnn) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: fn is NULL");
    if (!spec) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: spec is NULL");
    if (g_trace) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: called while tracing (nested traces are not supported)");
    xp_pragma *ps = NULL;
    int n = 0, err_offset = -1;
    if (xp_spec_parse(spec, &ps, &n, &err_offset) != XP_OK)
        return xp_error_prefix("xp_export_trace: spec at byte %d: ", err_offset);
    xp_trace tr = {.log = log_enabled()};
    xp_status st = XP_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool rerun = false;
        st = trace_once(&tr, f, ps, n, out, &rerun);
        if (st != XP_OK || !rerun) break;
        if (attempt == 1) st = xp_error(XP_ERR_INTERNAL, "xp_export_trace: buffers changed between two traces");
    }
    bool dynamic = false;
    for (int i = 0; i < n; i++) dynamic |= ps[i].kind == XP_PRAGMA_DIM;
    if (st == XP_OK && dynamic) {
        /* the second pass: sizes in the high range (see to_user) */
        if (tr.log) fprintf(stderr, "xport-dynamic: trace: tracing again with sizes above every real size\n");
        xp_program *second = NULL;
        bool rerun = false;
        tr.pass2 = true;
        xp_status st2 = trace_once(&tr, f, ps, n, &second, &rerun);
        tr.pass2 = false;
        char *msg2 = st2 != XP_OK ? xp_strdup(xp_last_error()) : NULL;
        if (st2 != XP_OK || rerun || !same_program(*out, second)) {
            st = specialized(&tr, *out, second, msg2);
            xp_program_free(*out);
            *out = NULL;
        }
        free(msg2);
        xp_program_free(second);
    }
    for (int i = 0; i < tr.nbuffers; i++) free(tr.buffers[i]);
    free(tr.buffers);
    xp_pragmas_free(ps, n);
    return st;
}

xp_status xp_export_trace(xp_trace_fn fn, void *user_data, const char *spec, xp_program **out) {
    traced_fn f = {.fn1 = fn, .user_data = user_data};
    return export_trace(&f, spec, out);
}

xp_status xp_export_trace_n(xp_trace_fn_n fn, void *user_data, const char *spec, xp_program **out) {
    traced_fn f = {.fnn = fn, .user_data = user_data};
    return export_trace(&f, spec, out);
}

/* ---- xp_cond and xp_map under tracing ---- */

/* The result of a branch or map body as a capture reference; NONE (the
 * trace failed) when fn failed or returned NULL. */
static xp_cref body_result(xp_trace *tr, xp_tensor *r, const char *what) {
    if (tr->err != XP_OK) return XP_CREF_NONE;
    if (!r) {
        char where[512];
        site_text(where, sizeof where);
        trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG, "%s returned NULL (at %s)%s%s", what,
                   where, xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        return XP_CREF_NONE;
    }
    return ref_of(tr, r);
}

static void region_failed(xp_trace *tr) {
    char where[512];
    site_text(where, sizeof where);
    trace_fail(tr, xp_last_status(), "%s (at %s)", xp_last_error(), where);
}

xp_tensor *xp_trace_cond(xp_trace *tr, xp_tensor *pred, xp_branch_fn true_fn, xp_branch_fn false_fn, int n,
                         xp_tensor *const *operands) {
    if (tr->err != XP_OK) return NULL;
    xp_cref p = ref_of(tr, pred);
    if (p == XP_CREF_NONE) return NULL;
    xp_srcloc loc = current_loc(tr);
    if (xp_capture_cond_begin(tr->cap, p, loc) != XP_OK) {
        region_failed(tr);
        return NULL;
    }
    /* both branches run, on the operands as they are: a traced operand
     * read in a branch is lifted into it by the capture */
    xp_cref t = body_result(tr, true_fn(n, operands), "the true branch of xp_cond");
    if (t == XP_CREF_NONE) goto abort;
    if (xp_capture_cond_else(tr->cap) != XP_OK) {
        region_failed(tr);
        goto abort;
    }
    xp_cref f = body_result(tr, false_fn(n, operands), "the false branch of xp_cond");
    if (f == XP_CREF_NONE) goto abort;
    xp_cref out;
    if (xp_capture_cond_end(tr->cap, 1, &t, &f, &out) != XP_OK) {
        region_failed(tr);
        goto abort;
    }
    return traced_header(tr, out);
abort:
    xp_capture_region_abort(tr->cap);
    return NULL;
}

xp_tensor *xp_trace_map(xp_trace *tr, xp_map_fn fn, xp_tensor *xs, int n, xp_tensor *const *extras) {
    if (tr->err != XP_OK) return NULL;
    xp_cref x = ref_of(tr, xs);
    if (x == XP_CREF_NONE) return NULL;
    xp_cref slice;
    if (xp_capture_map_begin(tr->cap, 1, &x, current_loc(tr), &slice) != XP_OK) {
        region_failed(tr);
        return NULL;
    }
    /* fn runs once, on a traced slice: the map node's body */
    xp_tensor *s = traced_header(tr, slice);
    xp_cref body = s ? body_result(tr, fn(s, n, extras), "the function of xp_map") : XP_CREF_NONE;
    xp_cref out;
    if (body == XP_CREF_NONE) goto abort;
    if (xp_capture_map_end(tr->cap, 1, &body, &out) != XP_OK) {
        region_failed(tr);
        goto abort;
    }
    return traced_header(tr, out);
abort:
    xp_capture_region_abort(tr->cap);
    return NULL;
}
