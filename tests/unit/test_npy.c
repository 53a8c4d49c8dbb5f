/* .npy reading and writing: round trips for every dtype NumPy shares with
 * xport, the legal header spellings, every malformed file rejected with a
 * status and a message (never a crash), and a cross-check against NumPy
 * itself when it is installed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

/* ---- helpers ---- */

/* A .npy file of the given version with `header` verbatim (its length in
 * the length field) followed by `data_len` bytes counting 0, 1, 2, ... */
static void write_npy(const char *path, int major, int minor, const char *header, size_t data_len) {
    size_t hl = strlen(header), pre = major == 1 ? 10 : 12;
    size_t n = pre + hl + data_len;
    unsigned char *buf = malloc(n);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = (unsigned char)minor;
    for (size_t i = 0; i < pre - 8; i++) buf[8 + i] = (unsigned char)(hl >> (8 * i));
    memcpy(buf + pre, header, hl);
    for (size_t i = 0; i < data_len; i++) buf[pre + hl + i] = (unsigned char)i;
    xpt_write_file(path, buf, n);
    free(buf);
}

static void assert_load_fails(const char *path, xp_status st, const char *p1, const char *p2) {
    xp_tensor *t = (xp_tensor *)0x1;
    xp_status got = xp_npy_load(path, &t);
    ck_assert_msg(got == st, "status %s, expected %s (message: %s)", xp_status_name(got), xp_status_name(st),
                  xp_last_error());
    ck_assert_ptr_null(t);
    if (p1) xpt_assert_contains(xp_last_error(), p1);
    if (p2) xpt_assert_contains(xp_last_error(), p2);
    xpt_assert_contains(xp_last_error(), path);
}

/* Writes a version 1.0 file with `header` + "\n" and loads it, expecting
 * failure. */
static void assert_header_fails(const char *dict, size_t data_len, xp_status st, const char *p1, const char *p2) {
    char header[512];
    snprintf(header, sizeof header, "%s\n", dict);
    const char *path = xpt_tmp_path("bad.npy");
    write_npy(path, 1, 0, header, data_len);
    assert_load_fails(path, st, p1, p2);
}

static xp_tensor *load_ok(const char *path) {
    xp_tensor *t = NULL;
    xp_status st = xp_npy_load(path, &t);
    ck_assert_msg(st == XP_OK, "loading %s: %s", path, xp_last_error());
    return t;
}

static void assert_same_tensor_bytes(xp_tensor *got, xp_tensor *want) {
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(xp_dtype_of(got), xp_dtype_of(want));
    xpt_assert_shape_(got, want->meta.ndim, want->meta.shape, __FILE__, __LINE__);
    ck_assert(xp_is_contiguous(got));
    size_t nb = (size_t)xp_numel(want) * xp_dtype_size(xp_dtype_of(want));
    if (nb) ck_assert_int_eq(memcmp(xp_data(got), xp_data(want), nb), 0);
}

static const xp_dtype npy_dtypes[] = {XP_F32, XP_F64, XP_F16, XP_I64, XP_I32, XP_I8, XP_U8, XP_BOOL};
#define N_NPY_DTYPES ((int)(sizeof npy_dtypes / sizeof npy_dtypes[0]))

/* ---- round trips ---- */

START_TEST(npy_round_trips_every_dtype_and_rank) {
    uint64_t seed = 1;
    const struct {
        int ndim;
        int64_t shape[8];
    } shapes[] = {{0, {0}}, {1, {1}}, {1, {3}}, {2, {2, 3}}, {2, {0, 4}}, {3, {2, 0, 1}}, {8, {1, 2, 1, 2, 1, 2, 1, 3}}};
    const char *path = xpt_tmp_path("rt.npy");
    for (int d = 0; d < N_NPY_DTYPES; d++) {
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            xp_tensor *t = xpt_random(&seed, npy_dtypes[d], shapes[s].ndim, shapes[s].shape, -100, 100);
            ck_assert_msg(xp_npy_save(path, t) == XP_OK, "%s", xp_last_error());
            xp_tensor *u = load_ok(path);
            assert_same_tensor_bytes(u, t);
            xp_tensor_free(u);
            xp_tensor_free(t);
        }
    }
}
END_TEST

