/*
 * tags: model
 * description: the tutorial's first model: relu(linear(x + y)) with the weights in a model struct
 * expect: supported
 * source: torch.export tutorial, basic usage (MyModule)
 */
#include "sample.h"

#define IN 100
#define OUT 10

typedef struct {
    #pragma xport param(f32[OUT, IN])
    xp_tensor *weight;
    #pragma xport param(f32[OUT])
    xp_tensor *bias;
} Linear;

typedef struct {
    Linear lin;
} Model;

#pragma xport export
#pragma xport dim(batch, min=1, max=1024)
#pragma xport input(x, f32[batch, IN])
#pragma xport input(y, f32[batch, IN])
xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y) {
    return xp_relu_(xp_linear(xp_add(x, y), m->lin.weight, m->lin.bias));
}

XP_SAMPLE(forward) {
    Model m = {.lin = {.weight = XP_WEIGHT("lin.weight"), .bias = XP_WEIGHT("lin.bias")}};
    XP_RETURN(forward(&m, XP_IN(0), XP_IN(1)));
}
