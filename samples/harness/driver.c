/* The generic driver of the supported samples (samples/sample.h).
 *
 *     app [PROGRAM.xpg]
 *     app --trace PROGRAM.xpg
 *
 * Loads the sample's exported program (embedded by the plugin, or from a
 * .xpg file), reads its signature, and for a few symbol assignments in the
 * declared ranges makes random user inputs and weights of the declared
 * dtypes and shapes, runs the program and the sample's eager adapter on
 * equal copies, and checks that every output and every input afterwards
 * (user-input mutations) agree; the same again for the program with every
 * op decomposed into the core opset (xp_program_run_decompositions with
 * the full table). Built without the plugin.
 *
 * With --trace (the sample itself built with GCC, no plugin: non-strict
 * export, issue 7) it traces the adapter with xp_export_trace_n (the
 * adapter's outputs, a struct's fields included), with a spec
 * generated from the plugin's program (its dims and their ranges, its user
 * inputs' names, dtypes and shapes) and each weight the adapter asks for
 * named by its access path, then checks that the traced program has the
 * plugin's ops in order (subgraphs included), signature (kinds, targets,
 * placeholder names) and range constraints, and that both programs give
 * equal outputs and input mutations on the same random inputs and weights.
 * Both programs are compared as exported (not decomposed): they come from
 * the same capture library, so their ops must be the same. For that run
 * the sample is compiled with comparison tracing, and this file defines
 * the hooks (XPORT_TRACE_CMP): the tracer sees its size comparisons. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XPORT_TRACE_CMP
#include "core/xp_core.h"
#include "ir/xp_ir.h"
#include "ops/xp_registry.h"
#include "sample.h"
#include "sym/xp_sym.h"

#define MAX_INPUTS 64
#define TRIALS 6

static uint64_t seed = 0x5eed;

static double uniform(void) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(seed >> 11) / (double)(1ull << 53);
}

static void die(const char *what) {
    fprintf(stderr, "sample %s: %s: %s\n", xp_sample_program, what, xp_last_error());
    exit(1);
}

/* Random values of dtype dt: floats in [-1, 1); integers in [0, 4) so that
 * an integer input can index a small table; booleans half true. */
static xp_tensor *random_tensor(xp_dtype dt, int ndim, const int64_t *shape) {
    xp_scope *scope = xp_scope_push();
    xp_tensor *f = xp_tensor_new(XP_F64, ndim, shape);
    if (!f) die("allocating a tensor");
    double *d = xp_data(f);
    for (int64_t i = 0; i < xp_numel(f); i++) {
        double u = uniform();
        d[i] = dt == XP_BOOL ? (u < 0.5) : xp_dtype_is_float(dt) ? 2 * u - 1 : floor(4 * u);
    }
    xp_tensor *t = xp_contiguous(xp_to(f, dt));
    if (!t) die("converting a tensor");
    xp_tensor *kept = xp_keep(xp_tensor_from(dt, ndim, shape, xp_data(t)));
    xp_scope_pop(scope);
    return kept;
}

static xp_tensor *copy_of(xp_tensor *t) {
    int64_t shape[XP_MAX_DIMS];
    for (int d = 0; d < xp_ndim(t); d++) shape[d] = xp_size(t, d);
    xp_scope *scope = xp_scope_push();
    xp_tensor *c = xp_keep(xp_tensor_from(xp_dtype_of(t), xp_ndim(t), shape, xp_data(xp_contiguous(t))));
    xp_scope_pop(scope);
    return c;
}

static struct {
    const char *target;
    xp_tensor *t;
} weights[MAX_INPUTS];
static int nweights;

static xp_tensor *weight(const char *target) {
    for (int i = 0; i < nweights; i++)
        if (!strcmp(weights[i].target, target)) return weights[i].t;
    fprintf(stderr, "sample %s: the adapter asked for weight '%s', which the program does not have\n",
            xp_sample_program, target);
    exit(1);
}

/* Both tensors as f64; results of one dtype and shape agree to a few ulps
 * of float accumulation: eager and exported runs call the same kernels on
 * samples with at most a few hundred terms per reduction, so 1e-5 of the
 * result's scale (~ K * 2^-24 for K <= 160) bounds the difference. */
