/*
 * The .xpg format (runtime/io/program_json.c): save -> load gives the same
 * program, every kind of malformed file is rejected with a message naming
 * its JSON path, and no input — truncated or corrupted at any byte —
 * crashes the reader (run this file under ASan+UBSan too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static void fails_with(xp_status st, xp_status want, const char *needle) {
    ck_assert_msg(st == want, "expected status %d (%s), got %d: %s", (int)want, xp_status_name(want), (int)st,
                  xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
}

static char *print_to_string(const xp_program *p) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    return buf;
}

static xp_srcloc loc(xp_program *p, int line, int col) { return (xp_srcloc){xp_program_file(p, "model.c"), line, col}; }

/* DESIGN §1's tutorial model. */
static xp_program *build_tutorial(void) {
    xp_program *p = xp_program_new("forward");
    xp_dim batch = xp_sym_new(p->syms, "batch", 1, 1024);
    int32_t w, b, x, y, add, lin, relu;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_weight", "lin.weight", XP_F32, 2, (xp_dim[]){10, 100}, &w));
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_bias", "lin.bias", XP_F32, 1, (xp_dim[]){10}, &b));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){batch, 100}, &x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){batch, 100}, &y));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(x), xp_narg_value(y)}, 2, loc(p, 19, 33),
                         &add));
    ok(xp_graph_add_node(p->graph, XP_OP_linear, (xp_narg[]){xp_narg_value(add), xp_narg_value(w), xp_narg_value(b)}, 3,
                         loc(p, 19, 21), &lin));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(lin)}, 1, loc(p, 19, 12), &relu));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, relu, NULL));
    return p;
}

static xp_graph *branch(xp_program *p, xp_dim batch, xp_op_id op) {
    xp_graph *g = xp_graph_new_sub(p);
    xp_meta m = {.dtype = XP_F32, .ndim = 2, .shape = {batch, 10}};
    int32_t a, b, r;
    ok(xp_graph_add_input(g, "a", &m, &a));
    ok(xp_graph_add_input(g, "b", &m, &b));
    ok(xp_graph_add_node(g, op, (xp_narg[]){xp_narg_value(a), xp_narg_value(b)}, 2, loc(p, 40, 9), &r));
    ok(xp_graph_set_outputs(g, 1, &r));
    return g;
}

/* Every feature the format carries: all input kinds but CONSTANT, symbolic
 * int arguments, defaults, non-finite floats, dtypes, cond, mutations. */
static xp_program *build_rich(void) {
    xp_program *p = xp_program_new("rich");
    xp_dim batch = xp_sym_new(p->syms, "batch", 1, 1024);
    xp_dim n = xp_sym_new(p->syms, "n", 2, XP_SYM_MAX_DEFAULT);
    int32_t w, cache, flag, x, steps, t, t2, lin, ms, c, cast, upd, flat;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_w", "lin.weight", XP_F32, 2, (xp_dim[]){10, 100}, &w));
    ok(xp_program_add_input(p, XP_IN_BUFFER, "b_cache", "cache", XP_F32, 2, (xp_dim[]){4, 10}, &cache));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "flag", NULL, XP_BOOL, 0, NULL, &flag));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){batch, 100}, &x));
    ok(xp_program_add_symint_input(p, "steps", n, &steps));
    ok(xp_graph_add_node(p->graph, XP_OP_transpose, (xp_narg[]){xp_narg_value(x), xp_narg_int(0), xp_narg_int(1)}, 3,
                         loc(p, 30, 5), &t));
    ok(xp_graph_add_node(p->graph, XP_OP_transpose, (xp_narg[]){xp_narg_value(t), xp_narg_int(-1), xp_narg_int(0)}, 3,
                         XP_NO_LOC, &t2));
    ok(xp_graph_add_node(p->graph, XP_OP_linear, (xp_narg[]){xp_narg_value(t2), xp_narg_value(w)}, 2, loc(p, 31, 5),
                         &lin));
    ok(xp_graph_add_node(p->graph, XP_OP_mul_scalar, (xp_narg[]){xp_narg_value(lin), xp_narg_float(-INFINITY)}, 2,
                         loc(p, 32, 5), &ms));
    ok(xp_graph_add_cond(p->graph, flag, 2, (int32_t[]){ms, lin}, branch(p, batch, XP_OP_add),
                         branch(p, batch, XP_OP_sub), loc(p, 33, 5), &c));
    ok(xp_graph_add_node(p->graph, XP_OP_to, (xp_narg[]){xp_narg_value(c), xp_narg_dtype(XP_F16)}, 2, loc(p, 34, 5),
                         &cast));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(cache), xp_narg_value(cache)}, 2, loc(p, 35, 5),
                         &upd));
    xp_dim flat_size = xp_dim_mul(p->syms, batch, 100);
    ok(xp_graph_add_node(p->graph, XP_OP_view, (xp_narg[]){xp_narg_value(x), xp_narg_ints(1, &flat_size)}, 2,
                         loc(p, 36, 5), &flat));
    ok(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, upd, "cache"));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, cast, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, flat, NULL));
    int32_t size; /* a SYMINT output: a size the program computes */
    ok(xp_program_add_symint_value(p, xp_dim_add(p->syms, xp_dim_mul(p->syms, batch, 2), 1), &size));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, size, "size"));
    ok(xp_program_verify(p));
    return p;
}

