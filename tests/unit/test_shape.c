/*
 * Shape functions, called directly on hand-built metadata: concrete
 * results (ctx == NULL, as in eager mode), PyTorch's error messages, and
 * symbolic shapes with a symbol context.
 */
#include <string.h>

#include "ops/xp_registry.h"
#include "testutil.h"

static xp_symctx *ctx;
static xp_dim batch, seq, k, n, s, h, one, pos, far, m, a;
static xp_meta out;

static void setup(void) {
    xp_clear_error();
    memset(&out, 0, sizeof out);
    ctx = xp_symctx_new();
    batch = xp_sym_new(ctx, "batch", 1, 1024);
    seq = xp_sym_new(ctx, "seq", 1, 512);
    k = xp_sym_new(ctx, "k", 1, 64);
    n = xp_sym_new(ctx, "n", 1, 64);
    s = xp_sym_new(ctx, "s", 2, 10);
    h = xp_sym_new(ctx, "h", 3, 224);
    one = xp_sym_new(ctx, "one", 1, 1);
    pos = xp_sym_new(ctx, "pos", 0, 127);
    far = xp_sym_new(ctx, "far", 0, 200);
    m = xp_sym_new(ctx, "m", 2, 64);
    a = xp_sym_new(ctx, "a", 1, 64);
}

static void teardown(void) { xp_symctx_free(ctx); }

/* ---- building metadata and arguments ---- */

static xp_meta mk(xp_dtype dt, int nd, const int64_t *shape) {
    xp_meta r = {.dtype = dt, .ndim = nd};
    for (int i = 0; i < nd; i++) r.shape[i] = shape[i];
    return r;
}
#define MK(dt, ...) mk(dt, XP_DIMS(__VA_ARGS__))
static xp_meta mk0(xp_dtype dt) { return (xp_meta){.dtype = dt, .ndim = 0}; }

static xp_arg T(const xp_meta *t) {
    xp_arg r = {.kind = XP_ARG_TENSOR};
    r.t = (xp_meta *)t;
    return r;
}
#define I(v) xp_arg_int(v)
#define F(v) xp_arg_float(v)
#define B(v) xp_arg_bool(v)
#define DT(v) xp_arg_dtype(v)
#define L(...) xp_arg_ints(XP_DIMS(__VA_ARGS__))
#define EMPTY xp_arg_ints(0, NULL)
#define NONE xp_arg_none()
#define TL(...) xp_arg_tl(XP_METAS(__VA_ARGS__))
#define XP_METAS(...) \
    (int)(sizeof((xp_meta *[]){__VA_ARGS__}) / sizeof(xp_meta *)), (xp_meta *const[]) { __VA_ARGS__ }
static xp_arg xp_arg_tl(int cnt, xp_meta *const *v) {
    xp_arg r = {.kind = XP_ARG_TENSOR_LIST};
    r.tl.n = cnt;
    r.tl.v = v;
    return r;
}

/* Runs a shape function on the given arguments into `out`. */
#define RUN(fn, c, ...) fn(c, (const xp_arg[]){__VA_ARGS__}, &out)

static const char *str(xp_dim d) {
    static char bufs[4][256];
    static int i;
    char *buf = bufs[i++ % 4];
    xp_dim_format(ctx, d, buf, 256);
    return buf;
}

static void assert_meta_(const xp_meta *got, xp_dtype dt, int nd, const int64_t *shape, const char *file, int line) {
    char g[256] = "", w[256] = "";
    for (int i = 0; i < got->ndim; i++)
        snprintf(g + strlen(g), sizeof g - strlen(g), "%s%s", i ? ", " : "", str(got->shape[i]));
    for (int i = 0; i < nd; i++) snprintf(w + strlen(w), sizeof w - strlen(w), "%s%s", i ? ", " : "", str(shape[i]));
    bool ok = got->ndim == nd && got->dtype == dt;
    for (int i = 0; ok && i < nd; i++) ok = got->shape[i] == shape[i];
    ck_assert_msg(ok, "%s:%d: got %s[%s], expected %s[%s]", file, line, xp_dtype_name(got->dtype), g, xp_dtype_name(dt),
                  w);
}
#define assert_meta(dt, ...) assert_meta_(&out, dt, XP_DIMS(__VA_ARGS__), __FILE__, __LINE__)
#define assert_meta0(dt) assert_meta_(&out, dt, 0, NULL, __FILE__, __LINE__)