static int compare(const char *what, int idx, xp_tensor *got, xp_tensor *want) {
    if (xp_dtype_of(got) != xp_dtype_of(want) || xp_ndim(got) != xp_ndim(want)) {
        fprintf(stderr, "sample %s: %s %d: exported %s/%d dims, eager %s/%d dims\n", xp_sample_program, what, idx,
                xp_dtype_name(xp_dtype_of(got)), xp_ndim(got), xp_dtype_name(xp_dtype_of(want)), xp_ndim(want));
        return 1;
    }
    for (int d = 0; d < xp_ndim(got); d++)
        if (xp_size(got, d) != xp_size(want, d)) {
            fprintf(stderr, "sample %s: %s %d: dim %d is %lld exported, %lld eager\n", xp_sample_program, what,
                    idx, d, (long long)xp_size(got, d), (long long)xp_size(want, d));
            return 1;
        }
    xp_scope *scope = xp_scope_push();
    const double *a = xp_data(xp_contiguous(xp_to(got, XP_F64)));
    const double *b = xp_data(xp_contiguous(xp_to(want, XP_F64)));
    double scale = 1, worst = 0;
    for (int64_t i = 0; i < xp_numel(want); i++) scale = fmax(scale, fabs(b[i]));
    for (int64_t i = 0; i < xp_numel(want); i++) worst = fmax(worst, fabs(a[i] - b[i]));
    xp_scope_pop(scope);
    if (!(worst <= 1e-5 * scale)) {
        fprintf(stderr, "sample %s: %s %d: max |exported - eager| = %g (scale %g)\n", xp_sample_program, what, idx,
                worst, scale);
        return 1;
    }
    return 0;
}

/* Symbol values for trial k: small and larger sizes (from 1), each moved
 * inside [min, max]. Six trials also give a cond on random data both of
 * its branches with probability 1 - 2^-5. */
static int64_t pick(int64_t lo, int64_t hi, int k) {
    static const int64_t want[TRIALS] = {1, 3, 11, 2, 5, 16};
    int64_t v = want[k] < lo ? lo + k : want[k];
    return v > hi ? hi : v;
}

static const char *second = "decomposed program"; /* what programs[1] is */

/* Runs programs[0] (as exported) and programs[1] (every op decomposed into
 * the core opset, or the traced program) and the eager adapter on one
 * symbol assignment. */
static int run_trial(xp_program *const *programs, int k) {
    xp_program *p = programs[0];
    int nsym = xp_sym_count(p->syms);
    int64_t vals[256];
    if (nsym > 256) die("too many symbols");
    for (int s = 0; s < nsym; s++) vals[s] = pick(xp_sym_min(p->syms, s), xp_sym_max(p->syms, s), k);

    xp_tensor *run_in[MAX_INPUTS], *eager_in[MAX_INPUTS];
    int nrun = 0;
    nweights = 0;
    if (p->nsig_in > MAX_INPUTS) die("too many inputs");
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        const xp_value *v = &p->graph->values[in->value];
        if (in->kind == XP_IN_SYMINT) {
            int64_t n;
            if (xp_dim_eval(p->syms, v->sym, vals, &n) != XP_OK) die("evaluating a symbolic int");
            run_in[nrun] = xp_tensor_from(XP_I64, 0, NULL, &n);
            eager_in[nrun] = copy_of(run_in[nrun]);
            nrun++;
            continue;
        }
        int64_t shape[XP_MAX_DIMS];
        for (int d = 0; d < v->meta.ndim; d++)
            if (xp_dim_eval(p->syms, v->meta.shape[d], vals, &shape[d]) != XP_OK) die("evaluating a shape");
        xp_tensor *t = random_tensor(v->meta.dtype, v->meta.ndim, shape);
        if (in->kind == XP_IN_USER_INPUT) {
            run_in[nrun] = t;
            eager_in[nrun] = copy_of(t);
            nrun++;
        } else {
            for (int q = 0; q < 2; q++)
                if (xp_program_bind_tensor(programs[q], in->target, t) != XP_OK) die("binding a weight");
            weights[nweights].target = in->target;
            weights[nweights].t = t;
            nweights++;
        }
    }

    int nout = xp_program_num_outputs(p);
    if (nout > XP_SAMPLE_MAX_OUTPUTS) die("too many outputs");
    xp_tensor *got[XP_SAMPLE_MAX_OUTPUTS] = {0}, *dgot[XP_SAMPLE_MAX_OUTPUTS] = {0};
    xp_tensor *want[XP_SAMPLE_MAX_OUTPUTS] = {0}, *drun_in[MAX_INPUTS];
    for (int i = 0; i < nrun; i++) drun_in[i] = copy_of(run_in[i]);
    if (xp_program_run(p, run_in, nrun, got, nout) != XP_OK) die("running the exported program");
    if (xp_program_run(programs[1], drun_in, nrun, dgot, nout) != XP_OK) {
        fprintf(stderr, "sample %s: running the %s: %s\n", xp_sample_program, second, xp_last_error());
        exit(1);
    }
    xp_scope *scope = xp_scope_push();
    xp_sample_args args = {eager_in, weight};
    int neager = xp_sample_eager(&args, want);
    if (neager != nout) {
        fprintf(stderr, "sample %s: the adapter returned %d outputs, the program has %d\n", xp_sample_program,
                neager, nout);
        return 1;
    }
    int bad = 0;
    char what[2][96];
    snprintf(what[0], sizeof what[0], "%s's output", second);
    snprintf(what[1], sizeof what[1], "input after the run of the %s", second);
    for (int o = 0; o < nout; o++) {
        if (!want[o]) die("running the sample eagerly");
        bad |= compare("output", o, got[o], want[o]);
        bad |= compare(what[0], o, dgot[o], want[o]);
        if (!strcmp(second, "traced program")) bad |= compare(what[0], o, dgot[o], got[o]);
    }
    for (int i = 0; i < nrun; i++) {
        bad |= compare("input after the run", i, run_in[i], eager_in[i]);
        bad |= compare(what[1], i, drun_in[i], eager_in[i]);
    }
    xp_scope_pop(scope);
    printf("sizes");
    for (int s = 0; s < nsym; s++) printf(" %s=%lld", xp_sym_name(p->syms, s), (long long)vals[s]);
    printf(": %d outputs %s\n", nout, bad ? "differ" : "agree");
    for (int o = 0; o < nout; o++) {
        xp_tensor_free(got[o]);
        xp_tensor_free(dgot[o]);
    }
    for (int i = 0; i < nrun; i++) {
        xp_tensor_free(run_in[i]);
        xp_tensor_free(drun_in[i]);
        xp_tensor_free(eager_in[i]);
    }
    for (int i = 0; i < nweights; i++) xp_tensor_free(weights[i].t);
    return bad;
}

