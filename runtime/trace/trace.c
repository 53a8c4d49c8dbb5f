/*
 * Non-strict export (DESIGN §5): xp_export_trace runs the user's C function
 * on shape-only tensors (once; more with a declared dim: Size conditions
 * below) and records every op call it makes, through the capture library
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
 * Size conditions. A plain C comparison of a size cannot be seen when it
 * happens, so a trace whose spec declares a dim records fn with the sizes
 * shown to C code above every real size (to_user / from_user) and checks
 * the recording against runs at concrete sizes (export_dynamic): a
 * condition the ranges do not decide makes them differ, an
 * XP_ERR_DATA_DEPENDENT error naming the sizes and the first differing
 * node's site. Model files built with comparison tracing (XPORT_TRACE_CMP)
 * report each comparison of a size, which adds the sizes compared at.
 */
#include "trace/xp_trace.h"

#include "capture/xp_capture.h"
#include "capture/capture_internal.h"
#include "sym/sym_internal.h"
#include "annot/xp_spec.h"
#include "tensor/xp_tensor_impl.h"
#include "trace/trace_internal.h"

#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xp_trace_active_;

/* The most dims a spec may declare (each validation pass assigns them all). */
#define XP_MAX_TRACE_SYMS 64

/* Sizes the comparison hooks may add to the validation passes, and the
 * comparisons of a size one pass may make (more: a loop bounded by a size). */
#define XP_MAX_BREAKS 128
#define XP_MAX_SIZE_COMPARISONS (1L << 20)

/* Validation passes (export_dynamic) cover a symbol's range up to its max
 * when the max is at most this far above its min. */
#define VALIDATE_CAP 1024

/* The largest value a validation pass gives a symbol of range [lo, hi],
 * or -1 when its max is out of reach. */
static int64_t validate_hi(int64_t lo, int64_t hi) { return hi - lo <= VALIDATE_CAP ? hi : -1; }

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

/* What user code sees as the size of a dynamic dim in a pass (see
 * export_trace): the handle, the handle moved above every real size, or
 * (validation passes) a concrete value of each symbol. */
typedef enum pass_kind { PASS_LOW, PASS_HIGH, PASS_CONCRETE } pass_kind;

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
    pass_kind pass;
    const int64_t *values; /* PASS_CONCRETE: the value of each symbol (spec order) */
    bool validate;         /* a pass only compared: weights are neither copied nor bound */
    site last_site;        /* of the last op recorded: where an abort happened after */
    int nops, op_limit;    /* ops recorded in this pass; more than op_limit (if set) stops it */
    int nsyms;             /* the spec's dims; big: its range reaches past what validation covers */
    bool big[XP_MAX_TRACE_SYMS];
    /* seen by the comparison hooks (XPORT_TRACE_CMP): sizes a symbol was
     * compared at, kept over the passes; comparisons made in this pass */
    int nbreaks;
    struct { int sym; int64_t value; } breaks[XP_MAX_BREAKS];
    long ncmp;
} xp_trace;

static _Thread_local xp_trace *g_trace;

/* Where the pass running fn on this thread jumps back to (call_guarded):
 * a failed assert in fn (an assert on a size that holds for some sizes
 * only) aborts, and SIGABRT jumps back so the pass fails with a message
 * instead of the process; dispatch jumps back to stop a runaway loop. Any
 * other thread's abort keeps its default action. */
static _Thread_local sigjmp_buf *g_abort_jump;

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

/* A size all of whose symbols have a one-value range ([3, 3]) is that
 * value: user code may compare it like a static size (the plugin decides
 * such conditions from the range too). */
static bool fixed_value(const xp_trace *tr, xp_dim d, int64_t *v) {
    const xp_symctx *ctx = tr->prog->syms;
    int syms[8], n = xp_dim_symbols(ctx, d, syms, 8);
    if (n < 1 || n > 8) return false;
    int64_t vals[XP_MAX_TRACE_SYMS];
    int nsyms = xp_sym_count(ctx);
    if (nsyms > XP_MAX_TRACE_SYMS) return false;
    for (int i = 0; i < n; i++)
        if (xp_sym_min(ctx, syms[i]) != xp_sym_max(ctx, syms[i])) return false;
    for (int i = 0; i < nsyms; i++) vals[i] = xp_sym_min(ctx, i);
    return xp_dim_eval(ctx, d, vals, v) == XP_OK;
}

/* In the LOW pass, a size of a symbol the validation passes do not cover
 * up to its max stays above every real size (what HIGH showed). */
