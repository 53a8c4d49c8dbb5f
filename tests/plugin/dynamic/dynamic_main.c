/* Runs the tutorial's dynamic-shape examples through the runtime: for each
 * run in the table, the exported program (embedded by the plugin, or the
 * NAME.xpg files in the directory given as argv[1]) either agrees with the
 * eager C function on random inputs of the given shapes, or rejects them
 * with exactly the guard message the table says (which names the input,
 * the dim, the symbol, the value and the violated bound or relation).
 *
 * Linked with examples.c and the fixed example3.c, both compiled with the
 * plugin (run_examples.sh, run_fixit.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

#define MAX_INPUTS 2

typedef xp_tensor *(*eager_fn)(xp_tensor *const *in);
static xp_tensor *eager_example1(xp_tensor *const *in) { return dynamic_shapes_example1(in[0]); }
static xp_tensor *eager_example2(xp_tensor *const *in) { return dynamic_shapes_example2(in[0], in[1]); }
static xp_tensor *eager_derived1(xp_tensor *const *in) { return derived_dim_example1(in[0], in[1]); }
static xp_tensor *eager_derived2(xp_tensor *const *in) { return derived_dim_example2(in[0], in[1]); }
static xp_tensor *eager_example3(xp_tensor *const *in) { return dynamic_shapes_example3(in[0], in[1]); }

static xp_embedded embedded_example1(void) { return XP_PROGRAM(dynamic_shapes_example1); }
static xp_embedded embedded_example2(void) { return XP_PROGRAM(dynamic_shapes_example2); }
static xp_embedded embedded_derived1(void) { return XP_PROGRAM(derived_dim_example1); }
static xp_embedded embedded_derived2(void) { return XP_PROGRAM(derived_dim_example2); }
static xp_embedded embedded_example3(void) { return XP_PROGRAM(dynamic_shapes_example3); }

typedef struct {
    const char *program;
    xp_embedded (*embedded)(void);
    eager_fn eager;
    int ninputs;
    int ndim[MAX_INPUTS];
    int64_t shape[MAX_INPUTS][3];
    /* Largest |exported - eager| allowed, relative to the result's scale:
     * 0 where both run the same elementwise kernels; a matmul over K f32
     * terms accumulates differently by up to ~K * 2^-24. */
    double rtol;
    const char *error; /* NULL: the run must succeed */
} run_case;

static const run_case runs[] = {
    /* DynamicShapesExample1: (5, 5, 2) runs; dim 1 below 4 or above 18,
     * or a dim 2 other than 2, is rejected. */
    {"dynamic_shapes_example1", embedded_example1, eager_example1, 1, {3}, {{5, 5, 2}}, 0, NULL},
    {"dynamic_shapes_example1", embedded_example1, eager_example1, 1, {3}, {{1, 18, 2}}, 0, NULL},
    {"dynamic_shapes_example1", embedded_example1, eager_example1, 1, {3}, {{8, 1, 2}}, 0,
     "input x: dim 1 (inp1_dim1) is 1, below its minimum 4"},
    {"dynamic_shapes_example1", embedded_example1, eager_example1, 1, {3}, {{8, 20, 2}}, 0,
     "input x: dim 1 (inp1_dim1) is 20, above its maximum 18"},
    {"dynamic_shapes_example1", embedded_example1, eager_example1, 1, {3}, {{8, 8, 3}}, 0,
     "input x: dim 2 is 3, but the program was exported with size 2"},
    /* DynamicShapesExample2: one inner dim. */
    {"dynamic_shapes_example2", embedded_example2, eager_example2, 2, {2, 2}, {{2, 16}, {16, 4}}, 16 * 0x1p-24, NULL},
    {"dynamic_shapes_example2", embedded_example2, eager_example2, 2, {2, 2}, {{4, 8}, {8, 2}}, 8 * 0x1p-24, NULL},
    {"dynamic_shapes_example2", embedded_example2, eager_example2, 2, {2, 2}, {{4, 8}, {4, 2}}, 0,
     "input y: dim 0 is 4, but must equal inner_dim = 8 (from input x dim 1)"},
    /* DerivedDimExample1: y has dimx + 1 elements, dimx in [3, 6]. */
    {"derived_dim_example1", embedded_derived1, eager_derived1, 2, {1, 1}, {{4}, {5}}, 0, NULL},
    {"derived_dim_example1", embedded_derived1, eager_derived1, 2, {1, 1}, {{6}, {7}}, 0, NULL},
    {"derived_dim_example1", embedded_derived1, eager_derived1, 2, {1, 1}, {{4}, {6}}, 0,
     "input y: dim 0 is 6, but must equal dimx + 1 = 5 (dimx = 4 from input x dim 0)"},
    {"derived_dim_example1", embedded_derived1, eager_derived1, 2, {1, 1}, {{2}, {3}}, 0,
     "input x: dim 0 (dimx) is 2, below its minimum 3"},
    /* DerivedDimExample2: z = dx + 1, y = 3*dx + 1, dx in [3, 6]. */
    {"derived_dim_example2", embedded_derived2, eager_derived2, 2, {1, 1}, {{7}, {19}}, 0, NULL},
    {"derived_dim_example2", embedded_derived2, eager_derived2, 2, {1, 1}, {{4}, {10}}, 0, NULL},
    {"derived_dim_example2", embedded_derived2, eager_derived2, 2, {1, 1}, {{7}, {20}}, 0,
     "input y: dim 0 is 20, but must equal 3*dx + 1 = 19 (dx = 6 from input z dim 0)"},
    {"derived_dim_example2", embedded_derived2, eager_derived2, 2, {1, 1}, {{8}, {22}}, 0,
     "input z: dim 0 (dx + 1) is 8, so dx = 7, above its maximum 6"},
    /* DynamicShapesExample3 after its suggested fixes: inp4_dim0 <= 16,
     * inp5_dim1 >= 16, and y's dim 0 is x's dim 1. */
    {"dynamic_shapes_example3", embedded_example3, eager_example3, 2, {2, 2}, {{8, 16}, {16, 32}}, 16 * 0x1p-24,
     NULL},
    {"dynamic_shapes_example3", embedded_example3, eager_example3, 2, {2, 2}, {{16, 3}, {3, 16}}, 3 * 0x1p-24,
     NULL},
    {"dynamic_shapes_example3", embedded_example3, eager_example3, 2, {2, 2}, {{17, 16}, {16, 32}}, 0,
     "input x: dim 0 (inp4_dim0) is 17, above its maximum 16"},
    {"dynamic_shapes_example3", embedded_example3, eager_example3, 2, {2, 2}, {{8, 16}, {16, 8}}, 0,
     "input y: dim 1 (inp5_dim1) is 8, below its minimum 16"},
    {"dynamic_shapes_example3", embedded_example3, eager_example3, 2, {2, 2}, {{8, 16}, {12, 32}}, 0,
     "input y: dim 0 is 12, but must equal inp4_dim1 = 16 (from input x dim 1)"},
};

