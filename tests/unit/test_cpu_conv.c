/*
 * CPU kernels for conv2d, max_pool2d, avg_pool2d and adaptive_avg_pool2d
 * against plain double-precision references computed here with naive loops
 * over the definition (every kernel tap, padding as "outside the input"),
 * through the public API or, for the arguments the API fixes (asymmetric
 * sizes, ceil_mode, dilation of pools, count_include_pad), xp_dispatch.
 *
 * Tolerances: inputs are uniform in [-1, 1), so a convolution output is a
 * sum of K = Cg*KH*KW products of magnitude <= 1 plus the bias; in f32 that
 * accumulates at most (K+1) roundings of magnitude <= (K+1) * 2^-24, so
 * |error| <= (K+1)^2 * 2^-24; we allow twice that. Max pooling is exact.
 * Average pooling sums at most KH*KW values in double and divides once, so
 * the f32 result is within one rounding: rtol 2^-23.
 */
#include <string.h>

#include "ops/xp_registry.h"
#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

static double sum_atol(xp_dtype dt, int64_t terms) {
    double u = dt == XP_F64 ? ldexp(1.0, -53) : ldexp(1.0, -24);
    return 2.0 * (double)(terms * terms) * u + 1e-300;
}

static int64_t rand_int(uint64_t *s, int64_t lo, int64_t hi) {
    return lo + (int64_t)(xpt_rand_u64(s) % (uint64_t)(hi - lo + 1));
}

/* A random NCHW tensor laid out as NCWH in memory (a transposed view). */
static xp_tensor *random_nchw_transposed(uint64_t *s, xp_dtype dt, const int64_t shape[4]) {
    xp_tensor *base = xpt_random(s, dt, 4, (int64_t[]){shape[0], shape[1], shape[3], shape[2]}, -1, 1);
    return xp_transpose(base, 2, 3);
}

/* ---- conv2d ---- */

typedef struct conv_cfg {
    int64_t N, C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, groups;
    bool bias;
} conv_cfg;

static xp_tensor *ref_conv2d(const conv_cfg *c, const xp_tensor *x, const xp_tensor *w, const xp_tensor *b) {
    int64_t OH = (c->H + 2 * c->ph - c->dh * (c->KH - 1) - 1) / c->sh + 1;
    int64_t OW = (c->W + 2 * c->pw - c->dw * (c->KW - 1) - 1) / c->sw + 1;
    int64_t Cg = c->C / c->groups, OCg = c->OC / c->groups;
    xp_tensor *out = xp_tensor_new(XP_F64, 4, (int64_t[]){c->N, c->OC, OH, OW});
    double *o = xp_data(out);
    for (int64_t n = 0; n < c->N; n++)
        for (int64_t oc = 0; oc < c->OC; oc++)
            for (int64_t oh = 0; oh < OH; oh++)
                for (int64_t ow = 0; ow < OW; ow++) {
                    double acc = b ? xpt_get(b, (int64_t[]){oc}) : 0.0;
                    int64_t g = oc / OCg;
                    for (int64_t ci = 0; ci < Cg; ci++)
                        for (int64_t i = 0; i < c->KH; i++)
                            for (int64_t j = 0; j < c->KW; j++) {
                                int64_t ih = oh * c->sh - c->ph + i * c->dh, iw = ow * c->sw - c->pw + j * c->dw;
                                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W) continue; /* zero padding */
                                acc += xpt_get(x, (int64_t[]){n, g * Cg + ci, ih, iw}) *
                                       xpt_get(w, (int64_t[]){oc, ci, i, j});
                            }
                    *o++ = acc;
                }
    return out;
}

static xp_tensor *conv2d_ex(const conv_cfg *c, xp_tensor *x, xp_tensor *w, xp_tensor *b) {
    xp_arg args[] = {xp_arg_tensor(x), xp_arg_tensor(w), xp_arg_tensor(b),
                     xp_arg_ints(2, (const xp_dim[]){c->sh, c->sw}), xp_arg_ints(2, (const xp_dim[]){c->ph, c->pw}),
                     xp_arg_ints(2, (const xp_dim[]){c->dh, c->dw}), xp_arg_int(c->groups)};
    return xp_dispatch(XP_OP_conv2d, args, 7);
}

