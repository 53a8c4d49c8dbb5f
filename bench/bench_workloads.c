/*
 * The reference workloads of DESIGN §8, eager and through the interpreter,
 * as ratios against limits measured in the same run.
 *
 *   GEMM          n = 256, 512, 1024, 2048
 *   MLP           batch 64, 784 -> 1024 -> ReLU -> 1024 -> ReLU -> 10
 *   CNN           batch 8 on 3x64x64: 3x3 convs 3->32, 32->64 s2, 64->64 s2
 *                 (pad 1, ReLU), global average pool, linear 64 -> 10
 *   transformer   pre-LayerNorm block: seq 128, d_model 256, 4 heads,
 *                 FFN 1024 with GELU
 *   elementwise   relu(a + b) on 16M floats
 *
 * Each model is written once, against a tiny two-way layer (bval/bctx
 * below): in eager mode every call is the xp_* op inside an arena scope;
 * in graph mode it adds the same op to a program with the IR builder,
 * which is then run by xp_program_run. Both results are compared, so the
 * benchmark also checks the interpreter against eager execution.
 *
 * Limits (measured here, best of the repetitions since they are ceilings):
 *   - OpenBLAS sgemm GFLOP/s at n = 1024 on the same threads; a workload's
 *     FLOP floor is its FLOPs at that rate;
 *   - a plain OpenMP streaming loop c[i] = a[i] + b[i]: GB/s; the floor of
 *     relu(a + b) is its 12 bytes per element at that rate.
 * Workload times are medians of warm repetitions (clock_gettime,
 * CLOCK_MONOTONIC). Weights and inputs come from a fixed seed.
 *
 * Options: --quick (1 warm-up and 3 repetitions, reduced sizes: GEMM up to
 * 512, 1M-float elementwise — for the smoke test, not for comparisons),
 * --threads N (kernels, OpenBLAS and the baseline loops).
 */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ir/xp_ir.h"

/* ---- options, timing ---- */

static int g_reps = 10, g_warm = 2;
static bool g_quick;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint64_t g_seed = 0x5eed;

static float rand_unit(void) {
    uint64_t z = (g_seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / 9007199254740992.0 * 2 - 1);
}

/* A seeded f32 tensor with values in [-scale, scale]. */
static xp_tensor *rand_tensor(int ndim, const int64_t *shape, float scale) {
    xp_tensor *t = xp_tensor_new(XP_F32, ndim, shape);
    if (!t) {
        fprintf(stderr, "bench: %s\n", xp_last_error());
        exit(1);
    }
    float *d = xp_data(t);
    for (int64_t i = 0; i < xp_numel(t); i++) d[i] = scale * rand_unit();
    return t;
}

/* ---- one model, two ways ---- */

typedef struct bval {
    xp_tensor *t; /* eager */
    int32_t v;    /* graph value id */
} bval;

typedef struct bctx {
    xp_program *p; /* NULL: eager */
    bool failed;
} bctx;

static bval node(bctx *c, xp_op_id op, int n, const xp_narg *args) {
    bval r = {NULL, -1};
    if (c->failed) return r;
    if (xp_graph_add_node(c->p->graph, op, args, n, XP_NO_LOC, &r.v) != XP_OK) {
        fprintf(stderr, "bench: building %s: %s\n", xp_op_get(op)->name, xp_last_error());
        c->failed = true;
    }
    return r;
}

static bval eager(bctx *c, xp_tensor *t) {
    if (!t && !c->failed) {
        fprintf(stderr, "bench: eager op failed: %s\n", xp_last_error());
        c->failed = true;
    }
    return (bval){t, -1};
}

#define V(x) xp_narg_value((x).v)

