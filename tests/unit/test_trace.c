/*
 * Non-strict export (xp_export_trace, DESIGN §5): the tutorial model traced
 * at run time gives the plugin's program and runs like eager; the torch
 * tutorial's non-strict examples (an id-like value, setjmp, storage
 * access); buffers; symbolic sizes and what plain C arithmetic on them does.
 * Built with any C compiler: this file is plain C11 (GCC by default).
 */
#define XPORT_CALL_SITES /* nodes and errors carry test_trace.c:LINE */
#include <xport.h>

#include "testutil.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static char *program_text(const xp_program *p) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    return buf;
}

/* Drops each line's source location (the last field when it names a .c
 * file) and the spaces before it, so programs from different files compare. */
static char *strip_locations(const char *text) {
    char *out = malloc(strlen(text) + 1);
    size_t o = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        size_t keep = len;
        const char *sp = NULL;
        for (size_t k = 0; k < len; k++)
            if (line[k] == ' ') sp = line + k;
        if (sp && sp + 1 < line + len) {
            const char *tok = sp + 1;
            const char *dotc = strstr(tok, ".c:");
            if (dotc && dotc < line + len) {
                keep = (size_t)(tok - line);
                while (keep > 0 && line[keep - 1] == ' ') keep--;
            }
        }
        memcpy(out + o, line, keep);
        o += keep;
        out[o++] = '\n';
        line += len + (end ? 1 : 0);
    }
    out[o] = '\0';
    return out;
}

/* fn run eagerly, its intermediates freed: the reference result. */
static xp_tensor *eager(xp_trace_fn fn, void *user_data, xp_tensor *const *inputs) {
    xp_scope *s = xp_scope_push();
    xp_tensor *r = xp_keep(fn(user_data, inputs));
    xp_scope_pop(s);
    return r;
}

static xp_tensor *named(xp_tensor *t, const char *name) {
    ck_assert_int_eq(xp_tensor_set_name(t, name), XP_OK);
    return t;
}

/* ---- the tutorial model (DESIGN §1), its weights named by access path ---- */

#define IN 100
#define OUT 10

typedef struct {
    xp_tensor *weight;
    xp_tensor *bias;
} Linear;

typedef struct {
    Linear lin;
} Model;

static const int g_forward_line = __LINE__ + 2;
static xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y) {
    return xp_relu_(xp_linear(xp_add(x, y), m->lin.weight, m->lin.bias));
}

static xp_tensor *forward_traced(void *user_data, xp_tensor *const *in) { return forward(user_data, in[0], in[1]); }

static Model make_model(uint64_t *rng) {
    Model m;
    m.lin.weight = named(xpt_random(rng, XP_F32, 2, (int64_t[]){OUT, IN}, -0.1, 0.1), "lin.weight");
    m.lin.bias = named(xpt_random(rng, XP_F32, 1, (int64_t[]){OUT}, -0.1, 0.1), "lin.bias");
    return m;
}

static void free_model(Model *m) {
    xp_tensor_free(m->lin.weight);
    xp_tensor_free(m->lin.bias);
}

START_TEST(tutorial_trace_prints_the_plugins_program) {
    uint64_t rng = 1;
    Model m = make_model(&rng);
    xp_program *p = NULL;
    xp_status st = xp_export_trace(forward_traced, &m,
                                   "dim(batch, min=1, max=1024); input(x, f32[batch, 100]); input(y, f32[batch, 100])",
                                   &p);
    ck_assert_msg(st == XP_OK, "%s", xp_last_error());
    char *got = program_text(p);
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/tests/plugin/capture/tutorial.expected", XP_SOURCE_DIR), 0);
    size_t n;
    char *want = (char *)xpt_read_file(path, &n);
    char *g = strip_locations(got), *w = strip_locations(want);
    ck_assert_str_eq(g, w);
    /* each node is located at the model's line in this file */
    char loc[64];
    snprintf(loc, sizeof loc, "test_trace.c:%d", g_forward_line);
    ck_assert_msg(strstr(got, loc), "no location %s in\n%s", loc, got);
    free(g);
    free(w);
    free(want);
    free(path);
    free(got);
    xp_program_free(p);
    free_model(&m);
}
END_TEST

