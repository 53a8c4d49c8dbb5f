/*
 * CPU elementwise kernels (binary arithmetic, unary math, comparisons,
 * where, casts, copies and constructors) through the public API, against
 * plain double-precision references computed here on seeded random shapes:
 * broadcasting, size-0 and size-1 dims, transposed / sliced / expanded
 * (non-contiguous) inputs, scalar forms, dtype promotion, f16/bf16, NaN/inf.
 *
 * Tolerances (u = the result dtype's unit roundoff: 2^-24 for f32, 2^-53
 * for f64, 2^-11 for f16, 2^-8 for bf16):
 *  - + - * /: the result is the exact value of the (dtype-exact) operands
 *    rounded once, so |error| <= u * |want|: rtol 2u.
 *  - f16/bf16 results are computed in f32 and rounded: <= u + 2^-24.
 *  - libm-class functions (powf, logf, sinf, cosf, sqrtf) and xp_expf,
 *    xp_tanhf are within 1.4 ulp: rtol 4u. sigmoid and silu add two or
 *    three roundings to exp's error: rtol 8u. gelu's f32 evaluation has a
 *    relative error below 3e-6 for |x| < 8 (measured over every float, see
 *    cpu_util.h): rtol 4e-6. cos near its zeros is compared with atol 2^-24,
 *    the size of an ulp of the argument's neighbourhood.
 *  - f64 results use libm doubles (< 1 ulp; gelu's erfc argument rounding
 *    is magnified by up to 2z^2 <= 36): rtol 4u, gelu 1e-13.
 *  - relu, neg, abs, comparisons, where, copies and integer math: exact.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/xp_registry.h"
#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

static const double U_F32 = 1.0 / 16777216.0; /* 2^-24 */
static const double U_F64 = 1.0 / 9007199254740992.0; /* 2^-53 */

/* ---- shapes and layouts ---- */

/* A random size: mostly 1..5, sometimes 0 so empty tensors are covered. */
static int64_t rand_size(uint64_t *s) { return xpt_rand_int(s, 0, 15) == 0 ? 0 : xpt_rand_int(s, 1, 5); }

/* Two shapes that broadcast together: b drops some leading dims of the
 * full shape, and each operand has some dims set to 1. */
static void broadcast_pair(uint64_t *s, int *na, int64_t *sa, int *nb, int64_t *sb) {
    int nd = (int)xpt_rand_int(s, 0, 4);
    int64_t full[XP_MAX_DIMS];
    for (int d = 0; d < nd; d++) full[d] = rand_size(s);
    *na = nd;
    *nb = nd - (int)xpt_rand_int(s, 0, nd);
    for (int d = 0; d < *na; d++) sa[d] = xpt_rand_int(s, 0, 3) == 0 ? 1 : full[d];
    for (int d = 0; d < *nb; d++) sb[d] = xpt_rand_int(s, 0, 3) == 0 ? 1 : full[nd - *nb + d];
}

/* Element of t read at index idx of an nd-dim broadcast result. */
static double bget(const xp_tensor *t, int nd, const int64_t *idx) {
    int64_t ti[XP_MAX_DIMS];
    int off = nd - xp_ndim(t);
    for (int d = 0; d < xp_ndim(t); d++) ti[d] = xp_size(t, d) == 1 ? 0 : idx[d + off];
    return xpt_get(t, ti);
}

static int broadcast_shape(int n, const xp_tensor *const *ts, int64_t *shape) {
    int nd = 0;
    for (int k = 0; k < n; k++) nd = xp_ndim(ts[k]) > nd ? xp_ndim(ts[k]) : nd;
    for (int d = 0; d < nd; d++) {
        shape[d] = 1;
        for (int k = 0; k < n; k++) {
            int td = d - (nd - xp_ndim(ts[k]));
            if (td >= 0 && xp_size(ts[k], td) != 1) shape[d] = xp_size(ts[k], td);
        }
    }
    return nd;
}

typedef double (*ref_fn)(double a, double b, double c);

/* want[i] = f(a[i], b[i], c[i]) over the broadcast of up to three inputs,
 * as an f64 tensor; `round` (if not NULL) rounds each operand to the dtype
 * the kernel computes in before f is applied. */
static xp_tensor *ref_map(int n, const xp_tensor *const *ts, ref_fn f) {
    int64_t shape[XP_MAX_DIMS], idx[XP_MAX_DIMS] = {0};
    int nd = broadcast_shape(n, ts, shape);
    xp_tensor *want = xp_tensor_new(XP_F64, nd, shape);
    double *w = xp_data(want);
    int64_t numel = xp_numel(want);
    for (int64_t i = 0; i < numel; i++) {
        double v[3] = {0, 0, 0};
        for (int k = 0; k < n; k++) v[k] = bget(ts[k], nd, idx);
        w[i] = f(v[0], v[1], v[2]);
        xp_index_next(nd, shape, idx);
    }
    return want;
}

static xp_tensor *ref1(const xp_tensor *a, ref_fn f) { return ref_map(1, (const xp_tensor *const[]){a}, f); }
static xp_tensor *ref2(const xp_tensor *a, const xp_tensor *b, ref_fn f) {
    return ref_map(2, (const xp_tensor *const[]){a, b}, f);
}

static xp_tensor *from_f32(int nd, const int64_t *shape, const float *v) { return xp_tensor_from(XP_F32, nd, shape, v); }

/* a 0-d f64 tensor holding v (a scalar operand for the references) */
static xp_tensor *scalar_f64(double v) { return xp_tensor_from(XP_F64, 0, NULL, &v); }

/* ---- binary arithmetic ---- */

static double r_add(double a, double b, double c) { (void)c; return a + b; }
static double r_sub(double a, double b, double c) { (void)c; return a - b; }
static double r_mul(double a, double b, double c) { (void)c; return a * b; }
static double r_div(double a, double b, double c) { (void)c; return a / b; }
static double r_pow(double a, double b, double c) { (void)c; return pow(a, b); }

typedef struct binary_case {
    const char *name;
    xp_tensor *(*op)(xp_tensor *, xp_tensor *);
    ref_fn ref;
    double lo_a, hi_a, lo_b, hi_b;
    double rtol; /* in units of u */
} binary_case;