static bval b_add(bctx *c, bval a, bval b) {
    if (!c->p) return eager(c, xp_add(a.t, b.t));
    return node(c, XP_OP_add, 2, (xp_narg[]){V(a), V(b)});
}
static bval b_relu(bctx *c, bval a) {
    if (!c->p) return eager(c, xp_relu(a.t));
    return node(c, XP_OP_relu, 1, (xp_narg[]){V(a)});
}
static bval b_gelu(bctx *c, bval a) {
    if (!c->p) return eager(c, xp_gelu(a.t));
    return node(c, XP_OP_gelu, 1, (xp_narg[]){V(a)});
}
static bval b_mm(bctx *c, bval a, bval b) {
    if (!c->p) return eager(c, xp_mm(a.t, b.t));
    return node(c, XP_OP_mm, 2, (xp_narg[]){V(a), V(b)});
}
static bval b_linear(bctx *c, bval x, bval w, bval b) {
    if (!c->p) return eager(c, xp_linear(x.t, w.t, b.t));
    return node(c, XP_OP_linear, 3, (xp_narg[]){V(x), V(w), V(b)});
}
static bval b_conv(bctx *c, bval x, bval w, bval b, int64_t stride, int64_t pad) {
    if (!c->p) return eager(c, xp_conv2d(x.t, w.t, b.t, stride, pad, 1, 1));
    xp_dim s[2] = {stride, stride}, p[2] = {pad, pad};
    return node(c, XP_OP_conv2d, 5, (xp_narg[]){V(x), V(w), V(b), xp_narg_ints(2, s), xp_narg_ints(2, p)});
}
/* global average pool: mean over H and W, [N, C, H, W] -> [N, C] */
static bval b_gap(bctx *c, bval x) {
    xp_dim dims[2] = {2, 3};
    if (!c->p) return eager(c, xp_mean_dims(x.t, 2, dims, false));
    return node(c, XP_OP_mean, 3, (xp_narg[]){V(x), xp_narg_ints(2, dims), xp_narg_bool(false)});
}
static bval b_layer_norm(bctx *c, bval x, int64_t d, bval w, bval b) {
    xp_dim ns[1] = {d};
    if (!c->p) return eager(c, xp_layer_norm(x.t, 1, ns, w.t, b.t, 1e-5));
    return node(c, XP_OP_layer_norm, 5, (xp_narg[]){V(x), xp_narg_ints(1, ns), V(w), V(b), xp_narg_float(1e-5)});
}
static bval b_view(bctx *c, bval x, int n, const int64_t *shape) {
    if (!c->p) return eager(c, xp_view(x.t, n, shape));
    return node(c, XP_OP_view, 2, (xp_narg[]){V(x), xp_narg_ints(n, (xp_dim *)shape)});
}
static bval b_permute(bctx *c, bval x, int n, const int64_t *perm) {
    if (!c->p) return eager(c, xp_permute(x.t, n, perm));
    return node(c, XP_OP_permute, 2, (xp_narg[]){V(x), xp_narg_ints(n, (xp_dim *)perm)});
}
static bval b_contiguous(bctx *c, bval x) {
    if (!c->p) return eager(c, xp_contiguous(x.t));
    return node(c, XP_OP_contiguous, 1, (xp_narg[]){V(x)});
}
static bval b_sdpa(bctx *c, bval q, bval k, bval v) {
    if (!c->p) return eager(c, xp_scaled_dot_product_attention(q.t, k.t, v.t, NULL, false));
    return node(c, XP_OP_scaled_dot_product_attention, 3, (xp_narg[]){V(q), V(k), V(v)});
}

/* ---- workloads ---- */

#define MAX_IO 4
#define MAX_W 16

typedef struct workload {
    char name[48];
    double flops;  /* for the FLOP floor; 0 for a bandwidth-bound workload */
    double bytes;  /* minimal memory traffic, for the streaming floor */
    int nin;
    xp_tensor *in[MAX_IO];
    const char *in_names[MAX_IO];
    int nw;
    xp_tensor *w[MAX_W];
    const char *w_names[MAX_W];
    bval (*forward)(bctx *c, const bval *in, const bval *w);
} workload;

static void add_input(workload *wl, const char *name, xp_tensor *t) {
    wl->in_names[wl->nin] = name;
    wl->in[wl->nin++] = t;
}
static void add_weight(workload *wl, const char *name, xp_tensor *t) {
    wl->w_names[wl->nw] = name;
    wl->w[wl->nw++] = t;
}

static bval fwd_gemm(bctx *c, const bval *in, const bval *w) {
    (void)w;
    return b_mm(c, in[0], in[1]);
}

static bval fwd_mlp(bctx *c, const bval *in, const bval *w) {
    bval h = b_relu(c, b_linear(c, in[0], w[0], w[1]));
    h = b_relu(c, b_linear(c, h, w[2], w[3]));
    return b_linear(c, h, w[4], w[5]);
}