/* ---- --trace: the adapter traced (xp_export_trace) against the plugin's program ---- */

/* The weights the traced adapter reads, named by access path. */
static struct {
    const char *target;
    xp_tensor *t;
} tweights[MAX_INPUTS];
static int ntweights;

static xp_tensor *trace_weight(const char *target) {
    for (int i = 0; i < ntweights; i++)
        if (!strcmp(tweights[i].target, target)) return tweights[i].t;
    fprintf(stderr, "sample %s: the adapter asked for weight '%s', which the program does not have\n",
            xp_sample_program, target);
    exit(1);
}

static int traced_adapter(void *user_data, xp_tensor *const *inputs, xp_tensor **outputs) {
    (void)user_data;
    xp_sample_args args = {inputs, trace_weight};
    return xp_sample_eager(&args, outputs); /* XP_SAMPLE_MAX_OUTPUTS <= XP_TRACE_MAX_OUTPUTS */
}

/* Appends printf-style text to a growing buffer. */
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) die("formatting the spec");
        if (*buf && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return;
        }
        *cap = (*cap + (size_t)n + 1) * 2;
        *buf = realloc(*buf, *cap);
        if (!*buf) die("allocating the spec");
    }
}

/* The xp_export_trace spec of a program: a dim(...) per symbol with its
 * range, then an input(...) per USER_INPUT and SYMINT (input(n, int)) in
 * signature order, a shape written as the program prints it
 * ("f32[dx + 1, 4]"). NULL (with a reason in *why) for a program the spec
 * grammar cannot describe. */
static char *spec_of(const xp_program *p, const char **why) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int s = 0; s < xp_sym_count(p->syms); s++)
        append(&buf, &len, &cap, "dim(%s, min=%lld, max=%lld); ", xp_sym_name(p->syms, s),
               (long long)xp_sym_min(p->syms, s), (long long)xp_sym_max(p->syms, s));
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        const xp_value *v = &p->graph->values[in->value];
        if (in->kind == XP_IN_SYMINT) {
            int sym = xp_dim_as_symbol(p->syms, v->sym);
            if (sym < 0 || strcmp(xp_sym_name(p->syms, sym), v->name)) {
                *why = "a SYMINT input that is not a dim of its own name (input(NAME, int) names a dim)";
                free(buf);
                return NULL;
            }
            append(&buf, &len, &cap, "input(%s, int); ", v->name);
            continue;
        }
        if (in->kind != XP_IN_USER_INPUT) continue;
        append(&buf, &len, &cap, "input(%s, %s[", v->name, xp_dtype_name(v->meta.dtype));
        for (int d = 0; d < v->meta.ndim; d++) {
            char text[256];
            xp_dim_format(p->syms, v->meta.shape[d], text, sizeof text);
            append(&buf, &len, &cap, "%s%s", d ? ", " : "", text);
        }
        append(&buf, &len, &cap, "]); ");
    }
    if (len >= 2) buf[len - 2] = '\0';
    return buf;
}

