/*
 * `xport show`: the program as text (DESIGN §4).
 *
 *   exported program forward
 *   graph(x: f32[batch, 100], ...):
 *     %add    = xp.add(x, y)      f32[batch, 100]  model.c:19:33
 *     return (%add)
 *   signature:
 *     x, y  USER_INPUT
 *   range constraints:
 *     batch: [1, 1024]
 *   specializations:
 *     model.c:12:9: 'xp_size(x, 0) <= 16' is true for batch in [1, 16]
 *
 * Graph inputs print bare, node outputs with '%'. Tensor arguments print
 * positionally; other arguments print as name=value, and only when they
 * differ from the schema's default. Columns are aligned per graph; the
 * type and location columns start five spaces after the longest call so
 * they read as annotations. A cond node's branches follow it, indented.
 */
#include "ir/ir_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable strings ---- */

static bool sb_reserve(xp_sb *sb, size_t extra) {
    if (sb->oom) return false;
    if (sb->len + extra + 1 <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *b = realloc(sb->buf, cap);
    if (!b) {
        sb->oom = true;
        return false;
    }
    sb->buf = b;
    sb->cap = cap;
    return true;
}

void xp_sb_printf(xp_sb *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(sb, (size_t)n)) return;
    if ((size_t)n < sizeof small) {
        memcpy(sb->buf + sb->len, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

void xp_sb_puts(xp_sb *sb, const char *s) {
    size_t n = strlen(s);
    if (!sb_reserve(sb, n)) return;
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
}

void xp_sb_dim(xp_sb *sb, const xp_symctx *ctx, xp_dim d) {
    if (!xp_dim_is_valid(d)) {
        xp_sb_puts(sb, "<invalid>");
        return;
    }
    if (!xp_dim_is_sym(d)) {
        xp_sb_printf(sb, "%lld", (long long)d);
        return;
    }
    if (!ctx) {
        xp_sb_puts(sb, "<symbolic>");
        return;
    }
    char small[128];
    int n = xp_dim_format(ctx, d, small, sizeof small);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        xp_sb_puts(sb, small);
        return;
    }
    if (!sb_reserve(sb, (size_t)n)) return;
    xp_dim_format(ctx, d, sb->buf + sb->len, (size_t)n + 1);
    sb->len += (size_t)n;
}

void xp_sb_meta(xp_sb *sb, const xp_symctx *ctx, const xp_meta *m) {
    xp_sb_printf(sb, "%s[", (unsigned)m->dtype < XP_DTYPE_COUNT ? xp_dtype_name(m->dtype) : "?");
    for (int d = 0; d < m->ndim && d < XP_MAX_DIMS; d++) {
        if (d) xp_sb_puts(sb, ", ");
        xp_sb_dim(sb, ctx, m->shape[d]);
    }
    xp_sb_puts(sb, "]");
}

void xp_sb_float(xp_sb *sb, double f) {
    if (isnan(f)) {
        xp_sb_puts(sb, "nan");
        return;
    }
    if (isinf(f)) {
        xp_sb_puts(sb, f > 0 ? "inf" : "-inf");
        return;
    }
    /* Python's repr: the shortest digits that read back exactly, written
     * positionally unless the exponent is below -4 or at least 16. */
    char buf[64];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f) break;
    }
    snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
    int exp10 = atoi(strchr(buf, 'e') + 1);
    if (exp10 >= -4 && exp10 < 16) {
        int decimals = prec - 1 - exp10;
        snprintf(buf, sizeof buf, "%.*f", decimals > 0 ? decimals : 0, f);
    }
    xp_sb_puts(sb, buf);
    if (!strpbrk(buf, ".e")) xp_sb_puts(sb, ".0");
}

void xp_sb_free(xp_sb *sb) {
    free(sb->buf);
    memset(sb, 0, sizeof *sb);
}