static bval fwd_cnn(bctx *c, const bval *in, const bval *w) {
    bval h = b_relu(c, b_conv(c, in[0], w[0], w[1], 1, 1));
    h = b_relu(c, b_conv(c, h, w[2], w[3], 2, 1));
    h = b_relu(c, b_conv(c, h, w[4], w[5], 2, 1));
    return b_linear(c, b_gap(c, h), w[6], w[7]);
}

enum { SEQ = 128, DM = 256, HEADS = 4, HD = DM / HEADS, FFN = 1024 };

/* [SEQ, DM] -> [HEADS, SEQ, HD] */
static bval split_heads(bctx *c, bval x) {
    bval h = b_view(c, x, 3, (int64_t[]){SEQ, HEADS, HD});
    return b_contiguous(c, b_permute(c, h, 3, (int64_t[]){1, 0, 2}));
}

static bval fwd_block(bctx *c, const bval *in, const bval *w) {
    /* w: ln1.w ln1.b wq bq wk bk wv bv wo bo ln2.w ln2.b w1 b1 w2 b2 */
    bval x = in[0];
    bval h = b_layer_norm(c, x, DM, w[0], w[1]);
    bval q = split_heads(c, b_linear(c, h, w[2], w[3]));
    bval k = split_heads(c, b_linear(c, h, w[4], w[5]));
    bval v = split_heads(c, b_linear(c, h, w[6], w[7]));
    bval a = b_sdpa(c, q, k, v);
    a = b_contiguous(c, b_permute(c, a, 3, (int64_t[]){1, 0, 2}));
    a = b_view(c, a, 2, (int64_t[]){SEQ, DM});
    x = b_add(c, x, b_linear(c, a, w[8], w[9]));
    h = b_layer_norm(c, x, DM, w[10], w[11]);
    h = b_linear(c, b_gelu(c, b_linear(c, h, w[12], w[13])), w[14], w[15]);
    return b_add(c, x, h);
}

static bval fwd_relu_add(bctx *c, const bval *in, const bval *w) {
    (void)w;
    return b_relu(c, b_add(c, in[0], in[1]));
}

static void linear_weights(workload *wl, const char *wname, const char *bname, int64_t out, int64_t in) {
    float s = 1.0f / sqrtf((float)in);
    add_weight(wl, wname, rand_tensor(2, (int64_t[]){out, in}, s));
    add_weight(wl, bname, rand_tensor(1, (int64_t[]){out}, s));
}

static void conv_weights(workload *wl, const char *wname, const char *bname, int64_t out, int64_t in) {
    float s = 1.0f / sqrtf((float)(in * 9));
    add_weight(wl, wname, rand_tensor(4, (int64_t[]){out, in, 3, 3}, s));
    add_weight(wl, bname, rand_tensor(1, (int64_t[]){out}, s));
}

