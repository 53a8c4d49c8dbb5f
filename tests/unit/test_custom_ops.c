/*
 * Custom ops in the registry (runtime/ops/custom.c): registration, schema
 * checks, graph nodes with given metas, the .xpg round trip, the kernel
 * adapter, and the load-time error for an op nobody registered.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/xp_capture.h"
#include "ir/xp_ir.h"
#include "testutil.h"

static int g_calls;

/* my_test::drop_first(Tensor x, float scale) -> Tensor: x[1:] * scale */
static xp_tensor *drop_first(xp_tensor *x, double scale) {
    g_calls++;
    return xp_mul_scalar(xp_slice(x, 0, 1, XP_END, 1), scale);
}

static xp_tensor *always_null(xp_tensor *x) {
    (void)x;
    return NULL;
}

static xp_op_id register_drop_first(void) {
    xp_op_id id;
    ck_assert_int_eq(xp_op_register_custom("my_test::drop_first(Tensor x, float scale) -> Tensor",
                                           (xp_custom_impl)drop_first, "test_custom_ops.c", &id),
                     XP_OK);
    return id;
}

/* forward(x: f32[n, 3]) = drop_first(x, 2) with output f32[n - 1, 3] */
static xp_program *build(xp_op_id id, int64_t out_rows_delta) {
    xp_program *p = xp_program_new("forward");
    xp_dim n = xp_sym_new(p->syms, "n", 2, 64);
    int32_t x, out;
    ck_assert_int_eq(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){n, 3}, &x), XP_OK);
    xp_meta m = {.dtype = XP_F32, .ndim = 2};
    m.shape[0] = xp_dim_add(p->syms, n, out_rows_delta);
    m.shape[1] = 3;
    xp_narg args[] = {xp_narg_value(x), xp_narg_float(2.0)};
    ck_assert_int_eq(xp_graph_add_custom_node(p->graph, id, args, 2, &m, 1, XP_NO_LOC, NULL, &out), XP_OK);
    ck_assert_int_eq(xp_program_add_output(p, XP_OUT_USER_OUTPUT, out, NULL), XP_OK);
    ck_assert_int_eq(xp_program_verify(p), XP_OK);
    return p;
}

START_TEST(registered_op_is_found_by_id_and_name) {
    xp_op_id id = register_drop_first();
    ck_assert_int_ge(id, XP_OP_COUNT);
    const xp_op_def *def = xp_op_find("my_test::drop_first");
    ck_assert_ptr_nonnull(def);
    ck_assert_ptr_eq(def, xp_op_get(id));
    ck_assert(def->flags & XP_OP_CUSTOM);
    ck_assert(!(def->flags & (XP_OP_CORE | XP_OP_MUTABLE)));
    ck_assert_int_gt(xp_op_count(), (int)id);
    ck_assert_str_eq(xp_op_custom_source(id), "test_custom_ops.c");
    /* the same schema again is the same op */
    ck_assert_int_eq(register_drop_first(), id);
}
END_TEST

START_TEST(different_schema_for_one_name_is_an_error) {
    register_drop_first();
    xp_op_id id;
    ck_assert_int_eq(xp_op_register_custom("my_test::drop_first(Tensor x) -> Tensor", NULL, "other.c", &id),
                     XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "custom op my_test::drop_first is registered twice with different schemas");
    ck_assert_int_eq(id, XP_OP_NONE);
}
END_TEST

START_TEST(mutable_schema_sets_the_flag) {
    xp_op_id id;
    ck_assert_int_eq(xp_op_register_custom("my_test::fill_(Tensor(a!) x, float v) -> Tensor", NULL, NULL, &id), XP_OK);
    ck_assert(xp_op_get(id)->flags & XP_OP_MUTABLE);
}
END_TEST

START_TEST(schema_check_names_the_problem_and_column) {
    xp_schema s;
    int col = -1;
    ck_assert_int_ne(xp_custom_schema_check("my_test::f(Tensor x -> Tensor", &s, &col), XP_OK);
    ck_assert_int_eq(col, 21);
    ck_assert_int_ne(xp_custom_schema_check("f(Tensor x) -> Tensor", &s, &col), XP_OK);
    xpt_assert_contains(xp_last_error(), "needs a namespace");
    ck_assert_int_ne(xp_custom_schema_check("my_test::f(Tensor x) -> Tensor(a)", &s, &col), XP_OK);
    ck_assert_int_ne(xp_custom_schema_check("my_test::f(Tensor x, int[] d) -> Tensor", &s, &col), XP_OK);
    xpt_assert_contains(xp_last_error(), "argument 'd' has type 'int[]'");
    ck_assert_int_ne(xp_custom_schema_check("my_test::f(Tensor a, Tensor b, Tensor c, Tensor d, Tensor e) -> Tensor",
                                            &s, &col),
                     XP_OK);
    xpt_assert_contains(xp_last_error(), "at most 4");
    ck_assert_int_eq(xp_custom_schema_check("my_test::f(Tensor x, Tensor? w, int n, bool b) -> Tensor", &s, &col),
                     XP_OK);
}
END_TEST

