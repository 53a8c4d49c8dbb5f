/*
 * tags: operator
 * description: binary ops on an integer and a float tensor promote to float
 * expect: supported
 * source: ExportDB type promotion
 */
#include "sample.h"

/* As in PyTorch: i64 + f32 is f32, and an integer tensor times a float
 * scalar is float. */
#pragma xport export
#pragma xport input(x, f32[3])
#pragma xport input(k, i64[3])
xp_tensor *type_promotion(xp_tensor *x, xp_tensor *k) {
    return xp_add(xp_add(x, k), xp_mul_scalar(k, 0.5));
}

XP_SAMPLE(type_promotion) { XP_RETURN(type_promotion(XP_IN(0), XP_IN(1))); }
