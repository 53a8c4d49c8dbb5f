/*
 * Elementwise binary arithmetic: add sub mul div pow and their _scalar forms.
 *
 * Operands broadcast to the result and may be strided views. The result's
 * dtype (outs[0], from the shape function's type promotion) decides the
 * arithmetic: f32 math for f32, f16 and bf16 results (widened, computed,
 * rounded back, as PyTorch does on CPU), double for f64, and wrapping 64-bit
 * integer math for integer and bool results, stored modulo 2^bits (i32
 * overflow wraps as in PyTorch; bool + bool is logical or, bool * bool is
 * and). Inputs of another dtype are converted to that type first, so
 * i32 + f32 adds in f32 and int / int divides in f32 (div is true division;
 * its result is always a float dtype).
 *
 * Integer division can only be reached by a result dtype the shape functions
 * never give; it is defined anyway: x / 0 is 0 and INT64_MIN / -1 wraps to
 * INT64_MIN, so no input crashes. Integer pow with a negative exponent is
 * PyTorch's: 1 for base 1, +-1 for base -1, else 0 (pow_scalar rejects a
 * negative exponent for an integer tensor, as PyTorch does).
 */
#include "cpu/cpu_util.h"

typedef enum bin_op { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_POW, BIN_COUNT } bin_op;

static const char *const bin_names[BIN_COUNT] = {"add", "sub", "mul", "div", "pow"};
static const char *const bin_scalar_names[BIN_COUNT] = {"add_scalar", "sub_scalar", "mul_scalar", "div_scalar",
                                                        "pow_scalar"};

/* ---- typed loops ----------------------------------------------------------
 * as/bs are 1 when the operand advances and 0 when it is one repeated value
 * (a broadcast run or the scalar). No restrict: the result may exactly alias
 * an input when a memory plan reuses a dead input's buffer, which
 * elementwise order handles. */

#define BINARY_LOOP(NAME, T, EXPR)                                                     \
    XP_CPU_CLONES static void NAME(int64_t n, T *o, const T *a, int64_t as, const T *b, int64_t bs) { \
        if (as && bs) {                                                                \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) {                      \
                T x = a[i], y = b[i];                                                  \
                o[i] = (EXPR);                                                         \
            }                                                                          \
        } else if (as) {                                                               \
            T y = b[0];                                                                \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) {                      \
                T x = a[i];                                                            \
                o[i] = (EXPR);                                                         \
            }                                                                          \
        } else if (bs) {                                                               \
            T x = a[0];                                                                \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) {                      \
                T y = b[i];                                                            \
                o[i] = (EXPR);                                                         \
            }                                                                          \
        } else {                                                                       \
            T x = a[0], y = b[0], r = (EXPR);                                          \
            for (int64_t i = 0; i < n; i++) o[i] = r;                                  \
        }                                                                              \
    }

