/*
 * The CPU thread count: XP_NUM_THREADS, else OMP_NUM_THREADS, else the
 * core count; bad values are ignored with one warning; xp_set_num_threads
 * overrides and 0 restores the default.
 *
 * The environment is read once per process, so every case runs in a forked
 * child with its own environment; stderr comes back through a pipe. The
 * parent never asks for the thread count itself.
 */
#define _POSIX_C_SOURCE 200809L /* fork, pipe, setenv */

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

typedef struct child_result {
    int first, second; /* xp_num_threads() twice */
    int after_set;     /* after xp_set_num_threads(set) (when set != -1) */
    int after_reset;   /* after xp_set_num_threads(0) */
    char err[1024];    /* what the child wrote to stderr */
} child_result;

static void set_or_unset(const char *name, const char *value) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
}

static void read_all(int fd, char *buf, size_t cap) {
    size_t len = 0;
    ssize_t n;
    while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0) len += (size_t)n;
    buf[len] = '\0';
}

static child_result run_child(const char *xp_env, const char *omp_env, int set) {
    int out[2], err[2];
    ck_assert(pipe(out) == 0 && pipe(err) == 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        set_or_unset("XP_NUM_THREADS", xp_env);
        set_or_unset("OMP_NUM_THREADS", omp_env);
        dup2(err[1], 2);
        child_result r = {0};
        r.first = xp_num_threads();
        r.second = xp_num_threads();
        if (set != -1) {
            xp_set_num_threads(set);
            r.after_set = xp_num_threads();
            xp_set_num_threads(0);
            r.after_reset = xp_num_threads();
        }
        ssize_t w = write(out[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(out[1]);
    close(err[1]);
    child_result r;
    ck_assert(read(out[0], &r, sizeof r) == (ssize_t)sizeof r);
    read_all(err[0], r.err, sizeof r.err);
    close(out[0]);
    close(err[0]);
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return r;
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

START_TEST(default_is_the_core_count) {
    child_result r = run_child(NULL, NULL, -1);
    ck_assert_int_eq(r.first, omp_get_num_procs());
    ck_assert_str_eq(r.err, "");
}
END_TEST

START_TEST(xp_num_threads_beats_omp_num_threads) {
    child_result r = run_child("3", "5", -1);
    ck_assert_int_eq(r.first, 3);
    r = run_child(NULL, "5", -1);
    ck_assert_int_eq(r.first, 5);
    r = run_child(NULL, "6,2", -1); /* OpenMP's nesting list: the first level */
    ck_assert_int_eq(r.first, 6);
    r = run_child(" 7 ", NULL, -1);
    ck_assert_int_eq(r.first, 7);
}
END_TEST

START_TEST(invalid_values_are_ignored_with_one_warning) {
    const char *bad[] = {"abc", "0", "-4", "3x", "", "99999999999", "1.5"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        child_result r = run_child(bad[k], "2", -1);
        ck_assert_msg(r.first == 2 && r.second == 2, "XP_NUM_THREADS='%s' gave %d", bad[k], r.first);
        ck_assert_int_eq(count(r.err, "ignoring XP_NUM_THREADS"), 1);
        xpt_assert_contains(r.err, bad[k]);
    }
    child_result r = run_child(NULL, "lots", -1);
    ck_assert_int_eq(r.first, omp_get_num_procs());
    ck_assert_int_eq(count(r.err, "ignoring OMP_NUM_THREADS='lots'"), 1);
}
END_TEST

START_TEST(set_num_threads_overrides_and_zero_restores_the_default) {
    child_result r = run_child("3", NULL, 2);
    ck_assert_int_eq(r.after_set, 2);
    ck_assert_int_eq(r.after_reset, 3);
    r = run_child("3", NULL, 11);
    ck_assert_int_eq(r.after_set, 11);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_threads");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, default_is_the_core_count);
    tcase_add_test(tc, xp_num_threads_beats_omp_num_threads);
    tcase_add_test(tc, invalid_values_are_ignored_with_one_warning);
    tcase_add_test(tc, set_num_threads_overrides_and_zero_restores_the_default);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
