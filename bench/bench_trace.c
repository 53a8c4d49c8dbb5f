/*
 * What non-strict export costs (xp_export_trace, docs/tracing.md): an
 * N-layer Linear+ReLU model with named weights, traced with a static spec
 * (one recording) and with a dynamic batch dim (the base pass, the high
 * recording and the validation passes), as time per layer and as the
 * dynamic/static ratio measured in the same run. The plugin's capture of
 * the same model is `bench_plugin.sh` part b.
 *
 *     bench_trace [--quick] [--layers "64 1024"]
 *
 * Weights are 16x16 so that the figures are the tracer's own work (a
 * recording copies each weight once to bind it to the program). Times are
 * medians of repetitions (clock_gettime, monotonic).
 */
#define _POSIX_C_SOURCE 200809L
#include <xport.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WIDTH 16

typedef struct model {
    int nlayers;
    xp_tensor **w, **b;
} model;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static xp_tensor *named(const char *what, int layer, float value, int ndim, const int64_t *shape) {
    size_t n = 1;
    for (int d = 0; d < ndim; d++) n *= (size_t)shape[d];
    float *data = malloc(n * sizeof *data);
    for (size_t i = 0; i < n; i++) data[i] = value;
    xp_tensor *t = xp_tensor_from(XP_F32, ndim, shape, data);
    free(data);
    char name[64];
    snprintf(name, sizeof name, "layers.%d.%s", layer, what);
    if (!t || xp_tensor_set_name(t, name) != XP_OK) {
        fprintf(stderr, "bench_trace: making weight %s: %s\n", name, xp_last_error());
        exit(1);
    }
    return t;
}

static model make_model(int nlayers) {
    model m = {.nlayers = nlayers, .w = calloc((size_t)nlayers, sizeof(xp_tensor *)),
               .b = calloc((size_t)nlayers, sizeof(xp_tensor *))};
    for (int i = 0; i < nlayers; i++) {
        m.w[i] = named("weight", i, 1.0f / WIDTH, 2, (int64_t[]){WIDTH, WIDTH});
        m.b[i] = named("bias", i, 0.01f, 1, (int64_t[]){WIDTH});
    }
    return m;
}

static void free_model(model *m) {
    for (int i = 0; i < m->nlayers; i++) xp_tensor_free(m->w[i]), xp_tensor_free(m->b[i]);
    free(m->w);
    free(m->b);
}

static xp_tensor *forward(void *user_data, xp_tensor *const *in) {
    const model *m = user_data;
    xp_tensor *x = in[0];
    for (int i = 0; i < m->nlayers; i++) x = xp_relu(xp_linear(x, m->w[i], m->b[i]));
    return x;
}

/* Median seconds of `reps` traces of the model with `spec`. */
static double time_trace(model *m, const char *spec, int reps) {
    double *t = calloc((size_t)reps, sizeof *t);
    for (int r = 0; r < reps; r++) {
        xp_program *p = NULL;
        double t0 = now_s();
        xp_status st = xp_export_trace(forward, m, spec, &p);
        t[r] = now_s() - t0;
        if (st != XP_OK) {
            fprintf(stderr, "bench_trace: %s\n", xp_last_error());
            exit(1);
        }
        xp_program_free(p);
    }
    double med = median(t, reps);
    free(t);
    return med;
}

int main(int argc, char **argv) {
    int reps = 5;
    const char *layers = "64 256 1024";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            reps = 1;
            layers = "16";
        } else if (!strcmp(argv[i], "--layers") && i + 1 < argc) {
            layers = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_trace [--quick] [--layers \"64 1024\"]\n");
            return 2;
        }
    }
    char static_spec[64], dynamic_spec[96];
    snprintf(static_spec, sizeof static_spec, "input(x, f32[8, %d])", WIDTH);
    snprintf(dynamic_spec, sizeof dynamic_spec, "dim(batch, min=1, max=1024); input(x, f32[batch, %d])", WIDTH);
    printf("xp_export_trace of N Linear+ReLU layers (%dx%d weights), median of %d\n", WIDTH, WIDTH, reps);
    printf("%8s %12s %12s %14s %14s %9s\n", "layers", "static ms", "dynamic ms", "static us/op", "dynamic us/op",
           "dyn/stat");
    for (const char *s = layers; *s;) {
        char *end;
        long n = strtol(s, &end, 10);
        if (end == s || n < 1 || n > 100000) {
            fprintf(stderr, "bench_trace: bad layer count in '%s'\n", layers);
            return 2;
        }
        s = end + strspn(end, " ,");
        model m = make_model((int)n);
        double ts = time_trace(&m, static_spec, reps), td = time_trace(&m, dynamic_spec, reps);
        double ops = 2.0 * (double)n;
        printf("%8ld %12.2f %12.2f %14.2f %14.2f %9.2f\n", n, ts * 1e3, td * 1e3, ts * 1e6 / ops, td * 1e6 / ops,
               td / ts);
        free_model(&m);
    }
    return 0;
}