static char *to_json(const xp_program *p, size_t *len) {
    char *text = NULL;
    ok(xp_program_to_json(p, &text, len));
    ck_assert_ptr_nonnull(text);
    return text;
}

/* save -> load -> print and serialize again: both must be unchanged. */
static void assert_round_trip(xp_program *p, const char *file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", xpt_tmpdir(), file);
    ok(xp_program_save(p, path));
    xp_program *q = NULL;
    ok(xp_program_load(path, &q));
    char *a = print_to_string(p), *b = print_to_string(q);
    ck_assert_str_eq(b, a);
    size_t la, lb;
    char *ja = to_json(p, &la), *jb = to_json(q, &lb);
    ck_assert_str_eq(jb, ja);
    free(a);
    free(b);
    free(ja);
    free(jb);
    xp_program_free(q);
}

START_TEST(tutorial_round_trips_through_a_file) {
    xp_program *p = build_tutorial();
    assert_round_trip(p, "forward.xpg");
    xp_program_free(p);
}
END_TEST

START_TEST(rich_program_round_trips_through_a_file) {
    xp_program *p = build_rich();
    assert_round_trip(p, "rich.xpg");
    size_t len;
    char *text = to_json(p, &len);
    /* documented encodings (docs/program-format.md) */
    xpt_assert_contains(text, "\"format\": \"xport.program\"");
    xpt_assert_contains(text, "\"version\": 1");
    xpt_assert_contains(text, "{\"name\": \"batch\", \"min\": 1, \"max\": 1024}");
    xpt_assert_contains(text, "\"shape\": [\"batch\", 100]");
    xpt_assert_contains(text, "{\"name\": \"steps\", \"kind\": \"SYMINT\", \"target\": null, \"sym\": \"n\"}");
    xpt_assert_contains(text, "{\"float\": \"-inf\"}");
    xpt_assert_contains(text, "{\"dtype\": \"f16\"}");
    xpt_assert_contains(text, "{\"ints\": [\"100*batch\"]}");
    xpt_assert_contains(text, "\"loc\": [0, 33, 5]");
    xpt_assert_contains(text, "\"subgraphs\": [{\"inputs\": [{\"name\": \"a\"");
    xpt_assert_contains(text, "{\"value\": \"add_1\", \"kind\": \"BUFFER_MUTATION\", \"target\": \"cache\"}");
    free(text);
    xp_program_free(p);
}
END_TEST

static int count_dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

START_TEST(save_replaces_atomically_and_reports_io_errors) {
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/atomic", xpt_tmpdir());
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/model.xpg", dir);
    xp_program *p = build_tutorial(), *r = build_rich();
    ok(xp_program_save(p, path));
    ok(xp_program_save(r, path));                /* replaces */
    ck_assert_int_eq(count_dir_entries(dir), 1); /* no temporary left behind */
    xp_program *q = NULL;
    ok(xp_program_load(path, &q));
    ck_assert_str_eq(xp_program_name(q), "rich");
    xp_program_free(q);
    fails_with(xp_program_save(p, "/nonexistent-dir/x.xpg"), XP_ERR_IO, "/nonexistent-dir/x.xpg");
    fails_with(xp_program_load("/nonexistent-dir/x.xpg", &q), XP_ERR_IO, "cannot open '/nonexistent-dir/x.xpg'");
    ck_assert_ptr_null(q);
    /* an invalid program is never written */
    p->graph->nodes[0].args[0].value = 99;
    fails_with(xp_program_save(p, path), XP_ERR_INVALID_ARG, "cannot serialize program 'forward'");
    ok(xp_program_load(path, &q));
    ck_assert_str_eq(xp_program_name(q), "rich");
    xp_program_free(q);
    xp_program_free(p);
    xp_program_free(r);
}
END_TEST

START_TEST(load_error_names_the_file) {
    char path[512];
    snprintf(path, sizeof path, "%s/garbage.xpg", xpt_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"xport.program\",\n  \"version\": }", f);
    fclose(f);
    xp_program *q = (xp_program *)1;
    fails_with(xp_program_load(path, &q), XP_ERR_FORMAT, "garbage.xpg: invalid JSON at line 2, column");
    ck_assert_ptr_null(q);
}
END_TEST