/* Node ops in order, subgraphs inline (bracketed), as one line of text. */
static void ops_of(const xp_graph *g, char **buf, size_t *len, size_t *cap) {
    for (int i = 0; i < g->nnodes; i++) {
        const xp_node *nd = &g->nodes[i];
        const xp_op_def *op = xp_op_get(nd->op);
        append(buf, len, cap, "%s ", op ? op->name : "?");
        for (int k = 0; k < nd->nsub; k++) {
            append(buf, len, cap, "{ ");
            ops_of(nd->sub[k], buf, len, cap);
            append(buf, len, cap, "} ");
        }
    }
}

/* A canonical hash of a graph's dataflow, independent of the order its
 * nodes were recorded in: C leaves the evaluation order of a call's
 * arguments unspecified (GCC evaluates them right to left, the plugin
 * left to right), so xp_add(xp_sin(x), xp_cos(x)) records sin, cos in one
 * and cos, sin in the other. A value hashes as its producer's op,
 * arguments (recursively; sizes as the program prints them) and
 * subgraphs; a top-level placeholder by name, a subgraph's by position. */
static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0x100000001b3ull;
}

static uint64_t mix_str(uint64_t h, const char *s) {
    for (; *s; s++) h = mix(h, (unsigned char)*s);
    return mix(h, 0xff);
}

static uint64_t graph_hash(const xp_program *p, const xp_graph *g, bool top, uint64_t *node_hashes);

static uint64_t dim_hash(const xp_program *p, uint64_t h, xp_dim d) {
    char text[256];
    xp_dim_format(p->syms, d, text, sizeof text);
    return mix_str(h, text);
}

/* vh[v]: the hash of value v (0: not yet computed). */
static uint64_t value_hash(const xp_program *p, const xp_graph *g, bool top, uint64_t *vh, int32_t v);

static uint64_t node_hash(const xp_program *p, const xp_graph *g, bool top, uint64_t *vh, const xp_node *nd) {
    const xp_op_def *op = xp_op_get(nd->op);
    uint64_t h = mix_str(0xcbf29ce484222325ull, op ? op->name : "?");
    for (int a = 0; a < nd->nargs; a++) {
        const xp_narg *x = &nd->args[a];
        h = mix(h, (uint64_t)x->kind);
        switch (x->kind) {
        case XP_ARG_TENSOR: h = mix(h, value_hash(p, g, top, vh, x->value)); break;
        case XP_ARG_TENSOR_LIST:
            for (int k = 0; k < x->vl.n; k++) h = mix(h, value_hash(p, g, top, vh, x->vl.v[k]));
            break;
        case XP_ARG_INT: h = dim_hash(p, h, x->i); break;
        case XP_ARG_INT_LIST:
            for (int k = 0; k < x->il.n; k++) h = dim_hash(p, h, x->il.v[k]);
            break;
        case XP_ARG_FLOAT: {
            uint64_t bits;
            memcpy(&bits, &x->f, sizeof bits);
            h = mix(h, bits);
            break;
        }
        case XP_ARG_BOOL: h = mix(h, x->b); break;
        case XP_ARG_DTYPE: h = mix(h, (uint64_t)x->dt); break;
        default: break;
        }
    }
    for (int k = 0; k < nd->nsub; k++) h = mix(h, graph_hash(p, nd->sub[k], false, NULL));
    return h;
}

