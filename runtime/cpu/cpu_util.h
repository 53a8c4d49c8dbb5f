/*
 * Helpers shared by the CPU kernels (runtime/cpu/): thread counts for
 * parallel regions, dtype conversion of element runs, the elementwise
 * iterator over broadcast/strided operands, and vectorizable float math.
 *
 * How an elementwise kernel is built:
 *   xp_iter it;
 *   if ((st = xp_iter_init(&it, "add", out, 2, (const xp_tensor *[]){a, b})) != XP_OK) return st;
 *   xp_iter_run(&it, XP_GRAIN_CHEAP, my_loop, &ctx);
 * The iterator broadcasts every input to the output's shape (stride 0 on
 * broadcast dims), drops size-1 dims and merges dims that are contiguous
 * for every operand, so same-shape contiguous tensors become one flat run.
 * It splits the flat element range evenly over threads and calls
 * `my_loop(ctx, n, ptrs, strides)` on runs along the innermost dim, where
 * ptrs[k] points at operand k's first element and strides[k] is its step
 * in bytes (0 for a broadcast operand). Operand 0 is the output.
 */
#ifndef XP_CPU_UTIL_H
#define XP_CPU_UTIL_H

#include "ops/xp_registry.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- threads ---------------------------------------------------------- */

/* Minimum elements per thread before a region goes parallel: starting a
 * team costs a few microseconds, which a memory-bound op (add, copy) only
 * repays on tens of thousands of elements and a transcendental one (exp,
 * gelu) on a few thousand. */
#define XP_GRAIN_CHEAP ((int64_t)1 << 15)
#define XP_GRAIN_MEDIUM ((int64_t)1 << 13)
#define XP_GRAIN_HEAVY ((int64_t)1 << 11)

/* Threads worth using for `work` units when each thread should get at least
 * `grain` of them: between 1 and xp_num_threads(). */
int xp_cpu_threads_for(int64_t work, int64_t grain);

/* Scratch memory reused across calls on the calling thread (freed when it
 * exits). One slot per kernel family, so a kernel never hands its slot to a
 * kernel it calls; the pointer stays valid until the next call with that
 * slot on this thread. NULL (XP_ERR_OOM recorded) on failure. */
typedef enum xp_scratch_slot {
    XP_SCRATCH_CONV = 0,
    XP_SCRATCH_ATTENTION,
    XP_SCRATCH_NORM,
    XP_SCRATCH_REDUCE_ROWS,
    XP_SCRATCH_REDUCE_COLS,
    XP_SCRATCH_SOFTMAX,
    XP_SCRATCH_SLOTS
} xp_scratch_slot;
void *xp_cpu_scratch(xp_scratch_slot slot, size_t bytes);

/* Splits [0, n) into one contiguous range per thread (boundaries multiples
 * of `align`) and calls fn(ctx, lo, hi) on each, in parallel when n >= 2 *
 * grain. The split depends only on n and the thread count. */
void xp_cpu_parallel_for(int64_t n, int64_t grain, int64_t align, void (*fn)(void *ctx, int64_t lo, int64_t hi),
                         void *ctx);

/* ---- dtypes ----------------------------------------------------------- */

/* The type kernels compute in for a result of dtype dt: f32 for
 * f32/f16/bf16 (half types are widened, computed and rounded back, as
 * PyTorch does on CPU), f64 for f64, i64 for every integer type and bool. */
static inline xp_dtype xp_cpu_compute_dtype(xp_dtype dt) {
    switch (dt) {
    case XP_F32: case XP_F16: case XP_BF16: return XP_F32;
    case XP_F64: return XP_F64;
    default: return XP_I64;
    }
}

/* True when a Scalar argument (a double) must be treated as a Python float
 * rather than an int for type promotion: it has a fractional part, is not
 * finite, or does not fit in i64. */
static inline bool xp_cpu_scalar_is_float(double s) {
    return !(s >= -9223372036854775808.0 && s < 9223372036854775808.0) || s != trunc(s);
}

/* Float to integer conversion without undefined behaviour: truncates
 * toward zero, saturates out-of-range values, and maps NaN to 0. Narrower
 * integer dtypes then wrap modulo 2^bits (what PyTorch's casts do for
 * in-range values, e.g. 300.0 -> u8 gives 44, -1.0 -> u8 gives 255). */