START_TEST(tutorial_trace_runs_like_eager) {
    uint64_t rng = 2;
    Model m = make_model(&rng);
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(forward_traced, &m,
                                  "dim(batch, min=1, max=1024); input(x, f32[batch, 100]); input(y, f32[batch, 100])",
                                  &p) == XP_OK,
                  "%s", xp_last_error());
    xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){3, IN}, -1, 1);
    xp_tensor *y = xpt_random(&rng, XP_F32, 2, (int64_t[]){3, IN}, -1, 1);
    xp_tensor *out = NULL;
    /* the weights were bound by the trace: the program runs as it is */
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1) == XP_OK, "%s", xp_last_error());
    xp_tensor *want = eager(forward_traced, &m, (xp_tensor *[]){x, y});
    /* same kernels, same order of operations: f32 sums of 100 terms, rtol ~ 100 * 2^-24 */
    xpt_assert_close(out, want, 1e-5, 1e-6);
    xp_tensor_free(want);
    xp_tensor_free(out);
    xp_tensor_free(x);
    xp_tensor_free(y);
    xp_program_free(p);
    free_model(&m);
}
END_TEST

/* Weights bound to a program (xp_program_bind_weights / bind_tensor)
 * are the model's weights again through xp_program_weight: a model built
 * from them traces to the same PARAMETER inputs. */
START_TEST(weights_of_a_program_trace_as_its_parameters) {
    uint64_t rng = 3;
    Model m = make_model(&rng);
    const char *spec = "dim(batch, min=1, max=1024); input(x, f32[batch, 100]); input(y, f32[batch, 100])";
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(forward_traced, &m, spec, &p) == XP_OK, "%s", xp_last_error());
    Model again = {{xp_program_weight(p, "lin.weight"), xp_program_weight(p, "lin.bias")}};
    ck_assert_ptr_nonnull(again.lin.weight);
    ck_assert_str_eq(xp_tensor_name(again.lin.weight), "lin.weight");
    xpt_assert_close(again.lin.weight, m.lin.weight, 0, 0);
    xp_program *q = NULL;
    ck_assert_msg(xp_export_trace(forward_traced, &again, spec, &q) == XP_OK, "%s", xp_last_error());
    char *a = program_text(p), *b = program_text(q);
    ck_assert_str_eq(b, a);
    xpt_assert_contains(b, "p_lin_weight  PARAMETER   lin.weight");
    free(a);
    free(b);
    ck_assert_ptr_null(xp_program_weight(p, "lin.nothing"));
    xpt_assert_contains(xp_last_error(), "program forward has no parameter or buffer named 'lin.nothing'");
    xp_program_free(q);
    xp_program_free(p);
    free_model(&m);
}
END_TEST

/* ---- the torch tutorial's non-strict examples ---- */

/* Bad2 analog: an identity-like value (the tensor's address) decides a
 * branch; non-strict tracing runs the C and keeps the branch taken. */
static xp_tensor *id_branch(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    uintptr_t id = (uintptr_t)(void *)in[0];
    if (id != 0) return xp_add_scalar(in[0], 1.0);
    return xp_sub_scalar(in[0], 1.0);
}

START_TEST(id_like_value_becomes_a_constant) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(id_branch, NULL, "input(x, f32[2, 3])", &p) == XP_OK, "%s", xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "xp.add_scalar(x, other=1.0)"), "%s", text);
    ck_assert_ptr_null(strstr(text, "sub_scalar"));
    free(text);
    xp_program_free(p);
}
END_TEST

/* Bad3 analog: setjmp / longjmp run natively; the ops on each path taken are
 * recorded. */
static jmp_buf g_jump;

static void jump_back(void) { longjmp(g_jump, 1); }

static xp_tensor *with_longjmp(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    xp_tensor *volatile y = xp_sin(in[0]);
    if (setjmp(g_jump) == 0) {
        y = xp_cos(y);
        jump_back();
    }
    return xp_relu(y);
}

START_TEST(setjmp_longjmp_run_natively) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(with_longjmp, NULL, "dim(n, min=1, max=64); input(x, f32[n, 4])", &p) == XP_OK, "%s",
                  xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "xp.sin(x)") && strstr(text, "xp.cos(%sin)") && strstr(text, "xp.relu(%cos)"), "%s",
                  text);
    uint64_t rng = 3;
    xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){5, 4}, -2, 2);
    xp_tensor *out = NULL;
    ck_assert_msg(xp_program_run(p, &x, 1, &out, 1) == XP_OK, "%s", xp_last_error());
    xp_tensor *want = eager(with_longjmp, NULL, &x);
    xpt_assert_close(out, want, 0, 0); /* the same kernels on the same values */
    xp_tensor_free(want);
    xp_tensor_free(out);
    xp_tensor_free(x);
    free(text);
    xp_program_free(p);
}
END_TEST

/* Bad4 analog: reading storage (torch's x.data) is an error at the call. */
static int g_data_line;

static xp_tensor *reads_storage(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    g_data_line = __LINE__ + 1;
    float *v = xp_data(in[0]);
    if (v) v[0] = 3.0f;
    return xp_relu(in[0]);
}

