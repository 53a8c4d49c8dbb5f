/*
 * Structured control flow (issue 5): cond and map captured through the C
 * capture API as the Clang plugin drives it, saved and loaded as JSON,
 * printed, and run by the interpreter against the eager xp_cond / xp_map
 * on random inputs, with both branches taken.
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
}

static void end(void) {
    xp_capture_free(cap);
    xp_program_free(prog);
    xp_scope_pop(scope);
}

static xp_srcloc at(int line, int col) { return (xp_srcloc){xp_program_file(prog, "model.c"), line, col}; }

static xp_cref rec(xp_op_id op, int n, const xp_carg *args) {
    xp_cref out = XP_CREF_NONE;
    ok(xp_capture_op(cap, op, args, n, at(1, 1), &out));
    return out;
}
#define NARGS_(...) (int)(sizeof((xp_carg[]){__VA_ARGS__}) / sizeof(xp_carg))
#define REC(op, ...) rec(XP_OP_##op, NARGS_(__VA_ARGS__), (xp_carg[]){__VA_ARGS__})
#define TRY(out, op, ...) xp_capture_op(cap, XP_OP_##op, (xp_carg[]){__VA_ARGS__}, NARGS_(__VA_ARGS__), XP_NO_LOC, out)
#define T(r) xp_carg_t(r)
#define I(v) xp_carg_i(v)
#define F(v) xp_carg_f(v)

static xp_cref input(const char *name, xp_dtype dt, int n, const xp_dim *shape) {
    xp_cref r;
    ok(xp_capture_user_input(cap, name, dt, n, shape, &r));
    return r;
}
#define INPUT(name, ...) input(name, XP_F32, XP_DIMS(__VA_ARGS__))

/* pred = sum(t) > 0, a 0-d bool tensor */
static xp_cref positive(xp_cref t) { return REC(gt_scalar, T(REC(sum, T(t))), F(0)); }

/* Ends the innermost cond with one output per branch. */
static xp_cref cond1(xp_cref t, xp_cref f) {
    xp_cref out;
    ok(xp_capture_cond_end(cap, 1, &t, &f, &out));
    return out;
}

static char *printed(const xp_program *p) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    return buf;
}

/* Saves and reloads the finished program: the copy prints the same. */
static xp_program *round_trip(const char *file) {
    char *path = xpt_tmp_path(file);
    ok(xp_program_save(prog, path));
    xp_program *q = NULL;
    ok(xp_program_load(path, &q));
    char *a = printed(prog), *b = printed(q);
    ck_assert_str_eq(b, a);
    free(a);
    free(b);
    return q;
}

/* Eager and interpreter run the same kernels on the same data, so results
 * agree to rounding; the slack covers a kernel taking another path for a
 * strided slice than for a contiguous tensor, and the decomposed silu
 * (x * sigmoid(x), two roundings more than the fused kernel). */
#define RTOL 1e-5
#define ATOL 1e-6

static void run_check(xp_program *p, int nin, xp_tensor *const *ins, xp_tensor *want) {
    xp_tensor *out = NULL;
    ok(xp_program_run(p, ins, nin, &out, 1));
    xpt_assert_close(out, want, RTOL, ATOL);
    xp_tensor_free(out);
}

static xp_tensor *rnd(uint64_t *seed, xp_dtype dt, int n, const int64_t *shape, double lo, double hi) {
    return xpt_random(seed, dt, n, shape, lo, hi);
}

/* ---- cond with closed-over tensors ---- */

static xp_tensor *add_branch(int n, xp_tensor *const *ops) {
    ck_assert_int_eq(n, 2);
    return xp_relu(xp_add(ops[0], ops[1]));
}
static xp_tensor *mul_branch(int n, xp_tensor *const *ops) {
    ck_assert_int_eq(n, 2);
    return xp_mul(xp_mul(ops[1], ops[0]), ops[0]);
}

