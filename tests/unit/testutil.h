/*
 * Shared helpers for the Check unit tests: seeded random tensors, reading
 * elements as double, comparing against a plain double-precision reference,
 * and a main() that runs one suite.
 */
#ifndef XP_TESTUTIL_H
#define XP_TESTUTIL_H

#include <check.h>
#include <math.h>
#include <stdint.h>

#include "xport.h"

/* Deterministic PRNG (splitmix64) so failures reproduce. */
uint64_t xpt_rand_u64(uint64_t *state);
/* Uniform in [lo, hi). */
double xpt_rand_uniform(uint64_t *state, double lo, double hi);

/* Uniform integer in [lo, hi] (inclusive). */
int64_t xpt_rand_int(uint64_t *state, int64_t lo, int64_t hi);

/* A contiguous tensor of `dt` filled with uniform values in [lo, hi)
 * (rounded for integer dtypes; bool is random 0/1). */
xp_tensor *xpt_random(uint64_t *state, xp_dtype dt, int ndim, const int64_t *shape, double lo, double hi);

/* A random tensor with the given logical shape in a random layout:
 * contiguous, transposed, sliced with step 2, or expanded from size 1
 * (kernels must accept every layout). */
xp_tensor *xpt_random_layout(uint64_t *state, xp_dtype dt, int ndim, const int64_t *shape, double lo, double hi);

/* Element at multi-index `idx` (through strides) as double. */
double xpt_get(const xp_tensor *t, const int64_t *idx);
/* Element at flat C-order position `i` (through strides) as double. */
double xpt_get_flat(const xp_tensor *t, int64_t i);

/* Asserts same shape and |got - want| <= atol + rtol * |want| everywhere;
 * NaNs must match. Fails the test naming the first differing index. */
void xpt_assert_close_(const xp_tensor *got, const xp_tensor *want, double rtol, double atol,
                       const char *file, int line);
#define xpt_assert_close(got, want, rtol, atol) xpt_assert_close_(got, want, rtol, atol, __FILE__, __LINE__)

/* Asserts the shape equals the given dims. */
void xpt_assert_shape_(const xp_tensor *t, int ndim, const int64_t *shape, const char *file, int line);
#define xpt_assert_shape(t, ...) xpt_assert_shape_(t, XP_DIMS(__VA_ARGS__), __FILE__, __LINE__)

/* Asserts that `msg` contains `needle`. */
#define xpt_assert_contains(msg, needle)                                                            \
    ck_assert_msg(strstr((msg), (needle)) != NULL, "expected message to contain \"%s\", got \"%s\"", \
                  (needle), (msg))

/* A temporary directory for the test (removed by the OS's tmp cleaner). */
const char *xpt_tmpdir(void);
/* xpt_tmpdir()/name, in one of 8 rotating static buffers. */
char *xpt_tmp_path(const char *name);
/* Writes / reads a whole file, failing the test on any I/O error. The
 * buffer read is malloc'd and NUL-terminated (n excludes the NUL). */
void xpt_write_file(const char *path, const void *data, size_t n);
unsigned char *xpt_read_file(const char *path, size_t *n);

/* Runs one suite; returns the process exit status. */
int xpt_run_suite(Suite *s);

#endif
