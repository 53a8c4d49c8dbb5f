/*
 * Input guards, checked on every run (DESIGN §5): each user input against
 * its signature entry — non-NULL, dtype, rank, static sizes — and the
 * symbols against the range constraints: ranges (both bounds), equal dims
 * (one symbol in two places), derived dims A*s + B, SYMINT inputs.
 *
 * A symbol gets its value from the first place that determines it, in
 * input order then dim order: a plain dim `s`, a derived dim `A*s + B`
 * (solved, with a divisibility check) or a SYMINT input. Every later
 * occurrence is compared with the size implied there, and the message says
 * where the symbol's value came from. Dims that are not linear in one
 * symbol (`batch*seq`: the pragma grammar does not produce them, a file may
 * hold them) are compared once every symbol has its value.
 *
 * Message styles (asserted by tests/unit/test_interp.c and, against an
 * oracle, by tests/unit/test_guards_property.c):
 *   input x: dim 0 (batch) is 2000, above its maximum 1024
 *   input n is 20, above its maximum 16            (a SYMINT bound to n)
 *   input k (n) is 20, above its maximum 16        (a SYMINT k bound to n)
 *   input x: dim 0 (2*n) is 2050, so n = 1025, above its maximum 1024
 *   input x: dim 1 is 7, but the program was exported with size 100
 *   input y: dim 0 is 6, but must equal batch = 5 (from input x dim 0)
 *   input y: dim 0 is 6, but must equal dimx + 1 = 5 (dimx = 4 from input x dim 0)
 *   input x: dim 0 is 7, which is not 2*n for any integer n
 *   input x: expected f32, got i64
 *   input x: expected 2 dims, got 3
 */
#include "exec/xp_exec.h"

#include <inttypes.h>
#include <string.h>

static const char *value_name(const xp_program *p, int32_t v) { return p->graph->values[v].name; }

static const char *user_input_name(const xp_program *p, int pos) {
    for (int i = 0, k = 0; i < p->nsig_in; i++) {
        if (xp_exec_is_weight_kind(p->sig_in[i].kind)) continue;
        if (k++ == pos) return value_name(p, p->sig_in[i].value);
    }
    return "?";
}

/* "input x dim 0" or "input n" (a SYMINT) */
static void format_origin(const xp_program *p, xp_sym_origin o, char *buf, size_t n) {
    if (o.dim < 0) snprintf(buf, n, "input %s", user_input_name(p, o.input));
    else snprintf(buf, n, "input %s dim %d", user_input_name(p, o.input), o.dim);
}

/* The subject of a message: "input x: dim 0" or "input n". */
static void format_subject(const char *input, int dim, char *buf, size_t n) {
    if (dim < 0) snprintf(buf, n, "input %s", input);
    else snprintf(buf, n, "input %s: dim %d", input, dim);
}

static xp_status range_error(const xp_program *p, const char *input, const char *subject, int dim, const char *expr,
                             int sym, int64_t size, int64_t v, bool derived) {
    int64_t lo = xp_sym_min(p->syms, sym), hi = xp_sym_max(p->syms, sym);
    const char *rel = v > hi ? "above its maximum" : "below its minimum";
    int64_t bound = v > hi ? hi : lo;
    if (derived)
        return xp_error(XP_ERR_GUARD, "%s (%s) is %" PRId64 ", so %s = %" PRId64 ", %s %" PRId64, subject, expr,
                        size, xp_sym_name(p->syms, sym), v, rel, bound);
    if (dim < 0) { /* a SYMINT input is the symbol itself; named when its name differs */
        const char *sname = xp_sym_name(p->syms, sym);
        if (strcmp(input, sname) != 0)
            return xp_error(XP_ERR_GUARD, "%s (%s) is %" PRId64 ", %s %" PRId64, subject, sname, size, rel, bound);
        return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", %s %" PRId64, subject, size, rel, bound);
    }
    return xp_error(XP_ERR_GUARD, "%s (%s) is %" PRId64 ", %s %" PRId64, subject, expr, size, rel, bound);
}

/* One occurrence of expr = a*sym + b with the observed `size`, at user
 * input `pos` dim `dim` (-1 for a SYMINT input). */