static inline int64_t xp_cpu_f64_to_i64(double v) {
    if (v != v) return 0;
    if (v >= 9223372036854775808.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}

/* Converts n elements of src_dt, read with a byte stride (0 broadcasts one
 * element), into n contiguous elements of dst_dt. Rounding is to nearest
 * even; to bool is `!= 0` (NaN is true); float to int as xp_cpu_f64_to_i64. */
void xp_cpu_convert(xp_dtype dst_dt, void *dst, xp_dtype src_dt, const void *src, int64_t src_stride,
                    int64_t n);

/* One double converted to dtype dt into `dst` (xp_dtype_size(dt) bytes). */
void xp_cpu_store_scalar(xp_dtype dt, void *dst, double v);

/* ---- elementwise iterator ---------------------------------------------- */

#define XP_ITER_MAX_OPS 4

typedef struct xp_iter {
    int nops;                                  /* operand 0 is the output */
    int ndim;                                  /* >= 1 after coalescing */
    int64_t numel;
    int64_t shape[XP_MAX_DIMS];                /* innermost last */
    int64_t stride[XP_ITER_MAX_OPS][XP_MAX_DIMS]; /* in bytes */
    char *data[XP_ITER_MAX_OPS];
} xp_iter;

/* n elements of every operand; ptrs[k] and strides[k] (bytes) per operand. */
typedef void (*xp_iter_loop)(void *ctx, int64_t n, char **ptrs, const int64_t *strides);

/* Sets up iteration over `out`'s shape with `nin` inputs broadcast to it.
 * Fails with XP_ERR_SHAPE naming `op` when an input cannot broadcast. */
xp_status xp_iter_init(xp_iter *it, const char *op, const xp_tensor *out, int nin, const xp_tensor *const *in);

/* Calls `fn` over every element, in parallel when the tensor is large
 * enough for `grain` elements per thread. Each element is visited once. */
void xp_iter_run(const xp_iter *it, int64_t grain, xp_iter_loop fn, void *ctx);

/* dst = src converted to dst's dtype and broadcast to its shape (dst dense),
 * in parallel; errors name `op`. */
xp_status xp_cpu_copy_convert(xp_tensor *dst, const xp_tensor *src, const char *op);
/* Writes src's elements in C order, converted to dst_dt, into the dense
 * buffer dst (numel * size of dst_dt bytes). */
xp_status xp_cpu_copy_dense(void *dst, xp_dtype dst_dt, const xp_tensor *src);

/* Elementwise loops that convert operands work in blocks of this many
 * elements, staged in stack buffers of XP_CPU_BLOCK * 8 bytes each. */
#define XP_CPU_BLOCK 512

/* A run of n elements of an operand (dtype dt, byte stride `stride`) as an
 * array of compute dtype ct: the tensor memory itself when it already is
 * one (contiguous, or stride 0), else converted into `buf`. *step is 1, or
 * 0 when every element is the same (stride 0). */
static inline const void *xp_cpu_operand(xp_dtype dt, xp_dtype ct, const char *p, int64_t stride, int64_t n,
                                         void *buf, int64_t *step) {
    *step = stride != 0;
    if (dt == ct && (stride == 0 || stride == (int64_t)xp_dtype_size(ct))) return p;
    xp_cpu_convert(ct, buf, dt, p, stride, stride ? n : 1);
    return buf;
}

/* True when t is dense in C order (kernels write outs[0] assuming it). */
static inline bool xp_cpu_is_dense(const xp_tensor *t) {
    for (int d = 0; d < t->meta.ndim; d++)
        if (t->meta.shape[d] == 0) return true; /* no elements: any strides */
    int64_t expect = 1;
    for (int d = t->meta.ndim - 1; d >= 0; d--) {
        if (t->meta.shape[d] != 1 && t->strides[d] != expect) return false;
        expect *= t->meta.shape[d];
    }
    return true;
}

/* Kernels write outs[0] as a dense C-order buffer; anything else is a bug
 * in whoever allocated it. */
static inline void xp_cpu_check_out(const char *op, const xp_tensor *out) {
    if (!xp_cpu_is_dense(out)) XP_BUG("%s: the result buffer is not contiguous", op);
}

/* ---- reading arguments ------------------------------------------------- */

/* Normalizes dim d (negative counts from the end) against ndim; on a bad
 * dim records XP_ERR_INVALID_ARG naming op and returns false. A 0-d tensor
 * accepts dims -1 and 0, as PyTorch does. */
bool xp_cpu_norm_dim(const char *op, int64_t d, int ndim, int *out);

/* ---- instruction sets ----------------------------------------------------
 * The build targets baseline x86-64 (SSE2). Compute-bound float loops
 * (exp, gelu, softmax, ...) are also compiled for AVX2 and AVX-512, and
 * the dynamic loader picks the best one for the CPU (GCC's target_clones,
 * an ifunc). Without FMA contraction (ISO C mode) every clone computes the
 * same IEEE operations per element, so elementwise results are identical
 * on every machine; only the speed changes. The math helpers below are
 * always_inline because GCC does not inline a baseline function into a
 * clone otherwise, and an un-inlined helper blocks vectorization. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && defined(__linux__)
#define XP_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define XP_CPU_CLONES
#endif
#if defined(__GNUC__)
#define XP_CPU_MATH static inline __attribute__((always_inline))
#else
#define XP_CPU_MATH static inline
#endif

/* ---- vectorizable float math -------------------------------------------
 * Branch-free so `#pragma omp simd` loops vectorize them (glibc's expf and
 * erff are scalar calls). Errors against double-precision libm, measured
 * over every float: xp_expf < 1 ulp, xp_tanhf < 1.4 ulp, xp_geluf relative
 * error < 3e-6 for |x| < 8 and < 8e-6 everywhere (exp(-x^2/2) magnifies the
 * rounding of x^2). */

/* c ? a : b for floats, with both sides already computed: a bit mask, not
 * a branch. GCC sinks the computation of a select's arm into a branch and
 * then will not if-convert it (the float arithmetic might trap), so loops
 * over these functions would not vectorize with `?:`. */
XP_CPU_MATH float xp_selectf(bool c, float a, float b) {
    union { float f; uint32_t u; } ua = {.f = a}, ub = {.f = b};
    uint32_t m = 0u - (uint32_t)c;
    ua.u = (ua.u & m) | (ub.u & ~m);
    return ua.f;
}

/* e^x; overflows to +inf above ln(FLT_MAX) = 88.72, underflows through
 * the subnormals to 0 below -103.97, NaN stays NaN.
 *
 * The input is clamped to [-104, 89], where the same arithmetic already
 * gives 0 and inf. The clamp is integer min/max on an order-preserving
 * image of the float's bits: a floating-point select there makes GCC's PRE
 * specialise the code for the clamped constant, and the (possibly
 * trapping) constant arithmetic on that path stops if-conversion, so the
 * loop would not vectorize. */
XP_CPU_MATH float xp_expf(float x) {
    union { float f; int32_t i; } v = {.f = x};
    /* flipping the magnitude bits of negative floats orders all floats
     * (NaNs beyond the infinities) as signed ints; the map is its own inverse */
    int32_t key = v.i ^ (int32_t)((uint32_t)(v.i >> 31) >> 1);
    const int32_t key_lo = -1120927745; /* -104.0f: bits 0xC2D00000 flipped */
    const int32_t key_hi = 0x42B20000;  /* 89.0f */
    key = key < key_lo ? key_lo : key;
    key = key > key_hi ? key_hi : key;
    v.i = key ^ (int32_t)((uint32_t)(key >> 31) >> 1);
    float xc = v.f;
    /* x = n*ln2 + r, |r| <= ln2/2; ln2 split in two for an exact n*ln2_hi.
     * Adding and subtracting 1.5 * 2^23 rounds to the nearest integer
     * without a libm call (|x * log2 e| < 2^22 here). */
    float n = (xc * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    /* Cephes expf polynomial for e^r - 1 - r on [-ln2/2, ln2/2] */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* 2^n as two powers of two, each a normal float for n in [-150, 129],
     * so p * 2^n1 is exact and the one rounding is into the result */
    int32_t ni = (int32_t)n;
    int32_t n1 = ni / 2, n2 = ni - n1;
    union { uint32_t u; float f; } s1, s2;
    s1.u = (uint32_t)(n1 + 127) << 23;
    s2.u = (uint32_t)(n2 + 127) << 23;
    return xp_selectf(x != x, x, p * s1.f * s2.f);
}

/* erfc(a) for a >= 0 given a and a2 = a*a (Numerical Recipes' erfcc:
 * fractional error < 1.2e-7 in exact arithmetic), keeping relative
 * accuracy where erfc is tiny. Callers that can form a*a with one rounding
 * (gelu: x*x/2) pass it, since the rounding of a*a is the error that the
 * exp magnifies. */
XP_CPU_MATH float xp_erfcf_pos(float a, float a2) {
    float t = 1.0f / (1.0f + 0.5f * a);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    return t * xp_expf(p - a2);
}

/* tanh: Cephes' odd polynomial below |x| = 0.625 (no cancellation near 0),
 * 1 - 2 / (e^2|x| + 1) above, sign restored; saturates to +-1, NaN stays NaN. */
XP_CPU_MATH float xp_tanhf(float x) {
    float a = fabsf(x);
    float s = x * x;
    float p = -5.70498872745e-3f;
    p = p * s + 2.06390887954e-2f;
    p = p * s - 5.37397155531e-2f;
    p = p * s + 1.33314422036e-1f;
    p = p * s - 3.33332819422e-1f;
    float small = p * s * x + x;
    float big = copysignf(1.0f - 2.0f / (xp_expf(2.0f * a) + 1.0f), x);
    return xp_selectf(a < 0.625f, small, big);
}

/* GELU, exact form x * Phi(x) = x/2 * erfc(-x/sqrt2), evaluated so that the
 * result keeps relative accuracy for large negative x too. */
XP_CPU_MATH float xp_geluf(float x) {
    float e = xp_erfcf_pos(fabsf(x) * 0.70710678118654752f, x * x * 0.5f);
    float g = xp_selectf(x >= 0, x * (1.0f - 0.5f * e), 0.5f * x * e);
    g = xp_selectf(x == -INFINITY, 0.0f, g); /* the limit, not -inf * 0 */
    return xp_selectf(x != x, x, g);
}

XP_CPU_MATH double xp_gelu_f64(double x) {
    return x == -INFINITY ? 0.0 : 0.5 * x * erfc(-x * 0.70710678118654752440);
}

#endif /* XP_CPU_UTIL_H */
