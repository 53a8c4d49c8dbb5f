/*
 * Shape function of the size predicates sym_eq / sym_le / sym_lt: a 0-d
 * bool tensor whatever the (maybe symbolic) sizes, so a cond on sizes the
 * ranges do not decide has a tensor predicate like any other.
 */
#include "ops/shape_util.h"

xp_status xp_shape_sym_compare(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    (void)ctx;
    for (int k = 0; k < 2; k++)
        if (args[k].kind != XP_ARG_INT || !xp_dim_is_valid(args[k].i))
            return xps_fail(XP_ERR_INVALID_ARG, NULL, "argument '%s' must be an int", k ? "b" : "a");
    *out = (xp_meta){.dtype = XP_BOOL, .ndim = 0};
    return XP_OK;
}