START_TEST(cond_lifts_closed_over_tensors_once) {
    begin("forward");
    xp_cref x = INPUT("x", 4), y = INPUT("y", 4);
    xp_cref p = positive(x);
    ok(xp_capture_cond_begin(cap, p, at(3, 5)));
    xp_cref t = REC(relu, T(REC(add, T(x), T(y)))); /* x, y read: lifted */
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(mul, T(y), T(x)); /* read again: the same operands */
    f = REC(mul, T(f), T(x));
    xp_cref out = cond1(t, f);
    ok(xp_capture_output(cap, out, NULL));
    ok(xp_capture_finish(cap));
    /* the cond node: pred and the two operands, deduplicated */
    const xp_node *n = &prog->graph->nodes[prog->graph->nnodes - 1];
    ck_assert_int_eq(n->op, XP_OP_cond);
    ck_assert_int_eq(n->args[1].vl.n, 2);
    ck_assert_int_eq(n->sub[0]->ninputs, 2);
    ck_assert_int_eq(n->sub[1]->ninputs, 2);
    char *text = printed(prog);
    ck_assert_str_eq(text,
                     "exported program forward\n"
                     "graph(x: f32[4], y: f32[4]):\n"
                     "  %sum       = xp.sum(x)                         f32[]   model.c:1:1\n"
                     "  %gt_scalar = xp.gt_scalar(%sum, other=0.0)     bool[]  model.c:1:1\n"
                     "  %cond      = xp.cond(%gt_scalar, [x, y])       f32[4]  model.c:3:5\n"
                     "    true_branch(x: f32[4], y: f32[4]):\n"
                     "      %add  = xp.add(x, y)      f32[4]  model.c:1:1\n"
                     "      %relu = xp.relu(%add)     f32[4]  model.c:1:1\n"
                     "      return (%relu)\n"
                     "    false_branch(x: f32[4], y: f32[4]):\n"
                     "      %mul   = xp.mul(y, x)        f32[4]  model.c:1:1\n"
                     "      %mul_1 = xp.mul(%mul, x)     f32[4]  model.c:1:1\n"
                     "      return (%mul_1)\n"
                     "  return (%cond)\n"
                     "signature:\n"
                     "  x, y   USER_INPUT\n"
                     "  %cond  USER_OUTPUT\n");
    free(text);
    xp_program *q = round_trip("cond_lift.xpg");
    uint64_t seed = 7;
    for (int trial = 0; trial < 6; trial++) {
        /* alternate the sign of x's sum so both branches run */
        double lo = trial % 2 ? 0.1 : -2, hi = trial % 2 ? 2 : -0.1;
        xp_tensor *xs = rnd(&seed, XP_F32, XP_DIMS(4), lo, hi), *ys = rnd(&seed, XP_F32, XP_DIMS(4), -2, 2);
        xp_tensor *pred = xp_gt_scalar(xp_sum(xs), 0);
        ck_assert(xp_item_bool(pred) == (trial % 2 == 1));
        xp_tensor *want = xp_cond(pred, add_branch, mul_branch, 2, (xp_tensor *const[]){xs, ys});
        ck_assert_ptr_nonnull(want);
        run_check(prog, 2, (xp_tensor *const[]){xs, ys}, want);
        run_check(q, 2, (xp_tensor *const[]){xs, ys}, want);
    }
    xp_program_free(q);
    end();
}
END_TEST

/* ---- nested cond, lifting through both levels ---- */

static xp_tensor *inner_true(int n, xp_tensor *const *ops) { (void)n; return xp_add(ops[0], ops[1]); }
static xp_tensor *inner_false(int n, xp_tensor *const *ops) { (void)n; return xp_sub(ops[0], ops[1]); }
static xp_tensor *outer_true(int n, xp_tensor *const *ops) {
    (void)n; /* ops: q, x, y */
    return xp_cond(ops[0], inner_true, inner_false, 2, ops + 1);
}
static xp_tensor *outer_false(int n, xp_tensor *const *ops) { (void)n; return xp_neg(ops[2]); }

