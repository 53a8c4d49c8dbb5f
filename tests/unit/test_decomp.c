/*
 * Decompositions (runtime/decomp): every row of decomps.def rewritten into
 * core ops and run against the original op on the same random inputs; the
 * table API and its errors; signature, range constraints, source locations
 * and names kept; cond branches; the public registry introspection; and the
 * core opset and table as docs/decompositions.md lists them.
 *
 * The per-row test iterates decomps.def itself: each row runs the cases
 * written for its op below, and a row without one runs a generic unary case
 * when its schema is `(Tensor self) -> Tensor`, else fails, so a new
 * decomposition cannot land untested.
 */
#include <stdlib.h>
#include <string.h>

#include "decomp/xp_decomp.h"
#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

/* ---- tolerances ------------------------------------------------------------
 * A decomposition computes the same values as the fused kernel with the
 * float operations in another order or split in several rounded steps.
 *
 * EXACT: views, copies, constructors, and silu (the kernel computes
 * x * sigmoid(x) with the same sigmoid and multiply), bit for bit.
 *
 * GEMM_ATOL(K): a K-term dot product of values in [-1, 1] summed in two
 * different orders (the fused kernel's GEMM call against mm/bmm/addmm
 * with other shapes): each result is within K * 2^-24 * sum|a_i b_i| <=
 * K^2 * 2^-24 of the exact value, so they differ by at most twice that.
 *
 * F32_ROW (rtol 1e-5, atol 1e-6): softmax-like rows of up to ~40 terms.
 * Both sides exponentiate with the same xp_expf and subtract the same max;
 * the row sums differ (the kernel sums in double, `sum` in its own order)
 * by at most n * 2^-24 ~ 2.4e-6 relative, well inside 1e-5.
 *
 * GELU_F32 (rtol 1e-5, atol 1e-6): the kernel's erfc form has relative
 * error < 8e-6 (cpu_util.h); the decomposition's 1 + erf(x/sqrt2) cancels
 * for negative x, an absolute error of about |x| * 2^-24 <= 6 * 6e-8.
 *
 * NORM (rtol 1e-5, atol 1e-5): layer_norm's mean and biased variance over
 * N <= 192 terms in another order: relative error <= N * 2^-24 ~ 1.1e-5 of
 * the variance, half that in rsqrt, times |x - mean| / sigma <= ~3, plus the
 * mean's error over sigma near outputs 0 (the atol).
 *
 * ATTN (rtol 1e-5, atol 2e-5): scores are E = 16 term dot products of
 * values in [-1, 1] (scale 0.25 is a power of two, exact on both sides),
 * then a softmax row (F32_ROW) and S <= 7 term products of probabilities
 * with values in [-1, 1]: GEMM_ATOL(16) ~ 3e-5 in the scores becomes at
 * most that relative in the probabilities, which sum to 1.
 *
 * Half-precision dtypes compute in f32 on both sides and round once; the f32
 * results differ by the bounds above, which can move a rounding boundary by
 * one unit: rtol 2^-7 for bf16 (7 stored mantissa bits).
 */
#define EXACT 0.0, 0.0
#define GEMM_ATOL(K) ((double)2 * (K) * (K) / 16777216.0)
#define F32_ROW 1e-5, 1e-6
#define GELU_F32 1e-5, 1e-6
#define NORM 1e-5, 1e-5
#define ATTN 1e-5, 2e-5

/* ---- a program under test ---- */

#define BATCH (-100) /* in a shape: the symbolic dim "batch" */
#define MAX_IN 8

typedef struct prog {
    xp_program *p;
    xp_dim batch;        /* symbol batch in [1, 64] */
    int64_t batch_value; /* its size in the run */
    int nin;
    xp_tensor *in[MAX_IN]; /* user inputs in signature order */
    uint64_t rng;
    int32_t file;
    int line;
} prog;

static void prog_init(prog *c, uint64_t seed) {
    memset(c, 0, sizeof *c);
    c->p = xp_program_new("forward");
    ck_assert_ptr_nonnull(c->p);
    c->batch = xp_sym_new(c->p->syms, "batch", 1, 64);
    ck_assert(xp_dim_is_valid(c->batch));
    c->batch_value = 3;
    c->rng = seed;
    c->file = xp_program_file(c->p, "model.c");
}

static void prog_free(prog *c) {
    for (int i = 0; i < c->nin; i++) xp_tensor_free(c->in[i]);
    xp_program_free(c->p);
}

/* A USER_INPUT of `dt` with dims (BATCH for the symbol), filled with
 * uniform values in [lo, hi). */
static int32_t input(prog *c, xp_dtype dt, int ndim, const int64_t *dims, double lo, double hi) {
    xp_dim sym[XP_MAX_DIMS];
    int64_t conc[XP_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        sym[d] = dims[d] == BATCH ? c->batch : dims[d];
        conc[d] = dims[d] == BATCH ? c->batch_value : dims[d];
    }
    char name[16];
    snprintf(name, sizeof name, "x%d", c->nin);
    int32_t v;
    ck_assert_int_lt(c->nin, MAX_IN);
    ok(xp_program_add_input(c->p, XP_IN_USER_INPUT, name, NULL, dt, ndim, sym, &v));
    c->in[c->nin++] = xpt_random(&c->rng, dt, ndim, conc, lo, hi);
    return v;
}
#define IN(c, dt, lo, hi, ...) input(c, dt, XP_DIMS(__VA_ARGS__), lo, hi)

/* A SYMINT input `n` bound to batch. */
static void symint_input(prog *c) {
    ok(xp_program_add_symint_input(c->p, "n", c->batch, NULL));
    c->in[c->nin++] = xp_tensor_from(XP_I64, 0, NULL, &c->batch_value);
}

static int32_t node(prog *c, xp_op_id op, int nargs, const xp_narg *args) {
    int32_t v;
    ok(xp_graph_add_node(c->p->graph, op, args, nargs, (xp_srcloc){c->file, ++c->line, 5}, &v));
    return v;
}
#define NARGS(...) (int)(sizeof((xp_narg[]){__VA_ARGS__}) / sizeof(xp_narg))
#define NODE(c, op, ...) node(c, XP_OP_##op, NARGS(__VA_ARGS__), (xp_narg[]){__VA_ARGS__})
#define V(v) xp_narg_value(v)
#define I(i) xp_narg_int(i)
#define F(f) xp_narg_float(f)
#define B(b) xp_narg_bool(b)
#define DT(d) xp_narg_dtype(d)
#define NONE xp_narg_none()
#define INTS(...) xp_narg_ints((int)(sizeof((xp_dim[]){__VA_ARGS__}) / sizeof(xp_dim)), (xp_dim[]){__VA_ARGS__})

static void output(prog *c, int32_t v) { ok(xp_program_add_output(c->p, XP_OUT_USER_OUTPUT, v, NULL)); }

/* ---- checks ---- */

static xp_tensor *run1(xp_program *p, prog *c) {
    xp_tensor *o = NULL;
    ok(xp_program_run(p, c->in, c->nin, &o, 1));
    return o;
}

