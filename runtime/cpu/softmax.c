/*
 * softmax and log_softmax along any dim, numerically stable: the row
 * maximum is subtracted before exponentiating, so large inputs do not
 * overflow, and log_softmax is x - max - log(sum(exp(x - max))) rather than
 * the log of a softmax that may have underflowed to 0.
 *
 * Computed in f32 for f32/f16/bf16 results (exp via xp_expf, sums in
 * double) and in double for f64. A NaN anywhere in a row makes the whole
 * row NaN, and a row of all -inf gives NaN, as in PyTorch.
 *
 * The tensor is viewed as [outer, L, inner] around `dim`. With inner == 1
 * (the last dim, the common case) each row is contiguous; otherwise blocks
 * of columns are processed together so the loops run along contiguous
 * memory. Inputs that are strided or of another dtype are first converted
 * into the (dense) result buffer, or a scratch buffer for f16/bf16 results,
 * and normalized in place.
 */
#include "cpu/cpu_util.h"

/* columns per block for inner > 1 */
#define SM_COLS 256

typedef struct sm_job {
    bool log;
    xp_dtype ct;
    const char *src; /* dense, compute dtype */
    char *dst;       /* dense, compute dtype; may equal src */
    int64_t outer, L, inner;
} sm_job;

/* ---- contiguous rows (inner == 1) -------------------------------------- */

XP_CPU_CLONES static void rows_f32(const sm_job *j, int64_t lo, int64_t hi) {
    int64_t L = j->L;
    for (int64_t r = lo; r < hi; r++) {
        const float *x = (const float *)(const void *)j->src + r * L;
        float *y = (float *)(void *)j->dst + r * L;
        float m = -INFINITY;
#pragma omp simd reduction(max : m)
        for (int64_t i = 0; i < L; i++) m = x[i] > m ? x[i] : m;
        double s = 0;
        if (j->log) {
#pragma omp simd reduction(+ : s)
            for (int64_t i = 0; i < L; i++) s += xp_expf(x[i] - m);
            float ls = (float)log(s);
#pragma omp simd
            for (int64_t i = 0; i < L; i++) y[i] = (x[i] - m) - ls;
        } else {
#pragma omp simd reduction(+ : s)
            for (int64_t i = 0; i < L; i++) {
                float e = xp_expf(x[i] - m);
                y[i] = e;
                s += e;
            }
            float inv = (float)(1.0 / s);
#pragma omp simd
            for (int64_t i = 0; i < L; i++) y[i] *= inv;
        }
    }
}

static void rows_f64(const sm_job *j, int64_t lo, int64_t hi) {
    int64_t L = j->L;
    for (int64_t r = lo; r < hi; r++) {
        const double *x = (const double *)(const void *)j->src + r * L;
        double *y = (double *)(void *)j->dst + r * L;
        double m = -INFINITY;
        for (int64_t i = 0; i < L; i++) m = x[i] > m ? x[i] : m;
        double s = 0;
        if (j->log) {
            for (int64_t i = 0; i < L; i++) s += exp(x[i] - m);
            double ls = log(s);
            for (int64_t i = 0; i < L; i++) y[i] = (x[i] - m) - ls;
        } else {
            for (int64_t i = 0; i < L; i++) s += (y[i] = exp(x[i] - m));
            double inv = 1.0 / s;
            for (int64_t i = 0; i < L; i++) y[i] *= inv;
        }
    }
}

/* ---- column blocks (inner > 1): task = (outer index, block of columns) -- */

XP_CPU_CLONES static void cols_f32(const sm_job *j, int64_t lo, int64_t hi) {
    int64_t L = j->L, inner = j->inner, nb = (inner + SM_COLS - 1) / SM_COLS;
    float m[SM_COLS], k[SM_COLS];
    double s[SM_COLS];
    for (int64_t t = lo; t < hi; t++) {
        int64_t o = t / nb, c0 = (t % nb) * SM_COLS, w = inner - c0 < SM_COLS ? inner - c0 : SM_COLS;
        const float *x = (const float *)(const void *)j->src + o * L * inner + c0;
        float *y = (float *)(void *)j->dst + o * L * inner + c0;
        for (int64_t c = 0; c < w; c++) {
            m[c] = -INFINITY;
            s[c] = 0;
        }
        for (int64_t l = 0; l < L; l++) {
            const float *xr = x + l * inner;
#pragma omp simd
            for (int64_t c = 0; c < w; c++) m[c] = xr[c] > m[c] ? xr[c] : m[c];
        }
        for (int64_t l = 0; l < L; l++) {
            const float *xr = x + l * inner;
            float *yr = y + l * inner;
            if (j->log) {
#pragma omp simd
                for (int64_t c = 0; c < w; c++) s[c] += xp_expf(xr[c] - m[c]);
            } else {
#pragma omp simd
                for (int64_t c = 0; c < w; c++) {
                    float e = xp_expf(xr[c] - m[c]);
                    yr[c] = e;
                    s[c] += e;
                }
            }
        }
        /* k: log(sum) for log_softmax, 1/sum for softmax */
        for (int64_t c = 0; c < w; c++) k[c] = (float)(j->log ? log(s[c]) : 1.0 / s[c]);
        for (int64_t l = 0; l < L; l++) {
            const float *xr = x + l * inner;
            float *yr = y + l * inner;
            if (j->log) {
#pragma omp simd
                for (int64_t c = 0; c < w; c++) yr[c] = (xr[c] - m[c]) - k[c];
            } else {
#pragma omp simd
                for (int64_t c = 0; c < w; c++) yr[c] *= k[c];
            }
        }
    }
}

