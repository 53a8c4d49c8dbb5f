/*
 * .safetensors files (Hugging Face's format):
 *
 *   bytes [0, 8)        N, the header length, little-endian u64
 *   bytes [8, 8+N)      a JSON object: name -> {"dtype", "shape", "data_offsets"},
 *                       plus an optional "__metadata__" string->string map
 *   bytes [8+N, end)    the data section; data_offsets are relative to it
 *
 * Reading maps the file and hands out tensors whose storage is a slice of
 * the mapping (zero-copy). The mapping is reference-counted: the open handle
 * holds one reference and every live slice storage another, so tensors stay
 * valid after xp_safetensors_close and the file is unmapped when the last of
 * them goes. The mapping is private and writable: in-place ops on a loaded
 * weight write to copy-on-write pages, never to the file. A tensor whose
 * bytes are not aligned to its element size (possible in files from other
 * writers) is copied instead, since kernels load elements directly.
 *
 * Validation mirrors the reference implementation (safetensors' Rust crate,
 * `read_metadata` and `Metadata::validate`) and is stricter where it costs
 * nothing: every message names the file, the tensor or field, and the byte
 * offset in the file.
 *  - header length: at most 100,000,000 bytes (the reference's bound) and
 *    within the file;
 *  - the header starts with '{', is JSON (jansson, duplicate keys rejected)
 *    and is followed only by spaces up to 8+N (the reference writer pads
 *    with spaces to align the data section);
 *  - each tensor entry has exactly "dtype", "shape", "data_offsets" (the
 *    reference ignores unknown fields; we reject them, since a field we do
 *    not understand could change the meaning of the bytes);
 *  - shape entries are non-negative integers, data_offsets is [begin, end]
 *    with begin <= end <= data section length, and dtype size x numel equals
 *    end - begin, all with overflow checks;
 *  - tensors must tile the data section exactly: no overlaps and no holes,
 *    and the last tensor ends at the end of the file. The reference rejects
 *    holes too (MetadataIncompleteBuffer), so we reject them rather than
 *    warn: a file we accept is a file every safetensors reader accepts, and
 *    unexplained bytes usually mean a truncated or concatenated file.
 *  - "__metadata__" must be an object of strings; it is checked and skipped.
 *  - bool tensors must hold only 0 and 1 (checked on xp_safetensors_get;
 *    any other byte would be an invalid C bool in the kernels).
 * Dtypes that the format defines but xport cannot hold (I16, U32, F8_*, ...)
 * pass validation at open; xp_safetensors_get reports them as unsupported.
 *
 * Writing follows the reference writer byte for byte: tensors sorted by
 * dtype (widest alignment first) then by name, offsets packed without gaps,
 * so every tensor is aligned to its element size; compact JSON in that order,
 * padded with spaces to a multiple of 8. Limitation: a file truncated by
 * another process while mapped raises SIGBUS on access, as with any mmap
 * reader.
 */
#include "io/xp_io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The reference implementation's MAX_HEADER_SIZE. */
#define ST_MAX_HEADER ((uint64_t)100000000)

/* The format's dtypes in the reference's order, which is increasing
 * alignment: the writer sorts by this rank, descending. `bits` allows the
 * sub-byte float formats. xp is -1 for dtypes xport cannot hold. */
typedef struct st_dtype {
    const char *name;
    unsigned bits;
    int xp;
} st_dtype;

static const st_dtype st_dtypes[] = {
    {"BOOL", 8, XP_BOOL},   {"F4", 4, -1},          {"F6_E2M3", 6, -1},   {"F6_E3M2", 6, -1},
    {"U8", 8, XP_U8},       {"I8", 8, XP_I8},       {"F8_E5M2", 8, -1},   {"F8_E4M3", 8, -1},
    {"F8_E8M0", 8, -1},     {"I16", 16, -1},        {"U16", 16, -1},      {"F16", 16, XP_F16},
    {"BF16", 16, XP_BF16},  {"I32", 32, XP_I32},    {"U32", 32, -1},      {"F32", 32, XP_F32},
    {"C64", 64, -1},        {"F64", 64, XP_F64},    {"I64", 64, XP_I64},  {"U64", 64, -1},
};
#define ST_NDTYPES ((int)(sizeof st_dtypes / sizeof st_dtypes[0]))

