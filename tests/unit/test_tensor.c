/* Tensors, errors, dtypes, half/bfloat16 conversion, and the strided copy
 * engine: creation, accessors, item reads, bad arguments, promotion. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

/* ---- creation and accessors ---- */

START_TEST(tensor_new_is_zero_filled_and_contiguous) {
    xp_tensor *t = xp_tensor_new(XP_F32, XP_DIMS(2, 3, 4));
    xpt_assert_shape(t, 2, 3, 4);
    ck_assert_int_eq(xp_numel(t), 24);
    ck_assert_int_eq(xp_dtype_of(t), XP_F32);
    ck_assert(xp_is_contiguous(t));
    ck_assert_int_eq(xp_stride(t, 0), 12);
    ck_assert_int_eq(xp_stride(t, 1), 4);
    ck_assert_int_eq(xp_stride(t, -1), 1);
    const float *p = xp_data(t);
    for (int i = 0; i < 24; i++) ck_assert_float_eq(p[i], 0.0f);
    ck_assert_uint_eq((uintptr_t)p % 64, 0); /* storage is cache-line aligned */
    xp_tensor_free(t);
}
END_TEST

START_TEST(tensor_from_copies_the_data) {
    int32_t data[6] = {1, 2, 3, 4, 5, 6};
    xp_tensor *t = xp_tensor_from(XP_I32, XP_DIMS(3, 2), data);
    ck_assert_ptr_nonnull(t);
    data[0] = 100;
    const int32_t *p = xp_data(t);
    ck_assert_int_eq(p[0], 1);
    ck_assert_int_eq(p[5], 6);
    ck_assert_int_eq(xp_size(t, 0), 3);
    ck_assert_int_eq(xp_size(t, -1), 2);
    ck_assert_int_eq(xp_size(t, -2), 3);
    xp_tensor_free(t);
}
END_TEST

START_TEST(tensor_zero_dim_has_one_element_and_empty_has_none) {
    xp_tensor *s = xp_tensor_new(XP_F64, 0, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(xp_ndim(s), 0);
    ck_assert_int_eq(xp_numel(s), 1);
    ck_assert(xp_is_contiguous(s));
    xp_tensor *e = xp_tensor_from(XP_F32, XP_DIMS(3, 0, 2), NULL); /* no data needed for 0 elements */
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(xp_numel(e), 0);
    ck_assert(xp_is_contiguous(e));
    /* PyTorch's strides for a zero-size dim treat it as 1: (2, 2, 1) */
    ck_assert_int_eq(xp_stride(e, 0), 2);
    ck_assert_int_eq(xp_stride(e, 1), 2);
    xp_tensor_free(s);
    xp_tensor_free(e);
}
END_TEST

START_TEST(tensor_new_rejects_bad_shapes_with_messages) {
    xp_clear_error();
    ck_assert_ptr_null(xp_tensor_new(XP_F32, XP_DIMS(2, -3)));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "dim 1 has negative size -3");

    xp_clear_error();
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_ptr_null(xp_tensor_new(XP_F32, 9, nine));
    xpt_assert_contains(xp_last_error(), "9 dims");

    xp_clear_error();
    ck_assert_ptr_null(xp_tensor_new(XP_F32, 2, NULL));
    xpt_assert_contains(xp_last_error(), "shape is NULL");

    xp_clear_error();
    ck_assert_ptr_null(xp_tensor_new((xp_dtype)42, XP_DIMS(2)));
    xpt_assert_contains(xp_last_error(), "invalid dtype 42");

    xp_clear_error();
    ck_assert_ptr_null(xp_tensor_new(XP_F64, XP_DIMS(INT64_MAX / 4, 3)));
    xpt_assert_contains(xp_last_error(), "too large");

    xp_clear_error();
    ck_assert_ptr_null(xp_tensor_from(XP_F32, XP_DIMS(2), NULL));
    xpt_assert_contains(xp_last_error(), "data is NULL");
    xp_clear_error();
}
END_TEST

