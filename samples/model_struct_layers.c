/*
 * tags: model, data-structure
 * description: an array of layer structs in the model, walked by a constant-bound loop
 * expect: supported
 * source: ExportDB nested modules (nn.ModuleList)
 */
#include "sample.h"

#define DIM 8
#define N_LAYERS 3

typedef struct {
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *weight;
    #pragma xport param(f32[DIM])
    xp_tensor *bias;
} Layer;

typedef struct {
    Layer layers[N_LAYERS];
} Model;

#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport input(x, f32[batch, DIM])
xp_tensor *model_struct_layers(const Model *m, xp_tensor *x) {
    for (int i = 0; i < N_LAYERS; i++) {
        const Layer *l = &m->layers[i];
        x = xp_tanh(xp_linear(x, l->weight, l->bias));
    }
    return x;
}

XP_SAMPLE(model_struct_layers) {
    Model m = {{{XP_WEIGHT("layers.0.weight"), XP_WEIGHT("layers.0.bias")},
                {XP_WEIGHT("layers.1.weight"), XP_WEIGHT("layers.1.bias")},
                {XP_WEIGHT("layers.2.weight"), XP_WEIGHT("layers.2.bias")}}};
    XP_RETURN(model_struct_layers(&m, XP_IN(0)));
}
