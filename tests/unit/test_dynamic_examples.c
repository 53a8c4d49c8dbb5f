/*
 * The dynamic-shape examples of the torch.export tutorial as runtime
 * tests: each program is built with the IR builder exactly as the plugin
 * captures the C version (the pragmas are in each comment), run on the
 * tutorial's inputs, and compared with eager xp_* calls; the tutorial's
 * bad inputs are rejected by the guards with messages that name the input,
 * the dim, the symbol, the value and the violated bound or relation.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static uint64_t rng = 0xd15ea5e;

static xp_srcloc at(xp_program *p, int line, int col) { return (xp_srcloc){xp_program_file(p, "model.c"), line, col}; }

static xp_dim sym(xp_program *p, const char *name, int64_t lo, int64_t hi) {
    xp_dim d = xp_sym_new(p->syms, name, lo, hi);
    ck_assert_msg(xp_dim_is_valid(d), "%s", xp_last_error());
    return d;
}

static int32_t input(xp_program *p, const char *name, int nd, const xp_dim *shape) {
    int32_t v;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, name, NULL, XP_F32, nd, shape, &v));
    return v;
}
#define INPUT(p, name, ...) input(p, name, XP_DIMS(__VA_ARGS__))

static int32_t node(xp_program *p, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc) {
    int32_t out;
    ok(xp_graph_add_node(p->graph, op, args, nargs, loc, &out));
    return out;
}
#define NODE(p, op, loc, ...) \
    node(p, op, (xp_narg[]){__VA_ARGS__}, (int)(sizeof((xp_narg[]){__VA_ARGS__}) / sizeof(xp_narg)), loc)

/* xp_slice(x, dim, start, end, step) as the plugin records it */
#define SLICE(p, loc, x, dim, start, end, step)                                                                  \
    NODE(p, XP_OP_slice, loc, xp_narg_value(x), xp_narg_int(dim), xp_narg_int(start), xp_narg_int(end), \
         xp_narg_int(step))

static const xp_meta *meta(xp_program *p, int32_t v) { return &p->graph->values[v].meta; }

static xp_tensor *rand_f32(int nd, const int64_t *shape) {
    xp_tensor *t = xpt_random(&rng, XP_F32, nd, shape, -1, 1);
    ck_assert_ptr_nonnull(t);
    return t;
}
#define RAND(...) rand_f32(XP_DIMS(__VA_ARGS__))

/* Runs p on `in` (one output), checks it against `want` and frees both. */
static void run_matches(xp_program *p, xp_tensor *const *in, int n, xp_tensor *want, double rtol) {
    xp_tensor *out = NULL;
    ok(xp_program_run(p, in, n, &out, 1));
    xpt_assert_close(out, want, rtol, rtol);
    xp_tensor_free(out);
    xp_tensor_free(want);
}

static void run_rejected(xp_program *p, xp_tensor *const *in, int n, const char *msg) {
    xp_tensor *out = NULL;
    xp_clear_error();
    xp_status st = xp_program_run(p, in, n, &out, 1);
    ck_assert_msg(st == XP_ERR_GUARD, "status %s (%s), expected a guard error", xp_status_name(st), xp_last_error());
    ck_assert_str_eq(xp_last_error(), msg);
    ck_assert_ptr_null(out);
}

static void free_all(int n, xp_tensor **t) {
    for (int i = 0; i < n; i++) xp_tensor_free(t[i]);
}

/* Eager reference: `expr` computed in a scope of its own, its result kept. */
static xp_tensor *keep_and_pop(xp_scope *sc, xp_tensor *r) {
    r = xp_keep(r);
    xp_scope_pop(sc);
    ck_assert_msg(r != NULL, "%s", xp_last_error());
    return r;
}
#define EAGER(var, expr)                     \
    xp_scope *var##_scope = xp_scope_push(); \
    xp_tensor *var = keep_and_pop(var##_scope, expr)

/*
 * DynamicShapesExample1
 *
 *     #pragma xport dim(inp1_dim0)
 *     #pragma xport dim(inp1_dim1, min=4, max=18)
 *     #pragma xport input(x, f32[inp1_dim0, inp1_dim1, 2])
 *     xp_tensor *forward(xp_tensor *x) { return xp_relu(xp_slice(x, 1, 2, XP_END, 1)); }
 */
static xp_program *example1(void) {
    xp_program *p = xp_program_new("forward");
    xp_dim d0 = sym(p, "inp1_dim0", 0, XP_SYM_MAX_DEFAULT), d1 = sym(p, "inp1_dim1", 4, 18);
    int32_t x = INPUT(p, "x", d0, d1, 2);
    int32_t s = SLICE(p, at(p, 12, 24), x, 1, 2, XP_END, 1);
    int32_t r = NODE(p, XP_OP_relu, at(p, 12, 12), xp_narg_value(s));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, r, NULL));
    /* x[:, 2:] on [4, 18] is provably at least 2: [inp1_dim0, inp1_dim1 - 2, 2] */
    ck_assert(meta(p, r)->shape[0] == d0);
    ck_assert(meta(p, r)->shape[1] == xp_dim_sub(p->syms, d1, 2));
    ck_assert(meta(p, r)->shape[2] == 2);
    return p;
}

