/*
 * Non-strict export (DESIGN §5): xp_export_trace runs the user's C function
 * on shape-only tensors (once; more with a declared dim: trace_passes.c)
 * and records every op call it makes (trace_record.c), through the capture
 * library the Clang plugin uses (runtime/capture), so traced and captured
 * programs have the same form.
 *
 * This file holds what is per thread: the trace running on it, its call
 * sites and the jump back out of fn (each thread-local is defined here
 * once; the other files reach them through trace_internal.h), and one run
 * of fn: its inputs, the abort guard, its outputs and weights.
 *
 * Call sites. The XP_AT_ macros of xport.h push __FILE__/__LINE__ on a
 * thread-local stack while xp_trace_active_ is set and pop it when the
 * call returns, so the innermost open site is that of the call being
 * handled (nested calls included); library-internal calls push nothing.
 */
#include "trace/trace_internal.h"

#include "capture/capture_internal.h"
#include "sym/xp_sym.h"
#include "tensor/xp_tensor_impl.h"

#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xp_trace_active_;

/* ---- call sites ---- */

#define SITE_STACK 64

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
site xp_trace_site(void) {
    if (g_nsites <= 0 || g_nsites > SITE_STACK) return (site){NULL, 0};
    return g_sites[g_nsites - 1];
}

const char *xp_trace_base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* "model.c:12", or a hint when the caller did not ask for call sites. */
void xp_trace_site_text(char *buf, size_t n) {
    site here = xp_trace_site();
    if (here.file) snprintf(buf, n, "%s:%d", xp_trace_base_name(here.file), here.line);
    else snprintf(buf, n, "an unknown call site (define XPORT_CALL_SITES before including xport.h to know it)");
}

/* ---- the trace of this thread ---- */

static _Thread_local xp_trace *g_trace;

/* Where the pass running fn on this thread jumps back to (call_guarded):
 * a failed assert in fn (an assert on a size that holds for some sizes
 * only) aborts, and SIGABRT jumps back so the pass fails with a message
 * instead of the process; dispatch jumps back to stop a runaway loop. Any
 * other thread's abort keeps its default action. */
static _Thread_local sigjmp_buf *g_abort_jump;

xp_trace *xp_trace_current(void) { return g_trace; }

void xp_trace_fail(xp_trace *tr, xp_status st, const char *fmt, ...) {
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

xp_srcloc xp_trace_loc(xp_trace *tr) {
    site here = xp_trace_site();
    if (!here.file) return XP_NO_LOC;
    int32_t f = xp_program_file(tr->prog, xp_trace_base_name(here.file));
    if (f < 0) return XP_NO_LOC;
    return (xp_srcloc){f, here.line, 0};
}

void xp_trace_jump_out(void) {
    if (g_abort_jump) siglongjmp(*g_abort_jump, 2);
}

/* ---- data access ---- */

void xp_trace_data_access(const char *fn, const xp_tensor *t) {
    (void)t;
    xp_trace *tr = g_trace;
    char where[512];
    xp_trace_site_text(where, sizeof where);
    bool storage = !strcmp(fn, "xp_data");
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%s at %s reads the %s of a traced tensor, which is not known while tracing: an exported graph cannot "
             "depend on tensor data; %s",
             fn, where, storage ? "storage" : "value",
             storage ? "compute with xp_* ops instead, and branch on a value with xp_cond ('#pragma xport cond' with "
                       "the plugin)"
                     : "branch on it with xp_cond ('#pragma xport cond' with the plugin)");
    if (tr) xp_trace_fail(tr, XP_ERR_DATA_DEPENDENT, "%s", buf);
    else xp_error(XP_ERR_DATA_DEPENDENT, "%s", buf);
}

/* ---- one run of fn ---- */

