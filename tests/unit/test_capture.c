/*
 * Capture (runtime/capture): op calls on tensor references become one
 * functional exported program, as torch.export's functionalization makes
 * them — in-place ops become their functional variant, writes through
 * views become slice_scatter / select_scatter / inverse views, stale views
 * are re-derived, and changed inputs and buffers become mutation outputs.
 *
 * Each model below is written twice, side by side: once as capture calls
 * (what the plugin and the tracer emit) and once as the same calls on the
 * eager API. Eager views share storage and write through it, so eager is
 * the oracle for functionalization: the captured program, run by the
 * interpreter on the same random inputs, must give the same outputs and
 * leave the same values in the inputs and buffers it writes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/xp_capture.h"
#include "ir/xp_ir.h"
#include "testutil.h"

/* ---- capturing ---- */

static xp_program *prog;
static xp_capture *cap;
static xp_scope *scope;

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static void fails_with(xp_status st, xp_status want, const char *needle) {
    ck_assert_msg(st == want, "expected status %s, got %s: %s", xp_status_name(want), xp_status_name(st),
                  xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
}

static void begin(const char *name) {
    scope = xp_scope_push();
    prog = xp_program_new(name);
    ck_assert_ptr_nonnull(prog);
    cap = xp_capture_new(prog);
    ck_assert_ptr_nonnull(cap);
    ck_assert_ptr_eq(xp_capture_program(cap), prog);
}

static void end(void) {
    xp_capture_free(cap);
    xp_program_free(prog);
    xp_scope_pop(scope);
}

static xp_srcloc at(int line, int col) { return (xp_srcloc){xp_program_file(prog, "model.c"), line, col}; }

static xp_cref rec_at(xp_srcloc loc, xp_op_id op, int n, const xp_carg *args) {
    xp_cref out = 12345;
    ok(xp_capture_op(cap, op, args, n, loc, &out));
    ck_assert_int_ge(out, 0);
    return out;
}

#define NARGS_(...) (int)(sizeof((xp_carg[]){__VA_ARGS__}) / sizeof(xp_carg))
/* REC(op, args...) records one call; TRY(op, args...) returns its status. */
#define REC_AT(loc, op, ...) rec_at(loc, XP_OP_##op, NARGS_(__VA_ARGS__), (xp_carg[]){__VA_ARGS__})
#define REC(op, ...) REC_AT(XP_NO_LOC, op, __VA_ARGS__)
#define TRY(out, op, ...) xp_capture_op(cap, XP_OP_##op, (xp_carg[]){__VA_ARGS__}, NARGS_(__VA_ARGS__), XP_NO_LOC, out)
#define T(r) xp_carg_t(r)
#define I(v) xp_carg_i(v)
#define F(v) xp_carg_f(v)
#define IL(...) xp_carg_il(XP_DIMS(__VA_ARGS__))

static xp_cref input_dt(const char *name, xp_dtype dt, int n, const xp_dim *shape) {
    xp_cref r;
    ok(xp_capture_user_input(cap, name, dt, n, shape, &r));
    return r;
}
#define INPUT(name, ...) input_dt(name, XP_F32, XP_DIMS(__VA_ARGS__))

static xp_cref weight_kind(xp_input_kind kind, const char *target, int n, const xp_dim *shape) {
    xp_cref r;
    ok(xp_capture_weight(cap, kind, target, XP_F32, n, shape, &r));
    return r;
}
#define PARAM(target, ...) weight_kind(XP_IN_PARAMETER, target, XP_DIMS(__VA_ARGS__))
#define BUFFER(target, ...) weight_kind(XP_IN_BUFFER, target, XP_DIMS(__VA_ARGS__))

static void output(xp_cref r, const char *field) { ok(xp_capture_output(cap, r, field)); }
static void finish(void) { ok(xp_capture_finish(cap)); }

static char *printed(void) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(prog, f);
    fclose(f);
    return buf;
}

static void assert_printed(const char *want) {
    char *text = printed();
    ck_assert_str_eq(text, want);
    free(text);
}

/* The graph's ops in order, space-separated. */
static void assert_ops(const char *want) {
    char got[1024] = "";
    for (int i = 0; i < prog->graph->nnodes; i++) {
        if (i) strcat(got, " ");
        strcat(got, xp_op_get(prog->graph->nodes[i].op)->name);
    }
    ck_assert_str_eq(got, want);
}

/* The value name of node i's argument k ("x", "slice_1"). */
static const char *arg_name(int node, int k) {
    const xp_narg *a = &prog->graph->nodes[node].args[k];
    ck_assert_int_eq(a->kind, XP_ARG_TENSOR);
    return prog->graph->values[a->value].name;
}

/* ---- running: the captured program against eager ---- */

