/*
 * Comparisons eq ne lt le gt ge (tensor and _scalar forms, bool result) and
 * where(condition, self, other).
 *
 * Operands broadcast and may be strided. A comparison converts both sides
 * to their promoted dtype's compute type (f32 for f32/f16/bf16, f64, i64 for
 * integers and bool), so i32 < f32 compares in f32 as PyTorch does. A
 * Scalar is first rounded to the dtype it promotes with, so
 * `f16_tensor == 0.1` compares against f16(0.1) and holds for an element
 * that was set from 0.1. NaN compares false, except ne, which is true.
 *
 * where selects elements of self/other converted to the result dtype; the
 * condition is true where it is nonzero (PyTorch requires bool; any dtype
 * is read as `!= 0` here).
 */
#include "cpu/cpu_util.h"

typedef enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_COUNT } cmp_op;

static const char *const cmp_names[CMP_COUNT] = {"eq", "ne", "lt", "le", "gt", "ge"};
static const char *const cmp_scalar_names[CMP_COUNT] = {"eq_scalar", "ne_scalar", "lt_scalar",
                                                        "le_scalar", "gt_scalar", "ge_scalar"};

#define CMP_LOOP(NAME, T, OP)                                                                \
    static void NAME(int64_t n, uint8_t *o, const T *a, int64_t as, const T *b, int64_t bs) { \
        if (as && bs) {                                                                      \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = a[i] OP b[i];         \
        } else if (as) {                                                                     \
            T y = b[0];                                                                      \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = a[i] OP y;            \
        } else if (bs) {                                                                     \
            T x = a[0];                                                                      \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = x OP b[i];            \
        } else {                                                                             \
            memset(o, a[0] OP b[0], (size_t)n);                                              \
        }                                                                                    \
    }

#define CMP_LOOPS(T, SUF)            \
    CMP_LOOP(eq_##SUF, T, ==)        \
    CMP_LOOP(ne_##SUF, T, !=)        \
    CMP_LOOP(lt_##SUF, T, <)         \
    CMP_LOOP(le_##SUF, T, <=)        \
    CMP_LOOP(gt_##SUF, T, >)         \
    CMP_LOOP(ge_##SUF, T, >=)
CMP_LOOPS(float, f32)
CMP_LOOPS(double, f64)
CMP_LOOPS(int64_t, i64)

typedef void (*cmp_f32_fn)(int64_t, uint8_t *, const float *, int64_t, const float *, int64_t);
typedef void (*cmp_f64_fn)(int64_t, uint8_t *, const double *, int64_t, const double *, int64_t);
typedef void (*cmp_i64_fn)(int64_t, uint8_t *, const int64_t *, int64_t, const int64_t *, int64_t);
static const cmp_f32_fn cmp_f32[CMP_COUNT] = {eq_f32, ne_f32, lt_f32, le_f32, gt_f32, ge_f32};
static const cmp_f64_fn cmp_f64[CMP_COUNT] = {eq_f64, ne_f64, lt_f64, le_f64, gt_f64, ge_f64};
static const cmp_i64_fn cmp_i64[CMP_COUNT] = {eq_i64, ne_i64, lt_i64, le_i64, gt_i64, ge_i64};

typedef struct cmp_ctx {
    cmp_op op;
    xp_dtype ct;    /* compute dtype */
    xp_dtype dt[3]; /* result, self, other */
    bool scalar;
    union { float f; double d; int64_t i; } s;
} cmp_ctx;

static void cmp_apply(const cmp_ctx *c, int64_t n, uint8_t *o, const void *a, int64_t as, const void *b,
                      int64_t bs) {
    switch (c->ct) {
    case XP_F32: cmp_f32[c->op](n, o, a, as, b, bs); break;
    case XP_F64: cmp_f64[c->op](n, o, a, as, b, bs); break;
    default: cmp_i64[c->op](n, o, a, as, b, bs); break;
    }
}

static void compare_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const cmp_ctx *c = vctx;
    const char *bp = c->scalar ? (const char *)&c->s : p[2];
    int64_t bstride = c->scalar ? 0 : s[2];
    xp_dtype bdt = c->scalar ? c->ct : c->dt[2];
    _Alignas(64) unsigned char buf[3][XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, as, bs;
        const void *a = xp_cpu_operand(c->dt[1], c->ct, p[1] + off * s[1], s[1], m, buf[1], &as);
        const void *b = xp_cpu_operand(bdt, c->ct, bp + off * bstride, bstride, m, buf[2], &bs);
        char *dst = p[0] + off * s[0];
        uint8_t *o = c->dt[0] == XP_BOOL ? (uint8_t *)dst : buf[0];
        cmp_apply(c, m, o, a, as, b, bs);
        if ((char *)o != dst) xp_cpu_convert(c->dt[0], dst, XP_BOOL, o, 1, m);
    }
}

static xp_status compare(const xp_call *call, cmp_op op) {
    const char *name = cmp_names[op];
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]), *b = XP_ARG_T(call->args[1]);
    xp_cpu_check_out(name, out);
    cmp_ctx c = {.op = op, .ct = xp_cpu_compute_dtype(xp_dtype_promote(a->meta.dtype, b->meta.dtype)),
                 .dt = {out->meta.dtype, a->meta.dtype, b->meta.dtype}};
    xp_iter it;
    xp_status st = xp_iter_init(&it, name, out, 2, (const xp_tensor *const[]){a, b});
    if (st != XP_OK) return st;
    xp_iter_run(&it, XP_GRAIN_CHEAP, compare_loop, &c);
    return XP_OK;
}

static xp_status compare_scalar(const xp_call *call, cmp_op op) {
    const char *name = cmp_scalar_names[op];
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]);
    double s = call->args[1].f;
    xp_cpu_check_out(name, out);
    xp_dtype pdt = xp_dtype_promote_scalar(a->meta.dtype, xp_cpu_scalar_is_float(s));
    cmp_ctx c = {.op = op, .ct = xp_cpu_compute_dtype(pdt), .dt = {out->meta.dtype, a->meta.dtype, XP_F64},
                 .scalar = true};
    unsigned char rounded[8];
    xp_cpu_store_scalar(pdt, rounded, s);
    xp_cpu_convert(c.ct, &c.s, pdt, rounded, 0, 1);
    xp_iter it;
    xp_status st = xp_iter_init(&it, name, out, 1, (const xp_tensor *const[]){a});
    if (st != XP_OK) return st;
    xp_iter_run(&it, XP_GRAIN_CHEAP, compare_loop, &c);
    return XP_OK;
}

xp_status xp_cpu_eq(const xp_call *call) { return compare(call, CMP_EQ); }
xp_status xp_cpu_ne(const xp_call *call) { return compare(call, CMP_NE); }
xp_status xp_cpu_lt(const xp_call *call) { return compare(call, CMP_LT); }
xp_status xp_cpu_le(const xp_call *call) { return compare(call, CMP_LE); }
xp_status xp_cpu_gt(const xp_call *call) { return compare(call, CMP_GT); }
xp_status xp_cpu_ge(const xp_call *call) { return compare(call, CMP_GE); }
xp_status xp_cpu_eq_scalar(const xp_call *call) { return compare_scalar(call, CMP_EQ); }
xp_status xp_cpu_ne_scalar(const xp_call *call) { return compare_scalar(call, CMP_NE); }
xp_status xp_cpu_lt_scalar(const xp_call *call) { return compare_scalar(call, CMP_LT); }
xp_status xp_cpu_le_scalar(const xp_call *call) { return compare_scalar(call, CMP_LE); }
xp_status xp_cpu_gt_scalar(const xp_call *call) { return compare_scalar(call, CMP_GT); }
xp_status xp_cpu_ge_scalar(const xp_call *call) { return compare_scalar(call, CMP_GE); }

/* ---- where ------------------------------------------------------------------ */

#define SELECT_LOOP(NAME, T)                                                                          \
    static void NAME(int64_t n, T *o, const uint8_t *c, int64_t cs, const T *a, int64_t as, const T *b, \
                     int64_t bs) {                                                                    \
        if (cs && as && bs) {                                                                         \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i];            \
        } else {                                                                                      \
            for (int64_t i = 0; i < n; i++) o[i] = c[i * cs] ? a[i * as] : b[i * bs];                 \
        }                                                                                             \
    }
