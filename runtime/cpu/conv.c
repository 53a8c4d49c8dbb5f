/*
 * CPU kernel for conv2d (NCHW, or CHW without a batch dim).
 *
 * For each image n and group g the convolution is one GEMM:
 *   out[n, g] [OCg, OH*OW] = weight[g] [OCg, Cg*KH*KW] @ col [Cg*KH*KW, OH*OW]
 * where `col` is the im2col unfolding of input[n, g] (zeros where the window
 * reaches into the padding). A 1x1 kernel with stride 1 and no padding needs
 * no unfolding: input[n, g] already is `col`. The bias is written into the
 * output first and the GEMM accumulates onto it (beta = 1).
 */
#include "cpu/nn_util.h"

#include <stdlib.h>
#include <string.h>
#include <omp.h>

typedef struct conv_geom {
    int64_t C, H, W, OC, KH, KW, OH, OW;
    int64_t sh, sw, ph, pw, dh, dw, groups;
} conv_geom;

/* Row r = (c, ki, kj) of the im2col unfolding of input plane group `x`
 * [Cg, H, W] into col [Cg*KH*KW, OH*OW]: zeros where the tap falls in the
 * padding. The copy is by element size: one version per width serves f32
 * and f64 (and all-zero bits are 0.0 in both). */
#define DEFINE_IM2COL_ROW(NAME, T)                                                                      \
    static void NAME(const conv_geom *g, int64_t r, const T *x, T *col) {                              \
        int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, H = g->H, W = g->W;                     \
        int64_t c = r / (KH * KW), ki = (r / KW) % KH, kj = r % KW;                                     \
        const T *plane = x + c * H * W;                                                                 \
        T *dst = col + r * OH * OW;                                                                     \
        int64_t woff = kj * g->dw - g->pw;                                                              \
        /* ow range whose input column iw = ow*sw + woff lies in [0, W) */                              \
        int64_t ow_lo = woff >= 0 ? 0 : (-woff + g->sw - 1) / g->sw;                                    \
        int64_t ow_hi = W - 1 - woff < 0 ? 0 : (W - 1 - woff) / g->sw + 1;                              \
        if (ow_hi > OW) ow_hi = OW;                                                                     \
        if (ow_lo > ow_hi) ow_lo = ow_hi;                                                               \
        for (int64_t oh = 0; oh < OH; oh++, dst += OW) {                                                \
            int64_t ih = oh * g->sh - g->ph + ki * g->dh;                                               \
            if (ih < 0 || ih >= H) {                                                                    \
                memset(dst, 0, (size_t)OW * sizeof(T));                                                 \
                continue;                                                                               \
            }                                                                                           \
            const T *row = plane + ih * W;                                                              \
            memset(dst, 0, (size_t)ow_lo * sizeof(T));                                                  \
            if (g->sw == 1 && ow_hi > ow_lo) {                                                          \
                memcpy(dst + ow_lo, row + ow_lo + woff, (size_t)(ow_hi - ow_lo) * sizeof(T));           \
            } else if (g->sw == 2) { /* a constant stride lets the compiler vectorize the gather */     \
                const T *src = row + 2 * ow_lo + woff; /* in bounds when ow_lo < ow_hi */               \
                T *d = dst + ow_lo;                                                                     \
                _Pragma("omp simd")                                                                     \
                for (int64_t i = 0; i < ow_hi - ow_lo; i++) d[i] = src[2 * i];                          \
            } else {                                                                                    \
                for (int64_t ow = ow_lo; ow < ow_hi; ow++) dst[ow] = row[ow * g->sw + woff];            \
            }                                                                                           \
            memset(dst + ow_hi, 0, (size_t)(OW - ow_hi) * sizeof(T));                                   \
        }                                                                                               \
    }
DEFINE_IM2COL_ROW(im2col_row_32, uint32_t)
DEFINE_IM2COL_ROW(im2col_row_64, uint64_t)

static void im2col_row(size_t es, const conv_geom *g, int64_t r, const void *x, void *col) {
    if (es == 4) im2col_row_32(g, r, x, col);
    else im2col_row_64(g, r, x, col);
}

/* nt > 1 spreads the rows over threads (only when the caller is not
 * threaded: a team inside a parallel region would be a new nested one) */
static void im2col(size_t es, const conv_geom *g, int64_t Cg, const void *x, void *col, int nt) {
    int64_t rows = Cg * g->KH * g->KW;
    if (nt > 1) {
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int64_t r = 0; r < rows; r++) im2col_row(es, g, r, x, col);
    } else {
        for (int64_t r = 0; r < rows; r++) im2col_row(es, g, r, x, col);
    }
}

