/* Arena scopes: a scope frees the tensors created in it, xp_keep moves one
 * out, nesting and misuse never leak or crash. Run under ASan
 * (-DXP_SANITIZE=ON): LeakSanitizer fails the binary on any leak. */
#include <stdlib.h>
#include <string.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

/* A tensor over borrowed storage whose release bumps a counter: observing
 * the count shows when (and that) the scope freed the tensor. */
static int freed;
static float backing[64];
static void count_release(xp_storage *s) {
    (void)s;
    freed++;
}

static xp_tensor *tracked(void) {
    xp_storage *s = calloc(1, sizeof *s);
    s->data = backing;
    s->nbytes = sizeof backing;
    s->refcount = 1;
    s->owner = XP_STORAGE_EXTERNAL;
    s->release = count_release;
    xp_tensor *t = xp_tensor_header(XP_F32, XP_DIMS(4));
    t->storage = s;
    return t;
}

START_TEST(scope_pop_frees_intermediates) {
    freed = 0;
    xp_scope *s = xp_scope_push();
    ck_assert_ptr_nonnull(s);
    tracked();
    tracked();
    xp_tensor *plain = xp_tensor_new(XP_F32, XP_DIMS(1000)); /* ASan proves this one is freed too */
    ck_assert_ptr_nonnull(plain);
    ck_assert_int_eq(freed, 0);
    xp_scope_pop(s);
    ck_assert_int_eq(freed, 2);
}
END_TEST

START_TEST(tensors_outside_any_scope_are_the_callers) {
    freed = 0;
    xp_tensor *t = tracked();
    ck_assert_ptr_null(t->scope);
    xp_scope *s = xp_scope_push();
    xp_scope_pop(s);
    ck_assert_int_eq(freed, 0);
    xp_tensor_free(t);
    ck_assert_int_eq(freed, 1);
}
END_TEST

START_TEST(keep_moves_a_tensor_out_to_the_caller) {
    freed = 0;
    xp_scope *s = xp_scope_push();
    xp_tensor *tmp = tracked();
    xp_tensor *result = tracked();
    (void)tmp;
    ck_assert_ptr_eq(xp_keep(result), result);
    xp_scope_pop(s);
    ck_assert_int_eq(freed, 1);
    ck_assert_ptr_null(result->scope);
    ck_assert_int_eq(xp_numel(result), 4); /* still valid */
    xp_tensor_free(result);
    ck_assert_int_eq(freed, 2);
    ck_assert_ptr_null(xp_keep(NULL));
}
END_TEST

START_TEST(keep_in_a_nested_scope_moves_to_the_parent) {
    freed = 0;
    xp_scope *outer = xp_scope_push();
    xp_scope *inner = xp_scope_push();
    xp_tensor *t = tracked();
    ck_assert_ptr_eq(t->scope, inner);
    xp_keep(t);
    ck_assert_ptr_eq(t->scope, outer);
    xp_scope_pop(inner);
    ck_assert_int_eq(freed, 0);
    xp_scope_pop(outer);
    ck_assert_int_eq(freed, 1);
}
END_TEST

START_TEST(freeing_a_scoped_tensor_unlinks_it) {
    freed = 0;
    xp_scope *s = xp_scope_push();
    xp_tensor *a = tracked();
    xp_tensor *b = tracked();
    xp_tensor *c = tracked();
    xp_tensor_free(b); /* middle of the list */
    ck_assert_int_eq(freed, 1);
    xp_tensor_free(c); /* head of the list */
    ck_assert_int_eq(freed, 2);
    (void)a;
    xp_scope_pop(s); /* frees a only: a double free would trip ASan */
    ck_assert_int_eq(freed, 3);
}
END_TEST

START_TEST(view_kept_out_of_a_scope_keeps_its_storage) {
    xp_scope *s = xp_scope_push();
    xp_tensor *base = xp_tensor_from(XP_F32, XP_DIMS(4), (const float[]){1, 2, 3, 4});
    xp_tensor *v = xp_tensor_header(XP_F32, 0, NULL);
    xp_tensor_set_view(v, base, 1, (const int64_t[]){2}, (const int64_t[]){2}, 1);
    xp_keep(v);
    xp_scope_pop(s); /* frees base's header, not the storage v shares */
    const float *p = xp_data(v);
    ck_assert_float_eq(p[0], 2.0f);
    ck_assert_float_eq(p[2], 4.0f);
    xp_tensor_free(v);
}
END_TEST

START_TEST(popping_an_outer_scope_pops_the_inner_ones_too) {
    freed = 0;
    xp_scope *outer = xp_scope_push();
    tracked();
    xp_scope *inner = xp_scope_push();
    tracked();
    tracked();
    (void)inner;
    xp_scope_pop(outer); /* usage error reported on stderr; nothing leaks */
    ck_assert_int_eq(freed, 3);
    /* scopes pushed afterwards start from an empty stack */
    xp_tensor *t = tracked();
    ck_assert_ptr_null(t->scope);
    xp_tensor_free(t);
}
END_TEST

START_TEST(popping_a_scope_twice_is_ignored) {
    freed = 0;
    xp_scope *s = xp_scope_push();
    tracked();
    xp_scope_pop(s);
    ck_assert_int_eq(freed, 1);
    xp_scope *other = xp_scope_push();
    xp_tensor *t = tracked();
    if (other != s) {
        xp_scope_pop(s); /* not open: reported, ignored */
        ck_assert_ptr_eq(t->scope, other);
    }
    xp_scope_pop(other);
    ck_assert_int_eq(freed, 2);
    xp_scope_pop(NULL); /* what a failed push returns: a no-op */
}
END_TEST

START_TEST(scoped_model_loop_frees_every_iteration) {
    /* the intended use: one scope per forward call, only the result kept */
    xp_tensor *acc = xp_tensor_new(XP_F32, XP_DIMS(8));
    for (int i = 0; i < 100; i++) {
        xp_scope *s = xp_scope_push();
        xp_tensor *a = xp_tensor_new(XP_F32, XP_DIMS(8));
        xp_tensor *b = xp_tensor_dense(a);
        ck_assert_ptr_eq(a, b);
        float *p = xp_data(a);
        for (int k = 0; k < 8; k++) p[k] = (float)i;
        ck_assert_int_eq(xp_tensor_copy_into(acc, a), XP_OK);
        xp_scope_pop(s);
    }
    ck_assert_float_eq(((float *)xp_data(acc))[7], 99.0f);
    xp_tensor_free(acc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("scope");
    TCase *tc = tcase_create("scope");
    tcase_add_test(tc, scope_pop_frees_intermediates);
    tcase_add_test(tc, tensors_outside_any_scope_are_the_callers);
    tcase_add_test(tc, keep_moves_a_tensor_out_to_the_caller);
    tcase_add_test(tc, keep_in_a_nested_scope_moves_to_the_parent);
    tcase_add_test(tc, freeing_a_scoped_tensor_unlinks_it);
    tcase_add_test(tc, view_kept_out_of_a_scope_keeps_its_storage);
    tcase_add_test(tc, popping_an_outer_scope_pops_the_inner_ones_too);
    tcase_add_test(tc, popping_a_scope_twice_is_ignored);
    tcase_add_test(tc, scoped_model_loop_frees_every_iteration);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