/* ---- malformed files: edit the tutorial's JSON tree, expect a message ---- */

static json_t *tutorial_tree(void) {
    xp_program *p = build_tutorial();
    size_t len;
    char *text = to_json(p, &len);
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    ck_assert_msg(root != NULL, "%s", err.text);
    free(text);
    xp_program_free(p);
    return root;
}

/* Loads the edited tree; asserts the failure and frees the tree. */
static void rejects(json_t *root, xp_status want, const char *needle) {
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    xp_program *q = (xp_program *)1;
    xp_status st = xp_program_load_json(text, strlen(text), &q);
    free(text);
    fails_with(st, want, needle);
    ck_assert_ptr_null(q);
}

static json_t *at(json_t *root, const char *key, int index) {
    return json_array_get(json_object_get(root, key), (size_t)index);
}
static json_t *node(json_t *root, int i) { return at(root, "nodes", i); }

START_TEST(loader_accepts_the_unedited_tree) {
    json_t *root = tutorial_tree();
    char *text = json_dumps(root, JSON_COMPACT);
    xp_program *q = NULL;
    ok(xp_program_load_json(text, strlen(text), &q));
    ok(xp_program_verify(q));
    free(text);
    json_decref(root);
    xp_program_free(q);
}
END_TEST

/* A version-1 file as a person or another tool might write it: keys in any
 * order, optional parts left out, a trailing default argument omitted.
 * Guards the format against silent drift. */
START_TEST(loader_reads_a_handwritten_v1_file) {
    static const char text[] =
        "{\"version\": 1, \"format\": \"xport.program\", \"name\": \"hand\", \"extra\": {\"ignored\": true},\n"
        " \"symbols\": [{\"max\": 64, \"min\": 2, \"name\": \"s\"}],\n"
        " \"inputs\": [{\"kind\": \"USER_INPUT\", \"name\": \"x\", \"dtype\": \"f32\", \"shape\": [\"2*s\", 3]},\n"
        "            {\"kind\": \"PARAMETER\", \"name\": \"w\", \"target\": \"fc.weight\", \"dtype\": \"f32\", "
        "\"shape\": [5, 3]}],\n"
        " \"nodes\": [{\"op\": \"linear\", \"name\": \"fc\", \"args\": [{\"tensor\": \"x\"}, {\"tensor\": \"w\"}],\n"
        "            \"outputs\": [{\"name\": \"fc\", \"dtype\": \"f32\", \"shape\": [\"2*s\", 5]}]}],\n"
        " \"outputs\": [{\"value\": \"fc\", \"kind\": \"USER_OUTPUT\"}]}";
    xp_program *q = NULL;
    ok(xp_program_load_json(text, sizeof text - 1, &q));
    ck_assert_int_eq(q->graph->nodes[0].nargs, 3); /* bias=None filled in */
    char *printed = print_to_string(q);
    ck_assert_str_eq(printed, "exported program hand\n"
                              "graph(x: f32[2*s, 3], w: f32[5, 3]):\n"
                              "  %fc = xp.linear(x, w)     f32[2*s, 5]\n"
                              "  return (%fc)\n"
                              "signature:\n"
                              "  x    USER_INPUT\n"
                              "  w    PARAMETER   fc.weight\n"
                              "  %fc  USER_OUTPUT\n"
                              "range constraints:\n"
                              "  s: [2, 64]\n"
                              "  2*s: [4, 128]\n");
    free(printed);
    xp_program_free(q);
}
END_TEST

START_TEST(loader_rejects_garbage_and_wrong_headers) {
    xp_program *q = (xp_program *)1;
    fails_with(xp_program_load_json("{\"format\": ", 11, &q), XP_ERR_FORMAT, "invalid JSON at line 1, column");
    ck_assert_ptr_null(q);
    fails_with(xp_program_load_json("[1, 2]", 6, &q), XP_ERR_FORMAT, "(top level): expected an object, not an array");
    fails_with(xp_program_load_json("{\"a\": 1, \"a\": 2}", 16, &q), XP_ERR_FORMAT, "duplicate object key");

    json_t *r = tutorial_tree();
    json_object_set_new(r, "format", json_string("xport.prog"));
    rejects(r, XP_ERR_FORMAT, "format: expected \"xport.program\", not \"xport.prog\"");
    r = tutorial_tree();
    json_object_del(r, "format");
    rejects(r, XP_ERR_FORMAT, "(top level): missing \"format\"");
    r = tutorial_tree();
    json_object_set_new(r, "version", json_integer(2));
    rejects(r, XP_ERR_UNSUPPORTED, "version 2 is newer than this libxport supports (1)");
    r = tutorial_tree();
    json_object_set_new(r, "version", json_integer(0));
    rejects(r, XP_ERR_FORMAT, "version: 0 is not a valid version");
    r = tutorial_tree();
    json_object_set_new(r, "version", json_string("1"));
    rejects(r, XP_ERR_FORMAT, "\"version\" must be an integer, not a string");
    r = tutorial_tree();
    json_object_set_new(r, "nodes", json_object());
    rejects(r, XP_ERR_FORMAT, "\"nodes\" must be an array, not an object");
}
END_TEST

