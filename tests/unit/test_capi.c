/*
 * The C API table (capi.def, xp_capi.h): every row parses and agrees with
 * its op's schema, lookups give the mapping the plugin relies on, every op
 * function of xport.h has a row, and the generated eager wrappers check
 * their (count, pointer) pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/xp_capi.h"
#include "testutil.h"

/* xp_tensor-returning functions of xport.h that are not graph ops (the
 * control-flow functions are captured as cond / map nodes instead; a
 * symint tensor carries a size to a run's inputs and outputs; a
 * program's weight is a bound tensor). */
static const char *const non_ops[] = {"xp_tensor_new", "xp_tensor_from", "xp_keep", "xp_cond", "xp_map",
                                      "xp_symint_tensor", "xp_program_weight"};

static bool is_non_op(const char *name) {
    for (size_t i = 0; i < sizeof non_ops / sizeof *non_ops; i++)
        if (strcmp(non_ops[i], name) == 0) return true;
    return false;
}

static const xp_capi_fn *find(const char *name) {
    const xp_capi_fn *fn = xp_capi_find(name);
    ck_assert_msg(fn != NULL, "no row for %s", name);
    return fn;
}

START_TEST(every_row_agrees_with_its_schema) {
    int n = xp_capi_count(); /* parses the table; a bad row aborts here */
    ck_assert_int_ge(n, 90);
    for (int i = 0; i < n; i++) {
        const xp_capi_fn *fn = xp_capi_get(i);
        ck_assert_ptr_nonnull(fn);
        ck_assert_msg(strncmp(fn->c_name, "xp_", 3) == 0, "%s", fn->c_name);
        const xp_op_def *op = xp_op_get(fn->op);
        ck_assert_ptr_nonnull(op);
        ck_assert_int_le(fn->nargs, op->schema->nargs);
        for (int k = 0; k < fn->nargs; k++) {
            const xp_capi_arg *a = &fn->args[k];
            const xp_schema_arg *sa = &op->schema->args[k];
            xp_argkind want = XP_ARG_NONE;
            switch (a->kind) {
            case XP_CAPI_T: want = XP_ARG_TENSOR; break;
            case XP_CAPI_TL: want = XP_ARG_TENSOR_LIST; break;
            case XP_CAPI_I: want = XP_ARG_INT; break;
            case XP_CAPI_F: want = XP_ARG_FLOAT; break;
            case XP_CAPI_B: case XP_CAPI_FALSE: case XP_CAPI_TRUE: want = XP_ARG_BOOL; break;
            case XP_CAPI_D: want = XP_ARG_DTYPE; break;
            case XP_CAPI_L: case XP_CAPI_L1: case XP_CAPI_I2: case XP_CAPI_L2: want = XP_ARG_INT_LIST; break;
            case XP_CAPI_NONE: ck_assert(sa->optional); continue;
            }
            ck_assert_msg(sa->kind == want, "%s argument %d (%s)", fn->c_name, k, sa->name);
            bool constant = a->kind == XP_CAPI_NONE || a->kind == XP_CAPI_FALSE || a->kind == XP_CAPI_TRUE;
            if (!constant) ck_assert(a->param >= 0 && a->param < fn->nparams);
            bool counted = a->kind == XP_CAPI_TL || a->kind == XP_CAPI_L;
            ck_assert_int_eq(counted, a->count_param >= 0);
            ck_assert_int_eq(a->kind == XP_CAPI_L2, a->param2 >= 0);
        }
        for (int k = fn->nargs; k < op->schema->nargs; k++)
            ck_assert_msg(op->schema->args[k].has_default, "%s leaves off '%s'", fn->c_name, op->schema->args[k].name);
    }
    ck_assert_ptr_null(xp_capi_get(-1));
    ck_assert_ptr_null(xp_capi_get(n));
}
END_TEST

START_TEST(conv2d_passes_symmetric_pairs) {
    const xp_capi_fn *fn = find("xp_conv2d");
    ck_assert_int_eq(fn->op, XP_OP_conv2d);
    ck_assert_int_eq(fn->nparams, 7);
    ck_assert_str_eq(fn->param_names[3], "stride");
    ck_assert_int_eq(fn->nargs, 7);
    ck_assert_int_eq(fn->args[0].kind, XP_CAPI_T);
    ck_assert_int_eq(fn->args[0].param, 0);
    ck_assert_int_eq(fn->args[2].kind, XP_CAPI_T);
    ck_assert_int_eq(fn->args[2].param, 2);
    ck_assert_int_eq(fn->args[3].kind, XP_CAPI_I2);
    ck_assert_int_eq(fn->args[3].param, 3);
    ck_assert_int_eq(fn->args[3].count_param, -1);
    ck_assert_int_eq(fn->args[5].kind, XP_CAPI_I2);
    ck_assert_int_eq(fn->args[5].param, 5);
    ck_assert_int_eq(fn->args[6].kind, XP_CAPI_I);
    ck_assert_int_eq(fn->args[6].param, 6);
}
END_TEST

