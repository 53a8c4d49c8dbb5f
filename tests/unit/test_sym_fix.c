/*
 * Requirements and suggested fixes (runtime/sym/sym_fix.c): the relation a
 * shape check could not prove, recorded in the symbol context, and the one
 * change to the declared ranges that makes it provable — for relations
 * written by hand and for those the shape functions record when the IR
 * builder (as the plugin calls it) rejects a node.
 */
#include <string.h>

#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static xp_symctx *ctx;

static void setup(void) {
    xp_clear_error();
    ctx = xp_symctx_new();
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void) { xp_symctx_free(ctx); }

static xp_dim sym(const char *name, int64_t lo, int64_t hi) {
    xp_dim d = xp_sym_new(ctx, name, lo, hi);
    ck_assert_msg(xp_dim_is_valid(d), "%s", xp_last_error());
    return d;
}

/* A*s + B */
static xp_dim lin(int64_t a, xp_dim s, int64_t b) {
    xp_dim d = xp_dim_add(ctx, xp_dim_mul(ctx, a, s), b);
    ck_assert_msg(xp_dim_is_valid(d), "%s", xp_last_error());
    return d;
}

static xp_sym_fix fix_of_(xp_symctx *c, xp_rel rel, xp_dim lhs, xp_dim rhs) {
    xp_requirement req = {.rel = rel, .lhs = lhs, .rhs = rhs};
    xp_sym_fix f;
    ok(xp_sym_suggest_fix(c, &req, &f));
    return f;
}

static const char *kind_name(xp_fix_kind k) {
    static const char *const names[] = {"NONE", "MIN", "MAX", "EQUAL", "CONST"};
    return (unsigned)k < 5 ? names[k] : "?";
}

static void assert_fix_(xp_symctx *c, xp_sym_fix f, xp_fix_kind kind, const char *name, int64_t value, int line) {
    ck_assert_msg(f.kind == kind, "line %d: fix %s, expected %s", line, kind_name(f.kind), kind_name(kind));
    if (kind == XP_FIX_NONE || kind == XP_FIX_EQUAL) return;
    ck_assert_msg(strcmp(xp_sym_name(c, f.sym), name) == 0, "line %d: fix on %s, expected %s", line,
                  xp_sym_name(c, f.sym), name);
    ck_assert_msg(f.value == value, "line %d: fix value %lld, expected %lld", line, (long long)f.value,
                  (long long)value);
}

/* FIX(rel, lhs, rhs, KIND, "sym", value) */
#define FIX(rel, l, r, kind, name, value) assert_fix_(ctx, fix_of_(ctx, rel, l, r), kind, name, value, __LINE__)
#define NOFIX(rel, l, r) FIX(rel, l, r, XP_FIX_NONE, "", 0)

static void assert_equal_fix_(xp_symctx *c, xp_sym_fix f, const char *a, const char *b, int line) {
    ck_assert_msg(f.kind == XP_FIX_EQUAL, "line %d: fix %s, expected EQUAL", line, kind_name(f.kind));
    ck_assert_msg(strcmp(xp_sym_name(c, f.sym), a) == 0 && strcmp(xp_sym_name(c, f.other), b) == 0,
                  "line %d: EQUAL(%s, %s), expected EQUAL(%s, %s)", line, xp_sym_name(c, f.sym),
                  xp_sym_name(c, f.other), a, b);
}
#define EQUAL_FIX(l, r, a, b) assert_equal_fix_(ctx, fix_of_(ctx, XP_REL_EQ, l, r), a, b, __LINE__)

static const char *req_text(xp_symctx *c, const xp_requirement *r) {
    static char buf[256];
    xp_requirement_format(c, r, buf, sizeof buf);
    return buf;
}

/* ---- storing requirements ---- */

