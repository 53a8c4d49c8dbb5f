// Every directive in a place it belongs: no diagnostics.
#include <xport.h>
// expected-no-diagnostics

#define IN 100
#define OUT 10
#define MAX_BATCH 1024

typedef struct {
    #pragma xport param(f32[OUT, IN])
    xp_tensor *weight;
    #pragma xport param(f32[OUT])
    xp_tensor *bias;
} Linear;

typedef struct {
    Linear lin;
    struct {
        #pragma xport buffer(f32[OUT])
        xp_tensor *running_mean;
    } norm;
} Model;

/* DESIGN §1, with a macro bound and the _Pragma form. */
#pragma xport export
_Pragma("xport dim(batch, min=1, max=MAX_BATCH)")
#pragma xport input(x, f32[batch, IN])
#pragma xport input(y, f32[batch, IN])
xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y) {
    return xp_relu_(xp_linear(xp_add(x, y), m->lin.weight, m->lin.bias));
}

/* cond and map in a function that is not exported (attach only). */
static xp_tensor *branches(xp_tensor *x, xp_tensor *xs, xp_tensor *ys, int c) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) {
        x = xp_neg(x);
    } else
        #pragma xport cond
        if (c) x = xp_relu(x);
    for (int64_t i = 0; i < 2; i++) {
        #pragma xport map
        for (int64_t j = 0; j < xp_size(xs, 0); j++)
            xp_copy_(xp_select(ys, 0, j), xp_select(xs, 0, j));
    }
    switch (c) {
    case 1:
        #pragma xport cond
        if (c) x = xp_neg(x);
        break;
    }
    return x;
}

#pragma xport op("my::scale(Tensor x) -> Tensor")
xp_tensor *my_scale(xp_tensor *x) { return xp_mul_scalar(x, 2.0); }

#pragma xport meta(my::scale)
xp_tensor *my_scale_meta(xp_tensor *x) { return xp_empty_like(x); }

void use(void) { (void)branches; }