static int make_workloads(workload *wls) {
    int n = 0;
    static const int64_t gemm_full[] = {256, 512, 1024, 2048}, gemm_quick[] = {256, 512};
    const int64_t *gn = g_quick ? gemm_quick : gemm_full;
    int ngemm = g_quick ? 2 : 4;
    for (int i = 0; i < ngemm; i++) {
        workload *wl = &wls[n++];
        memset(wl, 0, sizeof *wl);
        int64_t s = gn[i];
        snprintf(wl->name, sizeof wl->name, "gemm n=%lld", (long long)s);
        wl->flops = 2.0 * (double)s * (double)s * (double)s;
        add_input(wl, "a", rand_tensor(2, (int64_t[]){s, s}, 1));
        add_input(wl, "b", rand_tensor(2, (int64_t[]){s, s}, 1));
        wl->forward = fwd_gemm;
    }
    {
        workload *wl = &wls[n++];
        memset(wl, 0, sizeof *wl);
        snprintf(wl->name, sizeof wl->name, "mlp b=64 784-1024-1024-10");
        wl->flops = 2.0 * 64 * (784.0 * 1024 + 1024.0 * 1024 + 1024.0 * 10);
        add_input(wl, "x", rand_tensor(2, (int64_t[]){64, 784}, 1));
        linear_weights(wl, "fc1.weight", "fc1.bias", 1024, 784);
        linear_weights(wl, "fc2.weight", "fc2.bias", 1024, 1024);
        linear_weights(wl, "fc3.weight", "fc3.bias", 10, 1024);
        wl->forward = fwd_mlp;
    }
    {
        workload *wl = &wls[n++];
        memset(wl, 0, sizeof *wl);
        snprintf(wl->name, sizeof wl->name, "cnn b=8 3x64x64");
        wl->flops = 2.0 * 8 * (32.0 * 64 * 64 * 3 * 9 + 64.0 * 32 * 32 * 32 * 9 + 64.0 * 16 * 16 * 64 * 9) +
                    2.0 * 8 * 64 * 10;
        add_input(wl, "x", rand_tensor(4, (int64_t[]){8, 3, 64, 64}, 1));
        conv_weights(wl, "conv1.weight", "conv1.bias", 32, 3);
        conv_weights(wl, "conv2.weight", "conv2.bias", 64, 32);
        conv_weights(wl, "conv3.weight", "conv3.bias", 64, 64);
        linear_weights(wl, "fc.weight", "fc.bias", 10, 64);
        wl->forward = fwd_cnn;
    }
    {
        workload *wl = &wls[n++];
        memset(wl, 0, sizeof *wl);
        snprintf(wl->name, sizeof wl->name, "transformer block s=128 d=256");
        wl->flops = 4 * 2.0 * SEQ * DM * DM + 2 * 2.0 * HEADS * SEQ * SEQ * HD + 2 * 2.0 * SEQ * DM * FFN;
        add_input(wl, "x", rand_tensor(2, (int64_t[]){SEQ, DM}, 1));
        add_weight(wl, "ln1.weight", rand_tensor(1, (int64_t[]){DM}, 1));
        add_weight(wl, "ln1.bias", rand_tensor(1, (int64_t[]){DM}, 0.1f));
        linear_weights(wl, "attn.wq", "attn.bq", DM, DM);
        linear_weights(wl, "attn.wk", "attn.bk", DM, DM);
        linear_weights(wl, "attn.wv", "attn.bv", DM, DM);
        linear_weights(wl, "attn.wo", "attn.bo", DM, DM);
        add_weight(wl, "ln2.weight", rand_tensor(1, (int64_t[]){DM}, 1));
        add_weight(wl, "ln2.bias", rand_tensor(1, (int64_t[]){DM}, 0.1f));
        linear_weights(wl, "ffn.w1", "ffn.b1", FFN, DM);
        linear_weights(wl, "ffn.w2", "ffn.b2", DM, FFN);
        wl->forward = fwd_block;
    }
    {
        workload *wl = &wls[n++];
        memset(wl, 0, sizeof *wl);
        int64_t e = g_quick ? (1 << 20) : (16 << 20);
        snprintf(wl->name, sizeof wl->name, "relu(a + b) %lldM", (long long)(e >> 20));
        wl->bytes = 12.0 * (double)e;
        add_input(wl, "a", rand_tensor(1, (int64_t[]){e}, 1));
        add_input(wl, "b", rand_tensor(1, (int64_t[]){e}, 1));
        wl->forward = fwd_relu_add;
    }
    return n;
}

/* ---- running ---- */

static xp_tensor *run_eager(const workload *wl, bool keep) {
    bctx c = {0};
    bval in[MAX_IO], w[MAX_W];
    for (int i = 0; i < wl->nin; i++) in[i] = (bval){wl->in[i], -1};
    for (int i = 0; i < wl->nw; i++) w[i] = (bval){wl->w[i], -1};
    xp_scope *sc = xp_scope_push();
    bval out = wl->forward(&c, in, w);
    xp_tensor *r = keep && !c.failed ? xp_keep(out.t) : NULL;
    xp_scope_pop(sc);
    if (c.failed) return NULL;
    return keep ? r : (xp_tensor *)1;
}