START_TEST(nested_cond_lifts_through_each_level) {
    begin("nested");
    xp_cref x = INPUT("x", 2, 3), y = INPUT("y", 2, 3);
    xp_cref p = positive(x), q = positive(y);
    ok(xp_capture_cond_begin(cap, p, at(4, 5)));
    ok(xp_capture_cond_begin(cap, q, at(5, 9))); /* q is lifted into the outer true branch */
    xp_cref it = REC(add, T(x), T(y));
    ok(xp_capture_cond_else(cap));
    xp_cref iff = REC(sub, T(x), T(y));
    xp_cref t = cond1(it, iff);
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(neg, T(y));
    xp_cref out = cond1(t, f);
    ok(xp_capture_output(cap, out, NULL));
    ok(xp_capture_finish(cap));
    const xp_node *n = &prog->graph->nodes[prog->graph->nnodes - 1];
    ck_assert_int_eq(n->op, XP_OP_cond);
    ck_assert_int_eq(n->args[1].vl.n, 3); /* q, x, y */
    const xp_graph *tb = n->sub[0];
    ck_assert_int_eq(tb->nnodes, 1);
    ck_assert_int_eq(tb->nodes[0].op, XP_OP_cond);
    char *text = printed(prog);
    xpt_assert_contains(text, "%cond_1      = xp.cond(%gt_scalar, [%gt_scalar_1, x, y])");
    xpt_assert_contains(text, "      %cond = xp.cond(gt_scalar_1, [x, y])     f32[2, 3]  model.c:5:9\n");
    xpt_assert_contains(text, "true_branch(gt_scalar_1: bool[], x: f32[2, 3], y: f32[2, 3]):");
    free(text);
    xp_program *loaded = round_trip("nested.xpg");
    uint64_t seed = 11;
    for (int trial = 0; trial < 8; trial++) {
        double xl = trial & 1 ? 0.1 : -2, xh = trial & 1 ? 2 : -0.1;
        double yl = trial & 2 ? 0.1 : -2, yh = trial & 2 ? 2 : -0.1;
        xp_tensor *xs = rnd(&seed, XP_F32, XP_DIMS(2, 3), xl, xh), *ys = rnd(&seed, XP_F32, XP_DIMS(2, 3), yl, yh);
        xp_tensor *pp = xp_gt_scalar(xp_sum(xs), 0), *qq = xp_gt_scalar(xp_sum(ys), 0);
        xp_tensor *want = xp_cond(pp, outer_true, outer_false, 3, (xp_tensor *const[]){qq, xs, ys});
        ck_assert_ptr_nonnull(want);
        run_check(prog, 2, (xp_tensor *const[]){xs, ys}, want);
        run_check(loaded, 2, (xp_tensor *const[]){xs, ys}, want);
    }
    xp_program_free(loaded);
    end();
}
END_TEST

/* ---- a helper with a cond, called twice in a sequence ---- */

/* what the plugin emits for an inlined helper:
 *   xp_tensor *clip(xp_tensor *a, xp_tensor *w) {
 *   #pragma xport cond
 *       if (xp_sum(a) > 0) return xp_mul(a, w); return xp_neg(a); } */
static xp_cref clip(xp_cref a, xp_cref w, int line) {
    xp_cref p = positive(a);
    ok(xp_capture_cond_begin(cap, p, at(line, 5)));
    xp_cref t = REC(mul, T(a), T(w));
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(neg, T(a));
    return cond1(t, f);
}

static xp_tensor *clip_eager(xp_tensor *a, xp_tensor *w) {
    xp_tensor *p = xp_gt_scalar(xp_sum(a), 0);
    return xp_item_bool(p) ? xp_mul(a, w) : xp_neg(a);
}

