/* View ops share storage and have PyTorch's strides and offsets; copy_
 * writes through views (the KV-cache update), broadcasting and converting.
 * Expected strides are what PyTorch 2.x reports for the same calls. */
#include <string.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

/* x = arange(24).reshape(2, 3, 4) as f32, strides (12, 4, 1) */
static xp_tensor *arange24(void) {
    float v[24];
    for (int i = 0; i < 24; i++) v[i] = (float)i;
    return xp_tensor_from(XP_F32, XP_DIMS(2, 3, 4), v);
}

/* Offset of v's first element from base's, in elements. */
static int64_t offset_in(xp_tensor *v, xp_tensor *base) {
    return ((char *)xp_data(v) - (char *)xp_data(base)) / (int64_t)xp_dtype_size(xp_dtype_of(base));
}

static void assert_strides_(xp_tensor *t, int n, const int64_t *want, const char *file, int line) {
    ck_assert_msg(t != NULL, "%s:%d: NULL: %s", file, line, xp_last_error());
    ck_assert_int_eq(xp_ndim(t), n);
    for (int d = 0; d < n; d++)
        ck_assert_msg(xp_stride(t, d) == want[d], "%s:%d: stride %d is %lld, expected %lld", file, line, d,
                      (long long)xp_stride(t, d), (long long)want[d]);
}
#define assert_strides(t, ...) assert_strides_(t, XP_DIMS(__VA_ARGS__), __FILE__, __LINE__)

/* a view's element [idx] equals base's flat element at `flat` */
#define assert_at(t, flat, ...) ck_assert_double_eq(xpt_get(t, (const int64_t[]){__VA_ARGS__}), (double)(flat))

START_TEST(slice_with_step_shares_storage) {
    xp_tensor *x = arange24();
    xp_tensor *s = xp_slice(x, 2, 1, XP_END, 2); /* x[:, :, 1::2] */
    xpt_assert_shape(s, 2, 3, 2);
    assert_strides(s, 12, 4, 2);
    ck_assert_int_eq(offset_in(s, x), 1);
    ck_assert(xp_shares_storage(s, x));
    ck_assert(!xp_is_contiguous(s));
    assert_at(s, 1 * 12 + 2 * 4 + 3, 1, 2, 1);
    xp_tensor *s3 = xp_slice(x, -1, 0, 4, 3); /* x[..., 0:4:3]: ceil(4 / 3) = 2 */
    xpt_assert_shape(s3, 2, 3, 2);
    assert_strides(s3, 12, 4, 3);
    xp_tensor_free(s3);
    xp_tensor_free(s);
    xp_tensor_free(x);
}
END_TEST

START_TEST(slice_negative_and_out_of_range_bounds_clamp) {
    xp_tensor *x = arange24();
    xp_tensor *a = xp_slice(x, 1, -2, XP_END, 1); /* x[:, -2:] */
    xpt_assert_shape(a, 2, 2, 4);
    ck_assert_int_eq(offset_in(a, x), 4);
    assert_at(a, 12 + 8, 1, 1, 0);
    xp_tensor *b = xp_slice(x, 1, -100, 100, 1); /* x[:, -100:100] is all of it */
    xpt_assert_shape(b, 2, 3, 4);
    ck_assert_int_eq(offset_in(b, x), 0);
    ck_assert(xp_is_contiguous(b));
    xp_tensor *c = xp_slice(x, 2, 3, 1, 1); /* x[..., 3:1] is empty */
    xpt_assert_shape(c, 2, 3, 0);
    ck_assert_int_eq(xp_numel(c), 0);
    xp_tensor *d = xp_slice(x, 0, 5, XP_END, 1); /* start past the end */
    xpt_assert_shape(d, 0, 3, 4);
    xp_tensor *e = xp_slice(x, 2, 1, -1, 1); /* x[..., 1:-1] */
    xpt_assert_shape(e, 2, 3, 2);
    ck_assert_int_eq(offset_in(e, x), 1);
    xp_tensor_free(a);
    xp_tensor_free(b);
    xp_tensor_free(c);
    xp_tensor_free(d);
    xp_tensor_free(e);
    xp_tensor_free(x);
}
END_TEST