static xp_status check_linear(const xp_program *p, struct xp_exec_state *s, const char *input, int pos, int dim,
                              xp_dim expr, int sym, int64_t a, int64_t b, int64_t size) {
    /* The passing path must not allocate (steady-state runs allocate
     * nothing): text is formatted only once a check has failed. */
    char subject[160], e[128];
    bool derived = !(a == 1 && b == 0);
    const char *sname = xp_sym_name(p->syms, sym);

    if (s->origin[sym].input < 0) {
        /* first occurrence: solve size = a*sym + b */
        int64_t diff;
        bool exact = b != INT64_MIN && xp_i64_add_checked(size, -b, &diff) && diff % a == 0;
        int64_t v = exact ? diff / a : 0;
        if (exact && v >= xp_sym_min(p->syms, sym) && v <= xp_sym_max(p->syms, sym)) {
            s->symvals[sym] = v;
            s->origin[sym] = (xp_sym_origin){.input = pos, .dim = dim, .derived = derived};
            return XP_OK;
        }
        format_subject(input, dim, subject, sizeof subject);
        xp_dim_format(p->syms, expr, e, sizeof e);
        if (!exact)
            return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", which is not %s for any integer %s", subject, size, e,
                            sname);
        return range_error(p, input, subject, dim, e, sym, size, v, derived);
    }

    int64_t v = s->symvals[sym], want;
    bool ovf = !xp_i64_mul_checked(a, v, &want) || !xp_i64_add_checked(want, b, &want);
    if (!ovf && want == size) return XP_OK;
    format_subject(input, dim, subject, sizeof subject);
    xp_dim_format(p->syms, expr, e, sizeof e);
    char from[160];
    format_origin(p, s->origin[sym], from, sizeof from);
    if (ovf)
        return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", but must equal %s, which overflows (%s = %" PRId64 " from %s)",
                        subject, size, e, sname, v, from);
    if (!derived && !s->origin[sym].derived)
        return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", but must equal %s = %" PRId64 " (from %s)", subject, size,
                        e, want, from);
    return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", but must equal %s = %" PRId64 " (%s = %" PRId64 " from %s)",
                    subject, size, e, want, sname, v, from);
}

/* A dim that is not linear in one symbol: compared after every symbol it
 * uses has its value. */
static xp_status check_expr(const xp_program *p, struct xp_exec_state *s, const char *input, int dim, xp_dim expr,
                            int64_t size) {
    char subject[160], e[128];
    format_subject(input, dim, subject, sizeof subject);
    xp_dim_format(p->syms, expr, e, sizeof e);
    int syms[16];
    int ns = xp_dim_symbols(p->syms, expr, syms, 16);
    if (ns > 16) ns = 16;
    char because[512] = "";
    size_t used = 0;
    for (int k = 0; k < ns; k++) {
        int sym = syms[k];
        if (s->origin[sym].input < 0)
            return xp_error(XP_ERR_GUARD, "%s (%s) cannot be checked: no input dim determines symbol %s", subject, e,
                            xp_sym_name(p->syms, sym));
        char from[160];
        format_origin(p, s->origin[sym], from, sizeof from);
        int w = snprintf(because + used, sizeof because - used, "%s%s = %" PRId64 " from %s", k ? ", " : "",
                         xp_sym_name(p->syms, sym), s->symvals[sym], from);
        if (w > 0 && (size_t)w < sizeof because - used) used += (size_t)w;
    }
    int64_t want;
    xp_status st = xp_dim_eval(p->syms, expr, s->symvals, &want);
    if (st != XP_OK) return xp_error_prefix("%s (%s)", subject, e);
    if (want == size) return XP_OK;
    return xp_error(XP_ERR_GUARD, "%s is %" PRId64 ", but must equal %s = %" PRId64 " (%s)", subject, size, e, want,
                    because);
}

static bool is_integer_dtype(xp_dtype dt) { return xp_dtype_is_int(dt); }

static xp_status check_symint(const xp_program *p, struct xp_exec_state *s, const xp_value *val, xp_tensor *t,
                              int pos) {
    if (t->meta.ndim != 0 || !is_integer_dtype(t->meta.dtype)) {
        char m[160];
        xp_meta_format(p, &t->meta, m, sizeof m);
        return xp_error(XP_ERR_GUARD, "input %s: expected a 0-d integer tensor (a symbolic int), got %s", val->name,
                        m);
    }
    if (!t->storage || t->storage->device)
        return xp_error(XP_ERR_INVALID_ARG, "input %s has no host data", val->name);
    int64_t v = xp_load_i64(t->meta.dtype, xp_tensor_base_ptr(t));
    int sym;
    int64_t a, b;
    if (!xp_dim_as_linear(p->syms, val->sym, &sym, &a, &b))
        return xp_error(XP_ERR_FORMAT, "input %s: a symbolic int input must be bound to one symbol", val->name);
    return check_linear(p, s, val->name, pos, -1, val->sym, sym, a, b, v);
}

