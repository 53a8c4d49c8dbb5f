/*
 * Shared CPU kernel machinery (see cpu_util.h): dtype conversion of element
 * runs, the elementwise iterator, parallel ranges, argument helpers.
 */
#include "cpu/cpu_util.h"

#include <omp.h>
#include <stdio.h>

/* ---- dtype conversion ----------------------------------------------------
 * One loop per (source, destination) pair, generated from the dtype list,
 * so each is a plain typed loop the compiler can vectorize. Each dtype has a
 * storage type, LD_* (storage -> natural value) and ST_* (value -> storage). */

static inline float bf16_to_f32(uint16_t h) {
    union { uint32_t u; float f; } v = {.u = (uint32_t)h << 16};
    return v.f;
}

/* round to nearest even; NaN stays a (quiet) NaN */
static inline uint16_t f32_to_bf16(float f) {
    union { float f; uint32_t u; } v = {.f = f};
    uint32_t rounded = (v.u + 0x7FFFu + ((v.u >> 16) & 1u)) >> 16;
    uint32_t nan = ((v.u >> 16) | 0x0040u) & 0xFFFFu;
    return (uint16_t)(f != f ? nan : rounded);
}

static inline int64_t i64_from_f32(float v) { return xp_cpu_f64_to_i64(v); }
static inline int64_t i64_from_f64(double v) { return xp_cpu_f64_to_i64(v); }
static inline int64_t i64_from_int(int64_t v) { return v; }
#define TO_I64(v) _Generic((v), float: i64_from_f32, double: i64_from_f64, default: i64_from_int)(v)

#define LD_F32(x) (x)
#define LD_F64(x) (x)
#define LD_F16(x) xp_f16_to_f32(x)
#define LD_BF16(x) bf16_to_f32(x)
#define LD_I64(x) (x)
#define LD_I32(x) (x)
#define LD_I8(x) (x)
#define LD_U8(x) (x)
#define LD_BOOL(x) ((x) != 0)

#define ST_F32(v) ((float)(v))
#define ST_F64(v) ((double)(v))
#define ST_F16(v) xp_f32_to_f16((float)(v))
#define ST_BF16(v) f32_to_bf16((float)(v))
#define ST_I64(v) TO_I64(v)
/* narrowing integer casts wrap modulo 2^bits (GCC and Clang define it) */
#define ST_I32(v) ((int32_t)TO_I64(v))
#define ST_I8(v) ((int8_t)TO_I64(v))
#define ST_U8(v) ((uint8_t)TO_I64(v))
#define ST_BOOL(v) ((uint8_t)((v) != 0))

#define XP_CVT_DTYPES(X) \
    X(F32, float) X(F64, double) X(F16, uint16_t) X(BF16, uint16_t) X(I64, int64_t) \
    X(I32, int32_t) X(I8, int8_t) X(U8, uint8_t) X(BOOL, uint8_t)
#define XP_CVT_DTYPES2(X, S, ST) \
    X(S, ST, F32, float) X(S, ST, F64, double) X(S, ST, F16, uint16_t) X(S, ST, BF16, uint16_t) \
    X(S, ST, I64, int64_t) X(S, ST, I32, int32_t) X(S, ST, I8, int8_t) X(S, ST, U8, uint8_t) \
    X(S, ST, BOOL, uint8_t)

typedef void (*cvt_fn)(void *dst, const char *src, int64_t ss, int64_t n);

#define CVT_ONE(S, ST, D, DT)                                                   \
    static void cvt_##S##_##D(void *dstv, const char *src, int64_t ss, int64_t n) { \
        DT *dst = dstv;                                                         \
        if (ss == (int64_t)sizeof(ST)) {                                        \
            const ST *s = (const ST *)(const void *)src;                        \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) dst[i] = ST_##D(LD_##S(s[i])); \
        } else {                                                                \
            for (int64_t i = 0; i < n; i++) {                                   \
                ST x;                                                           \
                memcpy(&x, src + i * ss, sizeof x);                             \
                dst[i] = ST_##D(LD_##S(x));                                     \
            }                                                                   \
        }                                                                       \
    }
#define CVT_ROW(S, ST) XP_CVT_DTYPES2(CVT_ONE, S, ST)
XP_CVT_DTYPES(CVT_ROW)

#define CVT_ENTRY(S, ST, D, DT) [XP_##D] = cvt_##S##_##D,
#define CVT_TABLE_ROW(S, ST) [XP_##S] = {XP_CVT_DTYPES2(CVT_ENTRY, S, ST)},
static const cvt_fn cvt_table[XP_DTYPE_COUNT][XP_DTYPE_COUNT] = {XP_CVT_DTYPES(CVT_TABLE_ROW)};

