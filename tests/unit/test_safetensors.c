/* .safetensors reading and writing: round trips for every dtype, zero-copy
 * mapping and its lifetime, the reference writer's exact bytes, and every
 * malformed file rejected with a status and a message (never a crash). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

/* ---- helpers ---- */

/* Writes <len_field as u64 LE><header><data>; len_field may lie. */
static void write_st_raw(const char *path, uint64_t len_field, const char *header, size_t header_len, const void *data,
                         size_t data_len) {
    size_t n = 8 + header_len + data_len;
    unsigned char *buf = malloc(n ? n : 1);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(len_field >> (8 * i));
    memcpy(buf + 8, header, header_len);
    if (data_len) memcpy(buf + 8 + header_len, data, data_len);
    xpt_write_file(path, buf, n);
    free(buf);
}

/* A file with an honest length field, the JSON header (unpadded) and
 * `data_len` data bytes alternating 0 and 1 (valid bools). */
static void write_st(const char *path, const char *header, size_t data_len) {
    unsigned char *data = malloc(data_len ? data_len : 1);
    for (size_t i = 0; i < data_len; i++) data[i] = (unsigned char)(i & 1);
    write_st_raw(path, strlen(header), header, strlen(header), data, data_len);
    free(data);
}

/* Opens `path`, asserts it fails with `st` and a message containing each
 * non-NULL phrase. */
static void assert_open_fails(const char *path, xp_status st, const char *phrase1, const char *phrase2) {
    xp_safetensors *f = (xp_safetensors *)0x1;
    xp_status got = xp_safetensors_open(path, &f);
    ck_assert_msg(got == st, "status %s, expected %s (message: %s)", xp_status_name(got), xp_status_name(st),
                  xp_last_error());
    ck_assert_ptr_null(f);
    if (phrase1) xpt_assert_contains(xp_last_error(), phrase1);
    if (phrase2) xpt_assert_contains(xp_last_error(), phrase2);
    xpt_assert_contains(xp_last_error(), path);
}

static void assert_open_fails_header(const char *header, size_t data_len, xp_status st, const char *p1,
                                     const char *p2) {
    const char *path = xpt_tmp_path("bad.safetensors");
    write_st(path, header, data_len);
    assert_open_fails(path, st, p1, p2);
}

static void assert_same_tensor_bytes(xp_tensor *got, xp_tensor *want) {
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(xp_dtype_of(got), xp_dtype_of(want));
    xpt_assert_shape_(got, want->meta.ndim, want->meta.shape, __FILE__, __LINE__);
    size_t nb = (size_t)xp_numel(want) * xp_dtype_size(xp_dtype_of(want));
    if (nb) ck_assert_int_eq(memcmp(xp_data(got), xp_data(want), nb), 0);
}

/* The [start, end) of the mapping in /proc/self/maps that holds `p` and
 * maps file `path`; false when no such line exists. */
static bool addr_maps_file(const void *p, const char *path) {
    char real[PATH_MAX];
    if (!realpath(path, real)) return false;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return false;
    char line[PATH_MAX + 256];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) != 2) continue;
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        size_t ll = strlen(line), rl = strlen(real);
        bool names = ll >= rl && strcmp(line + ll - rl, real) == 0;
        if (names && (p == NULL || ((uintptr_t)p >= lo && (uintptr_t)p < hi))) found = true;
    }
    fclose(f);
    return found;
}

static bool have_proc_maps(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (f) fclose(f);
    return f != NULL;
}

static const xp_dtype all_dtypes[] = {XP_F32, XP_F64, XP_F16, XP_BF16, XP_I64, XP_I32, XP_I8, XP_U8, XP_BOOL};
#define N_DTYPES ((int)(sizeof all_dtypes / sizeof all_dtypes[0]))

/* ---- round trips ---- */

