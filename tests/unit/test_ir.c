/*
 * The graph IR (runtime/ir): building the tutorial model of DESIGN §1 and
 * printing it exactly as DESIGN §4 shows, the builder's rejections, the
 * verifier catching graphs corrupted by hand, and cond nodes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/xp_ir.h"
#include "testutil.h"

#define IN 100
#define OUT 10

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

/* Asserts `st` failed with `want` and a message containing `needle`. */
static void fails_with(xp_status st, xp_status want, const char *needle) {
    ck_assert_msg(st == want, "expected status %d (%s), got %d: %s", (int)want, xp_status_name(want), (int)st,
                  xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
}

static xp_srcloc loc(xp_program *p, int line, int col) { return (xp_srcloc){xp_program_file(p, "model.c"), line, col}; }

static char *print_to_string(const xp_program *p, bool dot) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    if (dot)
        xp_program_print_dot(p, f);
    else
        xp_program_print(p, f);
    fclose(f);
    return buf;
}

typedef struct tutorial {
    xp_program *p;
    xp_dim batch;
    int32_t w, b, x, y, add, linear, relu;
} tutorial;

/* forward(m, x, y) = relu_(linear(add(x, y), m->lin.weight, m->lin.bias)),
 * with the source locations of DESIGN §4's listing. */
static tutorial build_tutorial(void) {
    tutorial t;
    t.p = xp_program_new("forward");
    ck_assert_ptr_nonnull(t.p);
    t.batch = xp_sym_new(t.p->syms, "batch", 1, 1024);
    ck_assert_msg(xp_dim_is_valid(t.batch), "%s", xp_last_error());
    xp_program *p = t.p;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_weight", "lin.weight", XP_F32, 2, (xp_dim[]){OUT, IN}, &t.w));
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_bias", "lin.bias", XP_F32, 1, (xp_dim[]){OUT}, &t.b));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){t.batch, IN}, &t.x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){t.batch, IN}, &t.y));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(t.x), xp_narg_value(t.y)}, 2, loc(p, 19, 33),
                         &t.add));
    ok(xp_graph_add_node(p->graph, XP_OP_linear,
                         (xp_narg[]){xp_narg_value(t.add), xp_narg_value(t.w), xp_narg_value(t.b)}, 3, loc(p, 19, 21),
                         &t.linear));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(t.linear)}, 1, loc(p, 19, 12), &t.relu));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, t.relu, NULL));
    return t;
}

/* DESIGN §4, verbatim. */
static const char *const tutorial_text =
    "exported program forward\n"
    "graph(p_lin_weight: f32[10, 100], p_lin_bias: f32[10], x: f32[batch, 100], y: f32[batch, 100]):\n"
    "  %add    = xp.add(x, y)                                  f32[batch, 100]  model.c:19:33\n"
    "  %linear = xp.linear(%add, p_lin_weight, p_lin_bias)     f32[batch, 10]   model.c:19:21\n"
    "  %relu   = xp.relu(%linear)                              f32[batch, 10]   model.c:19:12\n"
    "  return (%relu)\n"
    "signature:\n"
    "  p_lin_weight  PARAMETER   lin.weight\n"
    "  p_lin_bias    PARAMETER   lin.bias\n"
    "  x, y          USER_INPUT\n"
    "  %relu         USER_OUTPUT\n"
    "range constraints:\n"
    "  batch: [1, 1024]\n";

/* ---- building and printing ---- */

START_TEST(tutorial_model_builds_verifies_and_prints_as_in_design) {
    tutorial t = build_tutorial();
    ok(xp_program_verify(t.p));
    const xp_value *v = &t.p->graph->values[t.linear];
    ck_assert_int_eq(v->meta.dtype, XP_F32);
    ck_assert_int_eq(v->meta.ndim, 2);
    ck_assert(v->meta.shape[0] == t.batch);
    ck_assert_int_eq(v->meta.shape[1], OUT);
    char *text = print_to_string(t.p, false);
    ck_assert_str_eq(text, tutorial_text);
    free(text);
    xp_program_free(t.p);
}
END_TEST