static int st_dtype_find(const char *name) {
    for (int i = 0; i < ST_NDTYPES; i++)
        if (strcmp(st_dtypes[i].name, name) == 0) return i;
    return -1;
}

static int st_dtype_of_xp(xp_dtype dt) {
    for (int i = 0; i < ST_NDTYPES; i++)
        if (st_dtypes[i].xp == (int)dt) return i;
    return -1;
}

/* ---- the mapping, shared by the handle and every zero-copy storage ---- */

typedef struct st_mapping {
    void *base;
    size_t len;
    atomic_int refs;
} st_mapping;

static void st_mapping_unref(st_mapping *m) {
    if (atomic_fetch_sub(&m->refs, 1) == 1) {
        munmap(m->base, m->len);
        free(m);
    }
}

/* xp_storage's release hook: the storage struct itself is freed by
 * xp_storage_release; we only drop the mapping reference. */
static void st_slice_release(xp_storage *s) { st_mapping_unref(s->release_ctx); }

/* ---- the open file ---- */

typedef struct st_entry {
    char *name;
    int dtype;      /* index into st_dtypes */
    int ndim;
    int64_t *shape; /* ndim entries (NULL when ndim == 0) */
    uint64_t begin, end; /* relative to the data section */
    xp_storage *storage; /* zero-copy slice, created on first get; one ref held here */
} st_entry;

struct xp_safetensors {
    char *path;
    st_mapping *map;
    const unsigned char *data; /* start of the data section */
    uint64_t data_pos;         /* its file offset, 8 + N */
    uint64_t data_len;
    int count;
    st_entry *entries; /* sorted by name */
};

static void st_free(xp_safetensors *st) {
    if (!st) return;
    for (int i = 0; i < st->count; i++) {
        if (st->entries[i].storage) xp_storage_release(st->entries[i].storage);
        free(st->entries[i].name);
        free(st->entries[i].shape);
    }
    free(st->entries);
    if (st->map) st_mapping_unref(st->map);
    free(st->path);
    free(st);
}

/* "[2, 3]" into buf, ending in "...]" when it does not fit. */
static const char *shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t n = 0;
    bool cut = false;
    buf[n++] = '[';
    for (int d = 0; d < ndim && !cut; d++) {
        int w = snprintf(buf + n, cap - n, "%s%" PRId64, d ? ", " : "", shape[d]);
        if (w < 0 || (size_t)w >= cap - n - 1) cut = true;
        else n += (size_t)w;
    }
    if (cut) snprintf(buf + (n < cap - 5 ? n : cap - 5), 5, "...]");
    else snprintf(buf + n, cap - n, "]");
    return buf;
}