START_TEST(custom_node_needs_given_metas) {
    xp_op_id id = register_drop_first();
    xp_program *p = xp_program_new("f");
    int32_t x, out;
    ck_assert_int_eq(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){4, 3}, &x), XP_OK);
    xp_narg args[] = {xp_narg_value(x), xp_narg_float(2.0)};
    ck_assert_int_eq(xp_graph_add_node(p->graph, id, args, 2, XP_NO_LOC, &out), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "xp_graph_add_custom_node");
    xp_program_free(p);
}
END_TEST

START_TEST(program_runs_the_implementation_for_each_size) {
    xp_op_id id = register_drop_first();
    xp_program *p = build(id, -1);
    uint64_t rng = 7;
    for (int64_t n = 2; n <= 6; n++) {
        xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){n, 3}, -1, 1), *out;
        g_calls = 0;
        ck_assert_int_eq(xp_program_run(p, &x, 1, &out, 1), XP_OK);
        ck_assert_int_eq(g_calls, 1);
        xp_scope *scope = xp_scope_push(); /* frees the eager slice */
        xp_tensor *want = xp_keep(drop_first(x, 2.0));
        xp_scope_pop(scope);
        xpt_assert_close(out, want, 0, 0); /* the same kernel on the same data */
        xp_tensor_free(x);
        xp_tensor_free(out);
        xp_tensor_free(want);
    }
    xp_program_free(p);
}
END_TEST

START_TEST(wrong_meta_is_a_run_error_not_a_write_out_of_bounds) {
    xp_op_id id = register_drop_first();
    xp_program *p = build(id, 0); /* claims [n, 3]; the implementation returns [n - 1, 3] */
    uint64_t rng = 1;
    xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){4, 3}, -1, 1), *out = NULL;
    ck_assert_int_eq(xp_program_run(p, &x, 1, &out, 1), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(),
                        "custom op my_test::drop_first: its implementation returned f32[3, 3], but its meta function "
                        "said f32[4, 3]");
    xp_tensor_free(x);
    xp_program_free(p);
}
END_TEST

START_TEST(null_result_names_the_op) {
    xp_op_id id;
    ck_assert_int_eq(xp_op_register_custom("my_test::null_op(Tensor x) -> Tensor", (xp_custom_impl)always_null, NULL,
                                           &id),
                     XP_OK);
    xp_program *p = xp_program_new("f");
    int32_t x, out;
    ck_assert_int_eq(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){2}, &x), XP_OK);
    xp_meta m = {.dtype = XP_F32, .ndim = 1};
    m.shape[0] = 2;
    xp_narg args[] = {xp_narg_value(x)};
    ck_assert_int_eq(xp_graph_add_custom_node(p->graph, id, args, 1, &m, 1, XP_NO_LOC, NULL, &out), XP_OK);
    ck_assert_int_eq(xp_program_add_output(p, XP_OUT_USER_OUTPUT, out, NULL), XP_OK);
    xp_tensor *t = xp_zeros(XP_F32, 1, (int64_t[]){2}), *o = NULL;
    ck_assert_int_ne(xp_program_run(p, &t, 1, &o, 1), XP_OK);
    xpt_assert_contains(xp_last_error(), "custom op my_test::null_op: its implementation returned NULL");
    xp_tensor_free(t);
    xp_program_free(p);
}
END_TEST

START_TEST(json_round_trip_keeps_the_metas) {
    xp_op_id id = register_drop_first();
    xp_program *p = build(id, -1);
    char *json;
    size_t len;
    ck_assert_int_eq(xp_program_to_json(p, &json, &len), XP_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"my_test::drop_first\""));
    xp_program *q;
    ck_assert_int_eq(xp_program_load_json(json, len, &q), XP_OK);
    const xp_graph *g = q->graph;
    ck_assert_int_eq(g->nnodes, 1);
    ck_assert_int_eq(g->nodes[0].op, id);
    ck_assert_str_eq(g->nodes[0].name, "drop_first");
    char buf[64];
    xp_meta_format(q, &g->values[g->nodes[0].outs[0]].meta, buf, sizeof buf);
    ck_assert_str_eq(buf, "f32[n - 1, 3]");
    free(json);
    xp_program_free(p);
    xp_program_free(q);
}
END_TEST