START_TEST(requirement_is_taken_once_and_the_last_one_wins) {
    xp_dim s = sym("s", 0, 100), t = sym("t", 0, 100);
    xp_requirement r;
    ck_assert(!xp_symctx_take_requirement(ctx, &r));
    xp_symctx_require(ctx, XP_REL_LE, 2, s);
    xp_symctx_require(ctx, XP_REL_EQ, s, t);
    ck_assert(xp_symctx_take_requirement(ctx, &r));
    ck_assert_int_eq(r.rel, XP_REL_EQ);
    ck_assert(r.lhs == s && r.rhs == t);
    ck_assert(!xp_symctx_take_requirement(ctx, &r));
    /* NULL clears without reading; a NULL context is eager mode: nothing to record */
    xp_symctx_require(ctx, XP_REL_LT, s, 5);
    ck_assert(xp_symctx_take_requirement(ctx, NULL));
    ck_assert(!xp_symctx_take_requirement(ctx, &r));
    xp_symctx_require(NULL, XP_REL_EQ, 1, 2);
    ck_assert(!xp_symctx_take_requirement(NULL, &r));
}
END_TEST

START_TEST(clone_copies_a_pending_requirement) {
    xp_dim s = sym("s", 0, 100);
    xp_dim e = lin(2, s, 1);
    xp_symctx_require(ctx, XP_REL_LE, e, 33);
    xp_symctx *c = xp_symctx_clone(ctx);
    ck_assert_ptr_nonnull(c);
    xp_requirement r;
    ck_assert(xp_symctx_take_requirement(c, &r));
    ck_assert_str_eq(req_text(c, &r), "2*s + 1 <= 33");
    assert_fix_(c, fix_of_(c, r.rel, r.lhs, r.rhs), XP_FIX_MAX, "s", 16, __LINE__);
    ck_assert(xp_symctx_take_requirement(ctx, &r)); /* the original keeps its own */
    xp_symctx_free(c);
}
END_TEST

START_TEST(undecided_min_and_max_record_an_order) {
    xp_dim s = sym("s", 0, 100);
    ck_assert(xp_dim_min(ctx, s, 16) == XP_DIM_INVALID);
    xp_requirement r;
    ck_assert(xp_symctx_take_requirement(ctx, &r));
    ck_assert_str_eq(req_text(ctx, &r), "s <= 16");
    assert_fix_(ctx, fix_of_(ctx, r.rel, r.lhs, r.rhs), XP_FIX_MAX, "s", 16, __LINE__);
    ck_assert(xp_dim_max(ctx, s, 100) == 100); /* decided: nothing recorded */
    ck_assert(!xp_symctx_take_requirement(ctx, &r));
}
END_TEST

START_TEST(requirement_format_writes_each_relation) {
    xp_dim s = sym("s", 0, 100), t = sym("t", 0, 100);
    xp_requirement r = {XP_REL_LE, lin(2, s, 1), 33};
    ck_assert_str_eq(req_text(ctx, &r), "2*s + 1 <= 33");
    r = (xp_requirement){XP_REL_LT, s, 5};
    ck_assert_str_eq(req_text(ctx, &r), "s < 5");
    r = (xp_requirement){XP_REL_EQ, s, t};
    ck_assert_str_eq(req_text(ctx, &r), "s == t");
    /* snprintf-like: the length it needs, truncated but terminated */
    char small[5];
    r = (xp_requirement){XP_REL_LE, lin(2, s, 1), 33};
    ck_assert_int_eq(xp_requirement_format(ctx, &r, small, sizeof small), 13);
    ck_assert_str_eq(small, "2*s ");
    ck_assert_int_eq(xp_requirement_format(ctx, &r, NULL, 0), 13);
}
END_TEST

/* ---- one symbol, linear ---- */