static xp_tensor *eager_example1(xp_tensor *x) {
    EAGER(r, xp_relu(xp_slice(x, 1, 2, XP_END, 1)));
    return r;
}

START_TEST(example1_slice_then_relu) {
    xp_program *p = example1();
    xp_tensor *good = RAND(5, 5, 2);
    run_matches(p, &good, 1, eager_example1(good), 0);
    xp_tensor *edges[] = {RAND(0, 4, 2), RAND(3, 18, 2), RAND(1, 4, 2)}; /* both ends of [4, 18]; dim0 may be 0 */
    for (int i = 0; i < 3; i++) run_matches(p, &edges[i], 1, eager_example1(edges[i]), 0);
    xp_tensor *bad[] = {RAND(8, 1, 2), RAND(8, 20, 2), RAND(8, 8, 3), RAND(8, 3, 2)};
    run_rejected(p, &bad[0], 1, "input x: dim 1 (inp1_dim1) is 1, below its minimum 4");
    run_rejected(p, &bad[1], 1, "input x: dim 1 (inp1_dim1) is 20, above its maximum 18");
    run_rejected(p, &bad[2], 1, "input x: dim 2 is 3, but the program was exported with size 2");
    run_rejected(p, &bad[3], 1, "input x: dim 1 (inp1_dim1) is 3, below its minimum 4");
    free_all(1, &good);
    free_all(3, edges);
    free_all(4, bad);
    xp_program_free(p);
}
END_TEST

/*
 * DynamicShapesExample2: one name for the shared inner dim
 *
 *     #pragma xport dim(inp2_dim0)
 *     #pragma xport dim(inner_dim)
 *     #pragma xport dim(inp3_dim1)
 *     #pragma xport input(x, f32[inp2_dim0, inner_dim])
 *     #pragma xport input(y, f32[inner_dim, inp3_dim1])
 *     xp_tensor *forward(xp_tensor *x, xp_tensor *y) { return xp_matmul(x, y); }
 */
START_TEST(example2_shared_inner_dim) {
    xp_program *p = xp_program_new("forward");
    xp_dim m = sym(p, "inp2_dim0", 0, XP_SYM_MAX_DEFAULT), k = sym(p, "inner_dim", 0, XP_SYM_MAX_DEFAULT);
    xp_dim n = sym(p, "inp3_dim1", 0, XP_SYM_MAX_DEFAULT);
    int32_t x = INPUT(p, "x", m, k), y = INPUT(p, "y", k, n);
    int32_t mm = NODE(p, XP_OP_matmul, at(p, 14, 12), xp_narg_value(x), xp_narg_value(y));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, mm, NULL));
    ck_assert(meta(p, mm)->shape[0] == m && meta(p, mm)->shape[1] == n);

    xp_tensor *good[] = {RAND(2, 16), RAND(16, 4)};
    /* f32 dot products of K = 16 terms in [-1, 1): |error| <~ K * 2^-24 * K; 1e-5 covers any summation order */
    EAGER(want, xp_matmul(good[0], good[1]));
    run_matches(p, good, 2, want, 1e-5);
    xp_tensor *bad[] = {RAND(4, 8), RAND(4, 2)};
    run_rejected(p, bad, 2, "input y: dim 0 is 4, but must equal inner_dim = 8 (from input x dim 1)");
    free_all(2, good);
    free_all(2, bad);
    xp_program_free(p);
}
END_TEST

/*
 * DerivedDimExample1: y is one longer than x
 *
 *     #pragma xport dim(dimx, min=3, max=6)
 *     #pragma xport input(x, f32[dimx])
 *     #pragma xport input(y, f32[dimx + 1])
 *     xp_tensor *forward(xp_tensor *x, xp_tensor *y) { return xp_add(x, xp_slice(y, 0, 1, XP_END, 1)); }
 */
