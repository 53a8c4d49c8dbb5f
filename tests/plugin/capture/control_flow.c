/* cond and map (DESIGN §2, §5): a data-dependent or size-dependent 'if'
 * marked '#pragma xport cond' becomes one cond node with both branches as
 * subgraphs; a loop over a tensor's leading dim marked '#pragma xport map'
 * becomes one map node; xp_cond / xp_map are their function forms. */
#include <xport.h>

/* A tensor predicate, written xp_item_bool(t); the branches assign a local
 * that lives on after the 'if'. */
#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport input(x, f32[batch, 4])
xp_tensor *cond_tensor(xp_tensor *x) {
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) {
        y = xp_sin(x);
    } else {
        y = xp_cos(x);
    }
    return xp_add(y, x);
}

/* `if (p) return a; return b;`, with a negated predicate. */
#pragma xport export
#pragma xport input(x, f32[3])
xp_tensor *cond_return(xp_tensor *x) {
    #pragma xport cond
    if (!xp_item_bool(xp_gt_scalar(xp_mean(x), 0.5)))
        return xp_relu(x);
    return xp_neg(x);
}

/* A size comparison the declared range does not decide: a sym_le predicate.
 * A tensor assigned on one side keeps its value on the other. */
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 2])
xp_tensor *cond_size(xp_tensor *x) {
    xp_tensor *y = xp_mul_scalar(x, 2.0);
    #pragma xport cond
    if (xp_size(x, 0) > 16)
        y = xp_neg(y);
    return y;
}

/* Nested conds; the inner one in a helper that closes over 'w'. */
static xp_tensor *scale(xp_tensor *v, xp_tensor *w) {
    #pragma xport cond
    if (xp_item_bool(xp_lt_scalar(xp_amax(v), 1.0)))
        return xp_mul(v, w);
    return xp_div(v, w);
}

#pragma xport export
#pragma xport input(x, f32[2, 3])
#pragma xport input(w, f32[3])
xp_tensor *cond_nested(xp_tensor *x, xp_tensor *w) {
    xp_tensor *y = x;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(w), 0))) {
        y = scale(xp_exp(x), w);
    } else {
        y = xp_tanh(y);
    }
    return y;
}

/* One pragma covers an 'else if' chain: each link is a cond nested in the
 * false branch of the one before. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_chain(xp_tensor *x) {
    xp_tensor *s = xp_sum(x);
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(s, 10)))
        y = xp_mul_scalar(x, 10.0);
    else if (xp_item_bool(xp_gt_scalar(s, 0)))
        y = xp_relu(x);
    else
        y = xp_neg(x);
    return y;
}

/* A map loop: each iteration reads slice i of xs and writes slice i of ys;
 * 'w' is loop-invariant. */
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

/* The function forms. */
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