START_TEST(loader_rejects_unknown_ops_and_values) {
    json_t *r = tutorial_tree();
    json_object_set_new(node(r, 2), "op", json_string("foo"));
    rejects(r, XP_ERR_FORMAT, "nodes[2].op: unknown op 'foo'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 1), "args"), 0, json_pack("{s:s}", "tensor", "add_7"));
    rejects(r, XP_ERR_FORMAT, "nodes[1].args[0]: unknown value 'add_7'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 1), "args"), 0, json_pack("{s:s}", "tensor", "relu"));
    rejects(r, XP_ERR_FORMAT, "nodes[1].args[0]: unknown value 'relu'"); /* defined later: not yet known */
    r = tutorial_tree();
    json_object_set_new(json_array_get(json_object_get(node(r, 2), "outputs"), 0), "name", json_string("add"));
    rejects(r, XP_ERR_FORMAT, "nodes[2].outputs[0]: duplicate value 'add'");
    r = tutorial_tree();
    json_object_set_new(json_array_get(json_object_get(node(r, 2), "outputs"), 0), "name", json_string("x"));
    rejects(r, XP_ERR_FORMAT, "nodes[2].outputs[0]: duplicate value 'x'");
    r = tutorial_tree();
    json_object_set_new(node(r, 2), "name", json_string("other"));
    rejects(r, XP_ERR_FORMAT, "nodes[2]: node name 'other' is not the name of its first output 'relu'");
    r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 3), "name", json_string("x"));
    rejects(r, XP_ERR_FORMAT, "inputs[3]: input 'x' is defined twice");
    r = tutorial_tree();
    json_object_set_new(at(r, "outputs", 0), "value", json_string("nope"));
    rejects(r, XP_ERR_FORMAT, "outputs[0].value: unknown value 'nope'");
    r = tutorial_tree();
    json_object_set_new(at(r, "outputs", 0), "kind", json_string("SIDE_EFFECT"));
    rejects(r, XP_ERR_FORMAT, "outputs[0].kind: unknown output kind 'SIDE_EFFECT'");
    r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 0), "kind", json_string("WEIGHT"));
    rejects(r, XP_ERR_FORMAT, "inputs[0].kind: unknown input kind 'WEIGHT'");
    r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 0), "target", json_null());
    rejects(r, XP_ERR_FORMAT, "inputs[0]: input 'p_lin_weight': a PARAMETER needs a target");
    r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 2), "target", json_string("x.t"));
    rejects(r, XP_ERR_FORMAT, "inputs[2]: input 'x': a USER_INPUT has no target, got 'x.t'");
}
END_TEST

START_TEST(loader_rejects_wrong_argument_kinds_and_counts) {
    json_t *r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 2), "args"), 0, json_pack("{s:i}", "int", 3));
    rejects(r, XP_ERR_FORMAT, "nodes[2]: relu: argument 'self' must be");
    r = tutorial_tree();
    json_array_append_new(json_object_get(node(r, 0), "args"), json_pack("{s:s}", "tensor", "x"));
    rejects(r, XP_ERR_FORMAT, "nodes[0]: add: takes 2 arguments, got 3");
    r = tutorial_tree();
    json_array_remove(json_object_get(node(r, 0), "args"), 1);
    rejects(r, XP_ERR_FORMAT, "nodes[0]: add: missing argument 'other'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 0), "args"), 1, json_pack("{s:s, s:s}", "tensor", "x", "int", "y"));
    rejects(r, XP_ERR_FORMAT, "nodes[0].args[1]: expected null or an object with one key");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 0), "args"), 1, json_pack("{s:i}", "complex", 1));
    rejects(r, XP_ERR_FORMAT, "nodes[0].args[1]: unknown argument kind 'complex'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 1), "args"), 2, json_pack("{s:I}", "int", (json_int_t)INT64_MIN + 5));
    rejects(r, XP_ERR_FORMAT, "nodes[1].args[2]: integer -9223372036854775803 is out of range");
    r = tutorial_tree();
    json_array_set_new(json_object_get(node(r, 1), "args"), 2, json_pack("{s:s}", "float", "lots"));
    rejects(r, XP_ERR_FORMAT, "nodes[1].args[2]: \"float\" must be a number");
    r = tutorial_tree();
    json_object_set_new(node(r, 2), "subgraphs", json_pack("[{}]"));
    rejects(r, XP_ERR_FORMAT, "nodes[2]: op 'relu' takes no subgraphs");
    r = tutorial_tree();
    json_array_append_new(json_object_get(node(r, 2), "outputs"),
                          json_pack("{s:s, s:s, s:[]}", "name", "relu_9", "dtype", "f32", "shape"));
    rejects(r, XP_ERR_FORMAT, "nodes[2]: op 'relu' has 1 output, the file lists 2");
}
END_TEST

