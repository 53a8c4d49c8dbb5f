/*
 * .npy files (NumPy's format, numpy/lib/format.py):
 *
 *   bytes [0, 6)    magic "\x93NUMPY"
 *   bytes 6, 7      major, minor version: 1.0, 2.0 or 3.0
 *   then            header length: u16 LE (1.0) or u32 LE (2.0, 3.0)
 *   then            the header: a Python dict literal
 *                   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *                   padded with spaces and ended by '\n'
 *   then            the data: numel * itemsize bytes, nothing after
 *
 * The header is a Python literal, not JSON. NumPy evaluates it with
 * ast.literal_eval; we parse exactly the dict form above with a small strict
 * parser and reject anything else: keys 'descr', 'fortran_order' and 'shape',
 * each once (NumPy also requires exactly these keys), single- or double-quoted
 * strings without escapes, True/False, a tuple of non-negative decimal
 * integers ('()', '(3,)', '(2, 3)'), spaces between tokens, an optional
 * trailing comma, then only spaces and the final newline. The header length
 * is bounded by NumPy's own default max_header_size (10000 bytes).
 *
 * Supported: little-endian '<f4' '<f8' '<f2' '<i8' '<i4' and the one-byte
 * '|i1' '|u1' '|b1' (any byte-order character for those). Big-endian
 * multi-byte dtypes and Fortran-order arrays are reported as unsupported
 * (XP_ERR_UNSUPPORTED); broken files as XP_ERR_FORMAT. Bool bytes must be 0
 * or 1, since any other byte is not a valid C bool for the kernels.
 *
 * The writer produces version 1.0 with NumPy's 64-byte alignment.
 */
#include "io/xp_io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* numpy.lib.format's default max_header_size */
#define NPY_MAX_HEADER 10000
#define NPY_ALIGN 64

typedef struct npy_descr {
    const char *code; /* without the byte-order character */
    xp_dtype dt;
} npy_descr;

static const npy_descr npy_descrs[] = {
    {"f4", XP_F32}, {"f8", XP_F64}, {"f2", XP_F16}, {"i8", XP_I64}, {"i4", XP_I32},
    {"i1", XP_I8},  {"u1", XP_U8},  {"b1", XP_BOOL},
};

/* ---- reading whole byte ranges ---- */

/* Reads up to n bytes at offset; returns how many were read, or -1. */
static ssize_t read_at(int fd, void *buf, size_t n, off_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* ---- the header dict parser ---- */

typedef struct npy_parser {
    const char *path;
    const char *s;
    size_t len, pos;
    uint64_t base; /* file offset of s[0] */
    xp_status st;
} npy_parser;

typedef struct npy_header {
    char descr[32];
    size_t descr_pos; /* offset of the descr value in the header */
    bool fortran_order;
    int ndim;
    int64_t shape[XP_MAX_DIMS];
} npy_header;

static bool npy_fail(npy_parser *p, xp_status st, const char *fmt, ...) XP_PRINTF(3, 4);
static bool npy_fail(npy_parser *p, xp_status st, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->st = xp_error(st, "%s: header: %s at byte offset %" PRIu64, p->path, msg, p->base + p->pos);
    return false;
}

static void skip_spaces(npy_parser *p) {
    while (p->pos < p->len && p->s[p->pos] == ' ') p->pos++;
}

static bool at(const npy_parser *p, char c) { return p->pos < p->len && p->s[p->pos] == c; }

/* Describes the byte at the cursor for messages. */
static const char *cursor_word(const npy_parser *p, char *buf, size_t cap) {
    if (p->pos >= p->len) return "the end of the header";
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c >= 0x20 && c < 0x7f) snprintf(buf, cap, "'%c'", c);
    else snprintf(buf, cap, "byte 0x%02x", c);
    return buf;
}

static bool expect(npy_parser *p, char c, const char *what) {
    char w[16];
    if (at(p, c)) {
        p->pos++;
        return true;
    }
    return npy_fail(p, XP_ERR_FORMAT, "expected %s, found %s", what, cursor_word(p, w, sizeof w));
}

