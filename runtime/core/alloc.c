/*
 * Allocation wrappers that record XP_ERR_OOM, 64-byte aligned storage, and
 * checked int64 arithmetic.
 *
 * Size 0 is a valid request everywhere and returns a unique non-NULL
 * pointer, so NULL always means failure.
 */
#include "core/xp_core.h"

#include <stdlib.h>
#include <string.h>

#define XP_ALIGN 64

void *xp_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) xp_error(XP_ERR_OOM, "out of memory allocating %zu bytes", n);
    return p;
}

void *xp_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) {
        xp_error(XP_ERR_OOM, "out of memory allocating %zu x %zu bytes (overflows size_t)", n, size);
        return NULL;
    }
    void *p = calloc(n && size ? n : 1, n && size ? size : 1);
    if (!p) xp_error(XP_ERR_OOM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *xp_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) xp_error(XP_ERR_OOM, "out of memory reallocating to %zu bytes", n);
    return q;
}

char *xp_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = xp_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void *xp_aligned_alloc(size_t n) {
    /* Round up to whole cache lines so vector kernels may read a full line. */
    if (n > SIZE_MAX - (XP_ALIGN - 1)) {
        xp_error(XP_ERR_OOM, "out of memory allocating %zu bytes", n);
        return NULL;
    }
    size_t rounded = n ? (n + XP_ALIGN - 1) / XP_ALIGN * XP_ALIGN : XP_ALIGN;
    void *p = NULL;
    if (posix_memalign(&p, XP_ALIGN, rounded) != 0) {
        xp_error(XP_ERR_OOM, "out of memory allocating %zu bytes", n);
        return NULL;
    }
    return p;
}

void xp_aligned_free(void *p) { free(p); }

bool xp_i64_mul_checked(int64_t a, int64_t b, int64_t *out) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return false;
    if (out) *out = r;
    return true;
}

bool xp_i64_add_checked(int64_t a, int64_t b, int64_t *out) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return false;
    if (out) *out = r;
    return true;
}