#define assert_ok(expr) ck_assert_msg((expr) == XP_OK, "%s failed: %s", #expr, xp_last_error())
#define assert_err(expr, status, needle)                                                                            \
    do {                                                                                                            \
        xp_clear_error();                                                                                           \
        xp_status st_ = (expr);                                                                                     \
        ck_assert_msg(st_ == (status), "%s gave status %d (%s), expected %d", #expr, st_, xp_last_error(), status); \
        xpt_assert_contains(xp_last_error(), needle);                                                               \
    } while (0)

/* ---- elementwise ---- */

START_TEST(binary_broadcasts_right_aligned_and_promotes) {
    xp_meta x = MK(XP_I32, 2, 1, 4), y = MK(XP_F32, 3, 1);
    assert_ok(RUN(xp_shape_binary, NULL, T(&x), T(&y)));
    assert_meta(XP_F32, 2, 3, 4);
    xp_meta u = MK(XP_U8, 5), i8 = MK(XP_I8, 1), bo = mk0(XP_BOOL), l = MK(XP_I64, 0);
    assert_ok(RUN(xp_shape_binary, NULL, T(&u), T(&i8)));
    assert_meta(XP_I32, 5);
    assert_ok(RUN(xp_shape_binary, NULL, T(&bo), T(&l)));
    assert_meta(XP_I64, 0);
    xp_meta s0 = mk0(XP_F64);
    assert_ok(RUN(xp_shape_binary, NULL, T(&s0), T(&s0)));
    assert_meta0(XP_F64);
}
END_TEST

START_TEST(binary_mismatch_names_both_sizes) {
    xp_meta x = MK(XP_F32, 2, 3), y = MK(XP_F32, 4);
    assert_err(RUN(xp_shape_binary, NULL, T(&x), T(&y)), XP_ERR_SHAPE,
               "the size of self (3) must match the size of other (4) at non-singleton dimension 1");
}
END_TEST

START_TEST(true_division_gives_float) {
    xp_meta x = MK(XP_I64, 3), y = MK(XP_I64, 3), d = MK(XP_F64, 3), bo = MK(XP_BOOL, 3);
    assert_ok(RUN(xp_shape_binary_float, NULL, T(&x), T(&y)));
    assert_meta(XP_F32, 3);
    assert_ok(RUN(xp_shape_binary_float, NULL, T(&d), T(&x)));
    assert_meta(XP_F64, 3);
    assert_ok(RUN(xp_shape_binary_scalar_float, NULL, T(&bo), F(2)));
    assert_meta(XP_F32, 3);
}
END_TEST

START_TEST(scalar_operand_promotes_by_value) {
    xp_meta l = MK(XP_I64, 2), bo = MK(XP_BOOL, 2), hf = MK(XP_F16, 2);
    assert_ok(RUN(xp_shape_binary_scalar, NULL, T(&l), F(2.0)));
    assert_meta(XP_I64, 2);
    assert_ok(RUN(xp_shape_binary_scalar, NULL, T(&l), F(0.5)));
    assert_meta(XP_F32, 2);
    assert_ok(RUN(xp_shape_binary_scalar, NULL, T(&bo), F(1)));
    assert_meta(XP_I64, 2);
    assert_ok(RUN(xp_shape_binary_scalar, NULL, T(&hf), F(0.5)));
    assert_meta(XP_F16, 2);
    assert_ok(RUN(xp_shape_binary_scalar, NULL, T(&l), I(3)));
    assert_meta(XP_I64, 2);
}
END_TEST

START_TEST(unary_keeps_or_floats_the_dtype) {
    xp_meta l = MK(XP_I64, 2, 3), d = MK(XP_F64, 2), bo = mk0(XP_BOOL);
    assert_ok(RUN(xp_shape_unary, NULL, T(&l)));
    assert_meta(XP_I64, 2, 3);
    assert_ok(RUN(xp_shape_unary_float, NULL, T(&l)));
    assert_meta(XP_F32, 2, 3);
    assert_ok(RUN(xp_shape_unary_float, NULL, T(&d)));
    assert_meta(XP_F64, 2);
    assert_ok(RUN(xp_shape_unary_float, NULL, T(&bo)));
    assert_meta0(XP_F32);
}
END_TEST

START_TEST(comparisons_give_bool) {
    xp_meta x = MK(XP_F32, 4, 1), y = MK(XP_I64, 5);
    assert_ok(RUN(xp_shape_compare, NULL, T(&x), T(&y)));
    assert_meta(XP_BOOL, 4, 5);
    assert_ok(RUN(xp_shape_compare_scalar, NULL, T(&x), F(0.5)));
    assert_meta(XP_BOOL, 4, 1);
}
END_TEST

START_TEST(where_broadcasts_all_three) {
    xp_meta c = MK(XP_BOOL, 3, 1), x = MK(XP_I32, 1, 4), y = MK(XP_F32, 2, 1, 1), bad = MK(XP_F32, 3, 1);
    assert_ok(RUN(xp_shape_where, NULL, T(&c), T(&x), T(&y)));
    assert_meta(XP_F32, 2, 3, 4);
    assert_err(RUN(xp_shape_where, NULL, T(&bad), T(&x), T(&y)), XP_ERR_DTYPE,
               "where: expected condition to be a boolean tensor, but got a tensor with dtype f32");
    xp_meta c5 = MK(XP_BOOL, 5);
    assert_err(RUN(xp_shape_where, NULL, T(&c5), T(&x), T(&y)), XP_ERR_SHAPE, "where: the size of condition (5)");
}
END_TEST

START_TEST(inplace_output_is_self_and_other_must_fit) {
    xp_meta self = MK(XP_F32, 2, 3), row = MK(XP_I64, 3), wide = MK(XP_F32, 2, 3), small = MK(XP_F32, 3);
    assert_ok(RUN(xp_shape_inplace, NULL, T(&self), T(&row)));
    assert_meta(XP_F32, 2, 3);
    assert_ok(RUN(xp_shape_inplace, NULL, T(&self), T(&wide)));
    assert_err(RUN(xp_shape_inplace, NULL, T(&small), T(&wide)), XP_ERR_SHAPE,
               "output with shape [3] doesn't match the broadcast shape [2, 3]");
}
END_TEST

START_TEST(inplace_result_must_cast_to_self) {
    xp_meta l = MK(XP_I64, 3), f = MK(XP_F32, 3), bo = MK(XP_BOOL, 3);
    assert_err(RUN(xp_shape_inplace, NULL, T(&l), T(&f)), XP_ERR_DTYPE,
               "result type Float can't be cast to the desired output type Long");
    assert_ok(RUN(xp_shape_inplace, NULL, T(&l), T(&bo)));
    assert_ok(RUN(xp_shape_inplace, NULL, T(&f), T(&l)));
    assert_err(RUN(xp_shape_inplace, NULL, T(&bo), T(&l)), XP_ERR_DTYPE,
               "result type Long can't be cast to the desired output type Bool");
    assert_err(RUN(xp_shape_inplace_float, NULL, T(&l), T(&l)), XP_ERR_DTYPE,
               "result type Float can't be cast to the desired output type Long");
    assert_ok(RUN(xp_shape_inplace_float, NULL, T(&f), T(&l)));
    assert_err(RUN(xp_shape_inplace_scalar, NULL, T(&l), F(0.5)), XP_ERR_DTYPE,
               "result type Float can't be cast to the desired output type Long");
    assert_ok(RUN(xp_shape_inplace_scalar, NULL, T(&l), F(2)));
    assert_meta(XP_I64, 3);
    assert_ok(RUN(xp_shape_inplace_unary, NULL, T(&bo)));
    assert_meta(XP_BOOL, 3);
}
END_TEST

START_TEST(copy_converts_any_dtype_and_broadcasts_src) {
    xp_meta self = MK(XP_I64, 2, 3), src = MK(XP_F32, 3), bad = MK(XP_F32, 4);
    assert_ok(RUN(xp_shape_copy, NULL, T(&self), T(&src)));
    assert_meta(XP_I64, 2, 3);
    assert_err(RUN(xp_shape_copy, NULL, T(&self), T(&bad)), XP_ERR_SHAPE,
               "copy: src of shape [4] cannot be broadcast to self of shape [2, 3]: dim 0 is 4 but must be 3 or 1");
    xp_meta big = MK(XP_F32, 1, 2, 3);
    assert_err(RUN(xp_shape_copy, NULL, T(&self), T(&big)), XP_ERR_SHAPE, "cannot be broadcast");
}
END_TEST

START_TEST(symbolic_broadcast_keeps_symbols_against_one) {
    xp_meta x = MK(XP_F32, batch, 1), y = MK(XP_F32, batch, 4), z = MK(XP_F32, 1);
    assert_ok(RUN(xp_shape_binary, ctx, T(&x), T(&y)));
    assert_meta(XP_F32, batch, 4);
    assert_ok(RUN(xp_shape_binary, ctx, T(&x), T(&z)));
    assert_meta(XP_F32, batch, 1);
    xp_meta o = MK(XP_F32, one, 7), b7 = MK(XP_F32, batch, 7);
    assert_ok(RUN(xp_shape_binary, ctx, T(&o), T(&b7)));
    assert_meta(XP_F32, batch, 7);
}
END_TEST

START_TEST(symbolic_broadcast_never_specializes) {
    xp_meta xk = MK(XP_F32, k), xn = MK(XP_F32, n), xs = MK(XP_F32, s), x3 = MK(XP_F32, 3);
    assert_err(RUN(xp_shape_binary, ctx, T(&xk), T(&xn)), XP_ERR_SHAPE,
               "cannot broadcast self dim 0 (k) with other dim 0 (n): k in [1, 64] and n in [1, 64] are not provably "
               "equal, and xport does not specialize a dim to 1 to broadcast; declare them with one dim name");
    assert_err(RUN(xp_shape_binary, ctx, T(&xs), T(&x3)), XP_ERR_SHAPE, "s in [2, 10] and 3 are not provably equal");
    xp_meta x20 = MK(XP_F32, 20);
    assert_err(RUN(xp_shape_binary, ctx, T(&xs), T(&x20)), XP_ERR_SHAPE, "s in [2, 10] and 20 are never equal");
}
END_TEST

/* ---- reductions ---- */

START_TEST(sum_reduces_listed_dims_and_widens_ints) {
    xp_meta x = MK(XP_I32, 2, 3, 4), f = MK(XP_F16, 2, 3, 4), bo = MK(XP_BOOL, 5);
    assert_ok(RUN(xp_shape_sum, NULL, T(&x), NONE, B(false)));
    assert_meta0(XP_I64);
    assert_ok(RUN(xp_shape_sum, NULL, T(&f), L(1), B(true)));
    assert_meta(XP_F16, 2, 1, 4);
    assert_ok(RUN(xp_shape_sum, NULL, T(&f), L(-1, 0), B(false)));
    assert_meta(XP_F16, 3);
    assert_ok(RUN(xp_shape_sum, NULL, T(&bo), EMPTY, B(true)));
    assert_meta(XP_I64, 1);
    assert_err(RUN(xp_shape_sum, NULL, T(&f), L(1, -2), B(false)), XP_ERR_INVALID_ARG,
               "sum: dim 1 appears multiple times in the list of dims");
    assert_err(RUN(xp_shape_sum, NULL, T(&f), L(3), B(false)), XP_ERR_INVALID_ARG,
               "sum: dimension out of range (expected to be in range of [-3, 2], but got 3)");
}
END_TEST

START_TEST(mean_needs_float) {
    xp_meta x = MK(XP_I64, 2, 3), f = MK(XP_F32, 2, 3);
    assert_err(RUN(xp_shape_mean, NULL, T(&x), NONE, B(false)), XP_ERR_DTYPE,
               "mean: expected self to have a floating-point dtype, but got i64");
    assert_ok(RUN(xp_shape_mean, NULL, T(&f), L(0), B(false)));
    assert_meta(XP_F32, 3);
}
END_TEST

START_TEST(amax_keeps_dtype_and_needs_elements) {
    xp_meta x = MK(XP_I32, 2, 0, 3);
    assert_ok(RUN(xp_shape_reduce, NULL, T(&x), L(2), B(false)));
    assert_meta(XP_I32, 2, 0);
    assert_err(RUN(xp_shape_reduce, NULL, T(&x), L(1), B(false)), XP_ERR_SHAPE,
               "expected reduction dim 1 to have non-zero size");
}
END_TEST

START_TEST(argmax_gives_i64_indices) {
    xp_meta x = MK(XP_F32, 2, 3, 4);
    assert_ok(RUN(xp_shape_argmax, NULL, T(&x), NONE, B(false)));
    assert_meta0(XP_I64);
    assert_ok(RUN(xp_shape_argmax, NULL, T(&x), NONE, B(true)));
    assert_meta(XP_I64, 1, 1, 1);
    assert_ok(RUN(xp_shape_argmax, NULL, T(&x), I(-2), B(false)));
    assert_meta(XP_I64, 2, 4);
    assert_ok(RUN(xp_shape_argmax, NULL, T(&x), I(1), B(true)));
    assert_meta(XP_I64, 2, 1, 4);
    xp_meta e = MK(XP_F32, 0);
    assert_err(RUN(xp_shape_argmax, NULL, T(&e), NONE, B(false)), XP_ERR_SHAPE, "argmax of an empty tensor");
}
END_TEST

START_TEST(softmax_normalizes_dim_and_needs_float) {
    xp_meta x = MK(XP_F32, 2, 5), l = MK(XP_I64, 2, 5);
    assert_ok(RUN(xp_shape_softmax, NULL, T(&x), I(-1)));
    assert_meta(XP_F32, 2, 5);
    assert_err(RUN(xp_shape_softmax, NULL, T(&x), I(2)), XP_ERR_INVALID_ARG,
               "dimension out of range (expected to be in range of [-2, 1], but got 2)");
    assert_err(RUN(xp_shape_softmax, NULL, T(&l), I(0)), XP_ERR_DTYPE, "floating-point");
    xp_meta sc = mk0(XP_F32);
    assert_ok(RUN(xp_shape_softmax, NULL, T(&sc), I(-1)));
    assert_meta0(XP_F32);
}
END_TEST

/* ---- linear algebra ---- */

START_TEST(mm_and_bmm) {
    xp_meta x = MK(XP_F32, 2, 3), y = MK(XP_F32, 3, 4), bad = MK(XP_F32, 4, 5), d = MK(XP_F64, 3, 4);
    assert_ok(RUN(xp_shape_mm, NULL, T(&x), T(&y)));
    assert_meta(XP_F32, 2, 4);
    assert_err(RUN(xp_shape_mm, NULL, T(&x), T(&bad)), XP_ERR_SHAPE,
               "mm: self dim 1 (3) and mat2 dim 0 (4) must be equal: shapes [2, 3] and [4, 5] cannot be multiplied");
    assert_err(RUN(xp_shape_mm, NULL, T(&x), T(&d)), XP_ERR_DTYPE,
               "mm: expected self and mat2 to have the same dtype, but got f32 != f64");
    xp_meta v = MK(XP_F32, 3);
    assert_err(RUN(xp_shape_mm, NULL, T(&v), T(&y)), XP_ERR_SHAPE, "mm: self must be a matrix");
    xp_meta p = MK(XP_F32, 5, 2, 3), q = MK(XP_F32, 5, 3, 7), r = MK(XP_F32, 6, 3, 7);
    assert_ok(RUN(xp_shape_bmm, NULL, T(&p), T(&q)));
    assert_meta(XP_F32, 5, 2, 7);
    assert_err(RUN(xp_shape_bmm, NULL, T(&p), T(&r)), XP_ERR_SHAPE,
               "bmm: self dim 0 (batch) (5) and mat2 dim 0 (batch) (6)");
}
END_TEST

START_TEST(matmul_follows_pytorch_rank_rules) {
    xp_meta v3 = MK(XP_F32, 3), v4 = MK(XP_F32, 4), m23 = MK(XP_F32, 2, 3), m34 = MK(XP_F32, 3, 4);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&v3), T(&v3)));
    assert_meta0(XP_F32);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&m23), T(&v3)));
    assert_meta(XP_F32, 2);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&v3), T(&m34)));
    assert_meta(XP_F32, 4);
    xp_meta b1 = MK(XP_F32, 5, 1, 2, 3), b2 = MK(XP_F32, 4, 3, 6);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&b1), T(&b2)));
    assert_meta(XP_F32, 5, 4, 2, 6);
    xp_meta t3 = MK(XP_F32, 2, 3, 4);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&v3), T(&t3)));
    assert_meta(XP_F32, 2, 4);
    assert_ok(RUN(xp_shape_matmul, NULL, T(&t3), T(&v4)));
    assert_meta(XP_F32, 2, 3);
    assert_err(RUN(xp_shape_matmul, NULL, T(&v3), T(&v4)), XP_ERR_SHAPE, "matmul: self dim 0 (3) and other dim 0 (4)");
    xp_meta sc = mk0(XP_F32);
    assert_err(RUN(xp_shape_matmul, NULL, T(&sc), T(&m34)), XP_ERR_SHAPE,
               "both arguments to matmul need to be at least 1D, but they are 0D and 2D");
    xp_meta c1 = MK(XP_F32, 2, 2, 3), c2 = MK(XP_F32, 3, 3, 4);
    assert_err(RUN(xp_shape_matmul, NULL, T(&c1), T(&c2)), XP_ERR_SHAPE,
               "the size of self (2) must match the size of other (3) at non-singleton dimension 0");
}
END_TEST

