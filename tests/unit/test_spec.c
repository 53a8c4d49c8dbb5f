/*
 * The annotation grammar (xp_spec.h): every directive, every dim form,
 * integer constant expressions, and the exact byte offset of every error
 * (the plugin puts its caret there).
 */
#include <string.h>

#include "annot/xp_spec.h"
#include "testutil.h"

#define FORMS "a dim is an integer constant, a dim name, or A*name + B with A a positive integer"

static xp_pragma parse_ok_(const char *text, const char *file, int line) {
    xp_pragma p;
    int off = 123;
    xp_status st = xp_pragma_parse(text, &p, &off);
    ck_assert_msg(st == XP_OK, "%s:%d: parsing \"%s\" failed: %s (offset %d)", file, line, text, xp_last_error(), off);
    ck_assert_int_eq(off, -1);
    return p;
}
#define parse_ok(text) parse_ok_(text, __FILE__, __LINE__)

/* Parses `text` expecting an error at byte `offset` whose message contains `needle`. */
static void parse_err_(const char *text, int offset, const char *needle, const char *file, int line) {
    xp_pragma p;
    int off = -7;
    xp_status st = xp_pragma_parse(text, &p, &off);
    ck_assert_msg(st == XP_ERR_INVALID_ARG, "%s:%d: \"%s\" parsed, expected an error", file, line, text);
    ck_assert_msg(off == offset, "%s:%d: \"%s\": error at offset %d, expected %d (%s)", file, line, text, off, offset,
                  xp_last_error());
    ck_assert_msg(strstr(xp_last_error(), needle) != NULL, "%s:%d: \"%s\": message \"%s\" lacks \"%s\"", file, line,
                  text, xp_last_error(), needle);
    ck_assert_ptr_null(p.schema);
}
#define parse_err(text, offset, needle) parse_err_(text, offset, needle, __FILE__, __LINE__)

/* A one-dim input: parses "input(x, f32[EXPR])" and returns the dim. */
static xp_spec_dim dim_of_(const char *expr, const char *file, int line) {
    char text[256];
    snprintf(text, sizeof text, "input(x, f32[%s])", expr);
    xp_pragma p = parse_ok_(text, file, line);
    ck_assert_int_eq(p.shape.ndim, 1);
    ck_assert_int_eq(p.shape.dims[0].offset, 13);
    ck_assert_int_eq(p.shape.dims[0].length, (int)strlen(expr));
    return p.shape.dims[0];
}
#define dim_of(expr) dim_of_(expr, __FILE__, __LINE__)

#define assert_dim(expr, nm, A, B)                                                                           \
    do {                                                                                                    \
        xp_spec_dim d_ = dim_of(expr);                                                                      \
        ck_assert_msg(strcmp(d_.name, nm) == 0 && d_.a == (A) && d_.b == (B),                               \
                      "\"%s\" gave %lld*'%s' + %lld, expected %lld*'%s' + %lld", expr, (long long)d_.a, d_.name, \
                      (long long)d_.b, (long long)(A), nm, (long long)(B));                                 \
    } while (0)

/* ---- directives ---- */