static const binary_case binary_cases[] = {
    {"add", xp_add, r_add, -10, 10, -10, 10, 2},
    {"sub", xp_sub, r_sub, -10, 10, -10, 10, 2},
    {"mul", xp_mul, r_mul, -10, 10, -10, 10, 2},
    {"div", xp_div, r_div, -10, 10, 0.25, 4, 2},
    {"pow", xp_pow, r_pow, 0.5, 2, -2, 2, 4},
};

START_TEST(binary_ops_match_reference_on_random_broadcast_shapes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1001;
    for (size_t c = 0; c < sizeof binary_cases / sizeof *binary_cases; c++) {
        const binary_case *bc = &binary_cases[c];
        for (int it = 0; it < 60; it++) {
            int na, nb;
            int64_t sa[XP_MAX_DIMS], sb[XP_MAX_DIMS];
            broadcast_pair(&s, &na, sa, &nb, sb);
            xp_dtype dt = it % 5 == 4 ? XP_F64 : XP_F32;
            xp_tensor *a = xpt_random_layout(&s, dt, na, sa, bc->lo_a, bc->hi_a);
            xp_tensor *b = xpt_random_layout(&s, dt, nb, sb, bc->lo_b, bc->hi_b);
            if (it % 2) { /* operands in either order */
                xp_tensor *t = a;
                a = b, b = t;
                if (bc->ref == r_div || bc->ref == r_pow) continue;
            }
            xp_tensor *got = bc->op(a, b);
            ck_assert_msg(got != NULL, "%s: %s", bc->name, xp_last_error());
            ck_assert_int_eq(xp_dtype_of(got), dt);
            xpt_assert_close(got, ref2(a, b, bc->ref), bc->rtol * (dt == XP_F64 ? U_F64 : U_F32), 0);
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_broadcasts_3x1x5_with_4x1) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1002;
    xp_tensor *a = xpt_random(&s, XP_F32, 3, (int64_t[]){3, 1, 5}, -1, 1);
    xp_tensor *b = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 1}, -1, 1);
    xp_tensor *got = xp_mul(a, b);
    xpt_assert_shape(got, 3, 4, 5);
    xpt_assert_close(got, ref2(a, b, r_mul), 2 * U_F32, 0);
    got = xp_sub(b, a);
    xpt_assert_shape(got, 3, 4, 5);
    xpt_assert_close(got, ref2(b, a, r_sub), 2 * U_F32, 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_reads_transposed_and_sliced_views) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1003;
    xp_tensor *base = xpt_random(&s, XP_F32, 2, (int64_t[]){7, 6}, -1, 1);
    xp_tensor *t = xp_transpose(base, 0, 1);                               /* [6, 7] */
    xp_tensor *v = xp_slice(xpt_random(&s, XP_F32, 2, (int64_t[]){6, 14}, -1, 1), 1, 1, XP_END, 2); /* [6, 7] */
    ck_assert(!xp_is_contiguous(t) && !xp_is_contiguous(v));
    xpt_assert_close(xp_add(t, v), ref2(t, v, r_add), 2 * U_F32, 0);
    /* a row of a transposed view broadcast against a column */
    xp_tensor *row = xp_select(t, 0, 2);
    xp_tensor *col = xp_slice(t, 1, 0, 1, 1);
    xpt_assert_close(xp_mul(row, col), ref2(row, col, r_mul), 2 * U_F32, 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_handles_empty_and_size_one_dims) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *a = xp_tensor_new(XP_F32, 2, (int64_t[]){0, 3});
    xp_tensor *b = xp_ones(XP_F32, XP_DIMS(3));
    xpt_assert_shape(xp_add(a, b), 0, 3);
    xp_tensor *c = xp_ones(XP_F32, XP_DIMS(1, 1, 1));
    xp_tensor *d = xp_full(XP_F32, XP_DIMS(1), 2.5);
    xp_tensor *r = xp_add(c, d);
    xpt_assert_shape(r, 1, 1, 1);
    ck_assert_double_eq(xpt_get_flat(r, 0), 3.5);
    /* 0-d with 0-d */
    xp_tensor *e = xp_full(XP_F32, 0, NULL, 4);
    r = xp_mul(e, e);
    ck_assert_int_eq(xp_ndim(r), 0);
    ck_assert_double_eq(xpt_get_flat(r, 0), 16);
    ck_assert_ptr_null(xp_add(xp_ones(XP_F32, XP_DIMS(2, 3)), xp_ones(XP_F32, XP_DIMS(4))));
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_scalar_forms_match_reference) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1004;
    xp_tensor *(*ops[])(xp_tensor *, double) = {xp_add_scalar, xp_sub_scalar, xp_mul_scalar, xp_div_scalar,
                                                xp_pow_scalar};
    ref_fn refs[] = {r_add, r_sub, r_mul, r_div, r_pow};
    const double scalars[] = {0.37, -2.5, 3, 2, 0.5, -1, -0.5, 1.75};
    for (int k = 0; k < 5; k++)
        for (size_t j = 0; j < sizeof scalars / sizeof *scalars; j++) {
            int64_t shape[3] = {rand_size(&s), rand_size(&s), rand_size(&s)};
            xp_tensor *a = xpt_random_layout(&s, XP_F32, 3, shape, 0.5, 4);
            double sv = scalars[j];
            xp_tensor *got = ops[k](a, sv);
            ck_assert_msg(got != NULL, "%s", xp_last_error());
            ck_assert_int_eq(xp_dtype_of(got), XP_F32);
            /* the scalar joins the f32 computation as an f32 */
            xp_tensor *bs = scalar_f64((float)sv);
            xpt_assert_close(got, ref2(a, bs, refs[k]), 4 * U_F32, 0);
        }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(integer_tensor_with_scalar_keeps_or_promotes_dtype) {
    xp_scope *sc = xp_scope_push();
    int32_t v[4] = {-3, 0, 7, 2147483647};
    xp_tensor *a = xp_tensor_from(XP_I32, 1, (int64_t[]){4}, v);
    xp_tensor *r = xp_add_scalar(a, 1); /* integral scalar: stays i32, wraps */
    ck_assert_int_eq(xp_dtype_of(r), XP_I32);
    ck_assert_int_eq(((int32_t *)xp_data(r))[0], -2);
    ck_assert_int_eq(((int32_t *)xp_data(r))[3], INT32_MIN);
    r = xp_mul_scalar(a, 0.5); /* fractional scalar: f32 */
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    ck_assert_float_eq(((float *)xp_data(r))[0], -1.5f);
    r = xp_div_scalar(a, 2); /* true division */
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    ck_assert_float_eq(((float *)xp_data(r))[2], 3.5f);
    r = xp_pow_scalar(a, 2);
    ck_assert_int_eq(xp_dtype_of(r), XP_I32);
    ck_assert_int_eq(((int32_t *)xp_data(r))[2], 49);
    ck_assert_ptr_null(xp_pow_scalar(a, -1));
    xpt_assert_contains(xp_last_error(), "negative");
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_promotes_mixed_dtypes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1005;
    /* i32 + f32 -> f32, computed in f32 */
    xp_tensor *i = xpt_random(&s, XP_I32, 2, (int64_t[]){3, 4}, -100, 100);
    xp_tensor *f = xpt_random(&s, XP_F32, 1, (int64_t[]){4}, -1, 1);
    xp_tensor *r = xp_add(i, f);
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    xpt_assert_close(r, ref2(i, f, r_add), 2 * U_F32, 0);
    /* i64 * f64 -> f64 */
    xp_tensor *l = xpt_random(&s, XP_I64, 1, (int64_t[]){5}, -1000, 1000);
    xp_tensor *d = xpt_random(&s, XP_F64, 2, (int64_t[]){2, 1}, -1, 1);
    r = xp_mul(l, d);
    ck_assert_int_eq(xp_dtype_of(r), XP_F64);
    xpt_assert_close(r, ref2(l, d, r_mul), 2 * U_F64, 0);
    /* u8 + i8 -> i32 here (PyTorch: i16); i32 + i64 -> i64 */
    xp_tensor *u = xp_tensor_from(XP_U8, 1, (int64_t[]){2}, (uint8_t[]){200, 255});
    xp_tensor *sb = xp_tensor_from(XP_I8, 1, (int64_t[]){2}, (int8_t[]){100, -128});
    r = xp_add(u, sb);
    ck_assert_int_eq(xp_dtype_of(r), xp_dtype_promote(XP_U8, XP_I8));
    ck_assert_double_eq(xpt_get_flat(r, 0), 300);
    ck_assert_double_eq(xpt_get_flat(r, 1), 127);
    /* f16 + bf16 -> f32 */
    xp_tensor *h = xp_full(XP_F16, XP_DIMS(2), 1.5);
    xp_tensor *bh = xp_full(XP_BF16, XP_DIMS(2), 0.25);
    r = xp_add(h, bh);
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    ck_assert_double_eq(xpt_get_flat(r, 1), 1.75);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(bool_arithmetic_follows_pytorch) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *a = xp_tensor_from(XP_BOOL, 1, (int64_t[]){4}, (uint8_t[]){0, 0, 1, 1});
    xp_tensor *b = xp_tensor_from(XP_BOOL, 1, (int64_t[]){4}, (uint8_t[]){0, 1, 0, 1});
    xp_tensor *sum = xp_add(a, b), *prod = xp_mul(a, b);
    ck_assert_int_eq(xp_dtype_of(sum), XP_BOOL);
    const uint8_t want_or[4] = {0, 1, 1, 1}, want_and[4] = {0, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(((uint8_t *)xp_data(sum))[i], want_or[i]);
        ck_assert_int_eq(((uint8_t *)xp_data(prod))[i], want_and[i]);
    }
    ck_assert_ptr_null(xp_sub(a, b));
    ck_assert_int_eq(xp_last_status(), XP_ERR_DTYPE);
    xp_clear_error();
    /* bool / bool is a float division */
    xp_tensor *q = xp_div(a, b);
    ck_assert_int_eq(xp_dtype_of(q), XP_F32);
    ck_assert(isnan(xpt_get_flat(q, 0)));
    ck_assert(isinf(xpt_get_flat(q, 2)));
    ck_assert_double_eq(xpt_get_flat(q, 3), 1);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(integer_division_is_true_division_and_never_traps) {
    xp_scope *sc = xp_scope_push();
    int32_t x[6] = {7, -7, 1, -1, 0, INT32_MIN};
    int32_t y[6] = {2, 2, 0, 0, 0, -1};
    xp_tensor *a = xp_tensor_from(XP_I32, 1, (int64_t[]){6}, x), *b = xp_tensor_from(XP_I32, 1, (int64_t[]){6}, y);
    xp_tensor *q = xp_div(a, b);
    ck_assert_int_eq(xp_dtype_of(q), XP_F32);
    float *p = xp_data(q);
    ck_assert_float_eq(p[0], 3.5f);
    ck_assert_float_eq(p[1], -3.5f);
    ck_assert(isinf(p[2]) && p[2] > 0);
    ck_assert(isinf(p[3]) && p[3] < 0);
    ck_assert(isnan(p[4]));
    ck_assert_float_eq(p[5], 2147483648.0f);
    /* i64 arithmetic wraps instead of trapping */
    int64_t big[2] = {INT64_MAX, INT64_MIN};
    xp_tensor *l = xp_tensor_from(XP_I64, 1, (int64_t[]){2}, big);
    xp_tensor *w = xp_add_scalar(l, 1);
    ck_assert(((int64_t *)xp_data(w))[0] == INT64_MIN);
    w = xp_mul(l, l);
    ck_assert(((int64_t *)xp_data(w))[0] == 1);
    ck_assert(((int64_t *)xp_data(xp_neg(l)))[1] == INT64_MIN);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(half_precision_binary_rounds_once_from_f32) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 1006;
    xp_dtype dts[2] = {XP_F16, XP_BF16};
    double u[2] = {1.0 / 2048, 1.0 / 256};
    for (int k = 0; k < 2; k++)
        for (int it = 0; it < 20; it++) {
            int na, nb;
            int64_t sa[XP_MAX_DIMS], sb[XP_MAX_DIMS];
            broadcast_pair(&s, &na, sa, &nb, sb);
            xp_tensor *a = xpt_random_layout(&s, dts[k], na, sa, -4, 4);
            xp_tensor *b = xpt_random_layout(&s, dts[k], nb, sb, 0.5, 4);
            xp_tensor *r = it % 2 ? xp_mul(a, b) : xp_div(a, b);
            ck_assert_int_eq(xp_dtype_of(r), dts[k]);
            xpt_assert_close(r, ref2(a, b, it % 2 ? r_mul : r_div), u[k] + U_F32, 0);
        }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(pow_follows_ieee_and_pytorch_shortcuts) {
    xp_scope *sc = xp_scope_push();
    float v[6] = {-2, -0.0f, 0, 3, INFINITY, NAN};
    xp_tensor *a = from_f32(1, (int64_t[]){6}, v);
    const double exps[] = {2, 3, 1, -1, -2, 0.5, -0.5, 0, 1.3};
    for (size_t k = 0; k < sizeof exps / sizeof *exps; k++) {
        xp_tensor *r = xp_pow_scalar(a, exps[k]);
        for (int i = 0; i < 6; i++) {
            double want = exps[k] == 0.5 ? sqrt(v[i]) : exps[k] == -0.5 ? 1 / sqrt(v[i]) : pow(v[i], exps[k]);
            double got = xpt_get_flat(r, i);
            ck_assert_msg((isnan(want) && isnan(got)) || got == (float)want, "pow(%g, %g) = %g, expected %g", v[i],
                          exps[k], got, want);
        }
    }
    /* integer pow by squaring, negative exponents PyTorch's way */
    xp_tensor *base = xp_tensor_from(XP_I64, 1, (int64_t[]){4}, (int64_t[]){3, -1, 1, 2});
    xp_tensor *e = xp_tensor_from(XP_I64, 1, (int64_t[]){4}, (int64_t[]){13, -3, -5, -1});
    int64_t *p = xp_data(xp_pow(base, e));
    ck_assert(p[0] == 1594323 && p[1] == -1 && p[2] == 1 && p[3] == 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(binary_propagates_nan_and_inf) {
    xp_scope *sc = xp_scope_push();
    float x[4] = {INFINITY, -INFINITY, NAN, 1};
    float y[4] = {-INFINITY, -INFINITY, 1, 0};
    xp_tensor *a = from_f32(1, (int64_t[]){4}, x), *b = from_f32(1, (int64_t[]){4}, y);
    xp_tensor *r = xp_add(a, b);
    ck_assert(isnan(xpt_get_flat(r, 0)));
    ck_assert(xpt_get_flat(r, 1) == -INFINITY);
    ck_assert(isnan(xpt_get_flat(r, 2)));
    r = xp_div(a, b);
    ck_assert(isnan(xpt_get_flat(r, 0)) && isinf(xpt_get_flat(r, 3)));
    r = xp_mul_scalar(a, 0);
    ck_assert(isnan(xpt_get_flat(r, 0)) && isnan(xpt_get_flat(r, 2)) && xpt_get_flat(r, 3) == 0);
    xp_scope_pop(sc);
}
END_TEST

/* ---- unary ---- */

static double r_neg(double a, double b, double c) { (void)b, (void)c; return -a; }
static double r_abs(double a, double b, double c) { (void)b, (void)c; return fabs(a); }
static double r_exp(double a, double b, double c) { (void)b, (void)c; return exp(a); }
static double r_log(double a, double b, double c) { (void)b, (void)c; return log(a); }
static double r_sqrt(double a, double b, double c) { (void)b, (void)c; return sqrt(a); }
static double r_rsqrt(double a, double b, double c) { (void)b, (void)c; return 1 / sqrt(a); }
static double r_sin(double a, double b, double c) { (void)b, (void)c; return sin(a); }
static double r_cos(double a, double b, double c) { (void)b, (void)c; return cos(a); }
static double r_tanh(double a, double b, double c) { (void)b, (void)c; return tanh(a); }
static double r_sigmoid(double a, double b, double c) { (void)b, (void)c; return 1 / (1 + exp(-a)); }
static double r_relu(double a, double b, double c) { (void)b, (void)c; return a < 0 ? 0 : a; }
static double r_gelu(double a, double b, double c) { (void)b, (void)c; return 0.5 * a * erfc(-a / sqrt(2.0)); }
static double r_silu(double a, double b, double c) { (void)b, (void)c; return a / (1 + exp(-a)); }

typedef struct unary_case {
    const char *name;
    xp_tensor *(*op)(xp_tensor *);
    ref_fn ref;
    double lo, hi;
    double rtol_f32, rtol_f64, atol;
} unary_case;

static const unary_case unary_cases[] = {
    {"neg", xp_neg, r_neg, -10, 10, 0, 0, 0},
    {"abs", xp_abs, r_abs, -10, 10, 0, 0, 0},
    {"exp", xp_exp, r_exp, -20, 20, 4 * U_F32, 4 * U_F64, 0},
    {"log", xp_log, r_log, 0.01, 10, 4 * U_F32, 4 * U_F64, 0},
    {"sqrt", xp_sqrt, r_sqrt, 0, 100, 2 * U_F32, 2 * U_F64, 0},
    {"rsqrt", xp_rsqrt, r_rsqrt, 0.01, 100, 4 * U_F32, 4 * U_F64, 0},
    {"sin", xp_sin, r_sin, -6, 6, 4 * U_F32, 4 * U_F64, U_F32},
    {"cos", xp_cos, r_cos, -6, 6, 4 * U_F32, 4 * U_F64, U_F32},
    {"tanh", xp_tanh, r_tanh, -10, 10, 4 * U_F32, 4 * U_F64, 0},
    {"sigmoid", xp_sigmoid, r_sigmoid, -30, 30, 8 * U_F32, 8 * U_F64, 0},
    {"relu", xp_relu, r_relu, -10, 10, 0, 0, 0},
    {"gelu", xp_gelu, r_gelu, -7, 7, 4e-6, 1e-13, 0},
    {"silu", xp_silu, r_silu, -30, 30, 8 * U_F32, 8 * U_F64, 0},
};

START_TEST(unary_ops_match_reference_on_random_views) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 2001;
    for (size_t c = 0; c < sizeof unary_cases / sizeof *unary_cases; c++) {
        const unary_case *uc = &unary_cases[c];
        for (int it = 0; it < 24; it++) {
            int nd = (int)xpt_rand_int(&s, 0, 4);
            int64_t shape[XP_MAX_DIMS];
            for (int d = 0; d < nd; d++) shape[d] = rand_size(&s) * (it == 0 ? 40 : 1);
            xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
            xp_tensor *x = xpt_random_layout(&s, dt, nd, shape, uc->lo, uc->hi);
            xp_tensor *got = uc->op(x);
            ck_assert_msg(got != NULL, "%s: %s", uc->name, xp_last_error());
            ck_assert_int_eq(xp_dtype_of(got), dt);
            xpt_assert_close(got, ref1(x, uc->ref), dt == XP_F64 ? uc->rtol_f64 : uc->rtol_f32, uc->atol);
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(unary_float_math_over_a_long_vectorized_run) {
    /* one large contiguous run goes through the vectorized loops and threads */
    xp_scope *sc = xp_scope_push();
    uint64_t s = 2002;
    for (size_t c = 0; c < sizeof unary_cases / sizeof *unary_cases; c++) {
        const unary_case *uc = &unary_cases[c];
        xp_tensor *x = xpt_random(&s, XP_F32, 1, (int64_t[]){100003}, uc->lo, uc->hi);
        xpt_assert_close(uc->op(x), ref1(x, uc->ref), uc->rtol_f32, uc->atol);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(unary_special_values) {
    xp_scope *sc = xp_scope_push();
    float v[7] = {NAN, INFINITY, -INFINITY, 0, -0.0f, 200, -200};
    xp_tensor *x = from_f32(1, (int64_t[]){7}, v);
    struct { xp_tensor *(*op)(xp_tensor *); double want[7]; } cases[] = {
        {xp_exp, {NAN, INFINITY, 0, 1, 1, INFINITY, 0}},
        {xp_tanh, {NAN, 1, -1, 0, 0, 1, -1}},
        {xp_sigmoid, {NAN, 1, 0, 0.5, 0.5, 1, 0}},
        {xp_relu, {NAN, INFINITY, 0, 0, 0, 200, 0}},
        {xp_gelu, {NAN, INFINITY, 0, 0, 0, 200, 0}},
        {xp_silu, {NAN, INFINITY, NAN, 0, 0, 200, 0}},
        {xp_log, {NAN, INFINITY, NAN, -INFINITY, -INFINITY, log(200.0), NAN}},
        {xp_sqrt, {NAN, INFINITY, NAN, 0, 0, sqrt(200.0), NAN}},
        {xp_abs, {NAN, INFINITY, INFINITY, 0, 0, 200, 200}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        xp_tensor *r = cases[c].op(x);
        for (int i = 0; i < 7; i++) {
            double got = xpt_get_flat(r, i), want = cases[c].want[i];
            ck_assert_msg(isnan(want) ? isnan(got) : isinf(want) ? got == want : fabs(got - want) <= 1e-6 * fabs(want),
                          "case %zu element %d: got %g, expected %g", c, i, got, want);
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(unary_on_integer_and_half_inputs) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 2003;
    /* ints: exp/sqrt/... produce f32 from the converted values */
    xp_tensor *i = xpt_random(&s, XP_I32, 2, (int64_t[]){5, 7}, 1, 50);
    xp_tensor *r = xp_sqrt(i);
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    xpt_assert_close(r, ref1(i, r_sqrt), 2 * U_F32, 0);
    r = xp_sigmoid(xpt_random(&s, XP_BOOL, 1, (int64_t[]){9}, 0, 1));
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    /* neg, abs, relu keep integer dtypes; abs(INT32_MIN) wraps as in PyTorch */
    xp_tensor *n = xp_tensor_from(XP_I32, 1, (int64_t[]){3}, (int32_t[]){-5, 4, INT32_MIN});
    r = xp_abs(n);
    ck_assert_int_eq(xp_dtype_of(r), XP_I32);
    ck_assert_int_eq(((int32_t *)xp_data(r))[0], 5);
    ck_assert_int_eq(((int32_t *)xp_data(r))[2], INT32_MIN);
    r = xp_relu(n);
    ck_assert_int_eq(((int32_t *)xp_data(r))[0], 0);
    ck_assert_int_eq(((int32_t *)xp_data(r))[1], 4);
    r = xp_neg(xp_tensor_from(XP_I8, 1, (int64_t[]){2}, (int8_t[]){-128, 5}));
    ck_assert_int_eq(((int8_t *)xp_data(r))[0], -128);
    ck_assert_int_eq(((int8_t *)xp_data(r))[1], -5);
    ck_assert_ptr_null(xp_neg(xp_tensor_new(XP_BOOL, 1, (int64_t[]){2})));
    ck_assert_int_eq(xp_last_status(), XP_ERR_DTYPE);
    xp_clear_error();
    /* f16/bf16: computed in f32, rounded once */
    xp_tensor *h = xpt_random_layout(&s, XP_F16, 2, (int64_t[]){6, 5}, -3, 3);
    r = xp_tanh(h);
    ck_assert_int_eq(xp_dtype_of(r), XP_F16);
    xpt_assert_close(r, ref1(h, r_tanh), 1.0 / 2048 + 4 * U_F32, 0);
    xp_tensor *bh = xpt_random_layout(&s, XP_BF16, 2, (int64_t[]){6, 5}, -3, 3);
    r = xp_gelu(bh);
    ck_assert_int_eq(xp_dtype_of(r), XP_BF16);
    xpt_assert_close(r, ref1(bh, r_gelu), 1.0 / 256 + 4e-6, 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(relu_in_place_writes_through_a_view) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = from_f32(2, (int64_t[]){2, 3}, (float[]){-1, 2, -3, 4, -5, 6});
    xp_tensor *col = xp_slice(x, 1, 0, 2, 1); /* [[-1, 2], [4, -5]] */
    ck_assert_ptr_eq(xp_relu_(col), col);
    const float want[6] = {0, 2, -3, 4, 0, 6};
    for (int i = 0; i < 6; i++) ck_assert_float_eq(((float *)xp_data(x))[i], want[i]);
    xp_scope_pop(sc);
}
END_TEST

/* ---- comparisons and where ---- */

static double r_eq(double a, double b, double c) { (void)c; return a == b; }
static double r_ne(double a, double b, double c) { (void)c; return a != b; }
static double r_lt(double a, double b, double c) { (void)c; return a < b; }
static double r_le(double a, double b, double c) { (void)c; return a <= b; }
static double r_gt(double a, double b, double c) { (void)c; return a > b; }
static double r_ge(double a, double b, double c) { (void)c; return a >= b; }

/* small integer values (as dtype dt) so that ties are common */
static xp_tensor *random_small(uint64_t *s, xp_dtype dt, int nd, const int64_t *shape) {
    return xpt_random_layout(s, dt, nd, shape, -3, 3);
}

START_TEST(comparisons_match_reference_with_ties_and_mixed_dtypes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 3001;
    xp_tensor *(*ops[6])(xp_tensor *, xp_tensor *) = {xp_eq, xp_ne, xp_lt, xp_le, xp_gt, xp_ge};
    xp_tensor *(*sops[6])(xp_tensor *, double) = {xp_eq_scalar, xp_ne_scalar, xp_lt_scalar,
                                                  xp_le_scalar, xp_gt_scalar, xp_ge_scalar};
    ref_fn refs[6] = {r_eq, r_ne, r_lt, r_le, r_gt, r_ge};
    const xp_dtype dts[][2] = {{XP_F32, XP_F32}, {XP_I32, XP_F32}, {XP_I64, XP_I8}, {XP_F16, XP_F64},
                               {XP_BOOL, XP_I32}, {XP_BF16, XP_BF16}};
    for (int k = 0; k < 6; k++)
        for (int it = 0; it < 24; it++) {
            int na, nb;
            int64_t sa[XP_MAX_DIMS], sb[XP_MAX_DIMS];
            broadcast_pair(&s, &na, sa, &nb, sb);
            const xp_dtype *dt = dts[it % 6];
            xp_tensor *a = random_small(&s, dt[0], na, sa), *b = random_small(&s, dt[1], nb, sb);
            xp_tensor *got = ops[k](a, b);
            ck_assert_msg(got != NULL, "%s", xp_last_error());
            ck_assert_int_eq(xp_dtype_of(got), XP_BOOL);
            xpt_assert_close(got, ref2(a, b, refs[k]), 0, 0);
            double sv = (double)xpt_rand_int(&s, -2, 2) + (it % 3 == 0 ? 0.5 : 0);
            got = sops[k](a, sv);
            xpt_assert_close(got, ref2(a, scalar_f64(sv), refs[k]), 0, 0);
        }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(comparisons_with_nan_are_false_except_ne) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *a = from_f32(1, (int64_t[]){2}, (float[]){NAN, 1});
    xp_tensor *b = from_f32(1, (int64_t[]){2}, (float[]){NAN, NAN});
    xp_tensor *(*ops[6])(xp_tensor *, xp_tensor *) = {xp_eq, xp_ne, xp_lt, xp_le, xp_gt, xp_ge};
    for (int k = 0; k < 6; k++) {
        xp_tensor *r = ops[k](a, b);
        for (int i = 0; i < 2; i++) ck_assert_double_eq(xpt_get_flat(r, i), k == 1);
    }
    ck_assert_double_eq(xpt_get_flat(xp_ne_scalar(a, NAN), 1), 1);
    ck_assert_double_eq(xpt_get_flat(xp_lt_scalar(a, INFINITY), 1), 1);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(scalar_comparison_rounds_the_scalar_to_the_tensor_dtype) {
    xp_scope *sc = xp_scope_push();
    /* f16(0.1) != 0.1, but a tensor filled with 0.1 compares equal to 0.1 */
    xp_tensor *h = xp_full(XP_F16, XP_DIMS(3), 0.1);
    xp_tensor *r = xp_eq_scalar(h, 0.1);
    for (int i = 0; i < 3; i++) ck_assert_double_eq(xpt_get_flat(r, i), 1);
    xp_tensor *f = xp_full(XP_F32, XP_DIMS(2), 0.1);
    ck_assert_double_eq(xpt_get_flat(xp_eq_scalar(f, 0.1), 0), 1);
    /* an integer tensor against a fractional scalar compares as floats */
    xp_tensor *i = xp_tensor_from(XP_I32, 1, (int64_t[]){3}, (int32_t[]){2, 3, -3});
    r = xp_gt_scalar(i, 2.5);
    ck_assert_double_eq(xpt_get_flat(r, 0), 0);
    ck_assert_double_eq(xpt_get_flat(r, 1), 1);
    ck_assert_double_eq(xpt_get_flat(xp_lt_scalar(i, -2.5), 2), 1);
    xp_scope_pop(sc);
}
END_TEST

static double r_where(double c, double a, double b) { return c != 0 ? a : b; }

START_TEST(where_broadcasts_three_ways_and_promotes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 3002;
    for (int it = 0; it < 40; it++) {
        int na, nb;
        int64_t sa[XP_MAX_DIMS], sb[XP_MAX_DIMS], sc3[XP_MAX_DIMS];
        broadcast_pair(&s, &na, sa, &nb, sb);
        int nc = (int)xpt_rand_int(&s, 0, na);
        for (int d = 0; d < nc; d++) sc3[d] = xpt_rand_int(&s, 0, 1) ? 1 : sa[na - nc + d];
        xp_tensor *c = xpt_random_layout(&s, XP_BOOL, nc, sc3, 0, 1);
        xp_dtype da = it % 3 == 0 ? XP_I32 : XP_F32, db = it % 4 == 0 ? XP_F64 : XP_F32;
        xp_tensor *a = xpt_random_layout(&s, da, na, sa, -5, 5), *b = xpt_random_layout(&s, db, nb, sb, -5, 5);
        xp_tensor *got = xp_where(c, a, b);
        ck_assert_msg(got != NULL, "where: %s", xp_last_error());
        ck_assert_int_eq(xp_dtype_of(got), xp_dtype_promote(da, db));
        xpt_assert_close(got, ref_map(3, (const xp_tensor *const[]){c, a, b}, r_where), 0, 0);
    }
    /* the brief's example shapes: [4,1,5] condition, [3,1] and [5] values */
    xp_tensor *c = xpt_random_layout(&s, XP_BOOL, 3, (int64_t[]){4, 1, 5}, 0, 1);
    xp_tensor *a = xpt_random(&s, XP_F32, 2, (int64_t[]){3, 1}, -1, 1);
    xp_tensor *b = from_f32(1, (int64_t[]){5}, (float[]){NAN, 1, 2, 3, 4});
    xp_tensor *got = xp_where(c, a, b);
    xpt_assert_shape(got, 4, 3, 5);
    xpt_assert_close(got, ref_map(3, (const xp_tensor *const[]){c, a, b}, r_where), 0, 0);
    xp_scope_pop(sc);
}
END_TEST

/* ---- casts, copies, constructors ---- */

START_TEST(to_converts_between_every_dtype_pair) {
    xp_scope *sc = xp_scope_push();
    const double vals[] = {0, 1, -1, 2.5, -2.5, 7, 100, -100, 0.125};
    int64_t n = sizeof vals / sizeof *vals;
    for (int src = 0; src < XP_DTYPE_COUNT; src++) {
        xp_tensor *x = xp_tensor_new((xp_dtype)src, 1, &n);
        for (int64_t i = 0; i < n; i++)
            xp_store_f64((xp_dtype)src, (char *)xp_data(x) + i * (int64_t)xp_dtype_size((xp_dtype)src), vals[i]);
        for (int dst = 0; dst < XP_DTYPE_COUNT; dst++) {
            xp_tensor *r = xp_to(x, (xp_dtype)dst);
            ck_assert_msg(r != NULL, "to %s: %s", xp_dtype_name((xp_dtype)dst), xp_last_error());
            ck_assert_int_eq(xp_dtype_of(r), dst);
            for (int64_t i = 0; i < n; i++) {
                double in = xpt_get_flat(x, i), want;
                if (dst == XP_BOOL) want = in != 0;
                else if (xp_dtype_is_float((xp_dtype)dst)) want = in;
                else { /* truncate, then wrap into the narrower type */
                    int64_t t = (int64_t)trunc(in);
                    want = dst == XP_U8 ? (double)(uint8_t)t : dst == XP_I8 ? (double)(int8_t)t
                         : dst == XP_I32 ? (double)(int32_t)t : (double)t;
                }
                ck_assert_msg(xpt_get_flat(r, i) == want, "%s -> %s of %g gave %g, expected %g",
                              xp_dtype_name((xp_dtype)src), xp_dtype_name((xp_dtype)dst), in, xpt_get_flat(r, i), want);
            }
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(to_defines_out_of_range_and_nan_conversions) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = from_f32(1, (int64_t[]){6}, (float[]){300, -1, NAN, 1e30f, -1e30f, -0.75f});
    xp_tensor *u = xp_to(x, XP_U8);
    const uint8_t want_u8[6] = {44, 255, 0, 255, 0, 0};
    for (int i = 0; i < 6; i++) ck_assert_int_eq(((uint8_t *)xp_data(u))[i], want_u8[i]);
    int64_t *l = xp_data(xp_to(x, XP_I64));
    ck_assert(l[2] == 0 && l[3] == INT64_MAX && l[4] == INT64_MIN && l[5] == 0);
    uint8_t *b = xp_data(xp_to(x, XP_BOOL));
    ck_assert(b[2] == 1 && b[5] == 1);
    /* rounding to half types is to nearest even */
    xp_tensor *h = xp_to(from_f32(1, (int64_t[]){2}, (float[]){1 + 1.0f / 2048, 1 + 3.0f / 2048}), XP_F16);
    ck_assert_double_eq(xpt_get_flat(h, 0), 1);
    ck_assert_double_eq(xpt_get_flat(h, 1), 1 + 4.0 / 2048);
    xp_tensor *bf = xp_to(from_f32(1, (int64_t[]){2}, (float[]){1 + 1.0f / 256, NAN}), XP_BF16);
    ck_assert_double_eq(xpt_get_flat(bf, 0), 1);
    ck_assert(isnan(xpt_get_flat(bf, 1)));
    /* i64 -> f32 rounds once (2^53 + 1 is not representable even in f64) */
    xp_tensor *big = xp_tensor_from(XP_I64, 1, (int64_t[]){1}, (int64_t[]){16777217});
    ck_assert_double_eq(xpt_get_flat(xp_to(big, XP_F32), 0), 16777216);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(clone_and_contiguous_copy_strided_views) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 4001;
    for (int it = 0; it < 20; it++) {
        int nd = (int)xpt_rand_int(&s, 0, 4);
        int64_t shape[XP_MAX_DIMS];
        for (int d = 0; d < nd; d++) shape[d] = rand_size(&s);
        xp_dtype dt = (xp_dtype)(it % XP_DTYPE_COUNT);
        xp_tensor *x = xpt_random_layout(&s, dt, nd, shape, -50, 50);
        /* clone has no public wrapper: dispatch it */
        xp_tensor *c = it % 2 ? xp_dispatch(XP_OP_clone, (xp_arg[]){xp_arg_tensor(x)}, 1) : xp_contiguous(x);
        ck_assert_msg(c != NULL, "%s", xp_last_error());
        ck_assert(xp_is_contiguous(c));
        ck_assert_int_eq(xp_dtype_of(c), dt);
        if (xp_numel(x) > 0) ck_assert(!xp_shares_storage(c, x));
        xpt_assert_close(c, x, 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(copy_broadcasts_and_converts_src) {
    xp_scope *sc = xp_scope_push();
    /* copy_ through a slice view: the KV-cache update pattern */
    xp_tensor *cache = xp_zeros(XP_F32, XP_DIMS(4, 3));
    xp_tensor *k = xp_tensor_from(XP_I32, 2, (int64_t[]){1, 3}, (int32_t[]){1, 2, 3});
    xp_tensor *row = xp_slice(cache, 0, 2, 3, 1);
    ck_assert_ptr_eq(xp_copy_(row, k), row);
    for (int i = 0; i < 12; i++) ck_assert_double_eq(xpt_get_flat(cache, i), i >= 6 && i < 9 ? i - 5 : 0);
    /* a column view, with src broadcast along it */
    xp_tensor *col = xp_select(cache, 1, 0);
    xp_copy_(col, scalar_f64(-1));
    for (int i = 0; i < 4; i++) ck_assert_double_eq(xpt_get_flat(cache, 3 * i), -1);
    ck_assert_double_eq(xpt_get_flat(cache, 7), 2);
    /* the functional copy: self's shape and dtype, src's values */
    xp_tensor *self = xp_ones(XP_F16, XP_DIMS(2, 3));
    xp_tensor *src = xp_transpose(xp_tensor_from(XP_F64, 2, (int64_t[]){3, 1}, (double[]){0.5, 1.5, 2.5}), 0, 1);
    const xp_arg args[2] = {xp_arg_tensor(self), xp_arg_tensor(src)};
    xp_tensor *r = xp_dispatch(XP_OP_copy, args, 2);
    ck_assert_msg(r != NULL, "copy: %s", xp_last_error());
    xpt_assert_shape(r, 2, 3);
    ck_assert_int_eq(xp_dtype_of(r), XP_F16);
    for (int i = 0; i < 6; i++) ck_assert_double_eq(xpt_get_flat(r, i), 0.5 + i % 3);
    ck_assert_double_eq(xpt_get_flat(self, 0), 1); /* self is not written */
    xp_scope_pop(sc);
}
END_TEST

START_TEST(constructors_fill_every_element) {
    xp_scope *sc = xp_scope_push();
    for (int dt = 0; dt < XP_DTYPE_COUNT; dt++) {
        xp_tensor *f = xp_full((xp_dtype)dt, XP_DIMS(3, 70001), 3);
        xp_tensor *z = xp_zeros((xp_dtype)dt, XP_DIMS(5));
        xp_tensor *o = xp_ones((xp_dtype)dt, XP_DIMS(2, 2));
        xp_tensor *e = xp_empty((xp_dtype)dt, XP_DIMS(4));
        ck_assert(f && z && o && e);
        double three = dt == XP_BOOL ? 1 : 3;
        for (int64_t i = 0; i < xp_numel(f); i += 997) ck_assert_double_eq(xpt_get_flat(f, i), three);
        ck_assert_double_eq(xpt_get_flat(f, xp_numel(f) - 1), three);
        for (int i = 0; i < 5; i++) ck_assert_double_eq(xpt_get_flat(z, i), 0);
        for (int i = 0; i < 4; i++) ck_assert_double_eq(xpt_get_flat(o, i), 1);
        for (int i = 0; i < 4; i++) ck_assert_double_eq(xpt_get_flat(e, i), 0);
        xp_tensor *el = xp_empty_like(o);
        xpt_assert_shape(el, 2, 2);
        ck_assert_int_eq(xp_dtype_of(el), dt);
    }
    xp_tensor *g = xp_full(XP_F32, XP_DIMS(2), -INFINITY);
    ck_assert(xpt_get_flat(g, 1) == -INFINITY);
    g = xp_full(XP_F32, XP_DIMS(0, 4), 1);
    xpt_assert_shape(g, 0, 4);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(arange_counts_like_python_range) {
    xp_scope *sc = xp_scope_push();
    struct { int64_t start, end, step; } cases[] = {{0, 10, 1}, {0, 10, 3}, {5, -5, -2}, {3, 3, 1}, {-7, 100000, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        xp_dtype dt = c % 2 ? XP_F32 : XP_I64;
        xp_tensor *r = xp_arange(dt, cases[c].start, cases[c].end, cases[c].step);
        ck_assert_msg(r != NULL, "%s", xp_last_error());
        ck_assert_int_eq(xp_dtype_of(r), dt);
        int64_t n = 0;
        for (int64_t v = cases[c].start; cases[c].step > 0 ? v < cases[c].end : v > cases[c].end; v += cases[c].step)
            ck_assert_double_eq(xpt_get_flat(r, n++), (double)v);
        ck_assert_int_eq(xp_numel(r), n);
    }
    ck_assert_ptr_null(xp_arange(XP_I64, 3, 1, 1)); /* the step points away from the end */
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- threads ---- */

START_TEST(results_do_not_depend_on_the_thread_count) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5001;
    xp_tensor *a = xpt_random(&s, XP_F32, 2, (int64_t[]){1000, 1001}, -1, 1);
    xp_tensor *b = xpt_random(&s, XP_F32, 1, (int64_t[]){1001}, -1, 1);
    int saved = xp_num_threads();
    xp_set_num_threads(1);
    xp_tensor *one = xp_gelu(xp_add(a, b));
    xp_set_num_threads(4);
    xp_tensor *four = xp_gelu(xp_add(a, b));
    xp_set_num_threads(saved);
    ck_assert_int_eq(memcmp(xp_data(one), xp_data(four), (size_t)xp_numel(one) * 4), 0);
    xp_scope_pop(sc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_elementwise");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, binary_ops_match_reference_on_random_broadcast_shapes);
    tcase_add_test(tc, binary_broadcasts_3x1x5_with_4x1);
    tcase_add_test(tc, binary_reads_transposed_and_sliced_views);
    tcase_add_test(tc, binary_handles_empty_and_size_one_dims);
    tcase_add_test(tc, binary_scalar_forms_match_reference);
    tcase_add_test(tc, integer_tensor_with_scalar_keeps_or_promotes_dtype);
    tcase_add_test(tc, binary_promotes_mixed_dtypes);
    tcase_add_test(tc, bool_arithmetic_follows_pytorch);
    tcase_add_test(tc, integer_division_is_true_division_and_never_traps);
    tcase_add_test(tc, half_precision_binary_rounds_once_from_f32);
    tcase_add_test(tc, pow_follows_ieee_and_pytorch_shortcuts);
    tcase_add_test(tc, binary_propagates_nan_and_inf);
    tcase_add_test(tc, unary_ops_match_reference_on_random_views);
    tcase_add_test(tc, unary_float_math_over_a_long_vectorized_run);
    tcase_add_test(tc, unary_special_values);
    tcase_add_test(tc, unary_on_integer_and_half_inputs);
    tcase_add_test(tc, relu_in_place_writes_through_a_view);
    tcase_add_test(tc, comparisons_match_reference_with_ties_and_mixed_dtypes);
    tcase_add_test(tc, comparisons_with_nan_are_false_except_ne);
    tcase_add_test(tc, scalar_comparison_rounds_the_scalar_to_the_tensor_dtype);
    tcase_add_test(tc, where_broadcasts_three_ways_and_promotes);
    tcase_add_test(tc, to_converts_between_every_dtype_pair);
    tcase_add_test(tc, to_defines_out_of_range_and_nan_conversions);
    tcase_add_test(tc, clone_and_contiguous_copy_strided_views);
    tcase_add_test(tc, copy_broadcasts_and_converts_src);
    tcase_add_test(tc, constructors_fill_every_element);
    tcase_add_test(tc, arange_counts_like_python_range);
    tcase_add_test(tc, results_do_not_depend_on_the_thread_count);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