START_TEST(linear_lower_bounds_give_min) {
    xp_dim s = sym("s", 0, 100), u = sym("u", 1, 100);
    FIX(XP_REL_LE, 2, s, XP_FIX_MIN, "s", 2);              /* s - 2 >= 0 (a slice from 2) */
    FIX(XP_REL_LE, 5, s, XP_FIX_MIN, "s", 5);
    FIX(XP_REL_LT, 5, s, XP_FIX_MIN, "s", 6);              /* integers: 5 < s <=> s >= 6 */
    FIX(XP_REL_LE, 3, lin(2, u, -1), XP_FIX_MIN, "u", 2);  /* 2u - 4 >= 0 */
    FIX(XP_REL_LE, 0, lin(3, s, -7), XP_FIX_MIN, "s", 3);  /* ceil(7/3) */
    FIX(XP_REL_LE, 8, lin(3, s, 0), XP_FIX_MIN, "s", 3);   /* ceil(8/3) */
    FIX(XP_REL_LE, 9, lin(3, s, 0), XP_FIX_MIN, "s", 3);   /* exact */
    FIX(XP_REL_LE, lin(1, s, -10), lin(2, s, -20), XP_FIX_MIN, "s", 10); /* s on both sides */
    FIX(XP_REL_LE, xp_dim_sub(ctx, 10, s), 3, XP_FIX_MIN, "s", 7);       /* -s + 7 ... moved: s - 7 >= 0 */
}
END_TEST

START_TEST(linear_upper_bounds_give_max) {
    xp_dim s = sym("s", 0, 100);
    FIX(XP_REL_LE, lin(2, s, 1), 33, XP_FIX_MAX, "s", 16); /* 2s + 1 <= 33 */
    FIX(XP_REL_LT, lin(2, s, 1), 10, XP_FIX_MAX, "s", 4);  /* 2s + 1 < 10: s = 4 gives 9 */
    FIX(XP_REL_LE, lin(3, s, 2), 10, XP_FIX_MAX, "s", 2);  /* floor(8/3) */
    FIX(XP_REL_LE, s, 16, XP_FIX_MAX, "s", 16);
    FIX(XP_REL_LT, s, 16, XP_FIX_MAX, "s", 15);
    FIX(XP_REL_LE, lin(1, s, 1), 64, XP_FIX_MAX, "s", 63); /* a write at s into a dim of 64 */
    FIX(XP_REL_LE, 3, xp_dim_sub(ctx, 10, s), XP_FIX_MAX, "s", 7);
}
END_TEST

START_TEST(linear_equalities_give_const) {
    xp_dim s = sym("s", 0, 100);
    FIX(XP_REL_EQ, s, 16, XP_FIX_CONST, "s", 16);
    FIX(XP_REL_EQ, 16, s, XP_FIX_CONST, "s", 16);
    FIX(XP_REL_EQ, lin(2, s, 0), 16, XP_FIX_CONST, "s", 8);
    FIX(XP_REL_EQ, lin(2, s, 1), 15, XP_FIX_CONST, "s", 7);
    FIX(XP_REL_EQ, 7, lin(3, s, -2), XP_FIX_CONST, "s", 3);
    NOFIX(XP_REL_EQ, lin(2, s, 0), 15); /* no integer s */
    NOFIX(XP_REL_EQ, s, 200);           /* outside [0, 100] */
}
END_TEST

START_TEST(fixes_only_narrow_the_current_range) {
    xp_dim s = sym("s", 4, 100), one = sym("one", 7, 7);
    NOFIX(XP_REL_LE, 200, s);         /* min=200 > max=100 */
    NOFIX(XP_REL_LE, s, 3);           /* max=3 < min=4 */
    NOFIX(XP_REL_LE, lin(3, s, 0), -1); /* 3s <= -1: s <= floor(-1/3) = -1 */
    NOFIX(XP_REL_LE, 2, s);           /* already true: nothing to change */
    NOFIX(XP_REL_LE, s, 100);
    NOFIX(XP_REL_EQ, one, 7);
    NOFIX(XP_REL_LT, s, 4);           /* s <= 3: empty */
    FIX(XP_REL_LE, s, 99, XP_FIX_MAX, "s", 99);
    FIX(XP_REL_LE, 100, s, XP_FIX_MIN, "s", 100);
    FIX(XP_REL_EQ, s, 4, XP_FIX_CONST, "s", 4);
}
END_TEST

