/*
 * Elementwise unary ops: neg abs exp log sqrt rsqrt sin cos tanh sigmoid
 * relu gelu silu.
 *
 * The result's dtype decides the arithmetic, as in binary.c: f32 math for
 * f32/f16/bf16 results, double for f64, wrapping i64 for integer results
 * (neg, abs and relu keep integer dtypes; the others give a float result,
 * so an integer input is converted first). exp, tanh, sigmoid, silu and gelu
 * use the vectorizable f32 functions of cpu_util.h; the rest call libm.
 *
 * PyTorch's edge cases: relu keeps NaN (NaN < 0 is false); sigmoid of
 * a large negative input is 0, not NaN; gelu is the exact erf form and
 * gelu(-inf) is its limit 0; abs(INT_MIN) wraps to INT_MIN; neg, abs and
 * relu reject bool, as PyTorch does.
 */
#include "cpu/cpu_util.h"

typedef enum un_op {
    UN_NEG, UN_ABS, UN_EXP, UN_LOG, UN_SQRT, UN_RSQRT, UN_SIN, UN_COS, UN_TANH, UN_SIGMOID, UN_RELU, UN_GELU,
    UN_SILU, UN_COUNT
} un_op;

static const char *const un_names[UN_COUNT] = {"neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin",
                                               "cos", "tanh", "sigmoid", "relu", "gelu", "silu"};

/* as is 1 for an advancing input, 0 for one repeated value (an expanded
 * view); the result never aliases the input except exactly. */
#define UNARY_LOOP(NAME, T, EXPR)                                       \
    XP_CPU_CLONES static void NAME(int64_t n, T *o, const T *a, int64_t as) { \
        if (as) {                                                       \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) {       \
                T x = a[i];                                             \
                o[i] = (EXPR);                                          \
            }                                                           \
        } else {                                                        \
            T x = a[0], r = (EXPR);                                     \
            for (int64_t i = 0; i < n; i++) o[i] = r;                   \
        }                                                               \
    }

XP_CPU_MATH float sigmoidf_(float x) { return 1.0f / (1.0f + xp_expf(-x)); }
static inline double sigmoid_f64(double x) { return 1.0 / (1.0 + exp(-x)); }

UNARY_LOOP(neg_f32, float, -x)
UNARY_LOOP(abs_f32, float, fabsf(x))
UNARY_LOOP(exp_f32, float, xp_expf(x))
UNARY_LOOP(log_f32, float, logf(x))
UNARY_LOOP(sqrt_f32, float, sqrtf(x))
UNARY_LOOP(rsqrt_f32, float, 1.0f / sqrtf(x))
UNARY_LOOP(sin_f32, float, sinf(x))
UNARY_LOOP(cos_f32, float, cosf(x))
UNARY_LOOP(tanh_f32, float, xp_tanhf(x))
UNARY_LOOP(sigmoid_f32, float, sigmoidf_(x))
UNARY_LOOP(relu_f32, float, x < 0 ? 0.0f : x)
UNARY_LOOP(gelu_f32, float, xp_geluf(x))
UNARY_LOOP(silu_f32, float, x * sigmoidf_(x))

UNARY_LOOP(neg_f64, double, -x)
UNARY_LOOP(abs_f64, double, fabs(x))
UNARY_LOOP(exp_f64, double, exp(x))
UNARY_LOOP(log_f64, double, log(x))
UNARY_LOOP(sqrt_f64, double, sqrt(x))
UNARY_LOOP(rsqrt_f64, double, 1.0 / sqrt(x))
UNARY_LOOP(sin_f64, double, sin(x))
UNARY_LOOP(cos_f64, double, cos(x))
UNARY_LOOP(tanh_f64, double, tanh(x))
UNARY_LOOP(sigmoid_f64_loop, double, sigmoid_f64(x))
UNARY_LOOP(relu_f64, double, x < 0 ? 0.0 : x)
UNARY_LOOP(gelu_f64, double, xp_gelu_f64(x))
UNARY_LOOP(silu_f64, double, x * sigmoid_f64(x))

UNARY_LOOP(neg_i64, int64_t, (int64_t)(0u - (uint64_t)x))
UNARY_LOOP(abs_i64, int64_t, x < 0 ? (int64_t)(0u - (uint64_t)x) : x)
UNARY_LOOP(relu_i64, int64_t, x < 0 ? 0 : x)

typedef void (*un_f32_fn)(int64_t, float *, const float *, int64_t);
typedef void (*un_f64_fn)(int64_t, double *, const double *, int64_t);
typedef void (*un_i64_fn)(int64_t, int64_t *, const int64_t *, int64_t);

