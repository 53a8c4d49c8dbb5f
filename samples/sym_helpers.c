/*
 * tags: dynamic-shape
 * description: size arithmetic and comparisons written with the xp_sym_* helpers, which the tracer sees too
 * expect: supported
 */
#include "sample.h"

/* torch: `torch.cat([x, zeros(1, 4)]).reshape((x.shape[0] + 1) * 4)` under
 * `if x.shape[0] <= 64`. xp_sym_add/mul are '+' and '*' on sizes and
 * xp_sym_le is '<=': the plugin captures them as the operators, and
 * xp_export_trace, which sees only the values, keeps them symbolic. The
 * declared max=64 decides the condition (a specialization). */
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 4])
xp_tensor *sym_helpers(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    xp_tensor *padded = xp_cat(XP_TENSORS(x, xp_zeros(XP_F32, XP_DIMS(1, 4))), 0);
    xp_tensor *flat = xp_reshape(padded, XP_DIMS(xp_sym_mul(xp_sym_add(n, 1), 4)));
    if (xp_sym_le(xp_size(x, 0), 64))
        flat = xp_relu(flat);
    else
        flat = xp_neg(flat);
    return flat;
}

XP_SAMPLE(sym_helpers) { XP_RETURN(sym_helpers(XP_IN(0))); }