START_TEST(safetensors_round_trips_every_dtype_and_shape) {
    uint64_t seed = 42;
    enum { N = N_DTYPES + 3 };
    xp_tensor *ts[N];
    char names[N][32];
    const char *name_ptrs[N];
    for (int i = 0; i < N_DTYPES; i++) {
        ts[i] = xpt_random(&seed, all_dtypes[i], XP_DIMS(2, 3), -50, 50);
        snprintf(names[i], sizeof names[i], "w.%s", xp_dtype_name(all_dtypes[i]));
    }
    ts[N_DTYPES] = xpt_random(&seed, XP_F32, 0, NULL, -1, 1); /* 0-d */
    snprintf(names[N_DTYPES], 32, "scalar");
    ts[N_DTYPES + 1] = xp_tensor_new(XP_F16, XP_DIMS(0, 3)); /* size 0 */
    snprintf(names[N_DTYPES + 1], 32, "empty");
    ts[N_DTYPES + 2] = xpt_random(&seed, XP_I8, XP_DIMS(1, 1, 1, 1, 1, 1, 1, 5), -100, 100); /* 8 dims */
    snprintf(names[N_DTYPES + 2], 32, "deep");
    for (int i = 0; i < N; i++) name_ptrs[i] = names[i];

    const char *path = xpt_tmp_path("all.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, N, name_ptrs, (const xp_tensor *const *)ts), XP_OK);

    xp_safetensors *f;
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(xp_safetensors_count(f), N);
    /* names enumerate in sorted order */
    for (int i = 1; i < N; i++) ck_assert_int_lt(strcmp(xp_safetensors_name(f, i - 1), xp_safetensors_name(f, i)), 0);
    for (int i = 0; i < N; i++) {
        xp_tensor *t;
        ck_assert_msg(xp_safetensors_get(f, names[i], &t) == XP_OK, "%s: %s", names[i], xp_last_error());
        assert_same_tensor_bytes(t, ts[i]);
        xp_tensor_free(t);
    }
    xp_safetensors_close(f);
    for (int i = 0; i < N; i++) xp_tensor_free(ts[i]);
}
END_TEST

START_TEST(safetensors_writes_the_reference_bytes) {
    /* The reference implementation's own serialization tests: one f32 tensor
     * of shape [1, 2, 3] holding 0..5, under two names whose lengths make the
     * header need 0 and 7 bytes of space padding. */
    float vals[6] = {0, 1, 2, 3, 4, 5};
    struct {
        const char *name;
        int ndim;
        int64_t shape[4];
        const char *json;
    } cases[] = {
        {"attn.0", 3, {1, 2, 3}, "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"},
        {"attn0", 4, {1, 1, 2, 3}, "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "},
    };
    ck_assert_uint_eq(strlen(cases[0].json), 64);
    ck_assert_uint_eq(strlen(cases[1].json), 72);
    for (int c = 0; c < 2; c++) {
        xp_tensor *t = xp_tensor_from(XP_F32, cases[c].ndim, cases[c].shape, vals);
        const char *path = xpt_tmp_path("ref.safetensors");
        ck_assert_int_eq(xp_safetensors_save(path, 1, &cases[c].name, (const xp_tensor *const *)&t), XP_OK);
        size_t n;
        unsigned char *got = xpt_read_file(path, &n);
        size_t hl = strlen(cases[c].json);
        ck_assert_uint_eq(n, 8 + hl + 24);
        ck_assert_uint_eq(got[0], hl);
        for (int i = 1; i < 8; i++) ck_assert_uint_eq(got[i], 0);
        ck_assert_int_eq(memcmp(got + 8, cases[c].json, hl), 0);
        ck_assert_int_eq(memcmp(got + 8 + hl, vals, 24), 0); /* little-endian host */
        free(got);
        xp_tensor_free(t);
    }
    /* no tensors: "{}" and six spaces */
    const char *path = xpt_tmp_path("empty.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 0, NULL, NULL), XP_OK);
    size_t n;
    unsigned char *got = xpt_read_file(path, &n);
    const unsigned char want[16] = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
    ck_assert_uint_eq(n, 16);
    ck_assert_int_eq(memcmp(got, want, 16), 0);
    free(got);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    ck_assert_int_eq(xp_safetensors_count(f), 0);
    xp_safetensors_close(f);
}
END_TEST

START_TEST(safetensors_writer_orders_by_alignment_then_name_and_aligns_every_tensor) {
    xp_tensor *a = xp_tensor_new(XP_U8, XP_DIMS(3));
    xp_tensor *b = xp_tensor_new(XP_F32, XP_DIMS(1));
    xp_tensor *c = xp_tensor_new(XP_F64, XP_DIMS(1));
    xp_tensor *d = xp_tensor_new(XP_BOOL, XP_DIMS(1));
    xp_tensor *e = xp_tensor_new(XP_I64, XP_DIMS(1));
    xp_tensor *b2 = xp_tensor_new(XP_F32, XP_DIMS(1));
    const char *names[] = {"a", "b", "c", "d", "e", "a2"};
    ((float *)xp_data(b2))[0] = 1.5f;
    const xp_tensor *ts[] = {a, b, c, d, e, b2};
    const char *path = xpt_tmp_path("order.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 6, names, ts), XP_OK);
    size_t n;
    unsigned char *got = xpt_read_file(path, &n);
    const char *json = "{\"e\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                       "\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                       "\"a2\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                       "\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[24,27]},"
                       "\"d\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[27,28]}}";
    size_t hl = got[0] | (size_t)got[1] << 8;
    ck_assert_uint_eq(hl % 8, 0);
    ck_assert_int_eq(memcmp(got + 8, json, strlen(json)), 0);
    for (size_t i = strlen(json); i < hl; i++) ck_assert_int_eq(got[8 + i], ' ');
    ck_assert_uint_eq(n, 8 + hl + 28);
    free(got);

    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    for (int i = 0; i < 6; i++) {
        xp_tensor *t;
        ck_assert_int_eq(xp_safetensors_get(f, names[i], &t), XP_OK);
        /* every tensor aligned, so every one is zero-copy */
        ck_assert_int_eq(t->storage->owner, XP_STORAGE_MMAP);
        ck_assert_uint_eq((uintptr_t)xp_data(t) % xp_dtype_size(xp_dtype_of(t)), 0);
        if (i == 5) ck_assert_float_eq(((float *)xp_data(t))[0], 1.5f);
        xp_tensor_free(t);
    }
    xp_safetensors_close(f);
    xp_tensor_free(a), xp_tensor_free(b), xp_tensor_free(c), xp_tensor_free(d), xp_tensor_free(e);
    xp_tensor_free(b2);
}
END_TEST

START_TEST(safetensors_writes_strided_views_in_c_order) {
    /* base: 2x3x4 holding 0..23; view = base[:, 1, :].T, shape (4, 2),
     * strides (1, 12), offset 4 */
    float vals[24];
    for (int i = 0; i < 24; i++) vals[i] = (float)i;
    xp_tensor *base = xp_tensor_from(XP_F32, XP_DIMS(2, 3, 4), vals);
    xp_tensor *view = xp_tensor_header(XP_F32, XP_DIMS(4, 2));
    xp_tensor_set_view(view, base, 2, (int64_t[]){4, 2}, (int64_t[]){1, 12}, 4);
    /* and a non-contiguous innermost dim: base[0, :, ::2] */
    xp_tensor *cols = xp_tensor_header(XP_F32, XP_DIMS(3, 2));
    xp_tensor_set_view(cols, base, 2, (int64_t[]){3, 2}, (int64_t[]){4, 2}, 0);
    const char *names[] = {"t", "cols"};
    const xp_tensor *ts[] = {view, cols};
    const char *path = xpt_tmp_path("strided.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 2, names, ts), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *t, *c;
    ck_assert_int_eq(xp_safetensors_get(f, "t", &t), XP_OK);
    ck_assert_int_eq(xp_safetensors_get(f, "cols", &c), XP_OK);
    xp_safetensors_close(f);
    const float *p = xp_data(t);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++) ck_assert_float_eq(p[i * 2 + j], (float)(j * 12 + 4 + i));
    const float *q = xp_data(c);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) ck_assert_float_eq(q[i * 2 + j], (float)(i * 4 + j * 2));
    xp_tensor_free(t), xp_tensor_free(c), xp_tensor_free(view), xp_tensor_free(cols), xp_tensor_free(base);
}
END_TEST

/* ---- zero-copy and lifetimes ---- */

START_TEST(safetensors_get_is_zero_copy_into_the_mapping_when_aligned) {
    uint64_t seed = 7;
    xp_tensor *w = xpt_random(&seed, XP_F32, XP_DIMS(16, 16), -1, 1);
    const char *name = "w";
    const char *path = xpt_tmp_path("zc.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&w), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *a, *b;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &a), XP_OK);
    ck_assert_int_eq(xp_safetensors_get(f, "w", &b), XP_OK);
    ck_assert_int_eq(a->storage->owner, XP_STORAGE_MMAP);
    ck_assert(xp_shares_storage(a, b)); /* the same bytes, the same storage */
    ck_assert_ptr_eq(xp_data(a), xp_data(b));
    ck_assert_uint_eq(a->storage->nbytes, 16 * 16 * 4);
    if (have_proc_maps()) ck_assert_msg(addr_maps_file(xp_data(a), path), "xp_data is not inside the file's mapping");
    else printf("note: /proc/self/maps unavailable; mapping address not checked\n");
    assert_same_tensor_bytes(a, w);
    xp_tensor_free(a), xp_tensor_free(b);
    xp_safetensors_close(f);
    xp_tensor_free(w);
}
END_TEST

START_TEST(safetensors_tensors_outlive_close_and_the_last_one_unmaps) {
    uint64_t seed = 8;
    xp_tensor *w = xpt_random(&seed, XP_F64, XP_DIMS(64, 64), -1, 1);
    xp_tensor *v = xpt_random(&seed, XP_I32, XP_DIMS(5), -9, 9);
    const char *names[] = {"w", "v"};
    const xp_tensor *ts[] = {w, v};
    const char *path = xpt_tmp_path("life.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 2, names, ts), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *a, *b;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &a), XP_OK);
    ck_assert_int_eq(xp_safetensors_get(f, "v", &b), XP_OK);
    xp_safetensors_close(f);
    bool maps = have_proc_maps();
    if (maps) ck_assert(addr_maps_file(NULL, path));
    assert_same_tensor_bytes(a, w); /* reads through the mapping after close */
    xp_tensor_free(a);
    if (maps) ck_assert(addr_maps_file(NULL, path)); /* b still holds it */
    assert_same_tensor_bytes(b, v);
    xp_tensor_free(b);
    if (maps) ck_assert_msg(!addr_maps_file(NULL, path), "the file is still mapped after the last tensor went");
    xp_tensor_free(w), xp_tensor_free(v);
}
END_TEST

START_TEST(safetensors_close_unmaps_when_no_tensor_is_alive) {
    if (!have_proc_maps()) {
        printf("SKIP safetensors_close_unmaps_when_no_tensor_is_alive: no /proc/self/maps\n");
        return;
    }
    xp_tensor *w = xp_tensor_new(XP_F32, XP_DIMS(4));
    const char *name = "w";
    const char *path = xpt_tmp_path("unmap.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&w), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    ck_assert(addr_maps_file(NULL, path));
    xp_tensor *t;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &t), XP_OK);
    xp_tensor_free(t); /* freed before close: the handle keeps working */
    ck_assert_int_eq(xp_safetensors_get(f, "w", &t), XP_OK);
    xp_tensor_free(t);
    xp_safetensors_close(f);
    ck_assert(!addr_maps_file(NULL, path));
    xp_tensor_free(w);
}
END_TEST

START_TEST(safetensors_in_place_writes_never_reach_the_file) {
    float vals[4] = {1, 2, 3, 4};
    xp_tensor *w = xp_tensor_from(XP_F32, XP_DIMS(4), vals);
    const char *name = "w";
    const char *path = xpt_tmp_path("cow.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&w), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *t;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &t), XP_OK);
    ((float *)xp_data(t))[0] = 100; /* must not fault: the mapping is private and writable */
    xp_tensor_free(t);
    xp_safetensors_close(f);
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    ck_assert_int_eq(xp_safetensors_get(f, "w", &t), XP_OK);
    ck_assert_float_eq(((float *)xp_data(t))[0], 1.0f);
    xp_tensor_free(t);
    xp_safetensors_close(f);
    xp_tensor_free(w);
}
END_TEST

START_TEST(safetensors_copies_tensors_misaligned_for_their_dtype) {
    /* u8 [3] at [0, 3) then f32 [2] at [3, 11): the f32 starts at an odd
     * address, so it is copied, not viewed */
    const char *header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                         "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]}}";
    char padded[256];
    size_t hl = strlen(header);
    memcpy(padded, header, hl);
    while (hl % 8) padded[hl++] = ' ';
    unsigned char data[11] = {7, 8, 9};
    float fv[2] = {2.5f, -1.0f};
    memcpy(data + 3, fv, 8);
    const char *path = xpt_tmp_path("misaligned.safetensors");
    write_st_raw(path, hl, padded, hl, data, sizeof data);
    xp_safetensors *f;
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    xp_tensor *a, *b;
    ck_assert_int_eq(xp_safetensors_get(f, "a", &a), XP_OK);
    ck_assert_int_eq(xp_safetensors_get(f, "b", &b), XP_OK);
    xp_safetensors_close(f);
    ck_assert_int_eq(a->storage->owner, XP_STORAGE_MMAP); /* bytes are always aligned */
    ck_assert_int_eq(b->storage->owner, XP_STORAGE_OWNED);
    ck_assert_uint_eq((uintptr_t)xp_data(b) % 4, 0);
    ck_assert_uint_eq(((uint8_t *)xp_data(a))[2], 9);
    ck_assert_float_eq(((float *)xp_data(b))[0], 2.5f);
    ck_assert_float_eq(((float *)xp_data(b))[1], -1.0f);
    xp_tensor_free(a), xp_tensor_free(b);
}
END_TEST

/* ---- lookups and unsupported content ---- */

START_TEST(safetensors_get_reports_missing_and_unsupported_tensors) {
    const char *header = "{\"__metadata__\":{\"format\":\"pt\"},"
                         "\"h\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                         "\"deep\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[4,5]},"
                         "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[5,8]},"
                         "\"f4\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[8,9]}}";
    const char *path = xpt_tmp_path("unsupported.safetensors");
    unsigned char data[9] = {0, 0, 0, 0, 0, 1, 2, 0, 0x21};
    write_st_raw(path, strlen(header), header, strlen(header), data, sizeof data);
    xp_safetensors *f;
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    ck_assert_int_eq(xp_safetensors_count(f), 4); /* __metadata__ is not a tensor */
    ck_assert_str_eq(xp_safetensors_name(f, 0), "deep");
    ck_assert_ptr_null(xp_safetensors_name(f, 4));
    ck_assert_ptr_null(xp_safetensors_name(f, -1));
    xp_tensor *t = (xp_tensor *)0x1;
    ck_assert_int_eq(xp_safetensors_get(f, "nope", &t), XP_ERR_NOT_FOUND);
    ck_assert_ptr_null(t);
    xpt_assert_contains(xp_last_error(), "no tensor named 'nope'");
    ck_assert_int_eq(xp_safetensors_get(f, "__metadata__", &t), XP_ERR_NOT_FOUND);
    ck_assert_int_eq(xp_safetensors_get(f, "h", &t), XP_ERR_UNSUPPORTED);
    xpt_assert_contains(xp_last_error(), "dtype I16");
    ck_assert_int_eq(xp_safetensors_get(f, "f4", &t), XP_ERR_UNSUPPORTED);
    ck_assert_int_eq(xp_safetensors_get(f, "deep", &t), XP_ERR_UNSUPPORTED);
    xpt_assert_contains(xp_last_error(), "9 dims");
    ck_assert_int_eq(xp_safetensors_get(f, "m", &t), XP_ERR_FORMAT);
    xpt_assert_contains(xp_last_error(), "bool element 1 is 0x02");
    xpt_assert_contains(xp_last_error(), "must be 0 or 1");
    ck_assert_int_eq(xp_safetensors_get(f, NULL, &t), XP_ERR_INVALID_ARG);
    xp_safetensors_close(f);
    ck_assert_int_eq(xp_safetensors_get(NULL, "h", &t), XP_ERR_INVALID_ARG);
    xp_safetensors_close(NULL);
}
END_TEST

START_TEST(safetensors_open_reports_missing_and_non_regular_files) {
    xp_safetensors *f;
    const char *missing = xpt_tmp_path("does-not-exist.safetensors");
    ck_assert_int_eq(xp_safetensors_open(missing, &f), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "cannot open");
    xpt_assert_contains(xp_last_error(), missing);
    ck_assert_int_eq(xp_safetensors_open(xpt_tmpdir(), &f), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "not a regular file");
    ck_assert_int_eq(xp_safetensors_open(NULL, &f), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_safetensors_open(missing, NULL), XP_ERR_INVALID_ARG);
}
END_TEST

/* ---- the writer's argument checks and atomicity ---- */

static int count_tmp_files(void) {
    DIR *d = opendir(xpt_tmpdir());
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) n++;
    closedir(d);
    return n;
}

START_TEST(safetensors_save_rejects_bad_arguments_and_keeps_the_old_file) {
    float one = 1;
    xp_tensor *a = xp_tensor_from(XP_F32, XP_DIMS(1), &one);
    const char *path = xpt_tmp_path("keep.safetensors");
    const char *name = "a";
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&a), XP_OK);
    size_t n0;
    unsigned char *before = xpt_read_file(path, &n0);

    const char *dup[] = {"x", "x"};
    const xp_tensor *two[] = {a, a};
    ck_assert_int_eq(xp_safetensors_save(path, 2, dup, two), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "two tensors are named 'x'");
    const char *meta[] = {"__metadata__"};
    ck_assert_int_eq(xp_safetensors_save(path, 1, meta, two), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "reserved");
    const char *null_name[] = {NULL};
    ck_assert_int_eq(xp_safetensors_save(path, 1, null_name, two), XP_ERR_INVALID_ARG);
    const xp_tensor *null_t[] = {NULL};
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, null_t), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "tensor 'a' is NULL");
    const char *bad_utf8[] = {"\xff"};
    ck_assert_int_eq(xp_safetensors_save(path, 1, bad_utf8, two), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "not valid UTF-8");
    xp_tensor *shape_only = xp_tensor_header(XP_F32, XP_DIMS(2));
    const xp_tensor *so[] = {shape_only};
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, so), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "no data");
    ck_assert_int_eq(xp_safetensors_save(path, -1, NULL, NULL), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_safetensors_save(NULL, 1, &name, two), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_safetensors_save(xpt_tmp_path("no-such-dir/x.safetensors"), 1, &name, two), XP_ERR_IO);
    xpt_assert_contains(xp_last_error(), "cannot create");

    size_t n1;
    unsigned char *after = xpt_read_file(path, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert_int_eq(memcmp(before, after, n0), 0);
    ck_assert_int_eq(count_tmp_files(), 0);
    free(before), free(after);
    xp_tensor_free(shape_only), xp_tensor_free(a);
}
END_TEST