START_TEST(npy_writes_numpys_version_1_0_header) {
    float v[6] = {0, 1, 2, 3, 4, 5};
    xp_tensor *t = xp_tensor_from(XP_F32, XP_DIMS(2, 3), v);
    const char *path = xpt_tmp_path("hdr.npy");
    ck_assert_int_eq(xp_npy_save(path, t), XP_OK);
    size_t n;
    unsigned char *b = xpt_read_file(path, &n);
    ck_assert_int_eq(memcmp(b, "\x93NUMPY\x01\x00", 8), 0);
    size_t hl = b[8] | (size_t)b[9] << 8;
    ck_assert_uint_eq((10 + hl) % 64, 0); /* NumPy aligns the data to 64 bytes */
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    ck_assert_int_eq(memcmp(b + 10, dict, strlen(dict)), 0);
    for (size_t i = strlen(dict); i + 1 < hl; i++) ck_assert_int_eq(b[10 + i], ' ');
    ck_assert_int_eq(b[10 + hl - 1], '\n');
    ck_assert_uint_eq(n, 10 + hl + 24);
    ck_assert_int_eq(memcmp(b + 10 + hl, v, 24), 0);
    free(b);
    xp_tensor_free(t);

    /* Python's tuple spellings for 0-d and 1-d shapes */
    xp_tensor *s = xp_tensor_new(XP_BOOL, 0, NULL);
    ck_assert_int_eq(xp_npy_save(path, s), XP_OK);
    b = xpt_read_file(path, &n);
    const char *d0 = "{'descr': '|b1', 'fortran_order': False, 'shape': (), }";
    ck_assert_int_eq(memcmp(b + 10, d0, strlen(d0)), 0);
    free(b);
    xp_tensor_free(s);
    xp_tensor *o = xp_tensor_new(XP_I64, XP_DIMS(7));
    ck_assert_int_eq(xp_npy_save(path, o), XP_OK);
    b = xpt_read_file(path, &n);
    const char *d1 = "{'descr': '<i8', 'fortran_order': False, 'shape': (7,), }";
    ck_assert_int_eq(memcmp(b + 10, d1, strlen(d1)), 0);
    free(b);
    xp_tensor_free(o);
}
END_TEST

START_TEST(npy_writes_strided_views_in_c_order) {
    int32_t vals[24];
    for (int i = 0; i < 24; i++) vals[i] = i;
    xp_tensor *base = xp_tensor_from(XP_I32, XP_DIMS(2, 3, 4), vals);
    /* base[:, 1, :].T: shape (4, 2), strides (1, 12), offset 4 */
    xp_tensor *view = xp_tensor_header(XP_I32, XP_DIMS(4, 2));
    xp_tensor_set_view(view, base, 2, (int64_t[]){4, 2}, (int64_t[]){1, 12}, 4);
    const char *path = xpt_tmp_path("strided.npy");
    ck_assert_int_eq(xp_npy_save(path, view), XP_OK);
    xp_tensor *t = load_ok(path);
    xpt_assert_shape(t, 4, 2);
    const int32_t *p = xp_data(t);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++) ck_assert_int_eq(p[i * 2 + j], j * 12 + 4 + i);
    xp_tensor_free(t), xp_tensor_free(view), xp_tensor_free(base);
}
END_TEST

START_TEST(npy_save_rejects_bf16_and_bad_arguments) {
    xp_tensor *t = xp_tensor_new(XP_BF16, XP_DIMS(2));
    const char *path = xpt_tmp_path("bf16.npy");
    ck_assert_int_eq(xp_npy_save(path, t), XP_ERR_UNSUPPORTED);
    xpt_assert_contains(xp_last_error(), "no bfloat16");
    ck_assert_int_eq(xp_npy_save(path, NULL), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_npy_save(NULL, t), XP_ERR_INVALID_ARG);
    xp_tensor *so = xp_tensor_header(XP_F32, XP_DIMS(2));
    ck_assert_int_eq(xp_npy_save(path, so), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "no data");
    ck_assert_int_eq(xp_npy_save(xpt_tmp_path("no-such-dir/x.npy"), so), XP_ERR_IO);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_null(f); /* nothing was left behind */
    xp_tensor *x;
    ck_assert_int_eq(xp_npy_load(NULL, &x), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_npy_load(path, NULL), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_npy_load(path, &x), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "cannot open");
    ck_assert_int_eq(xp_npy_load(xpt_tmpdir(), &x), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "not a regular file");
    xp_tensor_free(so), xp_tensor_free(t);
}
END_TEST

