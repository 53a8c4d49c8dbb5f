#include <xport.h>

#define IN 100
#define OUT 10

typedef struct {
    #pragma xport param(f32[OUT, IN])
    xp_tensor *weight;
    #pragma xport param(f32[OUT])
    xp_tensor *bias;
} Linear;

typedef struct { Linear lin; } Model;

#pragma xport export
#pragma xport dim(batch, min=1, max=1024)
#pragma xport input(x, f32[batch, IN])
#pragma xport input(y, f32[batch, IN])
xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y) {
    return xp_relu_(xp_linear(xp_add(x, y), m->lin.weight, m->lin.bias));
}