START_TEST(matmul_with_shared_symbol_is_ok) {
    xp_meta x = MK(XP_F32, batch, k), w = MK(XP_F32, k, 8);
    assert_ok(RUN(xp_shape_matmul, ctx, T(&x), T(&w)));
    assert_meta(XP_F32, batch, 8);
}
END_TEST

START_TEST(matmul_with_distinct_symbols_is_an_error) {
    xp_meta x = MK(XP_F32, batch, k), w = MK(XP_F32, n, 8);
    assert_err(RUN(xp_shape_matmul, ctx, T(&x), T(&w)), XP_ERR_SHAPE,
               "matmul: self dim 1 (k) and other dim 0 (n) must be equal, but k in [1, 64] and n in [1, 64] are not "
               "provably equal; declare them with one dim name");
    xp_meta y = MK(XP_F32, batch, s), w2 = MK(XP_F32, 11, 8);
    assert_err(RUN(xp_shape_matmul, ctx, T(&y), T(&w2)), XP_ERR_SHAPE,
               "matmul: self dim 1 (s) and other dim 0 (11) must be equal, but s in [2, 10] and 11 are never equal");
}
END_TEST

START_TEST(addmm_self_broadcasts_to_the_product) {
    xp_meta bias = MK(XP_F32, 4), x = MK(XP_F32, 2, 3), w = MK(XP_F32, 3, 4), bad = MK(XP_F32, 3);
    assert_ok(RUN(xp_shape_addmm, NULL, T(&bias), T(&x), T(&w), F(1), F(1)));
    assert_meta(XP_F32, 2, 4);
    assert_err(RUN(xp_shape_addmm, NULL, T(&bad), T(&x), T(&w), F(1), F(1)), XP_ERR_SHAPE,
               "addmm: self of shape [3] cannot be broadcast to the product of shape [2, 4]");
}
END_TEST

