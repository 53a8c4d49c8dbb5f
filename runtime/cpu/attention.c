/*
 * CPU kernel for scaled_dot_product_attention, following the reference
 * implementation in PyTorch's documentation:
 *
 *   scores = q @ k^T * scale            (scale defaults to 1/sqrt(E))
 *   is_causal: scores[i, j] = -inf for j > i (top-left aligned tril)
 *   bool mask: scores = -inf where the mask is false
 *   float mask: scores += mask
 *   out = softmax(scores, -1) @ v
 *
 * (PyTorch, and xport's shape function, reject a mask with is_causal; the
 * kernel would apply both, as the documented reference does.) A row whose
 * every score is -inf comes out NaN, as PyTorch's reference does.
 *
 * Per batch-head: one GEMM for q @ k^T (k passed transposed, not copied),
 * the masked softmax in place, one GEMM for P @ v. Batch dims of q, k, v
 * and the mask broadcast (stride 0), so expanded views are not
 * materialized either; f16/bf16 compute in f32.
 */
#include "cpu/nn_util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Strides of `t`'s leading dims aligned to the output's `nb` batch dims
 * (0 where t is broadcast); fails naming `name` when sizes disagree. */
static xp_status batch_strides(const char *name, const xp_tensor *t, int tail, int nb, const int64_t *bshape,
                               int64_t *strides) {
    int tb = t->meta.ndim - tail;
    if (tb > nb)
        return xp_error(XP_ERR_SHAPE, "scaled_dot_product_attention: '%s' has %d batch dims, the output %d", name,
                        tb, nb);
    for (int d = 0; d < nb; d++) {
        int td = d - (nb - tb);
        int64_t n = td >= 0 ? t->meta.shape[td] : 1;
        if (n != bshape[d] && n != 1)
            return xp_error(XP_ERR_SHAPE,
                            "scaled_dot_product_attention: '%s' batch dim %d has size %lld, expected %lld or 1",
                            name, td, (long long)n, (long long)bshape[d]);
        strides[d] = n == 1 ? 0 : t->strides[td];
    }
    return XP_OK;
}

typedef struct sdpa_mask {
    const char *p;   /* NULL without a mask */
    bool is_bool;    /* else in the compute dtype */
    int64_t sl, ss;  /* strides along L and S, elements */
    int64_t sb[XP_MAX_DIMS];
} sdpa_mask;

/* Applies the causal rule and the mask to row i of the scores, then the
 * softmax. exp(-inf - max) is 0; a row of all -inf has max -inf and gives
 * exp(NaN) = NaN everywhere, PyTorch's result for a fully masked row. */
#define DEFINE_MASKED_SOFTMAX(NAME, T, EXP)                                                                  \
    static void NAME(T *row, int64_t i, int64_t S, bool causal, const sdpa_mask *m, const char *mrow) {  \
        if (causal)                                                                                     \
            for (int64_t j = i + 1; j < S; j++) row[j] = -INFINITY;                                     \
        if (mrow && m->is_bool) {                                                                       \
            for (int64_t j = 0; j < S; j++)                                                             \
                if (!((const uint8_t *)mrow)[j * m->ss]) row[j] = -INFINITY;                            \
        } else if (mrow) {                                                                              \
            for (int64_t j = 0; j < S; j++) row[j] += ((const T *)mrow)[j * m->ss];                     \
        }                                                                                               \
        /* the max in 8 lanes, which vectorize without fast-math; a NaN score                          \
         * may be skipped here, but exp(NaN - mx) keeps its row NaN below */                           \
        T lane[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY}; \
        int64_t j8 = S - S % 8;                                                                         \
        for (int64_t j = 0; j < j8; j += 8)                                                             \
            for (int l = 0; l < 8; l++) lane[l] = row[j + l] > lane[l] ? row[j + l] : lane[l];          \
        for (int64_t j = j8; j < S; j++) lane[0] = row[j] > lane[0] ? row[j] : lane[0];                 \
        T mx = lane[0];                                                                                 \
        for (int l = 1; l < 8; l++) mx = lane[l] > mx ? lane[l] : mx;                                   \
        T sum = 0;                                                                                      \
        SIMD_SUM                                                                                        \
        for (int64_t j = 0; j < S; j++) {                                                               \
            row[j] = EXP(row[j] - mx);                                                                  \
            sum += row[j];                                                                              \
        }                                                                                               \
        T inv = (T)1 / sum;                                                                             \
        SIMD                                                                                            \
        for (int64_t j = 0; j < S; j++) row[j] *= inv;                                                  \
    }
