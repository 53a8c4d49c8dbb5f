/*
 * Error reporting: one thread-local status and message per thread.
 *
 * The message is formatted into a scratch buffer first, so a caller may pass
 * xp_last_error() itself as a format argument (xp_error_prefix does).
 */
#include "core/xp_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XP_ERROR_BUF 1024

static _Thread_local xp_status last_status = XP_OK;
static _Thread_local char last_msg[XP_ERROR_BUF];

xp_status xp_verror(xp_status st, const char *fmt, va_list ap) {
    char tmp[XP_ERROR_BUF];
    if (fmt) vsnprintf(tmp, sizeof tmp, fmt, ap);
    else tmp[0] = '\0';
    memcpy(last_msg, tmp, sizeof tmp);
    last_status = st;
    return st;
}

xp_status xp_error(xp_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    xp_verror(st, fmt, ap);
    va_end(ap);
    return st;
}

xp_status xp_error_prefix(const char *fmt, ...) {
    char prefix[XP_ERROR_BUF], tmp[XP_ERROR_BUF];
    va_list ap;
    va_start(ap, fmt);
    if (fmt) vsnprintf(prefix, sizeof prefix, fmt, ap);
    else prefix[0] = '\0';
    va_end(ap);
    /* Too long a result keeps the prefix and the start of the old message. */
    size_t n = strlen(prefix);
    if (n > sizeof tmp - 3) n = sizeof tmp - 3;
    memcpy(tmp, prefix, n);
    memcpy(tmp + n, ": ", 2);
    size_t rest = strnlen(last_msg, sizeof last_msg - 1);
    if (rest > sizeof tmp - n - 3) rest = sizeof tmp - n - 3;
    memcpy(tmp + n + 2, last_msg, rest);
    tmp[n + 2 + rest] = '\0';
    memcpy(last_msg, tmp, sizeof tmp);
    /* A prefix on no error still leaves a message; keep the status honest. */
    if (last_status == XP_OK) last_status = XP_ERR_INTERNAL;
    return last_status;
}

bool xp_error_pending(void) { return last_status != XP_OK; }

const char *xp_last_error(void) { return last_msg; }

xp_status xp_last_status(void) { return last_status; }

void xp_clear_error(void) {
    last_status = XP_OK;
    last_msg[0] = '\0';
}

const char *xp_status_name(xp_status st) {
    switch (st) {
    case XP_OK: return "ok";
    case XP_ERR_INVALID_ARG: return "invalid argument";
    case XP_ERR_SHAPE: return "shape error";
    case XP_ERR_DTYPE: return "dtype error";
    case XP_ERR_GUARD: return "guard violation";
    case XP_ERR_IO: return "i/o error";
    case XP_ERR_FORMAT: return "malformed file";
    case XP_ERR_NOT_FOUND: return "not found";
    case XP_ERR_UNSUPPORTED: return "unsupported";
    case XP_ERR_OOM: return "out of memory";
    case XP_ERR_DATA_DEPENDENT: return "data-dependent";
    case XP_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

_Noreturn void xp_bug_(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "xport: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nxport: this is a bug in xport, please report it\n", stderr);
    fflush(stderr);
    abort();
}