/* A Python string literal without escapes: 'abc' or "abc". */
static bool parse_string(npy_parser *p, char *out, size_t cap) {
    char w[16];
    if (!at(p, '\'') && !at(p, '"'))
        return npy_fail(p, XP_ERR_FORMAT, "expected a quoted string, found %s", cursor_word(p, w, sizeof w));
    char q = p->s[p->pos++];
    size_t n = 0;
    while (p->pos < p->len && p->s[p->pos] != q) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '\\') return npy_fail(p, XP_ERR_FORMAT, "escape sequences are not allowed in header strings");
        if (c < 0x20 || c >= 0x7f) return npy_fail(p, XP_ERR_FORMAT, "byte 0x%02x inside a string", c);
        if (n + 1 >= cap) return npy_fail(p, XP_ERR_FORMAT, "string longer than %zu characters", cap - 1);
        out[n++] = (char)c;
        p->pos++;
    }
    if (p->pos >= p->len) return npy_fail(p, XP_ERR_FORMAT, "unterminated string");
    p->pos++;
    out[n] = '\0';
    return true;
}

static bool parse_bool(npy_parser *p, bool *out) {
    char w[16];
    if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "True", 4) == 0) {
        p->pos += 4;
        *out = true;
    } else if (p->len - p->pos >= 5 && memcmp(p->s + p->pos, "False", 5) == 0) {
        p->pos += 5;
        *out = false;
    } else {
        return npy_fail(p, XP_ERR_FORMAT, "expected True or False, found %s", cursor_word(p, w, sizeof w));
    }
    /* "Truex" is a name, not True */
    if (p->pos < p->len && (p->s[p->pos] == '_' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9') ||
                            ((p->s[p->pos] | 0x20) >= 'a' && (p->s[p->pos] | 0x20) <= 'z')))
        return npy_fail(p, XP_ERR_FORMAT, "expected True or False");
    return true;
}

/* A non-negative decimal integer as Python writes it (no leading zeros). */
static bool parse_int(npy_parser *p, int64_t *out) {
    char w[16];
    if (at(p, '-')) return npy_fail(p, XP_ERR_FORMAT, "shape sizes must be non-negative");
    if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
        return npy_fail(p, XP_ERR_FORMAT, "expected a size, found %s", cursor_word(p, w, sizeof w));
    size_t start = p->pos;
    int64_t v = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, p->s[p->pos] - '0', &v)) {
            p->pos = start;
            return npy_fail(p, XP_ERR_FORMAT, "shape size does not fit in 64 bits");
        }
        p->pos++;
    }
    if (p->s[start] == '0' && p->pos - start > 1) {
        p->pos = start;
        return npy_fail(p, XP_ERR_FORMAT, "shape size with a leading zero");
    }
    *out = v;
    return true;
}

/* '()', '(3,)', '(2, 3)', '(2, 3,)' */
static bool parse_shape(npy_parser *p, npy_header *h) {
    char w[16];
    if (at(p, '[')) return npy_fail(p, XP_ERR_FORMAT, "'shape' must be a tuple, found a list");
    if (!expect(p, '(', "'(' to start the shape tuple")) return false;
    skip_spaces(p);
    h->ndim = 0;
    bool comma = false;
    while (!at(p, ')')) {
        if (h->ndim == XP_MAX_DIMS)
            return npy_fail(p, XP_ERR_UNSUPPORTED, "the array has more than %d dims; xport supports at most %d",
                            XP_MAX_DIMS, XP_MAX_DIMS);
        if (!parse_int(p, &h->shape[h->ndim])) return false;
        h->ndim++;
        skip_spaces(p);
        if (at(p, ',')) {
            p->pos++;
            comma = true;
            skip_spaces(p);
        } else if (!at(p, ')')) {
            return npy_fail(p, XP_ERR_FORMAT, "expected ',' or ')' in the shape tuple, found %s",
                            cursor_word(p, w, sizeof w));
        }
    }
    /* In Python "(3)" is the integer 3, not a tuple. */
    if (h->ndim == 1 && !comma) return npy_fail(p, XP_ERR_FORMAT, "'shape' (n) is not a tuple; a 1-d shape is written (n,)");
    p->pos++; /* ')' */
    return true;
}