/* Writes bias[oc] into every position of output channel oc (f32 or f64). */
static void fill_bias(size_t es, void *out, const void *bias, int64_t OC, int64_t plane) {
    for (int64_t oc = 0; oc < OC; oc++) {
        if (es == 4) {
            float v = ((const float *)bias)[oc], *dst = (float *)out + oc * plane;
#pragma omp simd
            for (int64_t i = 0; i < plane; i++) dst[i] = v;
        } else {
            double v = ((const double *)bias)[oc], *dst = (double *)out + oc * plane;
#pragma omp simd
            for (int64_t i = 0; i < plane; i++) dst[i] = v;
        }
    }
}

typedef struct conv_job {
    const conv_geom *g;
    xp_dtype cdt;
    size_t es;
    bool direct; /* 1x1, stride 1, no padding: the input is its own col */
    int64_t Cg, OCg, K, P;
    const char *bias; /* NULL for none */
    const char *x0, *w0;
    char *c0, *colbuf;
    size_t colbytes;
    int im2col_threads;
} conv_job;

/* Every group of image n; `slot` picks the thread's col buffer. */
static void conv_image(const conv_job *j, int64_t n, int slot) {
    const conv_geom *g = j->g;
    char *col = j->direct ? NULL : j->colbuf + j->colbytes * (size_t)slot;
    for (int64_t gi = 0; gi < g->groups; gi++) {
        const char *xg = j->x0 + (size_t)((n * g->C + gi * j->Cg) * g->H * g->W) * j->es;
        if (!j->direct) im2col(j->es, g, j->Cg, xg, col, j->im2col_threads);
        xp_nn_mat A = {j->w0 + (size_t)(gi * j->OCg * j->K) * j->es, j->K, 1};
        xp_nn_mat B = {j->direct ? xg : col, j->P, 1};
        char *out = j->c0 + (size_t)((n * g->OC + gi * j->OCg) * j->P) * j->es;
        /* the bias goes in first and the GEMM accumulates onto it */
        if (j->bias) fill_bias(j->es, out, j->bias + (size_t)(gi * j->OCg) * j->es, j->OCg, j->P);
        xp_nn_gemm(j->cdt, j->OCg, j->P, j->K, 1.0, A, B, j->bias ? 1.0 : 0.0, out, j->P);
    }
}

static xp_status conv_args(const xp_call *call, const xp_tensor *x, const xp_tensor *w, conv_geom *g, bool *batched) {
    int64_t s[2], p[2], d[2];
    xp_status st;
    if ((st = xp_nn_arg_pair("conv2d", "stride", &call->args[3], 1, s)) != XP_OK ||
        (st = xp_nn_arg_pair("conv2d", "padding", &call->args[4], 0, p)) != XP_OK ||
        (st = xp_nn_arg_pair("conv2d", "dilation", &call->args[5], 1, d)) != XP_OK)
        return st;
    g->groups = call->args[6].kind == XP_ARG_INT ? call->args[6].i : 1;
    if (x->meta.ndim != 3 && x->meta.ndim != 4)
        return xp_error(XP_ERR_SHAPE, "conv2d: input must have 3 or 4 dims (CHW or NCHW), got %d", x->meta.ndim);
    if (w->meta.ndim != 4)
        return xp_error(XP_ERR_SHAPE, "conv2d: weight must have 4 dims [out, in/groups, kh, kw], got %d",
                        w->meta.ndim);
    *batched = x->meta.ndim == 4;
    int o = *batched ? 1 : 0;
    g->C = x->meta.shape[o], g->H = x->meta.shape[o + 1], g->W = x->meta.shape[o + 2];
    g->OC = w->meta.shape[0], g->KH = w->meta.shape[2], g->KW = w->meta.shape[3];
    g->sh = s[0], g->sw = s[1], g->ph = p[0], g->pw = p[1], g->dh = d[0], g->dw = d[1];
    if (s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || p[0] < 0 || p[1] < 0)
        return xp_error(XP_ERR_INVALID_ARG,
                        "conv2d: stride (%lld, %lld) and dilation (%lld, %lld) must be positive and padding "
                        "(%lld, %lld) not negative",
                        (long long)s[0], (long long)s[1], (long long)d[0], (long long)d[1], (long long)p[0],
                        (long long)p[1]);
    if (g->groups < 1 || g->C % g->groups != 0 || g->OC % g->groups != 0 || w->meta.shape[1] * g->groups != g->C)
        return xp_error(XP_ERR_SHAPE,
                        "conv2d: groups %lld does not fit %lld input channels, weight [%lld, %lld, ...] "
                        "(expected [out, in/groups, kh, kw] with out divisible by groups)",
                        (long long)g->groups, (long long)g->C, (long long)w->meta.shape[0],
                        (long long)w->meta.shape[1]);
    int64_t eh = g->H + 2 * g->ph - g->dh * (g->KH - 1) - 1, ew = g->W + 2 * g->pw - g->dw * (g->KW - 1) - 1;
    if (eh < 0 || ew < 0)
        return xp_error(XP_ERR_SHAPE, "conv2d: kernel %lldx%lld (dilation %lld, %lld) is larger than the padded input "
                        "%lldx%lld", (long long)g->KH, (long long)g->KW, (long long)g->dh, (long long)g->dw,
                        (long long)(g->H + 2 * g->ph), (long long)(g->W + 2 * g->pw));
    g->OH = eh / g->sh + 1, g->OW = ew / g->sw + 1;
    return XP_OK;
}