START_TEST(loader_rejects_bad_dtypes_shapes_and_symbols) {
    json_t *r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 0), "dtype", json_string("f33"));
    rejects(r, XP_ERR_FORMAT, "inputs[0]: unknown dtype 'f33'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(at(r, "inputs", 0), "shape"), 1, json_integer(-5));
    rejects(r, XP_ERR_FORMAT, "inputs[0].shape[1]: negative size -5");
    r = tutorial_tree();
    json_array_set_new(json_object_get(at(r, "inputs", 2), "shape"), 0, json_string("batch - 2"));
    rejects(r, XP_ERR_FORMAT, "inputs[2].shape[0]: size 'batch - 2' can be negative");
    r = tutorial_tree();
    json_array_set_new(json_object_get(at(r, "inputs", 2), "shape"), 0, json_string("seq"));
    rejects(r, XP_ERR_FORMAT, "inputs[2].shape[0]: bad size expression 'seq'");
    r = tutorial_tree();
    json_array_set_new(json_object_get(at(r, "inputs", 2), "shape"), 0, json_true());
    rejects(r, XP_ERR_FORMAT, "inputs[2].shape[0]: expected an integer or a size expression, not a boolean");
    r = tutorial_tree();
    json_object_set_new(at(r, "inputs", 1), "shape", json_pack("[iiiiiiiii]", 1, 1, 1, 1, 1, 1, 1, 1, 1));
    rejects(r, XP_ERR_FORMAT, "inputs[1]: rank 9 exceeds the maximum 8");
    r = tutorial_tree();
    json_array_set_new(json_object_get(at(r, "inputs", 1), "shape"), 0, json_integer(11));
    rejects(r, XP_ERR_FORMAT, "nodes[1]: linear");
    r = tutorial_tree();
    json_array_set_new(json_object_get(json_array_get(json_object_get(node(r, 1), "outputs"), 0), "shape"), 1,
                       json_integer(11));
    rejects(r, XP_ERR_FORMAT,
            "nodes[1].outputs[0]: stored type f32[batch, 11] differs from the inferred f32[batch, 10]");
    r = tutorial_tree();
    json_object_set_new(json_array_get(json_object_get(node(r, 1), "outputs"), 0), "dtype", json_string("f64"));
    rejects(r, XP_ERR_FORMAT,
            "nodes[1].outputs[0]: stored type f64[batch, 10] differs from the inferred f32[batch, 10]");
    r = tutorial_tree();
    json_object_set_new(at(r, "symbols", 0), "min", json_integer(5));
    json_object_set_new(at(r, "symbols", 0), "max", json_integer(2));
    rejects(r, XP_ERR_FORMAT, "symbols[0]: symbol 'batch' has empty range [5, 2]");
    r = tutorial_tree();
    json_object_set_new(at(r, "symbols", 0), "min", json_integer(-1));
    rejects(r, XP_ERR_FORMAT, "symbols[0]: symbol 'batch' has negative minimum -1");
    r = tutorial_tree();
    json_array_append_new(json_object_get(r, "symbols"),
                          json_pack("{s:s, s:i, s:i}", "name", "batch", "min", 1, "max", 2));
    rejects(r, XP_ERR_FORMAT, "symbols[1]");
    r = tutorial_tree();
    json_object_del(at(r, "symbols", 0), "max");
    rejects(r, XP_ERR_FORMAT, "symbols[0]: missing \"max\"");
}
END_TEST

START_TEST(loader_rejects_bad_locations_and_files) {
    json_t *r = tutorial_tree();
    json_object_set_new(node(r, 0), "loc", json_pack("[iii]", 3, 19, 33));
    rejects(r, XP_ERR_FORMAT, "nodes[0].loc: file index 3 is out of range (1 file)");
    r = tutorial_tree();
    json_object_set_new(node(r, 0), "loc", json_pack("[ii]", 0, 19));
    rejects(r, XP_ERR_FORMAT, "nodes[0].loc: expected [file, line, column] or null");
    r = tutorial_tree();
    json_object_set_new(node(r, 0), "loc", json_pack("[iii]", 0, -19, 1));
    rejects(r, XP_ERR_FORMAT, "nodes[0].loc: line -19, column 1 is out of range");
    r = tutorial_tree();
    json_array_append_new(json_object_get(r, "files"), json_string("model.c"));
    rejects(r, XP_ERR_FORMAT, "files[1]: duplicate file 'model.c'");
    r = tutorial_tree();
    json_array_append_new(json_object_get(r, "files"), json_integer(7));
    rejects(r, XP_ERR_FORMAT, "files[1]: expected a file name, not an integer");
}
END_TEST

