/*
 * Private helpers shared by the CPU kernels for linear algebra, convolution,
 * pooling, normalization, indexing and attention (matmul.c, conv.c, pool.c,
 * norm.c, index.c, attention.c).
 *
 * Those kernels compute in xp_cpu_compute_dtype(out dtype) (cpu_util.h):
 * f32 for f32/f16/bf16, f64, or i64 for integers and bool. Operands in another
 * dtype are converted to a dense copy first; results in another dtype are
 * computed into a scratch tensor and converted into the output at the end.
 */
#ifndef XP_CPU_NN_UTIL_H
#define XP_CPU_NN_UTIL_H

#include "cpu/cpu_util.h" /* xp_cpu_compute_dtype, xp_cpu_threads_for, xp_cpu_norm_dim */

/* Below this many multiply-adds (M*N*K) a GEMM runs on one thread: the
 * threading overhead would exceed the gain (the same threshold OpenBLAS uses
 * internally: interface/gemm.c, SMP_THRESHOLD_MIN 65536 *
 * GEMM_MULTITHREAD_THRESHOLD 4). Batches of GEMMs this small are spread
 * over threads one GEMM each; larger ones run in turn, each split over the
 * threads by xp_nn_gemm. */
#define XP_NN_GEMM_SMALL_MNK 262144.0

/* Whether a batch of `nbatch` independent items (GEMMs of `mnk_each`
 * multiply-adds, images, heads) should go one item per thread rather than
 * in turn with each item threaded inside. Per item means one parallel
 * region per call instead of several per item (each a fork and a barrier,
 * and a scheduler tick when another process holds a core); it is chosen for
 * small items, and for large ones when the items divide evenly over the
 * threads (or are many). */
bool xp_nn_batch_parallel(int64_t nbatch, double mnk_each, int nt);

/* `t` itself when it already has dtype `dt` (and is contiguous, when `dense`),
 * else a new contiguous copy converted to `dt`. NULL on error. Release the
 * result with xp_nn_release(t, result). */
xp_tensor *xp_nn_as(xp_tensor *t, xp_dtype dt, bool dense);
/* Frees `tmp` when it is a copy made by xp_nn_as / xp_nn_out_begin. */
void xp_nn_release(const xp_tensor *orig, xp_tensor *tmp);

/* A new contiguous tensor (zeroed); NULL on error. */
xp_tensor *xp_nn_new(xp_dtype dt, int ndim, const int64_t *shape);

/* Where a kernel writes a result computed in `cdt`: `out` itself when its
 * dtype is `cdt`, else a scratch tensor of out's shape. xp_nn_out_end
 * converts the scratch into `out` and frees it. */
xp_tensor *xp_nn_out_begin(xp_tensor *out, xp_dtype cdt);
xp_status xp_nn_out_end(xp_tensor *out, xp_tensor *scratch);

/* An int[2] argument: [] gives `dflt` for both, [a] gives a for both. Fails
 * naming `op` and `what` for a list of another length. */
xp_status xp_nn_arg_pair(const char *op, const char *what, const xp_arg *a, int64_t dflt, int64_t out[2]);

/* ---- GEMM over strided matrices ---- */

/* A matrix view: element (i, j) is at p + (i * rs + j * cs) elements. */
typedef struct xp_nn_mat {
    const void *p;
    int64_t rs, cs;
} xp_nn_mat;

/* True when a rows x cols matrix with strides (rs, cs) can be passed to BLAS
 * as it is, directly or transposed (one of the strides is 1, the other a
 * valid leading dimension). */
bool xp_nn_blas_ok(int64_t rows, int64_t cols, int64_t rs, int64_t cs);

/* C[M, N] = alpha * A[M, K] @ B[K, N] + beta * C, with C row-major with
 * leading dimension ldc, every operand in dtype `cdt` (f32, f64 or i64).
 * For f32 and f64, A and B must satisfy xp_nn_blas_ok and every size must
 * fit a BLAS int (xp_nn_gemm_check); i64 takes any strides. beta == 0
 * overwrites C without reading it. Never fails, so it is safe to call inside
 * an OpenMP region; outside one, a large GEMM is split over xp_num_threads()
 * OpenMP threads (OpenBLAS itself is kept single-threaded). */
void xp_nn_gemm(xp_dtype cdt, int64_t M, int64_t N, int64_t K, double alpha, xp_nn_mat A, xp_nn_mat B, double beta,
                 void *C, int64_t ldc);
/* Checks that M, N and K fit BLAS's int (xp_nn_blas_ok checks the leading
 * dimensions). */
xp_status xp_nn_gemm_check(const char *op, int64_t M, int64_t N, int64_t K);

#endif /* XP_CPU_NN_UTIL_H */
