/*
 * The registry: ops.def expanded into one table, schemas parsed once.
 */
#include "ops/xp_registry.h"
#include "ops/custom_internal.h"

#include <pthread.h>
#include <string.h>

static xp_op_def g_ops[XP_OP_COUNT] = {
#define XP_OP(name, schema, flags, shape, cpu, functional) \
    {XP_OP_##name, #name, schema, flags, shape, cpu, XP_OP_##functional, NULL},
#include "ops/ops.def"
#undef XP_OP
};

static xp_schema g_schemas[XP_OP_COUNT];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Placeholders named by ops.def for ops that have no shape function or no
 * kernel of their own (control flow; in-place ops run their functional op). */
xp_status xp_shape_none(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx, (void)args, (void)out;
    return xp_error(XP_ERR_INTERNAL, "this op has no shape function");
}

xp_status xp_kernel_none(const xp_call *call) {
    return xp_error(XP_ERR_INTERNAL, "%s has no kernel", call->op->name);
}

/* The table is code: an inconsistency here is a bug in xport, caught by the
 * first use of the registry in any test. */
static void check_entry(const xp_op_def *op, const xp_schema *s) {
    if (strcmp(s->name, op->name) != 0) XP_BUG("ops.def: op '%s' has schema named '%s'", op->name, s->name);
    bool writes = false, aliases = false;
    for (int i = 0; i < s->nargs; i++) {
        writes |= s->args[i].is_write;
        aliases |= s->args[i].alias && !s->args[i].is_write;
    }
    if (writes != !!(op->flags & XP_OP_MUTABLE))
        XP_BUG("ops.def: op '%s': XP_OP_MUTABLE must match a Tensor(a!) argument", op->name);
    if (aliases != !!(op->flags & XP_OP_VIEW))
        XP_BUG("ops.def: op '%s': XP_OP_VIEW must match a Tensor(a) argument", op->name);
    if ((op->flags & XP_OP_MUTABLE) && op->functional == XP_OP_NONE)
        XP_BUG("ops.def: mutable op '%s' needs a functional variant", op->name);
    if (!(op->flags & XP_OP_MUTABLE) && op->functional != XP_OP_NONE)
        XP_BUG("ops.def: op '%s' is not mutable but names a functional variant", op->name);
}

static void init_once(void) {
    for (int i = 0; i < XP_OP_COUNT; i++) {
        xp_op_def *op = &g_ops[i];
        if (xp_schema_parse(op->schema_text, &g_schemas[i]) != XP_OK)
            XP_BUG("ops.def: op '%s': %s", op->name, xp_last_error());
        op->schema = &g_schemas[i];
        check_entry(op, op->schema);
    }
}

void xp_registry_init(void) { pthread_once(&g_once, init_once); }

const xp_op_def *xp_op_get(xp_op_id id) {
    if ((int)id >= (int)XP_OP_COUNT) return xp_custom_op_get(id);
    if ((int)id < 0) return NULL;
    xp_registry_init();
    return &g_ops[id];
}

const xp_op_def *xp_op_find(const char *name) {
    if (!name) return NULL;
    xp_registry_init();
    for (int i = 0; i < XP_OP_COUNT; i++)
        if (strcmp(g_ops[i].name, name) == 0) return &g_ops[i];
    return strstr(name, "::") ? xp_custom_op_find(name) : NULL;
}

int xp_op_count(void) { return XP_OP_COUNT + xp_custom_op_count(); }

xp_status xp_op_infer_shape(const xp_op_def *op, xp_symctx *ctx, const xp_arg *full, xp_meta *out) {
    /* a requirement left in ctx after this call is this op's (xp_symctx_require) */
    if (ctx) xp_symctx_take_requirement(ctx, NULL);
    xp_status st = op->shape(ctx, full, out);
    if (st == XP_OK && ctx) xp_symctx_take_requirement(ctx, NULL);
    if (st == XP_OK || st == XP_ERR_OOM) return st;
    size_t len = strlen(op->name);
    const char *msg = xp_last_error();
    if (!(strncmp(msg, op->name, len) == 0 && msg[len] == ':')) xp_error_prefix("%s", op->name);
    return st;
}