START_TEST(derived_dim_example1) {
    xp_program *p = xp_program_new("forward");
    xp_dim dx = sym(p, "dimx", 3, 6);
    int32_t x = INPUT(p, "x", dx), y = INPUT(p, "y", xp_dim_add(p->syms, dx, 1));
    int32_t s = SLICE(p, at(p, 16, 28), y, 0, 1, XP_END, 1);
    ck_assert(meta(p, s)->shape[0] == dx); /* (dimx + 1) - 1 */
    int32_t a = NODE(p, XP_OP_add, at(p, 16, 12), xp_narg_value(x), xp_narg_value(s));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, a, NULL));

    xp_tensor *good[] = {RAND(4), RAND(5)};
    EAGER(want, xp_add(good[0], xp_slice(good[1], 0, 1, XP_END, 1)));
    run_matches(p, good, 2, want, 0);
    xp_tensor *lo[] = {RAND(3), RAND(4)}, *hi[] = {RAND(6), RAND(7)};
    EAGER(want_lo, xp_add(lo[0], xp_slice(lo[1], 0, 1, XP_END, 1)));
    run_matches(p, lo, 2, want_lo, 0);
    EAGER(want_hi, xp_add(hi[0], xp_slice(hi[1], 0, 1, XP_END, 1)));
    run_matches(p, hi, 2, want_hi, 0);

    xp_tensor *bad[] = {RAND(4), RAND(6)};
    run_rejected(p, bad, 2, "input y: dim 0 is 6, but must equal dimx + 1 = 5 (dimx = 4 from input x dim 0)");
    xp_tensor *small[] = {RAND(2), RAND(3)}, *big[] = {RAND(7), RAND(8)};
    run_rejected(p, small, 2, "input x: dim 0 (dimx) is 2, below its minimum 3");
    run_rejected(p, big, 2, "input x: dim 0 (dimx) is 7, above its maximum 6");
    free_all(2, good);
    free_all(2, lo);
    free_all(2, hi);
    free_all(2, bad);
    free_all(2, small);
    free_all(2, big);
    xp_program_free(p);
}
END_TEST

/*
 * DerivedDimExample2: two derived dims of one hidden symbol
 *
 *     #pragma xport dim(dx, min=3, max=6)
 *     #pragma xport input(z, f32[dx + 1])
 *     #pragma xport input(y, f32[3*dx + 1])
 *     xp_tensor *forward(xp_tensor *z, xp_tensor *y) {
 *         return xp_add(xp_slice(z, 0, 1, XP_END, 1), xp_slice(y, 0, 1, XP_END, 3));
 *     }
 *
 * z[1:] is (dx + 1) - 1 = dx and y[1::3] is ceil(3*dx / 3) = (3*dx + 2) / 3,
 * which canonicalizes to dx (the remainder 2 < 3 vanishes), so the add
 * needs no relation: both operands are the same size.
 */
START_TEST(derived_dim_example2) {
    xp_program *p = xp_program_new("forward");
    xp_dim dx = sym(p, "dx", 3, 6);
    int32_t z = INPUT(p, "z", xp_dim_add(p->syms, dx, 1));
    int32_t y = INPUT(p, "y", xp_dim_add(p->syms, xp_dim_mul(p->syms, 3, dx), 1));
    int32_t zs = SLICE(p, at(p, 20, 23), z, 0, 1, XP_END, 1);
    int32_t ys = SLICE(p, at(p, 20, 53), y, 0, 1, XP_END, 3);
    ck_assert(meta(p, zs)->shape[0] == dx);
    ck_assert(meta(p, ys)->shape[0] == dx);
    ck_assert(xp_dim_floordiv(p->syms, xp_dim_add(p->syms, xp_dim_mul(p->syms, 3, dx), 2), 3) == dx);
    int32_t a = NODE(p, XP_OP_add, at(p, 20, 16), xp_narg_value(zs), xp_narg_value(ys));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, a, NULL));
    ck_assert(meta(p, a)->shape[0] == dx);

    int64_t runs[][2] = {{7, 19}, {4, 10}, {5, 13}};
    for (int i = 0; i < 3; i++) {
        xp_tensor *in[] = {RAND(runs[i][0]), RAND(runs[i][1])};
        EAGER(want, xp_add(xp_slice(in[0], 0, 1, XP_END, 1), xp_slice(in[1], 0, 1, XP_END, 3)));
        run_matches(p, in, 2, want, 0);
        free_all(2, in);
    }
    static const struct {
        int64_t z, y;
        const char *msg;
    } bad[] = {
        {8, 22, "input z: dim 0 (dx + 1) is 8, so dx = 7, above its maximum 6"},
        {3, 7, "input z: dim 0 (dx + 1) is 3, so dx = 2, below its minimum 3"},
        {7, 18, "input y: dim 0 is 18, but must equal 3*dx + 1 = 19 (dx = 6 from input z dim 0)"},
        {7, 20, "input y: dim 0 is 20, but must equal 3*dx + 1 = 19 (dx = 6 from input z dim 0)"},
        {5, 19, "input y: dim 0 is 19, but must equal 3*dx + 1 = 13 (dx = 4 from input z dim 0)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xp_tensor *in[] = {RAND(bad[i].z), RAND(bad[i].y)};
        run_rejected(p, in, 2, bad[i].msg);
        free_all(2, in);
    }
    xp_program_free(p);
}
END_TEST