START_TEST(storage_access_is_a_clear_error) {
    xp_program *p = (xp_program *)1;
    ck_assert_int_eq(xp_export_trace(reads_storage, NULL, "input(x, f32[2, 3])", &p), XP_ERR_DATA_DEPENDENT);
    ck_assert_ptr_null(p);
    char where[64];
    snprintf(where, sizeof where, "xp_data at test_trace.c:%d reads the storage of a traced tensor", g_data_line);
    ck_assert_msg(strstr(xp_last_error(), where), "%s", xp_last_error());
    ck_assert_msg(strstr(xp_last_error(), "xp_cond"), "%s", xp_last_error());
}
END_TEST

/* Data-dependent control flow: the first error wins and names its site. */
static int g_item_line;

static xp_tensor *branches_on_data(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    g_item_line = __LINE__ + 1;
    if (xp_item_bool(xp_gt_scalar(xp_sum(in[0]), 0))) return xp_relu(in[0]);
    return xp_reshape(in[0], XP_DIMS(7)); /* a shape error too, ignored: it comes later */
}

START_TEST(item_on_traced_tensor_is_data_dependent_with_call_site) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(branches_on_data, NULL, "input(x, f32[2, 3])", &p), XP_ERR_DATA_DEPENDENT);
    ck_assert_ptr_null(p);
    char where[64];
    snprintf(where, sizeof where, "xp_item_bool at test_trace.c:%d reads the value", g_item_line);
    ck_assert_msg(strstr(xp_last_error(), where), "%s", xp_last_error());
    ck_assert_msg(strstr(xp_last_error(), "#pragma xport cond"), "%s", xp_last_error());
    ck_assert_int_eq(xp_last_status(), XP_ERR_DATA_DEPENDENT);
}
END_TEST

/* ---- buffers: a KV-cache update is a BUFFER_MUTATION ---- */

typedef struct {
    xp_tensor *w;
    xp_tensor *cache;
} Cached;

static xp_tensor *cache_step(void *user_data, xp_tensor *const *in) {
    Cached *m = user_data;
    xp_tensor *k = xp_linear(in[0], m->w, NULL);
    xp_copy_(xp_slice(m->cache, 0, 2, 3, 1), k);
    return xp_sum(m->cache);
}

static void check_cache_program(bool mark) {
    uint64_t rng = 4;
    Cached m = {named(xpt_random(&rng, XP_F32, 2, (int64_t[]){8, 8}, -1, 1), "w"),
                named(xpt_random(&rng, XP_F32, 2, (int64_t[]){4, 8}, -1, 1), "cache")};
    if (mark) ck_assert_int_eq(xp_tensor_mark_buffer(m.cache), XP_OK);
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(cache_step, &m, "input(x, f32[1, 8])", &p) == XP_OK, "%s", xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "p_w") && strstr(text, "PARAMETER   w"), "%s", text);
    ck_assert_msg(strstr(text, "b_cache") && strstr(text, "BUFFER      cache"), "%s", text);
    ck_assert_msg(strstr(text, "BUFFER_MUTATION") && strstr(text, "xp.slice_scatter"), "%s", text);
    /* the trace did not touch the model's data */
    xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){1, 8}, -1, 1);
    xp_tensor *out = NULL;
    ck_assert_msg(xp_program_run(p, &x, 1, &out, 1) == XP_OK, "%s", xp_last_error());
    xp_tensor *want = eager(cache_step, &m, &x); /* writes m.cache */
    /* f32 sum of 32 terms after a K=8 matmul: rtol ~ 40 * 2^-24 */
    xpt_assert_close(out, want, 1e-5, 1e-5);
    xp_tensor_free(want);
    xp_tensor_free(out);
    xp_tensor_free(x);
    free(text);
    xp_program_free(p);
    xp_tensor_free(m.w);
    xp_tensor_free(m.cache);
}

START_TEST(kv_cache_update_of_marked_buffer_is_buffer_mutation) { check_cache_program(true); }
END_TEST

START_TEST(named_tensor_written_in_place_becomes_a_buffer) { check_cache_program(false); }
END_TEST

/* An unnamed concrete tensor is a constant, bound to the program. */
static xp_tensor *adds_constant(void *user_data, xp_tensor *const *in) { return xp_add(in[0], user_data); }