static json_t *rich_tree(void) {
    xp_program *p = build_rich();
    size_t len;
    char *text = to_json(p, &len);
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    ck_assert_msg(root != NULL, "%s", err.text);
    free(text);
    xp_program_free(p);
    return root;
}

/* The rich program's cond node is nodes[4]; its subgraph k. */
static json_t *cond_branch(json_t *root, int k) {
    return json_array_get(json_object_get(node(root, 4), "subgraphs"), (size_t)k);
}

START_TEST(loader_rejects_bad_symints_and_conds) {
    json_t *r = rich_tree();
    json_object_set_new(at(r, "inputs", 4), "target", json_string("n"));
    rejects(r, XP_ERR_FORMAT, "inputs[4]: input 'steps': a SYMINT has no target, got 'n'");
    r = rich_tree();
    json_object_set_new(at(r, "inputs", 4), "sym", json_string("2*n"));
    rejects(r, XP_ERR_FORMAT, "inputs[4].sym: '2*n' is not a symbol");
    r = rich_tree();
    json_object_del(at(r, "inputs", 4), "sym");
    rejects(r, XP_ERR_FORMAT, "inputs[4]: missing \"sym\"");
    r = rich_tree();
    /* a consistent false branch over [batch, 11] */
    json_t *fb = cond_branch(r, 1);
    for (int i = 0; i < 2; i++)
        json_array_set_new(json_object_get(json_array_get(json_object_get(fb, "inputs"), (size_t)i), "shape"), 1,
                           json_integer(11));
    json_t *sub_node = json_array_get(json_object_get(fb, "nodes"), 0);
    json_array_set_new(json_object_get(json_array_get(json_object_get(sub_node, "outputs"), 0), "shape"), 1,
                       json_integer(11));
    rejects(r, XP_ERR_FORMAT,
            "nodes[4]: cond: the false branch's input 0 (a) is f32[batch, 11] but operand 0 (%mul_scalar) is "
            "f32[batch, 10]");
    r = rich_tree();
    json_array_set_new(json_object_get(cond_branch(r, 0), "outputs"), 0, json_string("a"));
    json_array_append_new(json_object_get(cond_branch(r, 0), "outputs"), json_string("b"));
    rejects(r, XP_ERR_FORMAT,
            "nodes[4]: cond: the branches return different numbers of tensors: 2 (true) and 1 (false)");
    r = rich_tree();
    json_array_set_new(json_object_get(node(r, 4), "args"), 0, json_pack("{s:s}", "tensor", "x"));
    rejects(r, XP_ERR_FORMAT, "nodes[4]: cond: predicate x must be a one-element bool tensor, not f32[batch, 100]");
    r = rich_tree();
    json_array_set_new(json_object_get(cond_branch(r, 1), "outputs"), 0, json_string("add"));
    rejects(r, XP_ERR_FORMAT, "nodes[4].subgraphs[1].outputs[0]: unknown value 'add'");
    r = rich_tree();
    json_object_set_new(json_array_get(json_object_get(node(r, 4), "outputs"), 0), "dtype", json_string("f16"));
    rejects(r, XP_ERR_FORMAT,
            "nodes[4].outputs[0]: stored type f16[batch, 10] differs from the inferred f32[batch, 10]");
    r = rich_tree();
    json_object_set_new(at(r, "outputs", 0), "target", json_string("lin.weight"));
    rejects(r, XP_ERR_FORMAT, "outputs[0]: output %add_1: BUFFER_MUTATION target 'lin.weight' names no BUFFER input");
    /* SYMINT outputs: {"sym": "2*batch + 1"} instead of a value name */
    r = rich_tree();
    ck_assert_str_eq(json_string_value(json_object_get(at(r, "outputs", 3), "sym")), "2*batch + 1");
    json_object_set_new(at(r, "outputs", 3), "value", json_string("x"));
    rejects(r, XP_ERR_FORMAT, "outputs[3]: has both 'value' and 'sym'");
    r = rich_tree();
    json_object_set_new(at(r, "outputs", 3), "sym", json_string("2*m"));
    rejects(r, XP_ERR_FORMAT, "outputs[3].sym");
    r = rich_tree();
    json_object_set_new(at(r, "outputs", 3), "kind", json_string("BUFFER_MUTATION"));
    json_object_set_new(at(r, "outputs", 3), "target", json_string("cache"));
    rejects(r, XP_ERR_FORMAT, "an integer can only be a USER_OUTPUT, not a BUFFER_MUTATION");
}
END_TEST