static bool parse_dict(npy_parser *p, npy_header *h) {
    char w[16];
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    if (!expect(p, '{', "'{' at the start of the header")) return false;
    skip_spaces(p);
    while (!at(p, '}')) {
        char key[32];
        size_t key_pos = p->pos;
        if (!parse_string(p, key, sizeof key)) return false;
        bool *seen = strcmp(key, "descr") == 0           ? &seen_descr
                     : strcmp(key, "fortran_order") == 0 ? &seen_fortran
                     : strcmp(key, "shape") == 0         ? &seen_shape
                                                         : NULL;
        if (!seen) {
            p->pos = key_pos;
            return npy_fail(p, XP_ERR_FORMAT, "unknown key '%s' (expected 'descr', 'fortran_order', 'shape')", key);
        }
        if (*seen) {
            p->pos = key_pos;
            return npy_fail(p, XP_ERR_FORMAT, "key '%s' appears twice", key);
        }
        *seen = true;
        skip_spaces(p);
        if (!expect(p, ':', "':' after a key")) return false;
        skip_spaces(p);
        if (seen == &seen_descr) {
            if (at(p, '['))
                return npy_fail(p, XP_ERR_UNSUPPORTED, "structured dtypes (a list 'descr') are not supported");
            h->descr_pos = p->pos;
            if (!parse_string(p, h->descr, sizeof h->descr)) return false;
        } else if (seen == &seen_fortran) {
            if (!parse_bool(p, &h->fortran_order)) return false;
        } else if (!parse_shape(p, h)) {
            return false;
        }
        skip_spaces(p);
        if (at(p, ',')) {
            p->pos++;
            skip_spaces(p);
        } else if (!at(p, '}')) {
            return npy_fail(p, XP_ERR_FORMAT, "expected ',' or '}' in the header dict, found %s",
                            cursor_word(p, w, sizeof w));
        }
    }
    p->pos++; /* '}' */
    if (!seen_descr || !seen_fortran || !seen_shape)
        return npy_fail(p, XP_ERR_FORMAT, "the header dict lacks the key '%s'",
                        !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
    /* padding: spaces, then the newline that ends the header */
    skip_spaces(p);
    if (p->pos + 1 != p->len || p->s[p->pos] != '\n') {
        if (p->pos >= p->len) {
            p->pos = p->len ? p->len - 1 : 0;
            return npy_fail(p, XP_ERR_FORMAT, "the header must end with a newline");
        }
        return npy_fail(p, XP_ERR_FORMAT, "%s after the header dict; only spaces and a final newline may follow it",
                        cursor_word(p, w, sizeof w));
    }
    return true;
}

/* Maps h->descr to a dtype; records the error otherwise. */
static bool npy_descr_dtype(const char *path, const npy_header *h, uint64_t descr_offset, xp_dtype *out) {
    const char *d = h->descr;
    char order = d[0];
    const char *code = (order == '<' || order == '>' || order == '|' || order == '=') ? d + 1 : NULL;
    for (size_t i = 0; code && i < sizeof npy_descrs / sizeof npy_descrs[0]; i++) {
        if (strcmp(code, npy_descrs[i].code) != 0) continue;
        xp_dtype dt = npy_descrs[i].dt;
        if (xp_dtype_size(dt) > 1) {
            if (order == '>') {
                xp_error(XP_ERR_UNSUPPORTED,
                         "%s: big-endian arrays are not supported (descr '%s' at byte offset %" PRIu64
                         "); convert with arr.astype(arr.dtype.newbyteorder('<'))",
                         path, d, descr_offset);
                return false;
            }
            if (order == '|') {
                xp_error(XP_ERR_FORMAT,
                         "%s: descr '%s' at byte offset %" PRIu64 " lacks a byte order ('|' is for one-byte types)",
                         path, d, descr_offset);
                return false;
            }
            /* '=' is the writer's native order; xport hosts are little-endian */
        }
        *out = dt;
        return true;
    }
    xp_error(XP_ERR_UNSUPPORTED,
             "%s: dtype '%s' (descr at byte offset %" PRIu64
             ") is not supported; xport reads <f4 <f8 <f2 <i8 <i4 |i1 |u1 |b1",
             path, d, descr_offset);
    return false;
}

static const char *tuple_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, d ? ", " : "", shape[d]);
    if (n < cap) snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
    return buf;
}