static void check_conv(const conv_cfg *c, xp_dtype dt, uint64_t *s, bool transposed_input) {
    int64_t xs[4] = {c->N, c->C, c->H, c->W};
    xp_tensor *x = transposed_input ? random_nchw_transposed(s, dt, xs) : xpt_random(s, dt, 4, xs, -1, 1);
    xp_tensor *w = xpt_random(s, dt, 4, (int64_t[]){c->OC, c->C / c->groups, c->KH, c->KW}, -1, 1);
    xp_tensor *b = c->bias ? xpt_random(s, dt, 1, (int64_t[]){c->OC}, -1, 1) : NULL;
    bool symmetric = c->sh == c->sw && c->ph == c->pw && c->dh == c->dw;
    xp_tensor *got = symmetric ? xp_conv2d(x, w, b, c->sh, c->ph, c->dh, c->groups) : conv2d_ex(c, x, w, b);
    ck_assert_msg(got != NULL,
                  "conv2d N%lld C%lld %lldx%lld OC%lld k%lldx%lld s%lld,%lld p%lld,%lld d%lld,%lld g%lld: %s",
                  (long long)c->N, (long long)c->C, (long long)c->H, (long long)c->W, (long long)c->OC,
                  (long long)c->KH, (long long)c->KW, (long long)c->sh, (long long)c->sw, (long long)c->ph,
                  (long long)c->pw, (long long)c->dh, (long long)c->dw, (long long)c->groups, xp_last_error());
    ck_assert_int_eq(xp_dtype_of(got), dt);
    int64_t K = c->C / c->groups * c->KH * c->KW + 1;
    double rtol = dt == XP_F16 ? ldexp(1.0, -11) : dt == XP_BF16 ? ldexp(1.0, -8) : 0.0;
    xpt_assert_close(got, ref_conv2d(c, x, w, b), rtol, sum_atol(dt == XP_F64 ? XP_F64 : XP_F32, K));
}