START_TEST(builder_names_outputs_after_the_op_uniquely) {
    tutorial t = build_tutorial();
    xp_graph *g = t.p->graph;
    int32_t a1, a2;
    ok(xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(t.x), xp_narg_value(t.y)}, 2, XP_NO_LOC, &a1));
    ok(xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(a1), xp_narg_value(t.y)}, 2, XP_NO_LOC, &a2));
    ck_assert_str_eq(g->values[t.add].name, "add");
    ck_assert_str_eq(g->values[a1].name, "add_1");
    ck_assert_str_eq(g->values[a2].name, "add_2");
    ck_assert_str_eq(g->nodes[g->nnodes - 1].name, "add_2");
    ck_assert_int_eq(g->values[a2].producer, g->nnodes - 1);
    ok(xp_program_verify(t.p));
    xp_program_free(t.p);
}
END_TEST

START_TEST(builder_avoids_names_taken_by_inputs) {
    xp_program *p = xp_program_new("names");
    int32_t relu_in, r;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "relu", NULL, XP_F32, 1, (xp_dim[]){4}, &relu_in));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(relu_in)}, 1, XP_NO_LOC, &r));
    ck_assert_str_eq(p->graph->values[r].name, "relu_1");
    xp_program_free(p);
}
END_TEST

START_TEST(builder_fills_schema_defaults) {
    tutorial t = build_tutorial();
    int32_t lin;
    ok(xp_graph_add_node(t.p->graph, XP_OP_linear, (xp_narg[]){xp_narg_value(t.x), xp_narg_value(t.w)}, 2, XP_NO_LOC,
                         &lin));
    const xp_node *n = &t.p->graph->nodes[t.p->graph->nnodes - 1];
    ck_assert_int_eq(n->nargs, 3);
    ck_assert_int_eq(n->args[2].kind, XP_ARG_NONE);
    ok(xp_program_verify(t.p));
    xp_program_free(t.p);
}
END_TEST

START_TEST(builder_rejects_shape_mismatch_and_adds_nothing) {
    tutorial t = build_tutorial();
    xp_graph *g = t.p->graph;
    int32_t z, out = -1;
    ok(xp_program_add_input(t.p, XP_IN_USER_INPUT, "z", NULL, XP_F32, 2, (xp_dim[]){t.batch, 99}, &z));
    int nodes = g->nnodes, values = g->nvalues;
    xp_status st =
        xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(t.x), xp_narg_value(z)}, 2, XP_NO_LOC, &out);
    fails_with(st, XP_ERR_SHAPE, "add");
    xpt_assert_contains(xp_last_error(), "99");
    ck_assert_int_eq(g->nnodes, nodes);
    ck_assert_int_eq(g->nvalues, values);
    ck_assert_int_eq(out, -1);
    ok(xp_program_verify(t.p));
    xp_program_free(t.p);
}
END_TEST

START_TEST(builder_rejects_unknown_values_and_wrong_kinds) {
    tutorial t = build_tutorial();
    xp_graph *g = t.p->graph;
    int32_t out;
    fails_with(xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(t.x), xp_narg_value(42)}, 2, XP_NO_LOC, &out),
               XP_ERR_INVALID_ARG, "add: argument 'other': 42 is not a value of this graph");
    fails_with(xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(t.x), xp_narg_float(1.0)}, 2, XP_NO_LOC, &out),
               XP_ERR_INVALID_ARG, "other");
    fails_with(xp_graph_add_node(g, XP_OP_add, (xp_narg[]){xp_narg_value(t.x)}, 1, XP_NO_LOC, &out), XP_ERR_INVALID_ARG,
               "other");
    fails_with(xp_graph_add_node(g, XP_OP_relu_, (xp_narg[]){xp_narg_value(t.x)}, 1, XP_NO_LOC, &out),
               XP_ERR_INVALID_ARG, "use 'relu'");
    fails_with(xp_graph_add_node(g, XP_OP_cond, NULL, 0, XP_NO_LOC, &out), XP_ERR_INVALID_ARG, "xp_graph_add_cond");
    ok(xp_program_verify(t.p));
    xp_program_free(t.p);
}
END_TEST