/* ---- legal header spellings ---- */

START_TEST(npy_reads_every_legal_header_spelling) {
    const char *path = xpt_tmp_path("legal.npy");
    struct {
        int major;
        const char *header;
        size_t data;
        xp_dtype dt;
        int ndim;
        int64_t shape[3];
    } cases[] = {
        /* other key orders, double quotes, no trailing comma, no padding */
        {1, "{'shape': (2,), 'descr': '<i4', 'fortran_order': False}\n", 8, XP_I32, 1, {2}},
        {1, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1, 2)}\n", 16, XP_F64, 2, {1, 2}},
        {1, "{'descr':'<f2','fortran_order':False,'shape':(3,2,)}     \n", 12, XP_F16, 2, {3, 2}},
        {1, "{ 'descr' : '|u1' , 'fortran_order' : False , 'shape' : ( 4 , ) , }\n", 4, XP_U8, 1, {4}},
        /* one-byte types with any byte-order character */
        {1, "{'descr': '<i1', 'fortran_order': False, 'shape': (3,), }\n", 3, XP_I8, 1, {3}},
        {1, "{'descr': '>u1', 'fortran_order': False, 'shape': (3,), }\n", 3, XP_U8, 1, {3}},
        {1, "{'descr': '=f4', 'fortran_order': False, 'shape': (), }\n", 4, XP_F32, 0, {0}},
        /* versions 2.0 and 3.0 have a 4-byte length */
        {2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", 16, XP_I64, 1, {2}},
        {3, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }\n", 0, XP_F32, 2, {0, 5}},
        /* a zero-element array with a huge other dim */
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807), }\n", 0, XP_F32, 2,
         {0, INT64_MAX}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_npy(path, cases[i].major, 0, cases[i].header, cases[i].data);
        xp_tensor *t = NULL;
        ck_assert_msg(xp_npy_load(path, &t) == XP_OK, "case %zu: %s", i, xp_last_error());
        ck_assert_int_eq(xp_dtype_of(t), cases[i].dt);
        xpt_assert_shape_(t, cases[i].ndim, cases[i].shape, __FILE__, __LINE__);
        const unsigned char *p = xp_data(t);
        for (size_t k = 0; k < cases[i].data; k++) ck_assert_uint_eq(p[k], k);
        xp_tensor_free(t);
    }
}
END_TEST

/* ---- malformed files ---- */

START_TEST(npy_rejects_bad_magic_and_versions) {
    const char *path = xpt_tmp_path("magic.npy");
    xpt_write_file(path, "PK\x03\x04 not numpy at all", 22);
    assert_load_fails(path, XP_ERR_FORMAT, "not a .npy file: bad magic", NULL);
    xpt_write_file(path, "\x93NUMPZ\x01\x00\x10\x00", 10);
    assert_load_fails(path, XP_ERR_FORMAT, "bad magic", NULL);
    xpt_write_file(path, "", 0);
    assert_load_fails(path, XP_ERR_FORMAT, "has 0 bytes", NULL);
    const char *h = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n";
    write_npy(path, 4, 0, h, 4);
    assert_load_fails(path, XP_ERR_FORMAT, "unsupported .npy format version 4.0", "byte offset 6");
    write_npy(path, 1, 1, h, 4);
    assert_load_fails(path, XP_ERR_FORMAT, "version 1.1", NULL);
    write_npy(path, 0, 0, h, 4);
    assert_load_fails(path, XP_ERR_FORMAT, "version 0.0", NULL);
    /* a 2.0 preamble cut inside its 4-byte length */
    xpt_write_file(path, "\x93NUMPY\x02\x00\x10\x00", 10);
    assert_load_fails(path, XP_ERR_FORMAT, "fewer than the 12 of a version 2.0 preamble", NULL);
}
END_TEST