static const char *json_type_word(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Messages quote names; this bounds them so one message stays readable. */
#define NAMEF "'%.200s'"

/* Parses one tensor entry of the header into e (name already set). */
static xp_status st_parse_entry(const char *path, const char *name, json_t *v, uint64_t data_len,
                                uint64_t data_pos, st_entry *e) {
    if (!json_is_object(v))
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": entry must be an object, found %s", path, name,
                        json_type_word(v));
    const char *key;
    json_t *field;
    json_object_foreach(v, key, field) {
        if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
            return xp_error(XP_ERR_FORMAT,
                            "%s: tensor " NAMEF ": unknown field '%.100s' (expected dtype, shape, data_offsets)",
                            path, name, key);
    }

    json_t *dtype = json_object_get(v, "dtype");
    if (!dtype) return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": missing field 'dtype'", path, name);
    if (!json_is_string(dtype))
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": 'dtype' must be a string, found %s", path, name,
                        json_type_word(dtype));
    e->dtype = st_dtype_find(json_string_value(dtype));
    if (e->dtype < 0)
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": unknown dtype '%.40s'", path, name,
                        json_string_value(dtype));

    json_t *shape = json_object_get(v, "shape");
    if (!shape) return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": missing field 'shape'", path, name);
    if (!json_is_array(shape))
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": 'shape' must be an array, found %s", path, name,
                        json_type_word(shape));
    size_t ndim = json_array_size(shape);
    if (ndim > 1024) /* far beyond any real tensor; keeps messages and allocations bounded */
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": shape has %zu dims", path, name, ndim);
    e->ndim = (int)ndim;
    if (ndim) {
        e->shape = xp_malloc(ndim * sizeof *e->shape);
        if (!e->shape) return XP_ERR_OOM;
    }
    uint64_t numel = 1;
    bool overflow = false;
    for (size_t d = 0; d < ndim; d++) {
        json_t *s = json_array_get(shape, d);
        if (!json_is_integer(s))
            return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": shape entry %zu must be an integer, found %s", path,
                            name, d, json_type_word(s));
        json_int_t size = json_integer_value(s);
        if (size < 0)
            return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": shape entry %zu is %lld; sizes must be non-negative",
                            path, name, d, (long long)size);
        e->shape[d] = (int64_t)size;
        if (__builtin_mul_overflow(numel, (uint64_t)size, &numel)) overflow = true;
    }

    json_t *offs = json_object_get(v, "data_offsets");
    if (!offs) return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": missing field 'data_offsets'", path, name);
    if (!json_is_array(offs) || json_array_size(offs) != 2 || !json_is_integer(json_array_get(offs, 0)) ||
        !json_is_integer(json_array_get(offs, 1)))
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": 'data_offsets' must be [begin, end] (two integers)", path,
                        name);
    json_int_t b = json_integer_value(json_array_get(offs, 0)), en = json_integer_value(json_array_get(offs, 1));
    if (b < 0 || en < 0 || b > en)
        return xp_error(XP_ERR_FORMAT,
                        "%s: tensor " NAMEF ": data_offsets [%lld, %lld] must be [begin, end] with 0 <= begin <= end",
                        path, name, (long long)b, (long long)en);
    e->begin = (uint64_t)b;
    e->end = (uint64_t)en;
    if (e->end > data_len)
        return xp_error(XP_ERR_FORMAT,
                        "%s: tensor " NAMEF ": data_offsets end %" PRIu64 " is beyond the data section (%" PRIu64
                        " bytes): it would end at byte offset %" PRIu64 " of a %" PRIu64 "-byte file",
                        path, name, e->end, data_len, data_pos + e->end, data_pos + data_len);

    char sbuf[128];
    uint64_t bits = 0;
    if (overflow || __builtin_mul_overflow(numel, (uint64_t)st_dtypes[e->dtype].bits, &bits))
        return xp_error(XP_ERR_FORMAT, "%s: tensor " NAMEF ": shape %s of %s overflows the byte count", path, name,
                        shape_str(sbuf, sizeof sbuf, e->ndim, e->shape), st_dtypes[e->dtype].name);
    if (bits % 8 != 0 || bits / 8 != e->end - e->begin)
        return xp_error(XP_ERR_FORMAT,
                        "%s: tensor " NAMEF ": dtype %s with shape %s needs %" PRIu64 "%s bytes, but data_offsets [%" PRIu64
                        ", %" PRIu64 "] hold %" PRIu64 " (file byte offsets %" PRIu64 " to %" PRIu64 ")",
                        path, name, st_dtypes[e->dtype].name, shape_str(sbuf, sizeof sbuf, e->ndim, e->shape),
                        bits / 8, bits % 8 ? ".5" : "", e->begin, e->end, e->end - e->begin, data_pos + e->begin,
                        data_pos + e->end);
    return XP_OK;
}

static xp_status st_check_metadata(const char *path, json_t *meta) {
    if (!json_is_object(meta))
        return xp_error(XP_ERR_FORMAT, "%s: '__metadata__' must be an object of strings, found %s", path,
                        json_type_word(meta));
    const char *key;
    json_t *v;
    json_object_foreach(meta, key, v) {
        if (!json_is_string(v))
            return xp_error(XP_ERR_FORMAT, "%s: '__metadata__' must map strings to strings; key " NAMEF " has %s", path,
                            key, json_type_word(v));
    }
    return XP_OK;
}

