/*
 * Symbolic sizes: canonical form, simplification rules, ranges, decisions,
 * evaluation, text round trip and errors.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sym/xp_sym.h"
#include "testutil.h"

static xp_symctx *ctx;
static xp_dim a, b, s, t, h, n;

static void setup(void) {
    xp_clear_error();
    ctx = xp_symctx_new();
    a = xp_sym_new(ctx, "a", 1, 64);
    b = xp_sym_new(ctx, "b", 1, 64);
    s = xp_sym_new(ctx, "s", 2, 10);
    t = xp_sym_new(ctx, "t", 0, 100);
    h = xp_sym_new(ctx, "h", 1, 1024);
    n = xp_sym_new(ctx, "n", 0, XP_SYM_MAX_DEFAULT);
}

static void teardown(void) { xp_symctx_free(ctx); }

/* Text form of d (a static buffer per call site is enough for one assert). */
static const char *str(xp_dim d) {
    static char bufs[4][256];
    static int k;
    char *buf = bufs[k++ % 4];
    xp_dim_format(ctx, d, buf, 256);
    return buf;
}

#define ADD(x, y) xp_dim_add(ctx, x, y)
#define SUB(x, y) xp_dim_sub(ctx, x, y)
#define MUL(x, y) xp_dim_mul(ctx, x, y)
#define FDIV(x, c) xp_dim_floordiv(ctx, x, c)
#define MOD(x, c) xp_dim_mod(ctx, x, c)

/* ---- canonical form ---- */

START_TEST(equal_expressions_share_one_handle) {
    xp_dim lhs = MUL(ADD(a, b), 2);
    xp_dim rhs = ADD(MUL(2, b), MUL(2, a));
    ck_assert(xp_dim_is_sym(lhs));
    ck_assert_int_eq(lhs, rhs);
    ck_assert_str_eq(str(lhs), "2*a + 2*b");
}
END_TEST

START_TEST(products_distribute_and_cancel) {
    xp_dim sq = MUL(ADD(a, 1), SUB(a, 1));
    ck_assert_int_eq(sq, SUB(MUL(a, a), 1));
    ck_assert_str_eq(str(sq), "a*a - 1");
    ck_assert_int_eq(SUB(ADD(a, 3), a), 3);
    ck_assert_int_eq(SUB(MUL(a, b), MUL(b, a)), 0);
    ck_assert_int_eq(MUL(s, 0), 0);
    ck_assert_int_eq(MUL(s, 1), s);
    ck_assert_int_eq(ADD(s, 0), s);
}
END_TEST

START_TEST(canonical_text_is_independent_of_declaration_order) {
    xp_symctx *other = xp_symctx_new();
    xp_dim s2 = xp_sym_new(other, "s", 2, 10);
    xp_dim b2 = xp_sym_new(other, "b", 1, 64);
    xp_dim e2 = xp_dim_add(other, xp_dim_floordiv(other, xp_dim_add(other, s2, 3), 2), xp_dim_mul(other, s2, b2));
    xp_dim e1 = ADD(MUL(b, s), FDIV(ADD(s, 3), 2));
    char t2[128];
    xp_dim_format(other, e2, t2, sizeof t2);
    ck_assert_str_eq(str(e1), t2);
    ck_assert_str_eq(t2, "b*s + (s + 1) / 2 + 1");
    xp_symctx_free(other);
}
END_TEST

START_TEST(flatten_then_view_back_divides_exactly) {
    xp_dim flat = MUL(a, b);
    ck_assert_int_eq(xp_dim_div_exact(ctx, flat, a), b);
    ck_assert_int_eq(xp_dim_div_exact(ctx, MUL(flat, 100), MUL(b, 4)), MUL(a, 25));
    /* a*b + a = a*(b + 1): long division by a two-term divisor */
    ck_assert_int_eq(xp_dim_div_exact(ctx, ADD(flat, a), ADD(b, 1)), a);
    ck_assert_int_eq(xp_dim_div_exact(ctx, MUL(ADD(a, 1), ADD(b, 2)), ADD(a, 1)), ADD(b, 2));
    ck_assert_int_eq(xp_dim_div_exact(ctx, 12, 4), 3);
}
END_TEST

