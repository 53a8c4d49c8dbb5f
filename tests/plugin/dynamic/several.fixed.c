/* More suggested fixes that must converge in one step (run_fixit.sh): each
 * kind of edit, and two fixes of one bound merged into one edit. */
#include <xport.h>

#define LIMIT 1024

/* Two fixes of one bound: one edit, the tightest (max=8). */
#pragma xport export
#pragma xport dim(n, max=8)
#pragma xport input(x, f32[n])
xp_tensor *superseded(xp_tensor *x) {
    if (xp_size(x, 0) <= 16)
        x = xp_relu(x);
    if (xp_size(x, 0) <= 8)
        x = xp_neg(x);
    return x;
}

/* A replaced maximum and an inserted minimum on one pragma. */
#pragma xport export
#pragma xport dim(n, max=9, min=3)
#pragma xport input(x, f32[n])
xp_tensor *both_sides(xp_tensor *x) {
    if (xp_size(x, 0) > 2 && xp_size(x, 0) < 10)
        return xp_relu(x);
    return x;
}

/* One name for two dims, with the range both allow. */
#pragma xport export
#pragma xport dim(k, min=8, max=64)
#pragma xport input(x, f32[4, k])
#pragma xport input(y, f32[k, 4])
#pragma xport input(z, f32[2*k + 1])
xp_tensor *merged_ranges(xp_tensor *x, xp_tensor *y, xp_tensor *z) {
    return xp_add(xp_sum(xp_matmul(x, y)), xp_sum(z));
}

/* A static size: min and max inserted together. */
#pragma xport export
#pragma xport dim(n, min=6, max=6)
#pragma xport input(x, f32[n])
xp_tensor *reshape_const(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(2, 3));
}

/* The dim of an int parameter keeps its name; the other dim takes it. */
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(y, f32[n])
xp_tensor *symint(xp_tensor *y, int n) {
    return xp_add(y, xp_zeros(XP_F32, XP_DIMS(n)));
}
