/*
 * CPU kernels for max_pool2d, avg_pool2d and adaptive_avg_pool2d (NCHW or
 * CHW; floating point, f16/bf16 computed in f32), mirroring PyTorch's
 * window and divisor rules. Each (n, c) plane is
 * independent; planes are spread over threads.
 */
#include "cpu/nn_util.h"

#include <math.h>
#include <string.h>

typedef struct pool_geom {
    int64_t planes, H, W, OH, OW;
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
} pool_geom;

/* PyTorch's pooling_output_shape: floor (or ceil) of the window count, and
 * with ceil_mode the last window must start inside the input or the left
 * padding. */
static int64_t pool_out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
    int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
    int64_t q = num >= 0 ? num / s : -((-num + s - 1) / s); /* floor division */
    int64_t out = q + 1;
    if (ceil_mode && (out - 1) * s >= in + p) out--;
    return out;
}

/* Reads the input's planes and checks the window arguments and the output
 * shape against PyTorch's rules. */
static xp_status pool_geometry(const char *op, const xp_tensor *x, const xp_tensor *out, const int64_t k[2],
                               const int64_t s[2], const int64_t p[2], const int64_t d[2], bool ceil_mode,
                               pool_geom *g) {
    int nd = x->meta.ndim;
    if (nd != 3 && nd != 4)
        return xp_error(XP_ERR_SHAPE, "%s: input must have 3 or 4 dims (CHW or NCHW), got %d", op, nd);
    if (k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1)
        return xp_error(XP_ERR_INVALID_ARG,
                        "%s: kernel_size (%lld, %lld), stride (%lld, %lld) and dilation (%lld, %lld) must be positive",
                        op, (long long)k[0], (long long)k[1], (long long)s[0], (long long)s[1], (long long)d[0],
                        (long long)d[1]);
    for (int i = 0; i < 2; i++)
        if (p[i] < 0 || p[i] > ((k[i] - 1) * d[i] + 1) / 2)
            return xp_error(XP_ERR_INVALID_ARG,
                            "%s: padding %lld must be between 0 and half the effective kernel size %lld", op,
                            (long long)p[i], (long long)((k[i] - 1) * d[i] + 1));
    g->H = x->meta.shape[nd - 2], g->W = x->meta.shape[nd - 1];
    g->planes = xp_shape_numel(nd - 2, x->meta.shape);
    g->kh = k[0], g->kw = k[1], g->sh = s[0], g->sw = s[1];
    g->ph = p[0], g->pw = p[1], g->dh = d[0], g->dw = d[1];
    g->OH = pool_out_size(g->H, k[0], s[0], p[0], d[0], ceil_mode);
    g->OW = pool_out_size(g->W, k[1], s[1], p[1], d[1], ceil_mode);
    if (g->OH < 1 || g->OW < 1)
        return xp_error(XP_ERR_SHAPE, "%s: output size %lldx%lld is too small for input %lldx%lld", op,
                        (long long)g->OH, (long long)g->OW, (long long)g->H, (long long)g->W);
    if (out->meta.ndim != nd || out->meta.shape[nd - 2] != g->OH || out->meta.shape[nd - 1] != g->OW ||
        memcmp(out->meta.shape, x->meta.shape, (size_t)(nd - 2) * sizeof(int64_t)))
        return xp_error(XP_ERR_INTERNAL, "%s: output shape does not match the pooling geometry", op);
    return XP_OK;
}