/* f32 vectorizes (xp_expf is branch-free); f64 calls libm's exp */
#define SIMD _Pragma("omp simd")
#define SIMD_SUM _Pragma("omp simd reduction(+ : sum)")
DEFINE_MASKED_SOFTMAX(softmax_row_f32, float, xp_expf)
#undef SIMD
#undef SIMD_SUM
#define SIMD
#define SIMD_SUM
DEFINE_MASKED_SOFTMAX(softmax_row_f64, double, exp)

/* q, k, v in the compute dtype with BLAS-compatible matrices. */
typedef struct sdpa_job {
    xp_dtype cdt;
    int nb;
    int64_t bshape[XP_MAX_DIMS], sq[XP_MAX_DIMS], sk[XP_MAX_DIMS], sv[XP_MAX_DIMS];
    int64_t L, S, E, Ev;
    xp_nn_mat q, kt, v; /* kt: k^T [E, S] */
    double scale;
    bool causal;
    sdpa_mask mask;
    char *out;
} sdpa_job;

/* Row i of one head's scores: mask, causal rule, softmax. */
static void softmax_row(const sdpa_job *j, char *scores, int64_t i, int64_t om, size_t mes) {
    const char *mrow = j->mask.p ? j->mask.p + (size_t)(om + i * j->mask.sl) * mes : NULL;
    if (j->cdt == XP_F32) softmax_row_f32((float *)scores + i * j->S, i, j->S, j->causal, &j->mask, mrow);
    else softmax_row_f64((double *)scores + i * j->S, i, j->S, j->causal, &j->mask, mrow);
}

static void sdpa_one(const sdpa_job *j, int64_t bh, char *scores, bool threaded_rows) {
    size_t es = xp_dtype_size(j->cdt);
    int64_t oq = 0, ok = 0, ov = 0, om = 0, rem = bh;
    for (int d = j->nb - 1; d >= 0; d--) {
        int64_t i = rem % j->bshape[d];
        rem /= j->bshape[d];
        oq += i * j->sq[d], ok += i * j->sk[d], ov += i * j->sv[d], om += i * j->mask.sb[d];
    }
    xp_nn_mat q = j->q, kt = j->kt, v = j->v;
    q.p = (const char *)q.p + oq * (int64_t)es;
    kt.p = (const char *)kt.p + ok * (int64_t)es;
    v.p = (const char *)v.p + ov * (int64_t)es;
    xp_nn_gemm(j->cdt, j->L, j->S, j->E, j->scale, q, kt, 0.0, scores, j->S);
    size_t mes = j->mask.is_bool ? 1 : es;
    int64_t L = j->L, S = j->S;
    int nt = threaded_rows ? xp_cpu_threads_for(L * S, XP_GRAIN_HEAVY) : 1;
    if (nt > 1) {
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int64_t i = 0; i < L; i++) softmax_row(j, scores, i, om, mes);
    } else {
        for (int64_t i = 0; i < L; i++) softmax_row(j, scores, i, om, mes);
    }
    xp_nn_mat p = {scores, S, 1};
    xp_nn_gemm(j->cdt, L, j->Ev, S, 1.0, p, v, 0.0, j->out + (size_t)(bh * L * j->Ev) * es, j->Ev);
}

/* Converts an operand to the compute dtype, and makes it dense when its
 * matrix (rows x cols with strides rs, cs taken from dims r and c) is not
 * one BLAS can take. */
