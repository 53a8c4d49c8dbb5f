/*
 * How sizes look to user code while tracing, and what user code does
 * with them: the encodings of a symbolic size in each pass, the check
 * that no plain C arithmetic on one reaches an op, the public xp_sym_*
 * helpers that compute and compare sizes, and the comparison hooks.
 *
 * Sizes. xp_size of a traced tensor is its symbolic handle, moved into a
 * range no real size reaches (above or below). Handles are spread out
 * (runtime/sym/sym_internal.h) so that plain C arithmetic on a shown size
 * gives, moved back, a value in the handle range that is not a live
 * handle, or one far outside any sane size; such an int reaching an op is
 * an error naming the dim it most likely came from, never a silent
 * specialization.
 *
 * Comparisons. A plain C comparison of a size cannot be seen when it
 * happens; the passes that catch it are in trace_passes.c. Model files
 * built with comparison tracing (XPORT_TRACE_CMP) report each comparison
 * of a size here, which adds the sizes compared at to those passes.
 */
#include "trace/trace_internal.h"

#include "sym/sym_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reads (xp_size) and comparisons of a size one pass may make (more:
 * a loop bounded by a size). */
#define XP_MAX_SIZE_COMPARISONS (1L << 20)

/* ---- sizes: the two encodings user code sees ---- */

/* The low recording hands user code the handles moved into [-2^42,
 * -2^42 + 2^40), below every real size; the high one hands it the same
 * handles moved into [2^41, 2^41 + 2^40), above every size a tensor can
 * have (2^41 elements along one dim is 2 TB at one byte each; a declared
 * max may be larger, up to XP_SYM_MAX_DEFAULT = 2^61 - 1, but no run
 * reaches it). Both stay far from the ends of int64_t, so plain C
 * arithmetic on a size in the model's own code (`3 * n`, rejected when it
 * reaches an op) does not overflow, which would be undefined behaviour.
 * Internal code only ever sees handles: the boundary maps (xp_size and
 * xp_numel return to_user, every int reaching dispatch and the xp_sym_*
 * helpers goes through xp_trace_from_user). */
#define USER_HI_BASE ((uint64_t)1 << 41) /* the high recording: [2^41, 2^41 + 2^40) */
#define USER_HI_SPAN ((uint64_t)1 << 40)
#define USER_LO_BASE ((uint64_t)1 << 42) /* the low recording: [-2^42, -2^42 + 2^40) */

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

/* Handle h as a recording shows it: above every real size (high), or
 * below (low: negative, far from 0 and from INT64_MIN, so that `n + n` in
 * model code does not overflow). */
static int64_t show(xp_dim h, bool high) {
    uint64_t s = (uint64_t)h - (uint64_t)INT64_MIN; /* below 2^40 */
    return high ? (int64_t)(USER_HI_BASE + s) : (int64_t)s - (int64_t)USER_LO_BASE;
}

static int64_t to_user(const xp_trace *tr, xp_dim d) {
    if (!tr || !xs_is_handle(d) || !xs_node_of(tr->prog->syms, d)) return d;
    int64_t v;
    if (fixed_value(tr, d, &v)) return v;
    if (tr->pass == PASS_HIGH) return show(d, true);
    if (tr->pass == PASS_LOW) return show(d, has_big_symbol(tr, d));
    return d;
}

/* Also maps the result of plain arithmetic on a shown size back next to
 * the handle range (n + 1 is a handle with a broken tag), where the
 * checks below recognize it. */
xp_dim xp_trace_from_user(const xp_trace *tr, int64_t v) {
    if (!tr || (tr->pass != PASS_HIGH && tr->pass != PASS_LOW)) return v;
    uint64_t base = USER_HI_BASE;
    if (v >= (int64_t)base && v < (int64_t)(base + USER_HI_SPAN))
        return (xp_dim)((uint64_t)v - base + (uint64_t)INT64_MIN);
    if (tr->pass == PASS_LOW && v >= -(int64_t)USER_LO_BASE && v < -(int64_t)USER_LO_BASE + (int64_t)USER_HI_SPAN)
        return (xp_dim)((uint64_t)(v + (int64_t)USER_LO_BASE) + (uint64_t)INT64_MIN);
    return v;
}