START_TEST(npy_rejects_bad_header_lengths) {
    const char *path = xpt_tmp_path("hlen.npy");
    unsigned char b[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0xff, '{', '}', '\n'};
    xpt_write_file(path, b, 13);
    assert_load_fails(path, XP_ERR_FORMAT, "header length 65535", "exceeds numpy's limit of 10000 bytes");
    b[8] = 100, b[9] = 0;
    xpt_write_file(path, b, 13);
    assert_load_fails(path, XP_ERR_FORMAT, "ends inside the header", "needs 110 bytes but the file has 13");
    unsigned char v2[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x80};
    xpt_write_file(path, v2, 12);
    assert_load_fails(path, XP_ERR_FORMAT, "header length 2147483648", "limit");
    b[8] = 0;
    xpt_write_file(path, b, 10);
    assert_load_fails(path, XP_ERR_FORMAT, "expected '{' at the start of the header", "the end of the header");
}
END_TEST

START_TEST(npy_rejects_malformed_header_dicts) {
    const xp_status F = XP_ERR_FORMAT;
    assert_header_fails("{'descr': '<f4', 'fortran_order': False}", 4, F, "lacks the key 'shape'", NULL);
    assert_header_fails("{'descr': '<f4', 'shape': ()}", 4, F, "lacks the key 'fortran_order'", NULL);
    assert_header_fails("{}", 4, F, "lacks the key 'descr'", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}", 4, F,
                        "unknown key 'extra'", "byte offset 64");
    assert_header_fails("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4, F,
                        "key 'descr' appears twice", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", 8, F, "must be a tuple, found a list",
                        NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", 8, F, "(n) is not a tuple", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", 8, F, "non-negative", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}", 8, F, "leading zero", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}", 8, F, "expected ',' or ')'", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}", 8, F, "expected a size", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", 8, F, "expected a size", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 8, F,
                        "does not fit in 64 bits", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': false, 'shape': ()}", 4, F, "expected True or False", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': Falsey, 'shape': ()}", 4, F, "expected True or False", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", 4, F, "expected True or False", NULL);
    assert_header_fails("{'descr': '<f4, 'fortran_order': False, 'shape': ()}", 4, F, "expected ',' or '}'", NULL);
    assert_header_fails("{'descr': \"<f4'}", 4, F, "byte 0x0a inside a string", NULL);
    assert_header_fails("{'descr': 'a very long descr string that goes on', 'fortran_order': False, 'shape': ()}", 4,
                        F, "string longer than 31 characters", NULL);
    assert_header_fails("{'descr': '\\x3cf4', 'fortran_order': False, 'shape': ()}", 4, F, "escape sequences", NULL);
    assert_header_fails("{descr: '<f4', 'fortran_order': False, 'shape': ()}", 4, F, "expected a quoted string", NULL);
    assert_header_fails("{'descr' '<f4', 'fortran_order': False, 'shape': ()}", 4, F, "expected ':' after a key", NULL);
    assert_header_fails(" {'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4, F, "expected '{'", "byte offset 10");
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", 4, F, "'x' after the header dict",
                        NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': ()}\n", 4, F, "byte 0x0a after the header dict",
                        NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': ()", 4, F, "expected ',' or '}'", NULL);
    assert_header_fails("{'descr': '<f4',\t'fortran_order': False, 'shape': ()}", 4, F, "byte 0x09", NULL);
    /* headers that stop early, without their final newline */
    const char *path = xpt_tmp_path("nonl.npy");
    write_npy(path, 1, 0, "{'descr': '<f4", 4);
    assert_load_fails(path, F, "unterminated string", NULL);
    write_npy(path, 1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}   ", 4);
    assert_load_fails(path, F, "must end with a newline", NULL);
    write_npy(path, 1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4);
    assert_load_fails(path, F, "must end with a newline", NULL);
}
END_TEST