START_TEST(div_exact_rejects_non_divisible) {
    ck_assert_int_eq(xp_dim_div_exact(ctx, MUL(a, b), 2), XP_DIM_INVALID);
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "a*b is not divisible by 2");
    ck_assert_int_eq(xp_dim_div_exact(ctx, ADD(MUL(a, b), 1), a), XP_DIM_INVALID);
    ck_assert_int_eq(xp_dim_div_exact(ctx, 7, 2), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "7 is not divisible by 2");
    ck_assert_int_eq(xp_dim_div_exact(ctx, a, 0), XP_DIM_INVALID);
}
END_TEST

START_TEST(conv_output_formula_is_canonical) {
    /* (h + 2*p - d*(k - 1) - 1) / stride + 1 with p=1, d=1, k=3, stride=2 */
    xp_dim out = ADD(FDIV(SUB(SUB(ADD(h, 2), 2), 1), 2), 1);
    ck_assert_int_eq(out, FDIV(ADD(h, 1), 2));
    ck_assert_str_eq(str(out), "(h + 1) / 2");
    for (int64_t hv = 1; hv <= 9; hv++) {
        int64_t vals[6] = {0, 0, 0, 0, hv, 0}, got;
        ck_assert_int_eq(xp_dim_eval(ctx, out, vals, &got), XP_OK);
        ck_assert_int_eq(got, (hv + 2 - 2 - 1) / 2 + 1);
    }
}
END_TEST

/* ---- floor division and modulo ---- */

START_TEST(floordiv_of_divisible_polynomial_is_exact) {
    ck_assert_int_eq(FDIV(ADD(MUL(2, s), 4), 2), ADD(s, 2));
    ck_assert_int_eq(FDIV(MUL(6, MUL(a, b)), 3), MUL(2, MUL(a, b)));
}
END_TEST

START_TEST(floordiv_and_mod_of_constants_floor) {
    ck_assert_int_eq(FDIV(7, 2), 3);
    ck_assert_int_eq(FDIV(-7, 2), -4);
    ck_assert_int_eq(MOD(-7, 2), 1);
    ck_assert_int_eq(MOD(7, 7), 0);
    ck_assert_int_eq(xp_dim_floordiv(NULL, 9, 4), 2);
}
END_TEST

START_TEST(division_by_one_and_nested_division_simplify) {
    ck_assert_int_eq(FDIV(s, 1), s);
    ck_assert_int_eq(MOD(s, 1), 0);
    ck_assert_int_eq(FDIV(FDIV(n, 2), 3), FDIV(n, 6));
    ck_assert_str_eq(str(FDIV(FDIV(n, 2), 3)), "n / 6");
    /* (n / 2 + 1) / 3 = (n + 2) / 6: stacked strided convolutions stay one level deep */
    ck_assert_int_eq(FDIV(ADD(FDIV(n, 2), 1), 3), FDIV(ADD(n, 2), 6));
    ck_assert_int_eq(ADD(FDIV(SUB(ADD(FDIV(SUB(h, 1), 2), 1), 1), 2), 1), FDIV(ADD(h, 3), 4));
    /* (2n / 3) / 2 = 2n / 6 = n / 3 */
    ck_assert_int_eq(FDIV(FDIV(MUL(2, n), 3), 2), FDIV(n, 3));
}
END_TEST

START_TEST(floordiv_extracts_multiples_and_common_factors) {
    /* (2n + 5) / 2 = n + 2 + 1/2 -> n + 2 */
    ck_assert_int_eq(FDIV(ADD(MUL(2, n), 5), 2), ADD(n, 2));
    /* (n - 1) / 4 = (n + 3) / 4 - 1 */
    ck_assert_int_eq(FDIV(SUB(n, 1), 4), SUB(FDIV(ADD(n, 3), 4), 1));
    ck_assert_str_eq(str(FDIV(SUB(n, 1), 4)), "(n + 3) / 4 - 1");
    ck_assert_int_eq(FDIV(MUL(2, n), 4), FDIV(n, 2));
    ck_assert_int_eq(FDIV(ADD(MUL(2, n), 2), 4), FDIV(ADD(n, 1), 2));
}
END_TEST

