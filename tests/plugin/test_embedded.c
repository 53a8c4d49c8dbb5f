/* xp_program_load_embedded: finding a program in the "xport_programs"
 * section the plugin fills (runtime/exec/embedded.c). The sections here are
 * built in memory, byte for byte as the linker lays them out; every buffer
 * is malloc'd to its exact size, so ASan proves the scan never reads past
 * `end`. */
#include <stdlib.h>
#include <string.h>

#include "ir/xp_ir.h"
#include "testutil.h"

/* A program named `name`: relu of one f32[2] input, as JSON. */
static char *program_json(const char *name) {
    xp_program *p = xp_program_new(name);
    int32_t x, y;
    ck_assert_int_eq(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){2}, &x), XP_OK);
    ck_assert_int_eq(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &y), XP_OK);
    ck_assert_int_eq(xp_program_add_output(p, XP_OUT_USER_OUTPUT, y, NULL), XP_OK);
    char *json = NULL;
    ck_assert_int_eq(xp_program_to_json(p, &json, NULL), XP_OK);
    xp_program_free(p);
    return json;
}

/* A section under construction: entries and padding, appended in order. */
typedef struct section {
    char *bytes;
    size_t len;
} section;

static void put(section *s, const void *data, size_t n) {
    s->bytes = realloc(s->bytes, s->len + n);
    ck_assert_ptr_nonnull(s->bytes);
    memcpy(s->bytes + s->len, data, n);
    s->len += n;
}

static void pad(section *s, size_t n) {
    char zeros[64] = {0};
    put(s, zeros, n);
}

/* The entry exactly as plugin/emit.cpp embeds it. */
static void entry(section *s, const char *name, const char *source, const char *json) {
    put(s, "XPORT-PROGRAM v1", 17); /* with its NUL */
    put(s, name, strlen(name) + 1);
    put(s, source, strlen(source) + 1);
    put(s, json, strlen(json) + 1);
}

static xp_embedded in(const section *s, const char *name) {
    xp_embedded e = {name, s->bytes, s->bytes + s->len};
    return e;
}

START_TEST(load_finds_the_named_program_between_padded_entries) {
    char *a = program_json("encoder"), *b = program_json("forward");
    section s = {0};
    pad(&s, 3);
    entry(&s, "encoder", "enc.c", a);
    pad(&s, 13); /* the next object's array is aligned */
    entry(&s, "forward", "model.c", b);
    pad(&s, 7);
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), &p), XP_OK);
    ck_assert_str_eq(xp_program_name(p), "forward");
    xp_program_free(p);
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "encoder"), &p), XP_OK);
    ck_assert_str_eq(xp_program_name(p), "encoder");
    xp_program_free(p);
    free(s.bytes);
    free(a);
    free(b);
}
END_TEST

START_TEST(load_without_section_says_how_to_export) {
    xp_program *p = (xp_program *)&p;
    xp_embedded none = {"forward", NULL, NULL};
    ck_assert_int_eq(xp_program_load_embedded(none, &p), XP_ERR_NOT_FOUND);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(xp_last_error(), "forward was not exported: compile the file that defines it with "
                                      "-fplugin=xport.so (xport-cc does this)");
}
END_TEST

START_TEST(program_macro_in_a_binary_without_exports_is_empty) {
    /* Nothing in this test binary was compiled with the plugin: the weak
     * section bounds are NULL, and loading says so (no link error). */
    xp_embedded e = XP_PROGRAM(forward);
    ck_assert_str_eq(e.name, "forward");
    ck_assert_ptr_null(e.begin);
    ck_assert_ptr_null(e.end);
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(e, &p), XP_ERR_NOT_FOUND);
    xpt_assert_contains(xp_last_error(), "forward was not exported");
}
END_TEST

START_TEST(load_of_a_missing_name_lists_the_exported_ones) {
    section s = {0};
    entry(&s, "encoder", "enc.c", "{}");
    pad(&s, 2);
    entry(&s, "decoder", "dec.c", "{}");
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), &p), XP_ERR_NOT_FOUND);
    ck_assert_str_eq(xp_last_error(), "forward was not exported: compile the file that defines it with "
                                      "-fplugin=xport.so (xport-cc does this); exported programs here: "
                                      "encoder, decoder");
    free(s.bytes);
}
END_TEST