xp_status xp_cpu_conv2d(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *w = XP_ARG_T(call->args[1]), *out = call->outs[0];
    xp_tensor *bias = call->args[2].kind == XP_ARG_TENSOR ? XP_ARG_T(call->args[2]) : NULL;
    conv_geom g;
    bool batched = false;
    xp_status st = conv_args(call, x, w, &g, &batched);
    if (st != XP_OK) return st;
    int64_t N = batched ? x->meta.shape[0] : 1;
    int64_t want[4] = {N, g.OC, g.OH, g.OW};
    const int64_t *os = out->meta.shape;
    bool shape_ok = batched ? out->meta.ndim == 4 && !memcmp(os, want, sizeof want)
                            : out->meta.ndim == 3 && !memcmp(os, want + 1, 3 * sizeof(int64_t));
    if (!shape_ok) return xp_error(XP_ERR_INTERNAL, "conv2d: output shape does not match the convolution's geometry");
    if (bias && (bias->meta.ndim != 1 || bias->meta.shape[0] != g.OC))
        return xp_error(XP_ERR_SHAPE, "conv2d: bias must have shape [%lld]", (long long)g.OC);

    if (!xp_dtype_is_float(out->meta.dtype)) /* as in PyTorch; the shape function says so first */
        return xp_error(XP_ERR_DTYPE, "conv2d: expected a floating-point input, got %s",
                        xp_dtype_name(out->meta.dtype));
    xp_dtype cdt = xp_cpu_compute_dtype(out->meta.dtype);
    xp_tensor *X = xp_nn_as(x, cdt, true), *Wt = X ? xp_nn_as(w, cdt, true) : NULL;
    xp_tensor *B = Wt && bias ? xp_nn_as(bias, cdt, true) : NULL;
    xp_tensor *C = Wt && (B || !bias) ? xp_nn_out_begin(out, cdt) : NULL;
    void *colbuf = NULL;
    if (!C) {
        st = xp_last_status();
        goto done;
    }
    int64_t G = g.groups, Cg = g.C / G, OCg = g.OC / G, K = Cg * g.KH * g.KW, P = g.OH * g.OW;
    if ((st = xp_nn_gemm_check("conv2d", OCg, P, K)) != XP_OK) goto done;
    if (N * g.OC * P == 0) goto finish;
    size_t es = xp_dtype_size(cdt);
    char *x0 = xp_tensor_base_ptr(X), *w0 = xp_tensor_base_ptr(Wt), *c0 = xp_tensor_base_ptr(C);

    bool direct = g.KH == 1 && g.KW == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
    /* Images go one per thread, each thread with its own col buffer, or in
     * turn with im2col and each GEMM threaded inside. */
    int nt = xp_num_threads();
    bool par = xp_nn_batch_parallel(N, (double)OCg * P * K * G, nt);
    int nbuf = direct ? 0 : par ? nt : 1;
    size_t colbytes = (size_t)(K * P) * es;
    int inner_nt = !par && (double)K * P >= 65536.0 ? nt : 1;
    if (nbuf && !(colbuf = xp_cpu_scratch(XP_SCRATCH_CONV, colbytes * (size_t)nbuf))) {
        st = xp_last_status();
        goto done;
    }
    conv_job job = {&g, cdt, es, direct, Cg, OCg, K, P, B ? xp_tensor_base_ptr(B) : NULL, x0, w0, c0, colbuf,
                    colbytes, inner_nt};
    if (par) {
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int64_t n = 0; n < N; n++) conv_image(&job, n, omp_get_thread_num());
    } else {
        /* not `if (par)` on the loop above: the im2col and GEMM regions
         * inside an inactive region would each start a nested team */
        for (int64_t n = 0; n < N; n++) conv_image(&job, n, 0);
    }
finish:
    st = xp_nn_out_end(out, C);
    C = NULL;
done:
    if (C) xp_nn_release(out, C);
    if (X) xp_nn_release(x, X);
    if (Wt) xp_nn_release(w, Wt);
    if (B) xp_nn_release(bias, B);
    return st;
}