START_TEST(cat_takes_a_counted_tensor_list) {
    const xp_capi_fn *fn = find("xp_cat");
    ck_assert_int_eq(fn->op, XP_OP_cat);
    ck_assert_int_eq(fn->nargs, 2);
    ck_assert_int_eq(fn->args[0].kind, XP_CAPI_TL);
    ck_assert_int_eq(fn->args[0].count_param, 0);
    ck_assert_int_eq(fn->args[0].param, 1);
    ck_assert_str_eq(fn->param_names[1], "tensors");
    ck_assert_int_eq(fn->args[1].kind, XP_CAPI_I);
    ck_assert_int_eq(fn->args[1].param, 2);
}
END_TEST

START_TEST(reductions_map_onto_one_op) {
    const xp_capi_fn *sum = find("xp_sum");
    ck_assert_int_eq(sum->op, XP_OP_sum);
    ck_assert_int_eq(sum->nargs, 1); /* dim=None, keepdim=False by default */
    const xp_capi_fn *dims = find("xp_sum_dims");
    ck_assert_int_eq(dims->op, XP_OP_sum);
    ck_assert_int_eq(dims->nargs, 3);
    ck_assert_int_eq(dims->args[1].kind, XP_CAPI_L);
    ck_assert_int_eq(dims->args[1].count_param, 1);
    ck_assert_int_eq(dims->args[1].param, 2);
    ck_assert_int_eq(dims->args[2].kind, XP_CAPI_B);
    ck_assert_int_eq(dims->args[2].param, 3);
    const xp_capi_fn *sq = find("xp_squeeze_dim");
    ck_assert_int_eq(sq->op, XP_OP_squeeze);
    ck_assert_int_eq(sq->args[1].kind, XP_CAPI_L1);
    ck_assert_int_eq(sq->args[1].param, 1);
}
END_TEST

START_TEST(in_place_forms_map_onto_mutable_ops) {
    ck_assert_int_eq(find("xp_relu_")->op, XP_OP_relu_);
    ck_assert_int_eq(find("xp_add_")->op, XP_OP_add_);
    ck_assert_int_eq(find("xp_mul_scalar_")->op, XP_OP_mul_scalar_);
    const xp_capi_fn *copy = find("xp_copy_");
    ck_assert_int_eq(copy->op, XP_OP_copy_);
    ck_assert(xp_op_get(copy->op)->flags & XP_OP_MUTABLE);
}
END_TEST

START_TEST(constructors_put_the_dtype_last) {
    const xp_capi_fn *z = find("xp_zeros");
    ck_assert_int_eq(z->op, XP_OP_zeros);
    ck_assert_int_eq(z->nargs, 2);
    ck_assert_int_eq(z->args[0].kind, XP_CAPI_L);
    ck_assert_int_eq(z->args[0].count_param, 1);
    ck_assert_int_eq(z->args[0].param, 2);
    ck_assert_int_eq(z->args[1].kind, XP_CAPI_D);
    ck_assert_int_eq(z->args[1].param, 0);
    const xp_capi_fn *full = find("xp_full");
    ck_assert_int_eq(full->args[1].kind, XP_CAPI_F);
    ck_assert_int_eq(full->args[1].param, 3);
    ck_assert_int_eq(full->args[2].kind, XP_CAPI_D);
    const xp_capi_fn *ar = find("xp_arange");
    ck_assert_int_eq(ar->nargs, 4);
    ck_assert_int_eq(ar->args[3].kind, XP_CAPI_D);
    ck_assert_int_eq(ar->args[3].param, 0);
}
END_TEST

START_TEST(pooling_and_attention_rows) {
    const xp_capi_fn *mp = find("xp_max_pool2d");
    ck_assert_int_eq(mp->nargs, 4);
    for (int k = 1; k < 4; k++) {
        ck_assert_int_eq(mp->args[k].kind, XP_CAPI_I2);
        ck_assert_int_eq(mp->args[k].param, k);
    }
    const xp_capi_fn *ap = find("xp_adaptive_avg_pool2d");
    ck_assert_int_eq(ap->args[1].kind, XP_CAPI_L2);
    ck_assert_int_eq(ap->args[1].param, 1);
    ck_assert_int_eq(ap->args[1].param2, 2);
    const xp_capi_fn *sdpa = find("xp_scaled_dot_product_attention");
    ck_assert_int_eq(sdpa->nargs, 5);
    ck_assert_int_eq(sdpa->args[3].kind, XP_CAPI_T);
    ck_assert_str_eq(sdpa->param_names[sdpa->args[3].param], "mask");
    ck_assert_int_eq(sdpa->args[4].kind, XP_CAPI_B);
    ck_assert_int_eq(sdpa->args[4].param, 4);
    const xp_capi_fn *lin = find("xp_linear");
    ck_assert_int_eq(lin->nargs, 3);
    ck_assert(xp_op_get(lin->op)->schema->args[2].optional); /* bias may be NULL */
}
END_TEST

START_TEST(unknown_names_have_no_row) {
    ck_assert_ptr_null(xp_capi_find("xp_nonexistent"));
    ck_assert_ptr_null(xp_capi_find("add"));
    ck_assert_ptr_null(xp_capi_find("xp_tensor_new"));
    ck_assert_ptr_null(xp_capi_find(""));
    ck_assert_ptr_null(xp_capi_find(NULL));
}
END_TEST