START_TEST(size_rejects_out_of_range_dim) {
    xp_tensor *t = xp_tensor_new(XP_F32, XP_DIMS(2, 3));
    xp_clear_error();
    ck_assert_int_eq(xp_size(t, 2), -1);
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "dim 2 is out of range for a tensor with 2 dims");
    xp_clear_error();
    ck_assert_int_eq(xp_size(t, -3), -1);
    xpt_assert_contains(xp_last_error(), "dim -3");
    xp_clear_error();
    ck_assert_int_eq(xp_stride(t, 5), -1);
    xpt_assert_contains(xp_last_error(), "xp_stride");
    xp_clear_error();
    xp_tensor_free(t);
}
END_TEST

START_TEST(null_tensor_is_an_error_that_keeps_the_first_message) {
    xp_clear_error();
    ck_assert_int_eq(xp_numel(NULL), -1);
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "xp_numel: tensor is NULL");
    /* with an error pending, a NULL argument does not replace it */
    xp_error(XP_ERR_SHAPE, "add: sizes 3 and 4 do not broadcast");
    ck_assert_int_eq(xp_ndim(NULL), -1);
    ck_assert_ptr_null(xp_data(NULL));
    ck_assert_int_eq(xp_size(NULL, 0), -1);
    ck_assert(!xp_is_contiguous(NULL));
    ck_assert(!xp_shares_storage(NULL, NULL));
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    ck_assert_str_eq(xp_last_error(), "add: sizes 3 and 4 do not broadcast");
    xp_tensor_free(NULL); /* a no-op */
    xp_clear_error();
    ck_assert_str_eq(xp_last_error(), "");
    ck_assert(!xp_error_pending());
}
END_TEST

START_TEST(is_contiguous_ignores_strides_of_size_one_dims) {
    xp_tensor *base = xp_tensor_new(XP_F32, XP_DIMS(6));
    xp_tensor *v = xp_tensor_header(XP_F32, 0, NULL);
    /* [2, 1, 3] with an arbitrary stride on the size-1 dim: still contiguous */
    xp_tensor_set_view(v, base, 3, (const int64_t[]){2, 1, 3}, (const int64_t[]){3, 99, 1}, 0);
    ck_assert(xp_is_contiguous(v));
    ck_assert(xp_shares_storage(v, base));
    /* a transposed geometry is not */
    xp_tensor_set_view(v, base, 2, (const int64_t[]){3, 2}, (const int64_t[]){1, 3}, 0);
    ck_assert(!xp_is_contiguous(v));
    xp_tensor_free(base);
    /* the view keeps the storage alive after its base is freed */
    ck_assert_float_eq(((float *)xp_data(v))[5], 0.0f);
    xp_tensor_free(v);
}
END_TEST

/* ---- item ---- */

START_TEST(item_reads_one_element_of_any_dtype) {
    xp_tensor *f = xp_tensor_from(XP_F16, XP_DIMS(1, 1), (const uint16_t[]){0x3e00}); /* 1.5 */
    ck_assert_float_eq(xp_item_f32(f), 1.5f);
    ck_assert_double_eq(xp_item_f64(f), 1.5);
    ck_assert_int_eq(xp_item_i64(f), 1);
    ck_assert(xp_item_bool(f));
    xp_tensor *i = xp_tensor_from(XP_I64, 0, NULL, (const int64_t[]){(1LL << 53) + 1});
    ck_assert_int_eq(xp_item_i64(i), (1LL << 53) + 1); /* exact, not through double */
    xp_tensor *b = xp_tensor_from(XP_BOOL, XP_DIMS(1), (const uint8_t[]){0});
    ck_assert(!xp_item_bool(b));
    ck_assert_double_eq(xp_item_f64(b), 0.0);
    xp_tensor *n = xp_tensor_from(XP_F32, XP_DIMS(1), (const float[]){NAN});
    ck_assert(xp_item_bool(n)); /* bool(nan) is True in Python */
    xp_tensor_free(f);
    xp_tensor_free(i);
    xp_tensor_free(b);
    xp_tensor_free(n);
}
END_TEST