static xp_program *build_program(const workload *wl) {
    xp_program *p = xp_program_new(wl->name[0] == 'g' ? "gemm" : "workload");
    if (!p) return NULL;
    bctx c = {.p = p};
    bval in[MAX_IO], w[MAX_W];
    for (int i = 0; i < wl->nw && !c.failed; i++) {
        char name[64];
        snprintf(name, sizeof name, "p_%d", i);
        const xp_tensor *t = wl->w[i];
        xp_dim shape[XP_MAX_DIMS];
        for (int d = 0; d < xp_ndim(t); d++) shape[d] = xp_size(t, d);
        if (xp_program_add_input(p, XP_IN_PARAMETER, name, wl->w_names[i], XP_F32, xp_ndim(t), shape, &w[i].v))
            c.failed = true;
    }
    for (int i = 0; i < wl->nin && !c.failed; i++) {
        const xp_tensor *t = wl->in[i];
        xp_dim shape[XP_MAX_DIMS];
        for (int d = 0; d < xp_ndim(t); d++) shape[d] = xp_size(t, d);
        if (xp_program_add_input(p, XP_IN_USER_INPUT, wl->in_names[i], NULL, XP_F32, xp_ndim(t), shape, &in[i].v))
            c.failed = true;
    }
    bval out = c.failed ? (bval){NULL, -1} : wl->forward(&c, in, w);
    if (!c.failed && xp_program_add_output(p, XP_OUT_USER_OUTPUT, out.v, NULL)) c.failed = true;
    for (int i = 0; i < wl->nw && !c.failed; i++)
        if (xp_program_bind_tensor(p, wl->w_names[i], wl->w[i])) c.failed = true;
    if (c.failed) {
        fprintf(stderr, "bench: %s: %s\n", wl->name, xp_last_error());
        xp_program_free(p);
        return NULL;
    }
    return p;
}

static xp_tensor *run_program(xp_program *p, const workload *wl) {
    xp_tensor *out = NULL;
    if (xp_program_run(p, (xp_tensor **)wl->in, wl->nin, &out, 1) != XP_OK) {
        fprintf(stderr, "bench: %s: %s\n", wl->name, xp_last_error());
        return NULL;
    }
    return out;
}

/* Largest |a - b| relative to max(1, |b|). */
static double max_rel_diff(const xp_tensor *a, xp_tensor *b) {
    if (xp_numel(a) != xp_numel(b)) return INFINITY;
    const float *x = xp_data((xp_tensor *)a), *y = xp_data(b);
    double m = 0;
    for (int64_t i = 0; i < xp_numel(a); i++) {
        double d = fabs((double)x[i] - y[i]) / fmax(1.0, fabs((double)y[i]));
        if (d > m || isnan(d)) m = isnan(d) ? INFINITY : d;
    }
    return m;
}

/* ---- limits ---- */

static double measure_sgemm_gflops(int n) {
    float *a = malloc(sizeof(float) * (size_t)n * (size_t)n), *b = malloc(sizeof(float) * (size_t)n * (size_t)n),
          *c = malloc(sizeof(float) * (size_t)n * (size_t)n);
    if (!a || !b || !c) exit(1);
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++) {
        a[i] = rand_unit();
        b[i] = rand_unit();
    }
    double best = INFINITY;
    for (int r = 0; r < g_warm + g_reps; r++) {
        double t0 = now_s();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t = now_s() - t0;
        if (r >= g_warm && t < best) best = t;
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * n * (double)n * n / best / 1e9;
}

static double measure_stream_gbps(int64_t n, int threads) {
    float *a = malloc(sizeof(float) * (size_t)n), *b = malloc(sizeof(float) * (size_t)n),
          *c = malloc(sizeof(float) * (size_t)n);
    if (!a || !b || !c) exit(1);
#pragma omp parallel for num_threads(threads)
    for (int64_t i = 0; i < n; i++) {
        a[i] = (float)(i & 1023);
        b[i] = 1.0f;
        c[i] = 0.0f;
    }
    double best = INFINITY;
    for (int r = 0; r < g_warm + g_reps; r++) {
        double t0 = now_s();
#pragma omp parallel for num_threads(threads)
        for (int64_t i = 0; i < n; i++) c[i] = a[i] + b[i];
        double t = now_s() - t0;
        if (r >= g_warm && t < best) best = t;
    }
    volatile float sink = c[n / 2];
    (void)sink;
    free(a);
    free(b);
    free(c);
    return 12.0 * (double)n / best / 1e9;
}

static void usage(FILE *f) {
    fprintf(f, "usage: bench_workloads [--quick] [--threads N]\n");
}