START_TEST(linear_maps_the_last_dim) {
    xp_meta x = MK(XP_F32, batch, 100), w = MK(XP_F32, 10, 100), b = MK(XP_F32, 10), b9 = MK(XP_F32, 9);
    assert_ok(RUN(xp_shape_linear, ctx, T(&x), T(&w), T(&b)));
    assert_meta(XP_F32, batch, 10);
    xp_meta v = MK(XP_F32, 100);
    assert_ok(RUN(xp_shape_linear, NULL, T(&v), T(&w), NONE));
    assert_meta(XP_F32, 10);
    assert_err(RUN(xp_shape_linear, NULL, T(&v), T(&w), T(&b9)), XP_ERR_SHAPE,
               "linear: bias dim 0 (9) and weight dim 0 (out_features) (10) must be equal");
    xp_meta x99 = MK(XP_F32, 2, 99);
    assert_err(RUN(xp_shape_linear, NULL, T(&x99), T(&w), NONE), XP_ERR_SHAPE,
               "linear: input dim 1 (99) and weight dim 1 (100) must be equal");
}
END_TEST

/* ---- views ---- */

START_TEST(transpose_t_and_permute) {
    xp_meta x = MK(XP_F32, 2, 3, 4), m2 = MK(XP_F32, 2, 3);
    assert_ok(RUN(xp_shape_transpose, NULL, T(&x), I(0), I(-1)));
    assert_meta(XP_F32, 4, 3, 2);
    assert_ok(RUN(xp_shape_t, NULL, T(&m2)));
    assert_meta(XP_F32, 3, 2);
    assert_err(RUN(xp_shape_t, NULL, T(&x)), XP_ERR_SHAPE, "t() expects a tensor with <= 2 dimensions, but self is 3D");
    assert_ok(RUN(xp_shape_permute, NULL, T(&x), L(2, 0, -2)));
    assert_meta(XP_F32, 4, 2, 3);
    assert_err(RUN(xp_shape_permute, NULL, T(&x), L(0, 1, 1)), XP_ERR_INVALID_ARG, "duplicate dims are not allowed");
    assert_err(RUN(xp_shape_permute, NULL, T(&x), L(0, 1)), XP_ERR_SHAPE, "does not match the length");
}
END_TEST

START_TEST(view_infers_one_dim) {
    xp_meta x = MK(XP_F32, 2, 3, 4);
    assert_ok(RUN(xp_shape_view, NULL, T(&x), L(6, -1)));
    assert_meta(XP_F32, 6, 4);
    assert_ok(RUN(xp_shape_view, NULL, T(&x), L(24)));
    assert_meta(XP_F32, 24);
    assert_err(RUN(xp_shape_view, NULL, T(&x), L(-1, -1)), XP_ERR_INVALID_ARG, "only one dimension can be inferred");
    assert_err(RUN(xp_shape_view, NULL, T(&x), L(5, -1)), XP_ERR_SHAPE,
               "shape '[5, -1]' is invalid for input of size 24");
    assert_err(RUN(xp_shape_view, NULL, T(&x), L(2, 5)), XP_ERR_SHAPE,
               "shape '[2, 5]' is invalid for input of size 24");
    assert_err(RUN(xp_shape_view, NULL, T(&x), L(2, -3)), XP_ERR_INVALID_ARG, "invalid shape dimension -3");
    xp_meta e = MK(XP_F32, 0, 4);
    assert_err(RUN(xp_shape_view, NULL, T(&e), L(0, -1)), XP_ERR_SHAPE, "-1 can be any value and is ambiguous");
    xp_meta sc = mk0(XP_F32);
    assert_ok(RUN(xp_shape_view, NULL, T(&sc), L(1, 1)));
    assert_meta(XP_F32, 1, 1);
}
END_TEST

START_TEST(reshape_with_minus_one_over_symbols) {
    xp_meta x = MK(XP_F32, batch, seq, 4);
    assert_ok(RUN(xp_shape_view, ctx, T(&x), L(-1, 4)));
    assert_meta(XP_F32, xp_dim_mul(ctx, batch, seq), 4);
    assert_ok(RUN(xp_shape_view, ctx, T(&x), L(batch, -1)));
    assert_meta(XP_F32, batch, xp_dim_mul(ctx, seq, 4));
    ck_assert_str_eq(str(out.shape[1]), "4*seq");
    assert_ok(RUN(xp_shape_view, ctx, T(&x), L(seq, batch, 2, 2)));
    assert_err(
        RUN(xp_shape_view, ctx, T(&x), L(batch, 5, -1)), XP_ERR_SHAPE,
        "shape '[batch, 5, -1]' is invalid for input of size 4*batch*seq: 4*batch*seq is not provably a multiple "
        "of 5*batch");
    assert_err(RUN(xp_shape_view, ctx, T(&x), L(batch, seq, 2)), XP_ERR_SHAPE,
               "the element counts 4*batch*seq and 2*batch*seq are not provably equal");
}
END_TEST

START_TEST(flatten_of_two_dynamic_dims_and_view_back) {
    xp_meta x = MK(XP_F32, batch, seq, 8);
    assert_ok(RUN(xp_shape_flatten, ctx, T(&x), I(0), I(1)));
    xp_dim bs = xp_dim_mul(ctx, batch, seq);
    assert_meta(XP_F32, bs, 8);
    ck_assert_str_eq(str(out.shape[0]), "batch*seq");
    xp_meta flat = out;
    assert_ok(RUN(xp_shape_view, ctx, T(&flat), L(batch, seq, 8)));
    assert_meta(XP_F32, batch, seq, 8);
    assert_ok(RUN(xp_shape_view, ctx, T(&flat), L(batch, -1, 8)));
    assert_meta(XP_F32, batch, seq, 8);
}
END_TEST

START_TEST(flatten_concrete_and_errors) {
    xp_meta x = MK(XP_F32, 2, 3, 4), sc = mk0(XP_I64);
    assert_ok(RUN(xp_shape_flatten, NULL, T(&x), I(1), I(-1)));
    assert_meta(XP_F32, 2, 12);
    assert_ok(RUN(xp_shape_flatten, NULL, T(&x), I(0), I(-1)));
    assert_meta(XP_F32, 24);
    assert_err(RUN(xp_shape_flatten, NULL, T(&x), I(2), I(1)), XP_ERR_INVALID_ARG,
               "start_dim cannot come after end_dim");
    assert_ok(RUN(xp_shape_flatten, NULL, T(&sc), I(0), I(-1)));
    assert_meta(XP_I64, 1);
}
END_TEST

START_TEST(unsqueeze_and_squeeze) {
    xp_meta x = MK(XP_F32, 2, 3), sc = mk0(XP_F32), o = MK(XP_F32, 1, 3, 1);
    assert_ok(RUN(xp_shape_unsqueeze, NULL, T(&x), I(-1)));
    assert_meta(XP_F32, 2, 3, 1);
    assert_ok(RUN(xp_shape_unsqueeze, NULL, T(&x), I(0)));
    assert_meta(XP_F32, 1, 2, 3);
    assert_ok(RUN(xp_shape_unsqueeze, NULL, T(&sc), I(-1)));
    assert_meta(XP_F32, 1);
    assert_err(RUN(xp_shape_unsqueeze, NULL, T(&x), I(3)), XP_ERR_INVALID_ARG,
               "dimension out of range (expected to be in range of [-3, 2], but got 3)");
    assert_ok(RUN(xp_shape_squeeze, NULL, T(&o), NONE));
    assert_meta(XP_F32, 3);
    assert_ok(RUN(xp_shape_squeeze, NULL, T(&o), L(0)));
    assert_meta(XP_F32, 3, 1);
    assert_ok(RUN(xp_shape_squeeze, NULL, T(&o), L(1, -1)));
    assert_meta(XP_F32, 1, 3);
    xp_meta full = MK(XP_F32, 8, 8, 8, 8, 8, 8, 8, 8);
    assert_err(RUN(xp_shape_unsqueeze, NULL, T(&full), I(0)), XP_ERR_UNSUPPORTED, "at most 8");
}
END_TEST

