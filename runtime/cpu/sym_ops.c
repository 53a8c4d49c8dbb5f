/*
 * sym_eq / sym_le / sym_lt: a size comparison as a 0-d bool tensor. At run
 * time the interpreter has already replaced symbolic ints by their values.
 */
#include "cpu/cpu_util.h"

static xp_status compare(const xp_call *call, const char *name, int rel) {
    xp_cpu_check_out(name, call->outs[0]);
    xp_dim a = call->args[0].i, b = call->args[1].i;
    if (xp_dim_is_sym(a) || xp_dim_is_sym(b))
        return xp_error(XP_ERR_INTERNAL, "%s: the sizes were not bound to values", name);
    bool r = rel == 0 ? a == b : rel == 1 ? a <= b : a < b;
    xp_cpu_store_scalar(XP_BOOL, xp_tensor_base_ptr(call->outs[0]), r ? 1.0 : 0.0);
    return XP_OK;
}

xp_status xp_cpu_sym_eq(const xp_call *call) { return compare(call, "sym_eq", 0); }
xp_status xp_cpu_sym_le(const xp_call *call) { return compare(call, "sym_le", 1); }
xp_status xp_cpu_sym_lt(const xp_call *call) { return compare(call, "sym_lt", 2); }
