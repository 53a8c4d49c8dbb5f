/*
 * tags: builtin
 * description: #define, enum, static const values and constant math calls fold at export time
 * expect: supported
 * source: ExportDB specialized_attribute, constant folding
 */
#include <math.h>

#include "sample.h"

#define HEAD_DIM 64
enum { N_HEADS = 4 };
static const float kEps = 1e-6f;

#pragma xport export
#pragma xport input(x, f32[2, 8])
xp_tensor *constants_and_math(xp_tensor *x) {
    /* Folded as the compiled code computes it: 1/sqrt(64) in float. */
    float scale = 1.0f / sqrtf((float)HEAD_DIM);
    return xp_add_scalar(xp_mul_scalar(x, scale * N_HEADS), kEps);
}

XP_SAMPLE(constants_and_math) { XP_RETURN(constants_and_math(XP_IN(0))); }