START_TEST(item_rejects_tensor_with_several_elements) {
    xp_tensor *t = xp_tensor_new(XP_F32, XP_DIMS(2, 3));
    xp_clear_error();
    ck_assert(isnan(xp_item_f32(t)));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "xp_item_f32: tensor has 6 elements");
    xp_clear_error();
    ck_assert_int_eq(xp_item_i64(NULL), 0);
    xpt_assert_contains(xp_last_error(), "xp_item_i64: tensor is NULL");
    xp_clear_error();
    xp_tensor *e = xp_tensor_new(XP_F32, XP_DIMS(0));
    ck_assert(!xp_item_bool(e));
    xpt_assert_contains(xp_last_error(), "has 0 elements");
    xp_clear_error();
    xp_tensor_free(t);
    xp_tensor_free(e);
}
END_TEST

/* ---- errors ---- */

START_TEST(error_prefix_adds_context_and_keeps_status) {
    xp_clear_error();
    ck_assert_int_eq(xp_error(XP_ERR_IO, "open: %s", "no such file"), XP_ERR_IO);
    ck_assert_int_eq(xp_error_prefix("loading %s", "w.safetensors"), XP_ERR_IO);
    ck_assert_str_eq(xp_last_error(), "loading w.safetensors: open: no such file");
    /* the old message may itself be a format argument */
    xp_error(XP_ERR_FORMAT, "again: %s", xp_last_error());
    ck_assert_str_eq(xp_last_error(), "again: loading w.safetensors: open: no such file");
    /* long messages are truncated, never overflowed */
    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    xp_error(XP_ERR_SHAPE, "%s", big);
    ck_assert_uint_lt(strlen(xp_last_error()), 1024);
    xp_error_prefix("%s", big);
    ck_assert_uint_lt(strlen(xp_last_error()), 1024);
    ck_assert_str_eq(xp_status_name(XP_ERR_OOM), "out of memory");
    ck_assert_str_eq(xp_status_name(XP_OK), "ok");
    xp_clear_error();
}
END_TEST

START_TEST(checked_arithmetic_reports_overflow) {
    int64_t r = 0;
    ck_assert(xp_i64_mul_checked(1LL << 31, 1LL << 31, &r));
    ck_assert_int_eq(r, 1LL << 62);
    ck_assert(!xp_i64_mul_checked(1LL << 32, 1LL << 31, &r));
    ck_assert(xp_i64_add_checked(INT64_MAX - 1, 1, &r));
    ck_assert_int_eq(r, INT64_MAX);
    ck_assert(!xp_i64_add_checked(INT64_MAX, 1, &r));
    void *p = xp_aligned_alloc(0);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % 64, 0);
    xp_aligned_free(p);
}
END_TEST

/* ---- dtypes ---- */