START_TEST(cond_in_a_helper_sequence_reads_the_parameter) {
    begin("helper");
    xp_cref x = INPUT("x", 5);
    xp_cref w;
    ok(xp_capture_weight(cap, XP_IN_PARAMETER, "scale", XP_F32, XP_DIMS(5), &w));
    xp_cref h = clip(x, w, 10);
    xp_cref h2 = clip(REC(add, T(h), T(x)), w, 11);
    ok(xp_capture_output(cap, REC(relu, T(h2)), NULL));
    ok(xp_capture_finish(cap));
    char *text = printed(prog);
    xpt_assert_contains(text, "xp.cond(%gt_scalar, [x, p_scale])");
    xpt_assert_contains(text, "xp.cond(%gt_scalar_1, [%add, p_scale])");
    free(text);
    xp_program *loaded = round_trip("helper.xpg");
    uint64_t seed = 3;
    xp_tensor *wt = rnd(&seed, XP_F32, XP_DIMS(5), -2, 2);
    ok(xp_program_bind_tensor(prog, "scale", wt));
    ok(xp_program_bind_tensor(loaded, "scale", wt));
    for (int trial = 0; trial < 8; trial++) {
        xp_tensor *xs = rnd(&seed, XP_F32, XP_DIMS(5), -2, 2);
        xp_tensor *a = clip_eager(xs, wt);
        xp_tensor *want = xp_relu(clip_eager(xp_add(a, xs), wt));
        run_check(prog, 1, &xs, want);
        run_check(loaded, 1, &xs, want);
    }
    xp_program_free(loaded);
    end();
}
END_TEST

/* A branch may return an operand unchanged, and read a weight the model
 * meets only inside it (the weight becomes a program input, then an
 * operand). The map body may likewise return an extra. */
START_TEST(branches_return_operands_and_read_weights_first_seen_inside) {
    begin("passthrough");
    xp_cref x = INPUT("x", 3);
    xp_cref p = positive(x);
    ok(xp_capture_cond_begin(cap, p, at(1, 1)));
    xp_cref t = x;
    ok(xp_capture_cond_else(cap));
    xp_cref w;
    ok(xp_capture_weight(cap, XP_IN_BUFFER, "shift", XP_F32, XP_DIMS(3), &w));
    xp_cref f = REC(add, T(x), T(w));
    xp_cref c = cond1(t, f);
    xp_cref s, m;
    ok(xp_capture_map_begin(cap, 1, &c, at(2, 1), &s));
    ok(xp_capture_map_end(cap, 1, &w, &m)); /* the body returns the extra */
    ok(xp_capture_output(cap, c, NULL));
    ok(xp_capture_output(cap, m, NULL));
    ok(xp_capture_finish(cap));
    char *text = printed(prog);
    xpt_assert_contains(text, "graph(b_shift: f32[3], x: f32[3]):");
    xpt_assert_contains(text, "xp.cond(%gt_scalar, [x, b_shift])");
    xpt_assert_contains(text, "      return (x)\n");
    xpt_assert_contains(text, "  %map       = xp.map([%cond], [b_shift])            f32[3, 3]  model.c:2:1\n");
    free(text);
    xp_program *loaded = round_trip("passthrough.xpg");
    uint64_t seed = 17;
    xp_tensor *sh = rnd(&seed, XP_F32, XP_DIMS(3), -2, 2);
    ok(xp_program_bind_tensor(prog, "shift", sh));
    ok(xp_program_bind_tensor(loaded, "shift", sh));
    for (int trial = 0; trial < 4; trial++) {
        xp_tensor *xs = rnd(&seed, XP_F32, XP_DIMS(3), trial % 2 ? 0.1 : -2, trial % 2 ? 2 : -0.1);
        xp_tensor *want = trial % 2 ? xs : xp_add(xs, sh);
        xp_tensor *want_m = xp_stack(3, (xp_tensor *const[]){sh, sh, sh}, 0);
        xp_program *ps[2] = {prog, loaded};
        for (int k = 0; k < 2; k++) {
            xp_tensor *got[2] = {NULL, NULL};
            ok(xp_program_run(ps[k], &xs, 1, got, 2));
            xpt_assert_close(got[0], want, RTOL, ATOL);
            xpt_assert_close(got[1], want_m, RTOL, ATOL);
            xp_tensor_free(got[0]);
            xp_tensor_free(got[1]);
        }
    }
    xp_program_free(loaded);
    end();
}
END_TEST

/* ---- rejected branches ---- */

