/*
 * tags: control-flow
 * description: a loop with a constant bound is unrolled
 * expect: supported
 * source: ExportDB static_for_loop
 */
#include "sample.h"

#define N_STEPS 3

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *static_for_loop(xp_tensor *x) {
    xp_tensor *acc = x;
    for (int i = 0; i < N_STEPS; i++)
        acc = xp_add(acc, xp_mul_scalar(x, i + 1));
    return acc;
}

XP_SAMPLE(static_for_loop) { XP_RETURN(static_for_loop(XP_IN(0))); }
