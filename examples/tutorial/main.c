/*
 * The tutorial's application (DESIGN §1): loads the program that the xport
 * plugin captured from model.c and embedded in this binary, binds weights,
 * prints the program, runs it, and checks it against calling forward()
 * eagerly — the same C function, compiled as ordinary C.
 *
 *   xport-cc model.c main.c -o tutorial && ./tutorial
 */
#include <math.h>
#include <stdio.h>
#include <xport.h>

#define IN 100
#define OUT 10
#define BATCH 8

/* model.c's types and function, as a header would declare them */
typedef struct {
    xp_tensor *weight;
    xp_tensor *bias;
} Linear;
typedef struct { Linear lin; } Model;
xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y);

/* Deterministic inputs and weights in [-1, 1): a 64-bit LCG. */
static xp_tensor *seeded(uint64_t *s, int ndim, const int64_t *shape) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    float *p = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) {
        *s = *s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (float)((double)(*s >> 11) / (double)(1ull << 53) * 2.0 - 1.0);
    }
    return t;
}

static int die(const char *what) {
    fprintf(stderr, "tutorial: %s: %s\n", what, xp_last_error());
    return 1;
}

int main(void) {
    xp_program *p;
    if (xp_program_load_embedded(XP_PROGRAM(forward), &p) != XP_OK) return die("loading the program");
    xp_program_print(p, stdout);

    uint64_t seed = 42;
    Model m = {{seeded(&seed, 2, (int64_t[]){OUT, IN}), seeded(&seed, 1, (int64_t[]){OUT})}};
    if (xp_program_bind_tensor(p, "lin.weight", m.lin.weight) || xp_program_bind_tensor(p, "lin.bias", m.lin.bias))
        return die("binding the weights");

    xp_tensor *x = seeded(&seed, 2, (int64_t[]){BATCH, IN});
    xp_tensor *y = seeded(&seed, 2, (int64_t[]){BATCH, IN});
    xp_tensor *out;
    if (xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1) != XP_OK) return die("running the program");

    printf("\nresult: f32[%lld, %lld]\n", (long long)xp_size(out, 0), (long long)xp_size(out, 1));
    const float *o = xp_data(out);
    for (int64_t i = 0; i < BATCH; i++) {
        printf("  [");
        for (int64_t j = 0; j < OUT; j++) printf("%s%7.4f", j ? ", " : "", o[i * OUT + j]);
        printf("]\n");
    }

    /* The same function, run eagerly: the exported run must agree. Sums of
     * IN = 100 f32 products: rtol 100 * 2^-24 covers any change of order. */
    xp_scope *scope = xp_scope_push();
    const float *e = xp_data(forward(&m, x, y));
    double worst = 0;
    for (int64_t i = 0; i < BATCH * OUT; i++) {
        double d = fabs((double)o[i] - e[i]);
        if (d > 100 * 0x1p-24 * (fabs(e[i]) + 1.0)) {
            fprintf(stderr, "tutorial: element %lld: exported %.9g, eager %.9g\n", (long long)i, o[i], e[i]);
            return 1;
        }
        if (d > worst) worst = d;
    }
    xp_scope_pop(scope);
    printf("matches eager forward() (max |difference| %.3g)\n", worst);

    /* The program guards its inputs: batch is declared in [1, 1024]. */
    xp_tensor *big = xp_tensor_new(XP_F32, 2, (int64_t[]){2000, IN});
    xp_tensor *rejected = NULL;
    if (xp_program_run(p, (xp_tensor *[]){big, big}, 2, &rejected, 1) == XP_OK) {
        fprintf(stderr, "tutorial: a batch of 2000 was not rejected\n");
        return 1;
    }
    printf("batch 2000 rejected: %s\n", xp_last_error());

    xp_tensor_free(big);
    xp_tensor_free(out);
    xp_tensor_free(x);
    xp_tensor_free(y);
    xp_tensor_free(m.lin.weight);
    xp_tensor_free(m.lin.bias);
    xp_program_free(p);
    return 0;
}