static void assert_core_only(const xp_graph *g) {
    for (int i = 0; i < g->nnodes; i++) {
        const xp_op_def *def = xp_op_get(g->nodes[i].op);
        ck_assert_msg(def->flags & XP_OP_CORE, "node %s is %s, not a core op", g->nodes[i].name, def->name);
        for (int k = 0; k < g->nodes[i].nsub; k++) assert_core_only(g->nodes[i].sub[k]);
    }
}

static int count_op(const xp_graph *g, xp_op_id op) {
    int n = 0;
    for (int i = 0; i < g->nnodes; i++) {
        n += g->nodes[i].op == op;
        for (int k = 0; k < g->nodes[i].nsub; k++) n += count_op(g->nodes[i].sub[k], op);
    }
    return n;
}

static void assert_same(const xp_tensor *got, const xp_tensor *want, double rtol, double atol, bool values) {
    ck_assert_msg(xp_dtype_of(got) == xp_dtype_of(want), "dtype %s, expected %s", xp_dtype_name(xp_dtype_of(got)),
                  xp_dtype_name(xp_dtype_of(want)));
    if (values) {
        xpt_assert_close(got, want, rtol, atol);
        return;
    }
    int64_t shape[XP_MAX_DIMS];
    for (int d = 0; d < xp_ndim(want); d++) shape[d] = xp_size(want, d);
    xpt_assert_shape_(got, xp_ndim(want), shape, __FILE__, __LINE__);
}

/* The program's one output, decomposed with the full table (only core ops
 * left) and with a table of just `op` (no `op` left), against the original
 * on the same inputs. `values` false compares dtype and shape only. */
static void check_program(prog *c, xp_op_id op, double rtol, double atol, bool values) {
    ok(xp_program_verify(c->p));
    ck_assert_int_ge(count_op(c->p->graph, op), 1);
    xp_tensor *want = run1(c->p, c);

    xp_program *d;
    ok(xp_program_run_decompositions(c->p, NULL, &d));
    assert_core_only(d->graph);
    ok(xp_program_verify(d));
    xp_tensor *got = run1(d, c);
    assert_same(got, want, rtol, atol, values);
    xp_tensor_free(got);
    xp_program_free(d);

    xp_decomp_table *t = xp_decomp_table_for(xp_op_get(op)->name);
    ck_assert_msg(t != NULL, "%s", xp_last_error());
    ok(xp_program_run_decompositions(c->p, t, &d));
    xp_decomp_table_free(t);
    ck_assert_int_eq(count_op(d->graph, op), 0);
    ok(xp_program_verify(d));
    got = run1(d, c);
    assert_same(got, want, rtol, atol, values);
    xp_tensor_free(got);
    xp_program_free(d);
    xp_tensor_free(want);
}

/* ---- the cases, per op ----
 * Each builds one node of its op (sometimes after a view that makes its
 * input strided) and states its tolerance. */

typedef struct dcase {
    xp_op_id op;
    const char *what;
    void (*build)(prog *c);
    double rtol, atol;
    bool values; /* false: compare dtype and shape (empty_like) */
} dcase;

/* elementwise */
static void gelu_f32(prog *c) { output(c, NODE(c, gelu, V(IN(c, XP_F32, -6, 6, BATCH, 40)))); }
static void gelu_f64(prog *c) { output(c, NODE(c, gelu, V(IN(c, XP_F64, -6, 6, BATCH, 40)))); }
static void gelu_bf16(prog *c) { output(c, NODE(c, gelu, V(IN(c, XP_BF16, -4, 4, BATCH, 40)))); }
static void gelu_i32(prog *c) { output(c, NODE(c, gelu, V(IN(c, XP_I32, -5, 5, BATCH, 8)))); }
static void silu_f32(prog *c) { output(c, NODE(c, silu, V(IN(c, XP_F32, -8, 8, BATCH, 33)))); }
static void silu_f16(prog *c) { output(c, NODE(c, silu, V(IN(c, XP_F16, -8, 8, BATCH, 33)))); }

/* reductions */
static void softmax_last(prog *c) { output(c, NODE(c, softmax, V(IN(c, XP_F32, -10, 10, BATCH, 5, 37)), I(-1))); }
static void softmax_mid(prog *c) { output(c, NODE(c, softmax, V(IN(c, XP_F32, -10, 10, BATCH, 5, 37)), I(1))); }
static void softmax_sym(prog *c) { output(c, NODE(c, softmax, V(IN(c, XP_F32, -10, 10, 4, BATCH)), I(1))); }
static void log_softmax_last(prog *c) {
    output(c, NODE(c, log_softmax, V(IN(c, XP_F32, -10, 10, BATCH, 37)), I(-1)));
}
static void log_softmax_first(prog *c) {
    output(c, NODE(c, log_softmax, V(IN(c, XP_F32, -10, 10, BATCH, 6)), I(0)));
}

/* linear algebra: values in [-1, 1], K = 12 */
static void mm_case(prog *c, int32_t a, int32_t b) { output(c, NODE(c, matmul, V(a), V(b))); }
static void matmul_1x1(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, 12), IN(c, XP_F32, -1, 1, 12)); }
static void matmul_2x1(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 12), IN(c, XP_F32, -1, 1, 12)); }
static void matmul_1x2(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, 12), IN(c, XP_F32, -1, 1, 12, 5)); }
static void matmul_2x2(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 12), IN(c, XP_F32, -1, 1, 12, 7)); }
static void matmul_3x2(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 4, 12), IN(c, XP_F32, -1, 1, 12, 7)); }
static void matmul_3x1(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 4, 12), IN(c, XP_F32, -1, 1, 12)); }
static void matmul_1x3(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, 12), IN(c, XP_F32, -1, 1, BATCH, 12, 5)); }
static void matmul_2x4(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, 4, 12), IN(c, XP_F32, -1, 1, 2, BATCH, 12, 5)); }
static void matmul_4x3_broadcast(prog *c) {
    mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 1, 4, 12), IN(c, XP_F32, -1, 1, 3, 12, 5));
}
static void matmul_3x3(prog *c) { mm_case(c, IN(c, XP_F32, -1, 1, BATCH, 4, 12), IN(c, XP_F32, -1, 1, BATCH, 12, 5)); }
static void matmul_strided(prog *c) {
    /* a transposed left operand: folding it needs a copy */
    int32_t a = NODE(c, permute, V(IN(c, XP_F32, -1, 1, BATCH, 12, 4)), INTS(0, 2, 1));
    mm_case(c, a, IN(c, XP_F32, -1, 1, 12, 7));
}

/* linear: K = 24 */
static void linear_2d_bias(prog *c) {
    output(c, NODE(c, linear, V(IN(c, XP_F32, -1, 1, BATCH, 24)), V(IN(c, XP_F32, -1, 1, 7, 24)),
                   V(IN(c, XP_F32, -1, 1, 7))));
}
static void linear_3d_bias(prog *c) {
    output(c, NODE(c, linear, V(IN(c, XP_F32, -1, 1, BATCH, 3, 24)), V(IN(c, XP_F32, -1, 1, 7, 24)),
                   V(IN(c, XP_F32, -1, 1, 7))));
}
static void linear_1d(prog *c) {
    output(c, NODE(c, linear, V(IN(c, XP_F32, -1, 1, 24)), V(IN(c, XP_F32, -1, 1, 7, 24))));
}
static void linear_4d(prog *c) {
    output(c, NODE(c, linear, V(IN(c, XP_F32, -1, 1, 2, BATCH, 3, 24)), V(IN(c, XP_F32, -1, 1, 7, 24))));
}
static void linear_strided(prog *c) {
    int32_t x = NODE(c, transpose, V(IN(c, XP_F32, -1, 1, 24, BATCH, 3)), I(0), I(2));
    output(c, NODE(c, linear, V(x), V(IN(c, XP_F32, -1, 1, 7, 24)), V(IN(c, XP_F32, -1, 1, 7))));
}