/*
 * DynamicShapesExample3 after the suggested fixes (tests/unit/test_sym_fix.c
 * derives them: max=16 on x's dim 0, min=16 on y's dim 1, one name for x's
 * dim 1 and y's dim 0):
 *
 *     #pragma xport dim(dimx_0, max=16)
 *     #pragma xport dim(dimx_1)
 *     #pragma xport dim(dimy_1, min=16)
 *     #pragma xport input(x, f32[dimx_0, dimx_1])
 *     #pragma xport input(y, f32[dimx_1, dimy_1])
 *     xp_tensor *forward(xp_tensor *x, xp_tensor *y) {
 *         if (xp_size(x, 0) <= 16) return xp_matmul(x, xp_slice(y, 1, 0, 16, 1));
 *         return y;
 *     }
 *
 * The `if` is decided by the range, so only its true branch is captured and
 * the decision is recorded as a specialization.
 */
START_TEST(example3_after_the_fixes) {
    xp_program *p = xp_program_new("forward");
    xp_dim x0 = sym(p, "dimx_0", 0, 16), x1 = sym(p, "dimx_1", 0, XP_SYM_MAX_DEFAULT);
    xp_dim y1 = sym(p, "dimy_1", 16, XP_SYM_MAX_DEFAULT);
    int32_t x = INPUT(p, "x", x0, x1), y = INPUT(p, "y", x1, y1);
    ck_assert_int_eq(xp_dim_le(p->syms, x0, 16), XP_YES);
    ok(xp_program_add_specialization(p, at(p, 12, 9), "'xp_size(x, 0) <= 16' is true for dimx_0 in [0, 16]"));
    int32_t ys = SLICE(p, at(p, 12, 47), y, 1, 0, 16, 1);
    int32_t mm = NODE(p, XP_OP_matmul, at(p, 12, 33), xp_narg_value(x), xp_narg_value(ys));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, mm, NULL));
    ck_assert(meta(p, mm)->shape[0] == x0 && meta(p, mm)->shape[1] == 16);

    xp_tensor *good[] = {RAND(10, 8), RAND(8, 32)};
    /* K = 8 terms in [-1, 1): 1e-5 is far above f32 rounding */
    EAGER(want, xp_matmul(good[0], xp_slice(good[1], 1, 0, 16, 1)));
    run_matches(p, good, 2, want, 1e-5);
    xp_tensor *wide[] = {RAND(20, 8), RAND(8, 32)}, *narrow[] = {RAND(10, 8), RAND(8, 10)};
    xp_tensor *inner[] = {RAND(10, 8), RAND(5, 32)};
    run_rejected(p, wide, 2, "input x: dim 0 (dimx_0) is 20, above its maximum 16");
    run_rejected(p, narrow, 2, "input y: dim 1 (dimy_1) is 10, below its minimum 16");
    run_rejected(p, inner, 2, "input y: dim 0 is 5, but must equal dimx_1 = 8 (from input x dim 1)");
    free_all(2, good);
    free_all(2, wide);
    free_all(2, narrow);
    free_all(2, inner);
    xp_program_free(p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("dynamic_examples");
    TCase *tc = tcase_create("tutorial");
    tcase_add_test(tc, example1_slice_then_relu);
    tcase_add_test(tc, example2_shared_inner_dim);
    tcase_add_test(tc, derived_dim_example1);
    tcase_add_test(tc, derived_dim_example2);
    tcase_add_test(tc, example3_after_the_fixes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