START_TEST(builder_rejects_bad_inputs_and_outputs) {
    tutorial t = build_tutorial();
    xp_program *p = t.p;
    int32_t v;
    fails_with(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){3}, &v), XP_ERR_INVALID_ARG,
               "input 'x' is defined twice");
    fails_with(xp_program_add_input(p, XP_IN_USER_INPUT, "1x", NULL, XP_F32, 1, (xp_dim[]){3}, &v), XP_ERR_INVALID_ARG,
               "not an identifier");
    fails_with(xp_program_add_input(p, XP_IN_PARAMETER, "w2", NULL, XP_F32, 1, (xp_dim[]){3}, &v), XP_ERR_INVALID_ARG,
               "a PARAMETER needs a target");
    fails_with(xp_program_add_input(p, XP_IN_BUFFER, "w3", "lin.weight", XP_F32, 1, (xp_dim[]){3}, &v),
               XP_ERR_INVALID_ARG, "target 'lin.weight' is already input 'p_lin_weight'");
    fails_with(xp_program_add_input(p, XP_IN_USER_INPUT, "u", "u.target", XP_F32, 1, (xp_dim[]){3}, &v),
               XP_ERR_INVALID_ARG, "a USER_INPUT has no target");
    fails_with(xp_program_add_input(p, XP_IN_USER_INPUT, "u", NULL, XP_F32, 1, (xp_dim[]){-3}, &v), XP_ERR_SHAPE,
               "negative size -3");
    fails_with(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, t.relu, "nope"), XP_ERR_INVALID_ARG,
               "USER_INPUT_MUTATION target 'nope' names no USER_INPUT input");
    fails_with(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, t.relu, "x"), XP_ERR_SHAPE,
               "writes f32[batch, 10] into 'x' of type f32[batch, 100]");
    fails_with(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, t.relu, "lin.bias"), XP_ERR_INVALID_ARG,
               "names no BUFFER input");
    ok(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, t.add, "x"));
    fails_with(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, t.add, "x"), XP_ERR_INVALID_ARG,
               "'x' is mutated twice");
    ok(xp_program_verify(p));
    xp_program_free(p);
}
END_TEST

START_TEST(symint_inputs_print_and_verify) {
    xp_program *p = xp_program_new("symint");
    xp_dim n = xp_sym_new(p->syms, "n", 1, 64);
    int32_t x, ni, r;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){xp_dim_add(p->syms, n, 1)}, &x));
    ok(xp_program_add_symint_input(p, "len", n, &ni));
    fails_with(xp_program_add_symint_input(p, "bad", 5, &r), XP_ERR_INVALID_ARG, "bound to one symbol");
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &r));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, r, NULL));
    ok(xp_program_verify(p));
    char *text = print_to_string(p, false);
    xpt_assert_contains(text, "graph(x: f32[n + 1], len: SymInt(n)):");
    xpt_assert_contains(text, "  %relu = xp.relu(x)     f32[n + 1]\n");
    xpt_assert_contains(text, "  len    SYMINT\n");
    xpt_assert_contains(text, "  n: [1, 64]\n  n + 1: [2, 65]\n");
    free(text);
    xp_program_free(p);
}
END_TEST

START_TEST(printer_shows_non_default_scalars_by_name) {
    xp_program *p = xp_program_new("args");
    int32_t x, tr, s;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){3, 4}, &x));
    ok(xp_graph_add_node(p->graph, XP_OP_transpose, (xp_narg[]){xp_narg_value(x), xp_narg_int(0), xp_narg_int(1)}, 3,
                         XP_NO_LOC, &tr));
    ok(xp_graph_add_node(p->graph, XP_OP_mul_scalar, (xp_narg[]){xp_narg_value(tr), xp_narg_float(0.5)}, 2, XP_NO_LOC,
                         &s));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, s, NULL));
    char *text = print_to_string(p, false);
    xpt_assert_contains(text, "%transpose  = xp.transpose(x, dim0=0, dim1=1)");
    xpt_assert_contains(text, "%mul_scalar = xp.mul_scalar(%transpose, other=0.5)");
    ck_assert_ptr_null(strstr(text, "range constraints"));
    free(text);
    xp_program_free(p);
}
END_TEST

