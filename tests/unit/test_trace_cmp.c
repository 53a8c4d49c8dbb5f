/*
 * The comparison hooks of non-strict export (XPORT_TRACE_CMP, issue 7):
 * this file is compiled with comparison tracing (tests/CMakeLists.txt), so
 * the tracer sees each C comparison of a symbolic size with its operand
 * and checks the graph at that size too: an equality with any constant, a
 * switch on a size, and a loop bounded by a size with no op in it are
 * errors, which the validation passes alone (test_trace_sizes.c) do not
 * see; a comparison the ranges decide is still accepted.
 */
#define XPORT_CALL_SITES
#define XPORT_TRACE_CMP /* this file defines the hooks */
#include <xport.h>

#include "ir/xp_ir.h"
#include "ops/xp_registry.h"
#include "testutil.h"

#include <string.h>

#define SPEC_1_64 "dim(batch, min=1, max=64); input(x, f32[batch, 4])"

static void rejected(xp_trace_fn fn, const char *spec, const char *needle) {
    xp_program *p = NULL;
    xp_status st = xp_export_trace(fn, NULL, spec, &p);
    ck_assert_msg(st == XP_ERR_DATA_DEPENDENT, "status %d: %s", (int)st, xp_last_error());
    ck_assert_ptr_null(p);
    xpt_assert_contains(xp_last_error(), needle);
}

static xp_tensor *equals_ten(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) == 10) return xp_cos(in[0]); /* 10: no end of the range */
    return xp_sin(in[0]);
}

START_TEST(equality_with_any_constant_in_the_range_is_rejected) {
    rejected(equals_ten, SPEC_1_64, "with batch = 10 it records a different graph");
}
END_TEST

static xp_tensor *switch_on_rows(void *u, xp_tensor *const *in) {
    (void)u;
    switch (xp_size(in[0], 0)) {
    case 7: return xp_cos(in[0]);
    case 9: return xp_exp(in[0]);
    case 13: return xp_neg(in[0]);
    default: return xp_sin(in[0]);
    }
}

START_TEST(switch_on_a_size_is_rejected) {
    rejected(switch_on_rows, SPEC_1_64, "compares a symbolic size in plain C code: with batch = ");
}
END_TEST

static xp_tensor *linear_size_equals(void *u, xp_tensor *const *in) {
    (void)u;
    int64_t rows2 = xp_sym_add(xp_sym_mul(xp_size(in[0], 0), 2), 1); /* 2*batch + 1 */
    if (rows2 == 41) return xp_cos(in[0]);
    return xp_sin(in[0]);
}

START_TEST(comparison_of_a_size_expression_is_solved_for_the_dim) {
    rejected(linear_size_equals, SPEC_1_64, "with batch = 20 it records a different graph");
}
END_TEST

static volatile int64_t g_last_row; /* volatile: the loop cannot be folded away */

static xp_tensor *visits_rows_in_c(void *u, xp_tensor *const *in) {
    (void)u;
    for (int64_t i = 0; i < xp_size(in[0], 0); i++) g_last_row = i; /* no op: only the comparisons show it */
    return xp_sin(in[0]);
}

START_TEST(a_loop_without_ops_bounded_by_a_size_is_stopped) {
    /* an unbounded dim: the recording shows it above every real size */
    rejected(visits_rows_in_c, "dim(batch, min=1); input(x, f32[batch, 4])", "read or compared symbolic sizes more than");
    xpt_assert_contains(xp_last_error(), "a C loop bounded by a symbolic size?");
    /* batch in [1, 64]: the loop makes no op, and every size was checked */
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(visits_rows_in_c, NULL, SPEC_1_64, &p) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(p->graph->nnodes, 1);
    xp_program_free(p);
}
END_TEST

static xp_tensor *equals_100(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) == 100) return xp_cos(in[0]); /* never, for batch <= 64 */
    return xp_sin(in[0]);
}

START_TEST(an_equality_the_range_decides_is_accepted) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(equals_100, NULL, SPEC_1_64, &p) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(p->graph->nnodes, 1);
    ck_assert_str_eq(xp_op_get(p->graph->nodes[0].op)->name, "sin");
    xp_program_free(p);
}
END_TEST

int main(void) {
    Suite *s = suite_create("trace_cmp");
    TCase *tc = tcase_create("trace_cmp");
    tcase_add_test(tc, equality_with_any_constant_in_the_range_is_rejected);
    tcase_add_test(tc, switch_on_a_size_is_rejected);
    tcase_add_test(tc, comparison_of_a_size_expression_is_solved_for_the_dim);
    tcase_add_test(tc, a_loop_without_ops_bounded_by_a_size_is_stopped);
    tcase_add_test(tc, an_equality_the_range_decides_is_accepted);
    suite_add_tcase(s, tc);
    return xpt_run_suite(s);
}