START_TEST(cond_rejects_mismatched_branch_outputs) {
    begin("bad");
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 16);
    xp_cref x = INPUT("x", n, 4);
    xp_cref p = positive(x);
    ok(xp_capture_cond_begin(cap, p, at(2, 1)));
    xp_cref t = REC(relu, T(x));
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(sum, T(x));
    xp_cref out = 99;
    fails_with(xp_capture_cond_end(cap, 1, &t, &f, &out), XP_ERR_SHAPE,
               "cond: output 0 differs between the branches (rank): f32[n, 4] in the true branch, f32[] in the false "
               "branch");
    xp_capture_region_abort(cap);
    /* a dtype difference */
    ok(xp_capture_cond_begin(cap, p, at(2, 1)));
    t = REC(relu, T(x));
    ok(xp_capture_cond_else(cap));
    f = REC(gt_scalar, T(x), F(0));
    fails_with(xp_capture_cond_end(cap, 1, &t, &f, &out), XP_ERR_DTYPE,
               "output 0 differs between the branches (dtype): f32[n, 4] in the true branch, bool[n, 4]");
    xp_capture_region_abort(cap);
    /* a symbolic size that is not provably equal */
    ok(xp_capture_cond_begin(cap, p, at(2, 1)));
    t = REC(relu, T(x));
    ok(xp_capture_cond_else(cap));
    f = REC(slice, T(x), I(0), I(0), I(1), I(1));
    fails_with(xp_capture_cond_end(cap, 1, &t, &f, &out), XP_ERR_SHAPE, "(size of dim 0): f32[n, 4] in the true branch");
    xp_capture_region_abort(cap);
    /* after the aborts the capture goes on; a branch tensor is dead outside */
    fails_with(xp_capture_output(cap, t, NULL), XP_ERR_INVALID_ARG, "is used outside it");
    ok(xp_capture_output(cap, REC(neg, T(x)), NULL));
    ok(xp_capture_finish(cap));
    ck_assert_int_eq(prog->graph->nnodes, 3); /* sum, gt_scalar, neg: nothing left of the regions */
    end();
}
END_TEST

START_TEST(cond_rejects_mutating_an_outer_tensor) {
    begin("mutate");
    xp_cref x = INPUT("x", 3), y = INPUT("y", 3);
    xp_cref p = positive(x);
    ok(xp_capture_cond_begin(cap, p, at(2, 1)));
    xp_cref out;
    fails_with(TRY(&out, relu_, T(x)), XP_ERR_UNSUPPORTED,
               "relu_: the true branch of cond writes 'x', a tensor from outside it; cond branches must not mutate "
               "inputs");
    /* through a view too */
    xp_cref v = REC(slice, T(y), I(0), I(0), I(2), I(1));
    fails_with(TRY(&out, relu_, T(v)), XP_ERR_UNSUPPORTED, "writes 'y'");
    /* a tensor made inside the branch may be written */
    xp_cref c = REC(clone, T(x));
    ok(TRY(&out, relu_, T(c)));
    ok(xp_capture_cond_else(cap));
    fails_with(TRY(&out, add_, T(y), T(x)), XP_ERR_UNSUPPORTED, "the false branch of cond writes 'y'");
    xp_cref f = REC(neg, T(x));
    ok(xp_capture_cond_end(cap, 1, &c, &f, &out));
    ok(xp_capture_output(cap, out, NULL));
    ok(xp_capture_finish(cap));
    uint64_t seed = 5;
    for (int trial = 0; trial < 4; trial++) {
        xp_tensor *xs = rnd(&seed, XP_F32, XP_DIMS(3), trial % 2 ? 0.1 : -2, trial % 2 ? 2 : -0.1);
        xp_tensor *ys = rnd(&seed, XP_F32, XP_DIMS(3), -2, 2);
        xp_tensor *want = trial % 2 ? xp_relu(xs) : xp_neg(xs);
        run_check(prog, 2, (xp_tensor *const[]){xs, ys}, want);
    }
    end();
}
END_TEST