START_TEST(npy_rejects_unsupported_dtypes_byte_orders_and_layouts) {
    const xp_status U = XP_ERR_UNSUPPORTED;
    assert_header_fails("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, U,
                        "big-endian arrays are not supported", "'>f4' at byte offset 20");
    assert_header_fails("{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", 16, U,
                        "big-endian arrays are not supported", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24, U,
                        "fortran-order arrays are not supported", NULL);
    assert_header_fails("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, U, "dtype '<c8'",
                        "is not supported");
    assert_header_fails("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", 4, U, "dtype '<u2'", NULL);
    assert_header_fails("{'descr': 'float32', 'fortran_order': False, 'shape': (2,), }", 8, U, "dtype 'float32'", NULL);
    assert_header_fails("{'descr': '<V2', 'fortran_order': False, 'shape': (2,), }", 4, U, "dtype '<V2'", NULL);
    assert_header_fails("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, U,
                        "structured dtypes", NULL);
    assert_header_fails("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8, XP_ERR_FORMAT,
                        "lacks a byte order", NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 4, U,
                        "more than 8 dims", NULL);
}
END_TEST

START_TEST(npy_rejects_data_of_the_wrong_length) {
    const char *h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, XP_ERR_FORMAT,
                        "needs 24 data bytes but the file has 20", "the data is truncated");
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 25, XP_ERR_FORMAT,
                        "needs 24 data bytes but the file has 25", "trailing bytes follow the data");
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0, XP_ERR_FORMAT,
                        "needs 24 data bytes but the file has 0", NULL);
    char at[64];
    snprintf(at, sizeof at, "(byte offset %zu)", 10 + strlen(h));
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 4, XP_ERR_FORMAT, at, NULL);
    assert_header_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", 0, XP_ERR_FORMAT,
                        "overflows the byte count", NULL);
    assert_header_fails("{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0,
                        XP_ERR_FORMAT, "overflows", NULL);
    /* bools must be 0 or 1 (data bytes count 0, 1, 2, ...) */
    assert_header_fails("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", 3, XP_ERR_FORMAT,
                        "bool element 2 is 0x02", "must be 0 or 1");
}
END_TEST

START_TEST(npy_rejects_truncation_at_every_byte) {
    uint64_t seed = 5;
    xp_tensor *t = xpt_random(&seed, XP_F64, XP_DIMS(3, 2), -1, 1);
    const char *path = xpt_tmp_path("whole.npy");
    ck_assert_int_eq(xp_npy_save(path, t), XP_OK);
    size_t n;
    unsigned char *whole = xpt_read_file(path, &n);
    size_t hl = whole[8] | (size_t)whole[9] << 8;
    const char *cut = xpt_tmp_path("cut.npy");
    for (size_t k = 0; k < n; k++) {
        xpt_write_file(cut, whole, k);
        const char *phrase = k < 10 ? "fewer than the 10" : k < 10 + hl ? "ends inside the header" : "truncated";
        assert_load_fails(cut, XP_ERR_FORMAT, phrase, NULL);
    }
    free(whole);
    xp_tensor_free(t);
}
END_TEST

START_TEST(npy_survives_every_single_bit_flip) {
    /* Each corrupted variant must load cleanly or fail with a message. */
    float v[3] = {1, 2, 3};
    xp_tensor *t = xp_tensor_from(XP_F32, XP_DIMS(3), v);
    const char *path = xpt_tmp_path("flip-src.npy");
    ck_assert_int_eq(xp_npy_save(path, t), XP_OK);
    size_t n;
    unsigned char *whole = xpt_read_file(path, &n);
    const char *flip = xpt_tmp_path("flip.npy");
    int loaded = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            whole[i] ^= (unsigned char)(1u << bit);
            xpt_write_file(flip, whole, n);
            whole[i] ^= (unsigned char)(1u << bit);
            xp_tensor *u = NULL;
            xp_status st = xp_npy_load(flip, &u);
            if (st == XP_OK) {
                loaded++;
                xp_tensor_free(u);
            } else {
                ck_assert_msg(st == XP_ERR_FORMAT || st == XP_ERR_UNSUPPORTED, "byte %zu bit %d: %s: %s", i, bit,
                              xp_status_name(st), xp_last_error());
                ck_assert(strlen(xp_last_error()) > 0);
            }
        }
    }
    ck_assert_int_gt(loaded, 0);
    free(whole);
    xp_tensor_free(t);
}
END_TEST

/* ---- NumPy itself ---- */

