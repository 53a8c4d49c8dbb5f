/* Runs each exported program of control_flow_model.c (embedded by the
 * plugin) and the same function eagerly on the same random inputs, chosen
 * so that every branch is taken and maps run over several leading sizes,
 * and checks that they agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "control_flow.h"

static uint64_t seed = 7;
static int checks;

static void die(const char *what) {
    fprintf(stderr, "control_flow: %s: %s\n", what, xp_last_error());
    exit(1);
}

/* offset + uniform noise in [-spread, spread] */
static xp_tensor *input(int ndim, const int64_t *shape, double offset, double spread) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    if (!t) die("allocating a tensor");
    float *d = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        d[i] = (float)(offset + spread * ((double)(seed >> 11) / (double)(1ull << 53) * 2.0 - 1.0));
    }
    return t;
}

static xp_program *load(const char *name, xp_embedded embedded) {
    xp_program *p = NULL;
    if (xp_program_load_embedded(embedded, &p) != XP_OK) die(name);
    return p;
}

/* Runs `p` on `in` and compares with `want`, the eager result. Both run the
 * same f32 kernels elementwise or over K = 4 terms (map_loop's matmul), so
 * they agree to a few ulps: 1e-5 of the output's scale bounds that. */
static void check(const char *name, xp_program *p, xp_tensor **in, int n, xp_tensor *want) {
    xp_tensor *got = NULL;
    if (!want) die("running eagerly");
    if (xp_program_run(p, in, n, &got, 1) != XP_OK) die(name);
    if (xp_ndim(got) != xp_ndim(want) || xp_numel(got) != xp_numel(want)) {
        fprintf(stderr, "control_flow: %s: the output has the wrong shape\n", name);
        exit(1);
    }
    for (int d = 0; d < xp_ndim(want); d++)
        if (xp_size(got, d) != xp_size(want, d)) {
            fprintf(stderr, "control_flow: %s: dim %d is %lld, eagerly %lld\n", name, d,
                    (long long)xp_size(got, d), (long long)xp_size(want, d));
            exit(1);
        }
    const float *a = xp_data(got), *b = xp_data(want);
    double scale = 1, worst = 0;
    for (int64_t i = 0; i < xp_numel(want); i++) scale = fmax(scale, fabs(b[i]));
    for (int64_t i = 0; i < xp_numel(want); i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    printf("%s: max |exported - eager| = %.3g\n", name, worst);
    if (!(worst <= 1e-5 * scale)) {
        fprintf(stderr, "control_flow: %s: exported and eager results differ\n", name);
        exit(1);
    }
    xp_tensor_free(got);
    checks++;
}

int main(void) {
    xp_program *p;
    xp_scope *scope = xp_scope_push();

    /* The sign of the sum picks the branch. */
    p = load("cond_tensor", XP_PROGRAM(cond_tensor));
    for (int k = 0; k < 4; k++) {
        xp_tensor *x = input(XP_DIMS(k == 3 ? 64 : k + 1, 4), k % 2 ? -0.5 : 0.5, 0.4);
        check("cond_tensor", p, &x, 1, cond_tensor(x));
    }
    xp_program_free(p);

    /* n > 16 picks the true branch. */
    p = load("cond_size", XP_PROGRAM(cond_size));
    static const int64_t ns[] = {1, 16, 17, 64};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        xp_tensor *x = input(XP_DIMS(ns[k], 2), 0, 1);
        check("cond_size", p, &x, 1, cond_size(x));
    }
    xp_program_free(p);

    /* Sums near 12 (then 'scale': tanh), 3 ('scale': * 10), 1 (relu), -4 (neg). */
    p = load("cond_chain", XP_PROGRAM(cond_chain));
    static const double offsets[] = {3, 0.75, 0.25, -1};
    for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
        xp_tensor *x = input(XP_DIMS(4), offsets[k], 0.05);
        check("cond_chain", p, &x, 1, cond_chain(x));
    }
    xp_program_free(p);

    p = load("map_loop", XP_PROGRAM(map_loop));
    xp_tensor *w = input(XP_DIMS(4, 5), 0, 1);
    static const int64_t bs[] = {1, 2, 7, 32};
    for (size_t k = 0; k < sizeof bs / sizeof bs[0]; k++) {
        xp_tensor *in[2] = {input(XP_DIMS(bs[k], 3, 4), 0, 1), w};
        check("map_loop", p, in, 2, map_loop(in[0], in[1]));
    }
    xp_program_free(p);

    p = load("map_fn", XP_PROGRAM(map_fn));
    xp_tensor *bias = input(XP_DIMS(4), 0, 1);
    for (size_t k = 0; k < sizeof bs / sizeof bs[0]; k++) {
        xp_tensor *in[2] = {input(XP_DIMS(bs[k], 4), 0, 1), bias};
        check("map_fn", p, in, 2, map_fn(in[0], in[1]));
    }
    xp_program_free(p);

    p = load("cond_fn", XP_PROGRAM(cond_fn));
    for (int k = 0; k < 2; k++) {
        xp_tensor *in[2] = {input(XP_DIMS(5), k ? -0.5 : 0.5, 0.4), input(XP_DIMS(5), 0, 1)};
        check("cond_fn", p, in, 2, cond_fn(in[0], in[1]));
    }
    xp_program_free(p);

    xp_scope_pop(scope);
    printf("ok: %d exported runs match their eager runs\n", checks);
    return 0;
}