START_TEST(quotients_of_one_symbol_give_a_bound) {
    xp_dim s = sym("s", 0, 100);
    xp_dim q = xp_dim_floordiv(ctx, lin(1, s, 1), 2); /* (s + 1) / 2 */
    FIX(XP_REL_LE, 3, q, XP_FIX_MIN, "s", 5);         /* (5 + 1) / 2 = 3, (4 + 1) / 2 = 2 */
    FIX(XP_REL_LE, q, 3, XP_FIX_MAX, "s", 6);         /* (6 + 1) / 2 = 3, (7 + 1) / 2 = 4 */
    FIX(XP_REL_LT, q, 3, XP_FIX_MAX, "s", 4);
    /* a conv output size: (s - 3) / 2 + 1 >= 1 needs s >= 3 */
    xp_dim o = xp_dim_add(ctx, xp_dim_floordiv(ctx, xp_dim_sub(ctx, s, 3), 2), 1);
    FIX(XP_REL_LE, 1, o, XP_FIX_MIN, "s", 3);
    FIX(XP_REL_LE, 1, xp_dim_mul(ctx, 2, q), XP_FIX_MIN, "s", 1); /* 2*q >= 1: q >= 1 */
    NOFIX(XP_REL_EQ, q, 3); /* an equality on a quotient is a range of s, not one bound */
}
END_TEST

/* ---- two symbols ---- */

START_TEST(equal_linear_forms_of_two_symbols_give_equal) {
    xp_dim s = sym("s", 0, 100), t = sym("t", 5, 200), far = sym("far", 300, 400);
    EQUAL_FIX(s, t, "s", "t");
    EQUAL_FIX(t, s, "t", "s");
    EQUAL_FIX(lin(2, s, 1), lin(2, t, 1), "s", "t");
    EQUAL_FIX(lin(6, s, 0), lin(6, t, 0), "s", "t"); /* reshape element counts [s, 6] vs [t, 6] */
    NOFIX(XP_REL_EQ, lin(2, s, 1), lin(2, t, 3));    /* t = s - 1: a derived dim, not a renaming */
    NOFIX(XP_REL_EQ, s, lin(2, t, 0));
    NOFIX(XP_REL_EQ, s, far);                        /* [0, 100] and [300, 400] share no size */
    NOFIX(XP_REL_LE, s, t);                          /* an order of two symbols has no single bound */
    NOFIX(XP_REL_EQ, xp_dim_mul(ctx, s, t), 12);
    NOFIX(XP_REL_LE, xp_dim_mul(ctx, s, s), 10);
    NOFIX(XP_REL_EQ, xp_dim_mod(ctx, s, 4), 0);
    NOFIX(XP_REL_EQ, 3, 4);                          /* decided either way */
}
END_TEST