START_TEST(load_of_a_name_embedded_twice_names_both_sources) {
    section s = {0};
    entry(&s, "forward", "a/model.c", "{}");
    pad(&s, 4);
    entry(&s, "forward", "b/model.c", "{}");
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), &p), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "program 'forward' is embedded twice in this binary, from a/model.c "
                                         "and from b/model.c");
    ck_assert_ptr_null(p);
    free(s.bytes);
}
END_TEST

START_TEST(load_rejects_a_truncated_entry_without_reading_past_the_end) {
    section full = {0};
    entry(&full, "forward", "model.c", "{\"format\": 1}");
    /* Every cut inside the entry: no terminating NUL where one is needed. */
    for (size_t cut = 1; cut < full.len; cut++) {
        char *bytes = malloc(cut);
        memcpy(bytes, full.bytes, cut);
        xp_embedded e = {"forward", bytes, bytes + cut};
        xp_program *p = NULL;
        xp_status st = xp_program_load_embedded(e, &p);
        ck_assert_msg(st == XP_ERR_FORMAT, "cut at %zu: status %s (%s)", cut, xp_status_name(st), xp_last_error());
        xpt_assert_contains(xp_last_error(), "section xport_programs is corrupt");
        free(bytes);
    }
    free(full.bytes);
}
END_TEST

START_TEST(load_rejects_bytes_that_are_not_an_entry) {
    section s = {0};
    entry(&s, "encoder", "enc.c", "{}");
    put(&s, "garbage", 7);
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), &p), XP_ERR_FORMAT);
    char want[128];
    snprintf(want, sizeof want, "byte %zu does not start an embedded program", s.len - 7);
    xpt_assert_contains(xp_last_error(), want);
    free(s.bytes);
}
END_TEST

START_TEST(load_rejects_a_newer_entry_format_by_name) {
    section s = {0};
    put(&s, "XPORT-PROGRAM v2", 17);
    put(&s, "forward", 8);
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), &p), XP_ERR_FORMAT);
    xpt_assert_contains(xp_last_error(), "has format 'XPORT-PROGRAM v2', but this runtime reads 'XPORT-PROGRAM v1'");
    free(s.bytes);
}
END_TEST

START_TEST(load_reports_a_bad_program_with_its_source) {
    section s = {0};
    entry(&s, "forward", "model.c", "{\"not\": \"a program\"}");
    xp_program *p = NULL;
    ck_assert_int_ne(xp_program_load_embedded(in(&s, "forward"), &p), XP_OK);
    ck_assert_ptr_null(p);
    xpt_assert_contains(xp_last_error(), "embedded program 'forward' (from model.c): ");
    free(s.bytes);
}
END_TEST

START_TEST(load_checks_its_arguments) {
    section s = {0};
    entry(&s, "forward", "model.c", "{}");
    xp_program *p = NULL;
    ck_assert_int_eq(xp_program_load_embedded(in(&s, "forward"), NULL), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_program_load_embedded(in(&s, NULL), &p), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_program_load_embedded(in(&s, ""), &p), XP_ERR_INVALID_ARG);
    free(s.bytes);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("embedded");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, load_finds_the_named_program_between_padded_entries);
    tcase_add_test(tc, load_without_section_says_how_to_export);
    tcase_add_test(tc, program_macro_in_a_binary_without_exports_is_empty);
    tcase_add_test(tc, load_of_a_missing_name_lists_the_exported_ones);
    tcase_add_test(tc, load_of_a_name_embedded_twice_names_both_sources);
    tcase_add_test(tc, load_rejects_a_truncated_entry_without_reading_past_the_end);
    tcase_add_test(tc, load_rejects_bytes_that_are_not_an_entry);
    tcase_add_test(tc, load_rejects_a_newer_entry_format_by_name);
    tcase_add_test(tc, load_reports_a_bad_program_with_its_source);
    tcase_add_test(tc, load_checks_its_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