/* Copies the builder's text into buf snprintf-style; returns its length. */
static int sb_export(xp_sb *sb, char *buf, size_t n) {
    const char *s = xp_sb_str(sb);
    int len = (int)strlen(s);
    if (buf && n) snprintf(buf, n, "%s", s);
    xp_sb_free(sb);
    return len;
}

/* ---- public formatting ---- */

static void sb_srcloc(xp_sb *sb, const xp_program *p, xp_srcloc loc) {
    if (!p || loc.file < 0 || loc.file >= p->nfiles) return;
    xp_sb_puts(sb, p->files[loc.file]);
    if (loc.line > 0) {
        xp_sb_printf(sb, ":%d", (int)loc.line);
        if (loc.col > 0) xp_sb_printf(sb, ":%d", (int)loc.col);
    }
}

int xp_srcloc_format(const xp_program *p, xp_srcloc loc, char *buf, size_t n) {
    xp_sb sb = {0};
    sb_srcloc(&sb, p, loc);
    return sb_export(&sb, buf, n);
}

int xp_meta_format(const xp_program *p, const xp_meta *m, char *buf, size_t n) {
    xp_sb sb = {0};
    if (m) xp_sb_meta(&sb, p ? p->syms : NULL, m);
    return sb_export(&sb, buf, n);
}

void xp_ir_node_label(const xp_program *p, const xp_node *n, char *buf, size_t size) {
    char loc[256];
    xp_srcloc_format(p, n->loc, loc, sizeof loc);
    const char *name = n->name ? n->name : "?";
    if (loc[0])
        snprintf(buf, size, "%%%s (%s)", name, loc);
    else
        snprintf(buf, size, "%%%s", name);
}

/* ---- the program ---- */

static void sb_value(xp_sb *sb, const xp_graph *g, int32_t id) {
    if (id < 0 || id >= g->nvalues || !g->values[id].name)
        xp_sb_printf(sb, "<bad value %d>", (int)id);
    else if (xp_value_is_symint_output(g, id)) /* a size returned: its expression */
        xp_sb_dim(sb, g->prog->syms, g->values[id].sym);
    else
        xp_sb_printf(sb, "%s%s", g->values[id].producer >= 0 ? "%" : "", g->values[id].name);
}

static void sb_narg(xp_sb *sb, const xp_graph *g, const xp_narg *a) {
    const xp_symctx *ctx = g->prog->syms;
    switch (a->kind) {
    case XP_ARG_NONE: xp_sb_puts(sb, "None"); break;
    case XP_ARG_TENSOR: sb_value(sb, g, a->value); break;
    case XP_ARG_TENSOR_LIST:
        xp_sb_puts(sb, "[");
        for (int k = 0; k < a->vl.n; k++) {
            if (k) xp_sb_puts(sb, ", ");
            sb_value(sb, g, a->vl.v[k]);
        }
        xp_sb_puts(sb, "]");
        break;
    case XP_ARG_INT: xp_sb_dim(sb, ctx, a->i); break;
    case XP_ARG_INT_LIST:
        xp_sb_puts(sb, "[");
        for (int k = 0; k < a->il.n; k++) {
            if (k) xp_sb_puts(sb, ", ");
            xp_sb_dim(sb, ctx, a->il.v[k]);
        }
        xp_sb_puts(sb, "]");
        break;
    case XP_ARG_FLOAT: xp_sb_float(sb, a->f); break;
    case XP_ARG_BOOL: xp_sb_puts(sb, a->b ? "true" : "false"); break;
    case XP_ARG_DTYPE: xp_sb_puts(sb, (unsigned)a->dt < XP_DTYPE_COUNT ? xp_dtype_name(a->dt) : "?"); break;
    default: xp_sb_printf(sb, "<bad argument kind %d>", (int)a->kind); break;
    }
}