START_TEST(safetensors_save_replaces_an_open_file_atomically) {
    float v1[2] = {1, 2}, v2[3] = {3, 4, 5};
    xp_tensor *a = xp_tensor_from(XP_F32, XP_DIMS(2), v1);
    xp_tensor *b = xp_tensor_from(XP_F32, XP_DIMS(3), v2);
    const char *name = "w";
    const char *path = xpt_tmp_path("replace.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&a), XP_OK);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *old;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &old), XP_OK);
    /* rename() replaces the name; the old mapping keeps the old inode */
    ck_assert_int_eq(xp_safetensors_save(path, 1, &name, (const xp_tensor *const *)&b), XP_OK);
    ck_assert_int_eq(xp_numel(old), 2);
    ck_assert_float_eq(((float *)xp_data(old))[1], 2.0f);
    xp_safetensors_close(f);
    xp_tensor_free(old);
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_tensor *t;
    ck_assert_int_eq(xp_safetensors_get(f, "w", &t), XP_OK);
    ck_assert_int_eq(xp_numel(t), 3);
    xp_tensor_free(t);
    xp_safetensors_close(f);
    ck_assert_int_eq(count_tmp_files(), 0);
    xp_tensor_free(a), xp_tensor_free(b);
}
END_TEST

/* ---- malformed files ---- */

START_TEST(safetensors_rejects_truncation_at_every_byte) {
    uint64_t seed = 3;
    xp_tensor *a = xpt_random(&seed, XP_F32, XP_DIMS(3, 2), -1, 1);
    xp_tensor *b = xpt_random(&seed, XP_I64, XP_DIMS(2), -5, 5);
    xp_tensor *c = xpt_random(&seed, XP_BOOL, XP_DIMS(3), 0, 1);
    const char *names[] = {"a", "b", "c"};
    const xp_tensor *ts[] = {a, b, c};
    const char *path = xpt_tmp_path("whole.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 3, names, ts), XP_OK);
    size_t n;
    unsigned char *whole = xpt_read_file(path, &n);
    size_t hl = whole[0] | (size_t)whole[1] << 8;
    const char *cut = xpt_tmp_path("cut.safetensors");
    for (size_t k = 0; k < n; k++) {
        xpt_write_file(cut, whole, k);
        const char *phrase = k < 8 ? "fewer than the 8" : k < 8 + hl ? "runs past the end of the file"
                                                                      : "beyond the data section";
        assert_open_fails(cut, XP_ERR_FORMAT, phrase, NULL);
    }
    /* every failed open unmapped the file again */
    if (have_proc_maps()) ck_assert(!addr_maps_file(NULL, cut));
    xpt_write_file(cut, whole, n);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(cut, &f), XP_OK);
    xp_safetensors_close(f);
    free(whole);
    xp_tensor_free(a), xp_tensor_free(b), xp_tensor_free(c);
}
END_TEST

START_TEST(safetensors_rejects_bad_header_lengths) {
    const char *path = xpt_tmp_path("len.safetensors");
    xpt_write_file(path, "", 0);
    assert_open_fails(path, XP_ERR_FORMAT, "has 0 bytes, fewer than the 8", NULL);
    xpt_write_file(path, "\x02\0\0\0\0\0\0", 7);
    assert_open_fails(path, XP_ERR_FORMAT, "has 7 bytes", NULL);
    const char *h = "{}";
    write_st_raw(path, UINT64_MAX, h, 2, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "header length 18446744073709551615", "exceeds the limit of 100000000");
    write_st_raw(path, 100000001, h, 2, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "exceeds the limit", NULL);
    write_st_raw(path, 1000, h, 2, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "header length 1000", "would end at byte offset 1008 but the file has 10 bytes");
    write_st_raw(path, 3, h, 2, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "runs past the end", NULL);
    write_st_raw(path, 0, h, 0, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "header is empty", NULL);
    /* a header length shorter than the JSON cuts the object */
    write_st_raw(path, 1, h, 2, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "not valid JSON", NULL);
}
END_TEST

START_TEST(safetensors_rejects_headers_that_are_not_a_padded_json_object) {
    assert_open_fails_header(" {}", 0, XP_ERR_FORMAT, "must start with '{' at byte offset 8", "0x20");
    assert_open_fails_header("[]", 0, XP_ERR_FORMAT, "must start with '{'", NULL);
    assert_open_fails_header("{\"a\":", 0, XP_ERR_FORMAT, "not valid JSON", "line 1, column");
    assert_open_fails_header("{\"a\" 1}", 0, XP_ERR_FORMAT, "not valid JSON", "column 6, byte offset 14");
    assert_open_fails_header("{garbage}", 0, XP_ERR_FORMAT, "not valid JSON", NULL);
    assert_open_fails_header("{\"a\":\"\xff\"}", 0, XP_ERR_FORMAT, "not valid JSON", NULL);
    assert_open_fails_header("{}\n", 0, XP_ERR_FORMAT, "byte 0x0a at byte offset 10", "only spaces may pad");
    assert_open_fails_header("{} x", 0, XP_ERR_FORMAT, "only spaces may pad", NULL);
    assert_open_fails_header("{}{}", 0, XP_ERR_FORMAT, "only spaces may pad", NULL);
    const char nul_pad[] = "{}  \0 ";
    const char *path = xpt_tmp_path("nul.safetensors");
    write_st_raw(path, sizeof nul_pad - 1, nul_pad, sizeof nul_pad - 1, NULL, 0);
    assert_open_fails(path, XP_ERR_FORMAT, "byte 0x00 at byte offset 12", NULL);
    /* spaces are fine, as the reference writer pads */
    write_st(path, "{}      ", 0);
    xp_safetensors *f;
    ck_assert_int_eq(xp_safetensors_open(path, &f), XP_OK);
    xp_safetensors_close(f);
}
END_TEST

START_TEST(safetensors_rejects_duplicate_names) {
    assert_open_fails_header("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                             "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
                             2, XP_ERR_FORMAT, "duplicate object key", "'\"w\"'");
}
END_TEST

START_TEST(safetensors_rejects_bad_tensor_entries) {
    /* dtype */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "tensor 'w': unknown dtype 'F33'", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "unknown dtype 'f32'", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "'dtype' must be a string, found an integer", NULL);
    /* shape */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "shape entry 0 is -1", "non-negative");
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2.0],\"data_offsets\":[0,8]}}", 8, XP_ERR_FORMAT,
                             "shape entry 1 must be an integer, found a real number", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, XP_ERR_FORMAT,
                             "shape entry 0 must be an integer, found a string", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, XP_ERR_FORMAT,
                             "'shape' must be an array", NULL);
    /* fields */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "tensor 'w': missing field 'shape'", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, XP_ERR_FORMAT,
                             "missing field 'data_offsets'", NULL);
    assert_open_fails_header("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "missing field 'dtype'", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"scale\":2}}", 4,
                             XP_ERR_FORMAT, "unknown field 'scale'", NULL);
    assert_open_fails_header("{\"w\":[1,2]}", 0, XP_ERR_FORMAT, "tensor 'w': entry must be an object, found an array",
                             NULL);
    /* data_offsets */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, XP_ERR_FORMAT,
                             "'data_offsets' must be [begin, end]", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, XP_ERR_FORMAT,
                             "'data_offsets' must be [begin, end]", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"b\":0}}}", 4, XP_ERR_FORMAT,
                             "'data_offsets' must be [begin, end]", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, XP_ERR_FORMAT,
                             "data_offsets [8, 4]", "begin <= end");
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[-4,0]}}", 4, XP_ERR_FORMAT,
                             "0 <= begin", NULL);
    /* __metadata__ */
    assert_open_fails_header("{\"__metadata__\":{\"a\":1}}", 0, XP_ERR_FORMAT,
                             "'__metadata__' must map strings to strings; key 'a' has an integer", NULL);
    assert_open_fails_header("{\"__metadata__\":[\"a\"]}", 0, XP_ERR_FORMAT, "'__metadata__' must be an object", NULL);
}
END_TEST