START_TEST(cond_rejects_a_predicate_that_is_not_one_bool) {
    begin("pred");
    xp_cref x = INPUT("x", 3);
    fails_with(xp_capture_cond_begin(cap, x, at(1, 1)), XP_ERR_DTYPE,
               "cond: the predicate must be a one-element bool tensor, not f32[3]");
    xp_cref b = REC(gt_scalar, T(x), F(0));
    fails_with(xp_capture_cond_begin(cap, b, at(1, 1)), XP_ERR_SHAPE, "not bool[3]");
    xp_tensor *xs = xp_tensor_new(XP_F32, XP_DIMS(3));
    ck_assert_ptr_null(xp_cond(xs, add_branch, mul_branch, 0, NULL));
    xpt_assert_contains(xp_last_error(), "xp_cond: the predicate must be a one-element bool tensor, not f32[3]");
    end();
}
END_TEST

/* ---- a condition on sizes ---- */

static xp_tensor *relu_branch(int n, xp_tensor *const *ops) { (void)n; return xp_relu(ops[0]); }
static xp_tensor *neg_branch(int n, xp_tensor *const *ops) { (void)n; return xp_neg(ops[0]); }

START_TEST(cond_on_a_symbolic_size_via_sym_le) {
    begin("sizes");
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 64);
    xp_cref x = INPUT("x", n, 4);
    xp_cref p = REC(sym_le, I(n), I(8));
    ok(xp_capture_cond_begin(cap, p, at(6, 5)));
    xp_cref t = REC(relu, T(x));
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(neg, T(x));
    ok(xp_capture_output(cap, cond1(t, f), NULL));
    ok(xp_capture_finish(cap));
    char *text = printed(prog);
    xpt_assert_contains(text, "%sym_le = xp.sym_le(a=n, b=8)");
    xpt_assert_contains(text, "bool[]");
    xpt_assert_contains(text, "%cond   = xp.cond(%sym_le, [x])");
    xpt_assert_contains(text, "f32[n, 4]");
    free(text);
    xp_program *loaded = round_trip("sizes.xpg");
    uint64_t seed = 9;
    const int64_t sizes[] = {1, 8, 9, 30};
    for (int i = 0; i < 4; i++) {
        xp_tensor *xs = rnd(&seed, XP_F32, 2, (int64_t[]){sizes[i], 4}, -2, 2);
        xp_tensor *pred = xp_full(XP_BOOL, 0, NULL, sizes[i] <= 8);
        xp_tensor *want = xp_cond(pred, relu_branch, neg_branch, 1, &xs);
        ck_assert_ptr_nonnull(want);
        run_check(prog, 1, &xs, want);
        run_check(loaded, 1, &xs, want);
    }
    xp_program_free(loaded);
    end();
}
END_TEST

/* ---- only the taken branch runs ---- */

START_TEST(interpreter_runs_only_the_taken_branch) {
    begin("taken");
    xp_cref sel = input("sel", XP_BOOL, 0, NULL);
    xp_cref w = INPUT("w", 5, 3), x = INPUT("x", 2, 3);
    xp_cref idx = input("idx", XP_I64, XP_DIMS(2));
    ok(xp_capture_cond_begin(cap, sel, at(1, 1)));
    xp_cref t = REC(embedding, T(w), T(idx)); /* fails at run time on a bad index */
    ok(xp_capture_cond_else(cap));
    xp_cref f = REC(neg, T(x));
    ok(xp_capture_output(cap, cond1(t, f), NULL));
    ok(xp_capture_finish(cap));
    uint64_t seed = 1;
    xp_tensor *ws = rnd(&seed, XP_F32, XP_DIMS(5, 3), -2, 2), *xs = rnd(&seed, XP_F32, XP_DIMS(2, 3), -2, 2);
    xp_tensor *bad = xp_tensor_from(XP_I64, XP_DIMS(2), (int64_t[]){100, 0});
    xp_tensor *no = xp_full(XP_BOOL, 0, NULL, 0), *yes = xp_full(XP_BOOL, 0, NULL, 1);
    /* false: the embedding with index 100 is never run */
    run_check(prog, 4, (xp_tensor *const[]){no, ws, xs, bad}, xp_neg(xs));
    xp_tensor *out = NULL;
    fails_with(xp_program_run(prog, (xp_tensor *const[]){yes, ws, xs, bad}, 4, &out, 1), XP_ERR_INVALID_ARG,
               "true branch");
    xpt_assert_contains(xp_last_error(), "index 100");
    end();
}
END_TEST