static bool numpy_available(void) {
    int rc = system("python3 -c 'import numpy' >/dev/null 2>&1");
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

START_TEST(npy_files_cross_check_with_numpy) {
    if (!numpy_available()) {
        printf("SKIP npy_files_cross_check_with_numpy: python3 with numpy is not installed; the cross-check did not run\n");
        fflush(stdout);
        return;
    }
    /* NumPy loads what we write, checks dtype, shape and the values it
     * expects, and writes its own copy, which we must read back bit-exactly. */
    char script_path[512];
    snprintf(script_path, sizeof script_path, "%s", xpt_tmp_path("check.py"));
    FILE *f = fopen(script_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("import sys, numpy as np\n"
          "src, dst, descr, shape = sys.argv[1], sys.argv[2], sys.argv[3], eval(sys.argv[4])\n"
          "a = np.load(src)\n"
          "assert a.dtype.str == descr, (a.dtype.str, descr)\n"
          "assert a.shape == shape, (a.shape, shape)\n"
          "assert a.flags.c_contiguous\n"
          "flat = a.reshape(-1)\n"
          "for i in range(flat.size):\n"
          "    want = i % 2 if descr == '|b1' else i % 100\n"
          "    assert flat[i] == want, (i, flat[i], want)\n"
          "np.save(dst, a)\n",
          f);
    fclose(f);
    const struct {
        xp_dtype dt;
        const char *descr;
        int ndim;
        int64_t shape[3];
        const char *pyshape;
    } cases[] = {
        {XP_F32, "<f4", 2, {2, 3}, "(2, 3)"},     {XP_F64, "<f8", 1, {5}, "(5,)"},
        {XP_F16, "<f2", 0, {0}, "()"},            {XP_I64, "<i8", 3, {2, 1, 2}, "(2, 1, 2)"},
        {XP_I32, "<i4", 2, {0, 3}, "(0, 3)"},     {XP_I8, "|i1", 1, {7}, "(7,)"},
        {XP_U8, "|u1", 2, {3, 3}, "(3, 3)"},      {XP_BOOL, "|b1", 1, {4}, "(4,)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        xp_tensor *t = xp_tensor_new(cases[c].dt, cases[c].ndim, cases[c].shape);
        int64_t n = xp_numel(t);
        char *p = xp_data(t);
        for (int64_t i = 0; i < n; i++)
            xp_store_f64(cases[c].dt, p + i * (int64_t)xp_dtype_size(cases[c].dt),
                         cases[c].dt == XP_BOOL ? (double)(i % 2) : (double)(i % 100));
        const char *ours = xpt_tmp_path("ours.npy"), *theirs = xpt_tmp_path("theirs.npy");
        ck_assert_int_eq(xp_npy_save(ours, t), XP_OK);
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s' '%s' '%s'", script_path, ours, theirs, cases[c].descr,
                 cases[c].pyshape);
        int rc = system(cmd);
        ck_assert_msg(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "numpy rejected our %s file (%s)",
                      cases[c].descr, cmd);
        xp_tensor *u = load_ok(theirs);
        assert_same_tensor_bytes(u, t);
        xp_tensor_free(u);
        xp_tensor_free(t);
    }
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_add_test(tc, npy_round_trips_every_dtype_and_rank);
    tcase_add_test(tc, npy_writes_numpys_version_1_0_header);
    tcase_add_test(tc, npy_writes_strided_views_in_c_order);
    tcase_add_test(tc, npy_save_rejects_bf16_and_bad_arguments);
    tcase_add_test(tc, npy_reads_every_legal_header_spelling);
    tcase_add_test(tc, npy_rejects_bad_magic_and_versions);
    tcase_add_test(tc, npy_rejects_bad_header_lengths);
    tcase_add_test(tc, npy_rejects_malformed_header_dicts);
    tcase_add_test(tc, npy_rejects_unsupported_dtypes_byte_orders_and_layouts);
    tcase_add_test(tc, npy_rejects_data_of_the_wrong_length);
    tcase_add_test(tc, npy_rejects_truncation_at_every_byte);
    tcase_add_test(tc, npy_survives_every_single_bit_flip);
    tcase_add_test(tc, npy_files_cross_check_with_numpy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