START_TEST(squeeze_keeps_symbols_not_proven_one) {
    xp_meta x = MK(XP_F32, a, 1, one);
    assert_ok(RUN(xp_shape_squeeze, ctx, T(&x), NONE));
    assert_meta(XP_F32, a);
    assert_ok(RUN(xp_shape_squeeze, ctx, T(&x), L(0)));
    assert_meta(XP_F32, a, 1, one);
}
END_TEST

START_TEST(expand_grows_size_one_dims) {
    xp_meta x = MK(XP_F32, 3, 1);
    assert_ok(RUN(xp_shape_expand, NULL, T(&x), L(2, 3, 4)));
    assert_meta(XP_F32, 2, 3, 4);
    assert_ok(RUN(xp_shape_expand, NULL, T(&x), L(-1, 5)));
    assert_meta(XP_F32, 3, 5);
    assert_err(RUN(xp_shape_expand, NULL, T(&x), L(-1, 3, 4)), XP_ERR_INVALID_ARG,
               "-1 is not allowed in a leading, non-existing dimension 0");
    xp_meta y = MK(XP_F32, 2, 3);
    assert_err(RUN(xp_shape_expand, NULL, T(&y), L(2, 4)), XP_ERR_SHAPE,
               "the expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  "
               "Target sizes: [2, 4].  Tensor sizes: [2, 3]");
    assert_err(
        RUN(xp_shape_expand, NULL, T(&y), L(3)), XP_ERR_SHAPE,
        "the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)");
    xp_meta z = MK(XP_F32, 1, s);
    assert_ok(RUN(xp_shape_expand, ctx, T(&z), L(batch, -1)));
    assert_meta(XP_F32, batch, s);
    xp_meta w = MK(XP_F32, k);
    assert_err(RUN(xp_shape_expand, ctx, T(&w), L(n)), XP_ERR_SHAPE,
               "expand: size 0 (n) and self dim 0 (k) must be equal");
}
END_TEST

/* ---- indexing ---- */

START_TEST(slice_clamps_like_python) {
    xp_meta x = MK(XP_F32, 10, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(2), I(8), I(3)));
    assert_meta(XP_F32, 2, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(-3), I(XP_END), I(1)));
    assert_meta(XP_F32, 3, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(20), I(XP_END), I(1)));
    assert_meta(XP_F32, 0, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(0), I(-20), I(1)));
    assert_meta(XP_F32, 0, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(7), I(3), I(1)));
    assert_meta(XP_F32, 0, 4);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(-1), NONE, NONE, I(2)));
    assert_meta(XP_F32, 10, 2);
    assert_ok(RUN(xp_shape_slice, NULL, T(&x), I(0), I(-100), I(100), I(4)));
    assert_meta(XP_F32, 3, 4);
    assert_err(RUN(xp_shape_slice, NULL, T(&x), I(0), I(0), I(5), I(0)), XP_ERR_INVALID_ARG,
               "slice step must be positive");
    assert_err(RUN(xp_shape_slice, NULL, T(&x), I(2), I(0), I(5), I(1)), XP_ERR_INVALID_ARG, "dimension out of range");
}
END_TEST

START_TEST(slice_of_symbolic_dim) {
    xp_meta x = MK(XP_F32, 4, a);
    assert_ok(RUN(xp_shape_slice, ctx, T(&x), I(1), I(0), I(XP_END), I(1)));
    assert_meta(XP_F32, 4, a);
    assert_err(
        RUN(xp_shape_slice, ctx, T(&x), I(1), I(2), I(XP_END), I(1)), XP_ERR_SHAPE,
        "slice: dim 1 (a in [1, 64]) is not provably at least 2 (the slice start; a shorter dim would clamp it); "
        "declare a with min=2");
    xp_meta y = MK(XP_F32, m);
    assert_ok(RUN(xp_shape_slice, ctx, T(&y), I(0), I(2), I(XP_END), I(1)));
    assert_meta(XP_F32, xp_dim_sub(ctx, m, 2));
    assert_ok(RUN(xp_shape_slice, ctx, T(&y), I(0), I(0), I(-1), I(1)));
    assert_meta(XP_F32, xp_dim_sub(ctx, m, 1));
    assert_ok(RUN(xp_shape_slice, ctx, T(&y), I(0), NONE, NONE, I(2)));
    ck_assert_str_eq(str(out.shape[0]), "(m + 1) / 2");
    assert_ok(RUN(xp_shape_slice, ctx, T(&y), I(0), I(100), I(XP_END), I(1)));
    assert_meta(XP_F32, 0);
}
END_TEST

START_TEST(slice_at_a_symbolic_position) {
    xp_meta cache = MK(XP_F32, 128, 4);
    assert_ok(RUN(xp_shape_slice, ctx, T(&cache), I(0), I(pos), I(xp_dim_add(ctx, pos, 1)), I(1)));
    assert_meta(XP_F32, 1, 4);
    assert_err(
        RUN(xp_shape_slice, ctx, T(&cache), I(0), I(far), I(xp_dim_add(ctx, far, 1)), I(1)), XP_ERR_SHAPE,
        "slice: dim 0 (128) is not provably at least far in [0, 200] (the slice start; a shorter dim would clamp "
        "it); declare far with max=128");
    assert_err(RUN(xp_shape_slice, ctx, T(&cache), I(0), I(0), I(xp_dim_add(ctx, far, 1)), I(1)), XP_ERR_SHAPE,
               "declare far with max=127");
    assert_err(RUN(xp_shape_slice, ctx, T(&cache), I(0), I(xp_dim_sub(ctx, pos, 1)), I(XP_END), I(1)), XP_ERR_SHAPE,
               "start pos - 1 in [-1, 126] may be negative or not");
}
END_TEST

START_TEST(select_checks_the_index) {
    xp_meta x = MK(XP_F32, 3, 4), sc = mk0(XP_F32);
    assert_ok(RUN(xp_shape_select, NULL, T(&x), I(1), I(-1)));
    assert_meta(XP_F32, 3);
    assert_err(RUN(xp_shape_select, NULL, T(&x), I(1), I(4)), XP_ERR_INVALID_ARG,
               "select: index 4 out of range for tensor of size [3, 4] at dimension 1");
    assert_err(RUN(xp_shape_select, NULL, T(&x), I(0), I(-4)), XP_ERR_INVALID_ARG, "index -4 out of range");
    assert_err(RUN(xp_shape_select, NULL, T(&sc), I(0), I(0)), XP_ERR_SHAPE,
               "select() cannot be applied to a 0-dim tensor");
    xp_meta cache = MK(XP_F32, 128, 4);
    assert_ok(RUN(xp_shape_select, ctx, T(&cache), I(0), I(pos)));
    assert_meta(XP_F32, 4);
    assert_err(RUN(xp_shape_select, ctx, T(&cache), I(0), I(far)), XP_ERR_SHAPE, "declare far with max=127");
    xp_meta y = MK(XP_F32, m, 2);
    assert_ok(RUN(xp_shape_select, ctx, T(&y), I(0), I(-2)));
    assert_meta(XP_F32, 2);
    assert_err(RUN(xp_shape_select, ctx, T(&y), I(0), I(-3)), XP_ERR_SHAPE, "declare m with min=3");
}
END_TEST