static int entry_by_offsets(const void *a, const void *b) {
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int entry_by_name(const void *a, const void *b) {
    return strcmp(((const st_entry *)a)->name, ((const st_entry *)b)->name);
}

/* The tensors must tile [0, data_len) exactly, as the reference requires. */
static xp_status st_check_coverage(xp_safetensors *st) {
    const char *path = st->path;
    if (st->count == 0) {
        if (st->data_len == 0) return XP_OK;
        return xp_error(XP_ERR_FORMAT,
                        "%s: the header declares no tensors but %" PRIu64 " data bytes follow it (byte offsets %" PRIu64
                        " to %" PRIu64 ")",
                        path, st->data_len, st->data_pos, st->data_pos + st->data_len);
    }
    st_entry **order = xp_malloc((size_t)st->count * sizeof *order);
    if (!order) return XP_ERR_OOM;
    for (int i = 0; i < st->count; i++) order[i] = &st->entries[i];
    qsort(order, (size_t)st->count, sizeof *order, entry_by_offsets);
    xp_status rc = XP_OK;
    uint64_t cursor = 0;
    const st_entry *prev = NULL;
    for (int i = 0; i < st->count && rc == XP_OK; i++) {
        const st_entry *e = order[i];
        if (e->begin > cursor) {
            rc = xp_error(XP_ERR_FORMAT,
                          "%s: data bytes [%" PRIu64 ", %" PRIu64 ") (file byte offsets %" PRIu64 " to %" PRIu64
                          ") before tensor " NAMEF " belong to no tensor; tensors must cover the data section without holes",
                          path, cursor, e->begin, st->data_pos + cursor, st->data_pos + e->begin, e->name);
        } else if (e->begin < cursor) {
            rc = xp_error(XP_ERR_FORMAT,
                          "%s: tensor " NAMEF " data_offsets [%" PRIu64 ", %" PRIu64 "] overlap tensor " NAMEF
                          " data_offsets [%" PRIu64 ", %" PRIu64 "] (from file byte offset %" PRIu64 ")",
                          path, e->name, e->begin, e->end, prev->name, prev->begin, prev->end, st->data_pos + e->begin);
        }
        cursor = e->end;
        prev = e;
    }
    if (rc == XP_OK && cursor != st->data_len)
        rc = xp_error(XP_ERR_FORMAT,
                      "%s: the last tensor ends at data byte %" PRIu64 " but the data section has %" PRIu64
                      " bytes: %" PRIu64 " trailing bytes from file byte offset %" PRIu64 " belong to no tensor",
                      path, cursor, st->data_len, st->data_len - cursor, st->data_pos + cursor);
    free(order);
    return rc;
}

static xp_status st_parse_header(xp_safetensors *st, const unsigned char *base, uint64_t file_size) {
    const char *path = st->path;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | base[i];
    if (n > ST_MAX_HEADER)
        return xp_error(XP_ERR_FORMAT, "%s: header length %" PRIu64 " (bytes 0 to 7) exceeds the limit of %" PRIu64
                        " bytes", path, n, ST_MAX_HEADER);
    if (n > file_size - 8)
        return xp_error(XP_ERR_FORMAT,
                        "%s: header length %" PRIu64 " (bytes 0 to 7) runs past the end of the file: the header would end "
                        "at byte offset %" PRIu64 " but the file has %" PRIu64 " bytes",
                        path, n, 8 + n, file_size);
    if (n == 0)
        return xp_error(XP_ERR_FORMAT, "%s: the header is empty; it must be a JSON object starting at byte offset 8",
                        path);
    if (base[8] != '{')
        return xp_error(XP_ERR_FORMAT, "%s: the header must start with '{' at byte offset 8, found byte 0x%02x", path,
                        base[8]);
    st->data_pos = 8 + n;
    st->data_len = file_size - st->data_pos;
    st->data = base + st->data_pos;

    json_error_t jerr;
    json_t *root = json_loadb((const char *)base + 8, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &jerr);
    if (!root)
        return xp_error(XP_ERR_FORMAT, "%s: the header is not valid JSON: %s (line %d, column %d, byte offset %" PRIu64 ")",
                        path, jerr.text, jerr.line, jerr.column, 8 + (uint64_t)(jerr.position > 0 ? jerr.position : 0));
    /* With JSON_DISABLE_EOF_CHECK jansson stops at the object's closing
     * brace and reports how many bytes it read. */
    for (uint64_t i = (uint64_t)jerr.position; i < n; i++) {
        if (base[8 + i] != ' ') {
            json_decref(root);
            return xp_error(XP_ERR_FORMAT,
                            "%s: byte 0x%02x at byte offset %" PRIu64 " follows the header's JSON object; only spaces may "
                            "pad the header",
                            path, base[8 + i], 8 + i);
        }
    }
    xp_status rc = XP_OK;
    if (!json_is_object(root)) {
        rc = xp_error(XP_ERR_FORMAT, "%s: the header must be a JSON object, found %s", path, json_type_word(root));
        goto done;
    }

    size_t total = json_object_size(root);
    if (total > (size_t)INT32_MAX) {
        rc = xp_error(XP_ERR_FORMAT, "%s: the header declares too many tensors (%zu)", path, total);
        goto done;
    }
    st->entries = xp_calloc(total ? total : 1, sizeof *st->entries);
    if (!st->entries) {
        rc = XP_ERR_OOM;
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "__metadata__") == 0) {
            rc = st_check_metadata(path, v);
            if (rc != XP_OK) goto done;
            continue;
        }
        st_entry *e = &st->entries[st->count++];
        e->name = xp_strdup(key);
        if (!e->name) {
            rc = XP_ERR_OOM;
            goto done;
        }
        rc = st_parse_entry(path, key, v, st->data_len, st->data_pos, e);
        if (rc != XP_OK) goto done;
    }
    rc = st_check_coverage(st);
    if (rc == XP_OK) qsort(st->entries, (size_t)st->count, sizeof *st->entries, entry_by_name);