static void trace_clear(xp_trace *tr) {
    for (int i = 0; i < tr->nlifted; i++) {
        free(tr->lifted[i].target);
        xp_tensor_free(tr->lifted[i].data);
    }
    free(tr->lifted);
    tr->lifted = NULL;
    tr->nlifted = tr->caplifted = 0;
    xp_strmap_clear(&tr->lifted_by_tensor);
    xp_strmap_clear(&tr->lifted_by_target);
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

/* Calls the traced function: its outputs and their count, or -1. */
static int call_traced(const traced_fn *f, xp_tensor *const *inputs, xp_tensor **outs) {
    if (f->fn1) {
        outs[0] = f->fn1(f->user_data, inputs);
        return 1;
    }
    return f->fnn(f->user_data, inputs, outs);
}

/* SIGABRT's action is process-wide: the first thread to run a traced fn
 * installs on_abort and keeps the action it replaced (a crash reporter's,
 * say), the last one puts it back; an abort on a thread that is not
 * running a traced fn gets that action. */
static pthread_mutex_t g_abort_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_abort_users;
static struct sigaction g_abort_prev;

static void on_abort(int sig) {
    if (g_abort_jump) siglongjmp(*g_abort_jump, 1);
    sigaction(sig, &g_abort_prev, NULL);
    raise(sig);
}

static void abort_guard(bool on) {
    pthread_mutex_lock(&g_abort_lock);
    if (on && g_abort_users++ == 0) {
        struct sigaction act = {.sa_handler = on_abort};
        sigemptyset(&act.sa_mask);
        sigaction(SIGABRT, &act, &g_abort_prev);
    } else if (!on && --g_abort_users == 0) {
        sigaction(SIGABRT, &g_abort_prev, NULL);
    }
    pthread_mutex_unlock(&g_abort_lock);
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
    abort_guard(true);
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
            snprintf(after, sizeof after, " after the call at %s:%d", xp_trace_base_name(tr->last_site.file), tr->last_site.line);
        xp_trace_fail(tr, XP_ERR_DATA_DEPENDENT,
                      "the traced function aborted%s (a failed assert?) %s: an assert on a symbolic size must hold for "
                      "every size in the declared ranges; decide size conditions with xp_sym_eq/ne/lt/le/gt/ge, which "
                      "the ranges decide where they are called, or narrow the dims' ranges",
                      after, when);
    }
    g_abort_jump = NULL;
    abort_guard(false);
    return nout;
}

xp_status xp_trace_once(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n, xp_program **prog,
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
            xp_trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG,
                          "the traced function returned %d outputs (1 to %d)%s%s", nout, XP_TRACE_MAX_OUTPUTS,
                          xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        for (int o = 0; tr->err == XP_OK && o < nout; o++)
            if (!outs[o])
                xp_trace_fail(tr, xp_error_pending() ? xp_last_status() : XP_ERR_INVALID_ARG,
                              "the traced function returned NULL%s%s%s", nout > 1 ? " as an output" : "",
                              xp_error_pending() ? ": " : "", xp_error_pending() ? xp_last_error() : "");
        for (int o = 0; tr->err == XP_OK && o < nout; o++) {
            if (outs[o]->trace_ref == XP_TRACE_REF_SYMINT) { /* xp_symint_tensor: a SYMINT output */
                if (xp_capture_output_size(tr->cap, outs[o]->trace_int, NULL) != XP_OK)
                    xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
                continue;
            }
            xp_cref ref = xp_trace_ref_of(tr, outs[o]);
            if (ref != XP_CREF_NONE && xp_capture_output(tr->cap, ref, NULL) != XP_OK)
                xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
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
                xp_trace_fail(tr, XP_ERR_OOM, "out of memory while tracing");
                break;
            }
            tr->buffers = b;
            tr->buffers[tr->nbuffers++] = xp_strdup(e->target);
            *rerun = true;
            if (tr->log) fprintf(stderr, "xport-dynamic: trace: '%s' is written: tracing again with it as a buffer\n", e->target);
        }
        if (tr->err == XP_OK && !*rerun && xp_capture_finish(tr->cap) != XP_OK)
            xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        for (int i = 0; tr->err == XP_OK && !*rerun && i < tr->nlifted; i++)
            if (tr->lifted[i].data && xp_program_bind_tensor(tr->prog, tr->lifted[i].target, tr->lifted[i].data) != XP_OK)
                xp_trace_fail(tr, xp_last_status(), "binding weight '%s': %s", tr->lifted[i].target, xp_last_error());
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