/* same dtype: a byte copy, so NaN payloads and -0 survive */
static void copy_same(void *dst, const char *src, size_t es, int64_t ss, int64_t n) {
    if (ss == (int64_t)es) {
        memmove(dst, src, (size_t)n * es);
        return;
    }
    char *d = dst;
    switch (es) {
    case 1: for (int64_t i = 0; i < n; i++) d[i] = src[i * ss]; break;
    case 2: for (int64_t i = 0; i < n; i++) memcpy(d + 2 * i, src + i * ss, 2); break;
    case 4: for (int64_t i = 0; i < n; i++) memcpy(d + 4 * i, src + i * ss, 4); break;
    default: for (int64_t i = 0; i < n; i++) memcpy(d + 8 * i, src + i * ss, 8); break;
    }
}

void xp_cpu_convert(xp_dtype dst_dt, void *dst, xp_dtype src_dt, const void *src, int64_t src_stride,
                    int64_t n) {
    if (n <= 0) return;
    if (dst_dt == src_dt) copy_same(dst, src, xp_dtype_size(src_dt), src_stride, n);
    else cvt_table[src_dt][dst_dt](dst, src, src_stride, n);
}

void xp_cpu_store_scalar(xp_dtype dt, void *dst, double v) { xp_cpu_convert(dt, dst, XP_F64, &v, 0, 1); }

/* ---- elementwise iterator ------------------------------------------------ */

static void shape_text(char *buf, size_t cap, int ndim, const xp_dim *shape) {
    size_t len = 0;
    buf[len++] = '[';
    for (int d = 0; d < ndim && len + 24 < cap; d++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", d ? ", " : "", (long long)shape[d]);
    snprintf(buf + len, cap - len, "]");
}

xp_status xp_iter_init(xp_iter *it, const char *op, const xp_tensor *out, int nin, const xp_tensor *const *in) {
    if (nin + 1 > XP_ITER_MAX_OPS) XP_BUG("xp_iter_init: %d operands, at most %d", nin + 1, XP_ITER_MAX_OPS);
    const xp_tensor *ops[XP_ITER_MAX_OPS] = {out};
    for (int k = 0; k < nin; k++) ops[k + 1] = in[k];
    int nd = out->meta.ndim, nops = nin + 1;
    int64_t stride[XP_ITER_MAX_OPS][XP_MAX_DIMS];
    memset(it, 0, sizeof *it);
    it->nops = nops;
    it->numel = xp_shape_numel(nd, out->meta.shape);
    for (int k = 0; k < nops; k++) {
        const xp_tensor *t = ops[k];
        int64_t es = (int64_t)xp_dtype_size(t->meta.dtype);
        int off = nd - t->meta.ndim;
        bool ok = off >= 0;
        for (int d = 0; d < nd && ok; d++) {
            int64_t size = d < off ? 1 : t->meta.shape[d - off];
            if (size == out->meta.shape[d]) stride[k][d] = d < off ? 0 : t->strides[d - off] * es;
            else if (size == 1) stride[k][d] = 0;
            else ok = false;
        }
        if (!ok) {
            char a[160], b[160];
            shape_text(a, sizeof a, t->meta.ndim, t->meta.shape);
            shape_text(b, sizeof b, nd, out->meta.shape);
            return xp_error(XP_ERR_SHAPE, "%s: input %d of shape %s does not broadcast to the result shape %s", op,
                            k - 1, a, b);
        }
        it->data[k] = it->numel > 0 ? xp_tensor_base_ptr(t) : NULL;
    }
    /* Drop size-1 dims, then merge a dim into the one outside it when every
     * operand steps through both as one run (outer stride = inner size *
     * inner stride), so dense same-shape operands become a single dim. */
    int m = 0;
    for (int d = 0; d < nd; d++) {
        int64_t size = out->meta.shape[d];
        if (size == 1) continue;
        bool merge = m > 0;
        for (int k = 0; k < nops && merge; k++) merge = it->stride[k][m - 1] == size * stride[k][d];
        if (merge) {
            it->shape[m - 1] *= size;
            for (int k = 0; k < nops; k++) it->stride[k][m - 1] = stride[k][d];
        } else {
            it->shape[m] = size;
            for (int k = 0; k < nops; k++) it->stride[k][m] = stride[k][d];
            m++;
        }
    }
    if (m == 0) it->shape[m++] = 1;
    it->ndim = m;
    return XP_OK;
}

/* Elements [lo, hi) in C order, as runs along the innermost dim. */
static void iter_range(const xp_iter *it, int64_t lo, int64_t hi, xp_iter_loop fn, void *ctx) {
    int nd = it->ndim, nops = it->nops, in = nd - 1;
    int64_t idx[XP_MAX_DIMS];
    char *ptr[XP_ITER_MAX_OPS];
    int64_t inner[XP_ITER_MAX_OPS];
    int64_t rest = lo;
    for (int d = nd - 1; d >= 0; d--) {
        idx[d] = rest % it->shape[d];
        rest /= it->shape[d];
    }
    for (int k = 0; k < nops; k++) {
        ptr[k] = it->data[k];
        for (int d = 0; d < nd; d++) ptr[k] += idx[d] * it->stride[k][d];
        inner[k] = it->stride[k][in];
    }
    int64_t pos = lo;
    for (;;) {
        int64_t n = it->shape[in] - idx[in];
        if (n > hi - pos) n = hi - pos;
        fn(ctx, n, ptr, inner);
        pos += n;
        if (pos >= hi) return;
        /* the run ended at the end of the innermost dim: carry outward */
        for (int k = 0; k < nops; k++) ptr[k] -= idx[in] * inner[k];
        idx[in] = 0;
        for (int d = in - 1; d >= 0; d--) {
            for (int k = 0; k < nops; k++) ptr[k] += it->stride[k][d];
            if (++idx[d] < it->shape[d]) break;
            for (int k = 0; k < nops; k++) ptr[k] -= idx[d] * it->stride[k][d];
            idx[d] = 0;
        }
    }
}

typedef struct iter_job {
    const xp_iter *it;
    xp_iter_loop fn;
    void *ctx;
} iter_job;

static void iter_job_range(void *vjob, int64_t lo, int64_t hi) {
    const iter_job *job = vjob;
    iter_range(job->it, lo, hi, job->fn, job->ctx);
}

void xp_iter_run(const xp_iter *it, int64_t grain, xp_iter_loop fn, void *ctx) {
    if (it->numel == 0) return;
    iter_job job = {it, fn, ctx};
    xp_cpu_parallel_for(it->numel, grain, 64, iter_job_range, &job);
}

void xp_cpu_parallel_for(int64_t n, int64_t grain, int64_t align, void (*fn)(void *ctx, int64_t lo, int64_t hi),
                         void *ctx) {
    if (n <= 0) return;
    int nt = xp_cpu_threads_for(n, grain);
    if (nt <= 1) {
        fn(ctx, 0, n);
        return;
    }
    if (align < 1) align = 1;
#pragma omp parallel num_threads(nt)
    {
        int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
        int64_t chunk = (n + team - 1) / team;
        chunk = (chunk + align - 1) / align * align;
        int64_t lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
        if (lo < hi) fn(ctx, lo, hi);
    }
}

static void convert_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const xp_dtype *dt = vctx; /* result, source */
    xp_cpu_convert(dt[0], p[0], dt[1], p[1], s[1], n);
}