static bool narg_is_default(const xp_narg *a, const xp_schema_arg *s) {
    if (!s->has_default) return false;
    const xp_arg *d = &s->default_value;
    if (a->kind != d->kind) return false;
    switch (a->kind) {
    case XP_ARG_NONE: return true;
    case XP_ARG_INT: return a->i == d->i;
    case XP_ARG_INT_LIST:
        if (a->il.n != d->il.n) return false;
        for (int k = 0; k < a->il.n; k++)
            if (a->il.v[k] != d->il.v[k]) return false;
        return true;
    case XP_ARG_FLOAT: return a->f == d->f;
    case XP_ARG_BOOL: return a->b == d->b;
    case XP_ARG_DTYPE: return a->dt == d->dt;
    default: return false;
    }
}

static void sb_call(xp_sb *sb, const xp_graph *g, const xp_node *n) {
    const xp_op_def *def = xp_op_get(n->op);
    const xp_schema *s = def ? def->schema : NULL;
    xp_sb_printf(sb, "xp.%s(", def ? def->name : "?");
    bool positional = true, first = true;
    for (int i = 0; i < n->nargs; i++) {
        const xp_narg *a = &n->args[i];
        const xp_schema_arg *sa = s && i < s->nargs ? &s->args[i] : NULL;
        if (sa && narg_is_default(a, sa)) {
            positional = false;
            continue;
        }
        bool tensor = a->kind == XP_ARG_TENSOR || a->kind == XP_ARG_TENSOR_LIST;
        if (sa && (sa->kwarg_only || !tensor)) positional = false;
        if (!first) xp_sb_puts(sb, ", ");
        first = false;
        if (!positional && sa) xp_sb_printf(sb, "%s=", sa->name);
        sb_narg(sb, g, a);
    }
    xp_sb_puts(sb, ")");
}

static void sb_node_type(xp_sb *sb, const xp_graph *g, const xp_node *n) {
    if (n->nouts != 1) xp_sb_puts(sb, "(");
    for (int k = 0; k < n->nouts; k++) {
        if (k) xp_sb_puts(sb, ", ");
        int32_t id = n->outs[k];
        if (id >= 0 && id < g->nvalues)
            xp_sb_meta(sb, g->prog->syms, &g->values[id].meta);
        else
            xp_sb_puts(sb, "?");
    }
    if (n->nouts != 1) xp_sb_puts(sb, ")");
}

static void sb_input_decl(xp_sb *sb, const xp_graph *g, int32_t id) {
    sb_value(sb, g, id);
    if (id < 0 || id >= g->nvalues) return;
    const xp_value *v = &g->values[id];
    xp_sb_puts(sb, ": ");
    if (v->kind == XP_VAL_SYMINT) {
        xp_sb_puts(sb, "SymInt(");
        xp_sb_dim(sb, g->prog->syms, v->sym);
        xp_sb_puts(sb, ")");
    } else {
        xp_sb_meta(sb, g->prog->syms, &v->meta);
    }
}

static void put_trimmed(FILE *f, xp_sb *line) {
    const char *s = xp_sb_str(line);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') n--;
    fwrite(s, 1, n, f);
    fputc('\n', f);
    line->len = 0;
    if (line->buf) line->buf[0] = '\0';
}

#define CALL_GAP 5
#define COL_GAP 2