/* shapes and views: exact */
static void t_2d(prog *c) { output(c, NODE(c, t, V(IN(c, XP_F32, -1, 1, BATCH, 5)))); }
static void t_1d(prog *c) { output(c, NODE(c, t, V(IN(c, XP_F32, -1, 1, 7)))); }
static void transpose_3d(prog *c) { output(c, NODE(c, transpose, V(IN(c, XP_F32, -1, 1, BATCH, 3, 4)), I(0), I(-1))); }
static void transpose_same(prog *c) { output(c, NODE(c, transpose, V(IN(c, XP_F32, -1, 1, BATCH, 3)), I(1), I(1))); }
static void reshape_infer(prog *c) { output(c, NODE(c, reshape, V(IN(c, XP_F32, -1, 1, BATCH, 4, 6)), INTS(-1, 6))); }
static void reshape_strided(prog *c) {
    int32_t x = NODE(c, permute, V(IN(c, XP_F32, -1, 1, BATCH, 4, 6)), INTS(0, 2, 1));
    output(c, NODE(c, reshape, V(x), INTS(-1, 24)));
}
static void reshape_of_result(prog *c) {
    int32_t x = NODE(c, relu, V(IN(c, XP_F32, -1, 1, BATCH, 4, 6)));
    output(c, NODE(c, reshape, V(x), INTS(2, 2, -1)));
}
static void flatten_mid(prog *c) { output(c, NODE(c, flatten, V(IN(c, XP_F32, -1, 1, BATCH, 3, 4, 5)), I(1), I(2))); }
static void flatten_all(prog *c) { output(c, NODE(c, flatten, V(IN(c, XP_I64, -9, 9, BATCH, 3, 4)))); }
static void flatten_strided(prog *c) {
    int32_t x = NODE(c, transpose, V(IN(c, XP_F32, -1, 1, BATCH, 3, 4)), I(1), I(2));
    output(c, NODE(c, flatten, V(x), I(1), I(-1)));
}
static void contiguous_strided(prog *c) {
    output(c, NODE(c, contiguous, V(NODE(c, t, V(IN(c, XP_F32, -1, 1, BATCH, 6))))));
}
static void stack_mid(prog *c) {
    int32_t a = IN(c, XP_F32, -1, 1, BATCH, 4), b = IN(c, XP_F32, -1, 1, BATCH, 4), d = IN(c, XP_F32, -1, 1, BATCH, 4);
    output(c, NODE(c, stack, xp_narg_values(3, (int32_t[]){a, b, d}), I(1)));
}
static void stack_last(prog *c) {
    int32_t a = IN(c, XP_I32, -9, 9, BATCH, 4), b = IN(c, XP_I32, -9, 9, BATCH, 4);
    output(c, NODE(c, stack, xp_narg_values(2, (int32_t[]){a, b}), I(-1)));
}

/* normalization: values with a nonzero mean */
static void layer_norm_affine(prog *c) {
    output(c, NODE(c, layer_norm, V(IN(c, XP_F32, -3, 5, BATCH, 6, 32)), INTS(32), V(IN(c, XP_F32, 0.5, 1.5, 32)),
                   V(IN(c, XP_F32, -1, 1, 32)), F(1e-5)));
}
static void layer_norm_plain(prog *c) {
    output(c, NODE(c, layer_norm, V(IN(c, XP_F32, -3, 5, BATCH, 6, 32)), INTS(6, 32), NONE, NONE, F(1e-3)));
}
static void layer_norm_weight(prog *c) {
    output(c, NODE(c, layer_norm, V(IN(c, XP_F32, -3, 5, BATCH, 16)), INTS(16), V(IN(c, XP_F32, 0.5, 1.5, 16))));
}
static void layer_norm_bias(prog *c) {
    output(c, NODE(c, layer_norm, V(IN(c, XP_F32, -3, 5, BATCH, 16)), INTS(16), NONE, V(IN(c, XP_F32, -1, 1, 16))));
}

/* attention: E = 16 (scale 0.25), L = 5, S = 7 unless said */
static int32_t q_in(prog *c, int64_t L) { return IN(c, XP_F32, -1, 1, BATCH, 2, L, 16); }
static int32_t k_in(prog *c, int64_t S) { return IN(c, XP_F32, -1, 1, BATCH, 2, S, 16); }
static int32_t v_in(prog *c, int64_t S) { return IN(c, XP_F32, -1, 1, BATCH, 2, S, 8); }
static void sdpa_plain(prog *c) {
    output(c, NODE(c, scaled_dot_product_attention, V(q_in(c, 5)), V(k_in(c, 7)), V(v_in(c, 7))));
}
static void sdpa_causal(prog *c) {
    output(c, NODE(c, scaled_dot_product_attention, V(q_in(c, 6)), V(k_in(c, 6)), V(v_in(c, 6)), NONE, B(true)));
}
static void sdpa_causal_rect(prog *c) {
    output(c, NODE(c, scaled_dot_product_attention, V(q_in(c, 5)), V(k_in(c, 7)), V(v_in(c, 7)), NONE, B(true)));
}
static void sdpa_bool_mask(prog *c) {
    int32_t q = q_in(c, 5), k = k_in(c, 7), v = v_in(c, 7), m = IN(c, XP_BOOL, 0, 1, 5, 7);
    output(c, NODE(c, scaled_dot_product_attention, V(q), V(k), V(v), V(m)));
}
static void sdpa_float_mask(prog *c) {
    int32_t q = q_in(c, 5), k = k_in(c, 7), v = v_in(c, 7), m = IN(c, XP_F32, -2, 2, BATCH, 1, 5, 7);
    output(c, NODE(c, scaled_dot_product_attention, V(q), V(k), V(v), V(m)));
}
static void sdpa_scale(prog *c) {
    output(c, NODE(c, scaled_dot_product_attention, V(q_in(c, 5)), V(k_in(c, 7)), V(v_in(c, 7)), NONE, B(false),
                   F(0.3)));
}
static void sdpa_symbolic_seq(prog *c) {
    /* L = S = batch: the causal mask comes from aranges of a symbolic size */
    int32_t q = IN(c, XP_F32, -1, 1, 2, BATCH, 16), k = IN(c, XP_F32, -1, 1, 2, BATCH, 16),
            v = IN(c, XP_F32, -1, 1, 2, BATCH, 8);
    output(c, NODE(c, scaled_dot_product_attention, V(q), V(k), V(v), NONE, B(true)));
}
static void sdpa_symbolic_e(prog *c) {
    /* E = batch: 1/sqrt(E) computed in the graph */
    int32_t q = IN(c, XP_F32, -1, 1, 4, BATCH), k = IN(c, XP_F32, -1, 1, 6, BATCH), v = IN(c, XP_F32, -1, 1, 6, 3);
    output(c, NODE(c, scaled_dot_product_attention, V(q), V(k), V(v)));
}

