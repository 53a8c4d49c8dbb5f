/* The generic driver of the supported samples (samples/sample.h).
 *
 *     app [PROGRAM.xpg]
 *
 * Loads the sample's exported program (embedded by the plugin, or from a
 * .xpg file), reads its signature, and for a few symbol assignments in the
 * declared ranges makes random user inputs and weights of the declared
 * dtypes and shapes, runs the program and the sample's eager adapter on
 * equal copies, and checks that every output and every input afterwards
 * (user-input mutations) agree; the same again for the program with every
 * op decomposed into the core opset (xp_program_run_decompositions with
 * the full table). Built without the plugin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xp_core.h"
#include "ir/xp_ir.h"
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

/* Runs programs[0] (as exported) and programs[1] (every op decomposed into
 * the core opset) and the eager adapter on one symbol assignment. */
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
    if (xp_program_run(programs[1], drun_in, nrun, dgot, nout) != XP_OK) die("running the decomposed program");
    xp_scope *scope = xp_scope_push();
    xp_sample_args args = {eager_in, weight};
    int neager = xp_sample_eager(&args, want);
    if (neager != nout) {
        fprintf(stderr, "sample %s: the adapter returned %d outputs, the program has %d\n", xp_sample_program,
                neager, nout);
        return 1;
    }
    int bad = 0;
    for (int o = 0; o < nout; o++) {
        if (!want[o]) die("running the sample eagerly");
        bad |= compare("output", o, got[o], want[o]);
        bad |= compare("decomposed program's output", o, dgot[o], want[o]);
    }
    for (int i = 0; i < nrun; i++) {
        bad |= compare("input after the run", i, run_in[i], eager_in[i]);
        bad |= compare("input after the decomposed run", i, drun_in[i], eager_in[i]);
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

int main(int argc, char **argv) {
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