static xp_tensor *clone(const xp_tensor *t) {
    int64_t shape[XP_MAX_DIMS];
    for (int d = 0; d < xp_ndim(t); d++) shape[d] = xp_size(t, d);
    xp_tensor *c = xp_tensor_from(xp_dtype_of(t), xp_ndim(t), shape, xp_data((xp_tensor *)t));
    ck_assert_ptr_nonnull(c);
    return c;
}

static xp_tensor *rnd(uint64_t *seed, int n, const int64_t *shape) { return xpt_random(seed, XP_F32, n, shape, -2, 2); }
#define RND(seed, ...) rnd(seed, XP_DIMS(__VA_ARGS__))

/* The eager kernels and the interpreter's are the same functions on the
 * same operand order, so results agree to rounding; the slack covers a
 * kernel taking another path for a strided (view) operand than for a
 * contiguous one (K <= 100 terms summed: 100 * 2^-24 < 1e-5). */
#define RTOL 1e-5
#define ATOL 1e-6

/* Runs the finished program on fresh copies of `inputs` and checks its
 * outputs against `want_out` and the inputs it wrote back against
 * `want_in` (the eager tensors after the same calls). */
static void run_and_compare(int nin, xp_tensor *const *inputs, int nout, xp_tensor *const *want_out,
                            xp_tensor *const *want_in) {
    xp_tensor *ins[8], *outs[8];
    ck_assert_int_le(nin, 8);
    ck_assert_int_le(nout, 8);
    for (int i = 0; i < nin; i++) ins[i] = clone(inputs[i]);
    ck_assert_int_eq(xp_program_num_outputs(prog), nout);
    ok(xp_program_run(prog, ins, nin, outs, nout));
    for (int o = 0; o < nout; o++) {
        xpt_assert_close(outs[o], want_out[o], RTOL, ATOL);
        xp_tensor_free(outs[o]);
    }
    for (int i = 0; i < nin; i++) {
        if (want_in) xpt_assert_close(ins[i], want_in[i], RTOL, ATOL);
        xp_tensor_free(ins[i]);
    }
}

static void bind(const char *target, const xp_tensor *t) { ok(xp_program_bind_tensor(prog, target, t)); }

/* The program's bound copy of buffer `target` (updated by every run). */
static const xp_tensor *bound_buffer(const char *target) {
    for (int i = 0; i < prog->nsig_in; i++)
        if (prog->sig_in[i].kind == XP_IN_BUFFER && strcmp(prog->sig_in[i].target, target) == 0)
            return prog->weights[i];
    ck_abort_msg("no buffer %s", target);
    return NULL;
}

/* ---- the tutorial model ---- */

#define IN 100
#define OUT 10

/* DESIGN §4, verbatim: the inputs were declared as the plugin meets them
 * (x and y first, the weights when first read) and finishing puts them in
 * torch.export's order. */
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

START_TEST(tutorial_model_captures_as_in_design) {
    begin("forward");
    xp_dim batch = xp_sym_new(prog->syms, "batch", 1, 1024);
    /* return xp_relu_(xp_linear(xp_add(x, y), m->lin.weight, m->lin.bias)); */
    xp_cref x = INPUT("x", batch, IN), y = INPUT("y", batch, IN);
    xp_cref add = REC_AT(at(19, 33), add, T(x), T(y));
    xp_cref w = PARAM("lin.weight", OUT, IN), b = PARAM("lin.bias", OUT);
    xp_cref lin = REC_AT(at(19, 21), linear, T(add), T(w), T(b));
    xp_cref r = REC_AT(at(19, 12), relu_, T(lin));
    ck_assert_int_eq(r, lin); /* an in-place op returns self */
    output(r, NULL);
    finish();
    assert_printed(tutorial_text);

    uint64_t seed = 1;
    xp_tensor *x0 = RND(&seed, 3, IN), *y0 = RND(&seed, 3, IN), *w0 = RND(&seed, OUT, IN), *b0 = RND(&seed, OUT);
    xp_tensor *want = xp_relu_(xp_linear(xp_add(x0, y0), w0, b0));
    bind("lin.weight", w0);
    bind("lin.bias", b0);
    run_and_compare(2, (xp_tensor *[]){x0, y0}, 1, &want, NULL);
    end();
}
END_TEST

/* ---- in-place ops on inputs ---- */