START_TEST(safetensors_rejects_offsets_outside_the_data_section) {
    /* data section has 8 bytes; the header below is 60 bytes, so the data
     * starts at byte offset 68 */
    const char *h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    assert_open_fails_header(h, 8, XP_ERR_FORMAT, "tensor 'w': data_offsets end 16 is beyond the data section (8 bytes)",
                             NULL);
    char expect[128];
    snprintf(expect, sizeof expect, "would end at byte offset %zu of a %zu-byte file", 8 + strlen(h) + 16,
             8 + strlen(h) + 8);
    assert_open_fails_header(h, 8, XP_ERR_FORMAT, expect, NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,9223372036854775807]}}", 4,
                             XP_ERR_FORMAT, "beyond the data section", NULL);
}
END_TEST

START_TEST(safetensors_rejects_byte_lengths_that_disagree_with_dtype_and_shape) {
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20, XP_ERR_FORMAT,
                             "tensor 'w': dtype F32 with shape [2, 3] needs 24 bytes, but data_offsets [0, 20] hold 20",
                             NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,4]}}", 4, XP_ERR_FORMAT,
                             "needs 2 bytes", NULL);
    /* numel * size overflows: 2^62 * 4 bytes, and a running product of sizes
     * that overflows before a 0 (the reference folds with checked_mul too) */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0,
                             XP_ERR_FORMAT, "overflows the byte count", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}", 0,
                             XP_ERR_FORMAT, "overflows the byte count", NULL);
    assert_open_fails_header("{\"w\":{\"dtype\":\"U8\",\"shape\":[99999999999999999999],\"data_offsets\":[0,0]}}", 0,
                             XP_ERR_FORMAT, "not valid JSON", "too big integer");
    /* a sub-byte dtype with an odd element count has no whole byte length */
    assert_open_fails_header("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", 1, XP_ERR_FORMAT,
                             "needs 1.5 bytes", NULL);
    /* a leading size-0 dim keeps the product at 0 */
    const char *path = xpt_tmp_path("zero.safetensors");
    write_st(path, "{\"w\":{\"dtype\":\"U8\",\"shape\":[0,4294967296,4294967296],\"data_offsets\":[0,0]}}", 0);
    xp_safetensors *f;
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    xp_safetensors_close(f);
    write_st(path, "{\"w\":{\"dtype\":\"U8\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}", 0);
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    xp_tensor *t;
    ck_assert_msg(xp_safetensors_get(f, "w", &t) == XP_OK, "%s", xp_last_error());
    xpt_assert_shape(t, 0, 4294967296);
    xp_tensor_free(t);
    xp_safetensors_close(f);
}
END_TEST