START_TEST(slice_rejects_non_positive_step) {
    xp_tensor *x = arange24();
    xp_clear_error();
    ck_assert_ptr_null(xp_slice(x, 0, 0, 2, 0));
    xpt_assert_contains(xp_last_error(), "step");
    xp_clear_error();
    ck_assert_ptr_null(xp_slice(x, 3, 0, 2, 1));
    ck_assert_int_ne(xp_last_status(), XP_OK);
    xp_clear_error();
    xp_tensor_free(x);
}
END_TEST

START_TEST(select_negative_index_drops_the_dim) {
    xp_tensor *x = arange24();
    xp_tensor *s = xp_select(x, 1, -1); /* x[:, -1] */
    xpt_assert_shape(s, 2, 4);
    assert_strides(s, 12, 1);
    ck_assert_int_eq(offset_in(s, x), 8);
    ck_assert(xp_shares_storage(s, x));
    assert_at(s, 12 + 8 + 3, 1, 3);
    xp_tensor *r = xp_select(s, 0, 1); /* a view of a view */
    xpt_assert_shape(r, 4);
    ck_assert_int_eq(offset_in(r, x), 20);
    xp_clear_error();
    ck_assert_ptr_null(xp_select(x, 1, 3));
    ck_assert_int_ne(xp_last_status(), XP_OK);
    ck_assert_ptr_null(xp_select(x, 1, -4));
    xp_clear_error();
    xp_tensor_free(r);
    xp_tensor_free(s);
    xp_tensor_free(x);
}
END_TEST

START_TEST(transpose_permute_and_t_swap_strides) {
    xp_tensor *x = arange24();
    xp_tensor *tr = xp_transpose(x, 0, 2);
    xpt_assert_shape(tr, 4, 3, 2);
    assert_strides(tr, 1, 4, 12);
    assert_at(tr, 3 + 4 * 2 + 12, 3, 2, 1);
    xp_tensor *p = xp_permute(x, XP_DIMS(2, 0, 1));
    xpt_assert_shape(p, 4, 2, 3);
    assert_strides(p, 1, 12, 4);
    xp_tensor *pn = xp_permute(x, XP_DIMS(-1, -3, -2)); /* negative dims wrap */
    assert_strides(pn, 1, 12, 4);
    xp_tensor *m = xp_select(x, 0, 1); /* [3, 4], offset 12 */
    xp_tensor *mt = xp_t(m);
    xpt_assert_shape(mt, 4, 3);
    assert_strides(mt, 1, 4);
    ck_assert_int_eq(offset_in(mt, x), 12);
    ck_assert(xp_shares_storage(mt, x));
    xp_tensor *v = xp_select(m, 0, 0);
    xp_tensor *vt = xp_t(v); /* t of a 1-d tensor is itself */
    xpt_assert_shape(vt, 4);
    assert_strides(vt, 1);
    xp_tensor_free(vt);
    xp_tensor_free(v);
    xp_tensor_free(mt);
    xp_tensor_free(m);
    xp_tensor_free(pn);
    xp_tensor_free(p);
    xp_tensor_free(tr);
    xp_tensor_free(x);
}
END_TEST