static uint64_t value_hash(const xp_program *p, const xp_graph *g, bool top, uint64_t *vh, int32_t v) {
    if (vh[v]) return vh[v];
    const xp_value *val = &g->values[v];
    uint64_t h;
    if (val->producer < 0) {
        int pos = -1;
        for (int i = 0; i < g->ninputs; i++)
            if (g->inputs[i] == v) pos = i;
        h = top ? mix_str(1, val->name) : mix(2, (uint64_t)pos);
    } else {
        h = mix(node_hash(p, g, top, vh, &g->nodes[val->producer]), (uint64_t)val->out_index);
    }
    return vh[v] = h ? h : 1;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The hash of g's outputs (in order) and of the multiset of its nodes;
 * node_hashes (g->nnodes, or NULL) receives each node's hash. */

static uint64_t graph_hash(const xp_program *p, const xp_graph *g, bool top, uint64_t *node_hashes) {
    uint64_t *vh = calloc((size_t)g->nvalues + 1, sizeof *vh);
    uint64_t *nh = calloc((size_t)g->nnodes + 1, sizeof *nh);
    if (!vh || !nh) die("allocating");
    uint64_t h = mix(3, (uint64_t)g->ninputs);
    for (int o = 0; o < g->noutputs; o++) h = mix(h, value_hash(p, g, top, vh, g->outputs[o]));
    for (int i = 0; i < g->nnodes; i++) nh[i] = node_hash(p, g, top, vh, &g->nodes[i]);
    if (node_hashes) memcpy(node_hashes, nh, (size_t)g->nnodes * sizeof *nh);
    qsort(nh, (size_t)g->nnodes, sizeof *nh, cmp_u64);
    for (int i = 0; i < g->nnodes; i++) h = mix(h, nh[i]);
    free(vh);
    free(nh);
    return h;
}

static char *ops_text(const xp_program *p) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    append(&buf, &len, &cap, "%s", "");
    ops_of(p->graph, &buf, &len, &cap);
    return buf;
}

static const char *in_kind(xp_input_kind k) {
    switch (k) {
    case XP_IN_USER_INPUT: return "USER_INPUT";
    case XP_IN_PARAMETER: return "PARAMETER";
    case XP_IN_BUFFER: return "BUFFER";
    case XP_IN_CONSTANT: return "CONSTANT";
    case XP_IN_SYMINT: return "SYMINT";
    default: return "?";
    }
}

static void show_program(const char *what, const xp_program *p) {
    fprintf(stderr, "--- %s:\n", what);
    xp_program_print(p, stderr);
}

/* The traced program against the plugin's: ops, signature, ranges. */
static int compare_structure(const xp_program *plug, const xp_program *tr) {
    int bad = 0;
    char *a = ops_text(plug), *b = ops_text(tr);
    if (strcmp(a, b)) {
        if (graph_hash(plug, plug->graph, true, NULL) == graph_hash(tr, tr->graph, true, NULL)) {
            printf("note: the same ops and dataflow, recorded in another order (C leaves the evaluation order of "
                   "arguments unspecified)\n  plugin: %s\n  traced: %s\n", a, b);
        } else {
            fprintf(stderr, "sample %s: ops differ\n  plugin: %s\n  traced: %s\n", xp_sample_program, a, b);
            bad = 1;
        }
    }
    free(a);
    free(b);
    if (plug->nsig_in != tr->nsig_in) {
        fprintf(stderr, "sample %s: %d signature inputs in the plugin's program, %d traced\n", xp_sample_program,
                plug->nsig_in, tr->nsig_in);
        bad = 1;
    }
    for (int i = 0; i < plug->nsig_in && i < tr->nsig_in; i++) {
        const xp_sig_input *x = &plug->sig_in[i], *y = &tr->sig_in[i];
        const char *xn = plug->graph->values[x->value].name, *yn = tr->graph->values[y->value].name;
        if (x->kind != y->kind || strcmp(xn, yn) || strcmp(x->target ? x->target : "", y->target ? y->target : "")) {
            fprintf(stderr, "sample %s: signature input %d: plugin %s %s %s, traced %s %s %s\n", xp_sample_program, i,
                    xn, in_kind(x->kind), x->target ? x->target : "", yn, in_kind(y->kind), y->target ? y->target : "");
            bad = 1;
        }
    }
    if (plug->nsig_out != tr->nsig_out) {
        fprintf(stderr, "sample %s: %d signature outputs in the plugin's program, %d traced\n", xp_sample_program,
                plug->nsig_out, tr->nsig_out);
        bad = 1;
    }
    for (int i = 0; i < plug->nsig_out && i < tr->nsig_out; i++) {
        const xp_sig_output *x = &plug->sig_out[i], *y = &tr->sig_out[i];
        /* a USER_OUTPUT's target is the struct field it is returned in,
         * which a traced function (returning one tensor) has not */
        const char *xt = x->kind == XP_OUT_USER_OUTPUT ? "" : x->target ? x->target : "";
        const char *yt = y->kind == XP_OUT_USER_OUTPUT ? "" : y->target ? y->target : "";
        if (x->kind != y->kind || strcmp(xt, yt)) {
            fprintf(stderr, "sample %s: signature output %d: plugin kind %d '%s', traced kind %d '%s'\n",
                    xp_sample_program, i, (int)x->kind, xt, (int)y->kind, yt);
            bad = 1;
        }
    }
    int ns = xp_sym_count(plug->syms);
    if (ns != xp_sym_count(tr->syms)) {
        fprintf(stderr, "sample %s: %d symbols in the plugin's program, %d traced\n", xp_sample_program, ns,
                xp_sym_count(tr->syms));
        bad = 1;
    }
    for (int s = 0; s < ns && s < xp_sym_count(tr->syms); s++)
        if (strcmp(xp_sym_name(plug->syms, s), xp_sym_name(tr->syms, s)) ||
            xp_sym_min(plug->syms, s) != xp_sym_min(tr->syms, s) || xp_sym_max(plug->syms, s) != xp_sym_max(tr->syms, s)) {
            fprintf(stderr, "sample %s: range of symbol %d: plugin %s [%lld, %lld], traced %s [%lld, %lld]\n",
                    xp_sample_program, s, xp_sym_name(plug->syms, s), (long long)xp_sym_min(plug->syms, s),
                    (long long)xp_sym_max(plug->syms, s), xp_sym_name(tr->syms, s),
                    (long long)xp_sym_min(tr->syms, s), (long long)xp_sym_max(tr->syms, s));
            bad = 1;
        }
    if (bad) {
        show_program("the plugin's program", plug);
        show_program("the traced program", tr);
    }
    return bad;
}