static void print_graph(const xp_program *p, const xp_graph *g, FILE *f, int indent, const char *head, int depth) {
    xp_sb line = {0};
    xp_sb_printf(&line, "%*s%s(", indent, "", head);
    for (int i = 0; i < g->ninputs; i++) {
        if (i) xp_sb_puts(&line, ", ");
        sb_input_decl(&line, g, g->inputs[i]);
    }
    xp_sb_puts(&line, "):");
    put_trimmed(f, &line);

    int n = g->nnodes;
    xp_sb *cols = calloc((size_t)n * 4 + 1, sizeof *cols);
    if (!cols) return;
    size_t w[4] = {0};
    for (int i = 0; i < n; i++) {
        const xp_node *node = &g->nodes[i];
        xp_sb *c = &cols[i * 4];
        for (int k = 0; k < node->nouts; k++) {
            if (k) xp_sb_puts(&c[0], ", ");
            sb_value(&c[0], g, node->outs[k]);
        }
        sb_call(&c[1], g, node);
        sb_node_type(&c[2], g, node);
        sb_srcloc(&c[3], p, node->loc);
        for (int k = 0; k < 4; k++)
            if (strlen(xp_sb_str(&c[k])) > w[k]) w[k] = strlen(xp_sb_str(&c[k]));
    }
    for (int i = 0; i < n; i++) {
        xp_sb *c = &cols[i * 4];
        xp_sb_printf(&line, "%*s%-*s = %-*s%-*s%s", indent + 2, "", (int)w[0], xp_sb_str(&c[0]), (int)(w[1] + CALL_GAP),
                     xp_sb_str(&c[1]), (int)(w[2] + COL_GAP), xp_sb_str(&c[2]), xp_sb_str(&c[3]));
        put_trimmed(f, &line);
        const xp_node *node = &g->nodes[i];
        for (int k = 0; k < node->nsub; k++) {
            char sub_head[32];
            if (node->op == XP_OP_cond && node->nsub == 2)
                snprintf(sub_head, sizeof sub_head, "%s", k ? "false_branch" : "true_branch");
            else if (node->op == XP_OP_map && node->nsub == 1)
                snprintf(sub_head, sizeof sub_head, "body");
            else
                snprintf(sub_head, sizeof sub_head, "subgraph_%d", k);
            if (!node->sub[k]) continue;
            if (depth >= XP_IR_MAX_DEPTH) {
                fprintf(f, "%*s%s: ...\n", indent + 4, "", sub_head);
                continue;
            }
            print_graph(p, node->sub[k], f, indent + 4, sub_head, depth + 1);
        }
        for (int k = 0; k < 4; k++) xp_sb_free(&c[k]);
    }
    free(cols);

    xp_sb_printf(&line, "%*sreturn (", indent + 2, "");
    for (int i = 0; i < g->noutputs; i++) {
        if (i) xp_sb_puts(&line, ", ");
        sb_value(&line, g, g->outputs[i]);
    }
    xp_sb_puts(&line, ")");
    put_trimmed(f, &line);
    xp_sb_free(&line);
}

typedef struct sig_row {
    xp_sb name;
    const char *kind;
    const char *target;
    bool output;
} sig_row;

static void print_signature(const xp_program *p, FILE *f) {
    const xp_graph *g = p->graph;
    sig_row *rows = calloc((size_t)(p->nsig_in + p->nsig_out) + 1, sizeof *rows);
    if (!rows) return;
    int nrows = 0;
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        bool group = in->kind == XP_IN_USER_INPUT && i > 0 && p->sig_in[i - 1].kind == XP_IN_USER_INPUT;
        sig_row *r = group ? &rows[nrows - 1] : &rows[nrows++];
        if (group) xp_sb_puts(&r->name, ", ");
        sb_value(&r->name, g, in->value);
        r->kind = xp_input_kind_name(in->kind);
        r->target = in->target;
    }
    for (int i = 0; i < p->nsig_out; i++) {
        sig_row *r = &rows[nrows++];
        sb_value(&r->name, g, p->sig_out[i].value);
        r->kind = xp_output_kind_name(p->sig_out[i].kind);
        r->target = p->sig_out[i].target;
        r->output = true;
    }
    size_t wname = 0, wkind[2] = {0};
    for (int i = 0; i < nrows; i++) {
        size_t ln = strlen(xp_sb_str(&rows[i].name)), lk = strlen(rows[i].kind);
        if (ln > wname) wname = ln;
        if (lk > wkind[rows[i].output]) wkind[rows[i].output] = lk;
    }
    fputs("signature:\n", f);
    xp_sb line = {0};
    for (int i = 0; i < nrows; i++) {
        sig_row *r = &rows[i];
        xp_sb_printf(&line, "  %-*s%-*s%s", (int)(wname + COL_GAP), xp_sb_str(&r->name),
                     (int)(wkind[r->output] + COL_GAP), r->kind, r->target ? r->target : "");
        put_trimmed(f, &line);
        xp_sb_free(&r->name);
    }
    xp_sb_free(&line);
    free(rows);
}

