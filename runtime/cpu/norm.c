/*
 * CPU kernels for layer_norm and batch_norm (inference: running statistics).
 * Floating-point only, as in PyTorch; f16/bf16 compute in f32. Statistics
 * accumulate in double so long rows lose no precision.
 */
#include "cpu/nn_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static xp_status float_only(const char *op, const xp_tensor *t) {
    if (!xp_dtype_is_float(t->meta.dtype))
        return xp_error(XP_ERR_DTYPE, "%s: expected a floating-point input, got %s", op,
                        xp_dtype_name(t->meta.dtype));
    return XP_OK;
}

/* An optional per-feature tensor (weight, bias, running stats) as a dense
 * tensor of `cdt` with exactly `n` elements; NULL in *out for None. */
static xp_status param_as(const char *op, const char *name, const xp_arg *a, xp_dtype cdt, int64_t n,
                          xp_tensor **out) {
    *out = NULL;
    if (a->kind != XP_ARG_TENSOR) return XP_OK;
    xp_tensor *t = XP_ARG_T(*a);
    int64_t have = xp_shape_numel(t->meta.ndim, t->meta.shape);
    if (have != n)
        return xp_error(XP_ERR_SHAPE, "%s: '%s' has %lld elements, expected %lld", op, name, (long long)have,
                        (long long)n);
    if (!(*out = xp_nn_as(t, cdt, true))) return xp_last_status();
    return XP_OK;
}

#define DEFINE_LAYER_NORM(NAME, T)                                                                       \
    static void NAME(const T *x, const T *w, const T *b, T *y, int64_t rows, int64_t n, double eps, int nt) { \
        _Pragma("omp parallel for schedule(static) num_threads(nt) if (nt > 1)")                        \
        for (int64_t r = 0; r < rows; r++) {                                                            \
            const T *xr = x + r * n;                                                                    \
            T *yr = y + r * n;                                                                          \
            double sum = 0.0;                                                                           \
            _Pragma("omp simd reduction(+ : sum)")                                                      \
            for (int64_t i = 0; i < n; i++) sum += xr[i];                                               \
            double mean = sum / (double)n, sq = 0.0;                                                    \
            _Pragma("omp simd reduction(+ : sq)")                                                       \
            for (int64_t i = 0; i < n; i++) sq += ((double)xr[i] - mean) * ((double)xr[i] - mean);      \
            /* biased variance, as PyTorch's layer_norm */                                              \
            T rstd = (T)(1.0 / sqrt(sq / (double)n + eps)), m = (T)mean;                                \
            if (w && b)                                                                                 \
                _Pragma("omp simd")                                                                     \
                for (int64_t i = 0; i < n; i++) yr[i] = (xr[i] - m) * rstd * w[i] + b[i];               \
            else if (w)                                                                                 \
                for (int64_t i = 0; i < n; i++) yr[i] = (xr[i] - m) * rstd * w[i];                      \
            else if (b)                                                                                 \
                for (int64_t i = 0; i < n; i++) yr[i] = (xr[i] - m) * rstd + b[i];                      \
            else                                                                                        \
                for (int64_t i = 0; i < n; i++) yr[i] = (xr[i] - m) * rstd;                             \
        }                                                                                               \
    }
DEFINE_LAYER_NORM(layer_norm_f32, float)
DEFINE_LAYER_NORM(layer_norm_f64, double)

xp_status xp_cpu_layer_norm(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *out = call->outs[0];
    const xp_arg *ns = &call->args[1];
    double eps = call->args[4].kind == XP_ARG_FLOAT ? call->args[4].f : 1e-5;
    xp_status st = float_only("layer_norm", x);
    if (st != XP_OK) return st;
    int nd = x->meta.ndim, k = ns->kind == XP_ARG_INT_LIST ? ns->il.n : 0;
    if (ns->kind != XP_ARG_INT_LIST || k < 1 || k > nd)
        return xp_error(XP_ERR_SHAPE, "layer_norm: normalized_shape must name 1 to %d trailing dims, got %d", nd, k);
    int64_t n = 1;
    for (int i = 0; i < k; i++) {
        if (ns->il.v[i] != x->meta.shape[nd - k + i])
            return xp_error(XP_ERR_SHAPE,
                            "layer_norm: normalized_shape[%d] is %lld but input dim %d is %lld (normalized_shape "
                            "must match the input's trailing dims)",
                            i, (long long)ns->il.v[i], nd - k + i, (long long)x->meta.shape[nd - k + i]);
        n *= ns->il.v[i];
    }
    int64_t total = xp_shape_numel(nd, x->meta.shape), rows = n ? total / n : 0;
    if (xp_shape_numel(out->meta.ndim, out->meta.shape) != total)
        return xp_error(XP_ERR_INTERNAL, "layer_norm: output shape does not match the input's");

    xp_dtype cdt = xp_cpu_compute_dtype(out->meta.dtype);
    xp_tensor *W = NULL, *B = NULL, *X = NULL, *Y = NULL;
    if ((st = param_as("layer_norm", "weight", &call->args[2], cdt, n, &W)) != XP_OK ||
        (st = param_as("layer_norm", "bias", &call->args[3], cdt, n, &B)) != XP_OK)
        goto done;
    if (!(X = xp_nn_as(x, cdt, true)) || !(Y = xp_nn_out_begin(out, cdt))) {
        st = xp_last_status();
        goto done;
    }
    if (total > 0) {
        /* rows go to threads; each element is read twice and written once */
        int nt = xp_cpu_threads_for(total, XP_GRAIN_CHEAP);
        if (nt > rows) nt = rows > 1 ? (int)rows : 1;
        const void *wp = W ? xp_tensor_base_ptr(W) : NULL, *bp = B ? xp_tensor_base_ptr(B) : NULL;
        if (cdt == XP_F32)
            layer_norm_f32(xp_tensor_base_ptr(X), wp, bp, xp_tensor_base_ptr(Y), rows, n, eps, nt);
        else
            layer_norm_f64(xp_tensor_base_ptr(X), wp, bp, xp_tensor_base_ptr(Y), rows, n, eps, nt);
    }
    st = xp_nn_out_end(out, Y);
    Y = NULL;
done:
    if (Y) xp_nn_release(out, Y);
    if (X) xp_nn_release(x, X);
    if (W) xp_nn_release(XP_ARG_T(call->args[2]), W);
    if (B) xp_nn_release(XP_ARG_T(call->args[3]), B);
    return st;
}

