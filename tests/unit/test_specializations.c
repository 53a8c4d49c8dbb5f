/*
 * Specializations (runtime/ir/specialization.c): the size-dependent
 * branches the declared ranges decided at export time — recorded on the
 * program, printed by `xport show` after the range constraints, written to
 * and read from the .xpg file (an optional key: files without it load, and
 * a program without any prints and saves exactly as before).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/xp_ir.h"
#include "testutil.h"

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static void fails_with(xp_status st, xp_status want, const char *needle) {
    ck_assert_msg(st == want, "expected status %d, got %d: %s", (int)want, (int)st, xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
}

static char *print_to_string(const xp_program *p) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_ptr_nonnull(f);
    xp_program_print(p, f);
    fclose(f);
    return buf;
}

/* The JSON text, malloc'd. (Returned through a heap cell: GCC 12's
 * -Wdangling-pointer mistakes `return text` after `&text` escaped into a
 * call for a pointer to the local itself.) */
static char *to_json(const xp_program *p) {
    char **cell = malloc(sizeof *cell);
    ck_assert_ptr_nonnull(cell);
    ok(xp_program_to_json(p, cell, NULL));
    char *text = *cell;
    free(cell);
    return text;
}

/* DynamicShapesExample3 after its fixes: the `if` on x.shape[0] <= 16 was
 * decided by max=16, so only x @ y[:, :16] was captured. */
static xp_program *example3(void) {
    xp_program *p = xp_program_new("forward");
    ck_assert_ptr_nonnull(p);
    xp_dim x0 = xp_sym_new(p->syms, "inp4_dim0", 0, 16);
    xp_dim x1 = xp_sym_new(p->syms, "inp4_dim1", 0, XP_SYM_MAX_DEFAULT);
    xp_dim y1 = xp_sym_new(p->syms, "inp5_dim1", 16, XP_SYM_MAX_DEFAULT);
    int32_t f = xp_program_file(p, "model.c");
    int32_t x, y, ys, mm;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){x0, x1}, &x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){x1, y1}, &y));
    ok(xp_graph_add_node(p->graph, XP_OP_slice,
                         (xp_narg[]){xp_narg_value(y), xp_narg_int(1), xp_narg_int(0), xp_narg_int(16), xp_narg_int(1)},
                         5, (xp_srcloc){f, 13, 29}, &ys));
    ok(xp_graph_add_node(p->graph, XP_OP_matmul, (xp_narg[]){xp_narg_value(x), xp_narg_value(ys)}, 2,
                         (xp_srcloc){f, 13, 16}, &mm));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, mm, NULL));
    return p;
}

#define SPEC_TEXT "'xp_size(x, 0) <= 16' is true for inp4_dim0 in [0, 16]"

START_TEST(show_lists_specializations_after_range_constraints) {
    xp_program *p = example3();
    char *before = print_to_string(p);
    ck_assert_ptr_null(strstr(before, "specializations:"));
    ok(xp_program_add_specialization(p, (xp_srcloc){0, 12, 9}, SPEC_TEXT));
    ok(xp_program_add_specialization(p, XP_NO_LOC, "'xp_size(y, 1) >= 16' is true for inp5_dim1 in [16, inf]"));
    ck_assert_int_eq(p->nspecs, 2);
    char *after = print_to_string(p);
    const char *ranges = strstr(after, "range constraints:\n");
    const char *specs = strstr(after, "specializations:\n");
    ck_assert_ptr_nonnull(ranges);
    ck_assert_ptr_nonnull(specs);
    ck_assert(specs > ranges);
    ck_assert_str_eq(specs, "specializations:\n"
                            "  model.c:12:9: " SPEC_TEXT "\n"
                            "  'xp_size(y, 1) >= 16' is true for inp5_dim1 in [16, inf]\n");
    /* everything before the new section is what it was */
    ck_assert_int_eq(strncmp(after, before, strlen(before)), 0);
    ck_assert_uint_eq(strlen(before), (size_t)(specs - after));
    free(before);
    free(after);
    xp_program_free(p);
}
END_TEST

START_TEST(specializations_round_trip_through_json) {
    xp_program *p = example3();
    char *plain = to_json(p);
    ck_assert_ptr_null(strstr(plain, "specializations"));
    ok(xp_program_add_specialization(p, (xp_srcloc){0, 12, 9}, SPEC_TEXT));
    ok(xp_program_add_specialization(p, XP_NO_LOC, "a \"quoted\" text"));
    char *text = to_json(p);
    xpt_assert_contains(text, "\"specializations\": [\n    {\"loc\": [0, 12, 9], \"text\": \"'xp_size(x, 0) <= 16'");
    xpt_assert_contains(text, "{\"loc\": null, \"text\": \"a \\\"quoted\\\" text\"}");
    /* the file without specializations is the same text up to "outputs" */
    const char *outputs = strstr(plain, "\"outputs\": [");
    ck_assert_ptr_nonnull(outputs);
    size_t prefix = (size_t)(outputs - plain);
    ck_assert_int_eq(memcmp(text, plain, prefix), 0);

    xp_program *q;
    ok(xp_program_load_json(text, strlen(text), &q));
    ck_assert_int_eq(q->nspecs, 2);
    ck_assert_str_eq(q->specs[0].text, SPEC_TEXT);
    ck_assert_int_eq(q->specs[0].loc.file, 0);
    ck_assert_int_eq(q->specs[0].loc.line, 12);
    ck_assert_int_eq(q->specs[0].loc.col, 9);
    ck_assert_str_eq(q->specs[1].text, "a \"quoted\" text");
    ck_assert_int_eq(q->specs[1].loc.file, -1);
    char *again = to_json(q);
    ck_assert_str_eq(again, text);
    char *shown_p = print_to_string(p), *shown_q = print_to_string(q);
    ck_assert_str_eq(shown_q, shown_p);
    free(shown_p);
    free(shown_q);
    free(again);
    free(text);
    free(plain);
    xp_program_free(q);
    xp_program_free(p);
}
END_TEST