START_TEST(formatters_write_locations_and_types) {
    tutorial t = build_tutorial();
    char buf[64];
    ck_assert_int_eq(xp_srcloc_format(t.p, loc(t.p, 12, 31), buf, sizeof buf), 13);
    ck_assert_str_eq(buf, "model.c:12:31");
    ck_assert_int_eq(xp_srcloc_format(t.p, XP_NO_LOC, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    const xp_meta *m = &t.p->graph->values[t.x].meta;
    ck_assert_int_eq(xp_meta_format(t.p, m, buf, sizeof buf), 15);
    ck_assert_str_eq(buf, "f32[batch, 100]");
    /* snprintf-like: truncates, still reports the full length */
    ck_assert_int_eq(xp_meta_format(t.p, m, buf, 6), 15);
    ck_assert_str_eq(buf, "f32[b");
    xp_meta scalar = {.dtype = XP_BOOL, .ndim = 0};
    xp_meta_format(t.p, &scalar, buf, sizeof buf);
    ck_assert_str_eq(buf, "bool[]");
    xp_program_free(t.p);
}
END_TEST

START_TEST(dot_output_has_nodes_and_edges) {
    tutorial t = build_tutorial();
    char *dot = print_to_string(t.p, true);
    xpt_assert_contains(dot, "digraph \"forward\" {");
    xpt_assert_contains(dot, "g0_n0 [label=\"%add = xp.add\\nf32[batch, 100]\\nmodel.c:19:33\"];");
    xpt_assert_contains(dot, "g0_v2 -> g0_n0;");
    xpt_assert_contains(dot, "g0_n0 -> g0_n1;");
    xpt_assert_contains(dot, "PARAMETER lin.weight");
    xpt_assert_contains(dot, "g0_n2 -> out0;");
    free(dot);
    xp_program_free(t.p);
}
END_TEST

/* ---- the verifier on graphs corrupted by hand ---- */

START_TEST(verify_catches_use_before_def) {
    tutorial t = build_tutorial();
    t.p->graph->nodes[0].args[1].value = t.relu; /* add(x, %relu) before relu exists */
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG,
               "%add (model.c:19:33): argument 'other' uses %relu before it is defined");
    xp_program_free(t.p);
}
END_TEST

START_TEST(verify_catches_value_out_of_range) {
    tutorial t = build_tutorial();
    t.p->graph->nodes[2].args[0].value = 1000;
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG,
               "%relu (model.c:19:12): argument 'self': 1000 is not a value");
    xp_program_free(t.p);
}
END_TEST

START_TEST(verify_catches_wrong_output_meta) {
    tutorial t = build_tutorial();
    t.p->graph->values[t.linear].meta.shape[1] = 11;
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG,
               "%linear (model.c:19:21): output 0 is f32[batch, 11] but 'linear' infers f32[batch, 10]");
    t.p->graph->values[t.linear].meta.shape[1] = OUT;
    t.p->graph->values[t.add].meta.dtype = XP_F64;
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG, "%add (model.c:19:33): output 0 is f64[batch, 100]");
    xp_program_free(t.p);
}
END_TEST

START_TEST(verify_catches_wrong_argument_kind_and_count) {
    tutorial t = build_tutorial();
    xp_node *relu = &t.p->graph->nodes[2];
    relu->args[0] = xp_narg_int(3);
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG, "%relu (model.c:19:12): relu: argument 'self'");
    relu->args[0] = xp_narg_value(t.linear);
    relu->nargs = 0;
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG, "%relu (model.c:19:12): has 0 arguments; 'relu' takes 1");
    relu->nargs = 1;
    ok(xp_program_verify(t.p));
    xp_program_free(t.p);
}
END_TEST

START_TEST(verify_catches_double_definition) {
    tutorial t = build_tutorial();
    xp_graph *g = t.p->graph;
    /* relu claims to produce the add's value */
    g->nodes[2].outs[0] = t.add;
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG, "%relu (model.c:19:12)");
    g->nodes[2].outs[0] = t.relu;
    free(g->values[t.relu].name);
    g->values[t.relu].name = strdup("add");
    free(g->nodes[2].name);
    g->nodes[2].name = strdup("add");
    fails_with(xp_program_verify(t.p), XP_ERR_INVALID_ARG, "value 'add' is defined twice");
    xp_program_free(t.p);
}
END_TEST