/* ---- map ---- */

static xp_tensor *body_eager(xp_tensor *s, int n, xp_tensor *const *extras) {
    ck_assert_int_eq(n, 2);
    return xp_add(xp_mul(s, extras[0]), extras[1]);
}
static xp_tensor *body_sum(xp_tensor *s, int n, xp_tensor *const *extras) {
    (void)n;
    (void)extras;
    return xp_sum(s);
}

START_TEST(map_over_a_symbolic_leading_dim_with_extras) {
    begin("mapped");
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 32);
    xp_cref xs = INPUT("xs", n, 3), w = INPUT("w", 3), b = INPUT("b", 3);
    xp_cref s;
    ok(xp_capture_map_begin(cap, 1, &xs, at(8, 5), &s));
    ck_assert_int_eq(xp_capture_meta(cap, s)->ndim, 1);
    xp_cref body[2] = {REC(add, T(REC(mul, T(s), T(w))), T(b)), REC(sum, T(s))};
    REC(relu, T(w)); /* w read again: still one extra */
    xp_cref outs[2];
    ok(xp_capture_map_end(cap, 2, body, outs));
    ok(xp_capture_output(cap, outs[0], NULL));
    ok(xp_capture_output(cap, outs[1], NULL));
    ok(xp_capture_finish(cap));
    const xp_node *node = &prog->graph->nodes[prog->graph->nnodes - 1];
    ck_assert_int_eq(node->op, XP_OP_map);
    ck_assert_int_eq(node->args[1].vl.n, 2);
    char *text = printed(prog);
    xpt_assert_contains(text, "xp.map([xs], [w, b])");
    xpt_assert_contains(text, "body(xs_slice: f32[3], w: f32[3], b: f32[3]):");
    xpt_assert_contains(text, "f32[n, 3], f32[n]");
    free(text);
    xp_program *loaded = round_trip("map.xpg");
    uint64_t seed = 21;
    const int64_t sizes[] = {1, 5, 32};
    xp_tensor *ws = rnd(&seed, XP_F32, XP_DIMS(3), -2, 2), *bs = rnd(&seed, XP_F32, XP_DIMS(3), -2, 2);
    for (int i = 0; i < 3; i++) {
        xp_tensor *x = rnd(&seed, XP_F32, 2, (int64_t[]){sizes[i], 3}, -2, 2);
        xp_tensor *want0 = xp_map(body_eager, x, 2, (xp_tensor *const[]){ws, bs});
        xp_tensor *want1 = xp_map(body_sum, x, 0, NULL);
        ck_assert_ptr_nonnull(want0);
        ck_assert_ptr_nonnull(want1);
        xp_program *ps[2] = {prog, loaded};
        for (int k = 0; k < 2; k++) {
            xp_tensor *got[2] = {NULL, NULL};
            ok(xp_program_run(ps[k], (xp_tensor *const[]){x, ws, bs}, 3, got, 2));
            xpt_assert_close(got[0], want0, RTOL, ATOL);
            xpt_assert_close(got[1], want1, RTOL, ATOL);
            xp_tensor_free(got[0]);
            xp_tensor_free(got[1]);
        }
    }
    xp_program_free(loaded);
    end();
}
END_TEST

START_TEST(map_rejects_unequal_leading_sizes_and_outer_writes) {
    begin("badmap");
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 32), m = xp_sym_new(prog->syms, "m", 1, 32);
    xp_cref a = INPUT("a", n, 3), b = INPUT("b", m, 3);
    xp_cref s[2];
    fails_with(xp_capture_map_begin(cap, 2, (xp_cref[]){a, b}, at(1, 1), s), XP_ERR_SHAPE,
               "map: xs 1 is f32[m, 3] but xs 0 is f32[n, 3]; the leading sizes must be equal");
    ok(xp_capture_map_begin(cap, 1, &a, at(1, 1), s));
    xp_cref out;
    fails_with(TRY(&out, relu_, T(b)), XP_ERR_UNSUPPORTED, "the body of map writes 'b'");
    xp_capture_region_abort(cap);
    end();
}
END_TEST