static int trace_mode(const char *path) {
    xp_program *p = NULL;
    if (xp_program_load(path, &p) != XP_OK) die("loading the program");
    const char *why = NULL;
    char *spec = spec_of(p, &why);
    if (!spec) {
        fprintf(stderr, "sample %s: cannot trace: %s\n", xp_sample_program, why);
        return 1;
    }
    printf("spec: %s\n", spec);
    /* the weights, named by access path, with the program's shapes (static) */
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        if (in->kind != XP_IN_PARAMETER && in->kind != XP_IN_BUFFER) continue;
        const xp_value *v = &p->graph->values[in->value];
        int64_t shape[XP_MAX_DIMS];
        for (int d = 0; d < v->meta.ndim; d++) {
            if (xp_dim_is_sym(v->meta.shape[d])) die("a weight with a symbolic shape");
            shape[d] = v->meta.shape[d];
        }
        xp_tensor *t = random_tensor(v->meta.dtype, v->meta.ndim, shape);
        if (xp_tensor_set_name(t, in->target) != XP_OK) die("naming a weight");
        /* a weight loader declares state as buffers (as '#pragma xport
         * buffer' does); one written in place would be found anyway */
        if (in->kind == XP_IN_BUFFER && xp_tensor_mark_buffer(t) != XP_OK) die("marking a buffer");
        tweights[ntweights].target = in->target;
        tweights[ntweights].t = t;
        ntweights++;
    }
    xp_program *t = NULL;
    if (xp_export_trace_n(traced_adapter, NULL, spec, &t) != XP_OK) die("tracing the adapter");
    free(spec);
    for (int i = 0; i < ntweights; i++) xp_tensor_free(tweights[i].t);
    int bad = compare_structure(p, t);
    if (!bad) printf("traced program: same ops, signature and range constraints\n");
    second = "traced program";
    xp_program *programs[2] = {p, t};
    for (int k = 0; k < TRIALS && !bad; k++) bad |= run_trial(programs, k);
    xp_program_free(t);
    xp_program_free(p);
    return bad;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--trace")) {
        if (argc != 3) {
            fprintf(stderr, "usage: %s --trace PROGRAM.xpg\n", argv[0]);
            return 2;
        }
        return trace_mode(argv[2]);
    }
    xp_program *p = NULL;
    xp_status st = argc > 1 ? xp_program_load(argv[1], &p)
                            : xp_program_load_embedded(xp_embedded_in_this_binary_(xp_sample_program), &p);
    if (st != XP_OK) die("loading the program");
    xp_program *programs[2] = {p, NULL};
    if (xp_program_run_decompositions(p, NULL, &programs[1]) != XP_OK) die("decomposing the program");
    int bad = 0;
    for (int k = 0; k < TRIALS; k++) bad |= run_trial(programs, k);
    xp_program_free(programs[1]);
    xp_program_free(p);
    return bad;
}