/* Every `xp_tensor *xp_NAME(` declared in the public header is either a
 * non-op helper or has a row, and every row names a declared function. */
START_TEST(every_public_op_function_has_a_row) {
    char *h = (char *)xpt_read_file(XP_SOURCE_DIR "/annotations/xport.h", NULL);
    const char *pat = "xp_tensor *xp_";
    int declared = 0;
    char names[200][64];
    for (const char *p = strstr(h, pat); p; p = strstr(p + 1, pat)) {
        const char *name = p + strlen("xp_tensor *");
        size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
        if (name[len] != '(') continue;
        ck_assert_int_lt(declared, 200);
        ck_assert_int_lt(len, 64);
        memcpy(names[declared], name, len);
        names[declared][len] = '\0';
        if (!is_non_op(names[declared]))
            ck_assert_msg(xp_capi_find(names[declared]) != NULL, "%s is declared in xport.h but has no capi.def row",
                          names[declared]);
        declared++;
    }
    ck_assert_int_ge(declared, 90);
    for (int i = 0; i < xp_capi_count(); i++) {
        bool found = false;
        for (int k = 0; k < declared && !found; k++) found = strcmp(names[k], xp_capi_get(i)->c_name) == 0;
        ck_assert_msg(found, "row %s is not declared in xport.h", xp_capi_get(i)->c_name);
    }
    ck_assert_int_eq(xp_capi_count(), declared - (int)(sizeof non_ops / sizeof *non_ops));
    free(h);
}
END_TEST

/* The generated wrappers: a bad (count, pointer) pair is an error naming
 * the function and its parameter, never a crash. */
START_TEST(eager_wrapper_rejects_bad_lists) {
    xp_tensor *x = xp_tensor_new(XP_F32, XP_DIMS(2, 3));
    ck_assert_ptr_null(xp_sum_dims(x, 2, NULL, false));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    ck_assert_str_eq(xp_last_error(), "xp_sum_dims: 'dims' is NULL with count 2");
    ck_assert_ptr_null(xp_reshape(x, -1, (const int64_t[]){6}));
    ck_assert_str_eq(xp_last_error(), "xp_reshape: count of 'shape' is negative (-1)");
    ck_assert_ptr_null(xp_cat(2, NULL, 0));
    ck_assert_str_eq(xp_last_error(), "xp_cat: 'tensors' is NULL with count 2");
    xp_tensor_free(x);
}
END_TEST

/* The generated wrappers pass I2, L1, L2 and defaults correctly. */
START_TEST(eager_wrappers_expand_pairs_and_defaults) {
    xp_tensor *x = xp_tensor_new(XP_F32, XP_DIMS(1, 2, 8, 8));
    xp_tensor *p = xp_max_pool2d(x, 2, 2, 0);
    ck_assert_ptr_nonnull(p);
    xpt_assert_shape(p, 1, 2, 4, 4);
    xp_tensor *a = xp_adaptive_avg_pool2d(x, 2, 4);
    ck_assert_ptr_nonnull(a);
    xpt_assert_shape(a, 1, 2, 2, 4);
    xp_tensor *s = xp_squeeze_dim(x, 0);
    ck_assert_ptr_nonnull(s);
    xpt_assert_shape(s, 2, 8, 8);
    xp_tensor *w = xp_tensor_new(XP_F32, XP_DIMS(3, 2, 3, 3));
    xp_tensor *c = xp_conv2d(x, w, NULL, 2, 1, 1, 1);
    ck_assert_ptr_nonnull(c);
    xpt_assert_shape(c, 1, 3, 4, 4);
    xp_tensor *sum = xp_sum(x);
    ck_assert_ptr_nonnull(sum);
    ck_assert_int_eq(xp_ndim(sum), 0);
    xp_tensor *z = xp_zeros(XP_I32, XP_DIMS(3, 1));
    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(xp_dtype_of(z), XP_I32);
    xpt_assert_shape(z, 3, 1);
    xp_tensor *all[] = {p, a, s, w, c, sum, z, x};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) xp_tensor_free(all[i]);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("capi");
    TCase *tc = tcase_create("capi");
    tcase_add_test(tc, every_row_agrees_with_its_schema);
    tcase_add_test(tc, conv2d_passes_symmetric_pairs);
    tcase_add_test(tc, cat_takes_a_counted_tensor_list);
    tcase_add_test(tc, reductions_map_onto_one_op);
    tcase_add_test(tc, in_place_forms_map_onto_mutable_ops);
    tcase_add_test(tc, constructors_put_the_dtype_last);
    tcase_add_test(tc, pooling_and_attention_rows);
    tcase_add_test(tc, unknown_names_have_no_row);
    tcase_add_test(tc, every_public_op_function_has_a_row);
    tcase_add_test(tc, eager_wrapper_rejects_bad_lists);
    tcase_add_test(tc, eager_wrappers_expand_pairs_and_defaults);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
