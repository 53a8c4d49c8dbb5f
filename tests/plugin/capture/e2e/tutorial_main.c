/* Runs the tutorial's exported program (embedded by the plugin, or a .xpg
 * file given as argv[1]) and forward() eagerly on the same random weights
 * and inputs, for several batch sizes, and checks that they agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tutorial.h"

static uint64_t seed = 42;

static int die(const char *what) {
    fprintf(stderr, "tutorial: %s: %s\n", what, xp_last_error());
    exit(1);
}

static xp_tensor *random_tensor(int ndim, const int64_t *shape) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    if (!t) die("allocating a tensor");
    float *d = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        d[i] = (float)((double)(seed >> 11) / (double)(1ull << 53) * 2.0 - 1.0);
    }
    return t;
}

int main(int argc, char **argv) {
    xp_program *p = NULL;
    xp_status st = argc > 1 ? xp_program_load(argv[1], &p) : xp_program_load_embedded(XP_PROGRAM(forward), &p);
    if (st != XP_OK) die("loading the program");
    Model m;
    m.lin.weight = random_tensor(XP_DIMS(OUT, IN));
    m.lin.bias = random_tensor(XP_DIMS(OUT));
    if (xp_program_bind_tensor(p, "lin.weight", m.lin.weight) != XP_OK ||
        xp_program_bind_tensor(p, "lin.bias", m.lin.bias) != XP_OK)
        die("binding the weights");

    static const int64_t batches[] = {1, 8, 1024};
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        int64_t batch = batches[k];
        xp_tensor *x = random_tensor(XP_DIMS(batch, IN)), *y = random_tensor(XP_DIMS(batch, IN));
        xp_tensor *got = NULL;
        if (xp_program_run(p, (xp_tensor *[]){x, y}, 2, &got, 1) != XP_OK) die("running the program");
        xp_scope *scope = xp_scope_push();
        xp_tensor *want = forward(&m, x, y);
        if (!want) die("running forward() eagerly");
        if (xp_ndim(got) != 2 || xp_size(got, 0) != batch || xp_size(got, 1) != OUT) {
            fprintf(stderr, "tutorial: batch %lld: output has the wrong shape\n", (long long)batch);
            return 1;
        }
        /* One linear layer of K = 100 f32 terms through the same kernel:
         * the results agree to a few ulps of the accumulation,
         * K * 2^-24 ~ 6e-6 relative; 1e-5 of the output's scale bounds it. */
        const float *a = xp_data(got), *b = xp_data(want);
        double scale = 1, worst = 0;
        for (int64_t i = 0; i < xp_numel(want); i++) scale = fmax(scale, fabs(b[i]));
        for (int64_t i = 0; i < xp_numel(want); i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
        printf("batch %lld: max |exported - eager| = %.3g\n", (long long)batch, worst);
        if (!(worst <= 1e-5 * scale)) {
            fprintf(stderr, "tutorial: exported and eager results differ\n");
            return 1;
        }
        xp_scope_pop(scope);
        xp_tensor_free(got);
        xp_tensor_free(x);
        xp_tensor_free(y);
    }
    xp_tensor_free(m.lin.weight);
    xp_tensor_free(m.lin.bias);
    xp_program_free(p);
    return 0;
}