START_TEST(relu_on_input_is_a_user_input_mutation) {
    begin("f");
    /* xp_relu_(x); xp_mul_scalar_(x, 3); return xp_mul_scalar(x, 2); */
    xp_cref x = INPUT("x", 3, 4);
    ck_assert_int_eq(REC(relu_, T(x)), x);
    REC(mul_scalar_, T(x), F(3.0));
    output(REC(mul_scalar, T(x), F(2.0)), NULL);
    finish();
    assert_printed("exported program f\n"
                   "graph(x: f32[3, 4]):\n"
                   "  %relu         = xp.relu(x)                                f32[3, 4]\n"
                   "  %mul_scalar   = xp.mul_scalar(%relu, other=3.0)           f32[3, 4]\n"
                   "  %mul_scalar_1 = xp.mul_scalar(%mul_scalar, other=2.0)     f32[3, 4]\n"
                   "  return (%mul_scalar, %mul_scalar_1)\n"
                   "signature:\n"
                   "  x              USER_INPUT\n"
                   "  %mul_scalar    USER_INPUT_MUTATION  x\n"
                   "  %mul_scalar_1  USER_OUTPUT\n");

    uint64_t seed = 2;
    xp_tensor *x0 = RND(&seed, 3, 4), *xe = clone(x0);
    xp_relu_(xe);
    xp_mul_scalar_(xe, 3.0);
    xp_tensor *want = xp_mul_scalar(xe, 2.0);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

START_TEST(returning_the_written_input_returns_its_new_value) {
    begin("f");
    xp_cref x = INPUT("x", 5);
    output(REC(relu_, T(x)), NULL); /* return xp_relu_(x); */
    finish();
    ck_assert_int_eq(prog->nsig_out, 2);
    ck_assert_int_eq(prog->sig_out[0].kind, XP_OUT_USER_INPUT_MUTATION);
    ck_assert_int_eq(prog->sig_out[1].kind, XP_OUT_USER_OUTPUT);
    ck_assert_int_eq(prog->sig_out[0].value, prog->sig_out[1].value);

    uint64_t seed = 3;
    xp_tensor *x0 = RND(&seed, 5), *xe = clone(x0);
    xp_tensor *want = xp_relu_(xe);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

START_TEST(returning_an_input_unchanged_returns_its_placeholder) {
    begin("f");
    xp_cref x = INPUT("x", 2, 3), y = INPUT("y", 2, 3);
    output(x, NULL);
    output(REC(add, T(x), T(y)), NULL);
    finish();
    ck_assert_int_eq(prog->nsig_out, 2);
    ck_assert_int_eq(prog->sig_out[0].value, prog->sig_in[0].value);

    uint64_t seed = 4;
    xp_tensor *x0 = RND(&seed, 2, 3), *y0 = RND(&seed, 2, 3);
    run_and_compare(2, (xp_tensor *[]){x0, y0}, 2, (xp_tensor *[]){x0, xp_add(x0, y0)}, (xp_tensor *[]){x0, y0});
    end();
}
END_TEST

START_TEST(in_place_result_is_cast_back_to_self_dtype) {
    begin("f");
    /* x f32 += y f64: add promotes to f64, the write converts back */
    xp_cref x = INPUT("x", 4), y = input_dt("y", XP_F64, XP_DIMS(4));
    REC(add_, T(x), T(y));
    output(REC(neg, T(x)), NULL);
    finish();
    assert_ops("add to neg");
    ck_assert_int_eq(prog->graph->values[prog->sig_out[0].value].meta.dtype, XP_F32);

    uint64_t seed = 5;
    xp_tensor *x0 = RND(&seed, 4), *y0 = xpt_random(&seed, XP_F64, XP_DIMS(4), -2, 2);
    xp_tensor *xe = clone(x0), *ye = clone(y0);
    xp_add_(xe, ye);
    xp_tensor *want = xp_neg(xe);
    run_and_compare(2, (xp_tensor *[]){x0, y0}, 1, &want, (xp_tensor *[]){xe, ye});
    end();
}
END_TEST

/* ---- writes through views ---- */

START_TEST(write_through_slice_is_slice_scatter) {
    begin("f");
    /* xp_add_scalar_(xp_slice(x, 1, 2, 5, 1), 4); return xp_mul(x, x); */
    xp_cref x = INPUT("x", 4, 6);
    xp_cref s = REC(slice, T(x), I(1), I(2), I(5), I(1));
    REC(add_scalar_, T(s), F(4.0));
    output(REC(mul, T(x), T(x)), NULL);
    finish();
    assert_printed("exported program f\n"
                   "graph(x: f32[4, 6]):\n"
                   "  %slice         = xp.slice(x, dim=1, start=2, end=5)                          f32[4, 3]\n"
                   "  %add_scalar    = xp.add_scalar(%slice, other=4.0)                            f32[4, 3]\n"
                   "  %slice_scatter = xp.slice_scatter(x, %add_scalar, dim=1, start=2, end=5)     f32[4, 6]\n"
                   "  %mul           = xp.mul(%slice_scatter, %slice_scatter)                      f32[4, 6]\n"
                   "  return (%slice_scatter, %mul)\n"
                   "signature:\n"
                   "  x               USER_INPUT\n"
                   "  %slice_scatter  USER_INPUT_MUTATION  x\n"
                   "  %mul            USER_OUTPUT\n");

    uint64_t seed = 6;
    xp_tensor *x0 = RND(&seed, 4, 6), *xe = clone(x0);
    xp_add_scalar_(xp_slice(xe, 1, 2, 5, 1), 4.0);
    xp_tensor *want = xp_mul(xe, xe);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

START_TEST(write_through_select_of_slice_nests_scatters) {
    begin("f");
    /* s = xp_slice(x, 0, 1, 4, 1); xp_mul_scalar_(xp_select(s, 1, 2), -3);
     * return xp_add_scalar(s, 0.5); */
    xp_cref x = INPUT("x", 5, 4, 3);
    xp_cref s = REC(slice, T(x), I(0), I(1), I(4), I(1));
    xp_cref e = REC(select, T(s), I(1), I(2));
    REC(mul_scalar_, T(e), F(-3.0));
    output(REC(add_scalar, T(s), F(0.5)), NULL);
    finish();
    /* the inner scatter writes into the slice, the outer one into x; the
     * slice read afterwards is derived again from x's new value */
    assert_ops("slice select mul_scalar select_scatter slice_scatter slice add_scalar");
    ck_assert_str_eq(arg_name(3, 0), "slice");
    ck_assert_str_eq(arg_name(3, 1), "mul_scalar");
    ck_assert_str_eq(arg_name(4, 0), "x");
    ck_assert_str_eq(arg_name(4, 1), "select_scatter");
    ck_assert_str_eq(arg_name(5, 0), "slice_scatter");
    ck_assert_str_eq(arg_name(6, 0), "slice_1");
    ck_assert_str_eq(prog->graph->values[prog->sig_out[0].value].name, "slice_scatter");

    uint64_t seed = 7;
    xp_tensor *x0 = RND(&seed, 5, 4, 3), *xe = clone(x0);
    xp_tensor *se = xp_slice(xe, 0, 1, 4, 1);
    xp_mul_scalar_(xp_select(se, 1, 2), -3.0);
    xp_tensor *want = xp_add_scalar(se, 0.5);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

START_TEST(write_through_strided_slice_with_python_bounds) {
    begin("f");
    /* rows 1, 3, 5 (start -5, to the end, step 2), last column: copy_ with
     * broadcast and conversion from f64 */
    xp_cref x = INPUT("x", 6, 5), src = input_dt("src", XP_F64, XP_DIMS(1));
    xp_cref s = REC(slice, T(x), I(0), I(-5), I(XP_END), I(2));
    xp_cref e = REC(select, T(s), I(1), I(-1));
    REC(copy_, T(e), T(src));
    output(REC(sum, T(x)), NULL);
    finish();
    assert_ops("slice select copy select_scatter slice_scatter sum");

    uint64_t seed = 8;
    xp_tensor *x0 = RND(&seed, 6, 5), *src0 = xpt_random(&seed, XP_F64, XP_DIMS(1), -2, 2);
    xp_tensor *xe = clone(x0), *srce = clone(src0);
    xp_copy_(xp_select(xp_slice(xe, 0, -5, XP_END, 2), 1, -1), srce);
    xp_tensor *want = xp_sum(xe);
    run_and_compare(2, (xp_tensor *[]){x0, src0}, 1, &want, (xp_tensor *[]){xe, srce});
    end();
}
END_TEST

START_TEST(write_through_transposes_applies_the_inverse_permutation) {
    begin("f");
    /* xp_add_(xp_transpose(x, 0, 1), y); xp_relu_(xp_permute(z, 3, {2, 0, 1}));
     * xp_mul_scalar_(xp_t(w), 2); return xp_sum(x); */
    xp_cref x = INPUT("x", 3, 5), y = INPUT("y", 5, 3), z = INPUT("z", 2, 3, 4), w = INPUT("w", 2, 3);
    REC(add_, T(REC(transpose, T(x), I(0), I(1))), T(y));
    REC(relu_, T(REC(permute, T(z), IL(2, 0, 1))));
    REC(mul_scalar_, T(REC(t, T(w))), F(2.0));
    output(REC(sum, T(x)), NULL);
    finish();
    assert_printed("exported program f\n"
                   "graph(x: f32[3, 5], y: f32[5, 3], z: f32[2, 3, 4], w: f32[2, 3]):\n"
                   "  %transpose   = xp.transpose(x, dim0=0, dim1=1)        f32[5, 3]\n"
                   "  %add         = xp.add(%transpose, y)                  f32[5, 3]\n"
                   "  %transpose_1 = xp.transpose(%add, dim0=0, dim1=1)     f32[3, 5]\n"
                   "  %permute     = xp.permute(z, dims=[2, 0, 1])          f32[4, 2, 3]\n"
                   "  %relu        = xp.relu(%permute)                      f32[4, 2, 3]\n"
                   "  %permute_1   = xp.permute(%relu, dims=[1, 2, 0])      f32[2, 3, 4]\n"
                   "  %t           = xp.t(w)                                f32[3, 2]\n"
                   "  %mul_scalar  = xp.mul_scalar(%t, other=2.0)           f32[3, 2]\n"
                   "  %t_1         = xp.t(%mul_scalar)                      f32[2, 3]\n"
                   "  %sum         = xp.sum(%transpose_1)                   f32[]\n"
                   "  return (%transpose_1, %permute_1, %t_1, %sum)\n"
                   "signature:\n"
                   "  x, y, z, w    USER_INPUT\n"
                   "  %transpose_1  USER_INPUT_MUTATION  x\n"
                   "  %permute_1    USER_INPUT_MUTATION  z\n"
                   "  %t_1          USER_INPUT_MUTATION  w\n"
                   "  %sum          USER_OUTPUT\n");

    uint64_t seed = 9;
    xp_tensor *x0 = RND(&seed, 3, 5), *y0 = RND(&seed, 5, 3), *z0 = RND(&seed, 2, 3, 4), *w0 = RND(&seed, 2, 3);
    xp_tensor *xe = clone(x0), *ye = clone(y0), *ze = clone(z0), *we = clone(w0);
    xp_add_(xp_transpose(xe, 0, 1), ye);
    xp_relu_(xp_permute(ze, XP_DIMS(2, 0, 1)));
    xp_mul_scalar_(xp_t(we), 2.0);
    xp_tensor *want = xp_sum(xe);
    run_and_compare(4, (xp_tensor *[]){x0, y0, z0, w0}, 1, &want, (xp_tensor *[]){xe, ye, ze, we});
    end();
}
END_TEST

START_TEST(write_through_reshaping_views_reshapes_back) {
    begin("f");
    /* f = flatten(unsqueeze(select(view(x, {3, 4}), 0, 1), 0), 0, -1);
     * xp_add_scalar_(f, 5); xp_mul_scalar_(xp_squeeze(xp_unsqueeze(x, 0)), -1);
     * return xp_neg(x); */
    xp_cref x = INPUT("x", 2, 6);
    xp_cref v = REC(view, T(x), IL(3, 4));
    xp_cref f = REC(flatten, T(REC(unsqueeze, T(REC(select, T(v), I(0), I(1))), I(0))), I(0), I(-1));
    REC(add_scalar_, T(f), F(5.0));
    REC(mul_scalar_, T(REC(squeeze, T(REC(unsqueeze, T(x), I(0))), xp_carg_none())), F(-1.0));
    output(REC(neg, T(x)), NULL);
    finish();
    assert_ops("view select unsqueeze flatten add_scalar reshape reshape select_scatter reshape "
               "unsqueeze squeeze mul_scalar reshape reshape neg");
    ck_assert_str_eq(arg_name(7, 0), "view"); /* the select scatters into the view's value */

    uint64_t seed = 10;
    xp_tensor *x0 = RND(&seed, 2, 6), *xe = clone(x0);
    xp_add_scalar_(xp_flatten(xp_unsqueeze(xp_select(xp_view(xe, XP_DIMS(3, 4)), 0, 1), 0), 0, -1), 5.0);
    xp_mul_scalar_(xp_squeeze(xp_unsqueeze(xe, 0)), -1.0);
    xp_tensor *want = xp_neg(xe);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

START_TEST(view_of_a_base_written_through_a_transpose_still_runs) {
    begin("f");
    /* v = xp_view(x, 1, {-1}); xp_add_scalar_(xp_t(x), 1);
     * return (xp_neg(v), xp_view(x, 2, {3, 2})); */
    xp_cref x = INPUT("x", 2, 3);
    xp_cref v = REC(view, T(x), IL(-1));
    REC(add_scalar_, T(REC(t, T(x))), F(1.0));
    output(REC(neg, T(v)), NULL);
    output(REC(view, T(x), IL(3, 2)), NULL);
    finish();
    /* eager x stays contiguous; the graph's x is t(%add_scalar), which the
     * interpreter holds transposed, so its views are recorded as reshape */
    assert_ops("view t add_scalar t reshape neg reshape");

    uint64_t seed = 15;
    xp_tensor *x0 = RND(&seed, 2, 3), *xe = clone(x0);
    xp_tensor *ve = xp_view(xe, XP_DIMS(-1));
    xp_add_scalar_(xp_t(xe), 1.0);
    run_and_compare(1, &x0, 2, (xp_tensor *[]){xp_neg(ve), xp_view(xe, XP_DIMS(3, 2))}, &xe);
    end();
}
END_TEST

/* ---- stale views ---- */

START_TEST(stale_views_are_rederived_after_a_base_write) {
    begin("f");
    /* v = xp_slice(x, 0, 0, 2, 1); e = xp_select(v, 1, 3); xp_relu_(x);
     * return (xp_add_scalar(e, 1), xp_neg(v)); */
    xp_cref x = INPUT("x", 4, 4);
    xp_cref v = REC(slice, T(x), I(0), I(0), I(2), I(1));
    xp_cref e = REC(select, T(v), I(1), I(3));
    REC(relu_, T(x));
    int32_t before;
    ok(xp_capture_value(cap, x, &before));
    ck_assert_int_eq(prog->graph->nnodes, 3); /* reading the base re-derives nothing */
    output(REC(add_scalar, T(e), F(1.0)), NULL);
    output(REC(neg, T(v)), NULL); /* v was re-derived on the way to e */
    finish();
    assert_ops("slice select relu slice select add_scalar neg");
    ck_assert_str_eq(arg_name(3, 0), "relu");
    ck_assert_str_eq(arg_name(4, 0), "slice_1");
    ck_assert_str_eq(arg_name(5, 0), "select_1");
    ck_assert_str_eq(arg_name(6, 0), "slice_1");

    uint64_t seed = 11;
    xp_tensor *x0 = RND(&seed, 4, 4), *xe = clone(x0);
    xp_tensor *ve = xp_slice(xe, 0, 0, 2, 1), *ee = xp_select(ve, 1, 3);
    xp_relu_(xe);
    run_and_compare(1, &x0, 2, (xp_tensor *[]){xp_add_scalar(ee, 1.0), xp_neg(ve)}, &xe);
    end();
}
END_TEST

START_TEST(sibling_view_sees_a_write_through_another_view) {
    begin("f");
    /* a = xp_select(x, 0, 0); b = xp_select(x, 0, 1);
     * xp_add_(a, b); xp_mul_(b, a); return xp_sub(a, b); */
    xp_cref x = INPUT("x", 3, 4);
    xp_cref a = REC(select, T(x), I(0), I(0)), b = REC(select, T(x), I(0), I(1));
    REC(add_, T(a), T(b));
    REC(mul_, T(b), T(a));
    output(REC(sub, T(a), T(b)), NULL);
    finish();
    assert_ops("select select add select_scatter select mul select_scatter select sub");

    uint64_t seed = 12;
    xp_tensor *x0 = RND(&seed, 3, 4), *xe = clone(x0);
    xp_tensor *ae = xp_select(xe, 0, 0), *be = xp_select(xe, 0, 1);
    xp_add_(ae, be);
    xp_mul_(be, ae);
    xp_tensor *want = xp_sub(ae, be);
    run_and_compare(1, &x0, 1, &want, &xe);
    end();
}
END_TEST

/* ---- refusals ---- */

START_TEST(write_through_expand_is_refused_and_records_nothing) {
    begin("f");
    xp_cref x = INPUT("x", 1, 4), y = INPUT("y", 3, 4);
    xp_cref e = REC(expand, T(x), IL(3, 4));
    xp_cref s = REC(slice, T(e), I(0), I(0), I(2), I(1)), ys = REC(slice, T(y), I(0), I(0), I(2), I(1));
    int n = prog->graph->nnodes;
    xp_cref out = 7;
    fails_with(TRY(&out, relu_, T(e)), XP_ERR_UNSUPPORTED,
               "relu_: unsupported operation: more than one element of the written-to tensor refers to a single "
               "memory location");
    ck_assert_int_eq(out, XP_CREF_NONE);
    fails_with(TRY(&out, copy_, T(s), T(ys)), XP_ERR_UNSUPPORTED, "copy_: unsupported operation");
    ck_assert_int_eq(prog->graph->nnodes, n);
    end();
}
END_TEST

START_TEST(failed_calls_record_nothing) {
    begin("f");
    xp_cref x = INPUT("x", 4, 4), y = INPUT("y", 3), k = input_dt("k", XP_I32, XP_DIMS(4));
    xp_cref v = REC(slice, T(x), I(0), I(0), I(2), I(1));
    REC(relu_, T(x)); /* v is stale: re-deriving it would add nodes */
    int n = prog->graph->nnodes;
    xp_cref out;
    fails_with(TRY(&out, add, T(v), T(y)), XP_ERR_SHAPE, "add:");
    fails_with(TRY(&out, add_scalar_, T(k), F(0.5)), XP_ERR_DTYPE, "add_scalar_:");
    fails_with(TRY(&out, add, T(v), T(99)), XP_ERR_INVALID_ARG,
               "add: argument 'other': 99 is not a tensor reference of this capture");
    fails_with(TRY(&out, relu, I(3)), XP_ERR_INVALID_ARG, "relu:");
    fails_with(TRY(&out, cond, T(x), xp_carg_tl(1, &x)), XP_ERR_UNSUPPORTED, "cond:");
    ck_assert_int_eq(prog->graph->nnodes, n);
    ck_assert_ptr_null(xp_capture_meta(cap, 99));
    end();
}
END_TEST

START_TEST(written_parameter_is_an_error_naming_it) {
    begin("f");
    xp_cref x = INPUT("x", 2, 3), w = PARAM("lin.weight", 2, 3);
    REC_AT(at(7, 5), mul_scalar_, T(REC(slice, T(w), I(0), I(0), I(1), I(1))), F(2.0));
    output(REC(add, T(x), T(w)), NULL);
    fails_with(xp_capture_finish(cap), XP_ERR_INVALID_ARG,
               "parameter 'lin.weight' is written at model.c:7:5, but an exported program cannot update a parameter; "
               "declare it with `#pragma xport buffer(f32[2, 3])`");
    ck_assert_int_eq(prog->nsig_out, 0);
    end();
}
END_TEST

/* ---- buffers: the KV cache ---- */

START_TEST(kv_cache_update_is_a_buffer_mutation) {
    begin("step");
    /* xp_copy_(xp_slice(m->cache, 0, POS, POS + 1, 1), k);
     * return xp_matmul(q, xp_t(m->cache)); */
    enum { POS = 2 };
    xp_cref k = INPUT("k", 1, 4), q = INPUT("q", 2, 4);
    xp_cref cache = BUFFER("cache", 6, 4);
    REC_AT(at(5, 5), copy_, T(REC_AT(at(5, 14), slice, T(cache), I(0), I(POS), I(POS + 1), I(1))), T(k));
    output(REC_AT(at(6, 12), matmul, T(q), T(REC_AT(at(6, 25), t, T(cache)))), NULL);
    finish();
    assert_printed("exported program step\n"
                   "graph(b_cache: f32[6, 4], k: f32[1, 4], q: f32[2, 4]):\n"
                   "  %slice         = xp.slice(b_cache, start=2, end=3)                    f32[1, 4]  model.c:5:14\n"
                   "  %copy          = xp.copy(%slice, k)                                   f32[1, 4]  model.c:5:5\n"
                   "  %slice_scatter = xp.slice_scatter(b_cache, %copy, start=2, end=3)     f32[6, 4]  model.c:5:5\n"
                   "  %t             = xp.t(%slice_scatter)                                 f32[4, 6]  model.c:6:25\n"
                   "  %matmul        = xp.matmul(q, %t)                                     f32[2, 6]  model.c:6:12\n"
                   "  return (%slice_scatter, %matmul)\n"
                   "signature:\n"
                   "  b_cache         BUFFER      cache\n"
                   "  k, q            USER_INPUT\n"
                   "  %slice_scatter  BUFFER_MUTATION  cache\n"
                   "  %matmul         USER_OUTPUT\n");

    /* two steps: the second sees the first's write */
    uint64_t seed = 13;
    xp_tensor *cache0 = RND(&seed, 6, 4), *ce = clone(cache0);
    bind("cache", cache0);
    for (int step = 0; step < 2; step++) {
        xp_tensor *k0 = RND(&seed, 1, 4), *q0 = RND(&seed, 2, 4);
        xp_copy_(xp_slice(ce, 0, POS, POS + 1, 1), k0);
        xp_tensor *want = xp_matmul(q0, xp_t(ce));
        run_and_compare(2, (xp_tensor *[]){k0, q0}, 1, &want, (xp_tensor *[]){k0, q0});
        xpt_assert_close(bound_buffer("cache"), ce, 0, 0);
    }
    end();
}
END_TEST

/* ---- inputs and outputs ---- */

START_TEST(weights_are_named_by_path_and_deduplicated) {
    begin("f");
    xp_cref x = INPUT("x", 4);
    xp_cref wq = PARAM("layers.3.attn.wq", 4), mean = BUFFER("bn.running_mean", 4);
    ck_assert_int_eq(PARAM("layers.3.attn.wq", 4), wq);
    ck_assert_int_eq(BUFFER("bn.running_mean", 4), mean);
    xp_cref r;
    fails_with(xp_capture_weight(cap, XP_IN_PARAMETER, "layers.3.attn.wq", XP_F32, XP_DIMS(5), &r), XP_ERR_SHAPE,
               "parameter 'layers.3.attn.wq' is f32[5] here but f32[4] where first used");
    fails_with(xp_capture_weight(cap, XP_IN_PARAMETER, "layers.3.attn.wq", XP_F16, XP_DIMS(4), &r), XP_ERR_DTYPE,
               "is f16[4] here but f32[4]");
    fails_with(xp_capture_weight(cap, XP_IN_BUFFER, "layers.3.attn.wq", XP_F32, XP_DIMS(4), &r), XP_ERR_INVALID_ARG,
               "buffer 'layers.3.attn.wq' is already an input of the program as a parameter");
    fails_with(xp_capture_weight(cap, XP_IN_USER_INPUT, "x", XP_F32, XP_DIMS(4), &r), XP_ERR_INVALID_ARG,
               "must be a PARAMETER, BUFFER or CONSTANT");
    /* a path that sanitizes to a taken name gets a suffix */
    xp_cref other = PARAM("layers_3.attn.wq", 4);
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 8);
    ok(xp_capture_symint_input(cap, "n", n));
    output(REC(add, T(REC(add, T(x), T(wq))), T(REC(mul, T(mean), T(other)))), NULL);
    finish();
    char *text = printed();
    xpt_assert_contains(text, "graph(p_layers_3_attn_wq: f32[4], p_layers_3_attn_wq_1: f32[4], "
                              "b_bn_running_mean: f32[4], x: f32[4], n: SymInt(n)):\n");
    xpt_assert_contains(text, "signature:\n"
                              "  p_layers_3_attn_wq    PARAMETER   layers.3.attn.wq\n"
                              "  p_layers_3_attn_wq_1  PARAMETER   layers_3.attn.wq\n"
                              "  b_bn_running_mean     BUFFER      bn.running_mean\n"
                              "  x                     USER_INPUT\n"
                              "  n                     SYMINT\n");
    free(text);
    end();
}
END_TEST

START_TEST(struct_fields_name_user_outputs) {
    begin("f");
    xp_cref x = INPUT("x", 2, 3);
    output(REC(relu, T(x)), "hidden");
    output(REC(neg, T(x)), "logits");
    finish();
    ck_assert_str_eq(prog->sig_out[0].target, "hidden");
    char *text = printed();
    xpt_assert_contains(text, "  %relu  USER_OUTPUT  hidden\n  %neg   USER_OUTPUT  logits\n");
    /* the field survives the .xpg file */
    char *json;
    size_t len;
    ok(xp_program_to_json(prog, &json, &len));
    xp_program *back;
    ok(xp_program_load_json(json, len, &back));
    FILE *f;
    char *text2 = NULL;
    size_t n2 = 0;
    ck_assert_ptr_nonnull(f = open_memstream(&text2, &n2));
    xp_program_print(back, f);
    fclose(f);
    ck_assert_str_eq(text2, text);
    free(text2);
    free(text);
    free(json);
    xp_program_free(back);

    uint64_t seed = 14;
    xp_tensor *x0 = RND(&seed, 2, 3);
    run_and_compare(1, &x0, 2, (xp_tensor *[]){xp_relu(x0), xp_neg(x0)}, &x0);
    end();
}
END_TEST

START_TEST(meta_and_value_follow_the_reference) {
    begin("f");
    xp_cref x = INPUT("x", 4, 6);
    xp_cref s = REC(slice, T(x), I(1), I(0), I(3), I(1));
    const xp_meta *m = xp_capture_meta(cap, s);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->ndim, 2);
    ck_assert_int_eq(m->shape[0], 4);
    ck_assert_int_eq(m->shape[1], 3);
    int32_t v0, v1;
    ok(xp_capture_value(cap, s, &v0));
    REC(neg, T(x)); /* reads do not make views stale */
    ok(xp_capture_value(cap, s, &v1));
    ck_assert_int_eq(v0, v1);
    REC(relu_, T(x));
    ok(xp_capture_value(cap, s, &v1));
    ck_assert_int_ne(v0, v1);
    ck_assert_str_eq(prog->graph->values[v1].name, "slice_1");
    ck_assert_ptr_eq(xp_capture_meta(cap, s), m); /* stable across recording */
    output(x, NULL);
    finish();
    fails_with(TRY(&s, neg, T(x)), XP_ERR_INVALID_ARG, "already finished");
    fails_with(xp_capture_finish(cap), XP_ERR_INVALID_ARG, "already finished");
    end();
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("capture");
    tcase_add_test(tc, tutorial_model_captures_as_in_design);
    tcase_add_test(tc, relu_on_input_is_a_user_input_mutation);
    tcase_add_test(tc, returning_the_written_input_returns_its_new_value);
    tcase_add_test(tc, returning_an_input_unchanged_returns_its_placeholder);
    tcase_add_test(tc, in_place_result_is_cast_back_to_self_dtype);
    tcase_add_test(tc, write_through_slice_is_slice_scatter);
    tcase_add_test(tc, write_through_select_of_slice_nests_scatters);
    tcase_add_test(tc, write_through_strided_slice_with_python_bounds);
    tcase_add_test(tc, write_through_transposes_applies_the_inverse_permutation);
    tcase_add_test(tc, write_through_reshaping_views_reshapes_back);
    tcase_add_test(tc, view_of_a_base_written_through_a_transpose_still_runs);
    tcase_add_test(tc, stale_views_are_rederived_after_a_base_write);
    tcase_add_test(tc, sibling_view_sees_a_write_through_another_view);
    tcase_add_test(tc, write_through_expand_is_refused_and_records_nothing);
    tcase_add_test(tc, failed_calls_record_nothing);
    tcase_add_test(tc, written_parameter_is_an_error_naming_it);
    tcase_add_test(tc, kv_cache_update_is_a_buffer_mutation);
    tcase_add_test(tc, weights_are_named_by_path_and_deduplicated);
    tcase_add_test(tc, struct_fields_name_user_outputs);
    tcase_add_test(tc, meta_and_value_follow_the_reference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