static inline int64_t wrap_add(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static inline int64_t wrap_sub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static inline int64_t wrap_mul(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }
static inline int64_t safe_div(int64_t x, int64_t y) {
    if (y == 0) return 0;
    if (y == -1) return wrap_sub(0, x);
    return x / y;
}
static inline int64_t ipow(int64_t x, int64_t y) {
    if (y < 0) return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
    uint64_t r = 1, base = (uint64_t)x;
    while (y) {
        if (y & 1) r *= base;
        base *= base;
        y >>= 1;
    }
    return (int64_t)r;
}

BINARY_LOOP(add_f32, float, x + y)
BINARY_LOOP(sub_f32, float, x - y)
BINARY_LOOP(mul_f32, float, x * y)
BINARY_LOOP(div_f32, float, x / y)
BINARY_LOOP(powv_f32, float, powf(x, y))
BINARY_LOOP(add_f64, double, x + y)
BINARY_LOOP(sub_f64, double, x - y)
BINARY_LOOP(mul_f64, double, x * y)
BINARY_LOOP(div_f64, double, x / y)
BINARY_LOOP(powv_f64, double, pow(x, y))
BINARY_LOOP(add_i64, int64_t, wrap_add(x, y))
BINARY_LOOP(sub_i64, int64_t, wrap_sub(x, y))
BINARY_LOOP(mul_i64, int64_t, wrap_mul(x, y))
BINARY_LOOP(div_i64, int64_t, safe_div(x, y))
BINARY_LOOP(pow_i64, int64_t, ipow(x, y))

/* A repeated float exponent takes PyTorch's shortcuts (x*x for 2, sqrt for
 * 0.5, ...): faster than pow and what PyTorch users get. */
#define POW_FLOAT(NAME, T, POWV, SQRT)                                                   \
    static void NAME(int64_t n, T *o, const T *a, int64_t as, const T *b, int64_t bs) {   \
        if (bs || !as) {                                                                 \
            POWV(n, o, a, as, b, bs);                                                    \
            return;                                                                      \
        }                                                                                \
        T y = b[0];                                                                      \
        if (y == 2) {                                                                    \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = a[i] * a[i];      \
        } else if (y == 3) {                                                             \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = a[i] * a[i] * a[i]; \
        } else if (y == 1) {                                                             \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = a[i];             \
        } else if (y == -1) {                                                            \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = 1 / a[i];         \
        } else if (y == -2) {                                                            \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = 1 / (a[i] * a[i]); \
        } else if (y == (T)0.5) {                                                        \
            for (int64_t i = 0; i < n; i++) o[i] = SQRT(a[i]);                           \
        } else if (y == (T)-0.5) {                                                       \
            for (int64_t i = 0; i < n; i++) o[i] = 1 / SQRT(a[i]);                       \
        } else {                                                                         \
            POWV(n, o, a, as, b, bs);                                                    \
        }                                                                                \
    }
POW_FLOAT(pow_f32, float, powv_f32, sqrtf)
POW_FLOAT(pow_f64, double, powv_f64, sqrt)

typedef void (*bin_f32_fn)(int64_t, float *, const float *, int64_t, const float *, int64_t);
typedef void (*bin_f64_fn)(int64_t, double *, const double *, int64_t, const double *, int64_t);
typedef void (*bin_i64_fn)(int64_t, int64_t *, const int64_t *, int64_t, const int64_t *, int64_t);
static const bin_f32_fn bin_f32[BIN_COUNT] = {add_f32, sub_f32, mul_f32, div_f32, pow_f32};
static const bin_f64_fn bin_f64[BIN_COUNT] = {add_f64, sub_f64, mul_f64, div_f64, pow_f64};
static const bin_i64_fn bin_i64[BIN_COUNT] = {add_i64, sub_i64, mul_i64, div_i64, pow_i64};

/* ---- the loop the iterator calls ------------------------------------------ */

typedef struct bin_ctx {
    bin_op op;
    xp_dtype ct;    /* compute dtype */
    xp_dtype dt[3]; /* result, self, other */
    bool scalar;    /* other is `s`, not a tensor */
    union { float f; double d; int64_t i; } s;
} bin_ctx;

static void bin_apply(const bin_ctx *c, int64_t n, void *o, const void *a, int64_t as, const void *b, int64_t bs) {
    switch (c->ct) {
    case XP_F32: bin_f32[c->op](n, o, a, as, b, bs); break;
    case XP_F64: bin_f64[c->op](n, o, a, as, b, bs); break;
    default: bin_i64[c->op](n, o, a, as, b, bs); break;
    }
}

static void binary_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const bin_ctx *c = vctx;
    int64_t ces = (int64_t)xp_dtype_size(c->ct);
    const char *bp = c->scalar ? (const char *)&c->s : p[2];
    int64_t bstride = c->scalar ? 0 : s[2];
    bool direct = c->dt[0] == c->ct && c->dt[1] == c->ct && (s[1] == ces || s[1] == 0) &&
                  (c->scalar || (c->dt[2] == c->ct && (s[2] == ces || s[2] == 0)));
    if (direct) {
        bin_apply(c, n, p[0], p[1], s[1] != 0, bp, bstride != 0);
        return;
    }
    _Alignas(64) unsigned char buf[3][XP_CPU_BLOCK * 8];
    xp_dtype bdt = c->scalar ? c->ct : c->dt[2];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, as, bs;
        const void *a = xp_cpu_operand(c->dt[1], c->ct, p[1] + off * s[1], s[1], m, buf[1], &as);
        const void *b = xp_cpu_operand(bdt, c->ct, bp + off * bstride, bstride, m, buf[2], &bs);
        char *dst = p[0] + off * s[0];
        void *o = c->dt[0] == c->ct ? (void *)dst : buf[0];
        bin_apply(c, m, o, a, as, b, bs);
        if (o != dst) xp_cpu_convert(c->dt[0], dst, c->ct, o, ces, m);
    }
}

