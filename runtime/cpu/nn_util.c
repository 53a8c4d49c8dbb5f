/*
 * Helpers for the CPU kernels in matmul.c, conv.c, pool.c, norm.c, index.c
 * and attention.c: compute dtypes, dense conversions, int[2] arguments, and
 * one GEMM entry point over strided matrices (CBLAS for f32/f64).
 */
#include "cpu/nn_util.h"

#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <pthread.h>
#include <string.h>

xp_tensor *xp_nn_new(xp_dtype dt, int ndim, const int64_t *shape) {
    xp_tensor *t = xp_tensor_header(dt, ndim, shape);
    if (!t) return NULL;
    if (xp_tensor_alloc_storage(t) != XP_OK) {
        xp_tensor_free(t);
        return NULL;
    }
    return t;
}

xp_tensor *xp_nn_as(xp_tensor *t, xp_dtype dt, bool dense) {
    if (t->meta.dtype == dt && (!dense || xp_is_contiguous(t))) return t;
    xp_tensor *c = xp_nn_new(dt, t->meta.ndim, t->meta.shape);
    if (!c) return NULL;
    if (xp_tensor_copy_into(c, t) != XP_OK) {
        xp_tensor_free(c);
        return NULL;
    }
    return c;
}

void xp_nn_release(const xp_tensor *orig, xp_tensor *tmp) {
    if (tmp && tmp != orig) xp_tensor_free(tmp);
}

xp_tensor *xp_nn_out_begin(xp_tensor *out, xp_dtype cdt) {
    if (out->meta.dtype == cdt) return out;
    return xp_nn_new(cdt, out->meta.ndim, out->meta.shape);
}

xp_status xp_nn_out_end(xp_tensor *out, xp_tensor *scratch) {
    if (scratch == out) return XP_OK;
    xp_status st = xp_tensor_copy_into(out, scratch);
    xp_tensor_free(scratch);
    return st;
}

xp_status xp_nn_arg_pair(const char *op, const char *what, const xp_arg *a, int64_t dflt, int64_t out[2]) {
    if (a->kind == XP_ARG_NONE) {
        out[0] = out[1] = dflt;
        return XP_OK;
    }
    if (a->kind == XP_ARG_INT) {
        out[0] = out[1] = a->i;
        return XP_OK;
    }
    if (a->kind != XP_ARG_INT_LIST)
        return xp_error(XP_ERR_INVALID_ARG, "%s: '%s' must be a list of ints", op, what);
    switch (a->il.n) {
    case 0: out[0] = out[1] = dflt; return XP_OK;
    case 1: out[0] = out[1] = a->il.v[0]; return XP_OK;
    case 2: out[0] = a->il.v[0]; out[1] = a->il.v[1]; return XP_OK;
    default:
        return xp_error(XP_ERR_INVALID_ARG, "%s: '%s' has %d values, expected 1 or 2", op, what, a->il.n);
    }
}

bool xp_nn_batch_parallel(int64_t nbatch, double mnk_each, int nt) {
    if (nt <= 1 || nbatch <= 1) return false;
    /* small items: only when there is enough work in all to repay a region */
    if (mnk_each <= XP_NN_GEMM_SMALL_MNK) return (double)nbatch * mnk_each >= XP_NN_GEMM_SMALL_MNK;
    return nbatch % nt == 0 || nbatch >= 4 * (int64_t)nt;
}

/* ---- GEMM ---- */

/* How a strided matrix goes to row-major CBLAS: as it is (NoTrans, ld = row
 * stride) or, when it is column-major (e.g. a transposed view), as the
 * transpose of a row-major matrix (Trans, ld = column stride). The stride
 * of a size-1 dim never matters. */
static bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, CBLAS_TRANSPOSE *tr, int64_t *ld) {
    int64_t min_ld_n = cols > 1 ? cols : 1, min_ld_t = rows > 1 ? rows : 1;
    if ((cols <= 1 || cs == 1) && (rows <= 1 || rs >= min_ld_n)) {
        *tr = CblasNoTrans;
        *ld = rows <= 1 ? min_ld_n : rs;
    } else if ((rows <= 1 || rs == 1) && (cols <= 1 || cs >= min_ld_t)) {
        *tr = CblasTrans;
        *ld = cols <= 1 ? min_ld_t : cs;
    } else {
        return false;
    }
    return *ld <= INT_MAX;
}

bool xp_nn_blas_ok(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
    CBLAS_TRANSPOSE tr;
    int64_t ld;
    return blas_layout(rows, cols, rs, cs, &tr, &ld);
}

xp_status xp_nn_gemm_check(const char *op, int64_t M, int64_t N, int64_t K) {
    if (M > INT_MAX || N > INT_MAX || K > INT_MAX)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: matrix sizes %lld x %lld x %lld exceed what BLAS can index", op,
                        (long long)M, (long long)K, (long long)N);
    return XP_OK;
}

/* Integer GEMM: a plain loop; wraps on overflow like PyTorch's integer
 * matmul (computed in unsigned arithmetic so the wrap is defined). */