START_TEST(mod_reduces_coefficients) {
    ck_assert_int_eq(MOD(ADD(n, 4), 4), MOD(n, 4));
    ck_assert_int_eq(MOD(ADD(MUL(4, n), 1), 4), 1);
    ck_assert_str_eq(str(MOD(SUB(n, 1), 4)), "(n + 3) % 4");
    /* (2n) % 4 = 2 * (n % 2) */
    ck_assert_int_eq(MOD(MUL(2, n), 4), MUL(2, MOD(n, 2)));
    ck_assert_int_eq(MOD(MOD(n, 8), 4), MOD(n, 4));
    ck_assert_int_eq(MOD(MOD(n, 4), 8), MOD(n, 4));
    ck_assert_int_eq(FDIV(MOD(n, 4), 4), 0);
}
END_TEST

START_TEST(quotient_and_remainder_recombine) {
    xp_dim back = ADD(MUL(4, FDIV(n, 4)), MOD(n, 4));
    ck_assert_int_eq(back, n);
    xp_dim e = ADD(a, b);
    ck_assert_int_eq(ADD(MOD(e, 3), MUL(FDIV(e, 3), 3)), e);
}
END_TEST

START_TEST(floordiv_rejects_non_positive_divisor) {
    ck_assert_int_eq(FDIV(s, 0), XP_DIM_INVALID);
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "must be a positive constant");
    ck_assert_int_eq(MOD(s, -2), XP_DIM_INVALID);
    ck_assert_int_eq(FDIV(7, -1), XP_DIM_INVALID);
}
END_TEST

/* ---- ranges and decisions ---- */

static void assert_range(xp_dim d, int64_t lo, int64_t hi) {
    int64_t l, u;
    xp_dim_range(ctx, d, &l, &u);
    ck_assert_msg(l == lo && u == hi, "range of %s is [%lld, %lld], expected [%lld, %lld]", str(d), (long long)l,
                  (long long)u, (long long)lo, (long long)hi);
}

START_TEST(ranges_follow_interval_arithmetic) {
    assert_range(ADD(MUL(3, s), 1), 7, 31);
    assert_range(SUB(s, t), -98, 10);
    assert_range(MUL(a, b), 1, 4096);
    assert_range(FDIV(s, 2), 1, 5);
    assert_range(MOD(s, 4), 0, 3);
    assert_range(MOD(s, 16), 2, 10);
    assert_range(MUL(s, s), 4, 100);
    assert_range(42, 42, 42);
    int64_t lo, hi;
    xp_dim_range(ctx, MUL(n, n), &lo, &hi);
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, INT64_MAX); /* saturates upward: still a sound bound */
}
END_TEST

START_TEST(quotients_cancel_against_their_argument) {
    /* 2*(h / 2) - h = -(h % 2): plain intervals would give [-1023, 1023] */
    assert_range(SUB(MUL(2, FDIV(h, 2)), h), -1, 0);
    ck_assert_int_eq(xp_dim_le(ctx, MUL(2, FDIV(h, 2)), h), XP_YES);
    ck_assert_int_eq(xp_dim_lt(ctx, h, ADD(MUL(2, FDIV(h, 2)), 2)), XP_YES);
    /* n - n % 4 and 4*(n / 4) are different forms of one value */
    ck_assert_int_eq(xp_dim_eq(ctx, SUB(n, MOD(n, 4)), MUL(4, FDIV(n, 4))), XP_YES);
}
END_TEST

START_TEST(decisions_use_the_canonical_difference) {
    ck_assert_int_eq(xp_dim_eq(ctx, s, s), XP_YES);
    ck_assert_int_eq(xp_dim_eq(ctx, a, b), XP_UNKNOWN);
    ck_assert_int_eq(xp_dim_eq(ctx, ADD(s, 1), s), XP_NO);
    ck_assert_int_eq(xp_dim_eq(ctx, MUL(ADD(a, b), 2), ADD(MUL(2, a), MUL(2, b))), XP_YES);
    ck_assert_int_eq(xp_dim_lt(ctx, s, ADD(s, 1)), XP_YES);
    ck_assert_int_eq(xp_dim_lt(ctx, s, s), XP_NO);
    ck_assert_int_eq(xp_dim_le(ctx, s, s), XP_YES);
    ck_assert_int_eq(xp_dim_le(ctx, 2, s), XP_YES);
    ck_assert_int_eq(xp_dim_lt(ctx, s, 2), XP_NO);
    ck_assert_int_eq(xp_dim_le(ctx, 3, s), XP_UNKNOWN);
    ck_assert_int_eq(xp_dim_eq(ctx, s, 11), XP_NO);
    ck_assert_int_eq(xp_dim_eq(ctx, s, 1), XP_NO);
    ck_assert_int_eq(xp_dim_eq(ctx, a, 1), XP_UNKNOWN);
    ck_assert_int_eq(xp_dim_lt(ctx, t, s), XP_UNKNOWN);
    ck_assert_int_eq(xp_dim_le(ctx, n, XP_END), XP_YES);
    ck_assert_int_eq(xp_dim_eq(NULL, 3, 3), XP_YES);
    ck_assert_int_eq(xp_dim_lt(NULL, 4, 3), XP_NO);
}
END_TEST