xp_status xp_npy_load(const char *path, xp_tensor **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_npy_load: out is NULL");
    *out = NULL;
    if (!path) return xp_error(XP_ERR_INVALID_ARG, "xp_npy_load: path is NULL");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return xp_error(XP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    xp_status rc = XP_OK;
    char *header = NULL;
    xp_tensor *t = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        rc = xp_error(XP_ERR_IO, "cannot stat '%s': %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = xp_error(XP_ERR_IO, "cannot read '%s': not a regular file", path);
        goto done;
    }
    uint64_t size = (uint64_t)sb.st_size;

    unsigned char pre[12];
    ssize_t got = read_at(fd, pre, sizeof pre, 0);
    if (got < 0) {
        rc = xp_error(XP_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    size_t have = (size_t)got;
    size_t cmp = have < NPY_MAGIC_LEN ? have : NPY_MAGIC_LEN;
    if (memcmp(pre, NPY_MAGIC, cmp) != 0) {
        rc = xp_error(XP_ERR_FORMAT, "%s: not a .npy file: bad magic at byte offset 0 (expected \\x93NUMPY)", path);
        goto done;
    }
    if (have < 10) {
        rc = xp_error(XP_ERR_FORMAT, "%s: the file has %zu bytes, fewer than the 10 of a .npy preamble", path, have);
        goto done;
    }
    unsigned major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        rc = xp_error(XP_ERR_FORMAT,
                      "%s: unsupported .npy format version %u.%u at byte offset 6; xport reads 1.0, 2.0 and 3.0", path,
                      major, minor);
        goto done;
    }
    size_t prefix = major == 1 ? 10 : 12;
    if (have < prefix) {
        rc = xp_error(XP_ERR_FORMAT, "%s: the file has %zu bytes, fewer than the %zu of a version %u.0 preamble", path,
                      have, prefix, major);
        goto done;
    }
    uint64_t hlen = major == 1 ? (uint64_t)pre[8] | (uint64_t)pre[9] << 8
                               : (uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)pre[10] << 16 |
                                     (uint64_t)pre[11] << 24;
    if (hlen > NPY_MAX_HEADER) {
        rc = xp_error(XP_ERR_FORMAT, "%s: header length %" PRIu64 " at byte offset 8 exceeds numpy's limit of %d bytes",
                      path, hlen, NPY_MAX_HEADER);
        goto done;
    }
    if (prefix + hlen > size) {
        rc = xp_error(XP_ERR_FORMAT,
                      "%s: the file ends inside the header: header length %" PRIu64 " needs %" PRIu64
                      " bytes but the file has %" PRIu64,
                      path, hlen, prefix + hlen, size);
        goto done;
    }
    header = xp_malloc(hlen ? (size_t)hlen : 1);
    if (!header) {
        rc = XP_ERR_OOM;
        goto done;
    }
    got = read_at(fd, header, (size_t)hlen, (off_t)prefix);
    if (got != (ssize_t)hlen) {
        rc = xp_error(XP_ERR_IO, "cannot read '%s': %s", path, got < 0 ? strerror(errno) : "the file shrank");
        goto done;
    }

    npy_parser p = {.path = path, .s = header, .len = (size_t)hlen, .base = prefix, .st = XP_OK};
    npy_header h = {0};
    if (!parse_dict(&p, &h)) {
        rc = p.st;
        goto done;
    }
    xp_dtype dt;
    if (!npy_descr_dtype(path, &h, prefix + h.descr_pos, &dt)) {
        rc = xp_last_status();
        goto done;
    }
    if (h.fortran_order) {
        rc = xp_error(XP_ERR_UNSUPPORTED,
                      "%s: fortran-order arrays are not supported; save np.ascontiguousarray(arr) instead", path);
        goto done;
    }
    char tbuf[256];
    int64_t need;
    if (!xp_io_nbytes(dt, h.ndim, h.shape, &need)) {
        rc = xp_error(XP_ERR_FORMAT, "%s: shape %s of '%s' overflows the byte count", path,
                      tuple_str(tbuf, sizeof tbuf, h.ndim, h.shape), h.descr);
        goto done;
    }
    uint64_t data_pos = prefix + hlen, actual = size - data_pos;
    if ((uint64_t)need != actual) {
        rc = xp_error(XP_ERR_FORMAT,
                      "%s: shape %s of '%s' needs %" PRId64 " data bytes but the file has %" PRIu64
                      " after the header (byte offset %" PRIu64 "): %s",
                      path, tuple_str(tbuf, sizeof tbuf, h.ndim, h.shape), h.descr, need, actual, data_pos,
                      actual < (uint64_t)need ? "the data is truncated" : "trailing bytes follow the data");
        goto done;
    }
    t = xp_tensor_new(dt, h.ndim, h.shape);
    if (!t) {
        rc = xp_error_prefix("%s", path);
        goto done;
    }
    if (need > 0) {
        got = read_at(fd, xp_data(t), (size_t)need, (off_t)data_pos);
        if (got != (ssize_t)need) {
            rc = xp_error(XP_ERR_IO, "cannot read '%s': %s", path, got < 0 ? strerror(errno) : "the file shrank");
            goto done;
        }
    }
    if (dt == XP_BOOL) {
        const unsigned char *b = xp_data(t);
        for (int64_t i = 0; i < need; i++)
            if (b[i] > 1) {
                rc = xp_error(XP_ERR_FORMAT,
                              "%s: bool element %" PRId64 " is 0x%02x at byte offset %" PRIu64 "; bools must be 0 or 1",
                              path, i, b[i], data_pos + (uint64_t)i);
                goto done;
            }
    }
done:
    close(fd);
    free(header);
    if (rc != XP_OK) {
        if (t) xp_tensor_free(t);
        return rc;
    }
    *out = t;
    return XP_OK;
}

xp_status xp_npy_save(const char *path, const xp_tensor *t) {
    if (!path) return xp_error(XP_ERR_INVALID_ARG, "xp_npy_save: path is NULL");
    if (!t) return xp_error(XP_ERR_INVALID_ARG, "xp_npy_save: tensor is NULL");
    const char *descr = NULL;
    switch (t->meta.dtype) {
    case XP_F32: descr = "<f4"; break;
    case XP_F64: descr = "<f8"; break;
    case XP_F16: descr = "<f2"; break;
    case XP_I64: descr = "<i8"; break;
    case XP_I32: descr = "<i4"; break;
    case XP_I8: descr = "|i1"; break;
    case XP_U8: descr = "|u1"; break;
    case XP_BOOL: descr = "|b1"; break;
    case XP_BF16:
        return xp_error(XP_ERR_UNSUPPORTED, "cannot write '%s': .npy has no bfloat16 dtype; convert with xp_to(t, XP_F32)",
                        path);
    default: return xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': invalid dtype %d", path, (int)t->meta.dtype);
    }
    int64_t nbytes;
    if (!xp_io_nbytes(t->meta.dtype, t->meta.ndim, t->meta.shape, &nbytes))
        return xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': the tensor is too large", path);

    /* Python's repr: keys sorted, a trailing ", " as NumPy writes it. */
    char dict[512], tbuf[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
                       tuple_str(tbuf, sizeof tbuf, t->meta.ndim, t->meta.shape));
    /* pad with spaces so that preamble + header, ended by '\n', fills 64-byte blocks */
    size_t total = 10 + (size_t)len + 1;
    size_t pad = (NPY_ALIGN - total % NPY_ALIGN) % NPY_ALIGN;
    size_t hlen = (size_t)len + pad + 1;
    char pre[10] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, (char)(hlen & 0xff), (char)(hlen >> 8)};

    xp_atomic_file af;
    xp_status rc = xp_atomic_file_open(&af, path);
    if (rc != XP_OK) return rc;
    bool ok = fwrite(pre, 1, sizeof pre, af.f) == sizeof pre && fwrite(dict, 1, (size_t)len, af.f) == (size_t)len;
    for (size_t i = 0; ok && i < pad; i++) ok = fputc(' ', af.f) != EOF;
    ok = ok && fputc('\n', af.f) != EOF;
    if (!ok) rc = xp_error(XP_ERR_IO, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
    if (rc == XP_OK) rc = xp_io_write_tensor_data(af.f, t, path);
    if (rc == XP_OK) return xp_atomic_file_commit(&af);
    xp_atomic_file_abort(&af);
    return rc;
}
