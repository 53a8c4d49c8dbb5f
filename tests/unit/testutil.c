#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/xp_tensor_impl.h"

uint64_t xpt_rand_u64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double xpt_rand_uniform(uint64_t *state, double lo, double hi) {
    return lo + (hi - lo) * ((double)(xpt_rand_u64(state) >> 11) / (double)(1ull << 53));
}

int64_t xpt_rand_int(uint64_t *state, int64_t lo, int64_t hi) {
    return lo + (int64_t)(xpt_rand_u64(state) % (uint64_t)(hi - lo + 1));
}

xp_tensor *xpt_random_layout(uint64_t *s, xp_dtype dt, int nd, const int64_t *shape, double lo, double hi) {
    int64_t base[XP_MAX_DIMS];
    memcpy(base, shape, (size_t)nd * sizeof *base);
    int mode = (int)xpt_rand_int(s, 0, 3);
    if (mode == 1 && nd >= 2) {
        int d0 = (int)xpt_rand_int(s, 0, nd - 1), d1 = (int)xpt_rand_int(s, 0, nd - 1);
        int64_t t = base[d0];
        base[d0] = base[d1], base[d1] = t;
        return xp_transpose(xpt_random(s, dt, nd, base, lo, hi), d0, d1);
    }
    if (mode == 2 && nd >= 1) {
        int d = (int)xpt_rand_int(s, 0, nd - 1);
        base[d] = 2 * shape[d];
        return xp_slice(xpt_random(s, dt, nd, base, lo, hi), d, 0, XP_END, 2);
    }
    if (mode == 3 && nd >= 1) {
        int d = (int)xpt_rand_int(s, 0, nd - 1);
        base[d] = 1;
        return xp_expand(xpt_random(s, dt, nd, base, lo, hi), nd, shape);
    }
    return xpt_random(s, dt, nd, shape, lo, hi);
}

xp_tensor *xpt_random(uint64_t *state, xp_dtype dt, int ndim, const int64_t *shape, double lo, double hi) {
    xp_tensor *t = xp_tensor_new(dt, ndim, shape);
    ck_assert_msg(t != NULL, "xp_tensor_new: %s", xp_last_error());
    int64_t n = xp_numel(t);
    char *p = xp_data(t);
    size_t es = xp_dtype_size(dt);
    for (int64_t i = 0; i < n; i++) {
        double v = xpt_rand_uniform(state, lo, hi);
        if (dt == XP_BOOL) v = v > (lo + hi) / 2;
        else if (!xp_dtype_is_float(dt)) v = floor(v);
        xp_store_f64(dt, p + (size_t)i * es, v);
    }
    return t;
}

double xpt_get(const xp_tensor *t, const int64_t *idx) {
    return xp_load_f64(t->meta.dtype, xp_tensor_at(t, idx));
}

double xpt_get_flat(const xp_tensor *t, int64_t i) {
    int64_t idx[XP_MAX_DIMS];
    for (int d = t->meta.ndim - 1; d >= 0; d--) {
        idx[d] = t->meta.shape[d] ? i % t->meta.shape[d] : 0;
        i = t->meta.shape[d] ? i / t->meta.shape[d] : 0;
    }
    return xpt_get(t, idx);
}

void xpt_assert_shape_(const xp_tensor *t, int ndim, const int64_t *shape, const char *file, int line) {
    ck_assert_msg(t != NULL, "%s:%d: tensor is NULL: %s", file, line, xp_last_error());
    ck_assert_msg(xp_ndim(t) == ndim, "%s:%d: ndim %d, expected %d", file, line, xp_ndim(t), ndim);
    for (int d = 0; d < ndim; d++)
        ck_assert_msg(xp_size(t, d) == shape[d], "%s:%d: dim %d is %lld, expected %lld", file, line, d,
                      (long long)xp_size(t, d), (long long)shape[d]);
}

/* Checks every element but asserts only on the first failure: Check logs
 * each passing ck_assert, which costs more than the comparison itself. */
void xpt_assert_close_(const xp_tensor *got, const xp_tensor *want, double rtol, double atol, const char *file,
                       int line) {
    ck_assert_msg(got != NULL, "%s:%d: result is NULL: %s", file, line, xp_last_error());
    xpt_assert_shape_(got, want->meta.ndim, want->meta.shape, file, line);
    int64_t n = xp_numel(want);
    for (int64_t i = 0; i < n; i++) {
        double g = xpt_get_flat(got, i), w = xpt_get_flat(want, i);
        bool ok = isnan(w) ? isnan(g) : isinf(w) ? g == w : fabs(g - w) <= atol + rtol * fabs(w);
        if (!ok)
            ck_abort_msg("%s:%d: element %lld is %.9g, expected %.9g (rtol %g, atol %g)", file, line, (long long)i, g,
                         w, rtol, atol);
    }
}

const char *xpt_tmpdir(void) {
    static char dir[256];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/xpt.XXXXXX");
        if (!mkdtemp(dir)) { perror("mkdtemp"); abort(); }
    }
    return dir;
}

char *xpt_tmp_path(const char *name) {
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", xpt_tmpdir(), name);
    return p;
}

void xpt_write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
    if (n) ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

unsigned char *xpt_read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    ck_assert_msg(len >= 0, "ftell %s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    unsigned char *buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    buf[len] = '\0';
    if (n) *n = (size_t)len;
    return buf;
}

int xpt_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