/* NaN propagates through max pooling as in PyTorch (`val > max || isnan(val)`). */
#define DEFINE_MAX_POOL(NAME, T)                                                                         \
    static void NAME(const pool_geom *g, const T *x, T *y, int nt) {                                    \
        _Pragma("omp parallel for schedule(static) num_threads(nt) if (nt > 1)")                        \
        for (int64_t pl = 0; pl < g->planes; pl++) {                                                    \
            const T *in = x + pl * g->H * g->W;                                                         \
            T *o = y + pl * g->OH * g->OW;                                                              \
            for (int64_t oh = 0; oh < g->OH; oh++)                                                      \
                for (int64_t ow = 0; ow < g->OW; ow++) {                                                \
                    T m = -INFINITY; /* the padding is -inf: it never wins */                           \
                    for (int64_t i = 0; i < g->kh; i++) {                                               \
                        int64_t ih = oh * g->sh - g->ph + i * g->dh;                                    \
                        if (ih < 0 || ih >= g->H) continue;                                             \
                        for (int64_t j = 0; j < g->kw; j++) {                                           \
                            int64_t iw = ow * g->sw - g->pw + j * g->dw;                                \
                            if (iw < 0 || iw >= g->W) continue;                                         \
                            T v = in[ih * g->W + iw];                                                   \
                            if (v > m || isnan(v)) m = v;                                               \
                        }                                                                               \
                    }                                                                                   \
                    o[oh * g->OW + ow] = m;                                                             \
                }                                                                                       \
        }                                                                                               \
    }
DEFINE_MAX_POOL(max_pool_f32, float)
DEFINE_MAX_POOL(max_pool_f64, double)

/* PyTorch's avg_pool2d: the window is clipped to the padded input for the
 * count_include_pad divisor, then to the input itself for the sum (and for
 * the divisor without count_include_pad); a window entirely in the padding
 * gives 0. */
#define DEFINE_AVG_POOL(NAME, T, ACC)                                                                    \
    static void NAME(const pool_geom *g, bool include_pad, const T *x, T *y, int nt) {                  \
        _Pragma("omp parallel for schedule(static) num_threads(nt) if (nt > 1)")                        \
        for (int64_t pl = 0; pl < g->planes; pl++) {                                                    \
            const T *in = x + pl * g->H * g->W;                                                         \
            T *o = y + pl * g->OH * g->OW;                                                              \
            for (int64_t oh = 0; oh < g->OH; oh++)                                                      \
                for (int64_t ow = 0; ow < g->OW; ow++) {                                                \
                    int64_t h0 = oh * g->sh - g->ph, w0 = ow * g->sw - g->pw;                           \
                    int64_t h1 = h0 + g->kh < g->H + g->ph ? h0 + g->kh : g->H + g->ph;                 \
                    int64_t w1 = w0 + g->kw < g->W + g->pw ? w0 + g->kw : g->W + g->pw;                 \
                    int64_t pool_size = (h1 - h0) * (w1 - w0);                                          \
                    if (h0 < 0) h0 = 0;                                                                 \
                    if (w0 < 0) w0 = 0;                                                                 \
                    if (h1 > g->H) h1 = g->H;                                                           \
                    if (w1 > g->W) w1 = g->W;                                                           \
                    if (h0 >= h1 || w0 >= w1) {                                                         \
                        o[oh * g->OW + ow] = 0;                                                         \
                        continue;                                                                       \
                    }                                                                                   \
                    ACC sum = 0;                                                                        \
                    for (int64_t ih = h0; ih < h1; ih++)                                                \
                        for (int64_t iw = w0; iw < w1; iw++) sum += in[ih * g->W + iw];                 \
                    int64_t div = include_pad ? pool_size : (h1 - h0) * (w1 - w0);                      \
                    o[oh * g->OW + ow] = (T)(sum / (ACC)div);                                           \
                }                                                                                       \
        }                                                                                               \
    }
DEFINE_AVG_POOL(avg_pool_f32, float, double)
DEFINE_AVG_POOL(avg_pool_f64, double, double)

/* PyTorch's adaptive windows: start = floor(i * in / out), end =
 * ceil((i + 1) * in / out); neighbouring windows may overlap. */
