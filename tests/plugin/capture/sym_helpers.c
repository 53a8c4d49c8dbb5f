/* The size helpers of xport.h are captured as the C operators they name:
 * `helpers` is `operators` with every operator on sizes written as
 * xp_sym_add/sub/mul/div or xp_sym_ge, and both export the same graph,
 * shapes, range constraints and specializations (only the locations and
 * the condition's text differ). */
#include <xport.h>

#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport dim(seq, min=2, max=512)
#pragma xport input(x, f32[batch, seq, 8])
xp_tensor *operators(xp_tensor *x) {
    int64_t b = xp_size(x, 0), s = xp_size(x, 1);
    xp_tensor *flat = xp_reshape(x, XP_DIMS(b * s, 8));
    xp_tensor *wide = xp_reshape(flat, XP_DIMS(b * s * 8 / s, s));            /* exact: 8*batch */
    xp_tensor *pad = xp_zeros(XP_F32, XP_DIMS(8 * b, (s + 1) / 2 - 1));        /* floor by a constant */
    xp_tensor *y = xp_cat(XP_TENSORS(wide, pad), 1);
    if (s >= 2)                                                                 /* always: seq >= 2 */
        y = xp_relu(y);
    else
        y = xp_neg(y);
    return y;
}

#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport dim(seq, min=2, max=512)
#pragma xport input(x, f32[batch, seq, 8])
xp_tensor *helpers(xp_tensor *x) {
    int64_t b = xp_size(x, 0), s = xp_size(x, 1);
    xp_tensor *flat = xp_reshape(x, XP_DIMS(xp_sym_mul(b, s), 8));
    xp_tensor *wide = xp_reshape(flat, XP_DIMS(xp_sym_div(xp_sym_mul(xp_sym_mul(b, s), 8), s), s));
    xp_tensor *pad = xp_zeros(XP_F32, XP_DIMS(xp_sym_mul(8, b), xp_sym_sub(xp_sym_div(xp_sym_add(s, 1), 2), 1)));
    xp_tensor *y = xp_cat(XP_TENSORS(wide, pad), 1);
    if (xp_sym_ge(s, 2))
        y = xp_relu(y);
    else
        y = xp_neg(y);
    return y;
}

/* On constants xp_sym_div floors, as its eager definition does (C's -7 / 2
 * truncates to -3): -4 + 5 = 1 row. */
#pragma xport export
#pragma xport input(x, f32[3])
xp_tensor *floor_of_constants(xp_tensor *x) {
    return xp_add(x, xp_zeros(XP_F32, XP_DIMS(xp_sym_add(xp_sym_div(-7, 2), 5), 3)));
}