done:
    json_decref(root);
    return rc;
}

xp_status xp_safetensors_open(const char *path, xp_safetensors **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_open: out is NULL");
    *out = NULL;
    if (!path) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_open: path is NULL");

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return xp_error(XP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        return xp_error(XP_ERR_IO, "cannot stat '%s': %s", path, strerror(err));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return xp_error(XP_ERR_IO, "cannot read '%s': not a regular file", path);
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (size < 8) {
        close(fd);
        return xp_error(XP_ERR_FORMAT, "%s: the file has %" PRIu64 " bytes, fewer than the 8 of the header length",
                        path, size);
    }
    if (size > SIZE_MAX) {
        close(fd);
        return xp_error(XP_ERR_UNSUPPORTED, "%s: the file is too large to map", path);
    }

    xp_safetensors *st = xp_calloc(1, sizeof *st);
    st_mapping *map = xp_calloc(1, sizeof *map);
    char *path_copy = xp_strdup(path);
    if (!st || !map || !path_copy) {
        close(fd);
        free(st);
        free(map);
        free(path_copy);
        return XP_ERR_OOM;
    }
    st->path = path_copy;
    /* MAP_PRIVATE + PROT_WRITE: in-place ops on loaded weights get private
     * copy-on-write pages and never touch the file. MAP_NORESERVE: the
     * pages are not charged as private memory until written. */
    void *base = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
    int map_err = errno;
    close(fd);
    if (base == MAP_FAILED) {
        free(map);
        st_free(st);
        return xp_error(XP_ERR_IO, "cannot map '%s': %s", path, strerror(map_err));
    }
    map->base = base;
    map->len = (size_t)size;
    atomic_init(&map->refs, 1);
    st->map = map;

    xp_status rc = st_parse_header(st, base, size);
    if (rc != XP_OK) {
        st_free(st);
        return rc;
    }
    *out = st;
    return XP_OK;
}

int xp_safetensors_count(const xp_safetensors *st) { return st ? st->count : 0; }

const char *xp_safetensors_name(const xp_safetensors *st, int i) {
    if (!st || i < 0 || i >= st->count) {
        xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_name: index %d out of range [0, %d)", i, st ? st->count : 0);
        return NULL;
    }
    return st->entries[i].name;
}

static xp_status get_unnamed(xp_safetensors *st, const char *name, xp_tensor **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_get: out is NULL");
    *out = NULL;
    if (!st || !name) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_get: %s is NULL", st ? "name" : "file");
    st_entry key = {.name = (char *)name};
    st_entry *e = bsearch(&key, st->entries, (size_t)st->count, sizeof *st->entries, entry_by_name);
    if (!e) return xp_error(XP_ERR_NOT_FOUND, "%s: no tensor named " NAMEF, st->path, name);
    const st_dtype *sd = &st_dtypes[e->dtype];
    if (sd->xp < 0)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: tensor " NAMEF " has dtype %s, which xport does not support", st->path,
                        name, sd->name);
    if (e->ndim > XP_MAX_DIMS)
        return xp_error(XP_ERR_UNSUPPORTED, "%s: tensor " NAMEF " has %d dims; xport supports at most %d", st->path,
                        name, e->ndim, XP_MAX_DIMS);
    xp_dtype dt = (xp_dtype)sd->xp;
    const unsigned char *src = st->data + e->begin;
    uint64_t nbytes = e->end - e->begin;
    if (dt == XP_BOOL) {
        for (uint64_t i = 0; i < nbytes; i++)
            if (src[i] > 1)
                return xp_error(XP_ERR_FORMAT,
                                "%s: tensor " NAMEF ": bool element %" PRIu64 " is 0x%02x at byte offset %" PRIu64
                                "; bools must be 0 or 1",
                                st->path, name, i, src[i], st->data_pos + e->begin + i);
    }

    int64_t none[1] = {0};
    const int64_t *shape = e->ndim ? e->shape : none;
    size_t es = xp_dtype_size(dt);
    if ((uintptr_t)src % es != 0) {
        /* Misaligned for its dtype: kernels need aligned elements, so copy. */
        xp_tensor *t = xp_tensor_new(dt, e->ndim, shape);
        if (!t) return xp_error_prefix("%s: tensor " NAMEF, st->path, name);
        if (nbytes) memcpy(xp_data(t), src, (size_t)nbytes);
        *out = t;
        return XP_OK;
    }

    xp_tensor *t = xp_tensor_header(dt, e->ndim, shape);
    if (!t) return xp_error_prefix("%s: tensor " NAMEF, st->path, name);
    /* One storage per tensor entry, made on first use, so two gets of one
     * name share storage (they alias the same private pages). Published
     * with a compare-and-swap so concurrent gets agree on one storage. */
    xp_storage *s = __atomic_load_n(&e->storage, __ATOMIC_ACQUIRE);
    if (!s) {
        xp_storage *made = xp_calloc(1, sizeof *made);
        if (!made) {
            xp_tensor_free(t);
            return XP_ERR_OOM;
        }
        made->data = (void *)src;
        made->nbytes = (size_t)nbytes;
        made->refcount = 1; /* the handle's reference, dropped on close */
        made->owner = XP_STORAGE_MMAP;
        made->device = NULL;
        made->release = st_slice_release;
        made->release_ctx = st->map;
        atomic_fetch_add(&st->map->refs, 1);
        if (__atomic_compare_exchange_n(&e->storage, &s, made, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            s = made;
        } else { /* another thread won; the handle's reference keeps the map alive */
            atomic_fetch_sub(&st->map->refs, 1);
            free(made);
        }
    }
    xp_storage_retain(s);
    t->storage = s;
    t->offset = 0;
    *out = t;
    return XP_OK;
}

/* The tensor carries its name in the file (xp_tensor_name), so that
 * xp_export_trace makes it the PARAMETER with that target. */
xp_status xp_safetensors_get(xp_safetensors *st, const char *name, xp_tensor **out) {
    xp_status s = get_unnamed(st, name, out);
    if (s != XP_OK) return s;
    s = xp_tensor_set_name(*out, name);
    if (s != XP_OK) {
        xp_tensor_free(*out);
        *out = NULL;
    }
    return s;
}

void xp_safetensors_close(xp_safetensors *st) { st_free(st); }

/* ---- writing ---- */

typedef struct st_item {
    const char *name;
    const xp_tensor *t;
    int rank; /* index into st_dtypes */
    uint64_t nbytes;
} st_item;

static int item_by_name(const void *a, const void *b) {
    return strcmp(((const st_item *)a)->name, ((const st_item *)b)->name);
}

/* The reference writer's order: descending dtype alignment, then name. */
static int item_by_rank_name(const void *a, const void *b) {
    const st_item *x = a, *y = b;
    if (x->rank != y->rank) return x->rank > y->rank ? -1 : 1;
    return strcmp(x->name, y->name);
}

static xp_status st_build_header(const char *path, st_item *items, int n, char **out, size_t *out_len) {
    json_t *root = json_object();
    if (!root) return xp_error(XP_ERR_OOM, "out of memory");
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        const xp_tensor *t = items[i].t;
        json_t *info = json_object(), *shape = json_array(), *offs = json_array();
        bool ok = info && shape && offs;
        for (int d = 0; ok && d < t->meta.ndim; d++) ok = json_array_append_new(shape, json_integer(t->meta.shape[d])) == 0;
        ok = ok && json_array_append_new(offs, json_integer((json_int_t)offset)) == 0 &&
             json_array_append_new(offs, json_integer((json_int_t)(offset + items[i].nbytes))) == 0;
        ok = ok && json_object_set_new(info, "dtype", json_string(st_dtypes[items[i].rank].name)) == 0;
        ok = ok && json_object_set_new(info, "shape", shape) == 0;
        shape = NULL;
        ok = ok && json_object_set_new(info, "data_offsets", offs) == 0;
        offs = NULL;
        if (!ok) {
            json_decref(info);
            json_decref(shape);
            json_decref(offs);
            json_decref(root);
            return xp_error(XP_ERR_OOM, "out of memory");
        }
        if (json_object_set_new(root, items[i].name, info) != 0) {
            json_decref(root);
            return xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': tensor name " NAMEF " is not valid UTF-8", path,
                            items[i].name);
        }
        offset += items[i].nbytes;
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text) return xp_error(XP_ERR_OOM, "out of memory");
    size_t len = strlen(text);
    size_t padded = (len + 7) / 8 * 8;
    char *buf = xp_realloc(text, padded ? padded : 1);
    if (!buf) {
        free(text);
        return XP_ERR_OOM;
    }
    memset(buf + len, ' ', padded - len);
    *out = buf;
    *out_len = padded;
    return XP_OK;
}