/* A chain of conds `depth` deep, each true branch holding the next cond. */
static json_t *nested_cond_graph(int depth) {
    json_t *inputs = json_pack("[{s:s, s:s, s:[]}]", "name", "a", "dtype", "bool", "shape");
    if (depth == 0) return json_pack("{s:o, s:[], s:[s]}", "inputs", inputs, "nodes", "outputs", "a");
    json_t *leaf = nested_cond_graph(0);
    json_t *cond = json_pack("{s:s, s:s, s:[{s:s}, {s:[s]}], s:[{s:s, s:s, s:[]}], s:n, s:[o, o]}", "name", "c", "op",
                             "cond", "args", "tensor", "a", "tensors", "a", "outputs", "name", "c", "dtype", "bool",
                             "shape", "loc", "subgraphs", nested_cond_graph(depth - 1), leaf);
    return json_pack("{s:o, s:[o], s:[s]}", "inputs", inputs, "nodes", cond, "outputs", "c");
}

static json_t *nested_program(int depth) {
    json_t *g = nested_cond_graph(depth);
    json_t *root = json_pack("{s:s, s:i, s:s, s:[], s:[], s:[{s:s, s:s, s:n, s:s, s:[]}], s:O, s:[{s:s, s:s, s:n}]}",
                             "format", "xport.program", "version", 1, "name", "nested", "symbols", "files", "inputs",
                             "name", "a", "kind", "USER_INPUT", "target", "dtype", "bool", "shape", "nodes",
                             json_object_get(g, "nodes"), "outputs", "value", "c", "kind", "USER_OUTPUT", "target");
    json_decref(g);
    ck_assert_ptr_nonnull(root);
    return root;
}

START_TEST(loader_reads_nested_conds_and_limits_depth) {
    json_t *r = nested_program(10);
    char *text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    xp_program *q = NULL;
    ok(xp_program_load_json(text, strlen(text), &q));
    free(text);
    char *printed = print_to_string(q);
    xpt_assert_contains(printed, "                    true_branch(a: bool[]):\n");
    free(printed);
    xp_program_free(q);
    rejects(nested_program(70), XP_ERR_FORMAT, "subgraphs nest deeper than 64");
    r = nested_program(1);
    json_object_set_new(json_array_get(json_object_get(r, "nodes"), 0), "subgraphs", json_pack("[]"));
    rejects(r, XP_ERR_FORMAT, "nodes[0]: cond has a true and a false subgraph, not 0 subgraphs");
    r = nested_program(2);
    json_t *inner = json_array_get(json_object_get(json_array_get(json_object_get(r, "nodes"), 0), "subgraphs"), 0);
    json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(inner, "nodes"), 0), "args"), 0),
                        "tensor", json_string("zz"));
    rejects(r, XP_ERR_FORMAT, "nodes[0].subgraphs[0].nodes[0].args[0]: unknown value 'zz'");
}
END_TEST

/* ---- no input crashes the reader ---- */

/* Loads `text[0..len)`; returns whether it loaded. A program that loads
 * must verify, print and serialize. */
static bool try_load(const char *text, size_t len) {
    xp_program *q = NULL;
    xp_status st = xp_program_load_json(text, len, &q);
    if (st != XP_OK) {
        ck_assert_ptr_null(q);
        ck_assert_msg(xp_last_error()[0] != '\0', "a failed load left no message");
        return false;
    }
    ok(xp_program_verify(q));
    char *printed = print_to_string(q);
    free(printed);
    size_t n;
    char *again = to_json(q, &n);
    free(again);
    xp_program_free(q);
    return true;
}

START_TEST(every_truncation_is_rejected) {
    xp_program *p = build_rich();
    size_t len;
    char *text = to_json(p, &len);
    xp_program_free(p);
    ck_assert(try_load(text, len));
    size_t end = (size_t)(strrchr(text, '}') - text); /* every shorter prefix is unfinished JSON */
    for (size_t n = 0; n <= end; n++) {
        char *copy = malloc(n + 1); /* exact size, so ASan sees any overread */
        memcpy(copy, text, n);
        ck_assert_msg(!try_load(copy, n), "a prefix of %zu bytes loaded", n);
        free(copy);
    }
    free(text);
}
END_TEST

START_TEST(byte_flips_never_crash) {
    xp_program *p = build_rich();
    size_t len;
    char *text = to_json(p, &len);
    xp_program_free(p);
    static const int flips[] = {0x01, 0x02, 0x20, 0x80};
    static const char sets[] = {'"', '}', ']', '0', '-', '9', ' ', '\0'};
    int loaded = 0, tried = 0;
    char *copy = malloc(len);
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof flips / sizeof flips[0] + sizeof sets; k++) {
            memcpy(copy, text, len);
            if (k < sizeof flips / sizeof flips[0])
                copy[i] = (char)(copy[i] ^ flips[k]);
            else
                copy[i] = sets[k - sizeof flips / sizeof flips[0]];
            if (copy[i] == text[i]) continue;
            tried++;
            loaded += try_load(copy, len);
        }
    }
    /* Most corruptions must be caught; the few that load (a changed line
     * number, a renamed file) were verified by try_load. */
    ck_assert_msg(loaded < tried / 10, "%d of %d corrupted files loaded", loaded, tried);
    free(copy);
    free(text);
}
END_TEST