START_TEST(files_without_specializations_still_load) {
    xp_program *p = example3();
    char *text = to_json(p);
    xp_program *q;
    ok(xp_program_load_json(text, strlen(text), &q));
    ck_assert_int_eq(q->nspecs, 0);
    ck_assert_ptr_null(q->specs);
    xp_program_free(q);
    free(text);
    xp_program_free(p);
}
END_TEST

/* Replaces the outputs' closing with a specializations entry made of `entry`. */
static char *with_specs(const char *plain, const char *specs_json) {
    const char *end = strrchr(plain, ']'); /* the end of "outputs" */
    ck_assert_ptr_nonnull(end);
    size_t head = (size_t)(end - plain) + 1;
    size_t n = head + strlen(specs_json) + 64;
    char *s = malloc(n);
    snprintf(s, n, "%.*s,\n  \"specializations\": %s\n}\n", (int)head, plain, specs_json);
    return s;
}

START_TEST(malformed_specializations_are_rejected_with_their_path) {
    xp_program *p = example3(), *q = NULL;
    char *plain = to_json(p);
    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"{}", "(top level): \"specializations\" must be an array, not an object"},
        {"[1]", "specializations[0]: expected an object, not an integer"},
        {"[{\"loc\": null}]", "specializations[0]: missing \"text\""},
        {"[{\"text\": 5}]", "specializations[0]: \"text\" must be a string, not an integer"},
        {"[{\"text\": \"\"}]", "specializations[0]: empty \"text\""},
        {"[{\"loc\": [3, 1, 1], \"text\": \"t\"}]", "specializations[0].loc: file index 3 is out of range (1 file)"},
        {"[{\"loc\": \"here\", \"text\": \"t\"}]", "specializations[0].loc: expected [file, line, column] or null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = with_specs(plain, cases[i].json);
        fails_with(xp_program_load_json(text, strlen(text), &q), XP_ERR_FORMAT, cases[i].needle);
        ck_assert_ptr_null(q);
        free(text);
    }
    char *good = with_specs(plain, "[{\"text\": \"t\"}]"); /* loc may be absent */
    ok(xp_program_load_json(good, strlen(good), &q));
    ck_assert_int_eq(q->nspecs, 1);
    ck_assert_int_eq(q->specs[0].loc.file, -1);
    xp_program_free(q);
    free(good);
    good = with_specs(plain, "null"); /* like an absent key */
    ok(xp_program_load_json(good, strlen(good), &q));
    ck_assert_int_eq(q->nspecs, 0);
    xp_program_free(q);
    free(good);
    free(plain);
    xp_program_free(p);
}
END_TEST

START_TEST(add_specialization_checks_its_arguments) {
    xp_program *p = example3();
    fails_with(xp_program_add_specialization(NULL, XP_NO_LOC, "t"), XP_ERR_INVALID_ARG, "program is NULL");
    fails_with(xp_program_add_specialization(p, XP_NO_LOC, NULL), XP_ERR_INVALID_ARG, "text is empty");
    fails_with(xp_program_add_specialization(p, XP_NO_LOC, ""), XP_ERR_INVALID_ARG, "text is empty");
    fails_with(xp_program_add_specialization(p, (xp_srcloc){5, 1, 1}, "t"), XP_ERR_INVALID_ARG,
               "file index 5 is out of range (1 file)");
    ck_assert_int_eq(p->nspecs, 0);
    /* the text is copied */
    char buf[] = "'n > 0' is true for n in [1, 8]";
    ok(xp_program_add_specialization(p, XP_NO_LOC, buf));
    buf[1] = 'X';
    ck_assert_str_eq(p->specs[0].text, "'n > 0' is true for n in [1, 8]");
    xp_program_free(p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("specializations");
    TCase *tc = tcase_create("specializations");
    tcase_add_test(tc, show_lists_specializations_after_range_constraints);
    tcase_add_test(tc, specializations_round_trip_through_json);
    tcase_add_test(tc, files_without_specializations_still_load);
    tcase_add_test(tc, malformed_specializations_are_rejected_with_their_path);
    tcase_add_test(tc, add_specialization_checks_its_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
