/* The op registry: the table is consistent, schemas parse and bind. */
#include <string.h>

#include "ops/xp_registry.h"
#include "testutil.h"

START_TEST(registry_parses_every_schema_in_the_table) {
    xp_registry_init(); /* aborts with the op's name if a row is inconsistent */
    ck_assert_int_eq(xp_op_count(), XP_OP_COUNT);
    for (int i = 0; i < xp_op_count(); i++) {
        const xp_op_def *op = xp_op_get((xp_op_id)i);
        ck_assert_ptr_nonnull(op->schema);
        ck_assert_str_eq(op->schema->name, op->name);
        ck_assert_ptr_eq(xp_op_find(op->name), op);
    }
    ck_assert_ptr_null(xp_op_find("no_such_op"));
    ck_assert_ptr_null(xp_op_get(XP_OP_COUNT));
}
END_TEST

START_TEST(registry_lists_the_foundation_ops) {
    static const char *const names[] = {
        "add", "sub", "mul", "div", "neg", "abs", "exp", "log", "sqrt", "rsqrt", "pow", "sin", "cos", "tanh",
        "sigmoid", "relu", "relu_", "gelu", "silu", "eq", "ne", "lt", "le", "gt", "ge", "where", "sum", "mean",
        "amax", "amin", "argmax", "softmax", "log_softmax", "mm", "bmm", "matmul", "addmm", "linear", "t",
        "transpose", "permute", "reshape", "view", "flatten", "unsqueeze", "squeeze", "expand", "contiguous",
        "slice", "select", "cat", "stack", "copy_", "slice_scatter", "select_scatter", "embedding", "layer_norm",
        "batch_norm", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "scaled_dot_product_attention",
        "to", "full", "zeros", "ones", "arange"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        ck_assert_msg(xp_op_find(names[i]) != NULL, "op %s missing from ops.def", names[i]);
}
END_TEST

START_TEST(registry_flags_follow_alias_annotations) {
    const xp_op_def *relu_ = xp_op_find("relu_");
    ck_assert(relu_->flags & XP_OP_MUTABLE);
    ck_assert_int_eq(relu_->functional, XP_OP_relu);
    ck_assert(xp_op_find("slice")->flags & XP_OP_VIEW);
    ck_assert(!(xp_op_find("add")->flags & (XP_OP_VIEW | XP_OP_MUTABLE)));
    ck_assert(xp_op_find("add")->flags & XP_OP_CORE);
    ck_assert(!(xp_op_find("linear")->flags & XP_OP_CORE));
}
END_TEST

START_TEST(schema_parses_defaults_and_kwargs) {
    xp_schema s;
    ck_assert_int_eq(xp_schema_parse("conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, "
                                     "int[2] padding=0, int groups=1, *, float? scale=None, bool flag=True) -> Tensor",
                                     &s),
                     XP_OK);
    ck_assert_int_eq(s.nargs, 8);
    ck_assert_str_eq(s.args[3].name, "stride");
    ck_assert_int_eq(s.args[3].kind, XP_ARG_INT_LIST);
    ck_assert_int_eq(s.args[3].fixed_len, 2);
    ck_assert_int_eq(s.args[3].default_value.il.n, 2);
    ck_assert_int_eq(s.args[3].default_value.il.v[1], 1);
    ck_assert(s.args[2].optional);
    ck_assert_int_eq(s.args[2].default_value.kind, XP_ARG_NONE);
    ck_assert(s.args[6].kwarg_only);
    ck_assert(s.args[7].default_value.b);
    ck_assert_int_eq(xp_schema_arg_index(&s, "groups"), 5);
    ck_assert_int_eq(xp_schema_parse("my_lib::op(Tensor(a!) x) -> Tensor(a!)", &s), XP_OK);
    ck_assert_str_eq(s.name, "my_lib::op");
    ck_assert(s.args[0].is_write);
    ck_assert_int_eq(xp_schema_parse("split(Tensor x) -> (Tensor, Tensor)", &s), XP_OK);
    ck_assert_int_eq(s.nrets, 2);
}
END_TEST

START_TEST(schema_errors_name_the_column) {
    xp_schema s;
    ck_assert_int_eq(xp_schema_parse("add(Tensor self, Tnsor other) -> Tensor", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "column 18: unknown type");
    ck_assert_int_eq(xp_schema_parse("add(Tensor self) Tensor", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "expected '->'");
    ck_assert_int_eq(xp_schema_parse("f(Tensor x, int y=None) -> Tensor", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "default None needs an optional type");
    ck_assert_int_eq(xp_schema_parse("f(Tensor x) -> Tensor(a!)", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "alias annotation matches no argument");
    ck_assert_int_eq(xp_schema_parse("f(Tensor x, Tensor x) -> Tensor", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "duplicate argument name");
    ck_assert_int_eq(xp_schema_parse("f(int a=1, int b) -> Tensor", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "without a default follows");
    ck_assert_int_eq(xp_schema_parse("f(Tensor x) -> Tensor trailing junk", &s), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "unexpected text");
}
END_TEST

START_TEST(bind_fills_defaults_and_checks_kinds) {
    const xp_op_def *slice = xp_op_find("slice");
    xp_meta m = {XP_F32, 1, {4}};
    xp_arg args[2] = {{.kind = XP_ARG_TENSOR, .t = &m}, xp_arg_int(0)};
    xp_arg full[XP_MAX_OP_ARGS];
    ck_assert_int_eq(xp_schema_bind(slice, args, 2, full), XP_OK);
    ck_assert_int_eq(full[2].kind, XP_ARG_NONE);
    ck_assert_int_eq(full[4].kind, XP_ARG_INT);
    ck_assert_int_eq(full[4].i, 1);

    xp_arg bad[2] = {{.kind = XP_ARG_TENSOR, .t = &m}, xp_arg_float(1.5)};
    ck_assert_int_eq(xp_schema_bind(slice, bad, 2, full), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "slice: argument 'dim' must be an int (int), got a float");

    const xp_op_def *add = xp_op_find("add");
    ck_assert_int_eq(xp_schema_bind(add, args, 1, full), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "add: missing argument 'other'");
    xp_arg nul[2] = {{.kind = XP_ARG_TENSOR, .t = &m}, xp_arg_none()};
    ck_assert_int_eq(xp_schema_bind(add, nul, 2, full), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "add: argument 'other' is NULL");

    const xp_op_def *conv = xp_op_find("conv2d");
    xp_dim three[3] = {1, 1, 1};
    xp_arg c[4] = {{.kind = XP_ARG_TENSOR, .t = &m}, {.kind = XP_ARG_TENSOR, .t = &m}, xp_arg_none(),
                   xp_arg_ints(3, three)};
    ck_assert_int_eq(xp_schema_bind(conv, c, 4, full), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "argument 'stride' must have 2 elements, got 3");
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, registry_parses_every_schema_in_the_table);
    tcase_add_test(tc, registry_lists_the_foundation_ops);
    tcase_add_test(tc, registry_flags_follow_alias_annotations);
    tcase_add_test(tc, schema_parses_defaults_and_kwargs);
    tcase_add_test(tc, schema_errors_name_the_column);
    tcase_add_test(tc, bind_fills_defaults_and_checks_kinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