static void print_bound(FILE *f, int64_t v) {
    if (v >= XP_SYM_MAX_DEFAULT)
        fputs("inf", f);
    else
        fprintf(f, "%lld", (long long)v);
}

static void print_ranges(const xp_program *p, FILE *f) {
    int nsym = xp_sym_count(p->syms);
    /* derived dims: non-symbol expressions in the input shapes, each once */
    xp_dim *derived = NULL;
    int nderived = 0, cap = 0;
    const xp_graph *g = p->graph;
    for (int i = 0; i < g->ninputs; i++) {
        int32_t id = g->inputs[i];
        if (id < 0 || id >= g->nvalues || g->values[id].kind != XP_VAL_TENSOR) continue;
        const xp_meta *m = &g->values[id].meta;
        for (int d = 0; d < m->ndim && d < XP_MAX_DIMS; d++) {
            xp_dim x = m->shape[d];
            if (!xp_dim_is_sym(x) || xp_dim_as_symbol(p->syms, x) >= 0) continue;
            bool seen = false;
            for (int k = 0; k < nderived && !seen; k++) seen = derived[k] == x;
            if (seen) continue;
            if (nderived == cap) {
                xp_dim *nd = realloc(derived, (size_t)(cap ? cap * 2 : 8) * sizeof *nd);
                if (!nd) break;
                derived = nd;
                cap = cap ? cap * 2 : 8;
            }
            derived[nderived++] = x;
        }
    }
    if (nsym == 0 && nderived == 0) {
        free(derived);
        return;
    }
    fputs("range constraints:\n", f);
    for (int s = 0; s < nsym; s++) {
        fprintf(f, "  %s: [", xp_sym_name(p->syms, s));
        print_bound(f, xp_sym_min(p->syms, s));
        fputs(", ", f);
        print_bound(f, xp_sym_max(p->syms, s));
        fputs("]\n", f);
    }
    for (int k = 0; k < nderived; k++) {
        xp_sb sb = {0};
        xp_sb_dim(&sb, p->syms, derived[k]);
        int64_t lo = 0, hi = 0;
        xp_dim_range(p->syms, derived[k], &lo, &hi);
        fprintf(f, "  %s: [", xp_sb_str(&sb));
        print_bound(f, lo);
        fputs(", ", f);
        print_bound(f, hi);
        fputs("]\n", f);
        xp_sb_free(&sb);
    }
    free(derived);
}

/* "  model.c:12:9: 'xp_size(x, 0) <= 16' is true for batch in [1, 16]",
 * one line per specialization; nothing when there are none. */
static void print_specializations(const xp_program *p, FILE *f) {
    if (p->nspecs <= 0) return;
    fputs("specializations:\n", f);
    for (int i = 0; i < p->nspecs; i++) {
        xp_sb sb = {0};
        sb_srcloc(&sb, p, p->specs[i].loc);
        const char *where = xp_sb_str(&sb);
        fprintf(f, "  %s%s%s\n", where, *where ? ": " : "", p->specs[i].text);
        xp_sb_free(&sb);
    }
}

void xp_program_print(const xp_program *p, FILE *f) {
    if (!p || !f || !p->graph) return;
    fprintf(f, "exported program %s\n", p->name ? p->name : "");
    print_graph(p, p->graph, f, 0, "graph", 0);
    print_signature(p, f);
    print_ranges(p, f);
    print_specializations(p, f);
}