START_TEST(bad_arguments_are_errors_not_crashes) {
    xp_dim s = sym("s", 0, 100);
    xp_sym_fix f;
    xp_requirement r = {XP_REL_LE, s, 5};
    ck_assert_int_eq(xp_sym_suggest_fix(ctx, NULL, &f), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(f.kind, XP_FIX_NONE);
    ck_assert_int_eq(xp_sym_suggest_fix(ctx, &r, NULL), XP_ERR_INVALID_ARG);
    r.rhs = XP_DIM_INVALID;
    ok(xp_sym_suggest_fix(ctx, &r, &f));
    ck_assert_int_eq(f.kind, XP_FIX_NONE);
    r = (xp_requirement){XP_REL_LE, XP_DIM_SYM_LIMIT - 1, 5}; /* a handle this context never made */
    ck_assert_int_eq(xp_sym_suggest_fix(ctx, &r, &f), XP_ERR_INVALID_ARG);
    /* moving terms overflows the coefficients: no fix, and no error left behind */
    xp_dim big = lin(3 * (INT64_MAX / 4), s, 0);
    r = (xp_requirement){XP_REL_LE, big, xp_dim_sub(ctx, 0, big)};
    ck_assert(xp_dim_is_valid(r.rhs));
    xp_clear_error();
    ok(xp_sym_suggest_fix(ctx, &r, &f));
    ck_assert_int_eq(f.kind, XP_FIX_NONE);
    ck_assert(!xp_error_pending());
}
END_TEST

/* ---- what the shape functions record (through the builder, as the plugin calls it) ---- */

static xp_program *prog;

static void prog_setup(void) {
    xp_clear_error();
    prog = xp_program_new("forward");
    ck_assert_ptr_nonnull(prog);
    ctx = prog->syms;
}

static void prog_teardown(void) {
    xp_program_free(prog);
    ctx = NULL;
}

static int32_t input(const char *name, int nd, const xp_dim *shape) {
    int32_t v;
    ok(xp_program_add_input(prog, XP_IN_USER_INPUT, name, NULL, XP_F32, nd, shape, &v));
    return v;
}
#define INPUT(name, ...) input(name, XP_DIMS(__VA_ARGS__))

/* Adds a node that must fail; returns the requirement it left. */
static xp_requirement failing_node(xp_op_id op, const xp_narg *args, int nargs, const char *needle) {
    int32_t out;
    xp_status st = xp_graph_add_node(prog->graph, op, args, nargs, XP_NO_LOC, &out);
    ck_assert_msg(st == XP_ERR_SHAPE, "status %d: %s", st, xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
    xp_requirement r;
    ck_assert_msg(xp_symctx_take_requirement(ctx, &r), "no requirement recorded for: %s", xp_last_error());
    return r;
}
#define FAILING(op, needle, ...) \
    failing_node(op, (xp_narg[]){__VA_ARGS__}, (int)(sizeof((xp_narg[]){__VA_ARGS__}) / sizeof(xp_narg)), needle)

static int32_t node(xp_op_id op, const xp_narg *args, int nargs) {
    int32_t out;
    ok(xp_graph_add_node(prog->graph, op, args, nargs, XP_NO_LOC, &out));
    return out;
}
#define NODE(op, ...) node(op, (xp_narg[]){__VA_ARGS__}, (int)(sizeof((xp_narg[]){__VA_ARGS__}) / sizeof(xp_narg)))

static xp_sym_fix fix_for(const xp_requirement *r) { return fix_of_(ctx, r->rel, r->lhs, r->rhs); }

static void apply(xp_sym_fix f) {
    int64_t lo = xp_sym_min(ctx, f.sym), hi = xp_sym_max(ctx, f.sym);
    if (f.kind == XP_FIX_MIN) lo = f.value;
    if (f.kind == XP_FIX_MAX) hi = f.value;
    if (f.kind == XP_FIX_CONST) lo = hi = f.value;
    ok(xp_sym_set_range(ctx, f.sym, lo, hi));
}

/*
 * torch.export tutorial, DynamicShapesExample3, all four dims dynamic with
 * no declared ranges (xport's default [0, inf]):
 *
 *     if (xp_size(x, 0) <= 16) return xp_matmul(x, xp_slice(y, 1, 0, 16, 1));
 *     return y;
 *
 * 1. the `if`: dimx_0 <= 16 is undecided; the plugin records it itself
 *    (xp_symctx_require) -> MAX dimx_0 = 16 (torch: max=16);
 * 2. y[:, :16]: the end 16 clamps to dimy_1 when dimy_1 < 16, so the
 *    length is min(dimy_1, 16), which is no polynomial: the slice needs
 *    16 <= dimy_1 -> MIN dimy_1 = 16 (torch: min=16);
 * 3. the matmul: x dim 1 and y dim 0 must be equal -> EQUAL(dimx_1,
 *    dimy_0) (torch: dimy_0 = dimx_1).
 * Declaring all three makes the whole function export: [dimx_0, 16].
 */
START_TEST(tutorial_example3_fixes_converge) {
    xp_dim x0 = sym("dimx_0", 0, XP_SYM_MAX_DEFAULT), x1 = sym("dimx_1", 0, XP_SYM_MAX_DEFAULT);
    xp_dim y0 = sym("dimy_0", 0, XP_SYM_MAX_DEFAULT), y1 = sym("dimy_1", 0, XP_SYM_MAX_DEFAULT);
    int32_t x = INPUT("x", x0, x1), y = INPUT("y", y0, y1);

    ck_assert_int_eq(xp_dim_le(ctx, x0, 16), XP_UNKNOWN);
    xp_symctx_require(ctx, XP_REL_LE, x0, 16);
    xp_requirement r;
    ck_assert(xp_symctx_take_requirement(ctx, &r));
    ck_assert_str_eq(req_text(ctx, &r), "dimx_0 <= 16");
    xp_sym_fix f = fix_for(&r);
    assert_fix_(ctx, f, XP_FIX_MAX, "dimx_0", 16, __LINE__);

    r = FAILING(XP_OP_slice, "declare dimy_1 with min=16", xp_narg_value(y), xp_narg_int(1), xp_narg_int(0),
                xp_narg_int(16), xp_narg_int(1));
    ck_assert_str_eq(req_text(ctx, &r), "16 <= dimy_1");
    xp_sym_fix f2 = fix_for(&r);
    assert_fix_(ctx, f2, XP_FIX_MIN, "dimy_1", 16, __LINE__);

    apply(f);
    apply(f2);
    ck_assert_int_eq(xp_dim_le(ctx, x0, 16), XP_YES);
    int32_t ys = NODE(XP_OP_slice, xp_narg_value(y), xp_narg_int(1), xp_narg_int(0), xp_narg_int(16), xp_narg_int(1));
    ck_assert(prog->graph->values[ys].meta.shape[1] == 16);

    r = FAILING(XP_OP_matmul, "declare them with one dim name", xp_narg_value(x), xp_narg_value(ys));
    ck_assert_str_eq(req_text(ctx, &r), "dimx_1 == dimy_0");
    assert_equal_fix_(ctx, fix_for(&r), "dimx_1", "dimy_0", __LINE__);

    /* the fixed declarations: y is [dimx_1, dimy_1] */
    int32_t y2 = INPUT("y2", x1, y1);
    int32_t y2s = NODE(XP_OP_slice, xp_narg_value(y2), xp_narg_int(1), xp_narg_int(0), xp_narg_int(16), xp_narg_int(1));
    int32_t mm = NODE(XP_OP_matmul, xp_narg_value(x), xp_narg_value(y2s));
    const xp_meta *m = &prog->graph->values[mm].meta;
    ck_assert(m->ndim == 2 && m->shape[0] == x0 && m->shape[1] == 16);
    ck_assert(!xp_symctx_take_requirement(ctx, &r)); /* success leaves nothing behind */
}
END_TEST

START_TEST(broadcasting_two_symbols_requires_them_equal) {
    xp_dim s = sym("s", 0, 64), t = sym("t", 0, 64), u = sym("u", 2, 10);
    int32_t x = INPUT("x", s, 4), y = INPUT("y", t, 4), z = INPUT("z", u, 4), w = INPUT("w", 5, 4);
    xp_requirement r = FAILING(XP_OP_add, "not provably equal", xp_narg_value(x), xp_narg_value(y));
    ck_assert_str_eq(req_text(ctx, &r), "s == t");
    assert_equal_fix_(ctx, fix_for(&r), "s", "t", __LINE__);
    /* a symbol against a static size: that size */
    r = FAILING(XP_OP_add, "not provably equal", xp_narg_value(z), xp_narg_value(w));
    ck_assert_str_eq(req_text(ctx, &r), "u == 5");
    assert_fix_(ctx, fix_for(&r), XP_FIX_CONST, "u", 5, __LINE__);
}
END_TEST

START_TEST(reshape_records_the_element_counts) {
    xp_dim a = sym("a", 1, 64), b = sym("b", 1, 64), s = sym("s", 1, 64);
    int32_t x = INPUT("x", a, 6), v = INPUT("v", s), w = INPUT("w", s, 3);
    xp_dim to_b6[] = {b, 6}, to_44[] = {4, 4}, to_26[] = {2, 6}, to_m14[] = {-1, 4};
    xp_requirement r = FAILING(XP_OP_reshape, "not provably equal", xp_narg_value(x), xp_narg_ints(2, to_b6));
    ck_assert_str_eq(req_text(ctx, &r), "6*a == 6*b");
    assert_equal_fix_(ctx, fix_for(&r), "a", "b", __LINE__);
    r = FAILING(XP_OP_reshape, "not provably equal", xp_narg_value(v), xp_narg_ints(2, to_44));
    ck_assert_str_eq(req_text(ctx, &r), "s == 16");
    assert_fix_(ctx, fix_for(&r), XP_FIX_CONST, "s", 16, __LINE__);
    r = FAILING(XP_OP_view, "not provably equal", xp_narg_value(w), xp_narg_ints(2, to_26));
    ck_assert_str_eq(req_text(ctx, &r), "3*s == 12");
    assert_fix_(ctx, fix_for(&r), XP_FIX_CONST, "s", 4, __LINE__);
    /* -1 by a constant: a multiple of it, which no bound declares */
    r = FAILING(XP_OP_view, "not provably a multiple", xp_narg_value(w), xp_narg_ints(2, to_m14));
    ck_assert(r.rel == XP_REL_EQ && r.rhs == 0);
    ck_assert_int_eq(fix_for(&r).kind, XP_FIX_NONE);
}
END_TEST

START_TEST(slices_and_selects_record_their_bounds) {
    xp_dim s = sym("s", 0, 64), pos = sym("pos", 0, 200), n = sym("n", 0, 64), e = sym("e", 0, 64);
    int32_t x = INPUT("x", s), cache = INPUT("cache", 128, 4);
    xp_requirement r = FAILING(XP_OP_slice, "declare s with min=2", xp_narg_value(x), xp_narg_int(0), xp_narg_int(2),
                               xp_narg_int(XP_END), xp_narg_int(1));
    ck_assert_str_eq(req_text(ctx, &r), "2 <= s");
    assert_fix_(ctx, fix_for(&r), XP_FIX_MIN, "s", 2, __LINE__);
    /* cache[pos:pos + 1]: the start is checked first (pos <= 128), then the
     * end (pos + 1 <= 128); a fixpoint that applies each fix and retries
     * ends with the tighter one */
    r = FAILING(XP_OP_slice, "max=128", xp_narg_value(cache), xp_narg_int(0), xp_narg_int(pos),
                xp_narg_int(lin(1, pos, 1)), xp_narg_int(1));
    xp_sym_fix f = fix_for(&r);
    assert_fix_(ctx, f, XP_FIX_MAX, "pos", 128, __LINE__);
    apply(f);
    r = FAILING(XP_OP_slice, "max=127", xp_narg_value(cache), xp_narg_int(0), xp_narg_int(pos),
                xp_narg_int(lin(1, pos, 1)), xp_narg_int(1));
    ck_assert_str_eq(req_text(ctx, &r), "pos + 1 <= 128");
    assert_fix_(ctx, fix_for(&r), XP_FIX_MAX, "pos", 127, __LINE__);
    ok(xp_sym_set_range(ctx, xp_dim_as_symbol(ctx, pos), 0, 200));
    r = FAILING(XP_OP_select, "max=127", xp_narg_value(cache), xp_narg_int(0), xp_narg_int(pos));
    ck_assert_str_eq(req_text(ctx, &r), "pos + 1 <= 128");
    assert_fix_(ctx, fix_for(&r), XP_FIX_MAX, "pos", 127, __LINE__);
    /* a bound whose sign is undecided: n - 3 */
    r = FAILING(XP_OP_slice, "may be negative", xp_narg_value(x), xp_narg_int(0), xp_narg_int(lin(1, n, -3)),
                xp_narg_int(XP_END), xp_narg_int(1));
    assert_fix_(ctx, fix_for(&r), XP_FIX_MIN, "n", 3, __LINE__);
    /* x[n:e] on a dim of 64 that both fit: start <= end is what decides emptiness */
    int32_t y = INPUT("y", 64);
    r = FAILING(XP_OP_slice, "not ordered", xp_narg_value(y), xp_narg_int(0), xp_narg_int(n), xp_narg_int(e),
                xp_narg_int(1));
    ck_assert_str_eq(req_text(ctx, &r), "n <= e");
    ck_assert_int_eq(fix_for(&r).kind, XP_FIX_NONE);
}
END_TEST

START_TEST(products_cat_and_convolution_record_their_relations) {
    xp_dim a = sym("a", 1, 64), b = sym("b", 1, 64), c = sym("c", 1, 64), h = sym("h", 0, 224);
    int32_t x = INPUT("x", a, b), y = INPUT("y", c, 8), u = INPUT("u", 4, a), v = INPUT("v", 4, c);
    xp_requirement r = FAILING(XP_OP_matmul, "must be equal", xp_narg_value(x), xp_narg_value(y));
    ck_assert_str_eq(req_text(ctx, &r), "b == c");
    assert_equal_fix_(ctx, fix_for(&r), "b", "c", __LINE__);
    int32_t pair[] = {u, v};
    r = FAILING(XP_OP_cat, "must be equal", xp_narg_values(2, pair), xp_narg_int(0));
    ck_assert_str_eq(req_text(ctx, &r), "c == a");
    assert_equal_fix_(ctx, fix_for(&r), "c", "a", __LINE__);
    /* a 5x5 kernel with padding 1 needs h + 2 >= 5 */
    int32_t img = INPUT("img", 1, 3, h, h);
    int32_t wt;
    ok(xp_program_add_input(prog, XP_IN_PARAMETER, "p_w", "w", XP_F32, 4, (xp_dim[]){8, 3, 5, 5}, &wt));
    xp_dim pad[] = {1, 1};
    r = FAILING(XP_OP_conv2d, "declare h with min=3", xp_narg_value(img), xp_narg_value(wt), xp_narg_none(),
                xp_narg_ints(0, NULL), xp_narg_ints(2, pad));
    ck_assert_str_eq(req_text(ctx, &r), "5 <= h + 2");
    assert_fix_(ctx, fix_for(&r), XP_FIX_MIN, "h", 3, __LINE__);
    xp_dim k3[] = {3, 3};
    r = FAILING(XP_OP_max_pool2d, "declare h with min=3", xp_narg_value(img), xp_narg_ints(2, k3));
    assert_fix_(ctx, fix_for(&r), XP_FIX_MIN, "h", 3, __LINE__);
}
END_TEST

START_TEST(failures_not_about_sizes_record_nothing) {
    xp_dim a = sym("a", 1, 64);
    int32_t x = INPUT("x", a, 4), i;
    ok(xp_program_add_input(prog, XP_IN_USER_INPUT, "i", NULL, XP_I64, 2, (xp_dim[]){4, 4}, &i));
    xp_symctx_require(ctx, XP_REL_EQ, a, 3); /* stale: the next failing node clears it */
    int32_t out;
    ck_assert_int_eq(xp_graph_add_node(prog->graph, XP_OP_matmul, (xp_narg[]){xp_narg_value(x), xp_narg_value(i)},
                                       2, XP_NO_LOC, &out),
                     XP_ERR_DTYPE);
    ck_assert(!xp_symctx_take_requirement(ctx, NULL));
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("sym_fix");
    TCase *tc = tcase_create("fixes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, requirement_is_taken_once_and_the_last_one_wins);
    tcase_add_test(tc, clone_copies_a_pending_requirement);
    tcase_add_test(tc, undecided_min_and_max_record_an_order);
    tcase_add_test(tc, requirement_format_writes_each_relation);
    tcase_add_test(tc, linear_lower_bounds_give_min);
    tcase_add_test(tc, linear_upper_bounds_give_max);
    tcase_add_test(tc, linear_equalities_give_const);
    tcase_add_test(tc, fixes_only_narrow_the_current_range);
    tcase_add_test(tc, quotients_of_one_symbol_give_a_bound);
    tcase_add_test(tc, equal_linear_forms_of_two_symbols_give_equal);
    tcase_add_test(tc, bad_arguments_are_errors_not_crashes);
    suite_add_tcase(s, tc);
    tc = tcase_create("shape_functions");
    tcase_add_checked_fixture(tc, prog_setup, prog_teardown);
    tcase_add_test(tc, tutorial_example3_fixes_converge);
    tcase_add_test(tc, broadcasting_two_symbols_requires_them_equal);
    tcase_add_test(tc, reshape_records_the_element_counts);
    tcase_add_test(tc, slices_and_selects_record_their_bounds);
    tcase_add_test(tc, products_cat_and_convolution_record_their_relations);
    tcase_add_test(tc, failures_not_about_sizes_record_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