/* constructors */
static void zeros_sym(prog *c) {
    symint_input(c);
    output(c, NODE(c, zeros, INTS(c->batch, 4), DT(XP_F32)));
}
static void ones_sym(prog *c) {
    symint_input(c);
    output(c, NODE(c, ones, INTS(2, c->batch), DT(XP_I64)));
}
static void empty_like_i32(prog *c) { output(c, NODE(c, empty_like, V(IN(c, XP_I32, -9, 9, BATCH, 5)))); }

static const dcase cases[] = {
    {XP_OP_gelu, "f32", gelu_f32, GELU_F32, true},
    /* f64: the kernel's erfc form against 1 + erf: cancellation of |x| * 2^-53 */
    {XP_OP_gelu, "f64", gelu_f64, 1e-13, 1e-14, true},
    {XP_OP_gelu, "bf16", gelu_bf16, 1.0 / 128, 1e-6, true},
    {XP_OP_gelu, "i32 input", gelu_i32, GELU_F32, true},
    {XP_OP_silu, "f32", silu_f32, EXACT, true},
    {XP_OP_silu, "f16 (f32 math, one rounding on both sides)", silu_f16, EXACT, true},
    {XP_OP_softmax, "last dim", softmax_last, F32_ROW, true},
    {XP_OP_softmax, "middle dim", softmax_mid, F32_ROW, true},
    {XP_OP_softmax, "symbolic dim", softmax_sym, F32_ROW, true},
    /* |log sum| error n * 2^-24 absolute, |x - max| <= 20 relative */
    {XP_OP_log_softmax, "last dim", log_softmax_last, 1e-5, 1e-5, true},
    {XP_OP_log_softmax, "symbolic dim", log_softmax_first, 1e-5, 1e-5, true},
    {XP_OP_matmul, "1-D x 1-D", matmul_1x1, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "2-D x 1-D", matmul_2x1, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "1-D x 2-D", matmul_1x2, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "2-D x 2-D", matmul_2x2, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "3-D x 2-D (folded)", matmul_3x2, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "3-D x 1-D (folded)", matmul_3x1, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "1-D x 3-D", matmul_1x3, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "2-D x 4-D (expanded)", matmul_2x4, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "4-D x 3-D (broadcast)", matmul_4x3_broadcast, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "3-D x 3-D", matmul_3x3, 0, GEMM_ATOL(12), true},
    {XP_OP_matmul, "strided 3-D x 2-D", matmul_strided, 0, GEMM_ATOL(12), true},
    {XP_OP_linear, "2-D with bias", linear_2d_bias, 0, GEMM_ATOL(24), true},
    {XP_OP_linear, "3-D with bias", linear_3d_bias, 0, GEMM_ATOL(24), true},
    {XP_OP_linear, "1-D without bias", linear_1d, 0, GEMM_ATOL(24), true},
    {XP_OP_linear, "4-D without bias", linear_4d, 0, GEMM_ATOL(24), true},
    {XP_OP_linear, "strided 3-D", linear_strided, 0, GEMM_ATOL(24), true},
    {XP_OP_t, "2-D", t_2d, EXACT, true},
    {XP_OP_t, "1-D", t_1d, EXACT, true},
    {XP_OP_transpose, "3-D", transpose_3d, EXACT, true},
    {XP_OP_transpose, "one dim with itself", transpose_same, EXACT, true},
    {XP_OP_reshape, "with -1", reshape_infer, EXACT, true},
    {XP_OP_reshape, "of a strided view", reshape_strided, EXACT, true},
    {XP_OP_reshape, "of an op's result", reshape_of_result, EXACT, true},
    {XP_OP_flatten, "middle dims", flatten_mid, EXACT, true},
    {XP_OP_flatten, "all dims, i64", flatten_all, EXACT, true},
    {XP_OP_flatten, "of a strided view", flatten_strided, EXACT, true},
    {XP_OP_contiguous, "of a transpose", contiguous_strided, EXACT, true},
    {XP_OP_stack, "middle dim", stack_mid, EXACT, true},
    {XP_OP_stack, "new last dim, i32", stack_last, EXACT, true},
    {XP_OP_layer_norm, "weight and bias", layer_norm_affine, NORM, true},
    {XP_OP_layer_norm, "two dims, no affine", layer_norm_plain, NORM, true},
    {XP_OP_layer_norm, "weight only", layer_norm_weight, NORM, true},
    {XP_OP_layer_norm, "bias only", layer_norm_bias, NORM, true},
    {XP_OP_scaled_dot_product_attention, "no mask", sdpa_plain, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "causal", sdpa_causal, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "causal, L != S", sdpa_causal_rect, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "bool mask", sdpa_bool_mask, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "float mask", sdpa_float_mask, ATTN, true},
    /* scale 0.3 is not a power of two: q*s @ k^T rounds differently from
     * (q @ k^T)*s by 2^-24 per score on top of ATTN */
    {XP_OP_scaled_dot_product_attention, "scale 0.3", sdpa_scale, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "symbolic L and S, causal", sdpa_symbolic_seq, ATTN, true},
    {XP_OP_scaled_dot_product_attention, "symbolic E", sdpa_symbolic_e, ATTN, true},
    {XP_OP_zeros, "symbolic size", zeros_sym, EXACT, true},
    {XP_OP_ones, "symbolic size, i64", ones_sym, EXACT, true},
    /* empty_like's values are unspecified */
    {XP_OP_empty_like, "i32", empty_like_i32, EXACT, false},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static const xp_op_id rows[] = {
#define XP_DECOMP(op, fn) XP_OP_##op,
#include "decomp/decomps.def"
#undef XP_DECOMP
};
#define NROWS (int)(sizeof rows / sizeof rows[0])

/* A new unary op (schema `name(Tensor self) -> Tensor`) is tested on f32
 * values in [-4, 4] with the elementwise F32 bound of gelu's. */
static bool is_plain_unary(const xp_op_def *def) {
    const xp_schema *s = def->schema;
    return s->nargs == 1 && s->args[0].kind == XP_ARG_TENSOR && !s->args[0].optional && s->nrets == 1;
}

START_TEST(every_decomposition_matches_its_op) {
    xp_registry_init();
    xp_op_id op = rows[_i];
    const xp_op_def *def = xp_op_get(op);
    int ran = 0;
    for (int k = 0; k < NCASES; k++) {
        if (cases[k].op != op) continue;
        fprintf(stderr, "decomposition of %s: %s\n", def->name, cases[k].what);
        prog c;
        prog_init(&c, 0xD3C0 + (uint64_t)k);
        cases[k].build(&c);
        check_program(&c, op, cases[k].rtol, cases[k].atol, cases[k].values);
        prog_free(&c);
        ran++;
    }
    if (!ran) {
        ck_assert_msg(is_plain_unary(def), "decomps.def row %s has no case in test_decomp.c", def->name);
        prog c;
        prog_init(&c, 0xD3C0);
        output(&c, node(&c, op, 1, (xp_narg[]){V(IN(&c, XP_F32, -4, 4, BATCH, 40))}));
        check_program(&c, op, GELU_F32, true);
        prog_free(&c);
    }
}
END_TEST

START_TEST(every_case_names_a_row) {
    for (int k = 0; k < NCASES; k++) ck_assert_msg(xp_op_has_decomposition(cases[k].op), "case %d", k);
}
END_TEST

/* The table covers the non-core opset: every op that is neither core, nor
 * in-place (functionalized instead), nor control flow has a row. */
START_TEST(every_non_core_op_has_a_decomposition) {
    xp_registry_init();
    for (int i = 0; i < xp_op_count(); i++) {
        const xp_op_def *def = xp_op_get((xp_op_id)i);
        bool needs = !(def->flags & (XP_OP_CORE | XP_OP_MUTABLE | XP_OP_CONTROL));
        ck_assert_msg(xp_op_has_decomposition(def->id) == needs, "%s: %s", def->name,
                      needs ? "non-core op without a row in decomps.def" : "a core, in-place or control op has a row");
        ck_assert(xp_op_is_decomposable(def->name) == needs);
    }
}
END_TEST

/* ---- a whole block: composition, symbolic dims, strided views ---- */

/* A pre-LayerNorm transformer block on x [batch, seq, 16] with 2 heads,
 * weights as PARAMETERs: only non-core ops between the core ones. */
static void build_block(prog *c, xp_dim seq, int64_t seq_value) {
    xp_program *p = c->p;
    int32_t w[12];
    static const char *const names[12] = {"ln1.w", "ln1.b", "wq", "wk", "wv", "wo", "bo", "ln2.w", "ln2.b",
                                          "fc1", "fc1.b", "fc2"};
    static const int64_t shapes[12][2] = {{16}, {16}, {16, 16}, {16, 16}, {16, 16}, {16, 16},
                                          {16}, {16}, {16}, {32, 16}, {32}, {16, 32}};
    for (int i = 0; i < 12; i++) {
        int nd = shapes[i][1] ? 2 : 1;
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        ok(xp_program_add_input(p, XP_IN_PARAMETER, name, names[i], XP_F32, nd, shapes[i], &w[i]));
        bool ln_weight = i == 0 || i == 7; /* around 1, the rest around 0 */
        xp_tensor *t = xpt_random(&c->rng, XP_F32, nd, shapes[i], ln_weight ? 0.5 : -0.5, ln_weight ? 1.5 : 0.5);
        ok(xp_program_bind_tensor(p, names[i], t));
        xp_tensor_free(t);
    }
    xp_dim xs[3] = {c->batch, seq, 16};
    int32_t x;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 3, xs, &x));
    int64_t conc[3] = {c->batch_value, seq_value, 16};
    c->in[c->nin++] = xpt_random(&c->rng, XP_F32, 3, conc, -2, 2);

    int32_t h = NODE(c, layer_norm, V(x), INTS(16), V(w[0]), V(w[1]));
    int32_t qkv[3];
    for (int k = 0; k < 3; k++) {
        int32_t l = NODE(c, linear, V(h), V(w[2 + k]));
        int32_t r = NODE(c, reshape, V(l), INTS(c->batch, seq, 2, 8));
        qkv[k] = NODE(c, transpose, V(r), I(1), I(2)); /* [batch, 2, seq, 8] */
    }
    int32_t a = NODE(c, scaled_dot_product_attention, V(qkv[0]), V(qkv[1]), V(qkv[2]), NONE, B(true));
    int32_t at = NODE(c, transpose, V(a), I(1), I(2));
    int32_t af = NODE(c, flatten, V(at), I(2)); /* strided: clone + view */
    int32_t o = NODE(c, linear, V(af), V(w[5]), V(w[6]));
    int32_t x1 = NODE(c, add, V(x), V(o));
    int32_t h2 = NODE(c, layer_norm, V(x1), INTS(16), V(w[7]), V(w[8]));
    int32_t f1 = NODE(c, gelu, V(NODE(c, linear, V(h2), V(w[9]), V(w[10]))));
    int32_t f2 = NODE(c, matmul, V(f1), V(NODE(c, t, V(w[11]))));
    output(c, NODE(c, add, V(x1), V(f2)));
}