START_TEST(conv2d_matches_reference_on_random_configs) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1001;
    for (int it = 0; it < 60; it++) {
        conv_cfg c;
        c.groups = rand_int(&s, 1, 3);
        c.C = c.groups * rand_int(&s, 1, 3);
        c.OC = c.groups * rand_int(&s, 1, 3);
        c.N = rand_int(&s, 1, 3);
        c.KH = rand_int(&s, 1, 4), c.KW = rand_int(&s, 1, 4);
        c.sh = rand_int(&s, 1, 3), c.sw = rand_int(&s, 1, 3);
        c.dh = rand_int(&s, 1, 2), c.dw = rand_int(&s, 1, 2);
        c.ph = rand_int(&s, 0, 2), c.pw = rand_int(&s, 0, 2);
        if (it % 2 == 0) c.sw = c.sh, c.pw = c.ph, c.dw = c.dh; /* through xp_conv2d */
        /* the input must hold at least one dilated kernel */
        c.H = c.dh * (c.KH - 1) + 1 - 2 * c.ph + rand_int(&s, 0, 7);
        c.W = c.dw * (c.KW - 1) + 1 - 2 * c.pw + rand_int(&s, 0, 7);
        if (c.H < 1) c.H = 1;
        if (c.W < 1) c.W = 1;
        c.bias = it % 3 != 0;
        check_conv(&c, it % 5 == 4 ? XP_F64 : XP_F32, &s, it % 4 == 1);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_1x1_stride_1_skips_unfolding_and_stays_exact) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1002;
    conv_cfg c = {.N = 2, .C = 6, .H = 5, .W = 7, .OC = 4, .KH = 1, .KW = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                  .groups = 1, .bias = true};
    check_conv(&c, XP_F32, &s, false);
    check_conv(&c, XP_F32, &s, true);
    c.groups = 2, c.bias = false, c.dh = c.dw = 3; /* dilation does not matter for 1x1 */
    check_conv(&c, XP_F32, &s, false);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_depthwise_groups) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1003;
    conv_cfg c = {.N = 2, .C = 8, .H = 9, .W = 9, .OC = 16, .KH = 3, .KW = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1,
                  .dh = 1, .dw = 1, .groups = 8, .bias = true};
    check_conv(&c, XP_F32, &s, false);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_batches_over_threads_and_large_images_alike) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1004;
    /* small per-image GEMMs: images spread over threads */
    conv_cfg small = {.N = 8, .C = 4, .H = 16, .W = 16, .OC = 8, .KH = 3, .KW = 3, .sh = 1, .sw = 1, .ph = 1,
                      .pw = 1, .dh = 1, .dw = 1, .groups = 1, .bias = true};
    check_conv(&small, XP_F32, &s, false);
    /* large images, an even count: still one image per thread */
    conv_cfg pair = {.N = 2, .C = 16, .H = 24, .W = 24, .OC = 16, .KH = 3, .KW = 3, .sh = 2, .sw = 2, .ph = 1,
                     .pw = 1, .dh = 1, .dw = 1, .groups = 1, .bias = true};
    check_conv(&pair, XP_F32, &s, false);
    /* one large image: im2col and the GEMM are each split over threads */
    conv_cfg large = {.N = 1, .C = 16, .H = 48, .W = 40, .OC = 24, .KH = 3, .KW = 3, .sh = 1, .sw = 1, .ph = 1,
                      .pw = 1, .dh = 1, .dw = 1, .groups = 1, .bias = true};
    check_conv(&large, XP_F32, &s, false);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_of_half_types_rounds_once) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1005;
    conv_cfg c = {.N = 2, .C = 4, .H = 6, .W = 5, .OC = 3, .KH = 3, .KW = 2, .sh = 1, .sw = 2, .ph = 1, .pw = 0,
                  .dh = 1, .dw = 1, .groups = 1, .bias = true};
    check_conv(&c, XP_F16, &s, false);
    check_conv(&c, XP_BF16, &s, true);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_accepts_unbatched_and_empty_batches) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1006;
    xp_tensor *x = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 5, 5}, -1, 1);
    xp_tensor *w = xpt_random(&s, XP_F32, 4, (int64_t[]){3, 2, 3, 3}, -1, 1);
    xp_tensor *got = xp_conv2d(x, w, NULL, 1, 1, 1, 1);
    xpt_assert_shape(got, 3, 5, 5);
    conv_cfg c = {.N = 1, .C = 2, .H = 5, .W = 5, .OC = 3, .KH = 3, .KW = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1,
                  .dh = 1, .dw = 1, .groups = 1};
    xp_tensor *want = ref_conv2d(&c, xp_unsqueeze(x, 0), w, NULL);
    xpt_assert_close(got, xp_select(want, 0, 0), 0, sum_atol(XP_F32, 19));

    xp_tensor *empty = xp_tensor_new(XP_F32, 4, (int64_t[]){0, 2, 5, 5});
    xpt_assert_shape(xp_conv2d(empty, w, NULL, 1, 0, 1, 1), 0, 3, 3, 3);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(conv2d_rejects_channels_that_do_not_fit_groups) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = xp_tensor_new(XP_F32, 4, (int64_t[]){1, 4, 5, 5});
    xp_tensor *w = xp_tensor_new(XP_F32, 4, (int64_t[]){3, 3, 3, 3});
    ck_assert_ptr_null(xp_conv2d(x, w, NULL, 1, 0, 1, 1));
    ck_assert_int_ne(xp_last_status(), XP_OK);
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- pooling references ---- */

typedef struct pool_cfg {
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
    bool ceil_mode, count_include_pad;
} pool_cfg;

/* PyTorch's output size (torch/nn/modules/pooling.py docs): floor or ceil
 * of (in + 2p - d(k-1) - 1) / s + 1, and in ceil mode the last window must
 * start inside the input or the left padding. */
static int64_t ref_pool_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
    double span = (double)(in + 2 * p - d * (k - 1) - 1) / (double)s;
    int64_t out = (int64_t)(ceil_mode ? ceil(span) : floor(span)) + 1;
    if (ceil_mode && (out - 1) * s >= in + p) out--;
    return out;
}

/* Max over the window taps that land in the input (padding is -inf);
 * NaN wins, as in PyTorch. */
