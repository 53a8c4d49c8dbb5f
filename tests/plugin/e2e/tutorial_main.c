/* The tutorial's application: loads the program the plugin embedded in
 * this binary (XP_PROGRAM(forward)), binds random weights, runs it, and
 * compares with calling forward() eagerly on the same tensors.
 *
 *   app            use the embedded program
 *   app FILE.xpg   use the program file instead */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <xport.h>

#define IN 100
#define OUT 10

/* The model's types, as examples/tutorial/model.c declares them. */
typedef struct {
    xp_tensor *weight;
    xp_tensor *bias;
} Linear;
typedef struct { Linear lin; } Model;

xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y);

static xp_tensor *random_tensor(uint64_t *s, int ndim, const int64_t *shape) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    float *p = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) {
        *s = *s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (float)((double)(*s >> 11) / (double)(1ull << 53) * 2.0 - 1.0);
    }
    return t;
}

static int die(const char *what) {
    fprintf(stderr, "app: %s: %s\n", what, xp_last_error());
    return 1;
}

int main(int argc, char **argv) {
    xp_program *p = NULL;
    xp_status st = argc > 1 ? xp_program_load(argv[1], &p) : xp_program_load_embedded(XP_PROGRAM(forward), &p);
    if (st) return die("loading the program");

    uint64_t seed = 7;
    Model m;
    m.lin.weight = random_tensor(&seed, 2, (int64_t[]){OUT, IN});
    m.lin.bias = random_tensor(&seed, 1, (int64_t[]){OUT});
    if (xp_program_bind_tensor(p, "lin.weight", m.lin.weight) || xp_program_bind_tensor(p, "lin.bias", m.lin.bias))
        return die("binding the weights");

    int failures = 0;
    for (int64_t batch = 1; batch <= 5; batch += 2) {
        xp_tensor *x = random_tensor(&seed, 2, (int64_t[]){batch, IN});
        xp_tensor *y = random_tensor(&seed, 2, (int64_t[]){batch, IN});
        xp_tensor *got = NULL;
        if (xp_program_run(p, (xp_tensor *[]){x, y}, 2, &got, 1)) return die("running the program");
        xp_scope *scope = xp_scope_push();
        xp_tensor *want = forward(&m, x, y);
        if (!want) return die("running forward eagerly");
        if (xp_ndim(got) != 2 || xp_size(got, 0) != batch || xp_size(got, 1) != OUT) {
            fprintf(stderr, "app: batch %lld: output has the wrong shape\n", (long long)batch);
            return 1;
        }
        /* Sums of IN = 100 products in f32: rtol 100 * 2^-24 covers any
         * difference in summation order between the two paths. */
        const float *a = xp_data(got), *b = xp_data(want);
        for (int64_t i = 0; i < xp_numel(want); i++) {
            if (fabsf(a[i] - b[i]) > 100 * 0x1p-24f * (fabsf(b[i]) + 1.0f)) {
                fprintf(stderr, "app: batch %lld, element %lld: exported %.9g, eager %.9g\n", (long long)batch,
                        (long long)i, a[i], b[i]);
                failures++;
                break;
            }
        }
        xp_scope_pop(scope);
        xp_tensor_free(got);
        xp_tensor_free(x);
        xp_tensor_free(y);
    }
    /* A guard: the batch dim's maximum is 1024. */
    xp_tensor *big = xp_tensor_new(XP_F32, 2, (int64_t[]){1025, IN});
    xp_tensor *out = NULL;
    if (xp_program_run(p, (xp_tensor *[]){big, big}, 2, &out, 1) == XP_OK) {
        fprintf(stderr, "app: a batch of 1025 passed the guard\n");
        failures++;
        xp_tensor_free(out);
    }
    xp_tensor_free(big);
    xp_tensor_free(m.lin.weight);
    xp_tensor_free(m.lin.bias);
    xp_program_free(p);
    if (failures) return 1;
    printf("ok: %s program matches eager forward()\n", argc > 1 ? argv[1] : "embedded");
    return 0;
}