/* y = x * scale[c] + shift[c] over planes of `inner` elements, c = plane % C */
#define DEFINE_AFFINE(NAME, T)                                                                           \
    static void NAME(const T *x, T *y, const double *scale, const double *shift, int64_t planes, int64_t C, \
                     int64_t inner, int nt) {                                                           \
        _Pragma("omp parallel for schedule(static) num_threads(nt) if (nt > 1)")                        \
        for (int64_t p = 0; p < planes; p++) {                                                          \
            T a = (T)scale[p % C], b = (T)shift[p % C];                                                 \
            const T *xp = x + p * inner;                                                                \
            T *yp = y + p * inner;                                                                      \
            _Pragma("omp simd")                                                                         \
            for (int64_t i = 0; i < inner; i++) yp[i] = xp[i] * a + b;                                  \
        }                                                                                               \
    }
DEFINE_AFFINE(affine_f32, float)
DEFINE_AFFINE(affine_f64, double)

xp_status xp_cpu_batch_norm(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *out = call->outs[0];
    double eps = call->args[5].kind == XP_ARG_FLOAT ? call->args[5].f : 1e-5;
    xp_status st = float_only("batch_norm", x);
    if (st != XP_OK) return st;
    int nd = x->meta.ndim;
    if (nd < 2)
        return xp_error(XP_ERR_SHAPE, "batch_norm: input must have at least 2 dims [N, C, ...], got %d", nd);
    int64_t C = x->meta.shape[1], total = xp_shape_numel(nd, x->meta.shape);
    int64_t inner = xp_shape_numel(nd - 2, x->meta.shape + 2), planes = x->meta.shape[0] * C;
    if (xp_shape_numel(out->meta.ndim, out->meta.shape) != total)
        return xp_error(XP_ERR_INTERNAL, "batch_norm: output shape does not match the input's");

    xp_tensor *X = NULL, *Y = NULL;
    double *coef = NULL;
    if (call->args[3].kind != XP_ARG_TENSOR || call->args[4].kind != XP_ARG_TENSOR) {
        st = xp_error(XP_ERR_INVALID_ARG, "batch_norm: running_mean and running_var are required for inference");
        goto done;
    }
    static const char *const pname[4] = {"weight", "bias", "running_mean", "running_var"};
    const xp_tensor *prm[4];
    for (int k = 0; k < 4; k++) {
        prm[k] = call->args[1 + k].kind == XP_ARG_TENSOR ? XP_ARG_T(call->args[1 + k]) : NULL;
        int64_t have = prm[k] ? xp_shape_numel(prm[k]->meta.ndim, prm[k]->meta.shape) : C;
        if (have != C) {
            st = xp_error(XP_ERR_SHAPE, "batch_norm: '%s' has %lld elements, expected %lld", pname[k], (long long)have,
                          (long long)C);
            goto done;
        }
    }
    /* the per-channel coefficients, in double, read straight from the
     * parameters (any dtype, any strides): no copies, so a planned run
     * allocates nothing here */
    if (!(coef = xp_cpu_scratch(XP_SCRATCH_NORM, 2 * (size_t)(C > 0 ? C : 1) * sizeof(double)))) {
        st = xp_last_status();
        goto done;
    }
    for (int64_t c = 0; c < C; c++) {
        double v[4] = {1.0, 0.0, 0.0, 0.0};
        for (int k = 0; k < 4; k++) {
            if (!prm[k]) continue;
            int64_t idx[XP_MAX_DIMS], rest = c;
            for (int d = prm[k]->meta.ndim - 1; d >= 0; d--) {
                idx[d] = rest % prm[k]->meta.shape[d];
                rest /= prm[k]->meta.shape[d];
            }
            v[k] = xp_load_f64(prm[k]->meta.dtype, xp_tensor_at(prm[k], idx));
        }
        double scale = v[0] / sqrt(v[3] + eps);
        coef[c] = scale;
        coef[C + c] = v[1] - v[2] * scale;
    }
    xp_dtype cdt = xp_cpu_compute_dtype(out->meta.dtype);
    if (!(X = xp_nn_as(x, cdt, true)) || !(Y = xp_nn_out_begin(out, cdt))) {
        st = xp_last_status();
        goto done;
    }
    if (total > 0) {
        int nt = xp_cpu_threads_for(total, XP_GRAIN_CHEAP);
        if (nt > planes) nt = planes > 1 ? (int)planes : 1;
        if (cdt == XP_F32)
            affine_f32(xp_tensor_base_ptr(X), xp_tensor_base_ptr(Y), coef, coef + C, planes, C, inner, nt);
        else
            affine_f64(xp_tensor_base_ptr(X), xp_tensor_base_ptr(Y), coef, coef + C, planes, C, inner, nt);
    }
    st = xp_nn_out_end(out, Y);
    Y = NULL;
done:
    if (Y) xp_nn_release(out, Y);
    if (X) xp_nn_release(x, X);
    return st;
}