static xp_tensor *ref_max_pool(const xp_tensor *x, const pool_cfg *c) {
    int nd = x->meta.ndim;
    int64_t H = x->meta.shape[nd - 2], W = x->meta.shape[nd - 1], planes = xp_numel(x) / (H * W);
    int64_t OH = ref_pool_size(H, c->kh, c->sh, c->ph, c->dh, c->ceil_mode);
    int64_t OW = ref_pool_size(W, c->kw, c->sw, c->pw, c->dw, c->ceil_mode);
    int64_t shape[4];
    memcpy(shape, x->meta.shape, sizeof shape);
    shape[nd - 2] = OH, shape[nd - 1] = OW;
    xp_tensor *out = xp_tensor_new(XP_F64, nd, shape);
    double *o = xp_data(out);
    for (int64_t p = 0; p < planes; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                double m = -INFINITY;
                for (int64_t i = 0; i < c->kh; i++)
                    for (int64_t j = 0; j < c->kw; j++) {
                        int64_t ih = oh * c->sh - c->ph + i * c->dh, iw = ow * c->sw - c->pw + j * c->dw;
                        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                        double v = xpt_get_flat(x, (p * H + ih) * W + iw);
                        if (isnan(v) || v > m) m = isnan(m) ? m : v;
                    }
                *o++ = m;
            }
    return out;
}

/* Average over the window; every tap is classified: in the input (summed,
 * counted), in the padding (counted only with count_include_pad), or past
 * the padded edge, which only ceil_mode reaches (never counted). */
static xp_tensor *ref_avg_pool(const xp_tensor *x, const pool_cfg *c) {
    int nd = x->meta.ndim;
    int64_t H = x->meta.shape[nd - 2], W = x->meta.shape[nd - 1], planes = xp_numel(x) / (H * W);
    int64_t OH = ref_pool_size(H, c->kh, c->sh, c->ph, 1, c->ceil_mode);
    int64_t OW = ref_pool_size(W, c->kw, c->sw, c->pw, 1, c->ceil_mode);
    int64_t shape[4];
    memcpy(shape, x->meta.shape, sizeof shape);
    shape[nd - 2] = OH, shape[nd - 1] = OW;
    xp_tensor *out = xp_tensor_new(XP_F64, nd, shape);
    double *o = xp_data(out);
    for (int64_t p = 0; p < planes; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                double sum = 0;
                int64_t count = 0;
                for (int64_t i = 0; i < c->kh; i++)
                    for (int64_t j = 0; j < c->kw; j++) {
                        int64_t ih = oh * c->sh - c->ph + i, iw = ow * c->sw - c->pw + j;
                        bool in_padded = ih < H + c->ph && iw < W + c->pw; /* ih, iw >= -p always */
                        bool in_input = ih >= 0 && ih < H && iw >= 0 && iw < W;
                        if (in_input) sum += xpt_get_flat(x, (p * H + ih) * W + iw);
                        if (in_input || (in_padded && c->count_include_pad)) count++;
                    }
                *o++ = count ? sum / (double)count : 0.0;
            }
    return out;
}

static xp_tensor *max_pool_ex(xp_tensor *x, const pool_cfg *c) {
    xp_arg args[] = {xp_arg_tensor(x), xp_arg_ints(2, (const xp_dim[]){c->kh, c->kw}),
                     xp_arg_ints(2, (const xp_dim[]){c->sh, c->sw}), xp_arg_ints(2, (const xp_dim[]){c->ph, c->pw}),
                     xp_arg_ints(2, (const xp_dim[]){c->dh, c->dw}), xp_arg_bool(c->ceil_mode)};
    return xp_dispatch(XP_OP_max_pool2d, args, 6);
}

static xp_tensor *avg_pool_ex(xp_tensor *x, const pool_cfg *c) {
    xp_arg args[] = {xp_arg_tensor(x), xp_arg_ints(2, (const xp_dim[]){c->kh, c->kw}),
                     xp_arg_ints(2, (const xp_dim[]){c->sh, c->sw}), xp_arg_ints(2, (const xp_dim[]){c->ph, c->pw}),
                     xp_arg_bool(c->ceil_mode), xp_arg_bool(c->count_include_pad)};
    return xp_dispatch(XP_OP_avg_pool2d, args, 6);
}

