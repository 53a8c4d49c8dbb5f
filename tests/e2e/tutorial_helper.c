/*
 * Helper for tests/e2e/tutorial_cli.sh.
 *
 *   tutorial_helper make DIR
 *       builds the tutorial's first model (DESIGN §1: relu(linear(x + y)),
 *       100 -> 10, batch in [1, 1024]) with the IR builder and writes
 *       DIR/forward.xpg, DIR/model.safetensors (seeded weights),
 *       DIR/x.npy, DIR/y.npy (batch 8) and DIR/expected.npy, the result of
 *       running the same ops eagerly.
 *   tutorial_helper compare GOT.npy WANT.npy
 *       exit 0 when the shapes match and every element is within
 *       1e-5 + 1e-5 * |want| (f32 sums over 100 products, see test_interp.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ir/xp_ir.h"

#define IN 100
#define OUT 10

static int fail(const char *what) {
    fprintf(stderr, "tutorial_helper: %s: %s\n", what, xp_last_error());
    return 1;
}

static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static xp_tensor *random_f32(uint64_t *s, int ndim, const int64_t *shape, float scale) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    if (!t) return NULL;
    float *d = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) d[i] = scale * (float)((double)(next(s) >> 11) / 9007199254740992.0 * 2 - 1);
    return t;
}

static xp_program *build(void) {
    xp_program *p = xp_program_new("forward");
    if (!p) return NULL;
    xp_dim batch = xp_sym_new(p->syms, "batch", 1, 1024);
    int32_t f = xp_program_file(p, "model.c");
    int32_t w, b, x, y, add, lin, relu;
    if (!xp_dim_is_valid(batch) ||
        xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_weight", "lin.weight", XP_F32, 2, (xp_dim[]){OUT, IN}, &w) ||
        xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_bias", "lin.bias", XP_F32, 1, (xp_dim[]){OUT}, &b) ||
        xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){batch, IN}, &x) ||
        xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){batch, IN}, &y) ||
        xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(x), xp_narg_value(y)}, 2,
                          (xp_srcloc){f, 19, 33}, &add) ||
        xp_graph_add_node(p->graph, XP_OP_linear, (xp_narg[]){xp_narg_value(add), xp_narg_value(w), xp_narg_value(b)}, 3,
                          (xp_srcloc){f, 19, 21}, &lin) ||
        xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(lin)}, 1, (xp_srcloc){f, 19, 12}, &relu) ||
        xp_program_add_output(p, XP_OUT_USER_OUTPUT, relu, NULL) || xp_program_verify(p)) {
        xp_program_free(p);
        return NULL;
    }
    return p;
}

static int make(const char *dir) {
    char path[4096];
    xp_program *p = build();
    if (!p) return fail("building the program");
    snprintf(path, sizeof path, "%s/forward.xpg", dir);
    if (xp_program_save(p, path)) return fail(path);
    xp_program_free(p);

    uint64_t s = 2024;
    xp_tensor *w = random_f32(&s, 2, (int64_t[]){OUT, IN}, 0.1f);
    xp_tensor *b = random_f32(&s, 1, (int64_t[]){OUT}, 0.1f);
    xp_tensor *x = random_f32(&s, 2, (int64_t[]){8, IN}, 1);
    xp_tensor *y = random_f32(&s, 2, (int64_t[]){8, IN}, 1);
    if (!w || !b || !x || !y) return fail("making tensors");
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (xp_safetensors_save(path, 2, (const char *[]){"lin.weight", "lin.bias"}, (const xp_tensor *[]){w, b}))
        return fail(path);
    snprintf(path, sizeof path, "%s/x.npy", dir);
    if (xp_npy_save(path, x)) return fail(path);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    if (xp_npy_save(path, y)) return fail(path);

    xp_scope *sc = xp_scope_push();
    xp_tensor *want = xp_relu_(xp_linear(xp_add(x, y), w, b));
    snprintf(path, sizeof path, "%s/expected.npy", dir);
    if (!want || xp_npy_save(path, want)) return fail("eager result");
    xp_scope_pop(sc);
    xp_tensor_free(w);
    xp_tensor_free(b);
    xp_tensor_free(x);
    xp_tensor_free(y);
    return 0;
}

static int compare(const char *got_path, const char *want_path) {
    xp_tensor *got, *want;
    if (xp_npy_load(got_path, &got)) return fail(got_path);
    if (xp_npy_load(want_path, &want)) return fail(want_path);
    int rc = 0;
    if (xp_dtype_of(got) != xp_dtype_of(want) || xp_ndim(got) != xp_ndim(want)) rc = 1;
    for (int d = 0; !rc && d < xp_ndim(got); d++)
        if (xp_size(got, d) != xp_size(want, d)) rc = 1;
    if (rc) {
        fprintf(stderr, "tutorial_helper: %s and %s differ in dtype or shape\n", got_path, want_path);
        return 1;
    }
    const float *g = xp_data(got), *w = xp_data(want);
    for (int64_t i = 0; i < xp_numel(got); i++) {
        if (fabsf(g[i] - w[i]) > 1e-5f + 1e-5f * fabsf(w[i])) {
            fprintf(stderr, "tutorial_helper: element %lld is %.9g, expected %.9g\n", (long long)i, g[i], w[i]);
            return 1;
        }
    }
    printf("match: %lld elements\n", (long long)xp_numel(got));
    xp_tensor_free(got);
    xp_tensor_free(want);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "make") == 0) return make(argv[2]);
    if (argc == 4 && strcmp(argv[1], "compare") == 0) return compare(argv[2], argv[3]);
    fprintf(stderr, "usage: tutorial_helper make DIR | compare GOT.npy WANT.npy\n");
    return 2;
}
