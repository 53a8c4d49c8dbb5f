/* Runs the programs of custom_ops_model.c (embedded, or from a .xpg file)
 * against the eager functions:
 *   app example [FILE.xpg]   runs custom_op_example once (prints "custom_op called!" once)
 *   app dynamic [FILE.xpg]   runs drop_row for n = 2..9 and compares with eager
 *   app input X.npy          writes the 3x3 input the example uses
 *   app check OUT.npy        compares an output of `xport run` with the eager result */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xport.h>

xp_tensor *custom_op_example(xp_tensor *x);
xp_tensor *drop_row(xp_tensor *x);

static int die(const char *what) {
    fprintf(stderr, "app: %s: %s\n", what, xp_last_error());
    return 1;
}

static xp_tensor *input(int64_t n, int64_t m) {
    float v[64 * 4];
    for (int64_t i = 0; i < n * m; i++) v[i] = (float)sin(0.7 * (double)i + 0.3) * 2.0f;
    return xp_tensor_from(XP_F32, 2, (int64_t[]){n, m}, v);
}

/* Float tolerance: the same f32 ops in the same order give equal results;
 * 1e-6 leaves room for a libm that vectorizes differently. */
static int compare(xp_tensor *a, xp_tensor *b, const char *what) {
    if (xp_numel(a) != xp_numel(b) || xp_ndim(a) != xp_ndim(b)) {
        fprintf(stderr, "app: %s: %lld vs %lld elements\n", what, (long long)xp_numel(a), (long long)xp_numel(b));
        return 1;
    }
    for (int d = 0; d < xp_ndim(a); d++)
        if (xp_size(a, d) != xp_size(b, d)) {
            fprintf(stderr, "app: %s: dim %d is %lld vs %lld\n", what, d, (long long)xp_size(a, d),
                    (long long)xp_size(b, d));
            return 1;
        }
    const float *x = xp_data(a), *y = xp_data(b);
    for (int64_t i = 0; i < xp_numel(a); i++)
        if (fabsf(x[i] - y[i]) > 1e-6f) {
            fprintf(stderr, "app: %s: element %lld is %g vs %g\n", what, (long long)i, x[i], y[i]);
            return 1;
        }
    return 0;
}

static int load(const char *file, xp_embedded e, xp_program **p) {
    xp_status st = file ? xp_program_load(file, p) : xp_program_load_embedded(e, p);
    return st == XP_OK ? 0 : die(file ? file : e.name);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "example";
    const char *file = argc > 2 ? argv[2] : NULL;
    if (strcmp(mode, "input") == 0) return xp_npy_save(file, input(3, 3)) == XP_OK ? 0 : die(file);
    if (strcmp(mode, "check") == 0) {
        xp_tensor *got;
        if (xp_npy_load(file, &got) != XP_OK) return die(file);
        return compare(got, xp_cos(xp_relu(xp_sin(input(3, 3)))), file);
    }
    xp_program *p;
    if (strcmp(mode, "example") == 0) {
        if (load(file, XP_PROGRAM(custom_op_example), &p)) return 1;
        xp_tensor *x = input(3, 3), *out;
        if (xp_program_run(p, &x, 1, &out, 1) != XP_OK) return die("run");
        /* the eager reference without calling the op, which would print */
        return compare(out, xp_cos(xp_relu(xp_sin(x))), "custom_op_example");
    }
    if (strcmp(mode, "dynamic") == 0) {
        if (load(file, XP_PROGRAM(drop_row), &p)) return 1;
        for (int64_t n = 2; n <= 9; n++) {
            xp_tensor *x = input(n, 4), *out;
            if (xp_program_run(p, &x, 1, &out, 1) != XP_OK) return die("run");
            char what[32];
            snprintf(what, sizeof what, "drop_row n=%lld", (long long)n);
            if (compare(out, drop_row(x), what)) return 1;
        }
        printf("drop_row agrees for n = 2..9\n");
        return 0;
    }
    fprintf(stderr, "app: unknown mode %s\n", mode);
    return 2;
}