START_TEST(scatters_need_src_of_the_region_shape) {
    xp_meta self = MK(XP_F32, 8, 4), src = MK(XP_F32, 2, 4), bad = MK(XP_F32, 3, 4), row = MK(XP_F32, 4);
    assert_ok(RUN(xp_shape_slice_scatter, NULL, T(&self), T(&src), I(0), I(2), I(4), I(1)));
    assert_meta(XP_F32, 8, 4);
    assert_err(RUN(xp_shape_slice_scatter, NULL, T(&self), T(&bad), I(0), I(2), I(4), I(1)), XP_ERR_SHAPE,
               "slice_scatter: expected src to have a size equal to the slice of self. src size = [3, 4], slice size = "
               "[2, 4]");
    assert_ok(RUN(xp_shape_select_scatter, NULL, T(&self), T(&row), I(0), I(3)));
    assert_meta(XP_F32, 8, 4);
    xp_meta col = MK(XP_F32, 8);
    assert_err(RUN(xp_shape_select_scatter, NULL, T(&self), T(&col), I(0), I(3)), XP_ERR_SHAPE,
               "src size = [8], slice size = [4]");
    xp_meta cache = MK(XP_F32, 128, 4), kv = MK(XP_F32, 1, 4);
    assert_ok(RUN(xp_shape_slice_scatter, ctx, T(&cache), T(&kv), I(0), I(pos), I(xp_dim_add(ctx, pos, 1)), I(1)));
    assert_meta(XP_F32, 128, 4);
    xp_meta ks = MK(XP_F32, k, 4);
    assert_err(RUN(xp_shape_slice_scatter, ctx, T(&cache), T(&ks), I(0), I(pos), I(xp_dim_add(ctx, pos, 1)), I(1)),
               XP_ERR_SHAPE, "src dim 0 (k) and dim 0 of the slice of self (1) must be equal");
}
END_TEST

START_TEST(cat_sums_the_joined_dim) {
    xp_meta x = MK(XP_F32, 2, 3), y = MK(XP_I32, 4, 3), z = MK(XP_F32, 2, 4), w = MK(XP_F32, 2, 3, 1), sc = mk0(XP_F32);
    assert_ok(RUN(xp_shape_cat, NULL, TL(&x, &y), I(0)));
    assert_meta(XP_F32, 6, 3);
    assert_ok(RUN(xp_shape_cat, NULL, TL(&x, &z, &x), I(-1)));
    assert_meta(XP_F32, 2, 10);
    assert_err(RUN(xp_shape_cat, NULL, TL(&x, &z), I(0)), XP_ERR_SHAPE,
               "cat: sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor "
               "number 1 in the list");
    assert_err(RUN(xp_shape_cat, NULL, TL(&x, &w), I(0)), XP_ERR_SHAPE, "same number of dimensions: got 2 and 3");
    assert_err(RUN(xp_shape_cat, NULL, TL(&x, &sc), I(0)), XP_ERR_SHAPE,
               "zero-dimensional tensor (at position 1) cannot be concatenated");
    assert_err(xp_shape_cat(NULL, (const xp_arg[]){xp_arg_tl(0, NULL), I(0)}, &out), XP_ERR_INVALID_ARG, "non-empty");
    xp_meta p = MK(XP_F32, batch, 4), q = MK(XP_F32, seq, 4), r = MK(XP_F32, batch, 5), t = MK(XP_F32, seq, 5);
    assert_ok(RUN(xp_shape_cat, ctx, TL(&p, &q), I(0)));
    assert_meta(XP_F32, xp_dim_add(ctx, batch, seq), 4);
    assert_ok(RUN(xp_shape_cat, ctx, TL(&p, &r), I(1)));
    assert_meta(XP_F32, batch, 9);
    assert_err(RUN(xp_shape_cat, ctx, TL(&p, &t), I(1)), XP_ERR_SHAPE,
               "cat: tensor 1 dim 0 (seq) and tensor 0 dim 0 (batch)");
}
END_TEST

START_TEST(stack_adds_a_dim) {
    xp_meta x = MK(XP_F32, 2, 3), y = MK(XP_F32, 2, 4);
    assert_ok(RUN(xp_shape_stack, NULL, TL(&x, &x, &x), I(1)));
    assert_meta(XP_F32, 2, 3, 3);
    assert_ok(RUN(xp_shape_stack, NULL, TL(&x, &x), I(-1)));
    assert_meta(XP_F32, 2, 3, 2);
    assert_err(RUN(xp_shape_stack, NULL, TL(&x, &y), I(0)), XP_ERR_SHAPE,
               "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1");
}
END_TEST

START_TEST(embedding_appends_the_feature_dim) {
    xp_meta w = MK(XP_F32, 100, 16), idx = MK(XP_I64, batch, seq), fidx = MK(XP_F32, 3), w1 = MK(XP_F32, 100);
    assert_ok(RUN(xp_shape_embedding, ctx, T(&w), T(&idx)));
    assert_meta(XP_F32, batch, seq, 16);
    assert_err(RUN(xp_shape_embedding, NULL, T(&w), T(&fidx)), XP_ERR_DTYPE,
               "expected indices to have dtype i64 or i32, but got f32");
    assert_err(RUN(xp_shape_embedding, NULL, T(&w1), T(&idx)), XP_ERR_SHAPE, "'weight' must be 2-D");
}
END_TEST

/* ---- normalization ---- */

START_TEST(layer_norm_checks_trailing_dims) {
    xp_meta x = MK(XP_F32, 2, 5, 8), w = MK(XP_F32, 8), w3 = MK(XP_F32, 3), x23 = MK(XP_F32, 2, 3);
    assert_ok(RUN(xp_shape_layer_norm, NULL, T(&x), L(8), T(&w), T(&w), F(1e-5)));
    assert_meta(XP_F32, 2, 5, 8);
    assert_ok(RUN(xp_shape_layer_norm, NULL, T(&x), L(5, 8), NONE, NONE, F(1e-5)));
    assert_err(
        RUN(xp_shape_layer_norm, NULL, T(&x23), L(4), NONE, NONE, F(1e-5)), XP_ERR_SHAPE,
        "layer_norm: given normalized_shape=[4], expected input with shape [*, 4], but got input of size [2, 3]");
    assert_err(RUN(xp_shape_layer_norm, NULL, T(&x), L(8), T(&w3), NONE, F(1e-5)), XP_ERR_SHAPE,
               "expected weight to be of same shape as normalized_shape, but got weight of shape [3] and "
               "normalized_shape = [8]");
    xp_meta xs = MK(XP_F32, batch, seq, k);
    assert_err(RUN(xp_shape_layer_norm, ctx, T(&xs), L(n), NONE, NONE, F(1e-5)), XP_ERR_SHAPE,
               "layer_norm: input dim 2 (k) and normalized_shape[0] (n) must be equal");
}
END_TEST

START_TEST(batch_norm_params_match_channels) {
    xp_meta x = MK(XP_F32, 8, 3, 4, 4), p = MK(XP_F32, 3), p4 = MK(XP_F32, 4);
    assert_ok(RUN(xp_shape_batch_norm, NULL, T(&x), T(&p), T(&p), T(&p), T(&p), F(1e-5)));
    assert_meta(XP_F32, 8, 3, 4, 4);
    assert_ok(RUN(xp_shape_batch_norm, NULL, T(&x), NONE, NONE, T(&p), T(&p), F(1e-5)));
    assert_err(RUN(xp_shape_batch_norm, NULL, T(&x), NONE, NONE, T(&p4), T(&p), F(1e-5)), XP_ERR_SHAPE,
               "batch_norm: running_mean should contain 3 elements not 4");
}
END_TEST

/* ---- convolution and pooling ---- */