#define DEFINE_ADAPTIVE_AVG_POOL(NAME, T, ACC)                                                           \
    static void NAME(const pool_geom *g, const T *x, T *y, int nt) {                                    \
        _Pragma("omp parallel for schedule(static) num_threads(nt) if (nt > 1)")                        \
        for (int64_t pl = 0; pl < g->planes; pl++) {                                                    \
            const T *in = x + pl * g->H * g->W;                                                         \
            T *o = y + pl * g->OH * g->OW;                                                              \
            for (int64_t oh = 0; oh < g->OH; oh++) {                                                    \
                int64_t h0 = oh * g->H / g->OH, h1 = ((oh + 1) * g->H + g->OH - 1) / g->OH;             \
                for (int64_t ow = 0; ow < g->OW; ow++) {                                                \
                    int64_t w0 = ow * g->W / g->OW, w1 = ((ow + 1) * g->W + g->OW - 1) / g->OW;         \
                    ACC sum = 0;                                                                        \
                    for (int64_t ih = h0; ih < h1; ih++)                                                \
                        for (int64_t iw = w0; iw < w1; iw++) sum += in[ih * g->W + iw];                 \
                    o[oh * g->OW + ow] = (T)(sum / (ACC)((h1 - h0) * (w1 - w0)));                       \
                }                                                                                       \
            }                                                                                           \
        }                                                                                               \
    }
DEFINE_ADAPTIVE_AVG_POOL(adaptive_avg_pool_f32, float, double)
DEFINE_ADAPTIVE_AVG_POOL(adaptive_avg_pool_f64, double, double)

typedef enum pool_kind { POOL_MAX, POOL_AVG, POOL_ADAPTIVE } pool_kind;

/* Converts the input to a dense tensor in the compute dtype, runs the pool
 * and converts the result into `out`. */
static xp_status run_pool(pool_kind kind, const pool_geom *g, bool include_pad, xp_tensor *x, xp_tensor *out) {
    static const char *const names[] = {"max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"};
    if (!xp_dtype_is_float(out->meta.dtype)) /* as in PyTorch; the shape functions say so first */
        return xp_error(XP_ERR_DTYPE, "%s: expected a floating-point input, got %s", names[kind],
                        xp_dtype_name(out->meta.dtype));
    xp_dtype cdt = xp_cpu_compute_dtype(out->meta.dtype);
    xp_tensor *X = xp_nn_as(x, cdt, true);
    if (!X) return xp_last_status();
    xp_tensor *Y = xp_nn_out_begin(out, cdt);
    if (!Y) {
        xp_nn_release(x, X);
        return xp_last_status();
    }
    /* planes go to threads; the work is the window taps read */
    int64_t taps = kind == POOL_ADAPTIVE ? g->planes * g->H * g->W : g->planes * g->OH * g->OW * g->kh * g->kw;
    int nt = xp_cpu_threads_for(taps, XP_GRAIN_CHEAP);
    if (nt > g->planes) nt = g->planes > 1 ? (int)g->planes : 1;
    const void *xp = xp_tensor_base_ptr(X);
    void *yp = xp_tensor_base_ptr(Y);
    if (g->planes * g->OH * g->OW > 0) switch (kind) {
        case POOL_MAX:
            if (cdt == XP_F32) max_pool_f32(g, xp, yp, nt);
            else max_pool_f64(g, xp, yp, nt);
            break;
        case POOL_AVG:
            if (cdt == XP_F32) avg_pool_f32(g, include_pad, xp, yp, nt);
            else avg_pool_f64(g, include_pad, xp, yp, nt);
            break;
        case POOL_ADAPTIVE:
            if (cdt == XP_F32) adaptive_avg_pool_f32(g, xp, yp, nt);
            else adaptive_avg_pool_f64(g, xp, yp, nt);
            break;
        }
    xp_nn_release(x, X);
    return xp_nn_out_end(out, Y);
}

static bool arg_bool(const xp_arg *a, bool dflt) { return a->kind == XP_ARG_BOOL ? a->b : dflt; }