START_TEST(transformer_block_decomposes_to_core_ops_and_agrees) {
    prog c;
    prog_init(&c, 77);
    xp_dim seq = xp_sym_new(c.p->syms, "seq", 1, 128);
    build_block(&c, seq, 5);
    ok(xp_program_verify(c.p));
    xp_tensor *want = run1(c.p, &c);
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    assert_core_only(d->graph);
    /* reshapes of dense values became views; three strided ones (k^T and v
     * split into heads, folded for bmm, and the transposed attention output
     * flattened) clone + view, as PyTorch's reshape copies them */
    ck_assert_int_eq(count_op(d->graph, XP_OP_clone), 3);
    /* weights came along: no binding needed. A chain of ~40 ops, each within
     * the bounds stated at the top, on values of magnitude ~3: 1e-4. */
    xp_tensor *got = run1(d, &c);
    xpt_assert_close(got, want, 1e-4, 1e-4);
    xp_tensor_free(got);

    /* and through a .xpg file, as `xport decompose` writes it */
    char path[512];
    snprintf(path, sizeof path, "%s/block_core.xpg", xpt_tmpdir());
    ok(xp_program_save(d, path));
    xp_program *l;
    ok(xp_program_load(path, &l));
    xp_tensor *w0 = NULL;
    ck_assert_int_eq(xp_program_run(l, c.in, c.nin, &w0, 1), XP_ERR_NOT_FOUND); /* weights are not in the file */
    for (int i = 0; i < d->nsig_in; i++)
        if (d->weights[i]) ok(xp_program_bind_tensor(l, d->sig_in[i].target, d->weights[i]));
    got = run1(l, &c);
    xpt_assert_close(got, want, 1e-4, 1e-4);
    xp_tensor_free(got);
    xp_program_free(l);
    xp_program_free(d);
    xp_tensor_free(want);
    prog_free(&c);
}
END_TEST

/* ---- the table API ---- */

START_TEST(partial_table_decomposes_only_its_ops) {
    prog c;
    prog_init(&c, 5);
    int32_t x = IN(&c, XP_F32, -1, 1, BATCH, 8), w = IN(&c, XP_F32, -1, 1, 8, 8);
    int32_t l = NODE(&c, linear, V(x), V(NODE(&c, t, V(w))));
    output(&c, NODE(&c, gelu, V(NODE(&c, softmax, V(l), I(-1)))));
    xp_decomp_table *t = xp_decomp_table_for("linear, t");
    ck_assert_msg(t != NULL, "%s", xp_last_error());
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, t, &d));
    xp_decomp_table_free(t);
    ck_assert_int_eq(count_op(d->graph, XP_OP_linear), 0);
    ck_assert_int_eq(count_op(d->graph, XP_OP_t), 0);
    ck_assert_int_eq(count_op(d->graph, XP_OP_permute), 2);
    ck_assert_int_eq(count_op(d->graph, XP_OP_mm), 1);
    ck_assert_int_eq(count_op(d->graph, XP_OP_softmax), 1);
    ck_assert_int_eq(count_op(d->graph, XP_OP_gelu), 1);
    ck_assert_int_eq(count_op(d->graph, XP_OP_erf), 0);
    xp_tensor *want = run1(c.p, &c), *got = run1(d, &c);
    xpt_assert_close(got, want, 1e-6, GEMM_ATOL(8)); /* only the 8-term products changed */
    xp_tensor_free(got);
    xp_tensor_free(want);
    xp_program_free(d);
    prog_free(&c);
}
END_TEST