START_TEST(conv2d_output_size) {
    xp_meta x = MK(XP_F32, 8, 3, 64, 64), w = MK(XP_F32, 32, 3, 3, 3), b = MK(XP_F32, 32);
    assert_ok(RUN(xp_shape_conv2d, NULL, T(&x), T(&w), T(&b), L(1, 1), L(1, 1), L(1, 1), I(1)));
    assert_meta(XP_F32, 8, 32, 64, 64);
    assert_ok(RUN(xp_shape_conv2d, NULL, T(&x), T(&w), NONE, L(2, 2), L(1, 1), L(1, 1), I(1)));
    assert_meta(XP_F32, 8, 32, 32, 32);
    assert_ok(RUN(xp_shape_conv2d, NULL, T(&x), T(&w), NONE, L(1, 1), L(0, 0), L(2, 2), I(1)));
    assert_meta(XP_F32, 8, 32, 60, 60);
    xp_meta chw = MK(XP_F32, 3, 10, 12);
    assert_ok(RUN(xp_shape_conv2d, NULL, T(&chw), T(&w), NONE, L(1, 1), L(0, 0), L(1, 1), I(1)));
    assert_meta(XP_F32, 32, 8, 10);
    xp_meta x4 = MK(XP_F32, 8, 4, 64, 64);
    assert_err(RUN(xp_shape_conv2d, NULL, T(&x4), T(&w), NONE, L(1, 1), L(0, 0), L(1, 1), I(1)), XP_ERR_SHAPE,
               "conv2d: given groups=1, weight of size [32, 3, 3, 3], expected input[8, 4, 64, 64] to have 3 channels, "
               "but got 4 channels instead");
    xp_meta tiny = MK(XP_F32, 1, 3, 2, 2);
    assert_err(RUN(xp_shape_conv2d, NULL, T(&tiny), T(&w), NONE, L(1, 1), L(0, 0), L(1, 1), I(1)), XP_ERR_SHAPE,
               "conv2d: padded input height is 2, but it must be at least 3 (the kernel's extent)");
    xp_meta g = MK(XP_F32, 8, 32, 4, 4), wg = MK(XP_F32, 32, 1, 3, 3);
    assert_ok(RUN(xp_shape_conv2d, NULL, T(&g), T(&wg), NONE, L(1, 1), L(1, 1), L(1, 1), I(32)));
    assert_meta(XP_F32, 8, 32, 4, 4);
    assert_err(RUN(xp_shape_conv2d, NULL, T(&x), T(&w), NONE, L(0, 1), L(0, 0), L(1, 1), I(1)), XP_ERR_INVALID_ARG,
               "non-positive stride");
}
END_TEST

START_TEST(conv2d_with_symbolic_height) {
    xp_meta x = MK(XP_F32, batch, 3, h, 64), w = MK(XP_F32, 32, 3, 3, 3);
    assert_ok(RUN(xp_shape_conv2d, ctx, T(&x), T(&w), NONE, L(2, 2), L(1, 1), L(1, 1), I(1)));
    /* (h + 2*1 - 1*(3 - 1) - 1) / 2 + 1 = (h - 1) / 2 + 1 = (h + 1) / 2 */
    assert_meta(XP_F32, batch, 32, xp_dim_floordiv(ctx, xp_dim_add(ctx, h, 1), 2), 32);
    ck_assert_str_eq(str(out.shape[2]), "(h + 1) / 2");
    xp_meta small = MK(XP_F32, batch, 3, a, 64);
    assert_err(RUN(xp_shape_conv2d, ctx, T(&small), T(&w), NONE, L(1, 1), L(0, 0), L(1, 1), I(1)), XP_ERR_SHAPE,
               "conv2d: padded input height (a in [1, 64]) is not provably at least 3 (the kernel's extent); declare a "
               "with min=3");
}
END_TEST

START_TEST(pooling_output_size) {
    xp_meta x = MK(XP_F32, 1, 3, 8, 8);
    assert_ok(RUN(xp_shape_max_pool2d, NULL, T(&x), L(2, 2), EMPTY, L(0, 0), L(1, 1), B(false)));
    assert_meta(XP_F32, 1, 3, 4, 4);
    assert_ok(RUN(xp_shape_max_pool2d, NULL, T(&x), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(false)));
    assert_meta(XP_F32, 1, 3, 3, 3);
    assert_ok(RUN(xp_shape_max_pool2d, NULL, T(&x), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(true)));
    assert_meta(XP_F32, 1, 3, 4, 4);
    /* ceil_mode: the last window would start in the right padding, so it is dropped */
    xp_meta y = MK(XP_F32, 1, 1, 7, 7);
    assert_ok(RUN(xp_shape_avg_pool2d, NULL, T(&y), L(2, 2), L(2, 2), L(1, 1), B(true), B(true)));
    assert_meta(XP_F32, 1, 1, 4, 4);
    assert_err(RUN(xp_shape_max_pool2d, NULL, T(&x), L(3, 3), EMPTY, L(2, 2), L(1, 1), B(false)), XP_ERR_INVALID_ARG,
               "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1");
    xp_meta tiny = MK(XP_F32, 3, 2, 2);
    assert_err(RUN(xp_shape_max_pool2d, NULL, T(&tiny), L(3, 3), EMPTY, L(0, 0), L(1, 1), B(false)), XP_ERR_SHAPE,
               "max_pool2d: padded input height is 2, but it must be at least 3 (the pooling window's extent)");
    assert_ok(RUN(xp_shape_max_pool2d, NULL, T(&tiny), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(true)));
    assert_meta(XP_F32, 3, 1, 1); /* ceil_mode: one window that runs past the end */
    /* ceil_mode with a symbolic size: (h - 3 + 2 - 1) / 2 + 1 = h / 2, and the
     * last window provably starts inside the input (2*(h / 2) - 2 < h) */
    xp_meta hh = MK(XP_F32, 1, 3, h, h), ah = MK(XP_F32, 1, 3, a, a);
    assert_ok(RUN(xp_shape_max_pool2d, ctx, T(&hh), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(true)));
    assert_meta(XP_F32, 1, 3, xp_dim_floordiv(ctx, h, 2), xp_dim_floordiv(ctx, h, 2));
    assert_err(RUN(xp_shape_max_pool2d, ctx, T(&ah), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(true)), XP_ERR_SHAPE,
               "max_pool2d: output height (a / 2 in [0, 32]) is not provably at least 1");
    assert_err(
        RUN(xp_shape_max_pool2d, ctx, T(&ah), L(3, 3), L(2, 2), L(0, 0), L(1, 1), B(false)), XP_ERR_SHAPE,
        "max_pool2d: padded input height (a in [1, 64]) is not provably at least 3 (the pooling window's extent); "
        "declare a with min=3");
    xp_meta s4 = MK(XP_F32, 1, 3, h, 64);
    assert_ok(RUN(xp_shape_max_pool2d, ctx, T(&s4), L(2, 2), EMPTY, L(0, 0), L(1, 1), B(false)));
    assert_meta(XP_F32, 1, 3, xp_dim_floordiv(ctx, h, 2), 32);
    xp_meta l = MK(XP_I64, 1, 3, 8, 8);
    assert_err(RUN(xp_shape_avg_pool2d, NULL, T(&l), L(2, 2), EMPTY, L(0, 0), B(false), B(true)), XP_ERR_DTYPE,
               "floating-point");
}
END_TEST

START_TEST(adaptive_pool_sets_the_spatial_size) {
    xp_meta x = MK(XP_F32, 2, 3, 7, 9), z = MK(XP_F32, 2, 3, 0, 9);
    assert_ok(RUN(xp_shape_adaptive_avg_pool2d, NULL, T(&x), L(1, 1)));
    assert_meta(XP_F32, 2, 3, 1, 1);
    assert_ok(RUN(xp_shape_adaptive_avg_pool2d, NULL, T(&x), L(5)));
    assert_meta(XP_F32, 2, 3, 5, 5);
    assert_err(RUN(xp_shape_adaptive_avg_pool2d, NULL, T(&z), L(1, 1)), XP_ERR_SHAPE, "dimension 2 being empty");
}
END_TEST

