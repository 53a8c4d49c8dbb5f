/*
 * The passes of xp_export_trace (each one run of fn, trace.c): one
 * recording for a spec without dims; for a spec with dims, the recordings
 * and validation passes of export_dynamic below.
 *
 * Size conditions. A plain C comparison of a size cannot be seen when it
 * happens, so a trace whose spec declares a dim records fn with the sizes
 * shown to C code above every real size (to_user / xp_trace_from_user in
 * trace_sizes.c) and checks the recording against runs at concrete sizes
 * (export_dynamic): a condition the ranges do not decide makes them
 * differ, an XP_ERR_DATA_DEPENDENT error naming the sizes and the first
 * differing node's site (trace_match.c). Model files built with
 * comparison tracing (XPORT_TRACE_CMP) report each comparison of a size,
 * which adds the sizes compared at.
 */
#include "trace/trace_internal.h"

#include "sym/xp_sym.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        r.st = xp_trace_once(tr, f, ps, n, &r.prog, &rerun);
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
 * the passes. At most VALIDATE_MAX_PASSES: with many dims the last pairs
 * are left out (the ends of each range come first). */
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
    int64_t *lo = p->lo, *hi = p->hi, base[XP_MAX_TRACE_SYMS], v[XP_MAX_TRACE_SYMS];
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
    if (xp_trace_current()) return xp_error(XP_ERR_INVALID_ARG, "xp_export_trace: called while tracing (nested traces are not supported)");
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