START_TEST(unnamed_tensor_becomes_a_bound_constant) {
    xp_tensor *c = xp_tensor_from(XP_F32, 1, (int64_t[]){3}, (float[]){1, 2, 3});
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(adds_constant, c, "dim(n, max=8); input(x, f32[n, 3])", &p) == XP_OK, "%s",
                  xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "c_lifted_tensor_0") && strstr(text, "CONSTANT"), "%s", text);
    xp_tensor *x = xp_tensor_from(XP_F32, 2, (int64_t[]){2, 3}, (float[]){0, 0, 0, 10, 10, 10});
    xp_tensor *out = NULL;
    ck_assert_msg(xp_program_run(p, &x, 1, &out, 1) == XP_OK, "%s", xp_last_error());
    ck_assert_double_eq(xpt_get_flat(out, 5), 13.0);
    ck_assert_double_eq(xpt_get_flat(out, 1), 2.0);
    xp_tensor_free(out);
    xp_tensor_free(x);
    xp_tensor_free(c);
    free(text);
    xp_program_free(p);
}
END_TEST

/* ---- symbolic sizes ---- */

static xp_tensor *flatten_rows(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    int64_t b = xp_size(in[0], 0);
    return xp_reshape(in[0], XP_DIMS(xp_sym_mul(b, 4), 25));
}

START_TEST(symbolic_size_flows_through_sym_mul_into_reshape) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace(flatten_rows, NULL, "dim(batch, min=1, max=64); input(x, f32[batch, 4, 25])", &p) ==
                      XP_OK,
                  "%s", xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "f32[4*batch, 25]"), "%s", text);
    uint64_t rng = 5;
    xp_tensor *x = xpt_random(&rng, XP_F32, 3, (int64_t[]){3, 4, 25}, -1, 1);
    xp_tensor *out = NULL;
    ck_assert_msg(xp_program_run(p, &x, 1, &out, 1) == XP_OK, "%s", xp_last_error());
    xpt_assert_shape(out, 12, 25);
    xp_tensor *want = eager(flatten_rows, NULL, &x);
    xpt_assert_close(out, want, 0, 0);
    xp_tensor_free(want);
    xp_tensor_free(out);
    xp_tensor_free(x);
    free(text);
    xp_program_free(p);
}
END_TEST

START_TEST(sym_helpers_are_plain_arithmetic_eagerly) {
    ck_assert_int_eq(xp_sym_mul(6, 7), 42);
    ck_assert_int_eq(xp_sym_add(6, 7), 13);
    ck_assert_int_eq(xp_sym_sub(6, 7), -1);
    ck_assert_int_eq(xp_sym_div(7, 2), 3);
}
END_TEST

/* Plain C arithmetic on a handle; unsigned so the wrap-around a compiled
 * `b * 4` does is spelled out (signed overflow is undefined, and UBSan
 * would stop the test). */
static int g_plain_line;

static xp_tensor *plain_mul(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    int64_t b = xp_size(in[0], 0);
    int64_t rows = (int64_t)((uint64_t)b * 4u);
    g_plain_line = __LINE__ + 1;
    return xp_reshape(in[0], XP_DIMS(rows, 25));
}

static xp_tensor *plain_sub(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    int64_t b = xp_size(in[0], 0);
    g_plain_line = __LINE__ + 1;
    return xp_slice(in[0], 0, 0, b - 1, 1);
}

static xp_tensor *truncated(void *user_data, xp_tensor *const *in) {
    (void)user_data;
    int b = (int)xp_size(in[0], 0); /* the low 32 bits of a handle */
    g_plain_line = __LINE__ + 1;
    return xp_reshape(in[0], XP_DIMS(b, 100));
}

static void check_plain(xp_trace_fn fn, const char *what, const char *fix) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(fn, NULL, "dim(batch, min=1, max=64); input(x, f32[batch, 4, 25])", &p),
                     XP_ERR_INVALID_ARG);
    ck_assert_ptr_null(p);
    char want[256];
    snprintf(want, sizeof want, "a size computed with plain C arithmetic from symbolic dim 'batch' reached %s", what);
    ck_assert_msg(strstr(xp_last_error(), want), "%s", xp_last_error());
    char where[64];
    snprintf(where, sizeof where, "at test_trace.c:%d", g_plain_line);
    ck_assert_msg(strstr(xp_last_error(), where), "%s", xp_last_error());
    ck_assert_msg(strstr(xp_last_error(), fix), "%s", xp_last_error());
}

START_TEST(plain_multiplication_of_a_handle_is_rejected) { check_plain(plain_mul, "xp_reshape", "use xp_sym_mul"); }
END_TEST

START_TEST(plain_subtraction_from_a_handle_is_rejected) { check_plain(plain_sub, "xp_slice", "xp_sym_sub"); }
END_TEST

START_TEST(handle_truncated_to_int_is_rejected) { check_plain(truncated, "xp_reshape", "int64_t"); }
END_TEST