SELECT_LOOP(select_u8, uint8_t)
SELECT_LOOP(select_u16, uint16_t)
SELECT_LOOP(select_u32, uint32_t)
SELECT_LOOP(select_u64, uint64_t)

typedef struct where_ctx {
    xp_dtype dt[4]; /* result, condition, self, other */
} where_ctx;

static void where_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const where_ctx *w = vctx;
    xp_dtype odt = w->dt[0];
    _Alignas(64) unsigned char buf[3][XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, cs, as, bs;
        const uint8_t *c = xp_cpu_operand(w->dt[1], XP_BOOL, p[1] + off * s[1], s[1], m, buf[0], &cs);
        const void *a = xp_cpu_operand(w->dt[2], odt, p[2] + off * s[2], s[2], m, buf[1], &as);
        const void *b = xp_cpu_operand(w->dt[3], odt, p[3] + off * s[3], s[3], m, buf[2], &bs);
        void *o = p[0] + off * s[0];
        switch (xp_dtype_size(odt)) {
        case 1: select_u8(m, o, c, cs, a, as, b, bs); break;
        case 2: select_u16(m, o, c, cs, a, as, b, bs); break;
        case 4: select_u32(m, o, c, cs, a, as, b, bs); break;
        default: select_u64(m, o, c, cs, a, as, b, bs); break;
        }
    }
}

xp_status xp_cpu_where(const xp_call *call) {
    xp_tensor *out = call->outs[0];
    const xp_tensor *cond = XP_ARG_T(call->args[0]), *a = XP_ARG_T(call->args[1]), *b = XP_ARG_T(call->args[2]);
    xp_cpu_check_out("where", out);
    where_ctx w = {.dt = {out->meta.dtype, cond->meta.dtype, a->meta.dtype, b->meta.dtype}};
    xp_iter it;
    xp_status st = xp_iter_init(&it, "where", out, 3, (const xp_tensor *const[]){cond, a, b});
    if (st != XP_OK) return st;
    xp_iter_run(&it, XP_GRAIN_CHEAP, where_loop, &w);
    return XP_OK;
}