START_TEST(safetensors_rejects_overlaps_holes_and_trailing_bytes) {
    assert_open_fails_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                             12, XP_ERR_FORMAT, "tensor 'b' data_offsets [4, 12] overlap tensor 'a' data_offsets [0, 8]",
                             NULL);
    /* the same bytes twice */
    assert_open_fails_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                             8, XP_ERR_FORMAT, "overlap", NULL);
    /* a zero-size tensor inside another one is an overlap for the reference too */
    assert_open_fails_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                             "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}",
                             8, XP_ERR_FORMAT, "overlap", NULL);
    assert_open_fails_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                             12, XP_ERR_FORMAT, "data bytes [4, 8)", "belong to no tensor");
    assert_open_fails_header("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, XP_ERR_FORMAT,
                             "data bytes [0, 4)", "before tensor 'b'");
    assert_open_fails_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12, XP_ERR_FORMAT,
                             "8 trailing bytes", NULL);
    assert_open_fails_header("{}", 3, XP_ERR_FORMAT, "declares no tensors but 3 data bytes follow", NULL);
    /* zero-size tensors at the boundaries are fine */
    const char *path = xpt_tmp_path("edges.safetensors");
    write_st(path,
             "{\"z0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
             "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"z1\":{\"dtype\":\"F32\",\"shape\":[0,2],\"data_offsets\":[4,4]}}",
             4);
    xp_safetensors *f;
    ck_assert_msg(xp_safetensors_open(path, &f) == XP_OK, "%s", xp_last_error());
    xp_tensor *t;
    ck_assert_int_eq(xp_safetensors_get(f, "z1", &t), XP_OK);
    xpt_assert_shape(t, 0, 2);
    xp_tensor_free(t);
    xp_safetensors_close(f);
}
END_TEST