/* ---- spec and eager behaviour ---- */

START_TEST(spec_errors_name_the_problem) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(id_branch, NULL, "input(x, f32[n, 3])", &p), XP_ERR_INVALID_ARG);
    ck_assert_msg(strstr(xp_last_error(), "dim 'n'"), "%s", xp_last_error());
    ck_assert_int_eq(xp_export_trace(id_branch, NULL, "input(x, f32[2, 3]", &p), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_export_trace(id_branch, NULL, "param(f32[2])", &p), XP_ERR_INVALID_ARG);
    ck_assert_msg(strstr(xp_last_error(), "xp_tensor_set_name"), "%s", xp_last_error());
}
END_TEST

START_TEST(names_and_buffer_marks_are_kept_on_the_tensor) {
    xp_tensor *t = xp_tensor_new(XP_F32, 1, (int64_t[]){2});
    ck_assert_ptr_null(xp_tensor_name(t));
    ck_assert_int_eq(xp_tensor_set_name(t, "layers.0.w"), XP_OK);
    ck_assert_str_eq(xp_tensor_name(t), "layers.0.w");
    ck_assert(!xp_tensor_is_buffer(t));
    ck_assert_int_eq(xp_tensor_mark_buffer(t), XP_OK);
    ck_assert(xp_tensor_is_buffer(t));
    ck_assert_int_eq(xp_tensor_set_name(t, NULL), XP_OK);
    ck_assert_ptr_null(xp_tensor_name(t));
    xp_tensor_free(t);
}
END_TEST

/* With XPORT_CALL_SITES the op names are still functions: as pointers and
 * parenthesized they are not expanded, and eager calls compute. */
START_TEST(call_site_macros_keep_function_names_working) {
    xp_tensor *(*binary)(xp_tensor *, xp_tensor *) = xp_add;
    xp_tensor *a = xp_tensor_from(XP_F32, 1, (int64_t[]){2}, (float[]){1, 2});
    xp_tensor *b = (xp_mul)(a, a);
    xp_tensor *c = binary(a, b);
    ck_assert_double_eq(xpt_get_flat(c, 1), 6.0);
    xp_tensor *sum = xp_sum(c);
    ck_assert_double_eq(xp_item_f32(sum), 8.0);
    xp_tensor_free(sum);
    xp_tensor_free(c);
    xp_tensor_free(b);
    xp_tensor_free(a);
}
END_TEST

/* ---- xp_cond and xp_map under tracing ---- */

/* The plugin's program `name` from tests/plugin/capture/control_flow.expected,
 * without its first line (the plugin names a program after its function,
 * the tracer "forward") and without locations. */
static char *plugin_program_body(const char *name) {
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/tests/plugin/capture/control_flow.expected", XP_SOURCE_DIR), 0);
    size_t n;
    char *all = (char *)xpt_read_file(path, &n);
    ck_assert_ptr_nonnull(all);
    char head[128];
    snprintf(head, sizeof head, "exported program %s\n", name);
    char *start = strstr(all, head);
    ck_assert_msg(start, "no program %s in %s", name, path);
    start += strlen(head);
    char *end = strstr(start, "exported program ");
    if (end) *end = '\0';
    char *body = strip_locations(start);
    free(all);
    free(path);
    return body;
}

/* The traced program's text without its first line, without locations. */
static char *traced_body(const xp_program *p) {
    char *text = program_text(p);
    char *nl = strchr(text, '\n');
    ck_assert_ptr_nonnull(nl);
    char *body = strip_locations(nl + 1);
    free(text);
    return body;
}

/* The function forms of tests/plugin/capture/control_flow.c, the same C. */
static xp_tensor *row_fn(xp_tensor *row, int n, xp_tensor *const *extras) {
    (void)n;
    return xp_add(xp_sin(row), extras[0]);
}

static xp_tensor *map_fn(xp_tensor *xs, xp_tensor *bias) { return xp_map(row_fn, xs, XP_TENSORS(bias)); }

static xp_tensor *true_fn(int n, xp_tensor *const *ops) {
    (void)n;
    return xp_mul(ops[0], ops[1]);
}

static xp_tensor *false_fn(int n, xp_tensor *const *ops) {
    (void)n;
    return xp_sub(ops[0], ops[1]);
}

static const int g_cond_line = __LINE__ + 2;
static xp_tensor *cond_fn(xp_tensor *x, xp_tensor *y) {
    return xp_cond(xp_gt_scalar(xp_sum(x), 0), true_fn, false_fn, XP_TENSORS(x, y));
}