static bool has_big_symbol(const xp_trace *tr, xp_dim d) {
    int syms[16], n = xp_dim_symbols(tr->prog->syms, d, syms, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (syms[i] < tr->nsyms && tr->big[syms[i]]) return true;
    return n > 16;
}

static int64_t to_user(const xp_trace *tr, xp_dim d) {
    if (!tr || !xs_is_handle(d) || !xs_node_of(tr->prog->syms, d)) return d;
    int64_t v;
    if (fixed_value(tr, d, &v)) return v;
    if (tr->pass == PASS_LOW && !has_big_symbol(tr, d)) return d;
    if (tr->pass != PASS_HIGH && tr->pass != PASS_LOW) return d;
    return (int64_t)((uint64_t)d - (uint64_t)INT64_MIN + USER_HI_BASE);
}

/* Also maps the result of plain arithmetic on a high-range size back next
 * to the handle range, where the checks below recognize it. */
static xp_dim from_user(const xp_trace *tr, int64_t v) {
    if (!tr || (tr->pass != PASS_HIGH && tr->pass != PASS_LOW) || v < (int64_t)USER_HI_BASE || v >= (int64_t)(USER_HI_BASE + USER_HI_SPAN)) return v;
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
    /* above: what plain arithmetic makes of a size shown in the high
     * range too (2 * (2^61 + h) wraps past 2^62); sentinels like XP_END
     * near INT64_MAX stay */
    if (v > ((int64_t)1 << 40) && v < INT64_MAX - ((int64_t)1 << 32)) return true;
    return v < -((int64_t)1 << 30);
}

/* Which live handle `v` was computed from, and how: "+" (h + c), "*"
 * (h * c, maybe + c'), "/" (h / c), "int" (truncated to 32 bits); -1 when
 * nothing matches. */
static int64_t guess_origin(const xp_symctx *ctx, xp_dim v, const char **how) {
    *how = "";
    if (!ctx) return -1;
    uint64_t x = (uint64_t)v & (uint64_t)INT64_MAX;
    /* each handle as user code saw it: itself (its offset from INT64_MIN,
     * x dropping the sign bit), or moved into the high range */
    for (uint32_t j = 0; j < 2 * ctx->nnodes && j < 2 * XS_HANDLE_MAX_NODES; j++) {
        uint32_t i = j / 2;
        xp_dim h = xs_handle(i);
        uint64_t s = (uint64_t)h - (uint64_t)INT64_MIN + (j % 2 ? USER_HI_BASE : 0);
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
        int64_t shown = j % 2 ? (int64_t)s : h; /* the value user code had */
        if ((v < 0) == (shown < 0))
            for (int64_t k = 2; k <= 4096; k++)
                if (llabs(shown / k - v) <= ((int64_t)1 << 20) / k + 1) { /* (h + c) / k too */
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
    if (!seen && !tr->validate) {
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
    if (t->trace_ref == XP_TRACE_REF_SYMINT) {
        char where[512];
        site_text(where, sizeof where);
        trace_fail(tr, XP_ERR_INVALID_ARG,
                   "a symbolic int input reached an op as a tensor at %s; it is an integer: read it with xp_item_i64 "
                   "and pass the size (make a tensor of it with xp_full)",
                   where);
        return XP_CREF_NONE;
    }
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
    /* counted after an error too: fn goes on running after one */
    if (++tr->nops > tr->op_limit && tr->op_limit && tr->pass != PASS_CONCRETE) {
        char where[512];
        site_text(where, sizeof where);
        char *first = tr->msg; /* often a consequence: an index past a size */
        tr->msg = NULL;
        tr->err = XP_OK;
        trace_fail(tr, XP_ERR_DATA_DEPENDENT,
                   "the traced function made more than %d ops with symbolic sizes (the last at %s), more than 4 times "
                   "as many as with concrete sizes: a C loop bounded by a symbolic size? Its number of iterations "
                   "cannot be traced; map over the dim with xp_map, or make the dim static%s%s%s",
                   tr->op_limit, where, first ? " (the first error: " : "", first ? first : "", first ? ")" : "");
        free(first);
        if (g_abort_jump) siglongjmp(*g_abort_jump, 2); /* out of the loop: it may run 2^61 times */
        return NULL;
    }
    if (tr->err != XP_OK) return NULL;
    if (current_site().file) tr->last_site = current_site();
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
            if (tr->pass != PASS_CONCRETE && a->il.n > 0) {
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

/* ---- the comparison hooks (XPORT_TRACE_CMP in xport.h) ---- */

/* v as the live handle it shows to user code, or XP_DIM_INVALID */
static xp_dim user_handle(const xp_trace *tr, uint64_t v) {
    xp_dim d = from_user(tr, (int64_t)v);
    return xp_dim_is_sym(d) && xs_node_of(tr->prog->syms, d) ? d : XP_DIM_INVALID;
}

static void add_break(xp_trace *tr, int sym, int64_t value) {
    for (int i = 0; i < tr->nbreaks; i++)
        if (tr->breaks[i].sym == sym && tr->breaks[i].value == value) return;
    if (tr->nbreaks == XP_MAX_BREAKS) return;
    tr->breaks[tr->nbreaks].sym = sym;
    tr->breaks[tr->nbreaks].value = value;
    tr->nbreaks++;
}

/* A comparison of size h (A*s + B) with the number c: the sizes of s where
 * its outcome can change, s = (c - B) / A rounded either way, and one on
 * each side. Other forms give no break: the plan's passes still check them. */
static void size_compared(xp_trace *tr, xp_dim h, int64_t c) {
    int sym;
    int64_t a, b;
    if (!xp_dim_as_linear(tr->prog->syms, h, &sym, &a, &b) || a == 0) return;
    if ((c > 0 && b < INT64_MIN / 2) || (c < 0 && b > INT64_MAX / 2)) return;
    int64_t q = (c - b) / a;
    for (int64_t v = q - 1; v <= q + 2; v++) add_break(tr, sym, v);
}

static void stop_loop(xp_trace *tr) {
    char where[512];
    if (tr->last_site.file) snprintf(where, sizeof where, "after the call at %s:%d", base_name(tr->last_site.file), tr->last_site.line);
    else snprintf(where, sizeof where, "before any op");
    trace_fail(tr, XP_ERR_DATA_DEPENDENT,
               "the traced function compared symbolic sizes more than %ld times (%s): a C loop "
               "bounded by a symbolic size? Its number of iterations cannot be traced; map over the dim with "
               "xp_map, or make the dim static",
               XP_MAX_SIZE_COMPARISONS, where);
    if (g_abort_jump) siglongjmp(*g_abort_jump, 2);
}

void xp_trace_cmp_(uint64_t a, uint64_t b) {
    if (!XP_UNLIKELY(xp_trace_active_)) return;
    xp_trace *tr = g_trace;
    if (!tr || !tr->prog || tr->pass == PASS_CONCRETE) return; /* no handles in a concrete pass */
    xp_dim ha = user_handle(tr, a), hb = user_handle(tr, b);
    if (ha == XP_DIM_INVALID && hb == XP_DIM_INVALID) return;
    if (++tr->ncmp > XP_MAX_SIZE_COMPARISONS) stop_loop(tr);
    if (ha != XP_DIM_INVALID && hb != XP_DIM_INVALID) return; /* two sizes: the plan's pairs */
    if (ha != XP_DIM_INVALID) size_compared(tr, ha, (int64_t)b);
    else size_compared(tr, hb, (int64_t)a);
}

void xp_trace_switch_(uint64_t v, const uint64_t *cases) {
    if (!XP_UNLIKELY(xp_trace_active_) || !cases) return;
    if (cases[1] != 64) return; /* cases[0]: their number, cases[1]: their width in bits */
    for (uint64_t i = 0; i < cases[0]; i++) xp_trace_cmp_(v, cases[2 + i]);
}

int64_t xp_trace_symint_value(const xp_tensor *t) { return to_user(g_trace, t->trace_int); }

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

/* xp_sym_eq .. xp_sym_ge while tracing: the relation decided from the
 * declared ranges (and listed as a specialization), or a trace error
 * naming the relation and the bound that would decide it. */
typedef enum sym_rel { REL_EQ, REL_NE, REL_LT, REL_LE, REL_GT, REL_GE } sym_rel;

static const char *const rel_fn[] = {"xp_sym_eq", "xp_sym_ne", "xp_sym_lt", "xp_sym_le", "xp_sym_gt", "xp_sym_ge"};
static const char *const rel_op[] = {"==", "!=", "<", "<=", ">", ">="};

static bool plain_rel(sym_rel r, int64_t a, int64_t b) {
    switch (r) {
    case REL_EQ: return a == b;
    case REL_NE: return a != b;
    case REL_LT: return a < b;
    case REL_LE: return a <= b;
    case REL_GT: return a > b;
    default: return a >= b;
    }
}

/* "batch in [1, 1024]" for each symbol of a and b, comma separated */
static void ranges_text(const xp_symctx *ctx, xp_dim a, xp_dim b, char *buf, size_t n) {
    int syms[16], ns = xp_dim_symbols(ctx, a, syms, 8);
    ns += xp_dim_symbols(ctx, b, syms + ns, 8);
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < ns && len < n; i++) {
        bool dup = false;
        for (int k = 0; k < i; k++) dup |= syms[k] == syms[i];
        if (dup) continue;
        int64_t hi = xp_sym_max(ctx, syms[i]);
        char hitext[32];
        if (hi >= XP_SYM_MAX_DEFAULT) snprintf(hitext, sizeof hitext, "inf");
        else snprintf(hitext, sizeof hitext, "%" PRId64, hi);
        len += (size_t)snprintf(buf + len, n - len, "%s%s in [%" PRId64 ", %s]", len ? ", " : "",
                                xp_sym_name(ctx, syms[i]), xp_sym_min(ctx, syms[i]), hitext);
    }
}

static bool sym_cmp(sym_rel r, int64_t a, int64_t b) {
    xp_trace *tr = NULL;
    if (XP_UNLIKELY(xp_trace_active_)) tr = g_trace;
    a = from_user(tr, a);
    b = from_user(tr, b);
    if (!tr || (!xp_dim_is_sym(a) && !xp_dim_is_sym(b))) return plain_rel(r, a, b);
    if (tr->err != XP_OK) return false;
    xp_symctx *ctx = tr->prog->syms;
    char where[512];
    for (int k = 0; k < 2; k++) {
        xp_dim v = k ? b : a;
        if (xp_dim_is_sym(v) && !xs_node_of(ctx, v)) {
            site_text(where, sizeof where);
            trace_fail(tr, XP_ERR_INVALID_ARG,
                       "%s at %s: operand %" PRId64 " is not a size (plain C arithmetic on a symbolic size?)",
                       rel_fn[r], where, (int64_t)v);
            return false;
        }
    }
    /* every relation as one of eq / lt / le, maybe swapped and negated */
    xp_tri t;
    switch (r) {
    case REL_EQ: t = xp_dim_eq(ctx, a, b); break;
    case REL_NE: t = xp_dim_eq(ctx, a, b); t = t == XP_UNKNOWN ? t : (xp_tri)!t; break;
    case REL_LT: t = xp_dim_lt(ctx, a, b); break;
    case REL_LE: t = xp_dim_le(ctx, a, b); break;
    case REL_GT: t = xp_dim_lt(ctx, b, a); break;
    default: t = xp_dim_le(ctx, b, a); break;
    }
    char ta[160], tb[160], ranges[512];
    xp_dim_format(ctx, a, ta, sizeof ta);
    xp_dim_format(ctx, b, tb, sizeof tb);
    ranges_text(ctx, a, b, ranges, sizeof ranges);
    if (t != XP_UNKNOWN) {
        char text[1024];
        snprintf(text, sizeof text, "'%s(%s, %s)' (%s %s %s) is %s for %s", rel_fn[r], ta, tb, ta, rel_op[r], tb,
                 t == XP_YES ? "true" : "false", ranges);
        if (xp_program_add_specialization(tr->prog, current_loc(tr), text) != XP_OK)
            trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        if (tr->log) fprintf(stderr, "xport-dynamic: trace: specialization: %s\n", text);
        return t == XP_YES;
    }
    /* undecided: the bound that would make the relation as written hold */
    xp_requirement req;
    switch (r) {
    case REL_EQ: req = (xp_requirement){XP_REL_EQ, a, b}; break;
    case REL_LT: req = (xp_requirement){XP_REL_LT, a, b}; break;
    case REL_GT: req = (xp_requirement){XP_REL_LT, b, a}; break;
    case REL_GE: req = (xp_requirement){XP_REL_LE, b, a}; break;
    default: req = (xp_requirement){XP_REL_LE, a, b}; break; /* LE; NE has no bound */
    }
    char fix[256] = "";
    xp_sym_fix f;
    if (r != REL_NE && xp_sym_suggest_fix(ctx, &req, &f) == XP_OK && f.kind != XP_FIX_NONE) {
        const char *name = xp_sym_name(ctx, f.sym);
        switch (f.kind) {
        case XP_FIX_MIN: snprintf(fix, sizeof fix, "; to make it true, declare dim(%s, min=%" PRId64 ")", name, f.value); break;
        case XP_FIX_MAX: snprintf(fix, sizeof fix, "; to make it true, declare dim(%s, max=%" PRId64 ")", name, f.value); break;
        case XP_FIX_CONST:
            snprintf(fix, sizeof fix, "; to make it true, declare dim(%s, min=%" PRId64 ", max=%" PRId64 ")", name, f.value, f.value);
            break;
        case XP_FIX_EQUAL:
            snprintf(fix, sizeof fix, "; to make it true, use one dim for '%s' and '%s'", name, xp_sym_name(ctx, f.other));
            break;
        default: break;
        }
    }
    site_text(where, sizeof where);
    trace_fail(tr, XP_ERR_DATA_DEPENDENT,
               "%s(%s, %s) at %s is not decided by the declared ranges (%s): the program would specialize it; "
               "branch with xp_cond on a tensor predicate, or narrow the range%s",
               rel_fn[r], ta, tb, where, ranges, fix);
    return false;
}

bool xp_sym_eq(int64_t a, int64_t b) { return sym_cmp(REL_EQ, a, b); }
bool xp_sym_ne(int64_t a, int64_t b) { return sym_cmp(REL_NE, a, b); }
bool xp_sym_lt(int64_t a, int64_t b) { return sym_cmp(REL_LT, a, b); }
bool xp_sym_le(int64_t a, int64_t b) { return sym_cmp(REL_LE, a, b); }
bool xp_sym_gt(int64_t a, int64_t b) { return sym_cmp(REL_GT, a, b); }
bool xp_sym_ge(int64_t a, int64_t b) { return sym_cmp(REL_GE, a, b); }

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
        if (xp_sym_count(ctx) > XP_MAX_TRACE_SYMS)
            return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: spec: more than %d dims", XP_MAX_TRACE_SYMS);
        tr->big[xp_sym_count(ctx) - 1] = validate_hi(lo, hi) < 0;
        tr->nsyms = xp_sym_count(ctx);
        if (tr->log) fprintf(stderr, "xport-dynamic: trace: symbol %s in [%" PRId64 ", %" PRId64 "]\n", p->name, lo, hi);
    }
    *ninputs = 0;
    for (int i = 0; i < n; i++) {
        const xp_pragma *p = &ps[i];
        if (p->kind == XP_PRAGMA_DIM) continue;
        if (p->kind == XP_PRAGMA_INPUT && p->int_input) {
            /* input(n, int): a SYMINT, passed as a 0-d i64 header that
             * xp_item_i64 reads (as a run takes it) */
            int sym = xp_sym_find(ctx, p->name);
            if (sym < 0)
                return xp_error(XP_ERR_INVALID_ARG,
                                "xp_export_trace: spec: int input '%s' must be a dim: declare dim(%s, ...) as well",
                                p->name, p->name);
            xp_dim d = xp_sym_expr(ctx, sym);
            if (xp_capture_symint_input(tr->cap, p->name, d) != XP_OK) return xp_error_prefix("xp_export_trace: spec: ");
            if (*ninputs >= 64) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: spec: more than 64 inputs");
            xp_tensor *t = xp_tensor_header(XP_I64, 0, NULL);
            if (!t) return xp_last_status();
            t->trace_ref = XP_TRACE_REF_SYMINT;
            t->trace_int = tr->pass == PASS_CONCRETE ? tr->values[sym] : d;
            inputs[(*ninputs)++] = t;
            continue;
        }
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
            /* a validation pass makes the input with every size concrete */
            xp_dim size = tr->pass == PASS_CONCRETE ? tr->values[sym] : xp_sym_expr(ctx, sym);
            shape[d] = xp_dim_add(ctx, xp_dim_mul(ctx, sd->a, size), sd->b);
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
        if (tr->log && tr->pass != PASS_CONCRETE)
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


static void on_abort(int sig) {
    if (g_abort_jump) siglongjmp(*g_abort_jump, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* "with sizes shown as ..." for the pass's messages */
static void pass_text(const xp_trace *tr, char *buf, size_t n) {
    if (tr->pass == PASS_LOW) {
        snprintf(buf, n, "with each dynamic size shown to C code as a value below every real size");
        return;
    }
    if (tr->pass == PASS_HIGH) {
        snprintf(buf, n, "with each dynamic size shown to C code as a value above every real size");
        return;
    }
    size_t len = (size_t)snprintf(buf, n, "with");
    const xp_symctx *ctx = tr->prog->syms;
    for (int i = 0; i < xp_sym_count(ctx) && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s %s = %" PRId64, i ? "," : "", xp_sym_name(ctx, i), tr->values[i]);
}

/* Runs fn, catching an abort; -2 when it aborted. */
static int call_guarded(xp_trace *tr, const traced_fn *f, xp_tensor *const *inputs, xp_tensor **outs,
                        xp_scope *scope) {
    sigjmp_buf jump;
    struct sigaction act = {.sa_handler = on_abort}, old;
    sigemptyset(&act.sa_mask);
    sigaction(SIGABRT, &act, &old);
    int nout;
    int jumped = sigsetjmp(jump, 1); /* 1: abort; 2: stopped by dispatch (its error is set) */
    if (jumped == 0) {
        g_abort_jump = &jump;
        nout = call_traced(f, inputs, outs);
    } else {
        nout = -2;
        xp_scope_unwind_inner(scope); /* fn's own scopes, left open */
    }
    if (jumped == 1) {
        char when[512], after[600] = "";
        pass_text(tr, when, sizeof when);
        if (tr->last_site.file)
            snprintf(after, sizeof after, " after the call at %s:%d", base_name(tr->last_site.file), tr->last_site.line);
        trace_fail(tr, XP_ERR_DATA_DEPENDENT,
                   "the traced function aborted%s (a failed assert?) %s: an assert on a symbolic size must hold for "
                   "every size in the declared ranges; decide size conditions with xp_sym_eq/ne/lt/le/gt/ge, which "
                   "the ranges decide where they are called, or narrow the dims' ranges",
                   after, when);
    }
    g_abort_jump = NULL;
    sigaction(SIGABRT, &old, NULL);
    return nout;
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
        tr->last_site = (site){NULL, 0};
        tr->nops = 0;
        tr->ncmp = 0;
        int nout = call_guarded(tr, f, inputs, outs, scope);
        __atomic_sub_fetch(&xp_trace_active_, 1, __ATOMIC_SEQ_CST);
        g_trace = NULL;
        g_nsites = 0;
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
        /* a named tensor written in place is state: redo the trace with it
         * as a buffer (found by the recording passes; a validation pass
         * is only compared) */
        for (int i = 0; tr->err == XP_OK && !tr->validate && i < tr->nlifted; i++) {
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

/* ---- the passes ---- */

/* One recording: its program or its error message. */
typedef struct recording {
    xp_program *prog;
    xp_status st;
    char *msg;
} recording;

static void recording_free(recording *r) {
    xp_program_free(r->prog);
    free(r->msg);
    *r = (recording){0};
}

/* Runs a pass (redoing it once when it finds a written weight, which
 * becomes a buffer in every later pass too). */
static recording record(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n) {
    recording r = {0};
    for (int attempt = 0; attempt < 2; attempt++) {
        bool rerun = false;
        r.st = trace_once(tr, f, ps, n, &r.prog, &rerun);
        if (r.st != XP_OK || !rerun) break;
        if (attempt == 1) r.st = xp_error(XP_ERR_INTERNAL, "xp_export_trace: buffers changed between two traces");
    }
    if (r.st != XP_OK) r.msg = xp_strdup(xp_last_error());
    return r;
}

/* The validation passes: assignments of a concrete value to every symbol.
 * Each symbol in turn takes the values at the ends of its range (the low
 * end, and the high end when it is at most VALIDATE_CAP above it: larger
 * sizes are what the high recording stands for) with the others at
 * distinct base values; each pair of symbols whose ranges meet is made
 * equal and one apart. A C comparison of a size against a number at
 * either end of the range, or of two sizes, then takes both ways among
 * the passes. */
#define VALIDATE_MAX_PASSES 256

typedef struct plan {
    int nsyms, n;
    const char *names[XP_MAX_TRACE_SYMS]; /* the spec's dims, in order (symbol indices) */
    int64_t lo[XP_MAX_TRACE_SYMS], hi[XP_MAX_TRACE_SYMS];
    int64_t (*v)[XP_MAX_TRACE_SYMS];
} plan;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static void plan_add(plan *p, const int64_t *v) {
    if (p->n >= VALIDATE_MAX_PASSES) return;
    for (int i = 0; i < p->n; i++)
        if (!memcmp(p->v[i], v, (size_t)p->nsyms * sizeof *v)) return;
    memcpy(p->v[p->n++], v, (size_t)p->nsyms * sizeof *v);
}


/* The plan for the spec's dims (a bad range is left to the passes, which
 * report it); p->v[0] has every symbol at its base value. */
static bool plan_build(plan *p, const xp_pragma *ps, int n) {
    *p = (plan){0};
    p->v = xp_calloc(VALIDATE_MAX_PASSES, sizeof *p->v);
    if (!p->v) return false;
    int64_t lo[XP_MAX_TRACE_SYMS], hi[XP_MAX_TRACE_SYMS], base[XP_MAX_TRACE_SYMS], v[XP_MAX_TRACE_SYMS];
    int k = 0;
    for (int i = 0; i < n && k < XP_MAX_TRACE_SYMS; i++) {
        if (ps[i].kind != XP_PRAGMA_DIM) continue;
        p->names[k] = ps[i].name;
        lo[k] = ps[i].has_min ? ps[i].min : 0;
        hi[k] = ps[i].has_max ? ps[i].max : XP_SYM_MAX_DEFAULT;
        if (hi[k] < lo[k]) hi[k] = lo[k];
        k++;
    }
    p->nsyms = k;
    memcpy(p->lo, lo, sizeof lo);
    memcpy(p->hi, hi, sizeof hi);
    for (int i = 0; i < k; i++) {
        int64_t top = validate_hi(lo[i], hi[i]);
        base[i] = clamp64(lo[i] + 2 + 3 * i, lo[i], top >= 0 ? top : lo[i] + VALIDATE_CAP);
    }
    memcpy(v, base, (size_t)k * sizeof *v);
    plan_add(p, v);
    for (int i = 0; i < k; i++) {
        int64_t top = validate_hi(lo[i], hi[i]);
        int64_t pts[5] = {lo[i], lo[i] + 1, lo[i] + 2, top - 1, top};
        for (int j = 0; j < 5; j++) {
            if (pts[j] < lo[i] || pts[j] > hi[i] || (j >= 3 && top < 0)) continue;
            memcpy(v, base, (size_t)k * sizeof *v);
            v[i] = pts[j];
            plan_add(p, v);
        }
    }
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++) {
            int64_t a = lo[i] > lo[j] ? lo[i] : lo[j], b = hi[i] < hi[j] ? hi[i] : hi[j];
            if (a > b) continue;
            int64_t e = clamp64(base[i] > base[j] ? base[i] : base[j], a, b);
            int64_t pairs[3][2] = {{e, e}, {e + 1, e}, {e, e + 1}};
            for (int m = 0; m < 3; m++) {
                if (pairs[m][0] > hi[i] || pairs[m][1] > hi[j]) continue;
                memcpy(v, base, (size_t)k * sizeof *v);
                v[i] = pairs[m][0];
                v[j] = pairs[m][1];
                plan_add(p, v);
            }
        }
    return true;
}

/* The sizes the comparison hooks saw a symbol compared at (in its range),
 * each with the other symbols at their base values. */
static void plan_add_breaks(plan *p, const xp_trace *tr) {
    int64_t v[XP_MAX_TRACE_SYMS];
    for (int i = 0; i < tr->nbreaks; i++) {
        int s = tr->breaks[i].sym;
        if (s >= p->nsyms || tr->breaks[i].value < p->lo[s] || tr->breaks[i].value > p->hi[s]) continue;
        memcpy(v, p->v[0], (size_t)p->nsyms * sizeof *v);
        v[s] = tr->breaks[i].value;
        plan_add(p, v);
    }
}

/* Whether the assignment is inside the program's ranges (which a shape
 * function may have narrowed). */
static bool in_ranges(const xp_program *p, const int64_t *v) {
    for (int i = 0; i < xp_sym_count(p->syms); i++)
        if (v[i] < xp_sym_min(p->syms, i) || v[i] > xp_sym_max(p->syms, i)) return false;
    return true;
}

/* "batch = 3, n = 8" */
static void values_text(const plan *pl, const int64_t *v, char *buf, size_t n) {
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < pl->nsyms && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s = %" PRId64, i ? ", " : "", pl->names[i], v[i]);
}

/* " (the first difference is at model.c:12)", or "" */
static void diff_text(const xp_program *a, const xp_program *b, const int64_t *values, char *buf, size_t n) {
    xp_srcloc loc;
    bool in_b;
    buf[0] = 0;
    if (!xp_trace_graph_diff(a->graph, b->graph, a->syms, values, &loc, &in_b) || loc.file < 0) return;
    char text[200];
    if (xp_srcloc_format(in_b ? b : a, loc, text, sizeof text) > 0 && text[0])
        snprintf(buf, n, " (the first difference is at %s)", text);
}

/* "dim 'batch'" or "one of the dims 'a', 'b' or 'c'" */
static void dims_text(const xp_symctx *ctx, char *buf, size_t n) {
    int k = xp_sym_count(ctx);
    size_t len = (size_t)snprintf(buf, n, "%s", k > 1 ? "one of the dims " : "dim ");
    for (int i = 0; i < k && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s'%s'", i == 0 ? "" : i == k - 1 ? " or " : ", ", xp_sym_name(ctx, i));
}

#define SIZE_CONDITION_FIX                                                                                           \
    "a C condition on a size must give the same graph for every size in the declared ranges: decide it with "     \
    "xp_sym_eq/ne/lt/le/gt/ge (the ranges decide them where they are called), branch on a tensor with xp_cond, "   \
    "narrow the dims' ranges, or export with the Clang plugin"

static xp_status branch_error(const xp_trace *tr, const char *fmt, ...) XP_PRINTF(2, 3);
static xp_status branch_error(const xp_trace *tr, const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (tr->log) fprintf(stderr, "xport-dynamic: trace: error: %s\n", buf);
    return xp_error(XP_ERR_DATA_DEPENDENT, "%s", buf);
}

/* Runs the plan's validation passes against recording `cand`: XP_OK with
 * *match (and, on a mismatch, the sizes and where in *why), or the error
 * of a concrete pass that failed (fn fails for sizes in the ranges). */
static xp_status validate(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n, const plan *pl,
                          const xp_program *cand, bool *match, char *why, size_t nwhy, int *checked) {
    *match = true;
    const xp_symctx *ctx = cand->syms;
    xp_status st = XP_OK;
    for (int a = 0; st == XP_OK && *match && a < pl->n; a++) {
        if (!in_ranges(cand, pl->v[a])) continue;
        tr->pass = PASS_CONCRETE;
        tr->values = pl->v[a];
        tr->validate = true;
        recording c = record(tr, f, ps, n);
        tr->validate = false;
        (*checked)++;
        char vals[512];
        values_text(pl, pl->v[a], vals, sizeof vals);
        if (!c.prog) {
            st = branch_error(tr, "with %s (in the declared ranges) the traced function fails: %s", vals,
                              c.msg ? c.msg : "no message");
        } else if (xp_trace_graph_diff(cand->graph, c.prog->graph, ctx, pl->v[a], &(xp_srcloc){0}, &(bool){0})) {
            *match = false;
            char where[256];
            diff_text(cand, c.prog, pl->v[a], where, sizeof where);
            snprintf(why, nwhy, "with %s it records a different graph than with symbolic sizes%s", vals, where);
        }
        recording_free(&c);
    }
    return st;
}

/*
 * A spec with dims: which branch a plain C comparison of a size takes
 * cannot be seen, so fn is recorded with symbolic sizes shown to C code
 * above every real size (HIGH) and checked against runs with concrete
 * sizes (the plan), each of which must record the symbolic graph
 * evaluated at its sizes. When they disagree, fn is recorded once more
 * with the sizes of the symbols whose whole range the plan covers shown
 * below every real size (LOW; the others, which HIGH stands for, stay
 * high) and checked the same way. So a size condition the ranges decide
 * is accepted whichever way the handles compare (`assert(n > 2)` for n in
 * [3, 64]: HIGH; `n <= 16` for n in [0, 16]: LOW), and one they do not
 * decide gives two concrete graphs no recording matches: an error naming
 * the sizes and the first differing call site.
 */
static xp_status export_dynamic(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n, xp_program **out) {
    plan pl;
    if (!plan_build(&pl, ps, n)) return xp_error(XP_ERR_OOM, "out of memory while tracing");
    /* the base sizes first: a recording with symbolic sizes that makes
     * many more ops than this is a C loop bounded by a size, stopped */
    tr->pass = PASS_CONCRETE;
    tr->values = pl.v[0];
    tr->validate = true;
    recording base = record(tr, f, ps, n);
    tr->validate = false;
    if (!base.prog) {
        char vals[512];
        values_text(&pl, pl.v[0], vals, sizeof vals);
        /* its own error (it would fail with symbolic sizes too) */
        xp_status st = xp_error(base.st, "with %s (in the declared ranges) the traced function fails: %s", vals,
                                base.msg ? base.msg : "no message");
        if (tr->log) fprintf(stderr, "xport-dynamic: trace: error: %s\n", xp_last_error());
        recording_free(&base);
        free(pl.v);
        return st;
    }
    tr->op_limit = 4 * tr->nops + 4096;
    recording_free(&base);
    tr->pass = PASS_HIGH;
    recording hi = record(tr, f, ps, n), lo = {0};
    char why[1024] = "", dims[512] = "";
    int checked = 0;
    bool match = false;
    xp_status st = XP_OK;
    if (hi.prog) {
        dims_text(hi.prog->syms, dims, sizeof dims);
        plan_add_breaks(&pl, tr);
        st = validate(tr, f, ps, n, &pl, hi.prog, &match, why, sizeof why, &checked);
    }
    bool small = false; /* a symbol whose whole range the plan covers */
    for (int i = 0; i < tr->nsyms; i++) small |= !tr->big[i];
    if (st == XP_OK && !match && small) {
        if (tr->log) fprintf(stderr, "xport-dynamic: trace: tracing again with small-range sizes below every real size\n");
        tr->pass = PASS_LOW;
        lo = record(tr, f, ps, n);
        plan_add_breaks(&pl, tr);
        char why_lo[1024] = "";
        if (lo.prog && st == XP_OK) st = validate(tr, f, ps, n, &pl, lo.prog, &match, why_lo, sizeof why_lo, &checked);
    }
    recording *chosen = st == XP_OK && match ? (lo.prog ? &lo : &hi) : NULL;
    if (st == XP_OK && !chosen) {
        /* the high recording's own failure (an abort, a loop) says most */
        if (!hi.prog) st = xp_error(hi.st, "%s", hi.msg ? hi.msg : "xp_export_trace failed");
        else
            st = branch_error(tr,
                              "the traced function compares a symbolic size in plain C code: %s, so the program "
                              "would silently specialize %s; " SIZE_CONDITION_FIX,
                              why, dims);
    }
    if (chosen) {
        if (tr->log)
            fprintf(stderr, "xport-dynamic: trace: %d concrete passes agree with the recording with sizes %s\n", checked,
                    chosen == &hi ? "above every real size" : "of small ranges below every real size");
        *out = chosen->prog;
        chosen->prog = NULL;
    }
    free(pl.v);
    recording_free(&hi);
    recording_free(&lo);
    return st;
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
    bool dynamic = false;
    for (int i = 0; i < n; i++) dynamic |= ps[i].kind == XP_PRAGMA_DIM;
    xp_status st;
    if (dynamic) {
        st = export_dynamic(&tr, f, ps, n, out);
    } else {
        recording r = record(&tr, f, ps, n);
        st = r.st;
        if (st != XP_OK) xp_error(st, "%s", r.msg ? r.msg : "xp_export_trace failed");
        *out = r.prog;
        r.prog = NULL;
        recording_free(&r);
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