START_TEST(sdpa_shapes) {
    xp_meta q = MK(XP_F32, 2, 4, 10, 16), kk = MK(XP_F32, 2, 4, 12, 16), v = MK(XP_F32, 2, 4, 12, 32);
    xp_meta mask = MK(XP_BOOL, 10, 12), bad = MK(XP_BOOL, 10, 13), kE = MK(XP_F32, 2, 4, 12, 8);
    assert_ok(RUN(xp_shape_sdpa, NULL, T(&q), T(&kk), T(&v), NONE, B(false), NONE));
    assert_meta(XP_F32, 2, 4, 10, 32);
    assert_ok(RUN(xp_shape_sdpa, NULL, T(&q), T(&kk), T(&v), T(&mask), B(false), NONE));
    assert_err(RUN(xp_shape_sdpa, NULL, T(&q), T(&kk), T(&v), T(&bad), B(false), NONE), XP_ERR_SHAPE,
               "attn_mask of shape [10, 13] cannot be broadcast to the attention scores of shape [2, 4, 10, 12]");
    assert_err(RUN(xp_shape_sdpa, NULL, T(&q), T(&kE), T(&v), NONE, B(false), NONE), XP_ERR_SHAPE,
               "query dim 3 (E) (16) and key dim 3 (E) (8) must be equal");
    assert_err(RUN(xp_shape_sdpa, NULL, T(&q), T(&kk), T(&v), T(&mask), B(true), NONE), XP_ERR_INVALID_ARG,
               "explicit attn_mask should not be set when is_causal=True");
    xp_meta q1 = MK(XP_F32, 1, 4, seq, 16), ks = MK(XP_F32, batch, 4, seq, 16), vs = MK(XP_F32, batch, 4, seq, 16);
    assert_ok(RUN(xp_shape_sdpa, ctx, T(&q1), T(&ks), T(&vs), NONE, B(true), NONE));
    assert_meta(XP_F32, batch, 4, seq, 16);
}
END_TEST

/* ---- casts and constructors ---- */

START_TEST(to_changes_only_the_dtype) {
    xp_meta x = MK(XP_F32, 2, batch);
    assert_ok(RUN(xp_shape_to, ctx, T(&x), DT(XP_BF16)));
    assert_meta(XP_BF16, 2, batch);
}
END_TEST

START_TEST(constructors_take_size_and_dtype) {
    assert_ok(RUN(xp_shape_full, NULL, L(2, 3), F(1.5), DT(XP_F64)));
    assert_meta(XP_F64, 2, 3);
    assert_ok(RUN(xp_shape_zeros, ctx, L(batch, 4), DT(XP_I32)));
    assert_meta(XP_I32, batch, 4);
    assert_ok(xp_shape_zeros(NULL, (const xp_arg[]){EMPTY, DT(XP_F32)}, &out));
    assert_meta0(XP_F32);
    assert_err(RUN(xp_shape_full, NULL, L(-1, 2), F(0), DT(XP_F32)), XP_ERR_INVALID_ARG,
               "full: trying to create tensor with negative dimension -1: [-1, 2]");
    assert_err(RUN(xp_shape_zeros, ctx, L(xp_dim_sub(ctx, pos, 1)), DT(XP_F32)), XP_ERR_SHAPE, "may be negative");
}
END_TEST

START_TEST(arange_counts_steps) {
    assert_ok(RUN(xp_shape_arange, NULL, I(0), I(10), I(3), DT(XP_I64)));
    assert_meta(XP_I64, 4);
    assert_ok(RUN(xp_shape_arange, NULL, I(10), I(0), I(-3), DT(XP_F32)));
    assert_meta(XP_F32, 4);
    assert_ok(RUN(xp_shape_arange, NULL, I(5), I(5), I(1), DT(XP_I64)));
    assert_meta(XP_I64, 0);
    assert_err(RUN(xp_shape_arange, NULL, I(0), I(10), I(0), DT(XP_I64)), XP_ERR_INVALID_ARG, "step must be nonzero");
    assert_err(RUN(xp_shape_arange, NULL, I(5), I(0), I(1), DT(XP_I64)), XP_ERR_INVALID_ARG,
               "upper bound and larger bound inconsistent with step sign");
    assert_ok(RUN(xp_shape_arange, ctx, I(0), I(seq), I(1), DT(XP_I64)));
    assert_meta(XP_I64, seq);
    assert_ok(RUN(xp_shape_arange, ctx, I(0), I(seq), I(2), DT(XP_I64)));
    ck_assert_str_eq(str(out.shape[0]), "(seq + 1) / 2");
    assert_err(RUN(xp_shape_arange, ctx, I(pos), I(far), I(1), DT(XP_I64)), XP_ERR_SHAPE, "not provably ordered");
}
END_TEST

static Suite *make_suite(void) {
    Suite *su = suite_create("shape");
    TCase *tc = tcase_create("shape");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, binary_broadcasts_right_aligned_and_promotes);
    tcase_add_test(tc, binary_mismatch_names_both_sizes);
    tcase_add_test(tc, true_division_gives_float);
    tcase_add_test(tc, scalar_operand_promotes_by_value);
    tcase_add_test(tc, unary_keeps_or_floats_the_dtype);
    tcase_add_test(tc, comparisons_give_bool);
    tcase_add_test(tc, where_broadcasts_all_three);
    tcase_add_test(tc, inplace_output_is_self_and_other_must_fit);
    tcase_add_test(tc, inplace_result_must_cast_to_self);
    tcase_add_test(tc, copy_converts_any_dtype_and_broadcasts_src);
    tcase_add_test(tc, symbolic_broadcast_keeps_symbols_against_one);
    tcase_add_test(tc, symbolic_broadcast_never_specializes);
    tcase_add_test(tc, sum_reduces_listed_dims_and_widens_ints);
    tcase_add_test(tc, mean_needs_float);
    tcase_add_test(tc, amax_keeps_dtype_and_needs_elements);
    tcase_add_test(tc, argmax_gives_i64_indices);
    tcase_add_test(tc, softmax_normalizes_dim_and_needs_float);
    tcase_add_test(tc, mm_and_bmm);
    tcase_add_test(tc, matmul_follows_pytorch_rank_rules);
    tcase_add_test(tc, matmul_with_shared_symbol_is_ok);
    tcase_add_test(tc, matmul_with_distinct_symbols_is_an_error);
    tcase_add_test(tc, addmm_self_broadcasts_to_the_product);
    tcase_add_test(tc, linear_maps_the_last_dim);
    tcase_add_test(tc, transpose_t_and_permute);
    tcase_add_test(tc, view_infers_one_dim);
    tcase_add_test(tc, reshape_with_minus_one_over_symbols);
    tcase_add_test(tc, flatten_of_two_dynamic_dims_and_view_back);
    tcase_add_test(tc, flatten_concrete_and_errors);
    tcase_add_test(tc, unsqueeze_and_squeeze);
    tcase_add_test(tc, squeeze_keeps_symbols_not_proven_one);
    tcase_add_test(tc, expand_grows_size_one_dims);
    tcase_add_test(tc, slice_clamps_like_python);
    tcase_add_test(tc, slice_of_symbolic_dim);
    tcase_add_test(tc, slice_at_a_symbolic_position);
    tcase_add_test(tc, select_checks_the_index);
    tcase_add_test(tc, scatters_need_src_of_the_region_shape);
    tcase_add_test(tc, cat_sums_the_joined_dim);
    tcase_add_test(tc, stack_adds_a_dim);
    tcase_add_test(tc, embedding_appends_the_feature_dim);
    tcase_add_test(tc, layer_norm_checks_trailing_dims);
    tcase_add_test(tc, batch_norm_params_match_channels);
    tcase_add_test(tc, conv2d_output_size);
    tcase_add_test(tc, conv2d_with_symbolic_height);
    tcase_add_test(tc, pooling_output_size);
    tcase_add_test(tc, adaptive_pool_sets_the_spatial_size);
    tcase_add_test(tc, sdpa_shapes);
    tcase_add_test(tc, to_changes_only_the_dtype);
    tcase_add_test(tc, constructors_take_size_and_dtype);
    tcase_add_test(tc, arange_counts_steps);
    suite_add_tcase(su, tc);
    return su;
}

int main(void) { return xpt_run_suite(make_suite()); }
