/*
 * Recording a call of a custom op (#pragma xport op): one node, whose
 * output metas the caller computed from the op's meta function (the plugin
 * interprets it on a scratch capture, docs/custom-ops.md).
 */
#include "capture/capture_internal.h"

xp_status xp_capture_custom_op(xp_capture *c, xp_op_id op, const xp_carg *args, int nargs, const xp_meta *meta,
                               xp_srcloc loc, xp_cref *out) {
    if (out) *out = XP_CREF_NONE;
    if (!c || !out || !meta)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_custom_op: capture, meta and out are required");
    if (c->finished) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_custom_op: the capture is already finished");
    const xp_op_def *def = xp_op_get(op);
    if (!def || !(def->flags & XP_OP_CUSTOM))
        return xp_error(XP_ERR_NOT_FOUND, "xp_capture_custom_op: op id %d is not a custom op", (int)op);
    if (def->flags & XP_OP_MUTABLE)
        return xp_error(XP_ERR_UNSUPPORTED,
                        "custom op %s writes an argument (Tensor(a!)); an exported graph holds only functional "
                        "ops: return a new tensor instead",
                        def->name);
    if (nargs < 0 || nargs > XP_MAX_OP_ARGS || (nargs > 0 && !args))
        return xp_error(XP_ERR_INVALID_ARG, "%s: takes at most %d arguments, %d given", def->name, def->schema->nargs,
                        nargs);
    xp_narg nodeargs[XP_MAX_OP_ARGS];
    xp_status st = xp_cap_node_args(c, args, nargs, loc, nodeargs);
    if (st) return st;
    int32_t value = -1;
    st = xp_graph_add_custom_node(xp_cap_graph(c), op, nodeargs, nargs, meta, 1, loc, NULL, &value);
    xp_cap_free_nargs(nodeargs, nargs);
    if (st) return st;
    return xp_cap_new_base(c, value, out);
}