START_TEST(safetensors_survives_every_single_bit_flip) {
    /* Every corrupted variant must open cleanly or fail with a message;
     * any tensor it yields must be readable in full. */
    uint64_t seed = 11;
    xp_tensor *a = xpt_random(&seed, XP_F32, XP_DIMS(2, 2), -1, 1);
    xp_tensor *b = xpt_random(&seed, XP_U8, XP_DIMS(3), 0, 255);
    xp_tensor *c = xpt_random(&seed, XP_BOOL, XP_DIMS(2), 0, 1);
    const char *names[] = {"a", "b", "c"};
    const xp_tensor *ts[] = {a, b, c};
    const char *path = xpt_tmp_path("flip-src.safetensors");
    ck_assert_int_eq(xp_safetensors_save(path, 3, names, ts), XP_OK);
    size_t n;
    unsigned char *whole = xpt_read_file(path, &n);
    const char *flip = xpt_tmp_path("flip.safetensors");
    int opened = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            whole[i] ^= (unsigned char)(1u << bit);
            xpt_write_file(flip, whole, n);
            whole[i] ^= (unsigned char)(1u << bit);
            xp_safetensors *f;
            xp_status st = xp_safetensors_open(flip, &f);
            if (st != XP_OK) {
                ck_assert_msg(st == XP_ERR_FORMAT, "byte %zu bit %d: status %s: %s", i, bit, xp_status_name(st),
                              xp_last_error());
                ck_assert(strlen(xp_last_error()) > 0);
                continue;
            }
            opened++;
            for (int k = 0; k < xp_safetensors_count(f); k++) {
                xp_tensor *t;
                if (xp_safetensors_get(f, xp_safetensors_name(f, k), &t) != XP_OK) continue;
                unsigned sum = 0;
                const unsigned char *p = xp_data(t);
                size_t nb = (size_t)xp_numel(t) * xp_dtype_size(xp_dtype_of(t));
                for (size_t j = 0; j < nb; j++) sum += p[j]; /* ASan checks each read */
                ck_assert_uint_le(sum, 255 * nb);
                xp_tensor_free(t);
            }
            xp_safetensors_close(f);
        }
    }
    ck_assert_int_gt(opened, 0); /* flips in the data section still open */
    if (have_proc_maps()) ck_assert(!addr_maps_file(NULL, flip)); /* nothing left mapped */
    free(whole);
    xp_tensor_free(a), xp_tensor_free(b), xp_tensor_free(c);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("safetensors");
    tcase_add_test(tc, safetensors_round_trips_every_dtype_and_shape);
    tcase_add_test(tc, safetensors_writes_the_reference_bytes);
    tcase_add_test(tc, safetensors_writer_orders_by_alignment_then_name_and_aligns_every_tensor);
    tcase_add_test(tc, safetensors_writes_strided_views_in_c_order);
    tcase_add_test(tc, safetensors_get_is_zero_copy_into_the_mapping_when_aligned);
    tcase_add_test(tc, safetensors_tensors_outlive_close_and_the_last_one_unmaps);
    tcase_add_test(tc, safetensors_close_unmaps_when_no_tensor_is_alive);
    tcase_add_test(tc, safetensors_in_place_writes_never_reach_the_file);
    tcase_add_test(tc, safetensors_copies_tensors_misaligned_for_their_dtype);
    tcase_add_test(tc, safetensors_get_reports_missing_and_unsupported_tensors);
    tcase_add_test(tc, safetensors_open_reports_missing_and_non_regular_files);
    tcase_add_test(tc, safetensors_save_rejects_bad_arguments_and_keeps_the_old_file);
    tcase_add_test(tc, safetensors_save_replaces_an_open_file_atomically);
    tcase_add_test(tc, safetensors_rejects_truncation_at_every_byte);
    tcase_add_test(tc, safetensors_rejects_bad_header_lengths);
    tcase_add_test(tc, safetensors_rejects_headers_that_are_not_a_padded_json_object);
    tcase_add_test(tc, safetensors_rejects_duplicate_names);
    tcase_add_test(tc, safetensors_rejects_bad_tensor_entries);
    tcase_add_test(tc, safetensors_rejects_offsets_outside_the_data_section);
    tcase_add_test(tc, safetensors_rejects_byte_lengths_that_disagree_with_dtype_and_shape);
    tcase_add_test(tc, safetensors_rejects_overlaps_holes_and_trailing_bytes);
    tcase_add_test(tc, safetensors_survives_every_single_bit_flip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