START_TEST(dtype_names_round_trip) {
    static const char *const names[] = {"f32", "f64", "f16", "bf16", "i64", "i32", "i8", "u8", "bool"};
    static const char *const st[] = {"F32", "F64", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL"};
    static const size_t sizes[] = {4, 8, 2, 2, 8, 4, 1, 1, 1};
    for (int i = 0; i < XP_DTYPE_COUNT; i++) {
        xp_dtype dt = XP_DTYPE_COUNT;
        ck_assert_str_eq(xp_dtype_name((xp_dtype)i), names[i]);
        ck_assert(xp_dtype_from_name(names[i], &dt));
        ck_assert_int_eq(dt, i);
        ck_assert_str_eq(xp_dtype_safetensors_name((xp_dtype)i), st[i]);
        ck_assert(xp_dtype_from_safetensors_name(st[i], &dt));
        ck_assert_int_eq(dt, i);
        ck_assert_uint_eq(xp_dtype_size((xp_dtype)i), sizes[i]);
    }
    xp_dtype dt;
    ck_assert(!xp_dtype_from_name("float32", &dt));
    ck_assert(!xp_dtype_from_name(NULL, &dt));
    ck_assert(!xp_dtype_from_safetensors_name("f32", &dt)); /* case matters */
    ck_assert_uint_eq(xp_dtype_size(XP_DTYPE_COUNT), 0);
    ck_assert(xp_dtype_is_float(XP_BF16) && !xp_dtype_is_float(XP_I64));
    ck_assert(xp_dtype_is_int(XP_U8) && !xp_dtype_is_int(XP_BOOL));
}
END_TEST

START_TEST(dtype_promotion_matches_torch) {
    /* torch.promote_types for every pair, in enum order
     * (f32 f64 f16 bf16 i64 i32 i8 u8 bool); u8 x i8 is i16 in torch, i32 here */
    enum { F32 = XP_F32, F64 = XP_F64, F16 = XP_F16, BF = XP_BF16, I64 = XP_I64, I32 = XP_I32, I8 = XP_I8,
           U8 = XP_U8, BO = XP_BOOL };
    static const int table[9][9] = {
        /*         f32  f64  f16  bf16 i64  i32  i8   u8   bool */
        /* f32 */ {F32, F64, F32, F32, F32, F32, F32, F32, F32},
        /* f64 */ {F64, F64, F64, F64, F64, F64, F64, F64, F64},
        /* f16 */ {F32, F64, F16, F32, F16, F16, F16, F16, F16},
        /* bf16*/ {F32, F64, F32, BF, BF, BF, BF, BF, BF},
        /* i64 */ {F32, F64, F16, BF, I64, I64, I64, I64, I64},
        /* i32 */ {F32, F64, F16, BF, I64, I32, I32, I32, I32},
        /* i8  */ {F32, F64, F16, BF, I64, I32, I8, I32, I8},
        /* u8  */ {F32, F64, F16, BF, I64, I32, I32, U8, U8},
        /* bool*/ {F32, F64, F16, BF, I64, I32, I8, U8, BO},
    };
    for (int a = 0; a < 9; a++)
        for (int b = 0; b < 9; b++)
            ck_assert_msg(xp_dtype_promote((xp_dtype)a, (xp_dtype)b) == (xp_dtype)table[a][b],
                          "promote(%s, %s) = %s, expected %s", xp_dtype_name((xp_dtype)a),
                          xp_dtype_name((xp_dtype)b), xp_dtype_name(xp_dtype_promote((xp_dtype)a, (xp_dtype)b)),
                          xp_dtype_name((xp_dtype)table[a][b]));
}
END_TEST

START_TEST(scalar_promotion_matches_torch) {
    /* torch.ones(2, dtype=d) + 1.5 and + 2 */
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_I64, true), XP_F32);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_BOOL, true), XP_F32);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_U8, true), XP_F32);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_F16, true), XP_F16);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_F64, true), XP_F64);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_I8, false), XP_I8);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_BF16, false), XP_BF16);
    ck_assert_int_eq(xp_dtype_promote_scalar(XP_BOOL, false), XP_I64);
}
END_TEST

START_TEST(element_conversion_wraps_saturates_and_keeps_int64_exact) {
    unsigned char buf[8];
    xp_store_f64(XP_U8, buf, 300.0); /* torch.tensor([300.]).to(torch.uint8) == 44 */
    ck_assert_int_eq(buf[0], 44);
    xp_store_f64(XP_U8, buf, -1.0);
    ck_assert_int_eq(buf[0], 255);
    xp_store_f64(XP_I32, buf, -2.7); /* truncates toward zero */
    ck_assert_int_eq(xp_load_i64(XP_I32, buf), -2);
    xp_store_f64(XP_I64, buf, NAN);
    ck_assert_int_eq(xp_load_i64(XP_I64, buf), 0);
    xp_store_f64(XP_I64, buf, 1e300);
    ck_assert_int_eq(xp_load_i64(XP_I64, buf), INT64_MAX);
    xp_store_f64(XP_BOOL, buf, 0.25);
    ck_assert_int_eq(buf[0], 1);
    xp_store_i64(XP_I64, buf, (1LL << 53) + 1);
    ck_assert_int_eq(xp_load_i64(XP_I64, buf), (1LL << 53) + 1);
    xp_store_i64(XP_F32, buf, 16777217); /* 2^24 + 1: one rounding, to even */
    ck_assert_double_eq(xp_load_f64(XP_F32, buf), 16777216.0);
    xp_store_f64(XP_BF16, buf, 3.0);
    ck_assert_double_eq(xp_load_f64(XP_BF16, buf), 3.0);
    xp_store_i64(XP_I8, buf, 200);
    ck_assert_int_eq(xp_load_i64(XP_I8, buf), -56);
}
END_TEST

/* ---- f16 / bf16 ---- */