/* ---- decomposing a map body ---- */

static xp_tensor *silu_body(xp_tensor *s, int n, xp_tensor *const *extras) {
    (void)n;
    return xp_add(xp_silu(s), extras[0]);
}

START_TEST(map_body_is_decomposed_into_core_ops) {
    begin("silu_map");
    xp_dim n = xp_sym_new(prog->syms, "n", 1, 8);
    xp_cref xs = INPUT("xs", n, 4), b = INPUT("b", 4);
    xp_cref s;
    ok(xp_capture_map_begin(cap, 1, &xs, at(2, 3), &s));
    xp_cref body = REC(add, T(REC(silu, T(s))), T(b));
    xp_cref out;
    ok(xp_capture_map_end(cap, 1, &body, &out));
    ok(xp_capture_output(cap, out, NULL));
    ok(xp_capture_finish(cap));
    xp_program *d = NULL;
    ok(xp_program_run_decompositions(prog, NULL, &d));
    const xp_node *node = &d->graph->nodes[d->graph->nnodes - 1];
    ck_assert_int_eq(node->op, XP_OP_map);
    for (int i = 0; i < node->sub[0]->nnodes; i++)
        ck_assert_msg(xp_op_get(node->sub[0]->nodes[i].op)->flags & XP_OP_CORE, "%s is not core",
                      node->sub[0]->nodes[i].name);
    uint64_t seed = 4;
    xp_tensor *bs = rnd(&seed, XP_F32, XP_DIMS(4), -2, 2), *x = rnd(&seed, XP_F32, XP_DIMS(6, 4), -2, 2);
    xp_tensor *want = xp_map(silu_body, x, 1, &bs);
    ck_assert_ptr_nonnull(want);
    run_check(prog, 2, (xp_tensor *const[]){x, bs}, want);
    run_check(d, 2, (xp_tensor *const[]){x, bs}, want);
    xp_program_free(d);
    end();
}
END_TEST

static xp_tensor *ragged(xp_tensor *s, int n, xp_tensor *const *extras) {
    (void)n;
    (void)extras;
    return xp_item_f32(xp_sum(s)) > 0 ? xp_sum(s) : xp_relu(s);
}

START_TEST(eager_map_rejects_inconsistent_results) {
    scope = xp_scope_push();
    xp_tensor *x = xp_tensor_from(XP_F32, XP_DIMS(2, 2), (float[]){1, 2, -1, -2});
    ck_assert_ptr_null(xp_map(ragged, x, 0, NULL));
    xpt_assert_contains(xp_last_error(),
                        "xp_map: the result for slice 1 is f32[2] but for slice 0 it is f32[]; every slice must give "
                        "the same dtype and shape");
    xp_scope_pop(scope);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("control_flow");
    TCase *tc = tcase_create("control_flow");
    tcase_add_test(tc, cond_lifts_closed_over_tensors_once);
    tcase_add_test(tc, nested_cond_lifts_through_each_level);
    tcase_add_test(tc, cond_in_a_helper_sequence_reads_the_parameter);
    tcase_add_test(tc, branches_return_operands_and_read_weights_first_seen_inside);
    tcase_add_test(tc, cond_rejects_mismatched_branch_outputs);
    tcase_add_test(tc, cond_rejects_mutating_an_outer_tensor);
    tcase_add_test(tc, cond_rejects_a_predicate_that_is_not_one_bool);
    tcase_add_test(tc, cond_on_a_symbolic_size_via_sym_le);
    tcase_add_test(tc, interpreter_runs_only_the_taken_branch);
    tcase_add_test(tc, map_over_a_symbolic_leading_dim_with_extras);
    tcase_add_test(tc, map_rejects_unequal_leading_sizes_and_outer_writes);
    tcase_add_test(tc, map_body_is_decomposed_into_core_ops);
    tcase_add_test(tc, eager_map_rejects_inconsistent_results);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