static xp_tensor *map_traced(void *u, xp_tensor *const *in) { (void)u; return map_fn(in[0], in[1]); }
static xp_tensor *cond_traced(void *u, xp_tensor *const *in) { (void)u; return cond_fn(in[0], in[1]); }

static xp_program *trace_ok(xp_trace_fn fn, void *u, const char *spec) {
    xp_program *p = NULL;
    xp_status st = xp_export_trace(fn, u, spec, &p);
    ck_assert_msg(st == XP_OK, "%s", xp_last_error());
    return p;
}

START_TEST(traced_cond_prints_the_plugins_program) {
    xp_program *p = trace_ok(cond_traced, NULL, "input(x, f32[5]); input(y, f32[5])");
    char *got = traced_body(p), *want = plugin_program_body("cond_fn");
    ck_assert_str_eq(got, want);
    /* the cond node is located at the xp_cond call */
    char *text = program_text(p), loc[64];
    snprintf(loc, sizeof loc, "xp.cond(%%gt_scalar, [x, y])       f32[5]  test_trace.c:%d", g_cond_line);
    ck_assert_msg(strstr(text, loc), "no '%s' in\n%s", loc, text);
    free(text);
    free(got);
    free(want);
    xp_program_free(p);
}
END_TEST

START_TEST(traced_map_prints_the_plugins_program) {
    xp_program *p = trace_ok(map_traced, NULL, "dim(b, min=1, max=32); input(xs, f32[b, 4]); input(bias, f32[4])");
    char *got = traced_body(p), *want = plugin_program_body("map_fn");
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    xp_program_free(p);
}
END_TEST

/* Runs p and the eager function on x, y; both results must agree. */
static void check_run(xp_program *p, xp_trace_fn fn, void *u, xp_tensor *x, xp_tensor *y) {
    xp_tensor *out = NULL;
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1) == XP_OK, "%s", xp_last_error());
    xp_tensor *want = eager(fn, u, (xp_tensor *[]){x, y});
    ck_assert_ptr_nonnull(want);
    /* same kernels on the same elements: exact up to the last bit */
    xpt_assert_close(out, want, 1e-6, 1e-7);
    xp_tensor_free(want);
    xp_tensor_free(out);
}

START_TEST(traced_cond_runs_like_eager_on_both_branches) {
    xp_program *p = trace_ok(cond_traced, NULL, "input(x, f32[5]); input(y, f32[5])");
    uint64_t rng = 7;
    xp_tensor *y = xpt_random(&rng, XP_F32, 1, (int64_t[]){5}, -1, 1);
    xp_tensor *pos = xpt_random(&rng, XP_F32, 1, (int64_t[]){5}, 0.5, 1); /* sum > 0: x * y */
    xp_tensor *neg = xpt_random(&rng, XP_F32, 1, (int64_t[]){5}, -1, -0.5); /* sum <= 0: x - y */
    check_run(p, cond_traced, NULL, pos, y);
    check_run(p, cond_traced, NULL, neg, y);
    /* and the two runs took different branches */
    xp_tensor *a = NULL, *b = NULL;
    ck_assert_int_eq(xp_program_run(p, (xp_tensor *[]){pos, y}, 2, &a, 1), XP_OK);
    ck_assert_int_eq(xp_program_run(p, (xp_tensor *[]){neg, y}, 2, &b, 1), XP_OK);
    ck_assert_double_eq_tol(xpt_get_flat(a, 0), xpt_get_flat(pos, 0) * xpt_get_flat(y, 0), 1e-6);
    ck_assert_double_eq_tol(xpt_get_flat(b, 0), xpt_get_flat(neg, 0) - xpt_get_flat(y, 0), 1e-6);
    xp_tensor_free(a);
    xp_tensor_free(b);
    xp_tensor_free(pos);
    xp_tensor_free(neg);
    xp_tensor_free(y);
    xp_program_free(p);
}
END_TEST

START_TEST(traced_map_runs_like_eager) {
    xp_program *p = trace_ok(map_traced, NULL, "dim(b, min=1, max=32); input(xs, f32[b, 4]); input(bias, f32[4])");
    uint64_t rng = 8;
    xp_tensor *bias = xpt_random(&rng, XP_F32, 1, (int64_t[]){4}, -1, 1);
    for (int64_t b = 1; b <= 7; b += 3) {
        xp_tensor *xs = xpt_random(&rng, XP_F32, 2, (int64_t[]){b, 4}, -1, 1);
        check_run(p, map_traced, NULL, xs, bias);
        xp_tensor_free(xs);
    }
    xp_tensor_free(bias);
    xp_program_free(p);
}
END_TEST

/* A branch that reads a named model tensor it was not given (closed over,
 * as through a model struct): the weight is a PARAMETER lifted into the
 * branch as an operand of the cond. */