START_TEST(expand_uses_stride_zero) {
    xp_tensor *c = xp_tensor_from(XP_F32, XP_DIMS(3, 1), (const float[]){1, 2, 3});
    xp_tensor *e = xp_expand(c, XP_DIMS(2, 3, 4)); /* torch: strides (0, 1, 0) */
    xpt_assert_shape(e, 2, 3, 4);
    assert_strides(e, 0, 1, 0);
    ck_assert(xp_shares_storage(e, c));
    assert_at(e, 3, 1, 2, 3);
    xp_tensor *k = xp_expand(c, XP_DIMS(-1, 5)); /* -1 keeps the size */
    xpt_assert_shape(k, 3, 5);
    assert_strides(k, 1, 0);
    xp_clear_error();
    ck_assert_ptr_null(xp_expand(c, XP_DIMS(4, 4))); /* 3 is not 1 */
    ck_assert_int_ne(xp_last_status(), XP_OK);
    xp_clear_error();
    xp_tensor_free(k);
    xp_tensor_free(e);
    xp_tensor_free(c);
}
END_TEST

START_TEST(unsqueeze_and_squeeze_follow_torch_strides) {
    xp_tensor *x = arange24();
    xp_tensor *u = xp_unsqueeze(x, 1); /* stride sizes[1] * strides[1] = 12 */
    xpt_assert_shape(u, 2, 1, 3, 4);
    assert_strides(u, 12, 12, 4, 1);
    xp_tensor *ue = xp_unsqueeze(x, -1); /* past the last dim: stride 1 */
    xpt_assert_shape(ue, 2, 3, 4, 1);
    assert_strides(ue, 12, 4, 1, 1);
    xp_tensor *y = xp_tensor_new(XP_F32, XP_DIMS(1, 3, 1, 2)); /* strides (6, 2, 2, 1) */
    xp_tensor *sq = xp_squeeze(y);
    xpt_assert_shape(sq, 3, 2);
    assert_strides(sq, 2, 1);
    xp_tensor *sd = xp_squeeze_dim(y, 2);
    xpt_assert_shape(sd, 1, 3, 2);
    assert_strides(sd, 6, 2, 1);
    xp_tensor *keep = xp_squeeze_dim(y, 1); /* size 3: left alone, as in torch 2 */
    xpt_assert_shape(keep, 1, 3, 1, 2);
    xp_tensor *neg = xp_squeeze_dim(y, -4);
    xpt_assert_shape(neg, 3, 1, 2);
    ck_assert(xp_shares_storage(neg, y));
    xp_tensor_free(neg);
    xp_tensor_free(keep);
    xp_tensor_free(sd);
    xp_tensor_free(sq);
    xp_tensor_free(y);
    xp_tensor_free(ue);
    xp_tensor_free(u);
    xp_tensor_free(x);
}
END_TEST

START_TEST(view_of_non_contiguous_tensor_when_strides_allow) {
    xp_tensor *z = xp_tensor_new(XP_F32, XP_DIMS(4, 6));
    xp_tensor *zt = xp_t(z); /* [6, 4], strides (1, 6) */
    xp_tensor *v = xp_view(zt, XP_DIMS(2, 3, 4)); /* torch: strides (3, 1, 6) */
    xpt_assert_shape(v, 2, 3, 4);
    assert_strides(v, 3, 1, 6);
    ck_assert(xp_shares_storage(v, z));
    xp_tensor *x = arange24();
    xp_tensor *flat = xp_view(x, XP_DIMS(6, -1));
    xpt_assert_shape(flat, 6, 4);
    assert_strides(flat, 4, 1);
    xp_tensor_free(flat);
    xp_tensor_free(x);
    xp_tensor_free(v);
    xp_tensor_free(zt);
    xp_tensor_free(z);
}
END_TEST

START_TEST(view_across_non_contiguous_chunks_is_an_error) {
    xp_tensor *z = xp_tensor_new(XP_F32, XP_DIMS(4, 6));
    xp_tensor *zt = xp_t(z);
    xp_clear_error();
    ck_assert_ptr_null(xp_view(zt, XP_DIMS(24)));
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "view size is not compatible with input tensor's size and stride");
    xpt_assert_contains(xp_last_error(), "Use reshape instead");
    xp_clear_error();
    xp_tensor_free(zt);
    xp_tensor_free(z);
}
END_TEST

