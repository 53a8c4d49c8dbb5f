/*
 * Size conditions under non-strict export (issue 7, docs/tracing.md,
 * Comparisons): a plain C condition on a symbolic size is accepted when
 * the declared ranges decide it and an error when they do not, never a
 * silent specialization; asserts and loops on sizes fail the trace, not
 * the process; xp_sym_eq..ge decide where they are called.
 */
#define XPORT_CALL_SITES /* errors carry test_trace_sizes.c:LINE */
#include <xport.h>

#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_1_64 "dim(batch, min=1, max=64); input(x, f32[batch, 4])"

static xp_status trace(xp_trace_fn fn, const char *spec, xp_program **p) {
    *p = NULL;
    return xp_export_trace(fn, NULL, spec, p);
}

static xp_program *trace_ok(xp_trace_fn fn, const char *spec) {
    xp_program *p = NULL;
    ck_assert_msg(trace(fn, spec, &p) == XP_OK, "%s", xp_last_error());
    return p;
}

/* The trace fails with XP_ERR_DATA_DEPENDENT and a message holding every
 * needle. */
static void rejected(xp_trace_fn fn, const char *spec, const char *const *needles, int n) {
    xp_program *p;
    xp_status st = trace(fn, spec, &p);
    ck_assert_msg(st == XP_ERR_DATA_DEPENDENT, "status %d: %s", (int)st, xp_last_error());
    ck_assert_ptr_null(p);
    for (int i = 0; i < n; i++) xpt_assert_contains(xp_last_error(), needles[i]);
}

static void rejected_with(xp_trace_fn fn, const char *spec, xp_status want, const char *needle) {
    xp_program *p;
    xp_status st = trace(fn, spec, &p);
    ck_assert_msg(st == want, "status %d: %s", (int)st, xp_last_error());
    ck_assert_ptr_null(p);
    xpt_assert_contains(xp_last_error(), needle);
}

static char *program_text(const xp_program *p) {
    char **cell = calloc(1, sizeof *cell);
    size_t n = 0;
    ck_assert_ptr_nonnull(cell);
    FILE *f = open_memstream(cell, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    char *text = *cell;
    free(cell);
    return text;
}

/* Runs p on a random x of `rows` rows and compares with fn run eagerly. */
static void runs_like_eager(xp_program *p, xp_trace_fn fn, int64_t rows) {
    uint64_t seed = 7;
    xp_tensor *x = xpt_random(&seed, XP_F32, 2, (int64_t[]){rows, 4}, -1, 1);
    xp_tensor *got = NULL;
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x}, 1, &got, 1) == XP_OK, "%s", xp_last_error());
    xp_scope *s = xp_scope_push();
    xp_tensor *want = xp_keep(fn(NULL, (xp_tensor *[]){x}));
    xp_scope_pop(s);
    xpt_assert_close(got, want, 0, 0); /* the same kernels on the same data */
    xp_tensor_free(got);
    xp_tensor_free(want);
    xp_tensor_free(x);
}

/* ---- plain C conditions the ranges do not decide: errors ---- */

static int g_line;

static xp_tensor *greater_than_16(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) > 16) return xp_cos(in[0]);
    g_line = __LINE__ + 1;
    return xp_sin(in[0]);
}

START_TEST(ordered_comparison_inside_the_range_is_rejected) {
    char where[64];
    xp_program *p;
    ck_assert_int_eq(trace(greater_than_16, SPEC_1_64, &p), XP_ERR_DATA_DEPENDENT);
    const char *msg = xp_last_error();
    xpt_assert_contains(msg, "the traced function compares a symbolic size in plain C code");
    xpt_assert_contains(msg, "with batch = 3 it records a different graph than with symbolic sizes");
    snprintf(where, sizeof where, "the first difference is at test_trace_sizes.c:%d", g_line);
    xpt_assert_contains(msg, where);
    xpt_assert_contains(msg, "would silently specialize dim 'batch'");
    xpt_assert_contains(msg, "xp_sym_eq/ne/lt/le/gt/ge");
}
END_TEST

/* An equality is seen when the compared value is one the validation
 * passes use: an end of the range (or within 2 of the min). */
static xp_tensor *equals_one(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) == 1) return xp_cos(in[0]);
    return xp_sin(in[0]);
}

static xp_tensor *not_equal_64(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) != 64) return xp_cos(in[0]);
    return xp_sin(in[0]);
}