START_TEST(singleton_range_decides_equality) {
    ck_assert_int_eq(xp_sym_set_range(ctx, xp_dim_as_symbol(ctx, s), 5, 5), XP_OK);
    ck_assert_int_eq(xp_dim_eq(ctx, s, 5), XP_YES);
    ck_assert_int_eq(xp_sym_min(ctx, xp_dim_as_symbol(ctx, s)), 5);
    ck_assert_int_eq(xp_sym_set_range(ctx, xp_dim_as_symbol(ctx, s), 6, 5), XP_ERR_INVALID_ARG);
}
END_TEST

START_TEST(min_max_only_when_decidable) {
    ck_assert_int_eq(xp_dim_min(ctx, s, ADD(s, 1)), s);
    ck_assert_int_eq(xp_dim_max(ctx, s, 1), s);
    ck_assert_int_eq(xp_dim_min(ctx, 3, 9), 3);
    ck_assert_int_eq(xp_dim_max(ctx, a, b), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "max(a, b) depends on the sizes");
}
END_TEST

/* ---- evaluation ---- */

START_TEST(eval_substitutes_symbol_values) {
    int64_t vals[6] = {3, 4, 5, 7, 9, 10}, out;
    ck_assert_int_eq(xp_dim_eval(ctx, ADD(MUL(a, b), 3), vals, &out), XP_OK);
    ck_assert_int_eq(out, 15);
    ck_assert_int_eq(xp_dim_eval(ctx, ADD(FDIV(n, 4), MOD(n, 4)), vals, &out), XP_OK);
    ck_assert_int_eq(out, 2 + 2);
    ck_assert_int_eq(xp_dim_eval(ctx, 17, NULL, &out), XP_OK);
    ck_assert_int_eq(out, 17);
    ck_assert_int_eq(xp_dim_eval(ctx, a, NULL, &out), XP_ERR_INVALID_ARG);
}
END_TEST

START_TEST(eval_reports_overflow) {
    int64_t vals[6] = {INT64_MAX / 2, 3, 0, 0, 0, 0}, out;
    ck_assert_int_eq(xp_dim_eval(ctx, MUL(a, b), vals, &out), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "evaluating size a*b overflows int64");
}
END_TEST

/* ---- overflow ---- */

START_TEST(concrete_overflow_is_an_error_not_ub) {
    ck_assert_int_eq(xp_dim_mul(NULL, INT64_MAX / 2, 3), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "overflows int64");
    ck_assert_int_eq(xp_dim_add(NULL, INT64_MAX, 1), XP_DIM_INVALID);
    /* a result in the handle range would be mistaken for a symbol */
    ck_assert_int_eq(xp_dim_sub(NULL, XP_DIM_SYM_LIMIT, 1), XP_DIM_INVALID);
    ck_assert_int_eq(xp_dim_add(NULL, XP_DIM_INVALID, 1), XP_DIM_INVALID);
}
END_TEST

START_TEST(coefficient_overflow_is_an_error) {
    xp_dim big = MUL(s, INT64_MAX / 2);
    ck_assert(xp_dim_is_sym(big));
    xp_clear_error();
    ck_assert_int_eq(MUL(big, 4), XP_DIM_INVALID);
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "overflows int64");
    ck_assert_int_eq(ADD(big, big), MUL(s, INT64_MAX / 2 * 2));
    ck_assert_int_eq(ADD(ADD(big, big), big), XP_DIM_INVALID);
}
END_TEST

START_TEST(symbolic_operand_without_context_is_an_error) {
    ck_assert_int_eq(xp_dim_add(NULL, s, 1), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "without a symbol context");
    ck_assert_int_eq(xp_dim_eq(NULL, s, s), XP_YES);
    ck_assert_int_eq(xp_dim_eq(NULL, s, 3), XP_UNKNOWN);
}
END_TEST