static const un_f32_fn un_f32[UN_COUNT] = {neg_f32, abs_f32, exp_f32, log_f32, sqrt_f32, rsqrt_f32, sin_f32,
                                           cos_f32, tanh_f32, sigmoid_f32, relu_f32, gelu_f32, silu_f32};
static const un_f64_fn un_f64[UN_COUNT] = {neg_f64, abs_f64, exp_f64, log_f64, sqrt_f64, rsqrt_f64, sin_f64,
                                           cos_f64, tanh_f64, sigmoid_f64_loop, relu_f64, gelu_f64, silu_f64};
/* only the ops that keep an integer dtype */
static const un_i64_fn un_i64[UN_COUNT] = {[UN_NEG] = neg_i64, [UN_ABS] = abs_i64, [UN_RELU] = relu_i64};

typedef struct un_ctx {
    un_op op;
    xp_dtype ct;    /* compute dtype */
    xp_dtype dt[2]; /* result, input */
} un_ctx;

static void un_apply(const un_ctx *c, int64_t n, void *o, const void *a, int64_t as) {
    switch (c->ct) {
    case XP_F32: un_f32[c->op](n, o, a, as); break;
    case XP_F64: un_f64[c->op](n, o, a, as); break;
    default: un_i64[c->op](n, o, a, as); break;
    }
}

static void unary_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const un_ctx *c = vctx;
    int64_t ces = (int64_t)xp_dtype_size(c->ct);
    if (c->dt[0] == c->ct && c->dt[1] == c->ct && (s[1] == ces || s[1] == 0)) {
        un_apply(c, n, p[0], p[1], s[1] != 0);
        return;
    }
    _Alignas(64) unsigned char buf[2][XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, as;
        const void *a = xp_cpu_operand(c->dt[1], c->ct, p[1] + off * s[1], s[1], m, buf[1], &as);
        char *dst = p[0] + off * s[0];
        void *o = c->dt[0] == c->ct ? (void *)dst : buf[0];
        un_apply(c, m, o, a, as);
        if (o != dst) xp_cpu_convert(c->dt[0], dst, c->ct, o, ces, m);
    }
}

static xp_status unary(const xp_call *call, un_op op) {
    const char *name = un_names[op];
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]);
    xp_cpu_check_out(name, out);
    un_ctx c = {.op = op, .ct = xp_cpu_compute_dtype(out->meta.dtype), .dt = {out->meta.dtype, a->meta.dtype}};
    if (a->meta.dtype == XP_BOOL && (op == UN_NEG || op == UN_ABS || op == UN_RELU))
        return xp_error(XP_ERR_DTYPE, "%s: not supported for bool tensors (as in PyTorch); convert with xp_to first",
                        name);
    if (c.ct == XP_I64 && !un_i64[op])
        return xp_error(XP_ERR_DTYPE, "%s: the result dtype %s is not a float dtype", name,
                        xp_dtype_name(out->meta.dtype));
    xp_iter it;
    xp_status st = xp_iter_init(&it, name, out, 1, (const xp_tensor *const[]){a});
    if (st != XP_OK) return st;
    bool cheap = op == UN_NEG || op == UN_ABS || op == UN_RELU;
    xp_iter_run(&it, cheap ? XP_GRAIN_CHEAP : XP_GRAIN_HEAVY, unary_loop, &c);
    return XP_OK;
}

xp_status xp_cpu_neg(const xp_call *call) { return unary(call, UN_NEG); }
xp_status xp_cpu_abs(const xp_call *call) { return unary(call, UN_ABS); }
xp_status xp_cpu_exp(const xp_call *call) { return unary(call, UN_EXP); }
xp_status xp_cpu_log(const xp_call *call) { return unary(call, UN_LOG); }
xp_status xp_cpu_sqrt(const xp_call *call) { return unary(call, UN_SQRT); }
xp_status xp_cpu_rsqrt(const xp_call *call) { return unary(call, UN_RSQRT); }
xp_status xp_cpu_sin(const xp_call *call) { return unary(call, UN_SIN); }
xp_status xp_cpu_cos(const xp_call *call) { return unary(call, UN_COS); }
xp_status xp_cpu_tanh(const xp_call *call) { return unary(call, UN_TANH); }
xp_status xp_cpu_sigmoid(const xp_call *call) { return unary(call, UN_SIGMOID); }
xp_status xp_cpu_relu(const xp_call *call) { return unary(call, UN_RELU); }
xp_status xp_cpu_gelu(const xp_call *call) { return unary(call, UN_GELU); }
xp_status xp_cpu_silu(const xp_call *call) { return unary(call, UN_SILU); }