START_TEST(unregistered_custom_op_fails_to_load_with_the_remedy) {
    xp_op_id id;
    /* registered here without an implementation, as the plugin does */
    ck_assert_int_eq(xp_op_register_custom("my_test::schema_only(Tensor x) -> Tensor", NULL, NULL, &id), XP_OK);
    xp_program *p = xp_program_new("forward");
    int32_t x, out;
    ck_assert_int_eq(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){2}, &x), XP_OK);
    xp_meta m = {.dtype = XP_F32, .ndim = 1};
    m.shape[0] = 2;
    xp_narg args[] = {xp_narg_value(x)};
    ck_assert_int_eq(xp_graph_add_custom_node(p->graph, id, args, 1, &m, 1, XP_NO_LOC, NULL, &out), XP_OK);
    ck_assert_int_eq(xp_program_add_output(p, XP_OUT_USER_OUTPUT, out, NULL), XP_OK);
    char *json;
    size_t len;
    ck_assert_int_eq(xp_program_to_json(p, &json, &len), XP_OK);
    xp_program *q = NULL;
    ck_assert_int_eq(xp_program_load_json(json, len, &q), XP_ERR_NOT_FOUND);
    xpt_assert_contains(xp_last_error(),
                        "program forward uses custom op my_test::schema_only, which is not registered: link the file "
                        "that defines it (compiled with the xport plugin) or pass --ops LIB.so to xport run");
    /* an op this process never heard of: the same message */
    char *other = strdup(json);
    char *at = strstr(other, "my_test::schema_only");
    memcpy(at, "my_test::schema_xxxx", 20);
    ck_assert_int_eq(xp_program_load_json(other, strlen(other), &q), XP_ERR_NOT_FOUND);
    xpt_assert_contains(xp_last_error(), "uses custom op my_test::schema_xxxx, which is not registered");
    free(other);
    free(json);
    xp_program_free(p);
}
END_TEST

START_TEST(capture_records_one_node_with_the_given_meta) {
    xp_op_id id = register_drop_first();
    xp_program *p = xp_program_new("forward");
    xp_dim n = xp_sym_new(p->syms, "n", 2, 64);
    xp_capture *c = xp_capture_new(p);
    xp_cref x, y;
    ck_assert_int_eq(xp_capture_user_input(c, "x", XP_F32, 2, (xp_dim[]){n, 3}, &x), XP_OK);
    xp_meta m = {.dtype = XP_F32, .ndim = 2};
    m.shape[0] = xp_dim_sub(p->syms, n, 1);
    m.shape[1] = 3;
    xp_carg args[] = {xp_carg_t(x), xp_carg_f(0.5)};
    ck_assert_int_eq(xp_capture_custom_op(c, id, args, 2, &m, XP_NO_LOC, &y), XP_OK);
    ck_assert_int_eq(xp_capture_output(c, y, NULL), XP_OK);
    ck_assert_int_eq(xp_capture_finish(c), XP_OK);
    ck_assert_int_eq(p->graph->nnodes, 1);
    xp_capture_free(c);
    xp_program_free(p);
}
END_TEST

START_TEST(ops_library_without_ops_is_an_error) {
    ck_assert_int_eq(xp_ops_load_library("/nonexistent/libnothing.so"), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "cannot load op library /nonexistent/libnothing.so");
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("custom_ops");
    TCase *tc = tcase_create("custom_ops");
    tcase_add_test(tc, registered_op_is_found_by_id_and_name);
    tcase_add_test(tc, different_schema_for_one_name_is_an_error);
    tcase_add_test(tc, mutable_schema_sets_the_flag);
    tcase_add_test(tc, schema_check_names_the_problem_and_column);
    tcase_add_test(tc, custom_node_needs_given_metas);
    tcase_add_test(tc, program_runs_the_implementation_for_each_size);
    tcase_add_test(tc, wrong_meta_is_a_run_error_not_a_write_out_of_bounds);
    tcase_add_test(tc, null_result_names_the_op);
    tcase_add_test(tc, json_round_trip_keeps_the_metas);
    tcase_add_test(tc, unregistered_custom_op_fails_to_load_with_the_remedy);
    tcase_add_test(tc, capture_records_one_node_with_the_given_meta);
    tcase_add_test(tc, ops_library_without_ops_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