static void stop_loop(xp_trace *tr);

int64_t xp_trace_user_dim(xp_dim d) {
    xp_trace *tr = xp_trace_current();
    /* `for (i = 0; i < xp_size(x, 0); i++)` reads the size once per
     * iteration: the high recording would loop 2^41 times or more */
    if (tr && tr->pass != PASS_CONCRETE && xs_is_handle(d) && ++tr->ncmp > XP_MAX_SIZE_COMPARISONS) stop_loop(tr);
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

/* How `v` was computed from `shown` (a size as user code had it): "+"
 * (shown + c), "*" (shown * c, maybe + c', wrapped or not), "/" ((shown +
 * c) / k), "int" (truncated to 32 bits); NULL when none fits. */
static const char *made_from(int64_t shown, int64_t v) {
    const __int128 near = (__int128)1 << 20, d = (__int128)v - shown;
    if (d != 0 && d >= -near && d <= near) return "+";
    for (int64_t c = 2; c <= 64; c++) { /* wrapped products too: 64-bit arithmetic */
        uint64_t cs = (uint64_t)c * (uint64_t)shown, dv = (uint64_t)v - cs;
        if (dv <= (uint64_t)near || -dv <= (uint64_t)near) return "*";
    }
    __int128 c = ((__int128)v + (v < 0 ? -shown / 2 : shown / 2)) / shown;
    if (c > 64 && c <= near && (__int128)v - c * shown >= -near && (__int128)v - c * shown <= near) return "*";
    if ((v < 0) == (shown < 0))
        for (int64_t k = 2; k <= 4096; k++)
            if (llabs(shown / k - v) <= ((int64_t)1 << 20) / k + 1) return "/";
    if ((int32_t)(uint32_t)(uint64_t)shown == (int32_t)(uint32_t)(uint64_t)v) return "int";
    return NULL;
}

/* Which live handle `v` was computed from, and how (made_from); -1 when
 * nothing fits. Each handle is tried as the high and the low recording
 * show it, and as itself (what xp_trace_from_user makes of `n + c`). */
static int64_t guess_origin(const xp_trace *tr, xp_dim v, const char **how) {
    const xp_symctx *ctx = tr->prog->syms;
    *how = "";
    for (uint32_t i = 0; i < ctx->nnodes && i < XS_HANDLE_MAX_NODES; i++) {
        xp_dim h = xs_handle(i);
        int64_t shown[3] = {h, show(h, true), show(h, false)};
        for (int k = 0; k < 3; k++) {
            const char *m = made_from(shown[k], v);
            if (m) {
                *how = m;
                return h;
            }
        }
    }
    return -1;
}

bool xp_trace_check_int(xp_trace *tr, const char *fn, const char *arg, xp_dim v) {
    xp_symctx *ctx = tr->prog->syms;
    if (xp_dim_is_sym(v) && xs_node_of(ctx, v)) return true;
    if (!absurd_int(v)) return true;
    const char *how;
    xp_dim h = guess_origin(tr, v, &how);
    char where[512], from[256] = "a symbolic size", fix[128];
    xp_trace_site_text(where, sizeof where);
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
        fprintf(stderr, "xport-dynamic: trace: %s: argument '%s' of %s is %" PRId64 ", computed from %s\n", where,
                arg, fn, (int64_t)v, from);
    xp_trace_fail(tr, XP_ERR_INVALID_ARG,
                  "a size computed with plain C arithmetic from %s reached %s (argument '%s') at %s; %s",
                  from, fn, arg, where, fix);
    return false;
}

/* ---- sizes of traced tensors ---- */

bool xp_trace_float_is_size(const xp_trace *tr, double f) {
    if (tr->pass == PASS_CONCRETE || f != f || f < -0x1p62 || f > 0x1p62) return false;
    return xp_trace_from_user(tr, (int64_t)f) != (int64_t)f; /* in a range sizes are shown in */
}

xp_tensor *xp_symint_tensor(int64_t v) {
    xp_trace *tr = XP_UNLIKELY(xp_trace_active_) ? xp_trace_current() : NULL;
    if (!tr) return xp_tensor_from(XP_I64, 0, NULL, &v);
    if (tr->err != XP_OK) return NULL;
    /* a size as the traced function computed it: a live handle or a number */
    xp_dim d = xp_trace_from_user(tr, v);
    if (!xp_trace_check_int(tr, "xp_symint_tensor", "v", d)) return NULL;
    xp_tensor *t = xp_tensor_header(XP_I64, 0, NULL);
    if (!t) {
        xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
        return NULL;
    }
    t->trace_ref = XP_TRACE_REF_SYMINT;
    t->trace_int = d;
    return t;
}

int64_t xp_trace_symint_value(const xp_tensor *t) { return to_user(xp_trace_current(), t->trace_int); }

int64_t xp_trace_numel(const xp_tensor *t) {
    xp_trace *tr = xp_trace_current();
    xp_symctx *ctx = tr ? tr->prog->syms : NULL;
    xp_dim n = 1;
    for (int d = 0; d < t->meta.ndim && xp_dim_is_valid(n); d++) n = xp_dim_mul(ctx, n, t->meta.shape[d]);
    return to_user(tr, n);
}

/* ---- the comparison hooks (XPORT_TRACE_CMP in xport.h) ---- */

/* v as the live handle it shows to user code, or XP_DIM_INVALID */
static xp_dim user_handle(const xp_trace *tr, uint64_t v) {
    xp_dim d = xp_trace_from_user(tr, (int64_t)v);
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
    if (tr->last_site.file) snprintf(where, sizeof where, "after the call at %s:%d", xp_trace_base_name(tr->last_site.file), tr->last_site.line);
    else snprintf(where, sizeof where, "before any op");
    xp_trace_fail(tr, XP_ERR_DATA_DEPENDENT,
                  "the traced function read or compared symbolic sizes more than %ld times (%s): a C loop "
                  "bounded by a symbolic size? Its number of iterations cannot be traced; map over the dim with "
                  "xp_map, or make the dim static",
                  XP_MAX_SIZE_COMPARISONS, where);
    xp_trace_jump_out();
}

void xp_trace_cmp_(uint64_t a, uint64_t b) {
    if (!XP_UNLIKELY(xp_trace_active_)) return;
    xp_trace *tr = xp_trace_current();
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

/* ---- public symbolic-int helpers ---- */

static int64_t sym_op(char what, int64_t a, int64_t b) {
    xp_trace *tr = NULL;
    if (XP_UNLIKELY(xp_trace_active_)) tr = xp_trace_current();
    a = xp_trace_from_user(tr, a);
    b = xp_trace_from_user(tr, b);
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
            xp_trace_site_text(where, sizeof where);
            xp_trace_fail(tr, XP_ERR_INVALID_ARG, "%s at %s: operand %" PRId64 " is not a size (plain C arithmetic on a symbolic size?)",
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
        xp_trace_site_text(where, sizeof where);
        xp_trace_fail(tr, XP_ERR_INVALID_ARG, "%s at %s: %s", name, where,
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
    if (XP_UNLIKELY(xp_trace_active_)) tr = xp_trace_current();
    a = xp_trace_from_user(tr, a);
    b = xp_trace_from_user(tr, b);
    if (!tr || (!xp_dim_is_sym(a) && !xp_dim_is_sym(b))) return plain_rel(r, a, b);
    if (tr->err != XP_OK) return false;
    xp_symctx *ctx = tr->prog->syms;
    char where[512];
    for (int k = 0; k < 2; k++) {
        xp_dim v = k ? b : a;
        if (xp_dim_is_sym(v) && !xs_node_of(ctx, v)) {
            xp_trace_site_text(where, sizeof where);
            xp_trace_fail(tr, XP_ERR_INVALID_ARG,
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
        char text[2048]; /* room for both sizes twice and the ranges */
        snprintf(text, sizeof text, "'%s(%s, %s)' (%s %s %s) is %s for %s", rel_fn[r], ta, tb, ta, rel_op[r], tb,
                 t == XP_YES ? "true" : "false", ranges);
        if (xp_program_add_specialization(tr->prog, xp_trace_loc(tr), text) != XP_OK)
            xp_trace_fail(tr, xp_last_status(), "%s", xp_last_error());
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
    xp_trace_site_text(where, sizeof where);
    xp_trace_fail(tr, XP_ERR_DATA_DEPENDENT,
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