START_TEST(equality_with_an_end_of_the_range_is_rejected) {
    rejected(equals_one, SPEC_1_64, (const char *[]){"compares a symbolic size", "with batch = 1 "}, 2);
    rejected(not_equal_64, SPEC_1_64, (const char *[]){"compares a symbolic size", "with batch = 64 "}, 2);
}
END_TEST

static xp_tensor *same_rows(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) == xp_size(in[1], 0)) return xp_add(in[0], in[1]);
    return xp_neg(in[0]);
}

START_TEST(comparison_of_two_dims_is_rejected) {
    const char *spec = "dim(a, min=1, max=64); dim(b, min=1, max=64); input(x, f32[a, 4]); input(y, f32[b, 4])";
    rejected(same_rows, spec, (const char *[]){"compares a symbolic size", "one of the dims 'a' or 'b'"}, 2);
    /* with one dim for both the condition is always true */
    xp_program *p = trace_ok(same_rows, "dim(a, min=1, max=64); input(x, f32[a, 4]); input(y, f32[a, 4])");
    char *text = program_text(p);
    xpt_assert_contains(text, "xp.add(x, y)");
    free(text);
    xp_program_free(p);
}
END_TEST

/* Plain C arithmetic on a size of an unbounded dim: rejected, and the
 * arithmetic itself does not overflow in the model's code (undefined
 * behaviour: the sanitizer job would stop here). */
static xp_tensor *times_1000(void *u, xp_tensor *const *in) {
    (void)u;
    int64_t n = xp_size(in[0], 0);
    return xp_zeros(XP_F32, XP_DIMS(n * 1000 + 7, 4)); /* not a size the tracer can follow */
}

START_TEST(plain_arithmetic_on_an_unbounded_size_is_rejected_without_overflow) {
    rejected_with(times_1000, "dim(batch, min=1); input(x, f32[batch, 4])", XP_ERR_INVALID_ARG,
                  "a size computed with plain C arithmetic from");
}
END_TEST

/* ---- plain C conditions the ranges decide: accepted ---- */

static xp_tensor *at_most_64(void *u, xp_tensor *const *in) {
    (void)u;
    int64_t n = xp_size(in[0], 0);
    xp_tensor *y = xp_neg(in[0]);
    if (n <= 64) y = xp_exp(y); /* true for every n in [1, 64]; false for the high recording */
    return y;
}

static xp_tensor *positive(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) > 0) return xp_exp(in[0]); /* true for every n >= 1; false for the low recording */
    return xp_neg(in[0]);
}

START_TEST(conditions_the_ranges_decide_are_accepted) {
    xp_program *p = trace_ok(at_most_64, SPEC_1_64);
    char *text = program_text(p);
    xpt_assert_contains(text, "xp.exp(");
    xpt_assert_contains(text, "batch: [1, 64]");
    free(text);
    runs_like_eager(p, at_most_64, 1);
    runs_like_eager(p, at_most_64, 64);
    xp_program_free(p);

    p = trace_ok(positive, "dim(batch, min=1); input(x, f32[batch, 4])");
    text = program_text(p);
    xpt_assert_contains(text, "xp.exp(");
    ck_assert_ptr_null(strstr(text, "xp.neg("));
    free(text);
    runs_like_eager(p, positive, 5);
    xp_program_free(p);
}
END_TEST

static xp_tensor *equals_three(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) == 3) return xp_cos(in[0]);
    return xp_sin(in[0]);
}

START_TEST(a_one_value_dim_compares_as_its_value) {
    /* ExportDB dynamic_shape_if_guard: c in [3, 3] is 3 to C code */
    xp_program *p = trace_ok(equals_three, "dim(c, min=3, max=3); input(x, f32[c, 4])");
    char *text = program_text(p);
    xpt_assert_contains(text, "xp.cos(x)");
    xpt_assert_contains(text, "x: f32[c, 4]");
    xpt_assert_contains(text, "c: [3, 3]");
    free(text);
    runs_like_eager(p, equals_three, 3);
    xp_program_free(p);
}
END_TEST

/* ---- asserts and loops: the trace fails, the process goes on ---- */

static xp_tensor *needs_three_rows(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) < 3) abort(); /* what a failed assert does */
    return xp_exp(in[0]);
}

static xp_tensor *needs_at_most_16_rows(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_size(in[0], 0) > 16) abort();
    return xp_exp(in[0]);
}