static void cols_f64(const sm_job *j, int64_t lo, int64_t hi) {
    int64_t L = j->L, inner = j->inner, nb = (inner + SM_COLS - 1) / SM_COLS;
    double m[SM_COLS], s[SM_COLS], k[SM_COLS];
    for (int64_t t = lo; t < hi; t++) {
        int64_t o = t / nb, c0 = (t % nb) * SM_COLS, w = inner - c0 < SM_COLS ? inner - c0 : SM_COLS;
        const double *x = (const double *)(const void *)j->src + o * L * inner + c0;
        double *y = (double *)(void *)j->dst + o * L * inner + c0;
        for (int64_t c = 0; c < w; c++) {
            m[c] = -INFINITY;
            s[c] = 0;
        }
        for (int64_t l = 0; l < L; l++)
            for (int64_t c = 0; c < w; c++) m[c] = x[l * inner + c] > m[c] ? x[l * inner + c] : m[c];
        for (int64_t l = 0; l < L; l++)
            for (int64_t c = 0; c < w; c++) {
                double e = exp(x[l * inner + c] - m[c]);
                if (!j->log) y[l * inner + c] = e;
                s[c] += e;
            }
        for (int64_t c = 0; c < w; c++) k[c] = j->log ? log(s[c]) : 1.0 / s[c];
        for (int64_t l = 0; l < L; l++)
            for (int64_t c = 0; c < w; c++)
                y[l * inner + c] = j->log ? (x[l * inner + c] - m[c]) - k[c] : y[l * inner + c] * k[c];
    }
}

static void sm_range(void *vjob, int64_t lo, int64_t hi) {
    const sm_job *j = vjob;
    if (j->inner == 1) {
        if (j->ct == XP_F32) rows_f32(j, lo, hi);
        else rows_f64(j, lo, hi);
    } else {
        if (j->ct == XP_F32) cols_f32(j, lo, hi);
        else cols_f64(j, lo, hi);
    }
}

static xp_status softmax(const xp_call *call, bool log, const char *name) {
    const xp_tensor *x = XP_ARG_T(call->args[0]);
    xp_tensor *out = call->outs[0];
    xp_cpu_check_out(name, out);
    int dim;
    if (!xp_cpu_norm_dim(name, call->args[1].i, x->meta.ndim, &dim)) return xp_last_status();
    if (!xp_dtype_is_float(out->meta.dtype))
        return xp_error(XP_ERR_DTYPE, "%s: the result dtype %s is not a float dtype", name,
                        xp_dtype_name(out->meta.dtype));
    int64_t numel = xp_shape_numel(x->meta.ndim, x->meta.shape);
    if (numel == 0) return XP_OK;
    sm_job j = {.log = log, .ct = xp_cpu_compute_dtype(out->meta.dtype), .outer = 1, .L = 1, .inner = 1};
    for (int d = 0; d < x->meta.ndim; d++) {
        if (d < dim) j.outer *= x->meta.shape[d];
        else if (d == dim) j.L = x->meta.shape[d];
        else j.inner *= x->meta.shape[d];
    }
    void *scratch = NULL;
    char *work = xp_tensor_base_ptr(out);
    if (out->meta.dtype != j.ct) {
        scratch = xp_cpu_scratch(XP_SCRATCH_SOFTMAX, (size_t)numel * xp_dtype_size(j.ct));
        if (!scratch) return xp_last_status();
        work = scratch;
    }
    j.dst = work;
    if (x->meta.dtype == j.ct && xp_cpu_is_dense(x)) {
        j.src = xp_tensor_base_ptr(x);
    } else {
        xp_status st = xp_cpu_copy_dense(work, j.ct, x);
        if (st != XP_OK) {
                        return st;
        }
        j.src = work;
    }
    int64_t tasks = j.inner == 1 ? j.outer : j.outer * ((j.inner + SM_COLS - 1) / SM_COLS);
    int64_t per_task = j.inner == 1 ? j.L : j.L * (j.inner < SM_COLS ? j.inner : SM_COLS);
    xp_cpu_parallel_for(tasks, (XP_GRAIN_HEAVY + per_task - 1) / per_task, 1, sm_range, &j);
    if (scratch) {
        xp_cpu_convert(out->meta.dtype, xp_tensor_base_ptr(out), j.ct, scratch, (int64_t)xp_dtype_size(j.ct), numel);
            }
    return XP_OK;
}

xp_status xp_cpu_softmax(const xp_call *call) { return softmax(call, false, "softmax"); }
xp_status xp_cpu_log_softmax(const xp_call *call) { return softmax(call, true, "log_softmax"); }