static float f32_of(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

START_TEST(f16_converts_known_values) {
    ck_assert_uint_eq(xp_f32_to_f16(1.0f), 0x3c00);
    ck_assert_uint_eq(xp_f32_to_f16(-2.0f), 0xc000);
    ck_assert_uint_eq(xp_f32_to_f16(0.0f), 0x0000);
    ck_assert_uint_eq(xp_f32_to_f16(-0.0f), 0x8000);
    ck_assert_uint_eq(xp_f32_to_f16(65504.0f), 0x7bff);     /* max half */
    ck_assert_uint_eq(xp_f32_to_f16(65519.99f), 0x7bff);    /* just below the halfway point */
    ck_assert_uint_eq(xp_f32_to_f16(65520.0f), 0x7c00);     /* halfway: rounds to even = inf */
    ck_assert_uint_eq(xp_f32_to_f16(1e10f), 0x7c00);
    ck_assert_uint_eq(xp_f32_to_f16(-INFINITY), 0xfc00);
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(1, -14)), 0x0400); /* min normal */
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(1, -24)), 0x0001); /* min subnormal */
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(1023, -24)), 0x03ff); /* max subnormal */
    ck_assert_float_eq(xp_f16_to_f32(0x0001), ldexpf(1, -24));
    ck_assert_float_eq(xp_f16_to_f32(0x03ff), ldexpf(1023, -24));
    ck_assert_float_eq(xp_f16_to_f32(0x7bff), 65504.0f);
    ck_assert(isinf(xp_f16_to_f32(0x7c00)));
    ck_assert(signbit(xp_f16_to_f32(0x8000)));
}
END_TEST

START_TEST(f16_rounds_ties_to_even) {
    /* halfway between 1 and 1 + 2^-10 -> 1 (even); between 1 + 2^-10 and
     * 1 + 2^-9 -> 1 + 2^-9 (even) */
    ck_assert_uint_eq(xp_f32_to_f16(1.0f + ldexpf(1, -11)), 0x3c00);
    ck_assert_uint_eq(xp_f32_to_f16(1.0f + 3 * ldexpf(1, -11)), 0x3c02);
    /* just above the tie rounds up */
    ck_assert_uint_eq(xp_f32_to_f16(nextafterf(1.0f + ldexpf(1, -11), 2.0f)), 0x3c01);
    /* subnormal ties: 2^-25 -> 0, 3 * 2^-25 -> 2 * 2^-24, 5 * 2^-25 -> 2 * 2^-24 */
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(1, -25)), 0x0000);
    ck_assert_uint_eq(xp_f32_to_f16(nextafterf(ldexpf(1, -25), 1.0f)), 0x0001);
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(3, -25)), 0x0002);
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(5, -25)), 0x0002);
    ck_assert_uint_eq(xp_f32_to_f16(-ldexpf(5, -25)), 0x8002);
    /* max subnormal + half an ulp rounds up to the min normal */
    ck_assert_uint_eq(xp_f32_to_f16(ldexpf(2047, -25)), 0x0400);
    /* f32 subnormals are far below half's range */
    ck_assert_uint_eq(xp_f32_to_f16(f32_of(0x00000001)), 0x0000);
}
END_TEST

START_TEST(f16_nan_stays_nan) {
    ck_assert_uint_eq(xp_f32_to_f16(NAN) & 0x7fff, 0x7e00);
    ck_assert_uint_eq(xp_f32_to_f16(f32_of(0xff800001)), 0xfe00); /* signalling, negative */
    ck_assert(isnan(xp_f16_to_f32(0x7c01)));
    ck_assert(isnan(xp_f16_to_f32(0xfe00)));
}
END_TEST

START_TEST(f16_round_trips_every_value_exactly) {
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = xp_f16_to_f32((uint16_t)h);
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) {
            ck_assert(isnan(f));
            continue;
        }
        ck_assert_msg(xp_f32_to_f16(f) == h, "0x%04x -> %a -> 0x%04x", h, (double)f, xp_f32_to_f16(f));
    }
}
END_TEST