static xp_tensor *g_scale;
static xp_tensor *scaled(int n, xp_tensor *const *ops) { (void)n; return xp_mul(ops[0], g_scale); }
static xp_tensor *plain(int n, xp_tensor *const *ops) { (void)n; return xp_neg(ops[0]); }
static xp_tensor *closure_traced(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_cond(xp_gt_scalar(xp_sum(in[0]), 0), scaled, plain, XP_TENSORS(in[0]));
}

START_TEST(cond_branch_reading_a_named_weight_lifts_a_parameter) {
    uint64_t rng = 9;
    g_scale = named(xpt_random(&rng, XP_F32, 1, (int64_t[]){3}, -1, 1), "scale");
    xp_program *p = trace_ok(closure_traced, NULL, "dim(n, min=1, max=8); input(x, f32[n, 3])");
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "xp.cond(%gt_scalar, [x, p_scale])"), "%s", text);
    ck_assert_msg(strstr(text, "p_scale  PARAMETER   scale"), "%s", text);
    free(text);
    for (int k = 0; k < 2; k++) {
        xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){2, 3}, k ? -1 : 0.5, k ? -0.5 : 1);
        xp_tensor *out = NULL;
        ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x}, 1, &out, 1) == XP_OK, "%s", xp_last_error());
        xp_tensor *want = eager(closure_traced, NULL, (xp_tensor *[]){x});
        xpt_assert_close(out, want, 1e-6, 1e-7);
        xp_tensor_free(want);
        xp_tensor_free(out);
        xp_tensor_free(x);
    }
    xp_program_free(p);
    xp_tensor_free(g_scale);
}
END_TEST

static xp_tensor *reads_item(int n, xp_tensor *const *ops) {
    (void)n;
    return xp_item_f32(xp_sum(ops[0])) > 0 ? ops[0] : xp_neg(ops[0]);
}
static xp_tensor *bad_branch_traced(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_cond(xp_gt_scalar(xp_sum(in[0]), 0), reads_item, plain, XP_TENSORS(in[0]));
}

START_TEST(data_access_in_a_traced_branch_is_an_error_and_leaves_no_region) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(bad_branch_traced, NULL, "input(x, f32[3])", &p), XP_ERR_DATA_DEPENDENT);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(xp_last_error(), "xp_item_f32 at test_trace.c:"), "%s", xp_last_error());
    /* the next trace starts clean */
    p = trace_ok(cond_traced, NULL, "input(x, f32[5]); input(y, f32[5])");
    xp_program_free(p);
}
END_TEST

static xp_tensor *wrong_shape(int n, xp_tensor *const *ops) { (void)n; return xp_sum(ops[0]); }
static xp_tensor *differ_traced(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_cond(xp_gt_scalar(xp_sum(in[0]), 0), wrong_shape, plain, XP_TENSORS(in[0]));
}

START_TEST(traced_branches_of_different_shapes_are_an_error) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace(differ_traced, NULL, "input(x, f32[3])", &p), XP_ERR_SHAPE);
    ck_assert_msg(strstr(xp_last_error(), "differs between the branches"), "%s", xp_last_error());
}
END_TEST

/* A branch that returns its operand unchanged. */
static xp_tensor *identity(int n, xp_tensor *const *ops) { (void)n; return ops[0]; }
static xp_tensor *identity_traced(void *u, xp_tensor *const *in) {
    (void)u;
    return xp_cond(xp_gt_scalar(xp_sum(in[0]), 0), identity, plain, XP_TENSORS(in[0]));
}

START_TEST(traced_branch_returning_its_operand_runs_like_eager) {
    xp_program *p = trace_ok(identity_traced, NULL, "dim(n, min=1, max=8); input(x, f32[n, 3])");
    uint64_t rng = 11;
    for (int k = 0; k < 2; k++) {
        xp_tensor *x = xpt_random(&rng, XP_F32, 2, (int64_t[]){2, 3}, k ? -1 : 0.5, k ? -0.5 : 1);
        xp_tensor *out = NULL;
        ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x}, 1, &out, 1) == XP_OK, "%s", xp_last_error());
        xp_tensor *want = k ? xp_neg(x) : x;
        /* a copy or a negation: exact */
        xpt_assert_close(out, want, 0, 0);
        if (k) xp_tensor_free(want);
        xp_tensor_free(out);
        xp_tensor_free(x);
    }
    xp_program_free(p);
}
END_TEST

/* ---- several outputs (a struct's fields) ---- */

typedef struct {
    xp_tensor *sum, *product;
} Pair;

