/*
 * The erf kernel (runtime/cpu/erf.c) against double-precision libm: f32
 * and f64 results, integer inputs promoted to f32, half dtypes, strided
 * and broadcast inputs, and the special values.
 */
#include <math.h>
#include <string.h>

#include "testutil.h"

/* f32: glibc's erff is within 1 ulp of the exact value, so against erf()
 * in double rounded to float: |got - want| <= 2^-23 |want| (one ulp of
 * the rounded reference, at most two of the exact value's halves), plus
 * the subnormal range near 0 where erf(x) ~ 1.13 x (atol 1e-45 is 0 in
 * practice: erff is exact there). */
START_TEST(erf_f32_matches_libm_over_its_range) {
    enum { N = 24001 };
    static float x[N];
    for (int i = 0; i < N; i++) x[i] = (float)(-6.0 + 12.0 * i / (N - 1));
    x[N / 2] = 0.0f;
    xp_tensor *t = xp_tensor_from(XP_F32, 1, (int64_t[]){N}, x);
    xp_tensor *r = xp_erf(t);
    ck_assert_msg(r != NULL, "%s", xp_last_error());
    ck_assert_int_eq(xp_dtype_of(r), XP_F32);
    const float *y = xp_data(r);
    for (int i = 0; i < N; i++) {
        double want = (float)erf((double)x[i]);
        ck_assert_msg(fabs(y[i] - want) <= ldexp(fabs(want), -23), "erf(%.9g) = %.9g, expected %.9g", x[i], y[i], want);
    }
    xp_tensor_free(r);
    xp_tensor_free(t);
}
END_TEST

START_TEST(erf_special_values) {
    float x[6] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-30f};
    xp_tensor *t = xp_tensor_from(XP_F32, 1, (int64_t[]){6}, x);
    xp_tensor *r = xp_erf(t);
    ck_assert_ptr_nonnull(r);
    const float *y = xp_data(r);
    ck_assert(y[0] == 0.0f && !signbit(y[0]));
    ck_assert(y[1] == 0.0f && signbit(y[1]));
    ck_assert(y[2] == 1.0f);
    ck_assert(y[3] == -1.0f);
    ck_assert(isnan(y[4]));
    ck_assert_float_eq_tol(y[5], 1.1283791671e-30f, 1e-36f); /* 2/sqrt(pi) x: relative accuracy near 0 */
    xp_tensor_free(r);
    xp_tensor_free(t);
}
END_TEST

/* f64: glibc's erf is within 1 ulp too: rtol 2^-52 */
START_TEST(erf_f64_matches_libm) {
    uint64_t s = 42;
    xp_tensor *t = xpt_random(&s, XP_F64, 2, (int64_t[]){37, 29}, -5, 5);
    xp_tensor *r = xp_erf(t);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(xp_dtype_of(r), XP_F64);
    for (int64_t i = 0; i < xp_numel(t); i++) {
        double want = erf(xpt_get_flat(t, i));
        ck_assert(fabs(xpt_get_flat(r, i) - want) <= ldexp(fabs(want), -52));
    }
    xp_tensor_free(r);
    xp_tensor_free(t);
}
END_TEST

/* Integer and bool inputs give f32 (PyTorch's promotion for erf); f16 and
 * bf16 compute in f32 and round once. */
START_TEST(erf_dtypes) {
    uint64_t s = 7;
    static const xp_dtype in[] = {XP_I64, XP_I32, XP_U8, XP_BOOL, XP_F16, XP_BF16};
    static const xp_dtype out[] = {XP_F32, XP_F32, XP_F32, XP_F32, XP_F16, XP_BF16};
    for (int k = 0; k < 6; k++) {
        xp_tensor *t = xpt_random(&s, in[k], 1, (int64_t[]){50}, in[k] == XP_U8 ? 0 : -3, 3);
        xp_tensor *r = xp_erf(t);
        ck_assert_msg(r != NULL, "%s: %s", xp_dtype_name(in[k]), xp_last_error());
        ck_assert_int_eq(xp_dtype_of(r), out[k]);
        /* the f32 value rounded to the result dtype: half an ulp of f16 (2^-11) or bf16 (2^-8) */
        double rtol = out[k] == XP_F16 ? ldexp(1, -11) : out[k] == XP_BF16 ? ldexp(1, -8) : ldexp(1, -23);
        for (int64_t i = 0; i < 50; i++) {
            double want = erf(xpt_get_flat(t, i));
            ck_assert_msg(fabs(xpt_get_flat(r, i) - want) <= rtol * fabs(want) + 1e-7, "%s element %lld",
                          xp_dtype_name(in[k]), (long long)i);
        }
        xp_tensor_free(r);
        xp_tensor_free(t);
    }
}
END_TEST

START_TEST(erf_of_strided_and_broadcast_views) {
    uint64_t s = 9;
    xp_tensor *t = xpt_random(&s, XP_F32, 2, (int64_t[]){6, 9}, -3, 3);
    xp_tensor *tt = xp_transpose(t, 0, 1);
    xp_tensor *r = xp_erf(tt);
    ck_assert_ptr_nonnull(r);
    xpt_assert_shape(r, 9, 6);
    for (int64_t i = 0; i < 9; i++)
        for (int64_t j = 0; j < 6; j++)
            ck_assert_float_eq_tol(xpt_get(r, (int64_t[]){i, j}), (float)erf(xpt_get(t, (int64_t[]){j, i})), 1e-7);
    xp_tensor *one = xp_tensor_from(XP_F32, 1, (int64_t[]){1}, (float[]){0.5f});
    xp_tensor *e = xp_expand(one, 2, (int64_t[]){4, 700});
    xp_tensor *re = xp_erf(e);
    ck_assert_ptr_nonnull(re);
    for (int64_t i = 0; i < xp_numel(re); i++) ck_assert(xpt_get_flat(re, i) == (float)erf(0.5));
    xp_tensor_free(re);
    xp_tensor_free(e);
    xp_tensor_free(one);
    xp_tensor_free(r);
    xp_tensor_free(tt);
    xp_tensor_free(t);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_erf");
    TCase *tc = tcase_create("erf");
    tcase_add_test(tc, erf_f32_matches_libm_over_its_range);
    tcase_add_test(tc, erf_special_values);
    tcase_add_test(tc, erf_f64_matches_libm);
    tcase_add_test(tc, erf_dtypes);
    tcase_add_test(tc, erf_of_strided_and_broadcast_views);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