START_TEST(verify_catches_bad_signature) {
    tutorial t = build_tutorial();
    xp_program *p = t.p;
    char *target = p->sig_in[0].target;
    p->sig_in[0].target = NULL;
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG, "signature: input 'p_lin_weight': a PARAMETER needs a target");
    p->sig_in[0].target = target;
    p->sig_in[2].kind = XP_IN_SYMINT;
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG, "input 'x' is a tensor; its kind cannot be SYMINT");
    p->sig_in[2].kind = XP_IN_USER_INPUT;
    p->sig_out[0].kind = XP_OUT_BUFFER_MUTATION;
    p->sig_out[0].target = strdup("lin.weight");
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG, "BUFFER_MUTATION target 'lin.weight' names no BUFFER input");
    free(p->sig_out[0].target);
    p->sig_out[0].target = NULL;
    p->sig_out[0].kind = XP_OUT_USER_OUTPUT;
    p->sig_in[3].value = t.x;
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG,
               "signature: input 3 names value 2 but graph input 3 is value 3");
    p->sig_in[3].value = t.y;
    p->nsig_out = 0;
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG, "signature: 0 output entries for 1 graph outputs");
    p->nsig_out = 1;
    ok(xp_program_verify(p));
    xp_program_free(p);
}
END_TEST

/* ---- cond ---- */

typedef struct cond_model {
    xp_program *p;
    xp_dim batch;
    int32_t flag, x, y;
} cond_model;

static cond_model cond_inputs(void) {
    cond_model c;
    c.p = xp_program_new("branchy");
    c.batch = xp_sym_new(c.p->syms, "batch", 1, 1024);
    ok(xp_program_add_input(c.p, XP_IN_USER_INPUT, "flag", NULL, XP_BOOL, 0, NULL, &c.flag));
    ok(xp_program_add_input(c.p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){c.batch, 4}, &c.x));
    ok(xp_program_add_input(c.p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){c.batch, 4}, &c.y));
    return c;
}

/* A branch taking (a, b) and returning op(a, b) (or `a` converted to f64 when op is `to`). */
static xp_graph *branch(cond_model *c, xp_op_id op, int nouts) {
    xp_graph *g = xp_graph_new_sub(c->p);
    xp_meta m = {.dtype = XP_F32, .ndim = 2, .shape = {c->batch, 4}};
    int32_t a, b, r[2];
    ok(xp_graph_add_input(g, "a", &m, &a));
    ok(xp_graph_add_input(g, "b", &m, &b));
    if (op == XP_OP_to)
        ok(xp_graph_add_node(g, op, (xp_narg[]){xp_narg_value(a), xp_narg_dtype(XP_F64)}, 2, XP_NO_LOC, &r[0]));
    else
        ok(xp_graph_add_node(g, op, (xp_narg[]){xp_narg_value(a), xp_narg_value(b)}, 2, XP_NO_LOC, &r[0]));
    r[1] = a;
    ok(xp_graph_set_outputs(g, nouts, r));
    return g;
}

START_TEST(cond_node_builds_verifies_and_prints_branches) {
    cond_model c = cond_inputs();
    xp_program *p = c.p;
    int32_t out;
    ok(xp_graph_add_cond(p->graph, c.flag, 2, (int32_t[]){c.x, c.y}, branch(&c, XP_OP_add, 1), branch(&c, XP_OP_sub, 1),
                         loc(p, 30, 5), &out));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, out, NULL));
    ok(xp_program_verify(p));
    ck_assert_str_eq(p->graph->values[out].name, "cond");
    char *text = print_to_string(p, false);
    const char *want = "  %cond = xp.cond(flag, [x, y])     f32[batch, 4]  model.c:30:5\n"
                       "    true_branch(a: f32[batch, 4], b: f32[batch, 4]):\n"
                       "      %add = xp.add(a, b)     f32[batch, 4]\n"
                       "      return (%add)\n"
                       "    false_branch(a: f32[batch, 4], b: f32[batch, 4]):\n"
                       "      %sub = xp.sub(a, b)     f32[batch, 4]\n"
                       "      return (%sub)\n"
                       "  return (%cond)\n";
    xpt_assert_contains(text, want);
    free(text);
    char *dot = print_to_string(p, true);
    xpt_assert_contains(dot, "subgraph cluster_g1");
    xpt_assert_contains(dot, "style=dashed");
    free(dot);
    xp_program_free(p);
}
END_TEST