xp_status xp_cpu_copy_convert(xp_tensor *dst, const xp_tensor *src, const char *op) {
    xp_iter it;
    xp_status st = xp_iter_init(&it, op, dst, 1, &src);
    if (st != XP_OK) return st;
    xp_dtype dt[2] = {dst->meta.dtype, src->meta.dtype};
    xp_iter_run(&it, XP_GRAIN_CHEAP, convert_loop, dt);
    return XP_OK;
}

xp_status xp_cpu_copy_dense(void *dst, xp_dtype dst_dt, const xp_tensor *src) {
    xp_storage storage = {.data = dst, .nbytes = (size_t)xp_shape_numel(src->meta.ndim, src->meta.shape) *
                                                 xp_dtype_size(dst_dt)};
    xp_tensor hdr = {.meta = src->meta, .storage = &storage};
    hdr.meta.dtype = dst_dt;
    xp_contiguous_strides(src->meta.ndim, src->meta.shape, hdr.strides);
    return xp_cpu_copy_convert(&hdr, src, "copy");
}

/* ---- arguments --------------------------------------------------------- */

bool xp_cpu_norm_dim(const char *op, int64_t d, int ndim, int *out) {
    int64_t n = ndim > 0 ? ndim : 1;
    if (d < -n || d >= n) {
        xp_error(XP_ERR_INVALID_ARG, "%s: dim %lld is out of range for a tensor of rank %d (expected %lld to %lld)",
                 op, (long long)d, ndim, (long long)-n, (long long)(n - 1));
        return false;
    }
    *out = (int)(d < 0 ? d + n : d);
    return true;
}