static uint64_t seed = 42;

static void die(const char *what) {
    fprintf(stderr, "dynamic: %s: %s\n", what, xp_last_error());
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

static void describe(const run_case *r, char *buf, size_t n) {
    size_t used = (size_t)snprintf(buf, n, "%s(", r->program);
    for (int i = 0; i < r->ninputs && used < n; i++) {
        used += (size_t)snprintf(buf + used, n - used, "%s[", i ? ", " : "");
        for (int k = 0; k < r->ndim[i] && used < n; k++)
            used += (size_t)snprintf(buf + used, n - used, "%s%lld", k ? ", " : "", (long long)r->shape[i][k]);
        if (used < n) used += (size_t)snprintf(buf + used, n - used, "]");
    }
    if (used < n) snprintf(buf + used, n - used, ")");
}

/* Returns the number of failures of one run. */
static int check(xp_program *p, const run_case *r, const char *how) {
    char name[256];
    describe(r, name, sizeof name);
    xp_tensor *in[MAX_INPUTS] = {NULL};
    for (int i = 0; i < r->ninputs; i++) in[i] = random_tensor(r->ndim[i], r->shape[i]);
    xp_tensor *got = NULL;
    xp_status st = xp_program_run(p, in, r->ninputs, &got, 1);
    int failures = 0;
    if (r->error) {
        if (st == XP_OK) {
            fprintf(stderr, "FAIL %s (%s): accepted, expected \"%s\"\n", name, how, r->error);
            failures++;
            xp_tensor_free(got);
        } else if (strcmp(xp_last_error(), r->error) != 0) {
            fprintf(stderr, "FAIL %s (%s): rejected with\n  \"%s\"\nexpected\n  \"%s\"\n", name, how,
                    xp_last_error(), r->error);
            failures++;
        } else {
            printf("ok %s (%s): rejected: %s\n", name, how, r->error);
        }
    } else if (st != XP_OK) {
        fprintf(stderr, "FAIL %s (%s): rejected: %s\n", name, how, xp_last_error());
        failures++;
    } else {
        xp_scope *scope = xp_scope_push();
        xp_tensor *want = r->eager(in);
        if (!want) die("running the eager function");
        bool same_shape = xp_ndim(got) == xp_ndim(want);
        for (int k = 0; same_shape && k < xp_ndim(want); k++) same_shape = xp_size(got, k) == xp_size(want, k);
        double scale = 1, worst = 0;
        if (same_shape) {
            const float *a = xp_data(got), *b = xp_data(want);
            for (int64_t i = 0; i < xp_numel(want); i++) scale = fmax(scale, fabs(b[i]));
            for (int64_t i = 0; i < xp_numel(want); i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
        }
        if (!same_shape || !(worst <= r->rtol * scale)) {
            fprintf(stderr, "FAIL %s (%s): the exported result differs from eager (%s, max diff %.3g)\n", name, how,
                    same_shape ? "same shape" : "different shapes", worst);
            failures++;
        } else {
            printf("ok %s (%s): equals eager (max diff %.3g)\n", name, how, worst);
        }
        xp_scope_pop(scope);
        xp_tensor_free(got);
    }
    for (int i = 0; i < r->ninputs; i++) xp_tensor_free(in[i]);
    return failures;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : NULL;
    int failures = 0;
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        const run_case *r = &runs[k];
        xp_program *p = NULL;
        if (xp_program_load_embedded(r->embedded(), &p) != XP_OK) die(r->program);
        failures += check(p, r, "embedded");
        xp_program_free(p);
        if (dir) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.xpg", dir, r->program);
            if (xp_program_load(path, &p) != XP_OK) die(path);
            failures += check(p, r, path);
            xp_program_free(p);
        }
    }
    if (failures) fprintf(stderr, "%d run(s) failed\n", failures);
    return failures ? 1 : 0;
}
