/* Runs the transformer's exported program (embedded by the plugin, or a
 * .xpg file given as argv[1]) and forward() eagerly on the same random
 * weights and tokens, for several (batch, seq) within the declared ranges,
 * and checks that they agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transformer.h"

static uint64_t seed = 12345;

static double uniform(void) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(seed >> 11) / (double)(1ull << 53);
}

static int die(const char *what) {
    fprintf(stderr, "transformer: %s: %s\n", what, xp_last_error());
    exit(1);
}

/* A weight with values in [center - spread, center + spread), bound to the
 * program under its access path. */
static xp_tensor *weight(xp_program *p, const char *path, int ndim, const int64_t *shape, double center,
                         double spread) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    if (!t) die("allocating a weight");
    float *d = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) d[i] = (float)(center + spread * (2 * uniform() - 1));
    if (xp_program_bind_tensor(p, path, t) != XP_OK) die(path);
    return t;
}

static void layer_norm(xp_program *p, LayerNorm *ln, const char *prefix) {
    char path[128];
    snprintf(path, sizeof path, "%s.weight", prefix);
    ln->weight = weight(p, path, XP_DIMS(D_MODEL), 1.0, 0.1);
    snprintf(path, sizeof path, "%s.bias", prefix);
    ln->bias = weight(p, path, XP_DIMS(D_MODEL), 0.0, 0.1);
}

static void make_model(xp_program *p, Transformer *m) {
    char path[128];
    m->tok_emb = weight(p, "tok_emb", XP_DIMS(VOCAB, D_MODEL), 0.0, 1.0);
    m->pos_emb = weight(p, "pos_emb", XP_DIMS(MAX_SEQ, D_MODEL), 0.0, 0.5);
    for (int i = 0; i < N_LAYERS; i++) {
        Block *b = &m->layers[i];
#define W(field, center, spread, ...)                                                  \
    (snprintf(path, sizeof path, "layers.%d.%s", i, #field),                           \
     b->field = weight(p, path, XP_DIMS(__VA_ARGS__), center, spread))
        snprintf(path, sizeof path, "layers.%d.ln1", i);
        layer_norm(p, &b->ln1, path);
        snprintf(path, sizeof path, "layers.%d.ln2", i);
        layer_norm(p, &b->ln2, path);
        W(attn.qkv_weight, 0.0, 0.3, 3 * D_MODEL, D_MODEL);
        W(attn.qkv_bias, 0.0, 0.1, 3 * D_MODEL);
        W(attn.out_weight, 0.0, 0.3, D_MODEL, D_MODEL);
        W(attn.out_bias, 0.0, 0.1, D_MODEL);
        W(mlp.fc_weight, 0.0, 0.3, D_FF, D_MODEL);
        W(mlp.fc_bias, 0.0, 0.1, D_FF);
        W(mlp.proj_weight, 0.0, 0.15, D_MODEL, D_FF);
        W(mlp.proj_bias, 0.0, 0.1, D_MODEL);
#undef W
    }
    layer_norm(p, &m->ln_f, "ln_f");
}

/* Compares one run. The program and eager mode run the same kernels, but
 * the interpreter may materialize views (contiguous copies) where eager
 * mode keeps strides, which can change the order in which matmul
 * accumulates. Each logit goes through 2 * N_LAYERS + 1 matmul chains of at
 * most D_FF = 128 terms in f32: a relative error of a few 128 * 2^-24 ~ 1e-5
 * per layer, so 1e-4 of the logits' scale bounds the difference. */
static int check(xp_program *p, const Transformer *m, int64_t batch, int64_t seq) {
    xp_tensor *tokens = xp_tensor_new(XP_I64, XP_DIMS(batch, seq));
    int64_t *tok = xp_data(tokens);
    for (int64_t i = 0; i < batch * seq; i++) tok[i] = (int64_t)(uniform() * VOCAB) % VOCAB;

    xp_tensor *got = NULL;
    if (xp_program_run(p, (xp_tensor *[]){tokens}, 1, &got, 1) != XP_OK) die("running the program");
    xp_scope *scope = xp_scope_push();
    xp_tensor *want = forward(m, tokens);
    if (!want) die("running forward() eagerly");
    if (xp_ndim(got) != 3 || xp_size(got, 0) != batch || xp_size(got, 1) != seq || xp_size(got, 2) != VOCAB) {
        fprintf(stderr, "transformer: batch %lld seq %lld: output has the wrong shape\n", (long long)batch,
                (long long)seq);
        return 1;
    }
    want = xp_contiguous(want);
    const float *a = xp_data(got), *b = xp_data(want);
    double scale = 0, worst = 0;
    for (int64_t i = 0; i < xp_numel(want); i++) scale = fmax(scale, fabs(b[i]));
    for (int64_t i = 0; i < xp_numel(want); i++) {
        if (!isfinite(a[i]) || !isfinite(b[i])) {
            fprintf(stderr, "transformer: element %lld is not finite\n", (long long)i);
            return 1;
        }
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    }
    printf("batch %lld, seq %lld: max |exported - eager| = %.3g (logits up to %.3g)\n", (long long)batch,
           (long long)seq, worst, scale);
    xp_scope_pop(scope);
    xp_tensor_free(got);
    xp_tensor_free(tokens);
    if (worst > 1e-4 * fmax(scale, 1.0)) {
        fprintf(stderr, "transformer: exported and eager results differ\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    xp_program *p = NULL;
    xp_status st = argc > 1 ? xp_program_load(argv[1], &p) : xp_program_load_embedded(XP_PROGRAM(forward), &p);
    if (st != XP_OK) die("loading the program");
    /* the weights live in this scope, freed at the end */
    xp_scope *weights = xp_scope_push();
    Transformer m;
    make_model(p, &m);

    static const int64_t shapes[][2] = {{2, 5}, {1, 1}, {3, MAX_SEQ}, {1, 7}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
        if (check(p, &m, shapes[k][0], shapes[k][1])) return 1;

    /* seq beyond the declared range is refused by the program's guards */
    xp_tensor *too_long = xp_tensor_new(XP_I64, XP_DIMS(1, MAX_SEQ + 1));
    xp_tensor *out = NULL;
    if (xp_program_run(p, (xp_tensor *[]){too_long}, 1, &out, 1) == XP_OK) {
        fprintf(stderr, "transformer: a sequence of %d tokens was not refused\n", MAX_SEQ + 1);
        return 1;
    }
    if (!strstr(xp_last_error(), "seq")) {
        fprintf(stderr, "transformer: the guard's message does not name 'seq': %s\n", xp_last_error());
        return 1;
    }
    printf("seq %d refused: %s\n", MAX_SEQ + 1, xp_last_error());
    xp_scope_pop(weights);
    xp_program_free(p);
    return 0;
}