/* ---- text ---- */

START_TEST(format_and_parse_round_trip) {
    xp_dim exprs[] = {
        MUL(a, b),
        ADD(MUL(2, h), 1),
        ADD(FDIV(ADD(h, MUL(2, t)), 2), 1),
        MOD(n, 4),
        SUB(0, MUL(2, s)),
        SUB(3, s),
        SUB(MUL(-2, s), 3),
        SUB(t, FDIV(s, 2)),
        SUB(0, FDIV(s, 2)),
        ADD(MUL(-3, FDIV(s, 2)), t),
        MUL(s, FDIV(t, 3)),
        MUL(2, MOD(ADD(a, 1), 3)),
        MUL(MUL(s, s), t),
        FDIV(MUL(a, b), 4),
        FDIV(ADD(MUL(a, b), 1), 4),
        FDIV(MOD(n, 8), 4),
        MOD(FDIV(n, 2), 3),
        FDIV(MUL(2, FDIV(n, 3)), 5),
        SUB(MUL(a, SUB(b, 7)), MUL(MOD(t, 5), FDIV(h, 3))),
        ADD(MUL(s, INT64_MAX / 2), -(INT64_MAX / 2)),
        42,
        -5,
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        ck_assert_msg(xp_dim_is_valid(exprs[i]), "expression %zu failed: %s", i, xp_last_error());
        char text[256];
        xp_dim_format(ctx, exprs[i], text, sizeof text);
        xp_dim back = 0;
        ck_assert_msg(xp_dim_parse(ctx, text, &back) == XP_OK, "parse \"%s\": %s", text, xp_last_error());
        ck_assert_msg(back == exprs[i], "\"%s\" parsed back as \"%s\"", text, str(back));
        ck_assert_str_eq(str(back), text);
    }
}
END_TEST

START_TEST(format_reads_like_c) {
    ck_assert_str_eq(str(SUB(MUL(-2, s), 3)), "-2*s - 3");
    ck_assert_str_eq(str(SUB(0, FDIV(s, 2))), "-(s / 2)");
    ck_assert_str_eq(str(SUB(t, FDIV(s, 2))), "t - s / 2");
    ck_assert_str_eq(str(MUL(s, FDIV(t, 3))), "s*(t / 3)");
    ck_assert_str_eq(str(FDIV(ADD(MUL(a, b), 1), 4)), "(a*b + 1) / 4");
    ck_assert_str_eq(str(FDIV(MOD(n, 8), 4)), "(n % 8) / 4");
    ck_assert_str_eq(str(XP_DIM_INVALID), "<invalid>");
}
END_TEST

START_TEST(format_truncates_like_snprintf) {
    char buf[6];
    int need = xp_dim_format(ctx, ADD(MUL(a, b), 100), buf, sizeof buf);
    ck_assert_int_eq(need, (int)strlen("a*b + 100"));
    ck_assert_str_eq(buf, "a*b +");
    ck_assert_int_eq(xp_dim_format(ctx, 12345, NULL, 0), 5);
}
END_TEST

START_TEST(parse_accepts_spacing_and_parentheses) {
    xp_dim d;
    ck_assert_int_eq(xp_dim_parse(ctx, "  (a+b)*2 ", &d), XP_OK);
    ck_assert_int_eq(d, ADD(MUL(2, a), MUL(2, b)));
    ck_assert_int_eq(xp_dim_parse(ctx, "(h + 2*1 - 3) / 2 + 1", &d), XP_OK);
    ck_assert_int_eq(d, FDIV(ADD(h, 1), 2));
    ck_assert_int_eq(xp_dim_parse(ctx, "- -s", &d), XP_OK);
    ck_assert_int_eq(d, s);
    ck_assert_int_eq(xp_dim_parse(NULL, "7 % 4", &d), XP_OK);
    ck_assert_int_eq(d, 3);
}
END_TEST

static void assert_parse_error(const char *text, const char *needle) {
    xp_dim d = 12345;
    xp_clear_error();
    ck_assert_msg(xp_dim_parse(ctx, text, &d) != XP_OK, "\"%s\" parsed", text);
    ck_assert_int_eq(d, 12345);
    xpt_assert_contains(xp_last_error(), needle);
}

