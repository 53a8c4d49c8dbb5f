/*
 * The lookups that keep capture linear in the size of a model
 * (runtime/ir/builder.c, runtime/capture/capture.c): weights found by
 * target, duplicate targets and double mutations rejected through the
 * signature index, the index surviving the reordering the capture does
 * when it finishes, and values found by name. What they must give is what
 * the scans they replace gave; these tests pin that down on models with
 * thousands of weights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/xp_capture.h"
#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static void fails_with(xp_status st, xp_status want, const char *needle) {
    ck_assert_msg(st == want, "expected status %d (%s), got %d: %s", (int)want, xp_status_name(want), (int)st,
                  xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
}

enum { LAYERS = 3000, DIM = 4 };

/* A program of LAYERS buffers "layers.I.state" and a user input x. */
static xp_program *many_buffers(int32_t *x) {
    xp_program *p = xp_program_new("many");
    ck_assert_ptr_nonnull(p);
    char target[64], name[64];
    for (int i = 0; i < LAYERS; i++) {
        snprintf(target, sizeof target, "layers.%d.state", i);
        snprintf(name, sizeof name, "b_layers_%d_state", i);
        ok(xp_program_add_input(p, XP_IN_BUFFER, name, target, XP_F32, 1, (xp_dim[]){DIM}, NULL));
    }
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){DIM}, x));
    return p;
}

START_TEST(input_by_target_finds_every_weight_of_a_large_program) {
    int32_t x;
    xp_program *p = many_buffers(&x);
    char target[64];
    for (int i = 0; i < LAYERS; i++) {
        snprintf(target, sizeof target, "layers.%d.state", i);
        int k = xp_program_input_by_target(p, target);
        ck_assert_int_eq(k, i);
        ck_assert_str_eq(p->sig_in[k].target, target);
    }
    ck_assert_int_eq(xp_program_input_by_target(p, "layers.3000.state"), -1);
    ck_assert_int_eq(xp_program_input_by_target(p, "x"), -1); /* a user input has no target */
    ck_assert_int_eq(xp_program_input_by_target(p, NULL), -1);
    ck_assert_int_eq(xp_program_input_by_target(NULL, "x"), -1);
    xp_program_free(p);
}
END_TEST

START_TEST(duplicate_target_is_rejected_naming_the_first_input) {
    int32_t x, v;
    xp_program *p = many_buffers(&x);
    fails_with(xp_program_add_input(p, XP_IN_PARAMETER, "p_again", "layers.1234.state", XP_F32, 1, (xp_dim[]){DIM}, &v),
               XP_ERR_INVALID_ARG, "input 'p_again': target 'layers.1234.state' is already input 'b_layers_1234_state'");
    ck_assert_int_eq(p->nsig_in, LAYERS + 1); /* nothing added */
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_new", "layers.new", XP_F32, 1, (xp_dim[]){DIM}, &v));
    ck_assert_int_eq(xp_program_input_by_target(p, "layers.new"), LAYERS + 1);
    xp_program_free(p);
}
END_TEST

/* The capture puts weights before user inputs when it finishes, after the
 * index saw them in the order they were added. */
START_TEST(index_follows_a_reordered_signature) {
    int32_t x, v;
    xp_program *p = many_buffers(&x);
    /* rotate: x first, as a reordering by hand would */
    int n = p->nsig_in;
    xp_sig_input last = p->sig_in[n - 1];
    int32_t last_in = p->graph->inputs[n - 1];
    memmove(p->sig_in + 1, p->sig_in, (size_t)(n - 1) * sizeof *p->sig_in);
    memmove(p->graph->inputs + 1, p->graph->inputs, (size_t)(n - 1) * sizeof *p->graph->inputs);
    p->sig_in[0] = last;
    p->graph->inputs[0] = last_in;
    ok(xp_program_verify(p));

    ck_assert_int_eq(xp_program_input_by_target(p, "layers.0.state"), 1);
    ck_assert_int_eq(xp_program_input_by_target(p, "layers.2999.state"), LAYERS);
    fails_with(xp_program_add_input(p, XP_IN_BUFFER, "b_dup", "layers.7.state", XP_F32, 1, (xp_dim[]){DIM}, &v),
               XP_ERR_INVALID_ARG, "target 'layers.7.state' is already input 'b_layers_7_state'");
    /* every buffer mutated once: each finds its buffer, none twice */
    for (int i = 0; i < LAYERS; i++) {
        char target[64];
        snprintf(target, sizeof target, "layers.%d.state", i);
        int32_t y;
        ok(xp_graph_add_node(p->graph, XP_OP_add,
                             (xp_narg[]){xp_narg_value(p->sig_in[i + 1].value), xp_narg_value(x)}, 2, XP_NO_LOC, &y));
        ok(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, y, target));
    }
    fails_with(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, x, "layers.42.state"), XP_ERR_INVALID_ARG,
               "'layers.42.state' is mutated twice");
    fails_with(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, x, "layers.9999.state"), XP_ERR_INVALID_ARG,
               "BUFFER_MUTATION target 'layers.9999.state' names no BUFFER input");
    ok(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, x, "x"));
    fails_with(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, x, "x"), XP_ERR_INVALID_ARG,
               "'x' is mutated twice");
    ok(xp_program_verify(p));
    xp_program_free(p);
}
END_TEST

