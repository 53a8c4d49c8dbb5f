/*
 * Loading programs that the Clang plugin embedded in the binary
 * (plugin/emit.cpp writes them; XP_PROGRAM in xport.h finds the section).
 *
 * The section "xport_programs" is the linker's concatenation of entries
 *
 *     "XPORT-PROGRAM v1\0" NAME "\0" SOURCE-FILE "\0" JSON "\0"
 *
 * one per exported function per object, with NUL padding between them
 * (each object aligns its array). The scan never reads past `end`: a
 * truncated or foreign entry is a format error naming its byte offset.
 */
#include <string.h>

#include "core/xp_core.h"

#define MAGIC "XPORT-PROGRAM v"
#define MAGIC_V1 "XPORT-PROGRAM v1"
#define NOT_EXPORTED "%s was not exported: compile the file that defines it with -fplugin=xport.so (xport-cc does this)"

typedef struct entry {
    const char *name, *source, *json;
    size_t json_len;
} entry;

/* The NUL-terminated string at *p, inside [*p, end); advances *p past it. */
static const char *take_string(const char **p, const char *end, size_t *len) {
    const char *s = *p;
    const char *nul = memchr(s, '\0', (size_t)(end - s));
    if (!nul) return NULL;
    if (len) *len = (size_t)(nul - s);
    *p = nul + 1;
    return s;
}

/* Reads the entry at *p (just past padding); advances *p past it. */
static xp_status read_entry(const char *begin, const char **p, const char *end, entry *e) {
    size_t at = (size_t)(*p - begin);
    size_t avail = (size_t)(end - *p);
    size_t magic_len = sizeof MAGIC_V1; /* with its NUL */
    if (avail < magic_len && memcmp(*p, MAGIC_V1, avail) == 0)
        return xp_error(XP_ERR_FORMAT,
                        "section xport_programs is corrupt: the embedded program at byte %zu is truncated", at);
    if (avail < magic_len || memcmp(*p, MAGIC_V1, magic_len) != 0) {
        if (avail >= sizeof MAGIC - 1 && memcmp(*p, MAGIC, sizeof MAGIC - 1) == 0) {
            size_t n = strnlen(*p, avail);
            return xp_error(XP_ERR_FORMAT,
                            "embedded program at byte %zu of section xport_programs has format '%.*s', "
                            "but this runtime reads 'XPORT-PROGRAM v1': rebuild with the matching xport",
                            at, (int)(n < 40 ? n : 40), *p);
        }
        return xp_error(XP_ERR_FORMAT,
                        "section xport_programs is corrupt: byte %zu does not start an embedded program", at);
    }
    *p += magic_len;
    if (!(e->name = take_string(p, end, NULL)) || !(e->source = take_string(p, end, NULL)) ||
        !(e->json = take_string(p, end, &e->json_len)))
        return xp_error(XP_ERR_FORMAT,
                        "section xport_programs is corrupt: the embedded program at byte %zu is truncated", at);
    return XP_OK;
}

static const char *skip_padding(const char *p, const char *end) {
    while (p < end && *p == '\0') p++;
    return p;
}

/* Appends ", name" (or "name") to buf, keeping it NUL-terminated. */
static void append_name(char *buf, size_t cap, size_t *len, const char *name) {
    int n = snprintf(buf + *len, cap - *len, "%s%s", *len ? ", " : "", name);
    if (n < 0) return;
    *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

xp_status xp_program_load_embedded(xp_embedded e, xp_program **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load_embedded: out is NULL");
    *out = NULL;
    if (!e.name || !e.name[0]) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load_embedded: no program name");
    if (!e.begin || !e.end || e.end <= e.begin) return xp_error(XP_ERR_NOT_FOUND, NOT_EXPORTED, e.name);

    entry found = {0};
    int matches = 0;
    char names[512] = "";
    size_t names_len = 0;
    const char *p = skip_padding(e.begin, e.end);
    while (p < e.end) {
        entry cur = {0};
        xp_status st = read_entry(e.begin, &p, e.end, &cur);
        if (st) return st;
        if (strcmp(cur.name, e.name) == 0) {
            if (matches++)
                return xp_error(XP_ERR_INVALID_ARG,
                                "program '%s' is embedded twice in this binary, from %s and from %s: "
                                "export it from one file only (or rename one of the functions)",
                                e.name, found.source, cur.source);
            found = cur;
        } else {
            append_name(names, sizeof names, &names_len, cur.name);
        }
        p = skip_padding(p, e.end);
    }
    if (!matches) {
        if (!names_len) return xp_error(XP_ERR_NOT_FOUND, NOT_EXPORTED, e.name);
        return xp_error(XP_ERR_NOT_FOUND,
                        NOT_EXPORTED "; exported programs here: %s",
                        e.name, names);
    }
    xp_status st = xp_program_load_json(found.json, found.json_len, out);
    if (st) return xp_error_prefix("embedded program '%s' (from %s)", e.name, found.source);
    return XP_OK;
}