START_TEST(partial_table_leaves_the_ops_a_decomposition_emits) {
    /* attention emits matmul and softmax; a table of attention alone keeps them */
    prog c;
    prog_init(&c, 6);
    sdpa_plain(&c);
    xp_decomp_table *t = xp_decomp_table_for("scaled_dot_product_attention");
    ck_assert_ptr_nonnull(t);
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, t, &d));
    xp_decomp_table_free(t);
    ck_assert_int_eq(count_op(d->graph, XP_OP_scaled_dot_product_attention), 0);
    ck_assert_int_eq(count_op(d->graph, XP_OP_matmul), 2);
    ck_assert_int_eq(count_op(d->graph, XP_OP_softmax), 1);
    xp_program_free(d);
    prog_free(&c);
}
END_TEST

START_TEST(table_for_names_every_bad_op) {
    ck_assert_ptr_null(xp_decomp_table_for("linear,frobnicate"));
    ck_assert_int_eq(xp_last_status(), XP_ERR_NOT_FOUND);
    ck_assert_str_eq(xp_last_error(), "cannot decompose: unknown op 'frobnicate'");
    ck_assert_ptr_null(xp_decomp_table_for("add, relu_,cond ,nope"));
    xpt_assert_contains(xp_last_error(), "'add' is a core op");
    xpt_assert_contains(xp_last_error(), "'relu_' is an in-place op");
    xpt_assert_contains(xp_last_error(), "'cond' is control flow");
    xpt_assert_contains(xp_last_error(), "unknown op 'nope'");
    ck_assert_ptr_null(xp_decomp_table_for(" , "));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "names no op");
    ck_assert_ptr_null(xp_decomp_table_for(NULL));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
}
END_TEST

START_TEST(run_decompositions_rejects_null_arguments) {
    xp_program *d = (xp_program *)1;
    ck_assert_int_eq(xp_program_run_decompositions(NULL, NULL, &d), XP_ERR_INVALID_ARG);
    ck_assert_ptr_null(d);
    prog c;
    prog_init(&c, 1);
    ck_assert_int_eq(xp_program_run_decompositions(c.p, NULL, NULL), XP_ERR_INVALID_ARG);
    prog_free(&c);
}
END_TEST

/* ---- what the decomposed program keeps ---- */

static char *print_to_string(const xp_program *p) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    return buf;
}

START_TEST(signature_ranges_locations_names_and_specializations_are_kept) {
    xp_program *p = xp_program_new("step");
    xp_dim batch = xp_sym_new(p->syms, "batch", 2, 64);
    xp_dim seq = xp_sym_new(p->syms, "seq", 1, 16);
    int32_t f = xp_program_file(p, "other.c"), g = xp_program_file(p, "model.c");
    int32_t w, b, count, x, n, lin, step, flat;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_w", "lin.weight", XP_F32, 2, (xp_dim[]){4, 6}, &w));
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_b", "lin.bias", XP_F32, 1, (xp_dim[]){4}, &b));
    ok(xp_program_add_input(p, XP_IN_BUFFER, "b_count", "count", XP_F32, 1, (xp_dim[]){4}, &count));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 3, (xp_dim[]){batch, seq, 6}, &x));
    ok(xp_program_add_symint_input(p, "n", seq, &n));
    ok(xp_graph_add_node(p->graph, XP_OP_linear, (xp_narg[]){V(x), V(w), V(b)}, 3, (xp_srcloc){g, 7, 5}, &lin));
    ok(xp_graph_add_node(p->graph, XP_OP_add_scalar, (xp_narg[]){V(count), F(1)}, 2, (xp_srcloc){f, 3, 9}, &step));
    ok(xp_graph_add_node(p->graph, XP_OP_flatten, (xp_narg[]){V(lin), I(1)}, 2, (xp_srcloc){g, 8, 12}, &flat));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, lin, "y"));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, flat, NULL));
    ok(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, step, "count"));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, n, NULL));
    ok(xp_program_add_specialization(p, (xp_srcloc){g, 6, 3}, "'xp_size(x, 1) <= 16' is true for seq in [1, 16]"));
    ok(xp_program_verify(p));

    xp_program *d;
    ok(xp_program_run_decompositions(p, NULL, &d));
    ck_assert_str_eq(xp_program_name(d), "step");
    /* signature: the same inputs and outputs, by name, kind and target */
    ck_assert_int_eq(d->nsig_in, p->nsig_in);
    for (int i = 0; i < p->nsig_in; i++) {
        ck_assert_int_eq(d->sig_in[i].kind, p->sig_in[i].kind);
        ck_assert_str_eq(d->graph->values[d->sig_in[i].value].name, p->graph->values[p->sig_in[i].value].name);
        ck_assert(!p->sig_in[i].target || strcmp(d->sig_in[i].target, p->sig_in[i].target) == 0);
    }
    ck_assert_int_eq(d->nsig_out, p->nsig_out);
    for (int i = 0; i < p->nsig_out; i++) {
        ck_assert_int_eq(d->sig_out[i].kind, p->sig_out[i].kind);
        ck_assert_str_eq(d->graph->values[d->sig_out[i].value].name, p->graph->values[p->sig_out[i].value].name);
        ck_assert(!p->sig_out[i].target || strcmp(d->sig_out[i].target, p->sig_out[i].target) == 0);
    }
    ck_assert_str_eq(xp_program_output_name(d, 1), "flatten");
    /* range constraints */
    ck_assert_int_eq(xp_sym_count(d->syms), xp_sym_count(p->syms));
    for (int s = 0; s < xp_sym_count(p->syms); s++) {
        ck_assert_str_eq(xp_sym_name(d->syms, s), xp_sym_name(p->syms, s));
        ck_assert_int_eq(xp_sym_min(d->syms, s), xp_sym_min(p->syms, s));
        ck_assert_int_eq(xp_sym_max(d->syms, s), xp_sym_max(p->syms, s));
    }
    /* specializations, with their locations */
    ck_assert_int_eq(d->nspecs, 1);
    ck_assert_str_eq(d->specs[0].text, "'xp_size(x, 1) <= 16' is true for seq in [1, 16]");
    char sloc[64];
    xp_srcloc_format(d, d->specs[0].loc, sloc, sizeof sloc);
    ck_assert_str_eq(sloc, "model.c:6:3");
    /* every node carries the location of the node it came from */
    ck_assert_int_eq(count_op(d->graph, XP_OP_linear) + count_op(d->graph, XP_OP_flatten), 0);
    int from_linear = 0;
    for (int i = 0; i < d->graph->nnodes; i++) {
        const xp_node *nd = &d->graph->nodes[i];
        char loc[64];
        xp_srcloc_format(d, nd->loc, loc, sizeof loc);
        if (nd->op == XP_OP_add_scalar) ck_assert_str_eq(loc, "other.c:3:9");
        else if (nd->op == XP_OP_view && nd->args[0].value == d->sig_out[0].value)
            ck_assert_str_eq(loc, "model.c:8:12"); /* the flatten */
        else {
            ck_assert_str_eq(loc, "model.c:7:5");
            from_linear++;
        }
    }
    ck_assert_int_ge(from_linear, 4); /* permute, view, addmm, view */
    char *text = print_to_string(d);
    xpt_assert_contains(text, "range constraints:\n  batch: [2, 64]\n  seq: [1, 16]");
    xpt_assert_contains(text, "b_count      BUFFER      count");
    free(text);

    /* runs with the weights bound on p, and equals p */
    xp_tensor *xin = xpt_random(&(uint64_t){9}, XP_F32, 3, (int64_t[]){3, 5, 6}, -1, 1);
    xp_tensor *nin = xp_tensor_from(XP_I64, 0, NULL, &(int64_t){5});
    xp_tensor *wt = xpt_random(&(uint64_t){10}, XP_F32, 2, (int64_t[]){4, 6}, -1, 1);
    xp_tensor *bt = xpt_random(&(uint64_t){11}, XP_F32, 1, (int64_t[]){4}, -1, 1);
    xp_tensor *ct = xp_tensor_new(XP_F32, 1, &(int64_t){4});
    xp_program_free(d);
    ok(xp_program_bind_tensor(p, "lin.weight", wt));
    ok(xp_program_bind_tensor(p, "lin.bias", bt));
    ok(xp_program_bind_tensor(p, "count", ct));
    ok(xp_program_run_decompositions(p, NULL, &d));
    xp_tensor *want[3], *got[3];
    ok(xp_program_run(p, (xp_tensor *[]){xin, nin}, 2, want, 3));
    ok(xp_program_run(d, (xp_tensor *[]){xin, nin}, 2, got, 3));
    for (int k = 0; k < 3; k++) {
        xpt_assert_close(got[k], want[k], 0, GEMM_ATOL(6));
        xp_tensor_free(got[k]);
        xp_tensor_free(want[k]);
    }
    xp_tensor_free(xin);
    xp_tensor_free(nin);
    xp_tensor_free(wt);
    xp_tensor_free(bt);
    xp_tensor_free(ct);
    xp_program_free(d);
    xp_program_free(p);
}
END_TEST