static xp_status check_tensor(const xp_program *p, struct xp_exec_state *s, const xp_value *val, xp_tensor *t,
                              int pos, bool *has_nonlinear) {
    const char *name = val->name;
    if (t->meta.dtype != val->meta.dtype)
        return xp_error(XP_ERR_GUARD, "input %s: expected %s, got %s", name, xp_dtype_name(val->meta.dtype),
                        xp_dtype_name(t->meta.dtype));
    if (t->meta.ndim != val->meta.ndim)
        return xp_error(XP_ERR_GUARD, "input %s: expected %d dims, got %d", name, val->meta.ndim, t->meta.ndim);
    if (!t->storage) return xp_error(XP_ERR_INVALID_ARG, "input %s has no data (a shape-only tensor)", name);
    for (int d = 0; d < val->meta.ndim; d++) {
        xp_dim e = val->meta.shape[d];
        int64_t size = t->meta.shape[d];
        if (!xp_dim_is_sym(e)) {
            if (e != size)
                return xp_error(XP_ERR_GUARD, "input %s: dim %d is %" PRId64 ", but the program was exported with size %" PRId64,
                                name, d, size, (int64_t)e);
            continue;
        }
        int sym;
        int64_t a, b;
        if (xp_dim_as_linear(p->syms, e, &sym, &a, &b)) {
            xp_status st = check_linear(p, s, name, pos, d, e, sym, a, b, size);
            if (st != XP_OK) return st;
        } else {
            *has_nonlinear = true;
        }
    }
    return XP_OK;
}

static void format_input_list(const xp_program *p, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0, k = 0; i < p->nsig_in; i++) {
        if (xp_exec_is_weight_kind(p->sig_in[i].kind)) continue;
        int w = snprintf(buf + used, n - used, "%s%s", k++ ? ", " : "", value_name(p, p->sig_in[i].value));
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
    }
}

xp_status xp_guard_check(const xp_program *p, struct xp_exec_state *s, xp_tensor *const *inputs, int n_inputs) {
    int want = xp_program_num_inputs(p);
    if (n_inputs != want || (n_inputs > 0 && !inputs)) {
        char names[256];
        format_input_list(p, names, sizeof names);
        return xp_error(XP_ERR_INVALID_ARG, "program %s takes %d input%s (%s), got %d", p->name, want,
                        want == 1 ? "" : "s", names, n_inputs);
    }
    for (int k = 0; k < s->nsyms; k++) {
        s->symvals[k] = -1;
        s->origin[k] = (xp_sym_origin){.input = -1, .dim = -1};
    }

    bool has_nonlinear = false;
    for (int i = 0, pos = 0; i < p->nsig_in; i++) {
        if (xp_exec_is_weight_kind(p->sig_in[i].kind)) continue;
        const xp_value *val = &p->graph->values[p->sig_in[i].value];
        xp_tensor *t = inputs[pos];
        if (!t) return xp_error(XP_ERR_INVALID_ARG, "input %s is NULL", val->name);
        xp_status st = val->kind == XP_VAL_SYMINT ? check_symint(p, s, val, t, pos)
                                                   : check_tensor(p, s, val, t, pos, &has_nonlinear);
        if (st != XP_OK) return st;
        pos++;
    }
    if (!has_nonlinear) return XP_OK;

    for (int i = 0, pos = 0; i < p->nsig_in; i++) {
        if (xp_exec_is_weight_kind(p->sig_in[i].kind)) continue;
        const xp_value *val = &p->graph->values[p->sig_in[i].value];
        xp_tensor *t = inputs[pos++];
        if (val->kind == XP_VAL_SYMINT) continue;
        for (int d = 0; d < val->meta.ndim; d++) {
            xp_dim e = val->meta.shape[d];
            int sym;
            int64_t a, b;
            if (!xp_dim_is_sym(e) || xp_dim_as_linear(p->syms, e, &sym, &a, &b)) continue;
            xp_status st = check_expr(p, s, val->name, d, e, t->meta.shape[d]);
            if (st != XP_OK) return st;
        }
    }
    return XP_OK;
}