static int64_t bin_grain(bin_op op) {
    return op == BIN_POW ? XP_GRAIN_HEAVY : op == BIN_DIV ? XP_GRAIN_MEDIUM : XP_GRAIN_CHEAP;
}

static xp_status binary(const xp_call *call, bin_op op) {
    const char *name = bin_names[op];
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]), *b = XP_ARG_T(call->args[1]);
    xp_cpu_check_out(name, out);
    if (op == BIN_SUB && a->meta.dtype == XP_BOOL && b->meta.dtype == XP_BOOL)
        return xp_error(XP_ERR_DTYPE, "sub: subtracting two bool tensors is not supported (as in PyTorch); "
                                      "convert one with xp_to first");
    bin_ctx c = {.op = op, .ct = xp_cpu_compute_dtype(out->meta.dtype),
                 .dt = {out->meta.dtype, a->meta.dtype, b->meta.dtype}};
    xp_iter it;
    xp_status st = xp_iter_init(&it, name, out, 2, (const xp_tensor *const[]){a, b});
    if (st != XP_OK) return st;
    xp_iter_run(&it, bin_grain(op), binary_loop, &c);
    return XP_OK;
}

static xp_status binary_scalar(const xp_call *call, bin_op op) {
    const char *name = bin_scalar_names[op];
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]);
    double s = call->args[1].f;
    xp_cpu_check_out(name, out);
    if (op == BIN_SUB && a->meta.dtype == XP_BOOL)
        return xp_error(XP_ERR_DTYPE, "sub_scalar: subtracting from a bool tensor is not supported (as in PyTorch); "
                                      "convert it with xp_to first");
    bin_ctx c = {.op = op, .ct = xp_cpu_compute_dtype(out->meta.dtype),
                 .dt = {out->meta.dtype, a->meta.dtype, XP_F64}, .scalar = true};
    if (c.ct == XP_F32) c.s.f = (float)s;
    else if (c.ct == XP_F64) c.s.d = s;
    else c.s.i = xp_cpu_f64_to_i64(s);
    if (op == BIN_POW && c.ct == XP_I64 && s < 0)
        return xp_error(XP_ERR_INVALID_ARG, "pow_scalar: integer tensor of dtype %s raised to the negative power %g; "
                                            "integers to negative integer powers are not allowed (convert to a float "
                                            "dtype first)", xp_dtype_name(a->meta.dtype), s);
    xp_iter it;
    xp_status st = xp_iter_init(&it, name, out, 1, (const xp_tensor *const[]){a});
    if (st != XP_OK) return st;
    xp_iter_run(&it, bin_grain(op), binary_loop, &c);
    return XP_OK;
}

xp_status xp_cpu_add(const xp_call *call) { return binary(call, BIN_ADD); }
xp_status xp_cpu_sub(const xp_call *call) { return binary(call, BIN_SUB); }
xp_status xp_cpu_mul(const xp_call *call) { return binary(call, BIN_MUL); }
xp_status xp_cpu_div(const xp_call *call) { return binary(call, BIN_DIV); }
xp_status xp_cpu_pow(const xp_call *call) { return binary(call, BIN_POW); }
xp_status xp_cpu_add_scalar(const xp_call *call) { return binary_scalar(call, BIN_ADD); }
xp_status xp_cpu_sub_scalar(const xp_call *call) { return binary_scalar(call, BIN_SUB); }
xp_status xp_cpu_mul_scalar(const xp_call *call) { return binary_scalar(call, BIN_MUL); }
xp_status xp_cpu_div_scalar(const xp_call *call) { return binary_scalar(call, BIN_DIV); }
xp_status xp_cpu_pow_scalar(const xp_call *call) { return binary_scalar(call, BIN_POW); }