START_TEST(export_cond_map_are_bare_words) {
    static const struct { const char *text; xp_pragma_kind kind; int offset, length; } cases[] = {
        {"export", XP_PRAGMA_EXPORT, 0, 6},
        {"  cond ", XP_PRAGMA_COND, 2, 4},
        {"\tmap\n", XP_PRAGMA_MAP, 1, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        xp_pragma p = parse_ok(cases[i].text);
        ck_assert_int_eq(p.kind, cases[i].kind);
        ck_assert_int_eq(p.offset, cases[i].offset);
        ck_assert_int_eq(p.length, cases[i].length);
        ck_assert_int_eq(p.close_offset, -1);
        ck_assert_int_eq(p.name_offset, -1);
        ck_assert_ptr_null(p.schema);
    }
    parse_err("export(forward)", 6, "'export' takes no arguments");
    parse_err("cond x", 5, "extra tokens after the 'cond' directive");
}
END_TEST

START_TEST(input_records_name_dtype_dims_and_offsets) {
    const char *text = "input(x, f32[batch, 100])";
    xp_pragma p = parse_ok(text);
    ck_assert_int_eq(p.kind, XP_PRAGMA_INPUT);
    ck_assert_str_eq(p.name, "x");
    ck_assert_int_eq(p.name_offset, 6);
    ck_assert_int_eq(p.name_length, 1);
    ck_assert_int_eq(p.shape.dtype, XP_F32);
    ck_assert_int_eq(p.shape.ndim, 2);
    ck_assert_int_eq(p.shape.offset, 9);
    ck_assert_int_eq(p.shape.length, 15); /* "f32[batch, 100]" */
    ck_assert_str_eq(p.shape.dims[0].name, "batch");
    ck_assert_int_eq(p.shape.dims[0].a, 1);
    ck_assert_int_eq(p.shape.dims[0].b, 0);
    ck_assert_int_eq(p.shape.dims[0].offset, 13);
    ck_assert_int_eq(p.shape.dims[0].length, 5);
    ck_assert_str_eq(p.shape.dims[1].name, "");
    ck_assert_int_eq(p.shape.dims[1].a, 0);
    ck_assert_int_eq(p.shape.dims[1].b, 100);
    ck_assert_int_eq(p.shape.dims[1].offset, 20);
    ck_assert_int_eq(p.shape.dims[1].length, 3);
    ck_assert_int_eq(p.close_offset, 24);
    ck_assert_int_eq(p.offset, 0);
    ck_assert_int_eq(p.length, 25);
    ck_assert_int_eq(p.min_offset, -1);
    ck_assert_int_eq(p.max_offset, -1);
}
END_TEST

/* input(n, int): a symbolic int input (SYMINT), no shape. */
START_TEST(input_int_is_a_symbolic_int_input) {
    xp_pragma p = parse_ok("input(n, int)");
    ck_assert_int_eq(p.kind, XP_PRAGMA_INPUT);
    ck_assert_str_eq(p.name, "n");
    ck_assert(p.int_input);
    ck_assert_int_eq(p.shape.ndim, 0);
    ck_assert_int_eq(p.shape.offset, 9);
    ck_assert_int_eq(p.shape.length, 3);
    ck_assert_int_eq(p.close_offset, 12);
    ck_assert(!parse_ok("input(x, i64[])").int_input); /* a 0-d tensor is a tensor */
    parse_err("input(n, int[3])", 12, "expected ')' to end the 'input' directive");
    parse_err("input(n, integer)", 9, "unknown dtype 'integer'");
}
END_TEST

/* The plugin re-joins macro-expanded tokens with single spaces. */
START_TEST(plugin_token_text_with_spaces_everywhere) {
    const char *text = "input ( x , f32 [ 8 * 2 , batch ] )";
    xp_pragma p = parse_ok(text);
    ck_assert_str_eq(p.name, "x");
    ck_assert_int_eq(p.name_offset, 8);
    ck_assert_int_eq(p.shape.offset, 12);
    ck_assert_int_eq(p.shape.length, 21); /* "f32 [ 8 * 2 , batch ]" */
    ck_assert_int_eq(p.shape.dims[0].b, 16);
    ck_assert_int_eq(p.shape.dims[0].offset, 18);
    ck_assert_int_eq(p.shape.dims[0].length, 5); /* "8 * 2" */
    ck_assert_str_eq(p.shape.dims[1].name, "batch");
    ck_assert_int_eq(p.shape.dims[1].offset, 26);
    ck_assert_int_eq(p.close_offset, 34);
    ck_assert_int_eq(p.length, 35);
    /* and the compact forms users type */
    p = parse_ok("input(x,f32[2*b+1,4])");
    ck_assert_int_eq(p.shape.dims[0].a, 2);
    ck_assert_int_eq(p.shape.dims[0].b, 1);
    ck_assert_int_eq(p.shape.dims[1].b, 4);
    p = parse_ok("dim(b,min=1,max=8)");
    ck_assert(p.has_min && p.has_max);
}
END_TEST

START_TEST(param_and_buffer_take_a_shape) {
    xp_pragma p = parse_ok("param(f32[10, 100])");
    ck_assert_int_eq(p.kind, XP_PRAGMA_PARAM);
    ck_assert_str_eq(p.name, "");
    ck_assert_int_eq(p.shape.ndim, 2);
    ck_assert_int_eq(p.shape.offset, 6);
    ck_assert_int_eq(p.close_offset, 18);
    p = parse_ok("buffer(i64[4])");
    ck_assert_int_eq(p.kind, XP_PRAGMA_BUFFER);
    ck_assert_int_eq(p.shape.dtype, XP_I64);
    ck_assert_int_eq(p.shape.dims[0].b, 4);
    p = parse_ok("param(f32[])"); /* 0-d */
    ck_assert_int_eq(p.shape.ndim, 0);
    ck_assert_int_eq(p.shape.length, 5);
    parse_err("param(x, f32[1])", 6, "unknown dtype 'x'");
}
END_TEST

START_TEST(every_dtype_name_is_accepted) {
    for (int i = 0; i < XP_DTYPE_COUNT; i++) {
        char text[64];
        snprintf(text, sizeof text, "param(%s[2])", xp_dtype_name((xp_dtype)i));
        xp_pragma p = parse_ok(text);
        ck_assert_int_eq(p.shape.dtype, i);
    }
    /* `bool` reaches the plugin as `_Bool` once <stdbool.h> has expanded it */
    ck_assert_int_eq(parse_ok("param(_Bool[2])").shape.dtype, XP_BOOL);
    parse_err("input(x, f33[1])", 9,
              "unknown dtype 'f33'; expected one of f32, f64, f16, bf16, i64, i32, i8, u8, bool");
    parse_err("input(x, F32[1])", 9, "unknown dtype 'F32'");
    parse_err("input(x, 4[1])", 9, "expected a dtype (one of f32");
}
END_TEST

START_TEST(dim_with_bounds_in_either_order) {
    xp_pragma p = parse_ok("dim(batch, min=1, max=1024)");
    ck_assert_int_eq(p.kind, XP_PRAGMA_DIM);
    ck_assert_str_eq(p.name, "batch");
    ck_assert_int_eq(p.name_offset, 4);
    ck_assert_int_eq(p.name_length, 5);
    ck_assert(p.has_min && p.has_max);
    ck_assert_int_eq(p.min, 1);
    ck_assert_int_eq(p.max, 1024);
    ck_assert_int_eq(p.min_offset, 15);
    ck_assert_int_eq(p.max_offset, 22);
    ck_assert_int_eq(p.close_offset, 26);
    p = parse_ok("dim(batch, max=16*64, min=2)");
    ck_assert_int_eq(p.max, 1024);
    ck_assert_int_eq(p.min, 2);
    ck_assert_int_eq(p.max_offset, 15);
    ck_assert_int_eq(p.min_offset, 26);
    p = parse_ok("dim(seq)");
    ck_assert(!p.has_min && !p.has_max);
    ck_assert_int_eq(p.min_offset, -1);
    ck_assert_int_eq(p.max_offset, -1);
    ck_assert_int_eq(p.close_offset, 7);
    p = parse_ok("dim(n, max=(1 + 3) * 2)");
    ck_assert(!p.has_min && p.has_max);
    ck_assert_int_eq(p.max, 8);
    p = parse_ok("dim(n, min=0, max=0)");
    ck_assert_int_eq(p.min, 0);
    ck_assert_int_eq(p.max, 0);
}
END_TEST

START_TEST(dim_errors_point_at_the_key_or_bound) {
    parse_err("dim(b, min=1, min=2)", 14, "duplicate 'min' in dim 'b'");
    parse_err("dim(b, max=1, max=2)", 14, "duplicate 'max' in dim 'b'");
    parse_err("dim(b, min=5, max=2)", 18, "dim 'b' has min 5 greater than max 2");
    parse_err("dim(b, max=2, min=5)", 18, "dim 'b' has min 5 greater than max 2");
    parse_err("dim(b, min=-1)", 11, "min of dim 'b' is -1; sizes cannot be negative");
    parse_err("dim(b, max=2-3)", 11, "max of dim 'b' is -1");
    parse_err("dim(b, mn=1)", 7, "expected 'min' or 'max' in dim 'b', found 'mn'");
    parse_err("dim(b, min=n)", 11,
              "'n' is not an integer constant; the min of dim 'b' must be an integer constant expression");
    parse_err("dim(b, min=2*n)", 13, "'n' is not an integer constant");
    parse_err("dim(b, min 1)", 11, "expected '=' after 'min', found '1'");
    parse_err("dim(b max=3)", 6, "expected ',' or ')' to end the 'dim' directive, found 'max'");
    parse_err("dim(b,)", 6, "expected 'min' or 'max'");
    parse_err("dim(1)", 4, "expected a dim name, found '1'");
    parse_err("dim", 3, "expected '(' after 'dim', found end of text");
    parse_err("dim(b, min=)", 11, "expected an integer expression, found ')'");
}
END_TEST

START_TEST(op_takes_one_string_schema) {
    xp_pragma p = parse_ok("op(\"ns::f(Tensor x) -> Tensor\")");
    ck_assert_int_eq(p.kind, XP_PRAGMA_OP);
    ck_assert_str_eq(p.schema, "ns::f(Tensor x) -> Tensor");
    ck_assert_int_eq(p.close_offset, 30);
    xp_pragma_clear(&p);
    ck_assert_ptr_null(p.schema);
    /* adjacent literals concatenate, as in C */
    p = parse_ok("op ( \"ns::f(Tensor x)\" \" -> Tensor\" )");
    ck_assert_str_eq(p.schema, "ns::f(Tensor x) -> Tensor");
    xp_pragma_clear(&p);
    p = parse_ok("op(\"a\\\"b\\\\c\\n\")");
    ck_assert_str_eq(p.schema, "a\"b\\c\n");
    xp_pragma_clear(&p);
    parse_err("op(ns::f)", 3, "expected the op's schema as a string literal");
    parse_err("op(\"\")", 3, "op schema string is empty");
    parse_err("op(\"ns::f", 3, "missing terminating '\"' character");
    parse_err("op(\"a\\qb\")", 5, "unknown escape sequence '\\q'");
    parse_err("op(\"a\" x)", 7, "expected ')' to end the 'op' directive, found 'x'");
}
END_TEST

START_TEST(meta_takes_a_string_or_a_qualified_name) {
    xp_pragma p = parse_ok("meta(\"ns::f\")");
    ck_assert_int_eq(p.kind, XP_PRAGMA_META);
    ck_assert_str_eq(p.name, "ns::f");
    ck_assert_int_eq(p.name_offset, 5);
    ck_assert_int_eq(p.name_length, 7);
    p = parse_ok("meta(ns::f)");
    ck_assert_str_eq(p.name, "ns::f");
    ck_assert_int_eq(p.name_offset, 5);
    ck_assert_int_eq(p.name_length, 5);
    ck_assert_int_eq(p.close_offset, 10);
    /* C lexes `::` as two ':' tokens; the plugin's text has them spaced */
    p = parse_ok("meta ( ns : : sub : : f )");
    ck_assert_str_eq(p.name, "ns::sub::f");
    ck_assert_int_eq(p.name_offset, 7);
    ck_assert_int_eq(p.name_length, 16);
    ck_assert_str_eq(parse_ok("meta(f)").name, "f");
    parse_err("meta(ns:f)", 7, "expected '::' in a qualified op name");
    parse_err("meta()", 5, "expected the op's name");
    parse_err("meta(ns::)", 9, "expected the op's name");
    parse_err("meta(\"\")", 5, "op name is empty");
}
END_TEST

START_TEST(unknown_directive_lists_the_valid_ones) {
    xp_pragma p;
    int off;
    ck_assert_int_eq(xp_pragma_parse("inptu(x, f32[1])", &p, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 0);
    ck_assert_str_eq(xp_last_error(),
                     "unknown xport directive 'inptu'; "
                     "expected one of export, input, dim, param, buffer, cond, map, op, meta");
    parse_err("  exprot", 2, "unknown xport directive 'exprot'");
    parse_err("", 0, "expected an xport directive (one of export, input");
    parse_err("   ", 3, "expected an xport directive");
    parse_err("(x)", 0, "expected an xport directive");
}
END_TEST

START_TEST(kind_names) {
    static const char *const names[] = {"export", "input", "dim", "param", "buffer", "cond", "map", "op", "meta"};
    for (int k = XP_PRAGMA_EXPORT; k <= XP_PRAGMA_META; k++)
        ck_assert_str_eq(xp_pragma_kind_name((xp_pragma_kind)k), names[k]);
    ck_assert_str_eq(xp_pragma_kind_name((xp_pragma_kind)99), "unknown");
}
END_TEST

/* ---- dim expressions ---- */

START_TEST(every_linear_dim_form_reduces) {
    assert_dim("batch", "batch", 1, 0);
    assert_dim("batch + 1", "batch", 1, 1);
    assert_dim("1 + batch", "batch", 1, 1);
    assert_dim("seq - 4", "seq", 1, -4);
    assert_dim("-4 + seq", "seq", 1, -4);
    assert_dim("3*dx + 1", "dx", 3, 1);
    assert_dim("dx*3+1", "dx", 3, 1);
    assert_dim("2*dx", "dx", 2, 0);
    assert_dim("dx * 2", "dx", 2, 0);
    assert_dim("(seq + 1) * 2", "seq", 2, 2);
    assert_dim("2 * (seq - 1)", "seq", 2, -2);
    assert_dim("2 * batch * 3", "batch", 6, 0);
    assert_dim("batch * 2 + batch", "batch", 3, 0); /* one name, mentioned twice */
    assert_dim("+batch", "batch", 1, 0);
    assert_dim("((batch))", "batch", 1, 0);
    assert_dim("-(-batch)", "batch", 1, 0);
    assert_dim("(8 / 2) * h + 10 % 4", "h", 4, 2);
    assert_dim("1 - (1 - h)", "h", 1, 0);
}
END_TEST

START_TEST(constant_expressions_follow_c) {
    assert_dim("8*2", "", 0, 16);
    assert_dim("2 + 3 * 4", "", 0, 14);
    assert_dim("(2 + 3) * 4", "", 0, 20);
    assert_dim("2 * 3 - 4 * 1", "", 0, 2);
    assert_dim("-3 + 10", "", 0, 7);
    assert_dim("10 - 2 - 3", "", 0, 5);  /* left associative */
    assert_dim("100 / 10 / 5", "", 0, 2);
    assert_dim("10 / 3", "", 0, 3);
    assert_dim("10 % 3", "", 0, 1);
    assert_dim("(-7 / 2) + 10", "", 0, 7); /* truncation toward zero: -3 */
    assert_dim("(-7 % 3) + 5", "", 0, 4);  /* sign of the dividend: -1 */
    assert_dim("- -5", "", 0, 5);
    assert_dim("0", "", 0, 0);
    assert_dim("0x10", "", 0, 16);
    assert_dim("010", "", 0, 8);
    assert_dim("100L", "", 0, 100);
    assert_dim("100u", "", 0, 100);
    assert_dim("100ULL", "", 0, 100);
    assert_dim("9223372036854775807", "", 0, INT64_MAX);
}
END_TEST

START_TEST(dim_form_errors_explain_the_allowed_forms) {
    /*          0123456789012345678 */
    parse_err("input(x, f32[a*b])", 14, "dim expression multiplies dim name 'a' by dim name 'b'; " FORMS);
    parse_err("input(x, f32[a*a])", 14, "multiplies dim name 'a' by dim name 'a'");
    parse_err("input(x, f32[a + b])", 17, "dim expression uses two dim names, 'a' and 'b'; " FORMS);
    parse_err("input(x, f32[2 * (a + 1) - b])", 27, "uses two dim names, 'a' and 'b'");
    parse_err("input(x, f32[-2*a])", 13, "dim expression has coefficient -2 for dim name 'a'; " FORMS);
    parse_err("input(x, f32[4 - a])", 13, "coefficient -1 for dim name 'a'");
    parse_err("input(x, f32[a - a])", 13, "coefficient 0 for dim name 'a'");
    parse_err("input(x, f32[0 * a + 3])", 13, "coefficient 0");
    parse_err("input(x, f32[a / 2])", 15, "dim name 'a' cannot be divided; " FORMS);
    parse_err("input(x, f32[(a + 2) % 2])", 21, "dim name 'a' cannot be taken modulo");
    parse_err("input(x, f32[4 / a])", 15, "dim name 'a' cannot be a divisor");
    parse_err("input(x, f32[3 - 5])", 13, "dim size -2 is negative");
    parse_err("input(x, f32[1, -1])", 16, "dim size -1 is negative");
}
END_TEST

START_TEST(overflow_and_division_by_zero_are_errors) {
    /*          0         1         2         3
     *          0123456789012345678901234567890123 */
    parse_err("input(x, f32[9223372036854775807 + 1])", 33, "integer overflow in expression");
    parse_err("input(x, f32[4611686018427387904 * 2])", 33, "integer overflow in expression");
    parse_err("input(x, f32[b * 4611686018427387904 * 2])", 37, "integer overflow in expression");
    parse_err("input(x, f32[b + 9223372036854775807 + 1])", 37, "integer overflow in expression");
    parse_err("input(x, f32[9223372036854775808])", 13,
              "integer literal '9223372036854775808' is too large to be represented in a 64-bit integer");
    parse_err("input(x, f32[99999999999999999999999])", 13, "too large");
    parse_err("dim(n, max=1/0)", 12, "division by zero is undefined");
    parse_err("dim(n, max=1 % (2 - 2))", 13, "remainder by zero is undefined");
    parse_err("dim(n, max=b/0)", 11, "'b' is not an integer constant");
    /* INT64_MIN arises from -INT64_MAX - 1; negating or dividing it by -1 overflows */
    parse_err("dim(n, max=-(-9223372036854775807 - 1))", 11, "integer overflow");
    parse_err("dim(n, max=(-9223372036854775807 - 1) / -1)", 38, "integer overflow");
    parse_err("dim(n, max=(-9223372036854775807 - 1) - 1)", 38, "integer overflow");
    /* the remainder of INT64_MIN by -1 is 0 in mathematics; computed without trapping */
    xp_pragma p = parse_ok("dim(n, max=(-9223372036854775807 - 1) % -1)");
    ck_assert_int_eq(p.max, 0);
}
END_TEST

START_TEST(deep_nesting_is_an_error_not_a_crash) {
    char text[4096];
    int o = snprintf(text, sizeof text, "input(x, f32[");
    for (int i = 0; i < 1000; i++) text[o++] = '(';
    text[o++] = '1';
    for (int i = 0; i < 1000; i++) text[o++] = ')';
    snprintf(text + o, sizeof text - (size_t)o, "])");
    parse_err(text, 13 + 200, "expression is nested too deeply");
    o = snprintf(text, sizeof text, "dim(n, max=");
    for (int i = 0; i < 1000; i++) text[o++] = '-';
    snprintf(text + o, sizeof text - (size_t)o, "1)");
    parse_err(text, 11 + 200, "expression is nested too deeply");
    assert_dim("((((((((((1))))))))))", "", 0, 1);
}
END_TEST

START_TEST(lexical_errors_point_at_the_character) {
    parse_err("input(x, f32[@])", 13, "unexpected character '@' in xport directive");
    parse_err("input(x, f32[1.5])", 13, "floating-point constant is not allowed");
    parse_err("input(x, f32[1e3])", 13, "floating-point constant is not allowed");
    parse_err("input(x, f32[08])", 14, "invalid digit '8' in octal constant");
    parse_err("input(x, f32[8abc])", 14, "invalid suffix 'abc' on integer constant");
    parse_err("input(x, f32[0x])", 13, "expected hexadecimal digits after '0x'");
    parse_err("input(x, f32[1]) \x01", 17, "unexpected byte 0x01");
}
END_TEST

START_TEST(shape_syntax_errors) {
    /*          01234567890123456789 */
    parse_err("input(x, f32)", 12, "expected '[' after dtype 'f32' (write f32[] for a 0-d tensor), found ')'");
    parse_err("input(x, f32[1 2])", 15, "expected ',' between dims, found '2'");
    parse_err("input(x, f32[1, 2)", 17, "expected ']' after the last dim, found ')'");
    parse_err("input(x, f32[1, ])", 16, "expected an integer expression, found ']'");
    parse_err("input(x, f32[(1 + 2])", 19, "expected ')' to match the '(' in this expression, found ']'");
    parse_err("input(x f32[1])", 8, "expected ',' after input 'x', found 'f32'");
    parse_err("input(x, f32[1]", 15, "expected ')' to end the 'input' directive, found end of text");
    parse_err("input(x, f32[1]) extra", 17, "extra tokens after the 'input' directive, starting at 'extra'");
    parse_err("input(x, f32[1]);", 16, "extra tokens after the 'input' directive");
    parse_err("input(, f32[1])", 6, "expected a parameter name, found ','");
    parse_err("input x", 6, "expected '(' after 'input', found 'x'");
    /*          0         1         2
     *          012345678901234567890123456 */
    parse_err("param(f32[1,2,3,4,5,6,7,8,9])", 26, "too many dims; tensors have at most 8");
    xp_pragma p = parse_ok("param(f32[1,2,3,4,5,6,7,8])");
    ck_assert_int_eq(p.shape.ndim, 8);
}
END_TEST

START_TEST(names_longer_than_the_limit_are_errors) {
    char text[256], name[80];
    memset(name, 'n', 63);
    name[63] = '\0';
    snprintf(text, sizeof text, "dim(%s)", name);
    ck_assert_int_eq(strlen(parse_ok(text).name), 63);
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "dim(%s)", name);
    parse_err(text, 4, "names have at most 63 characters");
    snprintf(text, sizeof text, "input(x, f32[%s])", name);
    parse_err(text, 13, "names have at most 63 characters");
}
END_TEST

START_TEST(error_offset_may_be_null) {
    xp_pragma p;
    ck_assert_int_eq(xp_pragma_parse("inptu", &p, NULL), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_pragma_parse("export", &p, NULL), XP_OK);
    xp_pragma *ps;
    int n;
    ck_assert_int_eq(xp_spec_parse("dim(", &ps, &n, NULL), XP_ERR_INVALID_ARG);
    ck_assert_ptr_null(ps);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* ---- spec strings ---- */

START_TEST(spec_string_with_several_directives) {
    const char *text = "dim(batch, max=1024); input(x, f32[batch, 100]); input(y, f32[batch, 100]);";
    xp_pragma *ps;
    int n, off = 5;
    ck_assert_int_eq(xp_spec_parse(text, &ps, &n, &off), XP_OK);
    ck_assert_int_eq(off, -1);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ps[0].kind, XP_PRAGMA_DIM);
    ck_assert_int_eq(ps[0].max, 1024);
    ck_assert_int_eq(ps[0].offset, 0);
    ck_assert_int_eq(ps[0].length, 20);
    ck_assert_int_eq(ps[1].kind, XP_PRAGMA_INPUT);
    ck_assert_str_eq(ps[1].name, "x");
    ck_assert_int_eq(ps[1].offset, 22);
    ck_assert_int_eq(ps[1].name_offset, 28);
    ck_assert_int_eq(ps[1].shape.dims[0].offset, 35);
    ck_assert_str_eq(ps[2].name, "y");
    ck_assert_int_eq(ps[2].offset, 49);
    xp_pragmas_free(ps, n);

    /* without the trailing ';', and with an op whose schema must be freed */
    ck_assert_int_eq(xp_spec_parse("op(\"ns::f(Tensor x) -> Tensor\"); meta(ns::f)", &ps, &n, &off), XP_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(ps[0].schema, "ns::f(Tensor x) -> Tensor");
    ck_assert_str_eq(ps[1].name, "ns::f");
    xp_pragmas_free(ps, n);

    ck_assert_int_eq(xp_spec_parse("", &ps, &n, &off), XP_OK);
    ck_assert_int_eq(n, 0);
    xp_pragmas_free(ps, n);
}
END_TEST

START_TEST(spec_string_errors_have_absolute_offsets) {
    xp_pragma *ps = (xp_pragma *)1;
    int n = 9, off;
    /*                          0         1         2         3         4
     *                          0123456789012345678901234567890123456789012345 */
    ck_assert_int_eq(xp_spec_parse("dim(batch, max=1024); input(x, f32[batch * seq])", &ps, &n, &off),
                     XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 41);
    xpt_assert_contains(xp_last_error(), "multiplies dim name 'batch' by dim name 'seq'");
    ck_assert_ptr_null(ps);
    ck_assert_int_eq(n, 0);

    ck_assert_int_eq(xp_spec_parse("dim(a) input(x, f32[a])", &ps, &n, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 7);
    ck_assert_str_eq(xp_last_error(), "expected ';' after the 'dim' directive, found 'input'");

    ck_assert_int_eq(xp_spec_parse("dim(a);;", &ps, &n, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 7);
    xpt_assert_contains(xp_last_error(), "expected an xport directive");

    ck_assert_int_eq(xp_spec_parse(";", &ps, &n, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 0);

    /* a failure after an op directive frees its schema (checked under ASan) */
    ck_assert_int_eq(xp_spec_parse("op(\"a::b() -> Tensor\"); inptu", &ps, &n, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 24);
    ck_assert_int_eq(xp_spec_parse("op(\"a::b() -> Tensor\" x)", &ps, &n, &off), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(off, 22);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("spec");
    TCase *tc = tcase_create("directives");
    tcase_add_test(tc, export_cond_map_are_bare_words);
    tcase_add_test(tc, input_records_name_dtype_dims_and_offsets);
    tcase_add_test(tc, input_int_is_a_symbolic_int_input);
    tcase_add_test(tc, plugin_token_text_with_spaces_everywhere);
    tcase_add_test(tc, param_and_buffer_take_a_shape);
    tcase_add_test(tc, every_dtype_name_is_accepted);
    tcase_add_test(tc, dim_with_bounds_in_either_order);
    tcase_add_test(tc, dim_errors_point_at_the_key_or_bound);
    tcase_add_test(tc, op_takes_one_string_schema);
    tcase_add_test(tc, meta_takes_a_string_or_a_qualified_name);
    tcase_add_test(tc, unknown_directive_lists_the_valid_ones);
    tcase_add_test(tc, kind_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("expressions");
    tcase_add_test(tc, every_linear_dim_form_reduces);
    tcase_add_test(tc, constant_expressions_follow_c);
    tcase_add_test(tc, dim_form_errors_explain_the_allowed_forms);
    tcase_add_test(tc, overflow_and_division_by_zero_are_errors);
    tcase_add_test(tc, deep_nesting_is_an_error_not_a_crash);
    tcase_add_test(tc, lexical_errors_point_at_the_character);
    tcase_add_test(tc, shape_syntax_errors);
    tcase_add_test(tc, names_longer_than_the_limit_are_errors);
    tcase_add_test(tc, error_offset_may_be_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("spec strings");
    tcase_add_test(tc, spec_string_with_several_directives);
    tcase_add_test(tc, spec_string_errors_have_absolute_offsets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