START_TEST(f16_rounding_is_nearest_for_random_floats) {
    /* property check: no half is closer than the chosen one, and a tie picks
     * the even mantissa (the neighbours of a finite h are h - 1 and h + 1) */
    uint64_t rng = 7;
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = (uint32_t)xpt_rand_u64(&rng);
        bits = (bits & 0x807fffffu) | ((uint32_t)(98 + (bits >> 23) % 48) << 23); /* 2^-29 .. 2^17 */
        float f = f32_of(bits);
        uint16_t h = xp_f32_to_f16(f);
        double x = fabs((double)f), got = fabs((double)xp_f16_to_f32(h));
        if (isinf(got)) {
            ck_assert(x >= 65520.0);
            continue;
        }
        uint16_t mag = h & 0x7fff;
        double err = fabs(x - got);
        if (mag > 0) ck_assert(err <= fabs(x - xp_f16_to_f32((uint16_t)(mag - 1))));
        double up = mag < 0x7bff ? xp_f16_to_f32((uint16_t)(mag + 1)) : 65536.0;
        double eu = fabs(x - up);
        ck_assert_msg(err <= eu, "%a -> 0x%04x", (double)f, h);
        if (err == eu || (mag > 0 && err == fabs(x - xp_f16_to_f32((uint16_t)(mag - 1)))))
            ck_assert_msg(err == 0 || (mag & 1) == 0, "tie %a -> odd 0x%04x", (double)f, h);
    }
}
END_TEST

START_TEST(bf16_converts_and_rounds_ties_to_even) {
    ck_assert_uint_eq(xp_f32_to_bf16(1.0f), 0x3f80);
    ck_assert_float_eq(xp_bf16_to_f32(0x3f80), 1.0f);
    ck_assert_uint_eq(xp_f32_to_bf16(1.0f + ldexpf(1, -8)), 0x3f80);     /* tie -> even */
    ck_assert_uint_eq(xp_f32_to_bf16(1.0f + 3 * ldexpf(1, -8)), 0x3f82); /* tie -> even */
    ck_assert_uint_eq(xp_f32_to_bf16(nextafterf(1.0f + ldexpf(1, -8), 2.0f)), 0x3f81);
    ck_assert_uint_eq(xp_f32_to_bf16(FLT_MAX), 0x7f80); /* rounds up to inf */
    ck_assert_uint_eq(xp_f32_to_bf16(-INFINITY), 0xff80);
    ck_assert_uint_eq(xp_f32_to_bf16(f32_of(0x00010000)), 0x0001); /* subnormals are kept */
    ck_assert_uint_eq(xp_f32_to_bf16(NAN), 0x7fc0);
    ck_assert_uint_eq(xp_f32_to_bf16(f32_of(0x7f800001)), 0x7fc0); /* would round to inf without care */
    ck_assert(isnan(xp_bf16_to_f32(0xffc1)));
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7f80) == 0x7f80 && (h & 0x7f)) continue;
        ck_assert_uint_eq(xp_f32_to_bf16(xp_bf16_to_f32((uint16_t)h)), h);
    }
}
END_TEST

/* ---- copy engine (views built by hand: no dispatch needed) ---- */

static xp_tensor *view_of(xp_tensor *base, int ndim, const int64_t *shape, const int64_t *strides, int64_t offset) {
    xp_tensor *v = xp_tensor_header(base->meta.dtype, 0, NULL);
    xp_tensor_set_view(v, base, ndim, shape, strides, offset);
    return v;
}