xp_status xp_cpu_max_pool2d(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *out = call->outs[0];
    int64_t k[2], s[2], p[2], d[2];
    xp_status st;
    if ((st = xp_nn_arg_pair("max_pool2d", "kernel_size", &call->args[1], 0, k)) != XP_OK ||
        (st = xp_nn_arg_pair("max_pool2d", "stride", &call->args[2], k[0], s)) != XP_OK ||
        (st = xp_nn_arg_pair("max_pool2d", "padding", &call->args[3], 0, p)) != XP_OK ||
        (st = xp_nn_arg_pair("max_pool2d", "dilation", &call->args[4], 1, d)) != XP_OK)
        return st;
    if (call->args[2].kind == XP_ARG_NONE || (call->args[2].kind == XP_ARG_INT_LIST && call->args[2].il.n == 0))
        s[0] = k[0], s[1] = k[1]; /* stride=[] means stride = kernel_size */
    pool_geom g;
    if ((st = pool_geometry("max_pool2d", x, out, k, s, p, d, arg_bool(&call->args[5], false), &g)) != XP_OK)
        return st;
    return run_pool(POOL_MAX, &g, false, x, out);
}

xp_status xp_cpu_avg_pool2d(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *out = call->outs[0];
    int64_t k[2], s[2], p[2], d[2] = {1, 1};
    xp_status st;
    if ((st = xp_nn_arg_pair("avg_pool2d", "kernel_size", &call->args[1], 0, k)) != XP_OK ||
        (st = xp_nn_arg_pair("avg_pool2d", "stride", &call->args[2], k[0], s)) != XP_OK ||
        (st = xp_nn_arg_pair("avg_pool2d", "padding", &call->args[3], 0, p)) != XP_OK)
        return st;
    if (call->args[2].kind == XP_ARG_NONE || (call->args[2].kind == XP_ARG_INT_LIST && call->args[2].il.n == 0))
        s[0] = k[0], s[1] = k[1];
    pool_geom g;
    if ((st = pool_geometry("avg_pool2d", x, out, k, s, p, d, arg_bool(&call->args[4], false), &g)) != XP_OK)
        return st;
    return run_pool(POOL_AVG, &g, arg_bool(&call->args[5], true), x, out);
}

xp_status xp_cpu_adaptive_avg_pool2d(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *out = call->outs[0];
    int64_t os[2];
    xp_status st = xp_nn_arg_pair("adaptive_avg_pool2d", "output_size", &call->args[1], 0, os);
    if (st != XP_OK) return st;
    int nd = x->meta.ndim;
    if (nd != 3 && nd != 4)
        return xp_error(XP_ERR_SHAPE, "adaptive_avg_pool2d: input must have 3 or 4 dims (CHW or NCHW), got %d", nd);
    pool_geom g = {0};
    g.H = x->meta.shape[nd - 2], g.W = x->meta.shape[nd - 1];
    g.planes = xp_shape_numel(nd - 2, x->meta.shape);
    g.OH = os[0], g.OW = os[1];
    if (g.OH < 0 || g.OW < 0)
        return xp_error(XP_ERR_INVALID_ARG, "adaptive_avg_pool2d: output_size (%lld, %lld) must not be negative",
                        (long long)g.OH, (long long)g.OW);
    if ((g.H == 0 && g.OH > 0) || (g.W == 0 && g.OW > 0))
        return xp_error(XP_ERR_SHAPE, "adaptive_avg_pool2d: cannot pool an input of %lldx%lld to %lldx%lld",
                        (long long)g.H, (long long)g.W, (long long)g.OH, (long long)g.OW);
    if (out->meta.ndim != nd || out->meta.shape[nd - 2] != g.OH || out->meta.shape[nd - 1] != g.OW ||
        memcmp(out->meta.shape, x->meta.shape, (size_t)(nd - 2) * sizeof(int64_t)))
        return xp_error(XP_ERR_INTERNAL, "adaptive_avg_pool2d: output shape does not match output_size");
    return run_pool(POOL_ADAPTIVE, &g, false, x, out);
}
