/* DESIGN §1's tutorial model: relu(linear(x + y)), 100 -> 10. */
#ifndef TUTORIAL_H
#define TUTORIAL_H

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

xp_tensor *forward(const Model *m, xp_tensor *x, xp_tensor *y);

#endif
