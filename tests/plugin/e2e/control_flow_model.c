/* cond and map end to end (tests/plugin/e2e/control_flow.sh): each exported
 * function is run through its exported program and eagerly, on inputs
 * that take every branch and map over several leading sizes. */
#include <xport.h>

#include "control_flow.h"

#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport input(x, f32[batch, 4])
xp_tensor *cond_tensor(xp_tensor *x) {
    xp_tensor *y = x;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) {
        y = xp_sin(x);
    } else {
        y = xp_mul_scalar(xp_cos(x), 3.0);
    }
    return xp_add(y, x);
}

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 2])
xp_tensor *cond_size(xp_tensor *x) {
    #pragma xport cond
    if (xp_size(x, 0) > 16)
        return xp_neg(x);
    return xp_exp(x);
}

static xp_tensor *scale(xp_tensor *v, xp_tensor *s) {
    #pragma xport cond
    if (xp_item_bool(xp_lt_scalar(s, 5.0)))
        return xp_mul_scalar(v, 10.0);
    return xp_tanh(v);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_chain(xp_tensor *x) {
    xp_tensor *s = xp_sum(x);
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(s, 2)))
        y = scale(x, s);
    else if (xp_item_bool(xp_gt_scalar(s, 0)))
        y = xp_relu(x);
    else
        y = xp_neg(x);
    return y;
}

#pragma xport export
#pragma xport dim(b, min=1, max=32)
#pragma xport input(xs, f32[b, 3, 4])
#pragma xport input(w, f32[4, 5])
xp_tensor *map_loop(xp_tensor *xs, xp_tensor *w) {
    xp_tensor *ys = xp_empty(XP_F32, XP_DIMS(xp_size(xs, 0), 3, 5));
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++) {
        xp_tensor *h = xp_matmul(xp_select(xs, 0, i), w);
        xp_copy_(xp_select(ys, 0, i), xp_relu(h));
    }
    return ys;
}

static xp_tensor *row_fn(xp_tensor *row, int n, xp_tensor *const *extras) {
    (void)n;
    return xp_add(xp_sin(row), extras[0]);
}

#pragma xport export
#pragma xport dim(b, min=1, max=32)
#pragma xport input(xs, f32[b, 4])
#pragma xport input(bias, f32[4])
xp_tensor *map_fn(xp_tensor *xs, xp_tensor *bias) {
    return xp_map(row_fn, xs, XP_TENSORS(bias));
}

static xp_tensor *true_fn(int n, xp_tensor *const *ops) {
    (void)n;
    return xp_mul(ops[0], ops[1]);
}

static xp_tensor *false_fn(int n, xp_tensor *const *ops) {
    (void)n;
    return xp_sub(ops[0], ops[1]);
}

#pragma xport export
#pragma xport input(x, f32[5])
#pragma xport input(y, f32[5])
xp_tensor *cond_fn(xp_tensor *x, xp_tensor *y) {
    return xp_cond(xp_gt_scalar(xp_sum(x), 0), true_fn, false_fn, XP_TENSORS(x, y));
}