static pool_cfg random_pool(uint64_t *s, bool dilate) {
    pool_cfg c;
    c.kh = rand_int(s, 1, 4), c.kw = rand_int(s, 1, 4);
    c.sh = rand_int(s, 1, 3), c.sw = rand_int(s, 1, 3);
    c.dh = dilate ? rand_int(s, 1, 2) : 1, c.dw = dilate ? rand_int(s, 1, 2) : 1;
    /* PyTorch allows padding up to half the (dilated) kernel */
    c.ph = rand_int(s, 0, ((c.kh - 1) * c.dh + 1) / 2), c.pw = rand_int(s, 0, ((c.kw - 1) * c.dw + 1) / 2);
    c.ceil_mode = xpt_rand_u64(s) & 1;
    c.count_include_pad = xpt_rand_u64(s) & 1;
    return c;
}

static xp_tensor *ref_adaptive(const xp_tensor *x, int64_t OH, int64_t OW);

/* ---- max_pool2d ---- */

START_TEST(max_pool2d_matches_reference_with_ceil_mode_and_dilation) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 2001;
    for (int it = 0; it < 80; it++) {
        pool_cfg c = random_pool(&s, true);
        int64_t H = (c.kh - 1) * c.dh + 1 + rand_int(&s, 0, 6), W = (c.kw - 1) * c.dw + 1 + rand_int(&s, 0, 6);
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        xp_tensor *x = it % 3 == 1 ? random_nchw_transposed(&s, dt, (int64_t[]){2, 3, H, W})
                                   : xpt_random(&s, dt, 4, (int64_t[]){2, 3, H, W}, -1, 1);
        xp_tensor *want = ref_max_pool(x, &c);
        xp_tensor *got = max_pool_ex(x, &c);
        ck_assert_msg(got != NULL, "max_pool2d %lldx%lld k%lldx%lld s%lld,%lld p%lld,%lld d%lld,%lld ceil %d: %s",
                      (long long)H, (long long)W, (long long)c.kh, (long long)c.kw, (long long)c.sh, (long long)c.sw,
                      (long long)c.ph, (long long)c.pw, (long long)c.dh, (long long)c.dw, c.ceil_mode, xp_last_error());
        xpt_assert_close(got, want, 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(max_pool2d_ceil_mode_keeps_the_partial_last_window) {
    xp_scope *sc = xp_scope_push();
    /* 5x5 of 0..24, kernel 2, stride 2: floor gives 2x2, ceil gives 3x3
     * whose last row/column windows hold a single input row/column */
    float v[25];
    for (int i = 0; i < 25; i++) v[i] = (float)i;
    xp_tensor *x = xp_tensor_from(XP_F32, 4, (int64_t[]){1, 1, 5, 5}, v);
    pool_cfg c = {.kh = 2, .kw = 2, .sh = 2, .sw = 2, .dh = 1, .dw = 1, .ceil_mode = true};
    xp_tensor *got = max_pool_ex(x, &c);
    xpt_assert_shape(got, 1, 1, 3, 3);
    const double want[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    for (int i = 0; i < 9; i++) ck_assert_double_eq(xpt_get_flat(got, i), want[i]);
    xpt_assert_shape(xp_max_pool2d(x, 2, 2, 0), 1, 1, 2, 2);
    /* stride=[] (the schema's default) means stride = kernel_size */
    xp_arg args[] = {xp_arg_tensor(x), xp_arg_ints(2, (const xp_dim[]){2, 2}), xp_arg_ints(0, NULL),
                     xp_arg_ints(2, (const xp_dim[]){0, 0}), xp_arg_ints(2, (const xp_dim[]){1, 1}), xp_arg_bool(true)};
    xpt_assert_close(xp_dispatch(XP_OP_max_pool2d, args, 6), got, 0, 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(max_pool2d_propagates_nan) {
    xp_scope *sc = xp_scope_push();
    float v[16];
    for (int i = 0; i < 16; i++) v[i] = (float)i;
    v[5] = NAN;
    xp_tensor *x = xp_tensor_from(XP_F32, 3, (int64_t[]){1, 4, 4}, v);
    xp_tensor *got = xp_max_pool2d(x, 2, 2, 0);
    xpt_assert_shape(got, 1, 2, 2);
    ck_assert(isnan(xpt_get_flat(got, 0)));
    ck_assert_double_eq(xpt_get_flat(got, 1), 7);
    ck_assert_double_eq(xpt_get_flat(got, 3), 15);
    xp_scope_pop(sc);
}
END_TEST

/* ---- avg_pool2d ---- */

START_TEST(avg_pool2d_matches_reference_divisors) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 3001;
    for (int it = 0; it < 80; it++) {
        pool_cfg c = random_pool(&s, false);
        int64_t H = c.kh + rand_int(&s, 0, 6), W = c.kw + rand_int(&s, 0, 6);
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        xp_tensor *x = it % 3 == 1 ? random_nchw_transposed(&s, dt, (int64_t[]){2, 2, H, W})
                                   : xpt_random(&s, dt, 4, (int64_t[]){2, 2, H, W}, -1, 1);
        xp_tensor *want = ref_avg_pool(x, &c);
        xp_tensor *got = avg_pool_ex(x, &c);
        ck_assert_msg(got != NULL, "avg_pool2d: %s", xp_last_error());
        xpt_assert_close(got, want, dt == XP_F64 ? 1e-15 : ldexp(1.0, -23), 1e-7);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(pools_of_half_types_round_once) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 3002;
    pool_cfg c = {.kh = 3, .kw = 2, .sh = 2, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .ceil_mode = true,
                  .count_include_pad = false};
    xp_tensor *x = xpt_random(&s, XP_BF16, 4, (int64_t[]){1, 3, 7, 6}, -1, 1);
    xp_tensor *got = max_pool_ex(x, &c);
    ck_assert_int_eq(xp_dtype_of(got), XP_BF16);
    xpt_assert_close(got, ref_max_pool(x, &c), 0, 0); /* max of bf16 values is a bf16 value */
    got = avg_pool_ex(x, &c);
    ck_assert_int_eq(xp_dtype_of(got), XP_BF16);
    xpt_assert_close(got, ref_avg_pool(x, &c), ldexp(1.0, -8), 1e-7);
    xp_tensor *h = xpt_random(&s, XP_F16, 3, (int64_t[]){2, 5, 5}, -1, 1);
    got = xp_adaptive_avg_pool2d(h, 2, 3);
    ck_assert_int_eq(xp_dtype_of(got), XP_F16);
    xpt_assert_close(got, ref_adaptive(h, 2, 3), ldexp(1.0, -11), 1e-7);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(avg_pool2d_border_windows_match_pytorch) {
    xp_scope *sc = xp_scope_push();
    /* x = arange(16).view(1,1,4,4), kernel 3, stride 2, padding 1: values
     * PyTorch gives, including the ceil_mode window that runs past the
     * padded edge (divisor 2*2 = 4 with count_include_pad, not 9) */
    float v[16];
    for (int i = 0; i < 16; i++) v[i] = (float)i;
    xp_tensor *x = xp_tensor_from(XP_F32, 4, (int64_t[]){1, 1, 4, 4}, v);
    pool_cfg c = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1, .dh = 1, .dw = 1};

    c.count_include_pad = true;
    xp_tensor *got = xp_avg_pool2d(x, 3, 2, 1);
    xpt_assert_shape(got, 1, 1, 2, 2);
    const double incl[4] = {10.0 / 9, 24.0 / 9, 51.0 / 9, 90.0 / 9};
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(xpt_get_flat(got, i), incl[i], 1e-6);

    c.count_include_pad = false;
    got = avg_pool_ex(x, &c);
    const double excl[4] = {10.0 / 4, 24.0 / 6, 51.0 / 6, 90.0 / 9};
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(xpt_get_flat(got, i), excl[i], 1e-6);

    c.ceil_mode = true, c.count_include_pad = true;
    got = avg_pool_ex(x, &c);
    xpt_assert_shape(got, 1, 1, 3, 3);
    /* window rows 3..5: row 3 is input, row 4 padding, row 5 past the edge */
    ck_assert_double_eq_tol(xpt_get_flat(got, 8), 15.0 / 4, 1e-6);
    ck_assert_double_eq_tol(xpt_get_flat(got, 2), (3.0 + 7.0) / 6, 1e-6);
    xp_scope_pop(sc);
}
END_TEST

/* ---- adaptive_avg_pool2d ---- */

static xp_tensor *ref_adaptive(const xp_tensor *x, int64_t OH, int64_t OW) {
    int nd = x->meta.ndim;
    int64_t H = x->meta.shape[nd - 2], W = x->meta.shape[nd - 1], planes = xp_numel(x) / (H * W);
    int64_t shape[4];
    memcpy(shape, x->meta.shape, sizeof shape);
    shape[nd - 2] = OH, shape[nd - 1] = OW;
    xp_tensor *out = xp_tensor_new(XP_F64, nd, shape);
    double *o = xp_data(out);
    for (int64_t p = 0; p < planes; p++)
        for (int64_t i = 0; i < OH; i++)
            for (int64_t j = 0; j < OW; j++) {
                int64_t h0 = (int64_t)floor((double)i * H / OH), h1 = (int64_t)ceil((double)(i + 1) * H / OH);
                int64_t w0 = (int64_t)floor((double)j * W / OW), w1 = (int64_t)ceil((double)(j + 1) * W / OW);
                double sum = 0;
                for (int64_t h = h0; h < h1; h++)
                    for (int64_t w = w0; w < w1; w++) sum += xpt_get_flat(x, (p * H + h) * W + w);
                *o++ = sum / (double)((h1 - h0) * (w1 - w0));
            }
    return out;
}

START_TEST(adaptive_avg_pool2d_uses_overlapping_windows_for_uneven_sizes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 4001;
    const int64_t sizes[][4] = {{7, 5, 3, 2}, {5, 5, 4, 4}, {3, 4, 5, 6}, {8, 8, 1, 1}, {6, 9, 6, 3}, {1, 1, 2, 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        xp_tensor *x = i % 2 ? random_nchw_transposed(&s, XP_F32, (int64_t[]){2, 3, sizes[i][0], sizes[i][1]})
                             : xpt_random(&s, XP_F32, 4, (int64_t[]){2, 3, sizes[i][0], sizes[i][1]}, -1, 1);
        xp_tensor *got = xp_adaptive_avg_pool2d(x, sizes[i][2], sizes[i][3]);
        xpt_assert_close(got, ref_adaptive(x, sizes[i][2], sizes[i][3]), ldexp(1.0, -23), 1e-7);
    }
    xp_tensor *x64 = xpt_random(&s, XP_F64, 3, (int64_t[]){2, 7, 9}, -1, 1);
    xpt_assert_close(xp_adaptive_avg_pool2d(x64, 3, 4), ref_adaptive(x64, 3, 4), 1e-15, 1e-15);
    /* 5 -> 3 windows are [0,2), [1,4), [3,5) */
    float v[5] = {1, 2, 3, 4, 5};
    xp_tensor *row = xp_tensor_from(XP_F32, 3, (int64_t[]){1, 1, 5}, v);
    xp_tensor *got = xp_adaptive_avg_pool2d(row, 1, 3);
    ck_assert_double_eq_tol(xpt_get_flat(got, 0), 1.5, 1e-6);
    ck_assert_double_eq_tol(xpt_get_flat(got, 1), 3.0, 1e-6);
    ck_assert_double_eq_tol(xpt_get_flat(got, 2), 4.5, 1e-6);
    xp_scope_pop(sc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_conv");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, conv2d_matches_reference_on_random_configs);
    tcase_add_test(tc, conv2d_1x1_stride_1_skips_unfolding_and_stays_exact);
    tcase_add_test(tc, conv2d_depthwise_groups);
    tcase_add_test(tc, conv2d_batches_over_threads_and_large_images_alike);
    tcase_add_test(tc, conv2d_of_half_types_rounds_once);
    tcase_add_test(tc, conv2d_accepts_unbatched_and_empty_batches);
    tcase_add_test(tc, conv2d_rejects_channels_that_do_not_fit_groups);
    tcase_add_test(tc, max_pool2d_matches_reference_with_ceil_mode_and_dilation);
    tcase_add_test(tc, max_pool2d_ceil_mode_keeps_the_partial_last_window);
    tcase_add_test(tc, max_pool2d_propagates_nan);
    tcase_add_test(tc, avg_pool2d_matches_reference_divisors);
    tcase_add_test(tc, avg_pool2d_border_windows_match_pytorch);
    tcase_add_test(tc, pools_of_half_types_round_once);
    tcase_add_test(tc, adaptive_avg_pool2d_uses_overlapping_windows_for_uneven_sizes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