/* A decomposition's nodes get fresh names that never take a name a later
 * node of the program has (here: permute, view_1 and matmul after nodes
 * whose decompositions emit those ops). */
START_TEST(generated_names_skip_the_programs_names) {
    prog c;
    prog_init(&c, 4);
    int32_t x = IN(&c, XP_F32, -1, 1, BATCH, 2, 4, 8), w = IN(&c, XP_F32, -1, 1, 8, 8);
    int32_t l = NODE(&c, linear, V(x), V(w));                /* permute, view, mm, view */
    int32_t p = NODE(&c, permute, V(l), INTS(0, 1, 3, 2));   /* "permute" */
    int32_t a = NODE(&c, scaled_dot_product_attention, V(l), V(l), V(l)); /* matmul, then views */
    int32_t v = NODE(&c, view, V(NODE(&c, view, V(a), INTS(-1))), INTS(-1, 8)); /* "view", "view_1" */
    int32_t m = NODE(&c, matmul, V(v), V(w));                /* "matmul" */
    output(&c, NODE(&c, add, V(NODE(&c, sum, V(p))), V(NODE(&c, sum, V(m)))));
    ck_assert_str_eq(c.p->graph->values[p].name, "permute");
    ck_assert_str_eq(c.p->graph->values[v].name, "view_1");
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    assert_core_only(d->graph);
    /* every value name is unique, and the kept nodes kept theirs */
    for (int i = 0; i < d->graph->nvalues; i++)
        for (int j = i + 1; j < d->graph->nvalues; j++)
            ck_assert_str_ne(d->graph->values[i].name, d->graph->values[j].name);
    int32_t kept = xp_graph_find_value(d->graph, "permute");
    ck_assert_int_ge(kept, 0);
    ck_assert_int_eq(d->graph->nodes[d->graph->values[kept].producer].args[1].il.n, 4); /* the program's own */
    kept = xp_graph_find_value(d->graph, "view_1");
    ck_assert_int_ge(kept, 0);
    ck_assert_int_eq(d->graph->nodes[d->graph->values[kept].producer].args[1].il.n, 2);
    xp_tensor *want = run1(c.p, &c), *got = run1(d, &c);
    xpt_assert_close(got, want, 1e-4, 1e-4); /* sums of ~100 GEMM and attention results (ATTN, GEMM_ATOL(8)) */
    xp_tensor_free(got);
    xp_tensor_free(want);
    xp_program_free(d);
    prog_free(&c);
}
END_TEST

START_TEST(decomposing_a_core_program_copies_it) {
    prog c;
    prog_init(&c, 3);
    build_block(&c, 7, 7);
    xp_program *d1, *d2;
    ok(xp_program_run_decompositions(c.p, NULL, &d1));
    ok(xp_program_run_decompositions(d1, NULL, &d2));
    char *a = print_to_string(d1), *b = print_to_string(d2);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    xp_program_free(d1);
    xp_program_free(d2);
    prog_free(&c);
}
END_TEST

START_TEST(cond_branches_are_decomposed) {
    prog c;
    prog_init(&c, 8);
    int32_t pred = IN(&c, XP_BOOL, 0, 1, 1);
    int32_t x = IN(&c, XP_F32, -2, 2, BATCH, 8), w = IN(&c, XP_F32, -1, 1, 4, 8);
    xp_graph *br[2];
    for (int k = 0; k < 2; k++) {
        br[k] = xp_graph_new_sub(c.p);
        int32_t bx, bw, r;
        ok(xp_graph_add_input(br[k], "x", &c.p->graph->values[x].meta, &bx));
        ok(xp_graph_add_input(br[k], "w", &c.p->graph->values[w].meta, &bw));
        ok(xp_graph_add_node(br[k], XP_OP_linear, (xp_narg[]){V(bx), V(bw)}, 2, (xp_srcloc){c.file, 20 + k, 3}, &r));
        ok(xp_graph_add_node(br[k], k == 0 ? XP_OP_gelu : XP_OP_silu, (xp_narg[]){V(r)}, 1,
                             (xp_srcloc){c.file, 20 + k, 3}, &r));
        ok(xp_graph_set_outputs(br[k], 1, &r));
    }
    int32_t out;
    ok(xp_graph_add_cond(c.p->graph, pred, 2, (int32_t[]){x, w}, br[0], br[1], (xp_srcloc){c.file, 19, 5}, &out));
    output(&c, out);
    ok(xp_program_verify(c.p));
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    assert_core_only(d->graph);
    ck_assert_int_eq(count_op(d->graph, XP_OP_cond), 1);
    ck_assert_int_eq(count_op(d->graph, XP_OP_erf), 1);
    ck_assert_int_eq(count_op(d->graph, XP_OP_sigmoid), 1);
    for (int taken = 0; taken < 2; taken++) {
        *(bool *)xp_data(c.in[0]) = taken;
        xp_tensor *want = run1(c.p, &c), *got = run1(d, &c);
        xpt_assert_close(got, want, 1e-5, GEMM_ATOL(8) + 1e-6);
        xp_tensor_free(got);
        xp_tensor_free(want);
    }
    xp_program_free(d);
    prog_free(&c);
}
END_TEST