START_TEST(reshape_is_a_view_when_possible_else_a_copy) {
    xp_tensor *x = arange24();
    xp_tensor *r = xp_reshape(x, XP_DIMS(4, 6));
    ck_assert(xp_shares_storage(r, x));
    assert_strides(r, 6, 1);
    xp_tensor *xt = xp_transpose(x, 1, 2); /* [2, 4, 3], strides (12, 1, 4) */
    xp_tensor *c = xp_reshape(xt, XP_DIMS(2, 12));
    xpt_assert_shape(c, 2, 12);
    ck_assert(!xp_shares_storage(c, x));
    ck_assert(xp_is_contiguous(c));
    for (int64_t i = 0; i < 24; i++) ck_assert_double_eq(xpt_get_flat(c, i), xpt_get_flat(xt, i));
    xp_tensor *f = xp_flatten(x, 1, 2); /* flatten is reshape: a view here */
    xpt_assert_shape(f, 2, 12);
    ck_assert(xp_shares_storage(f, x));
    xp_tensor *fc = xp_flatten(xt, 0, -1); /* and a copy here */
    xpt_assert_shape(fc, 24);
    ck_assert(!xp_shares_storage(fc, x));
    ck_assert_double_eq(xpt_get_flat(fc, 1), 4.0); /* xt[0, 0, 1] = x[0, 1, 0] */
    xp_tensor_free(fc);
    xp_tensor_free(f);
    xp_tensor_free(c);
    xp_tensor_free(xt);
    xp_tensor_free(r);
    xp_tensor_free(x);
}
END_TEST

START_TEST(kv_cache_update_writes_only_row_pos) {
    /* cache [max_seq = 5, heads = 2, dim = 3]; k [1, 2, 3] */
    xp_tensor *cache = xp_tensor_new(XP_F32, XP_DIMS(5, 2, 3));
    float kv[6] = {1, 2, 3, 4, 5, 6};
    xp_tensor *k = xp_tensor_from(XP_F32, XP_DIMS(1, 2, 3), kv);
    int64_t pos = 3;
    xp_tensor *row = xp_slice(cache, 0, pos, pos + 1, 1);
    ck_assert_msg(xp_copy_(row, k) == row, "copy_: %s", xp_last_error());
    const float *p = xp_data(cache);
    for (int i = 0; i < 30; i++) {
        float want = i / 6 == pos ? kv[i % 6] : 0.0f;
        ck_assert_msg(p[i] == want, "cache[%d] is %g, expected %g", i, p[i], want);
    }
    xp_tensor_free(row);
    xp_tensor_free(k);
    xp_tensor_free(cache);
}
END_TEST

START_TEST(copy_into_a_transposed_view_writes_the_base) {
    xp_tensor *m = xp_tensor_new(XP_F32, XP_DIMS(2, 3));
    xp_tensor *mt = xp_t(m);
    xp_tensor *src = xp_tensor_from(XP_F32, XP_DIMS(3, 2), (const float[]){1, 2, 3, 4, 5, 6});
    ck_assert_ptr_nonnull(xp_copy_(mt, src));
    const float want[6] = {1, 3, 5, 2, 4, 6};
    const float *p = xp_data(m);
    for (int i = 0; i < 6; i++) ck_assert_float_eq(p[i], want[i]);
    xp_tensor_free(src);
    xp_tensor_free(mt);
    xp_tensor_free(m);
}
END_TEST

