/*
 * The decomposition table (decomps.def) as data: lookups by op, the
 * xp_decomp_table sets of xport.h (xp_decomp_table_for, the analog of
 * torch's get_decompositions), and registry introspection by op name.
 */
#include "decomp/xp_decomp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const xp_decomp_fn g_decomps[XP_OP_COUNT] = {
#define XP_DECOMP(op, fn) [XP_OP_##op] = fn,
#include "decomp/decomps.def"
#undef XP_DECOMP
};

xp_decomp_fn xp_decomp_get(xp_op_id op) { return (int)op >= 0 && op < XP_OP_COUNT ? g_decomps[op] : NULL; }

bool xp_op_has_decomposition(xp_op_id op) { return xp_decomp_get(op) != NULL; }

/* Why `def` (which has no row) cannot be decomposed, for messages. */
static const char *why_not(const xp_op_def *def) {
    if (def->flags & XP_OP_CUSTOM) return "is a custom op: its C implementation is its kernel";
    if (def->flags & XP_OP_CONTROL) return "is control flow (its branches are decomposed, the op itself stays)";
    if (def->flags & XP_OP_MUTABLE) return "is an in-place op: graphs hold its functional form, never the op";
    if (def->flags & XP_OP_CORE) return "is a core op";
    return "has no decomposition"; /* a missing row: test_decomp fails on it */
}

xp_decomp_table *xp_decomp_table_for(const char *ops) {
    if (!ops) {
        xp_error(XP_ERR_INVALID_ARG, "xp_decomp_table_for: the op list is NULL (pass NULL to "
                                     "xp_program_run_decompositions for the full table)");
        return NULL;
    }
    xp_registry_init();
    xp_decomp_table *t = xp_calloc(1, sizeof *t);
    if (!t) return NULL;
    /* every bad name goes into one message: "unknown op 'foo'; 'add' is a core op" */
    char msg[1024];
    size_t used = 0;
    int nbad = 0, nnames = 0;
    msg[0] = 0;
    for (const char *p = ops; *p;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        p = *end ? end + 1 : end;
        if (a == b) continue;
        nnames++;
        char name[64];
        size_t len = (size_t)(b - a);
        const xp_op_def *def = NULL;
        if (len < sizeof name) {
            memcpy(name, a, len);
            name[len] = 0;
            def = xp_op_find(name);
        }
        if (def && xp_op_has_decomposition(def->id)) {
            t->ops[def->id] = true;
            continue;
        }
        nbad++;
        int w = def ? snprintf(msg + used, sizeof msg - used, "%s'%s' %s", used ? "; " : "", name, why_not(def))
                    : snprintf(msg + used, sizeof msg - used, "%sunknown op '%.*s'", used ? "; " : "",
                               (int)(len < 48 ? len : 48), a);
        if (w > 0) used = used + (size_t)w < sizeof msg ? used + (size_t)w : sizeof msg - 1;
    }
    if (nbad) {
        free(t);
        xp_error(XP_ERR_NOT_FOUND, "cannot decompose: %s", msg);
        return NULL;
    }
    if (!nnames) {
        free(t);
        xp_error(XP_ERR_INVALID_ARG, "the op list '%s' names no op", ops);
        return NULL;
    }
    return t;
}

void xp_decomp_table_free(xp_decomp_table *table) { free(table); }

/* ---- introspection by name ---- */

static const xp_op_def *op_named(const char *name) {
    if (!name) return NULL;
    xp_registry_init();
    return xp_op_find(name);
}

bool xp_op_exists(const char *name) { return op_named(name) != NULL; }

bool xp_op_is_core(const char *name) {
    const xp_op_def *def = op_named(name);
    return def && (def->flags & XP_OP_CORE);
}

bool xp_op_is_mutable(const char *name) {
    const xp_op_def *def = op_named(name);
    return def && (def->flags & XP_OP_MUTABLE);
}

bool xp_op_is_decomposable(const char *name) {
    const xp_op_def *def = op_named(name);
    return def && xp_op_has_decomposition(def->id);
}