/* reshape becomes a view exactly when its input is dense by construction */
START_TEST(reshape_copies_only_strided_inputs) {
    prog c;
    prog_init(&c, 2);
    reshape_of_result(&c);
    xp_program *d;
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    ck_assert_int_eq(count_op(d->graph, XP_OP_clone), 0);
    ck_assert_int_eq(count_op(d->graph, XP_OP_view), 1);
    xp_program_free(d);
    prog_free(&c);

    prog_init(&c, 2);
    reshape_strided(&c);
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    ck_assert_int_eq(count_op(d->graph, XP_OP_clone), 1);
    xp_program_free(d);
    prog_free(&c);

    /* a user input may be a strided view of the caller's: copied too */
    prog_init(&c, 2);
    reshape_infer(&c);
    ok(xp_program_run_decompositions(c.p, NULL, &d));
    ck_assert_int_eq(count_op(d->graph, XP_OP_clone), 1);
    xp_tensor *pv = xp_permute(c.in[0], 3, (int64_t[]){2, 1, 0});
    xp_tensor *perm = xp_contiguous(pv);
    xp_tensor *view = xp_permute(perm, 3, (int64_t[]){2, 1, 0}); /* c.in[0]'s values, strided */
    xp_tensor_free(pv);
    ck_assert(!xp_is_contiguous(view));
    xp_tensor *want = NULL, *got = NULL;
    ok(xp_program_run(c.p, &view, 1, &want, 1));
    ok(xp_program_run(d, &view, 1, &got, 1));
    xpt_assert_close(got, want, 0, 0);
    xp_tensor_free(got);
    xp_tensor_free(want);
    xp_tensor_free(view);
    xp_tensor_free(perm);
    xp_program_free(d);
    prog_free(&c);
}
END_TEST

/* ---- the registry, by name ---- */

START_TEST(registry_introspection_by_name) {
    ck_assert(xp_op_exists("linear"));
    ck_assert(!xp_op_exists("frobnicate"));
    ck_assert(!xp_op_exists(NULL));
    ck_assert(xp_op_is_core("addmm"));
    ck_assert(xp_op_is_core("erf"));
    ck_assert(!xp_op_is_core("linear"));
    ck_assert(xp_op_is_mutable("relu_"));
    ck_assert(xp_op_is_mutable("copy_"));
    ck_assert(!xp_op_is_mutable("relu"));
    ck_assert(xp_op_is_decomposable("linear"));
    ck_assert(xp_op_is_decomposable("scaled_dot_product_attention"));
    ck_assert(!xp_op_is_decomposable("addmm"));
    ck_assert(!xp_op_is_decomposable("relu_"));
    ck_assert(!xp_op_is_core("frobnicate") && !xp_op_is_mutable("frobnicate") && !xp_op_is_decomposable("frobnicate"));
}
END_TEST

/* ---- docs/decompositions.md lists the core opset and the table ---- */

static char *read_doc(void) {
    FILE *f = fopen(XP_SOURCE_DIR "/docs/decompositions.md", "rb");
    ck_assert_msg(f != NULL, "docs/decompositions.md is missing");
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* The `names` between "<!-- begin TAG -->" and "<!-- end TAG -->"; in a
 * table (first_only) only the first of each line. */
static int doc_names(const char *doc, const char *tag, bool first_only, char names[][64], int cap) {
    char b[64], e[64];
    snprintf(b, sizeof b, "<!-- begin %s -->", tag);
    snprintf(e, sizeof e, "<!-- end %s -->", tag);
    const char *p = strstr(doc, b), *end = strstr(doc, e);
    ck_assert_msg(p && end && p < end, "docs/decompositions.md has no %s block", tag);
    int n = 0;
    bool line_done = false;
    for (p += strlen(b); p < end; p++) {
        if (*p == '\n') line_done = false;
        if (*p != '`' || line_done) continue;
        const char *q = strchr(p + 1, '`');
        ck_assert(q && q < end && q - p - 1 < 64 && n < cap);
        memcpy(names[n], p + 1, (size_t)(q - p - 1));
        names[n][q - p - 1] = 0;
        n++;
        line_done = first_only;
        p = q;
    }
    return n;
}

START_TEST(docs_list_the_core_opset_and_the_table) {
    xp_registry_init();
    const char *doc = read_doc();
    static char names[200][64];
    int n = doc_names(doc, "core ops", false, names, 200), ncore = 0;
    for (int i = 0; i < xp_op_count(); i++) {
        const xp_op_def *def = xp_op_get((xp_op_id)i);
        if (!(def->flags & XP_OP_CORE)) continue;
        ncore++;
        bool found = false;
        for (int k = 0; k < n && !found; k++) found = strcmp(names[k], def->name) == 0;
        ck_assert_msg(found, "core op %s is not listed in docs/decompositions.md", def->name);
    }
    for (int k = 0; k < n; k++)
        ck_assert_msg(xp_op_is_core(names[k]), "docs/decompositions.md lists %s as core", names[k]);
    ck_assert_int_eq(n, ncore);

    n = doc_names(doc, "decompositions", true, names, 200);
    ck_assert_int_eq(n, NROWS);
    for (int k = 0; k < n; k++)
        ck_assert_msg(strcmp(names[k], xp_op_get(rows[k])->name) == 0,
                      "docs/decompositions.md row %d is %s, decomps.def row %d is %s", k, names[k], k,
                      xp_op_get(rows[k])->name);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("decomp");
    TCase *tc = tcase_create("decomp");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, every_decomposition_matches_its_op, 0, NROWS);
    tcase_add_test(tc, every_case_names_a_row);
    tcase_add_test(tc, every_non_core_op_has_a_decomposition);
    tcase_add_test(tc, transformer_block_decomposes_to_core_ops_and_agrees);
    tcase_add_test(tc, partial_table_decomposes_only_its_ops);
    tcase_add_test(tc, partial_table_leaves_the_ops_a_decomposition_emits);
    tcase_add_test(tc, table_for_names_every_bad_op);
    tcase_add_test(tc, run_decompositions_rejects_null_arguments);
    tcase_add_test(tc, signature_ranges_locations_names_and_specializations_are_kept);
    tcase_add_test(tc, generated_names_skip_the_programs_names);
    tcase_add_test(tc, decomposing_a_core_program_copies_it);
    tcase_add_test(tc, cond_branches_are_decomposed);
    tcase_add_test(tc, reshape_copies_only_strided_inputs);
    tcase_add_test(tc, registry_introspection_by_name);
    tcase_add_test(tc, docs_list_the_core_opset_and_the_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