static Pair pair(xp_tensor *x, xp_tensor *y) { return (Pair){xp_add(x, y), xp_mul(x, y)}; }

static int pair_traced(void *u, xp_tensor *const *in, xp_tensor **out) {
    (void)u;
    Pair r = pair(in[0], in[1]);
    out[0] = r.sum;
    out[1] = r.product;
    return 2;
}

START_TEST(several_outputs_are_user_outputs_in_order) {
    xp_program *p = NULL;
    ck_assert_msg(xp_export_trace_n(pair_traced, NULL, "dim(n, min=1, max=8); input(x, f32[n]); input(y, f32[n])",
                                    &p) == XP_OK,
                  "%s", xp_last_error());
    char *text = program_text(p);
    ck_assert_msg(strstr(text, "return (%add, %mul)"), "%s", text);
    ck_assert_msg(strstr(text, "%add  USER_OUTPUT\n  %mul  USER_OUTPUT"), "%s", text);
    free(text);
    uint64_t rng = 10;
    xp_tensor *x = xpt_random(&rng, XP_F32, 1, (int64_t[]){3}, -1, 1);
    xp_tensor *y = xpt_random(&rng, XP_F32, 1, (int64_t[]){3}, -1, 1);
    xp_tensor *out[2] = {0};
    ck_assert_msg(xp_program_run(p, (xp_tensor *[]){x, y}, 2, out, 2) == XP_OK, "%s", xp_last_error());
    Pair want = pair(x, y);
    /* one f32 operation per element: exact */
    xpt_assert_close(out[0], want.sum, 0, 0);
    xpt_assert_close(out[1], want.product, 0, 0);
    xp_tensor_free(want.sum);
    xp_tensor_free(want.product);
    xp_tensor_free(out[0]);
    xp_tensor_free(out[1]);
    xp_tensor_free(x);
    xp_tensor_free(y);
    xp_program_free(p);
}
END_TEST

static int no_outputs(void *u, xp_tensor *const *in, xp_tensor **out) {
    (void)u, (void)in, (void)out;
    return 0;
}

START_TEST(a_function_without_outputs_is_an_error) {
    xp_program *p = NULL;
    ck_assert_int_eq(xp_export_trace_n(no_outputs, NULL, "input(x, f32[2])", &p), XP_ERR_INVALID_ARG);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(xp_last_error(), "returned 0 outputs"), "%s", xp_last_error());
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_add_test(tc, tutorial_trace_prints_the_plugins_program);
    tcase_add_test(tc, tutorial_trace_runs_like_eager);
    tcase_add_test(tc, weights_of_a_program_trace_as_its_parameters);
    tcase_add_test(tc, id_like_value_becomes_a_constant);
    tcase_add_test(tc, setjmp_longjmp_run_natively);
    tcase_add_test(tc, storage_access_is_a_clear_error);
    tcase_add_test(tc, item_on_traced_tensor_is_data_dependent_with_call_site);
    tcase_add_test(tc, kv_cache_update_of_marked_buffer_is_buffer_mutation);
    tcase_add_test(tc, named_tensor_written_in_place_becomes_a_buffer);
    tcase_add_test(tc, unnamed_tensor_becomes_a_bound_constant);
    tcase_add_test(tc, symbolic_size_flows_through_sym_mul_into_reshape);
    tcase_add_test(tc, sym_helpers_are_plain_arithmetic_eagerly);
    tcase_add_test(tc, plain_multiplication_of_a_handle_is_rejected);
    tcase_add_test(tc, plain_subtraction_from_a_handle_is_rejected);
    tcase_add_test(tc, handle_truncated_to_int_is_rejected);
    tcase_add_test(tc, spec_errors_name_the_problem);
    tcase_add_test(tc, names_and_buffer_marks_are_kept_on_the_tensor);
    tcase_add_test(tc, call_site_macros_keep_function_names_working);
    tcase_add_test(tc, traced_cond_prints_the_plugins_program);
    tcase_add_test(tc, traced_map_prints_the_plugins_program);
    tcase_add_test(tc, traced_cond_runs_like_eager_on_both_branches);
    tcase_add_test(tc, traced_map_runs_like_eager);
    tcase_add_test(tc, cond_branch_reading_a_named_weight_lifts_a_parameter);
    tcase_add_test(tc, data_access_in_a_traced_branch_is_an_error_and_leaves_no_region);
    tcase_add_test(tc, traced_branches_of_different_shapes_are_an_error);
    tcase_add_test(tc, traced_branch_returning_its_operand_runs_like_eager);
    tcase_add_test(tc, several_outputs_are_user_outputs_in_order);
    tcase_add_test(tc, a_function_without_outputs_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