/* Replaces every value in the tree (in turn) with values of other types and
 * edge cases, and removes every entry: the reader must reject or load each
 * variant cleanly. */
typedef struct mutator {
    json_t *root;
    json_t *repl[12];
    int tried, loaded;
} mutator;

static void mutate_load(mutator *m) {
    char *text = json_dumps(m->root, JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_ptr_nonnull(text);
    m->tried++;
    m->loaded += try_load(text, strlen(text));
    free(text);
}

static void mutate_all(mutator *m, json_t *j) {
    if (json_is_object(j)) {
        /* copies of the keys: deleting and re-adding an entry moves it */
        size_t n = json_object_size(j), i = 0;
        char **keys = calloc(n + 1, sizeof *keys);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) keys[i++] = strdup(key);
        for (i = 0; i < n; i++) {
            json_t *orig = json_incref(json_object_get(j, keys[i]));
            for (size_t r = 0; r < sizeof m->repl / sizeof m->repl[0]; r++) {
                json_object_set(j, keys[i], m->repl[r]);
                mutate_load(m);
            }
            json_object_del(j, keys[i]);
            mutate_load(m);
            json_object_set(j, keys[i], orig);
            mutate_all(m, orig);
            json_decref(orig);
            free(keys[i]);
        }
        free(keys);
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            json_t *orig = json_incref(json_array_get(j, i));
            for (size_t r = 0; r < sizeof m->repl / sizeof m->repl[0]; r++) {
                json_array_set(j, i, m->repl[r]);
                mutate_load(m);
            }
            json_array_remove(j, i);
            mutate_load(m);
            json_array_insert(j, i, orig);
            mutate_all(m, orig);
            json_decref(orig);
        }
    }
}

START_TEST(structural_mutations_never_crash) {
    xp_program *p = build_rich();
    size_t len;
    char *text = to_json(p, &len);
    xp_program_free(p);
    json_error_t err;
    mutator m = {.root = json_loadb(text, len, 0, &err)};
    free(text);
    ck_assert_ptr_nonnull(m.root);
    json_t *repl[] = {
        json_null(),    json_true(),        json_integer(-1),     json_integer(0),  json_integer(INT64_MAX),
        json_real(1.5), json_string(""),    json_string("batch"), json_string("x"), json_array(),
        json_object(),  json_pack("[i]", 7)};
    memcpy(m.repl, repl, sizeof repl);
    mutate_all(&m, m.root);
    for (size_t r = 0; r < sizeof repl / sizeof repl[0]; r++) json_decref(repl[r]);
    json_decref(m.root);
    ck_assert_int_gt(m.tried, 1000);
    ck_assert_msg(m.loaded < m.tried / 10, "%d of %d mutated files loaded", m.loaded, m.tried);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("program_json");
    TCase *tr = tcase_create("round_trip");
    tcase_add_test(tr, tutorial_round_trips_through_a_file);
    tcase_add_test(tr, rich_program_round_trips_through_a_file);
    tcase_add_test(tr, save_replaces_atomically_and_reports_io_errors);
    tcase_add_test(tr, load_error_names_the_file);
    suite_add_tcase(s, tr);
    TCase *tm = tcase_create("malformed");
    tcase_add_test(tm, loader_accepts_the_unedited_tree);
    tcase_add_test(tm, loader_reads_a_handwritten_v1_file);
    tcase_add_test(tm, loader_rejects_garbage_and_wrong_headers);
    tcase_add_test(tm, loader_rejects_unknown_ops_and_values);
    tcase_add_test(tm, loader_rejects_wrong_argument_kinds_and_counts);
    tcase_add_test(tm, loader_rejects_bad_dtypes_shapes_and_symbols);
    tcase_add_test(tm, loader_rejects_bad_locations_and_files);
    tcase_add_test(tm, loader_rejects_bad_symints_and_conds);
    tcase_add_test(tm, loader_reads_nested_conds_and_limits_depth);
    suite_add_tcase(s, tm);
    TCase *tf = tcase_create("fuzz");
    tcase_set_timeout(tf, 600);
    tcase_add_test(tf, every_truncation_is_rejected);
    tcase_add_test(tf, byte_flips_never_crash);
    tcase_add_test(tf, structural_mutations_never_crash);
    suite_add_tcase(s, tf);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