START_TEST(copy_into_overlapping_views_reads_source_first) {
    float init[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    xp_tensor *base = xp_tensor_from(XP_F32, XP_DIMS(10), init);
    /* base[1:10] = base[0:9]: a naive forward loop would smear base[0] */
    xp_tensor *dst = view_of(base, 1, (const int64_t[]){9}, (const int64_t[]){1}, 1);
    xp_tensor *src = view_of(base, 1, (const int64_t[]){9}, (const int64_t[]){1}, 0);
    ck_assert_int_eq(xp_tensor_copy_into(dst, src), XP_OK);
    const float want[10] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    const float *p = xp_data(base);
    for (int i = 0; i < 10; i++) ck_assert_float_eq(p[i], want[i]);
    xp_tensor_free(dst);
    xp_tensor_free(src);
    xp_tensor_free(base);
}
END_TEST

START_TEST(copy_into_transposes_in_place_through_a_temporary) {
    float init[4] = {1, 2, 3, 4};
    xp_tensor *m = xp_tensor_from(XP_F32, XP_DIMS(2, 2), init);
    xp_tensor *mt = view_of(m, 2, (const int64_t[]){2, 2}, (const int64_t[]){1, 2}, 0);
    ck_assert_int_eq(xp_tensor_copy_into(m, mt), XP_OK); /* m = m.T */
    const float *p = xp_data(m);
    ck_assert_float_eq(p[0], 1);
    ck_assert_float_eq(p[1], 3);
    ck_assert_float_eq(p[2], 2);
    ck_assert_float_eq(p[3], 4);
    xp_tensor_free(mt);
    xp_tensor_free(m);
}
END_TEST

START_TEST(copy_into_broadcasts_and_converts_into_strided_dst) {
    xp_tensor *dst = xp_tensor_new(XP_F16, XP_DIMS(3, 4));
    /* the even columns of dst: shape [3, 2], strides [4, 2] */
    xp_tensor *cols = view_of(dst, 2, (const int64_t[]){3, 2}, (const int64_t[]){4, 2}, 0);
    xp_tensor *row = xp_tensor_from(XP_I64, XP_DIMS(2), (const int64_t[]){7, -3});
    ck_assert_int_eq(xp_tensor_copy_into(cols, row), XP_OK);
    for (int64_t r = 0; r < 3; r++) {
        ck_assert_double_eq(xpt_get(dst, (const int64_t[]){r, 0}), 7);
        ck_assert_double_eq(xpt_get(dst, (const int64_t[]){r, 1}), 0);
        ck_assert_double_eq(xpt_get(dst, (const int64_t[]){r, 2}), -3);
        ck_assert_double_eq(xpt_get(dst, (const int64_t[]){r, 3}), 0);
    }
    xp_clear_error();
    xp_tensor *bad = xp_tensor_new(XP_F32, XP_DIMS(3));
    ck_assert_int_eq(xp_tensor_copy_into(cols, bad), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "src size 3 at dim 0 does not broadcast to dst size 2");
    xp_clear_error();
    xp_tensor_free(bad);
    xp_tensor_free(row);
    xp_tensor_free(cols);
    xp_tensor_free(dst);
}
END_TEST

START_TEST(tensor_dense_copies_only_when_strided) {
    xp_tensor *m = xp_tensor_from(XP_I32, XP_DIMS(2, 3), (const int32_t[]){1, 2, 3, 4, 5, 6});
    ck_assert_ptr_eq(xp_tensor_dense(m), m);
    xp_tensor *mt = view_of(m, 2, (const int64_t[]){3, 2}, (const int64_t[]){1, 3}, 0);
    xp_tensor *d = xp_tensor_dense(mt);
    ck_assert_ptr_ne(d, mt);
    ck_assert(xp_is_contiguous(d));
    ck_assert(!xp_shares_storage(d, m));
    const int32_t want[6] = {1, 4, 2, 5, 3, 6};
    const int32_t *p = xp_data(d);
    for (int i = 0; i < 6; i++) ck_assert_int_eq(p[i], want[i]);
    xp_tensor_free(d);
    xp_tensor_free(mt);
    xp_tensor_free(m);
}
END_TEST

START_TEST(copy_into_converts_float_pairs_exactly_like_the_scalar_helpers) {
    uint64_t rng = 11;
    xp_tensor *src = xpt_random(&rng, XP_F32, XP_DIMS(5, 7), -70000.0, 70000.0);
    const float *sp = xp_data(src);
    xp_tensor *srct = view_of(src, 2, (const int64_t[]){7, 5}, (const int64_t[]){1, 7}, 0);
    static const xp_dtype dts[] = {XP_F16, XP_BF16, XP_F64, XP_I32};
    for (size_t k = 0; k < sizeof dts / sizeof *dts; k++) {
        xp_tensor *dense = xp_tensor_new(dts[k], XP_DIMS(5, 7));
        xp_tensor *strided = xp_tensor_new(dts[k], XP_DIMS(7, 5));
        ck_assert_int_eq(xp_tensor_copy_into(dense, src), XP_OK);
        ck_assert_int_eq(xp_tensor_copy_into(strided, srct), XP_OK);
        for (int64_t i = 0; i < 5; i++)
            for (int64_t j = 0; j < 7; j++) {
                unsigned char want[8];
                xp_store_f64(dts[k], want, sp[i * 7 + j]);
                double w = xp_load_f64(dts[k], want);
                ck_assert_double_eq(xpt_get(dense, (const int64_t[]){i, j}), w);
                ck_assert_double_eq(xpt_get(strided, (const int64_t[]){j, i}), w);
            }
        /* and back to f32 */
        xp_tensor *back = xp_tensor_new(XP_F32, XP_DIMS(5, 7));
        ck_assert_int_eq(xp_tensor_copy_into(back, dense), XP_OK);
        for (int64_t i = 0; i < 35; i++) ck_assert_double_eq(xpt_get_flat(back, i), xpt_get_flat(dense, i));
        xp_tensor_free(back);
        xp_tensor_free(strided);
        xp_tensor_free(dense);
    }
    xp_tensor_free(srct);
    xp_tensor_free(src);
}
END_TEST

static int released;
static void count_release(xp_storage *s) { released += (int)(intptr_t)s->release_ctx; }

START_TEST(external_storage_is_released_with_the_last_view) {
    static float buf[4] = {1, 2, 3, 4};
    xp_storage *s = calloc(1, sizeof *s);
    s->data = buf;
    s->nbytes = sizeof buf;
    s->refcount = 1;
    s->owner = XP_STORAGE_EXTERNAL;
    s->release = count_release;
    s->release_ctx = (void *)(intptr_t)1;
    xp_tensor *t = xp_tensor_header(XP_F32, XP_DIMS(4));
    t->storage = s;
    xp_tensor *v = view_of(t, 1, (const int64_t[]){2}, (const int64_t[]){2}, 1);
    released = 0;
    xp_tensor_free(t);
    ck_assert_int_eq(released, 0);
    ck_assert_float_eq(((float *)xp_data(v))[0], 2.0f);
    xp_tensor_free(v);
    ck_assert_int_eq(released, 1);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_add_test(tc, tensor_new_is_zero_filled_and_contiguous);
    tcase_add_test(tc, tensor_from_copies_the_data);
    tcase_add_test(tc, tensor_zero_dim_has_one_element_and_empty_has_none);
    tcase_add_test(tc, tensor_new_rejects_bad_shapes_with_messages);
    tcase_add_test(tc, size_rejects_out_of_range_dim);
    tcase_add_test(tc, null_tensor_is_an_error_that_keeps_the_first_message);
    tcase_add_test(tc, is_contiguous_ignores_strides_of_size_one_dims);
    tcase_add_test(tc, item_reads_one_element_of_any_dtype);
    tcase_add_test(tc, item_rejects_tensor_with_several_elements);
    tcase_add_test(tc, error_prefix_adds_context_and_keeps_status);
    tcase_add_test(tc, checked_arithmetic_reports_overflow);
    tcase_add_test(tc, dtype_names_round_trip);
    tcase_add_test(tc, dtype_promotion_matches_torch);
    tcase_add_test(tc, scalar_promotion_matches_torch);
    tcase_add_test(tc, element_conversion_wraps_saturates_and_keeps_int64_exact);
    tcase_add_test(tc, f16_converts_known_values);
    tcase_add_test(tc, f16_rounds_ties_to_even);
    tcase_add_test(tc, f16_nan_stays_nan);
    tcase_add_test(tc, f16_round_trips_every_value_exactly);
    tcase_add_test(tc, f16_rounding_is_nearest_for_random_floats);
    tcase_add_test(tc, bf16_converts_and_rounds_ties_to_even);
    tcase_add_test(tc, copy_into_overlapping_views_reads_source_first);
    tcase_add_test(tc, copy_into_transposes_in_place_through_a_temporary);
    tcase_add_test(tc, copy_into_broadcasts_and_converts_into_strided_dst);
    tcase_add_test(tc, tensor_dense_copies_only_when_strided);
    tcase_add_test(tc, copy_into_converts_float_pairs_exactly_like_the_scalar_helpers);
    tcase_add_test(tc, external_storage_is_released_with_the_last_view);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