static xp_tensor *operand_as(xp_tensor *t, xp_dtype cdt, int r, int c) {
    xp_tensor *x = xp_nn_as(t, cdt, false);
    if (!x) return NULL;
    int nd = x->meta.ndim;
    if (xp_nn_blas_ok(x->meta.shape[nd + r], x->meta.shape[nd + c], x->strides[nd + r], x->strides[nd + c])) return x;
    xp_tensor *d = xp_nn_as(x, cdt, true);
    xp_nn_release(t, x);
    return d;
}

xp_status xp_cpu_sdpa(const xp_call *call) {
    xp_tensor *q = XP_ARG_T(call->args[0]), *k = XP_ARG_T(call->args[1]), *v = XP_ARG_T(call->args[2]);
    xp_tensor *mask = call->args[3].kind == XP_ARG_TENSOR ? XP_ARG_T(call->args[3]) : NULL;
    xp_tensor *out = call->outs[0];
    const char *op = "scaled_dot_product_attention";
    if (q->meta.ndim < 2 || k->meta.ndim < 2 || v->meta.ndim < 2)
        return xp_error(XP_ERR_SHAPE, "%s: query, key and value need at least 2 dims [..., L, E]", op);
    if (!xp_dtype_is_float(out->meta.dtype))
        return xp_error(XP_ERR_DTYPE, "%s: expected floating-point tensors, got %s", op,
                        xp_dtype_name(out->meta.dtype));
    sdpa_job j = {0};
    j.cdt = xp_cpu_compute_dtype(out->meta.dtype);
    j.L = q->meta.shape[q->meta.ndim - 2], j.E = q->meta.shape[q->meta.ndim - 1];
    j.S = k->meta.shape[k->meta.ndim - 2], j.Ev = v->meta.shape[v->meta.ndim - 1];
    if (k->meta.shape[k->meta.ndim - 1] != j.E || v->meta.shape[v->meta.ndim - 2] != j.S)
        return xp_error(XP_ERR_SHAPE,
                        "%s: key [..., %lld, %lld] and value [..., %lld, %lld] do not fit query [..., %lld, %lld]", op,
                        (long long)j.S, (long long)k->meta.shape[k->meta.ndim - 1],
                        (long long)v->meta.shape[v->meta.ndim - 2], (long long)j.Ev, (long long)j.L, (long long)j.E);
    j.nb = out->meta.ndim - 2;
    if (j.nb < 0 || out->meta.shape[j.nb] != j.L || out->meta.shape[j.nb + 1] != j.Ev)
        return xp_error(XP_ERR_INTERNAL, "%s: output shape does not match [..., L, Ev]", op);
    memcpy(j.bshape, out->meta.shape, (size_t)j.nb * sizeof(int64_t));
    xp_status st;
    if ((st = batch_strides("query", q, 2, j.nb, j.bshape, j.sq)) != XP_OK ||
        (st = batch_strides("key", k, 2, j.nb, j.bshape, j.sk)) != XP_OK ||
        (st = batch_strides("value", v, 2, j.nb, j.bshape, j.sv)) != XP_OK)
        return st;
    if ((st = xp_nn_gemm_check(op, j.L, j.S, j.E)) != XP_OK || (st = xp_nn_gemm_check(op, j.L, j.Ev, j.S)) != XP_OK)
        return st;
    j.scale = call->args[5].kind == XP_ARG_FLOAT ? call->args[5].f : 1.0 / sqrt((double)j.E);
    j.causal = call->args[4].kind == XP_ARG_BOOL && call->args[4].b;

    xp_tensor *Q = NULL, *K = NULL, *V = NULL, *M = NULL, *C = NULL;
    char *scores = NULL;
    if (!(Q = operand_as(q, j.cdt, -2, -1)) || !(K = operand_as(k, j.cdt, -1, -2)) ||
        !(V = operand_as(v, j.cdt, -2, -1))) {
        st = xp_last_status();
        goto done;
    }
    /* strides of the operands may have changed with a dense copy */
    if ((st = batch_strides("query", Q, 2, j.nb, j.bshape, j.sq)) != XP_OK ||
        (st = batch_strides("key", K, 2, j.nb, j.bshape, j.sk)) != XP_OK ||
        (st = batch_strides("value", V, 2, j.nb, j.bshape, j.sv)) != XP_OK)
        goto done;
    int qd = Q->meta.ndim, kd = K->meta.ndim, vd = V->meta.ndim;
    j.q = (xp_nn_mat){xp_tensor_base_ptr(Q), Q->strides[qd - 2], Q->strides[qd - 1]};
    j.kt = (xp_nn_mat){xp_tensor_base_ptr(K), K->strides[kd - 1], K->strides[kd - 2]};
    j.v = (xp_nn_mat){xp_tensor_base_ptr(V), V->strides[vd - 2], V->strides[vd - 1]};

    if (mask) {
        M = mask->meta.dtype == XP_BOOL ? mask : xp_nn_as(mask, j.cdt, false);
        if (!M) {
            st = xp_last_status();
            goto done;
        }
        int md = M->meta.ndim;
        if (md < 1) {
            j.mask.sl = j.mask.ss = 0;
        } else {
            int64_t ms = M->meta.shape[md - 1], ml = md >= 2 ? M->meta.shape[md - 2] : 1;
            if ((ms != j.S && ms != 1) || (ml != j.L && ml != 1)) {
                st = xp_error(XP_ERR_SHAPE, "%s: attn_mask [..., %lld, %lld] does not broadcast to [..., %lld, %lld]",
                              op, (long long)ml, (long long)ms, (long long)j.L, (long long)j.S);
                goto done;
            }
            j.mask.ss = ms == 1 ? 0 : M->strides[md - 1];
            j.mask.sl = md < 2 || ml == 1 ? 0 : M->strides[md - 2];
        }
        if (md > 2 && (st = batch_strides("attn_mask", M, 2, j.nb, j.bshape, j.mask.sb)) != XP_OK) goto done;
        j.mask.p = xp_tensor_base_ptr(M);
        j.mask.is_bool = M->meta.dtype == XP_BOOL;
    }
    if (!(C = xp_nn_out_begin(out, j.cdt))) {
        st = xp_last_status();
        goto done;
    }
    j.out = xp_tensor_base_ptr(C);
    int64_t nbh = xp_shape_numel(j.nb, j.bshape);
    if (nbh * j.L * j.Ev > 0) {
        /* Heads go one per thread, or in turn with the GEMMs and the
         * softmax rows threaded inside. */
        int nt = xp_num_threads();
        bool par = xp_nn_batch_parallel(nbh, (double)j.L * j.S * (double)(j.E + j.Ev), nt);
        if (!par) nt = 1;
        size_t sbytes = (size_t)(j.L * (j.S > 0 ? j.S : 1)) * xp_dtype_size(j.cdt);
        if (!(scores = xp_cpu_scratch(XP_SCRATCH_ATTENTION, sbytes * (size_t)nt))) {
            st = xp_last_status();
            goto done;
        }
        if (par) {
#pragma omp parallel for schedule(static) num_threads(nt)
            for (int64_t bh = 0; bh < nbh; bh++)
                sdpa_one(&j, bh, scores + sbytes * (size_t)omp_get_thread_num(), false);
        } else {
            /* not `if (par)` on the loop above: the GEMM and softmax regions
             * inside an inactive region would each start a nested team */
            for (int64_t bh = 0; bh < nbh; bh++) sdpa_one(&j, bh, scores, true);
        }
    }
    st = xp_nn_out_end(out, C);
    C = NULL;
done:
    if (C) xp_nn_release(out, C);
    if (M) xp_nn_release(mask, M);
    if (Q) xp_nn_release(q, Q);
    if (K) xp_nn_release(k, K);
    if (V) xp_nn_release(v, V);
    return st;
}