START_TEST(an_abort_on_a_size_fails_the_trace_not_the_process) {
    rejected(needs_three_rows, SPEC_1_64,
             (const char *[]){"with batch = 1 (in the declared ranges) the traced function fails",
                              "the traced function aborted", "(a failed assert?)"},
             3);
    /* the ranges make both hold: accepted, whichever recording aborted */
    xp_program *p = trace_ok(needs_three_rows, "dim(batch, min=3, max=64); input(x, f32[batch, 4])");
    xp_program_free(p);
    p = trace_ok(needs_at_most_16_rows, "dim(batch, min=1, max=16); input(x, f32[batch, 4])");
    runs_like_eager(p, needs_at_most_16_rows, 16);
    xp_program_free(p);
    /* and the tracer still works on this thread */
    p = trace_ok(positive, SPEC_1_64);
    xp_program_free(p);
}
END_TEST

static void programs_abort_handler(int sig) { (void)sig; }

START_TEST(the_programs_own_abort_handler_is_kept) {
    struct sigaction act = {.sa_handler = programs_abort_handler}, now;
    sigemptyset(&act.sa_mask);
    ck_assert_int_eq(sigaction(SIGABRT, &act, NULL), 0);
    rejected(needs_three_rows, SPEC_1_64, (const char *[]){"the traced function aborted"}, 1);
    ck_assert_int_eq(sigaction(SIGABRT, NULL, &now), 0);
    ck_assert(now.sa_handler == programs_abort_handler);
}
END_TEST

static xp_tensor *loops_over_rows(void *u, xp_tensor *const *in) {
    (void)u;
    xp_tensor *y = in[0];
    for (int64_t i = 0; i < xp_size(in[0], 0); i++) y = xp_add(y, in[0]);
    return y;
}

static volatile int64_t g_last_row; /* volatile: the loop cannot be folded away */

static xp_tensor *visits_rows_in_c(void *u, xp_tensor *const *in) {
    (void)u;
    for (int64_t i = 0; i < xp_size(in[0], 0); i++) g_last_row = i; /* no op: the size read each time shows it */
    return xp_sin(in[0]);
}

START_TEST(a_loop_without_ops_reading_the_size_is_stopped) {
    rejected(visits_rows_in_c, "dim(batch, min=1); input(x, f32[batch, 4])",
             (const char *[]){"read or compared symbolic sizes more than", "a C loop bounded by a symbolic size?"}, 2);
}
END_TEST

START_TEST(a_loop_bounded_by_a_size_is_stopped) {
    rejected(loops_over_rows, SPEC_1_64,
             (const char *[]){"a C loop bounded by a symbolic size?", "test_trace_sizes.c:", "xp_map"}, 3);
}
END_TEST

/* Traces run on several threads at once, each with its own trace, call
 * sites and abort jump; an abort caught on one does not disturb another. */
static void *traces_on_a_thread(void *arg) {
    long bad = 0;
    for (int i = 0; i < 20; i++) {
        xp_program *p = NULL;
        if (xp_export_trace(at_most_64, NULL, SPEC_1_64, &p) != XP_OK || !p) bad++;
        xp_program_free(p);
        p = NULL;
        if (xp_export_trace(needs_three_rows, NULL, SPEC_1_64, &p) != XP_ERR_DATA_DEPENDENT || p) bad++;
        if (!strstr(xp_last_error(), "the traced function aborted")) bad++;
    }
    (void)arg;
    return (void *)bad;
}

START_TEST(traces_on_two_threads_at_once_keep_apart) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++) ck_assert_int_eq(pthread_create(&t[i], NULL, traces_on_a_thread, NULL), 0);
    for (int i = 0; i < 2; i++) {
        void *bad;
        ck_assert_int_eq(pthread_join(t[i], &bad), 0);
        ck_assert_int_eq((long)bad, 0);
    }
    struct sigaction now;
    ck_assert_int_eq(sigaction(SIGABRT, NULL, &now), 0);
    ck_assert(now.sa_handler == SIG_DFL); /* the last trace put it back */
}
END_TEST

/* ---- xp_sym_eq .. xp_sym_ge ---- */

static xp_tensor *sym_le_64(void *u, xp_tensor *const *in) {
    (void)u;
    if (xp_sym_le(xp_size(in[0], 0), 64)) return xp_exp(in[0]);
    return xp_neg(in[0]);
}

static xp_tensor *sym_gt_16(void *u, xp_tensor *const *in) {
    (void)u;
    g_line = __LINE__ + 1;
    if (xp_sym_gt(xp_size(in[0], 0), 16)) return xp_exp(in[0]);
    return xp_neg(in[0]);
}