START_TEST(copy_broadcasts_and_converts_dtype) {
    xp_tensor *dst = xp_tensor_new(XP_F16, XP_DIMS(2, 3));
    xp_tensor *src = xp_tensor_from(XP_I32, XP_DIMS(3), (const int32_t[]){-1, 0, 2049});
    ck_assert_ptr_nonnull(xp_copy_(dst, src));
    /* 2049 is not a half: ties to even at 2048 */
    for (int64_t r = 0; r < 2; r++) {
        assert_at(dst, -1, r, 0);
        assert_at(dst, 0, r, 1);
        assert_at(dst, 2048, r, 2);
    }
    xp_tensor *d2 = xp_tensor_new(XP_I64, XP_DIMS(2, 2));
    xp_tensor *f = xp_tensor_from(XP_F64, 0, NULL, (const double[]){-2.75});
    ck_assert_ptr_nonnull(xp_copy_(d2, f)); /* a 0-d source fills everything */
    for (int64_t i = 0; i < 4; i++) ck_assert_double_eq(xpt_get_flat(d2, i), -2.0);
    xp_clear_error();
    xp_tensor *bad = xp_tensor_new(XP_F32, XP_DIMS(4));
    ck_assert_ptr_null(xp_copy_(dst, bad));
    ck_assert_int_ne(xp_last_status(), XP_OK);
    xp_clear_error();
    xp_tensor_free(bad);
    xp_tensor_free(f);
    xp_tensor_free(d2);
    xp_tensor_free(src);
    xp_tensor_free(dst);
}
END_TEST

START_TEST(copy_between_overlapping_views_of_one_tensor) {
    xp_tensor *x = xp_tensor_from(XP_F32, XP_DIMS(6), (const float[]){0, 1, 2, 3, 4, 5});
    xp_tensor *hi = xp_slice(x, 0, 1, XP_END, 1);
    xp_tensor *lo = xp_slice(x, 0, 0, 5, 1);
    ck_assert_ptr_nonnull(xp_copy_(hi, lo)); /* x[1:] = x[:5] */
    const float want[6] = {0, 0, 1, 2, 3, 4};
    const float *p = xp_data(x);
    for (int i = 0; i < 6; i++) ck_assert_float_eq(p[i], want[i]);
    xp_tensor_free(lo);
    xp_tensor_free(hi);
    xp_tensor_free(x);
}
END_TEST

START_TEST(views_inside_a_scope_are_freed_with_it) {
    xp_tensor *x = arange24();
    xp_scope *s = xp_scope_push();
    xp_tensor *v = xp_select(xp_transpose(xp_slice(x, 2, 1, 3, 1), 0, 1), 0, 2);
    xpt_assert_shape(v, 2, 2);
    assert_at(v, 12 + 8 + 2, 1, 1);
    xp_tensor *kept = xp_keep(xp_unsqueeze(v, 0));
    xp_scope_pop(s); /* frees the intermediates; ASan checks */
    xpt_assert_shape(kept, 1, 2, 2);
    assert_at(kept, 9, 0, 0, 0);
    xp_tensor_free(kept);
    xp_tensor_free(x);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("views");
    TCase *tc = tcase_create("views");
    tcase_add_test(tc, slice_with_step_shares_storage);
    tcase_add_test(tc, slice_negative_and_out_of_range_bounds_clamp);
    tcase_add_test(tc, slice_rejects_non_positive_step);
    tcase_add_test(tc, select_negative_index_drops_the_dim);
    tcase_add_test(tc, transpose_permute_and_t_swap_strides);
    tcase_add_test(tc, expand_uses_stride_zero);
    tcase_add_test(tc, unsqueeze_and_squeeze_follow_torch_strides);
    tcase_add_test(tc, view_of_non_contiguous_tensor_when_strides_allow);
    tcase_add_test(tc, view_across_non_contiguous_chunks_is_an_error);
    tcase_add_test(tc, reshape_is_a_view_when_possible_else_a_copy);
    tcase_add_test(tc, kv_cache_update_writes_only_row_pos);
    tcase_add_test(tc, copy_into_a_transposed_view_writes_the_base);
    tcase_add_test(tc, copy_broadcasts_and_converts_dtype);
    tcase_add_test(tc, copy_between_overlapping_views_of_one_tensor);
    tcase_add_test(tc, views_inside_a_scope_are_freed_with_it);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