static void gemm_i64(int64_t M, int64_t N, int64_t K, int64_t alpha, xp_nn_mat A, xp_nn_mat B, int64_t beta, int64_t *C,
                     int64_t ldc) {
    const int64_t *a = A.p, *b = B.p;
    for (int64_t i = 0; i < M; i++) {
        int64_t *c = C + i * ldc;
        for (int64_t j = 0; j < N; j++) {
            uint64_t acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (uint64_t)a[i * A.rs + k * A.cs] * (uint64_t)b[k * B.rs + j * B.cs];
            uint64_t r = (uint64_t)alpha * acc;
            if (beta != 0) r += (uint64_t)beta * (uint64_t)c[j];
            c[j] = (int64_t)r;
        }
    }
}

/* One CBLAS call (never with a zero dimension). */
static void blas_gemm(xp_dtype cdt, int64_t M, int64_t N, int64_t K, double alpha, xp_nn_mat A, xp_nn_mat B,
                      double beta, void *C, int64_t ldc) {
    CBLAS_TRANSPOSE ta, tb;
    int64_t lda, ldb;
    if (!blas_layout(M, K, A.rs, A.cs, &ta, &lda) || !blas_layout(K, N, B.rs, B.cs, &tb, &ldb))
        XP_BUG("xp_nn_gemm: operand layout not accepted by BLAS; callers must make it dense first");
    if (cdt == XP_F32)
        cblas_sgemm(CblasRowMajor, ta, tb, (int)M, (int)N, (int)K, (float)alpha, A.p, (int)lda, B.p, (int)ldb,
                    (float)beta, C, (int)ldc);
    else if (cdt == XP_F64)
        cblas_dgemm(CblasRowMajor, ta, tb, (int)M, (int)N, (int)K, alpha, A.p, (int)lda, B.p, (int)ldb, beta, C,
                    (int)ldc);
    else
        XP_BUG("xp_nn_gemm: compute dtype %s", xp_dtype_name(cdt));
}

/* OpenBLAS runs single-threaded; xport threads GEMMs itself with OpenMP.
 * Debian's OpenBLAS keeps its own pthread pool, and two pools on the same
 * cores fight: OpenMP workers spin-wait after a region while OpenBLAS's
 * threads start, and OpenBLAS's spin-yield while the next OpenMP region
 * runs. With one pool every kernel shares the same warm threads, GEMMs can
 * run one per thread inside a batch, and xp_set_num_threads governs GEMMs
 * too. */
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single_threaded(void) { openblas_set_num_threads(1); }

void xp_nn_gemm(xp_dtype cdt, int64_t M, int64_t N, int64_t K, double alpha, xp_nn_mat A, xp_nn_mat B, double beta,
                 void *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return;
    if (cdt == XP_I64) {
        gemm_i64(M, N, K, (int64_t)alpha, A, B, (int64_t)beta, C, ldc);
        return;
    }
    if (K <= 0) {
        /* C = beta * C; BLAS is never called with a zero dimension */
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                if (cdt == XP_F32) {
                    float *c = (float *)C + i * ldc + j;
                    *c = beta == 0 ? 0.0f : (float)beta * *c;
                } else {
                    double *c = (double *)C + i * ldc + j;
                    *c = beta == 0 ? 0.0 : beta * *c;
                }
            }
        return;
    }
    pthread_once(&blas_once, blas_single_threaded);
    /* Large GEMMs are split over OpenMP threads along the longer of M and N
     * (only at nesting level 0: a team inside another region, even an
     * inactive one, would be a new nested team, created on every call);
     * blocks are multiples of 16 rows/columns, so they split on OpenBLAS's
     * register-tile boundaries rather than leaving ragged tiles in between. */
    int nt = 1;
    double mnk = (double)M * N * K;
    if (mnk > XP_NN_GEMM_SMALL_MNK && omp_get_level() == 0) {
        nt = xp_num_threads();
        if (mnk / nt < XP_NN_GEMM_SMALL_MNK / 2) nt = (int)(2 * mnk / XP_NN_GEMM_SMALL_MNK);
        if (nt < 1) nt = 1;
    }
    bool split_m = M >= N;
    int64_t len = split_m ? M : N, chunk = (len + nt - 1) / nt;
    chunk = (chunk + 15) / 16 * 16;
    if (chunk >= len) nt = 1;
    if (nt == 1) { /* no region at all: inside another one it would be a nested team */
        blas_gemm(cdt, M, N, K, alpha, A, B, beta, C, ldc);
        return;
    }
    size_t es = xp_dtype_size(cdt);
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        int64_t lo = t * chunk, hi = lo + chunk < len ? lo + chunk : len;
        if (lo >= hi) continue;
        if (split_m) {
            xp_nn_mat a = {(const char *)A.p + lo * A.rs * (int64_t)es, A.rs, A.cs};
            blas_gemm(cdt, hi - lo, N, K, alpha, a, B, beta, (char *)C + lo * ldc * (int64_t)es, ldc);
        } else {
            xp_nn_mat b = {(const char *)B.p + lo * B.cs * (int64_t)es, B.rs, B.cs};
            blas_gemm(cdt, M, hi - lo, K, alpha, A, b, beta, (char *)C + lo * (int64_t)es, ldc);
        }
    }
}