START_TEST(sym_comparisons_are_decided_where_they_are_called) {
    xp_program *p = trace_ok(sym_le_64, SPEC_1_64);
    char *text = program_text(p);
    xpt_assert_contains(text, "xp.exp(x)");
    xpt_assert_contains(text, "specializations:");
    xpt_assert_contains(text, "'xp_sym_le(batch, 64)' (batch <= 64) is true for batch in [1, 64]");
    free(text);
    xp_program_free(p);

    xp_program *q;
    ck_assert_int_eq(trace(sym_gt_16, SPEC_1_64, &q), XP_ERR_DATA_DEPENDENT);
    char where[64];
    snprintf(where, sizeof where, "at test_trace_sizes.c:%d", g_line);
    const char *msg = xp_last_error();
    xpt_assert_contains(msg, "xp_sym_gt(batch, 16)");
    xpt_assert_contains(msg, where);
    xpt_assert_contains(msg, "is not decided by the declared ranges (batch in [1, 64])");
    xpt_assert_contains(msg, "declare dim(batch, min=17)");
}
END_TEST

START_TEST(sym_comparisons_are_plain_comparisons_eagerly) {
    ck_assert(xp_sym_eq(3, 3) && !xp_sym_eq(3, 4));
    ck_assert(xp_sym_ne(3, 4) && !xp_sym_ne(4, 4));
    ck_assert(xp_sym_lt(3, 4) && !xp_sym_lt(4, 4));
    ck_assert(xp_sym_le(4, 4) && !xp_sym_le(5, 4));
    ck_assert(xp_sym_gt(5, 4) && !xp_sym_gt(4, 4));
    ck_assert(xp_sym_ge(4, 4) && !xp_sym_ge(3, 4));
}
END_TEST

/* ---- SYMINT inputs: input(n, int) ---- */

/* ExportDB's symbolic int input: n is read with xp_item_i64, as in a run */
static xp_tensor *adds_n_ones(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_add(in[0], xp_ones(XP_F32, XP_DIMS(xp_item_i64(in[1]), 4)));
}

static xp_tensor *symint_as_tensor(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_add(in[0], in[1]);
}

START_TEST(an_int_input_is_a_symint_of_the_program) {
    const char *spec = "dim(n, min=1, max=32); input(x, f32[n, 4]); input(n, int)";
    xp_program *p = trace_ok(adds_n_ones, spec);
    ck_assert_int_eq(xp_program_num_inputs(p), 2);
    ck_assert_str_eq(xp_program_input_name(p, 1), "n");
    char *text = program_text(p);
    xpt_assert_contains(text, "graph(x: f32[n, 4], n: SymInt(n)):");
    xpt_assert_contains(text, "SYMINT");
    free(text);
    /* a run takes n as a 0-d i64 tensor, and the guards check it */
    uint64_t seed = 3;
    xp_tensor *x = xpt_random(&seed, XP_F32, 2, (int64_t[]){5, 4}, -1, 1);
    int64_t five = 5, six = 6;
    xp_tensor *n5 = xp_tensor_from(XP_I64, 0, NULL, &five), *n6 = xp_tensor_from(XP_I64, 0, NULL, &six);
    xp_tensor *got = NULL;
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x, n5}, 2, &got, 1) == XP_OK, "%s", xp_last_error());
    xp_tensor *want = xp_add_scalar(x, 1);
    xpt_assert_close(got, want, 0, 0);
    xp_tensor_free(got);
    got = NULL;
    ck_assert_int_ne(xp_program_run(p, (xp_tensor *[]){x, n6}, 2, &got, 1), XP_OK); /* n is not x's row count */
    xp_tensor_free(got);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(n5);
    xp_tensor_free(n6);
    xp_program_free(p);
}
END_TEST

START_TEST(int_input_errors_name_the_problem) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(adds_n_ones, NULL, "input(x, f32[2, 4]); input(n, int)", &p), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "int input 'n' must be a dim: declare dim(n, ...) as well");
    ck_assert_int_eq(xp_export_trace(symint_as_tensor, NULL, "dim(n, min=1, max=32); input(x, f32[n, 4]); input(n, int)", &p),
                     XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "a symbolic int input reached an op as a tensor");
    ck_assert_ptr_null(p);
}
END_TEST

/* ---- SYMINT outputs: xp_symint_tensor ---- */

static int rows_and_cols_plus_one(void *u, xp_tensor *const *in, xp_tensor **out) {
    (void)u;
    out[0] = xp_relu(in[0]);
    out[1] = xp_symint_tensor(xp_sym_add(xp_size(in[0], 1), 1));
    return 2;
}

static int cols_plus_one_in_c(void *u, xp_tensor *const *in, xp_tensor **out) {
    (void)u;
    out[0] = xp_symint_tensor(xp_size(in[0], 1) + 1);
    return 1;
}