START_TEST(cond_rejects_mismatched_branches) {
    cond_model c = cond_inputs();
    xp_program *p = c.p;
    int32_t out[2];
    int32_t ops[2] = {c.x, c.y};
    fails_with(
        xp_graph_add_cond(p->graph, c.flag, 2, ops, branch(&c, XP_OP_add, 1), branch(&c, XP_OP_to, 1), XP_NO_LOC, out),
        XP_ERR_DTYPE, "cond: output 0 differs between the branches: f32[batch, 4] (true) and f64[batch, 4] (false)");
    fails_with(
        xp_graph_add_cond(p->graph, c.flag, 2, ops, branch(&c, XP_OP_add, 2), branch(&c, XP_OP_sub, 1), XP_NO_LOC, out),
        XP_ERR_SHAPE, "cond: the branches return different numbers of tensors: 2 (true) and 1 (false)");
    fails_with(
        xp_graph_add_cond(p->graph, c.x, 2, ops, branch(&c, XP_OP_add, 1), branch(&c, XP_OP_sub, 1), XP_NO_LOC, out),
        XP_ERR_DTYPE, "cond: predicate x must be a one-element bool tensor, not f32[batch, 4]");
    fails_with(
        xp_graph_add_cond(p->graph, c.flag, 1, ops, branch(&c, XP_OP_add, 1), branch(&c, XP_OP_sub, 1), XP_NO_LOC, out),
        XP_ERR_INVALID_ARG, "cond: the true branch takes 2 inputs but there is 1 operand");
    int32_t w;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "w", NULL, XP_F32, 2, (xp_dim[]){c.batch, 5}, &w));
    fails_with(xp_graph_add_cond(p->graph, c.flag, 2, (int32_t[]){c.x, w}, branch(&c, XP_OP_add, 1),
                                 branch(&c, XP_OP_sub, 1), XP_NO_LOC, out),
               XP_ERR_SHAPE, "the true branch's input 1 (b) is f32[batch, 4] but operand 1 (w) is f32[batch, 5]");
    ck_assert_int_eq(p->graph->nnodes, 0);
    ok(xp_program_verify(p)); /* nothing was added; the rejected branches were freed (ASan checks) */
    xp_program_free(p);
}
END_TEST

START_TEST(verify_catches_corrupted_cond) {
    cond_model c = cond_inputs();
    xp_program *p = c.p;
    int32_t out;
    ok(xp_graph_add_cond(p->graph, c.flag, 2, (int32_t[]){c.x, c.y}, branch(&c, XP_OP_add, 1), branch(&c, XP_OP_sub, 1),
                         loc(p, 30, 5), &out));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, out, NULL));
    xp_graph *fb = p->graph->nodes[0].sub[1];
    fb->values[fb->outputs[0]].meta.shape[1] = 5; /* the false branch's sub claims [batch, 5] */
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG, "output 0 differs between the branches");
    fb->values[fb->outputs[0]].meta.shape[1] = 4;
    fb->nodes[0].args[1].value = 7;
    fails_with(xp_program_verify(p), XP_ERR_INVALID_ARG,
               "false branch of %cond (model.c:30:5): %sub: argument 'other'");
    xp_program_free(p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("ir");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, tutorial_model_builds_verifies_and_prints_as_in_design);
    tcase_add_test(tc, builder_names_outputs_after_the_op_uniquely);
    tcase_add_test(tc, builder_avoids_names_taken_by_inputs);
    tcase_add_test(tc, builder_fills_schema_defaults);
    tcase_add_test(tc, builder_rejects_shape_mismatch_and_adds_nothing);
    tcase_add_test(tc, builder_rejects_unknown_values_and_wrong_kinds);
    tcase_add_test(tc, builder_rejects_bad_inputs_and_outputs);
    tcase_add_test(tc, symint_inputs_print_and_verify);
    tcase_add_test(tc, printer_shows_non_default_scalars_by_name);
    tcase_add_test(tc, formatters_write_locations_and_types);
    tcase_add_test(tc, dot_output_has_nodes_and_edges);
    suite_add_tcase(s, tc);
    TCase *tv = tcase_create("verify");
    tcase_add_test(tv, verify_catches_use_before_def);
    tcase_add_test(tv, verify_catches_value_out_of_range);
    tcase_add_test(tv, verify_catches_wrong_output_meta);
    tcase_add_test(tv, verify_catches_wrong_argument_kind_and_count);
    tcase_add_test(tv, verify_catches_double_definition);
    tcase_add_test(tv, verify_catches_bad_signature);
    suite_add_tcase(s, tv);
    TCase *tcnd = tcase_create("cond");
    tcase_add_test(tcnd, cond_node_builds_verifies_and_prints_branches);
    tcase_add_test(tcnd, cond_rejects_mismatched_branches);
    tcase_add_test(tcnd, verify_catches_corrupted_cond);
    suite_add_tcase(s, tcnd);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