xp_status xp_safetensors_save(const char *path, int n, const char *const *names, const xp_tensor *const *tensors) {
    if (!path) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_save: path is NULL");
    if (n < 0) return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_save: tensor count %d is negative", n);
    if (n > 0 && (!names || !tensors))
        return xp_error(XP_ERR_INVALID_ARG, "xp_safetensors_save: %s is NULL", names ? "tensors" : "names");

    st_item *items = xp_calloc(n ? (size_t)n : 1, sizeof *items);
    if (!items) return XP_ERR_OOM;
    xp_status rc = XP_OK;
    uint64_t total = 0;
    for (int i = 0; i < n && rc == XP_OK; i++) {
        st_item *it = &items[i];
        it->name = names[i];
        it->t = tensors[i];
        if (!it->name) rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': name %d is NULL", path, i);
        else if (strcmp(it->name, "__metadata__") == 0)
            rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': '__metadata__' is reserved and cannot name a tensor",
                          path);
        else if (!it->t) rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': tensor " NAMEF " is NULL", path, it->name);
        else if ((unsigned)it->t->meta.dtype >= XP_DTYPE_COUNT || (it->rank = st_dtype_of_xp(it->t->meta.dtype)) < 0)
            rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': tensor " NAMEF " has an invalid dtype", path, it->name);
        else {
            int64_t nb;
            if (!xp_io_nbytes(it->t->meta.dtype, it->t->meta.ndim, it->t->meta.shape, &nb) ||
                __builtin_add_overflow(total, (uint64_t)nb, &total))
                rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': tensor " NAMEF " is too large", path, it->name);
            else if (nb > 0 && !it->t->storage)
                rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': tensor " NAMEF " has no data (a shape-only tensor)",
                              path, it->name);
            it->nbytes = (uint64_t)nb;
        }
    }
    if (rc == XP_OK && n > 1) {
        qsort(items, (size_t)n, sizeof *items, item_by_name);
        for (int i = 1; i < n && rc == XP_OK; i++)
            if (strcmp(items[i - 1].name, items[i].name) == 0)
                rc = xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': two tensors are named " NAMEF, path, items[i].name);
    }
    if (rc != XP_OK) {
        free(items);
        return rc;
    }
    qsort(items, (size_t)n, sizeof *items, item_by_rank_name);

    char *header = NULL;
    size_t header_len = 0;
    rc = st_build_header(path, items, n, &header, &header_len);
    if (rc != XP_OK) {
        free(items);
        return rc;
    }
    xp_atomic_file af;
    rc = xp_atomic_file_open(&af, path);
    if (rc == XP_OK) {
        unsigned char len_le[8];
        for (int i = 0; i < 8; i++) len_le[i] = (unsigned char)((uint64_t)header_len >> (8 * i));
        if (fwrite(len_le, 1, 8, af.f) != 8 || fwrite(header, 1, header_len, af.f) != header_len)
            rc = xp_error(XP_ERR_IO, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
        for (int i = 0; i < n && rc == XP_OK; i++) {
            rc = xp_io_write_tensor_data(af.f, items[i].t, path);
            if (rc != XP_OK && rc != XP_ERR_IO) xp_error_prefix("tensor " NAMEF, items[i].name);
        }
        if (rc == XP_OK) rc = xp_atomic_file_commit(&af);
        else xp_atomic_file_abort(&af);
    }
    free(header);
    free(items);
    return rc;
}