START_TEST(parse_rejects_garbage_naming_the_column) {
    assert_parse_error("a + $", "unexpected '$' at column 5");
    assert_parse_error("a +", "unexpected end of expression at column 4");
    assert_parse_error("", "unexpected end of expression at column 1");
    assert_parse_error("foo * 2", "unknown dim 'foo' at column 1");
    assert_parse_error("a / b", "the divisor of '/' must be a positive integer constant at column 5");
    assert_parse_error("a % 0", "the divisor of '%' must be a positive integer constant at column 5");
    assert_parse_error("(a + 1", "unclosed '(' at column 1");
    assert_parse_error("a b", "unexpected 'b' at column 3");
    assert_parse_error("2a", "unexpected 'a' at column 2");
    assert_parse_error("99999999999999999999", "integer literal does not fit in int64 at column 1");
    assert_parse_error("a\x01", "unexpected byte 0x01 at column 2");
    assert_parse_error("a + 1)", "unexpected ')' at column 6");
    char deep[400];
    memset(deep, '(', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    assert_parse_error(deep, "nested too deeply");
    assert_parse_error("a * 9223372036854775807 * 2", "overflows int64");
}
END_TEST

/* ---- random expressions against direct evaluation ---- */

typedef struct rnode {
    int op; /* 0 const, 1 symbol, 2 add, 3 sub, 4 mul, 5 floordiv, 6 mod */
    int64_t v;
    int l, r;
} rnode;

static int gen(rnode *t, int *nt, uint64_t *rng, int depth) {
    int i = (*nt)++;
    int op = depth == 0 ? (int)(xpt_rand_u64(rng) % 2) : (int)(xpt_rand_u64(rng) % 7);
    t[i].op = op;
    if (op == 0)
        t[i].v = (int64_t)(xpt_rand_u64(rng) % 11) - 5;
    else if (op == 1)
        t[i].v = (int64_t)(xpt_rand_u64(rng) % 4);
    else {
        t[i].l = gen(t, nt, rng, depth - 1);
        if (op >= 5)
            t[i].v = 1 + (int64_t)(xpt_rand_u64(rng) % 6);
        else
            t[i].r = gen(t, nt, rng, op == 4 ? (depth > 1 ? 1 : 0) : depth - 1);
    }
    return i;
}

static int64_t floordiv_ref(int64_t x, int64_t c) { return x >= 0 ? x / c : -((-x + c - 1) / c); }

static int64_t eval_ref(const rnode *t, int i, const int64_t *vals) {
    switch (t[i].op) {
    case 0:
        return t[i].v;
    case 1:
        return vals[t[i].v];
    case 2:
        return eval_ref(t, t[i].l, vals) + eval_ref(t, t[i].r, vals);
    case 3:
        return eval_ref(t, t[i].l, vals) - eval_ref(t, t[i].r, vals);
    case 4:
        return eval_ref(t, t[i].l, vals) * eval_ref(t, t[i].r, vals);
    case 5:
        return floordiv_ref(eval_ref(t, t[i].l, vals), t[i].v);
    default:
        return eval_ref(t, t[i].l, vals) - t[i].v * floordiv_ref(eval_ref(t, t[i].l, vals), t[i].v);
    }
}

static xp_dim build(const rnode *t, int i, const xp_dim *syms) {
    switch (t[i].op) {
    case 0:
        return t[i].v;
    case 1:
        return syms[t[i].v];
    case 2:
        return ADD(build(t, t[i].l, syms), build(t, t[i].r, syms));
    case 3:
        return SUB(build(t, t[i].l, syms), build(t, t[i].r, syms));
    case 4:
        return MUL(build(t, t[i].l, syms), build(t, t[i].r, syms));
    case 5:
        return FDIV(build(t, t[i].l, syms), t[i].v);
    default:
        return MOD(build(t, t[i].l, syms), t[i].v);
    }
}

START_TEST(random_expressions_agree_with_direct_evaluation) {
    /* symbols a in [1, 64], b in [1, 64], s in [2, 10], t in [0, 100]; the
     * context's indices are 0..3 for them, 4 and 5 for h and n */
    const xp_dim syms[4] = {a, b, s, t};
    const int64_t lo[4] = {1, 1, 2, 0}, hi[4] = {64, 64, 10, 100};
    uint64_t rng = 12345;
    for (int iter = 0; iter < 400; iter++) {
        rnode t1[64], t2[64];
        int n1 = 0, n2 = 0;
        int r1 = gen(t1, &n1, &rng, 4), r2 = gen(t2, &n2, &rng, 3);
        xp_dim d1 = build(t1, r1, syms), d2 = build(t2, r2, syms);
        ck_assert_msg(xp_dim_is_valid(d1) && xp_dim_is_valid(d2), "build failed: %s", xp_last_error());
        char text[512];
        xp_dim_format(ctx, d1, text, sizeof text);
        xp_dim back;
        ck_assert_msg(xp_dim_parse(ctx, text, &back) == XP_OK && back == d1, "round trip of \"%s\"", text);
        int64_t rlo, rhi;
        xp_dim_range(ctx, d1, &rlo, &rhi);
        xp_tri eq = xp_dim_eq(ctx, d1, d2), lt = xp_dim_lt(ctx, d1, d2), le = xp_dim_le(ctx, d1, d2);
        for (int k = 0; k < 20; k++) {
            int64_t vals[6] = {0};
            for (int j = 0; j < 4; j++) vals[j] = lo[j] + (int64_t)(xpt_rand_u64(&rng) % (uint64_t)(hi[j] - lo[j] + 1));
            int64_t want1 = eval_ref(t1, r1, vals), want2 = eval_ref(t2, r2, vals), got;
            ck_assert_int_eq(xp_dim_eval(ctx, d1, vals, &got), XP_OK);
            ck_assert_msg(got == want1, "%s evaluates to %lld, expected %lld", text, (long long)got, (long long)want1);
            ck_assert_msg(rlo <= want1 && want1 <= rhi, "%s = %lld outside its range [%lld, %lld]", text,
                          (long long)want1, (long long)rlo, (long long)rhi);
            if (eq != XP_UNKNOWN)
                ck_assert_msg((want1 == want2) == (eq == XP_YES), "eq of %s and %s is wrong", text, str(d2));
            if (lt != XP_UNKNOWN)
                ck_assert_msg((want1 < want2) == (lt == XP_YES), "lt of %s and %s is wrong", text, str(d2));
            if (le != XP_UNKNOWN)
                ck_assert_msg((want1 <= want2) == (le == XP_YES), "le of %s and %s is wrong", text, str(d2));
        }
    }
}
END_TEST

/* ---- symbols ---- */

START_TEST(symbols_are_validated) {
    ck_assert_int_eq(xp_sym_new(ctx, "a", 1, 2), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "dim 'a' is declared twice");
    ck_assert_int_eq(xp_sym_new(ctx, "1x", 1, 2), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "not a C identifier");
    ck_assert_int_eq(xp_sym_new(ctx, "x-y", 1, 2), XP_DIM_INVALID);
    ck_assert_int_eq(xp_sym_new(ctx, "lo", 5, 2), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "min=5 is greater than max=2");
    ck_assert_int_eq(xp_sym_new(ctx, "neg", -1, 2), XP_DIM_INVALID);
    xpt_assert_contains(xp_last_error(), "negative");
    ck_assert_int_eq(xp_sym_count(ctx), 6);
}
END_TEST

START_TEST(symbol_queries) {
    ck_assert_int_eq(xp_sym_find(ctx, "s"), 2);
    ck_assert_int_eq(xp_sym_find(ctx, "zz"), -1);
    ck_assert_str_eq(xp_sym_name(ctx, 2), "s");
    ck_assert_int_eq(xp_sym_expr(ctx, 2), s);
    ck_assert_int_eq(xp_dim_as_symbol(ctx, s), 2);
    ck_assert_int_eq(xp_dim_as_symbol(ctx, ADD(s, 1)), -1);
    ck_assert_int_eq(xp_dim_as_symbol(ctx, 4), -1);
    int sym;
    int64_t ca, cb;
    ck_assert(xp_dim_as_linear(ctx, ADD(MUL(2, s), 3), &sym, &ca, &cb));
    ck_assert(sym == 2 && ca == 2 && cb == 3);
    ck_assert(xp_dim_as_linear(ctx, SUB(0, s), &sym, &ca, &cb));
    ck_assert(ca == -1 && cb == 0);
    ck_assert(xp_dim_as_linear(ctx, t, &sym, &ca, &cb));
    ck_assert(sym == 3 && ca == 1 && cb == 0);
    ck_assert(!xp_dim_as_linear(ctx, MUL(s, t), &sym, &ca, &cb));
    ck_assert(!xp_dim_as_linear(ctx, FDIV(s, 2), &sym, &ca, &cb));
    ck_assert(!xp_dim_as_linear(ctx, 5, &sym, &ca, &cb));
    int syms[8];
    int k = xp_dim_symbols(ctx, ADD(MUL(b, s), FDIV(t, 2)), syms, 8);
    ck_assert_int_eq(k, 3);
    ck_assert(syms[0] == 1 && syms[1] == 2 && syms[2] == 3);
    ck_assert_int_eq(xp_dim_symbols(ctx, ADD(MUL(b, s), FDIV(t, 2)), syms, 2), 2);
    ck_assert_int_eq(xp_dim_symbols(ctx, 9, syms, 8), 0);
}
END_TEST

START_TEST(clone_keeps_handles_meaningful) {
    xp_dim e = ADD(MUL(a, b), FDIV(h, 3));
    xp_symctx *c = xp_symctx_clone(ctx);
    char t2[64];
    xp_dim_format(c, e, t2, sizeof t2);
    ck_assert_str_eq(str(e), t2);
    /* new expressions in the clone do not appear in the original */
    xp_dim only = xp_dim_mul(c, e, e);
    ck_assert(xp_dim_is_sym(only));
    ck_assert_int_eq(xp_dim_add(c, MUL(b, a), FDIV(h, 3)), e);
    ck_assert_int_eq(xp_sym_set_range(c, 0, 1, 1), XP_OK);
    ck_assert_int_eq(xp_sym_max(ctx, 0), 64);
    xp_symctx_free(c);
}
END_TEST

static Suite *make_suite(void) {
    Suite *su = suite_create("sym");
    TCase *tc = tcase_create("sym");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, equal_expressions_share_one_handle);
    tcase_add_test(tc, products_distribute_and_cancel);
    tcase_add_test(tc, canonical_text_is_independent_of_declaration_order);
    tcase_add_test(tc, flatten_then_view_back_divides_exactly);
    tcase_add_test(tc, div_exact_rejects_non_divisible);
    tcase_add_test(tc, conv_output_formula_is_canonical);
    tcase_add_test(tc, floordiv_of_divisible_polynomial_is_exact);
    tcase_add_test(tc, floordiv_and_mod_of_constants_floor);
    tcase_add_test(tc, division_by_one_and_nested_division_simplify);
    tcase_add_test(tc, floordiv_extracts_multiples_and_common_factors);
    tcase_add_test(tc, mod_reduces_coefficients);
    tcase_add_test(tc, quotient_and_remainder_recombine);
    tcase_add_test(tc, floordiv_rejects_non_positive_divisor);
    tcase_add_test(tc, ranges_follow_interval_arithmetic);
    tcase_add_test(tc, decisions_use_the_canonical_difference);
    tcase_add_test(tc, quotients_cancel_against_their_argument);
    tcase_add_test(tc, singleton_range_decides_equality);
    tcase_add_test(tc, min_max_only_when_decidable);
    tcase_add_test(tc, eval_substitutes_symbol_values);
    tcase_add_test(tc, eval_reports_overflow);
    tcase_add_test(tc, concrete_overflow_is_an_error_not_ub);
    tcase_add_test(tc, coefficient_overflow_is_an_error);
    tcase_add_test(tc, symbolic_operand_without_context_is_an_error);
    tcase_add_test(tc, format_and_parse_round_trip);
    tcase_add_test(tc, format_reads_like_c);
    tcase_add_test(tc, format_truncates_like_snprintf);
    tcase_add_test(tc, parse_accepts_spacing_and_parentheses);
    tcase_add_test(tc, parse_rejects_garbage_naming_the_column);
    tcase_add_test(tc, random_expressions_agree_with_direct_evaluation);
    tcase_add_test(tc, symbols_are_validated);
    tcase_add_test(tc, symbol_queries);
    tcase_add_test(tc, clone_keeps_handles_meaningful);
    suite_add_tcase(su, tc);
    return su;
}

int main(void) { return xpt_run_suite(make_suite()); }