int main(int argc, char **argv) {
    int threads = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            g_quick = true;
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 4096) {
                fprintf(stderr, "bench_workloads: --threads takes a positive count, got '%s'\n", argv[i]);
                return 2;
            }
            threads = (int)v;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench_workloads: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (g_quick) {
        g_reps = 3;
        g_warm = 1;
    }
    if (threads) xp_set_num_threads(threads);
    threads = xp_num_threads();
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);

    int sgemm_n = g_quick ? 256 : 1024;
    double gflops = measure_sgemm_gflops(sgemm_n);
    double gbps = measure_stream_gbps(g_quick ? (1 << 20) : (16 << 20), threads);
    printf("xport reference workloads (DESIGN §8), f32, %d thread%s%s\n", threads, threads == 1 ? "" : "s",
           g_quick ? ", QUICK: reduced sizes and repetitions, not for comparison" : "");
    printf("limits: OpenBLAS sgemm n=%d %.1f GFLOP/s; streaming c = a + b %.1f GB/s\n", sgemm_n, gflops, gbps);
    printf("times: median of %d warm repetitions; ratio = time / floor (1.00 is the machine's limit)\n\n", g_reps);
    printf("into: xp_program_run_into a tensor the caller made once (a steady-state run allocates nothing)\n\n");
    printf("%-30s %10s %10s %10s %10s %12s %12s %12s %12s %10s\n", "workload", "floor ms", "eager ms", "interp ms",
           "into ms", "eager/floor", "interp/floor", "into/floor", "interp/eager", "max diff");

    workload wls[16];
    int n = make_workloads(wls);
    int bad = 0;
    double *times = malloc(sizeof(double) * (size_t)(g_reps + 1));
    for (int k = 0; k < n; k++) {
        workload *wl = &wls[k];
        double floor_s = wl->flops > 0 ? wl->flops / (gflops * 1e9) : wl->bytes / (gbps * 1e9);

        xp_tensor *want = run_eager(wl, true);
        xp_program *p = want ? build_program(wl) : NULL;
        xp_tensor *got = p ? run_program(p, wl) : NULL;
        if (!got) {
            printf("%-30s failed\n", wl->name);
            bad++;
            xp_tensor_free(want);
            xp_program_free(p);
            continue;
        }
        double diff = max_rel_diff(got, want);
        int64_t shape[8];
        for (int d = 0; d < xp_ndim(got) && d < 8; d++) shape[d] = xp_size(got, d);
        xp_tensor *dst = xp_tensor_new(xp_dtype_of(got), xp_ndim(got), shape); /* made once, as a caller would */
        xp_tensor_free(got);

        for (int r = 0; r < g_warm + g_reps; r++) {
            double t0 = now_s();
            if (!run_eager(wl, false)) bad++;
            if (r >= g_warm) times[r - g_warm] = now_s() - t0;
        }
        double eager_s = median(times, g_reps);
        for (int r = 0; r < g_warm + g_reps; r++) {
            double t0 = now_s();
            xp_tensor *o = run_program(p, wl);
            if (!o) bad++;
            xp_tensor_free(o);
            if (r >= g_warm) times[r - g_warm] = now_s() - t0;
        }
        double interp_s = median(times, g_reps);
        for (int r = 0; r < g_warm + g_reps; r++) {
            double t0 = now_s();
            if (xp_program_run_into(p, (xp_tensor **)wl->in, wl->nin, &dst, 1) != XP_OK) {
                fprintf(stderr, "bench: %s: %s\n", wl->name, xp_last_error());
                bad++;
            }
            if (r >= g_warm) times[r - g_warm] = now_s() - t0;
        }
        double into_s = median(times, g_reps);
        diff = fmax(diff, max_rel_diff(dst, want));
        xp_tensor_free(dst);
        xp_tensor_free(want);
        xp_program_free(p);

        /* f32 results of the same kernels on the same data: differences come
         * only from a kernel choosing another summation order per call */
        bool mismatch = !(diff <= 1e-3);
        if (mismatch) bad++;
        printf("%-30s %10.3f %10.3f %10.3f %10.3f %12.2f %12.2f %12.2f %12.2f %10.2g%s\n", wl->name, floor_s * 1e3,
               eager_s * 1e3, interp_s * 1e3, into_s * 1e3, eager_s / floor_s, interp_s / floor_s, into_s / floor_s,
               interp_s / eager_s, diff,
               mismatch ? "  MISMATCH" : "");
        fflush(stdout);
    }
    free(times);
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < wls[k].nin; i++) xp_tensor_free(wls[k].in[i]);
        for (int i = 0; i < wls[k].nw; i++) xp_tensor_free(wls[k].w[i]);
    }
    if (bad) fprintf(stderr, "bench_workloads: %d failure(s)\n", bad);
    return bad ? 1 : 0;
}