START_TEST(a_returned_size_is_a_symint_output) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace_n(rows_and_cols_plus_one, NULL, "dim(n, min=1, max=32); input(x, f32[3, n])", &p) ==
                      XP_OK,
                  "%s", xp_last_error());
    char *text = program_text(p);
    xpt_assert_contains(text, "return (%relu, n + 1)");
    free(text);
    uint64_t seed = 5;
    xp_tensor *x = xpt_random(&seed, XP_F32, 2, (int64_t[]){3, 7}, -1, 1);
    xp_tensor *out[2] = {0};
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x}, 1, out, 2) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(xp_ndim(out[1]), 0);
    ck_assert_int_eq(xp_dtype_of(out[1]), XP_I64);
    ck_assert_int_eq(xp_item_i64(out[1]), 8);
    /* and into a caller's 0-d tensor */
    xp_tensor *into[2] = {xp_tensor_new(XP_F32, 2, (int64_t[]){3, 7}), xp_tensor_new(XP_I64, 0, NULL)};
    ck_assert_msg(xp_program_run_into(p, (xp_tensor *[]){x}, 1, into, 2) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(xp_item_i64(into[1]), 8);
    xpt_assert_close(into[0], out[0], 0, 0);
    xp_tensor_free(into[0]);
    xp_tensor_free(into[1]);
    /* eagerly it is the same 0-d tensor */
    xp_tensor *eager = xp_symint_tensor(8);
    ck_assert_int_eq(xp_item_i64(eager), 8);
    xp_tensor_free(eager);
    xp_tensor_free(out[0]);
    xp_tensor_free(out[1]);
    xp_tensor_free(x);
    xp_program_free(p);
    /* plain C arithmetic on the size is rejected, naming the dim */
    ck_assert_int_eq(xp_export_trace_n(cols_plus_one_in_c, NULL, "dim(n, min=1, max=32); input(x, f32[3, n])", &p),
                     XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "from symbolic dim 'n' reached xp_symint_tensor (argument 'v')");
}
END_TEST

/* ---- how many times fn runs ---- */

static int g_calls;

static xp_tensor *counts_calls(void *u, xp_tensor *const *in) {
    (void)u;
    g_calls++;
    return xp_sin(in[0]);
}

START_TEST(fn_runs_once_static_and_once_per_pass_dynamic) {
    g_calls = 0;
    xp_program *p = trace_ok(counts_calls, "input(x, f32[3, 4])");
    ck_assert_int_eq(g_calls, 1);
    xp_program_free(p);
    /* batch in [1, 64]: the base sizes (batch = 3), the high recording,
     * and the validation passes batch = 3, 1, 2, 63, 64 */
    g_calls = 0;
    p = trace_ok(counts_calls, SPEC_1_64);
    ck_assert_int_eq(g_calls, 7);
    xp_program_free(p);
}
END_TEST

int main(void) {
    Suite *s = suite_create("trace_sizes");
    TCase *tc = tcase_create("trace_sizes");
    tcase_add_test(tc, ordered_comparison_inside_the_range_is_rejected);
    tcase_add_test(tc, equality_with_an_end_of_the_range_is_rejected);
    tcase_add_test(tc, comparison_of_two_dims_is_rejected);
    tcase_add_test(tc, plain_arithmetic_on_an_unbounded_size_is_rejected_without_overflow);
    tcase_add_test(tc, conditions_the_ranges_decide_are_accepted);
    tcase_add_test(tc, a_one_value_dim_compares_as_its_value);
    tcase_add_test(tc, an_abort_on_a_size_fails_the_trace_not_the_process);
    tcase_add_test(tc, the_programs_own_abort_handler_is_kept);
    tcase_add_test(tc, traces_on_two_threads_at_once_keep_apart);
    tcase_add_test(tc, a_loop_bounded_by_a_size_is_stopped);
    tcase_add_test(tc, a_loop_without_ops_reading_the_size_is_stopped);
    tcase_add_test(tc, sym_comparisons_are_decided_where_they_are_called);
    tcase_add_test(tc, sym_comparisons_are_plain_comparisons_eagerly);
    tcase_add_test(tc, an_int_input_is_a_symint_of_the_program);
    tcase_add_test(tc, int_input_errors_name_the_problem);
    tcase_add_test(tc, a_returned_size_is_a_symint_output);
    tcase_add_test(tc, fn_runs_once_static_and_once_per_pass_dynamic);
    suite_add_tcase(s, tc);
    return xpt_run_suite(s);
}
