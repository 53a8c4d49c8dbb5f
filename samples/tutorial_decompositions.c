/*
 * tags: model, operator
 * description: conv2d and batch_norm: exported as non-core ops, equal after xp_program_run_decompositions
 * expect: supported
 * source: torch.export tutorial, decompositions
 */
#include "sample.h"

/* The tutorial's decomposition example: Conv2d(3, 16, 3) then BatchNorm2d
 * in inference mode. The exported program keeps conv2d and batch_norm;
 * the harness also runs the program with every op decomposed into the core
 * opset (xp_program_run_decompositions with the full table). */
typedef struct {
    #pragma xport param(f32[16, 3, 3, 3])
    xp_tensor *conv_weight;
    #pragma xport param(f32[16])
    xp_tensor *conv_bias;
    #pragma xport param(f32[16])
    xp_tensor *bn_weight;
    #pragma xport param(f32[16])
    xp_tensor *bn_bias;
    #pragma xport buffer(f32[16])
    xp_tensor *bn_mean;
    #pragma xport buffer(f32[16])
    xp_tensor *bn_var;
} Model;

#pragma xport export
#pragma xport input(x, f32[1, 3, 8, 8])
xp_tensor *decompositions(const Model *m, xp_tensor *x) {
    xp_tensor *y = xp_conv2d(x, m->conv_weight, m->conv_bias, 1, 0, 1, 1);
    return xp_batch_norm(y, m->bn_weight, m->bn_bias, m->bn_mean, m->bn_var, 1e-5);
}

XP_SAMPLE(decompositions) {
    Model m = {XP_WEIGHT("conv_weight"), XP_WEIGHT("conv_bias"), XP_WEIGHT("bn_weight"),
               XP_WEIGHT("bn_bias"),     XP_WEIGHT("bn_mean"),   XP_WEIGHT("bn_var")};
    XP_RETURN(decompositions(&m, XP_IN(0)));
}