START_TEST(verify_reports_the_first_of_repeated_targets) {
    int32_t x;
    xp_program *p = many_buffers(&x);
    free(p->sig_in[2500].target);
    p->sig_in[2500].target = strdup("layers.17.state");
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG,
               "signature: input 'b_layers_2500_state': target 'layers.17.state' is already input 'b_layers_17_state'");
    xp_program_free(p);
}
END_TEST

START_TEST(graph_find_value_finds_inputs_and_node_outputs) {
    int32_t x;
    xp_program *p = many_buffers(&x);
    int32_t y;
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &y));
    ck_assert_int_eq(xp_graph_find_value(p->graph, "x"), x);
    ck_assert_int_eq(xp_graph_find_value(p->graph, "relu"), y);
    ck_assert_int_eq(xp_graph_find_value(p->graph, "b_layers_2999_state"), p->sig_in[LAYERS - 1].value);
    ck_assert_int_eq(xp_graph_find_value(p->graph, "relu_1"), -1);
    ck_assert_int_eq(xp_graph_find_value(p->graph, NULL), -1);
    /* a name a subgraph uses is not a value of the program's graph */
    xp_graph *sub = xp_graph_new_sub(p);
    xp_meta m = {.dtype = XP_F32, .ndim = 1, .shape = {DIM}};
    int32_t a;
    ok(xp_graph_add_input(sub, "only_in_sub", &m, &a));
    ck_assert_int_eq(xp_graph_find_value(sub, "only_in_sub"), a);
    ck_assert_int_eq(xp_graph_find_value(p->graph, "only_in_sub"), -1);
    xp_graph_free(sub);
    xp_program_free(p);
}
END_TEST

/* The capture's view of the same: a weight read again is the same input,
 * placeholder names stay unique, and finishing (which reorders the
 * signature) finds every mutated buffer. */
START_TEST(capture_of_many_layers_reads_weights_once_and_mutates_each_buffer) {
    xp_program *p = xp_program_new("layers");
    xp_capture *c = xp_capture_new(p);
    ck_assert_ptr_nonnull(c);
    xp_cref x;
    ok(xp_capture_user_input(c, "x", XP_F32, 1, (xp_dim[]){DIM}, &x));
    char target[64];
    for (int i = 0; i < LAYERS; i++) {
        xp_cref w, again, s;
        snprintf(target, sizeof target, "layers.%d.w", i);
        ok(xp_capture_weight(c, XP_IN_PARAMETER, target, XP_F32, 1, (xp_dim[]){DIM}, &w));
        ok(xp_capture_weight(c, XP_IN_PARAMETER, target, XP_F32, 1, (xp_dim[]){DIM}, &again));
        ck_assert_int_eq(w, again);
        snprintf(target, sizeof target, "layers.%d.s", i);
        ok(xp_capture_weight(c, XP_IN_BUFFER, target, XP_F32, 1, (xp_dim[]){DIM}, &s));
        ok(xp_capture_op(c, XP_OP_mul, (xp_carg[]){xp_carg_t(x), xp_carg_t(w)}, 2, XP_NO_LOC, &x));
        xp_cref out;
        ok(xp_capture_op(c, XP_OP_add_, (xp_carg[]){xp_carg_t(s), xp_carg_t(x)}, 2, XP_NO_LOC, &out));
    }
    /* "layers.0.w" and "layers_0.w" both sanitize to p_layers_0_w */
    xp_cref other;
    ok(xp_capture_weight(c, XP_IN_PARAMETER, "layers_0.w", XP_F32, 1, (xp_dim[]){DIM}, &other));
    fails_with(xp_capture_weight(c, XP_IN_BUFFER, "layers.5.w", XP_F32, 1, (xp_dim[]){DIM}, &other),
               XP_ERR_INVALID_ARG, "buffer 'layers.5.w' is already an input of the program as a parameter");
    ok(xp_capture_output(c, x, NULL));
    ok(xp_capture_finish(c));

    ck_assert_int_eq(p->nsig_in, 2 * LAYERS + 2);
    ck_assert_int_eq(p->nsig_out, LAYERS + 1);
    int k = xp_program_input_by_target(p, "layers_0.w");
    ck_assert_int_ge(k, 0);
    ck_assert_str_eq(p->graph->values[p->sig_in[k].value].name, "p_layers_0_w_1");
    for (int i = 0; i < LAYERS; i++) {
        snprintf(target, sizeof target, "layers.%d.s", i);
        ck_assert_int_eq(p->sig_out[i].kind, XP_OUT_BUFFER_MUTATION);
        ck_assert_str_eq(p->sig_out[i].target, target);
        /* parameters first, then buffers, in the order first read */
        ck_assert_int_eq(xp_program_input_by_target(p, target), LAYERS + 1 + i);
    }
    ck_assert_int_eq(p->sig_out[LAYERS].kind, XP_OUT_USER_OUTPUT);
    xp_capture_free(c);
    xp_program_free(p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("sig_index");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, input_by_target_finds_every_weight_of_a_large_program);
    tcase_add_test(tc, duplicate_target_is_rejected_naming_the_first_input);
    tcase_add_test(tc, index_follows_a_reordered_signature);
    tcase_add_test(tc, verify_reports_the_first_of_repeated_targets);
    tcase_add_test(tc, graph_find_value_finds_inputs_and_node_outputs);
    tcase_add_test(tc, capture_of_many_layers_reads_weights_once_and_mutates_each_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
