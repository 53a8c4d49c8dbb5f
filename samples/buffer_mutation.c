/*
 * tags: mutation, model
 * description: updating a model buffer in place (a KV-cache write) is a BUFFER_MUTATION
 * expect: supported
 * source: ExportDB tensor_setattr, buffer updates
 */
#include "sample.h"

typedef struct {
    #pragma xport buffer(f32[8, 4])
    xp_tensor *cache;
} Model;

#pragma xport export
#pragma xport input(k, f32[1, 4])
xp_tensor *buffer_mutation(const Model *m, xp_tensor *k) {
    xp_copy_(xp_slice(m->cache, 0, 2, 3, 1), k);
    return xp_sum_dims(m->cache, XP_DIMS(0), false);
}

XP_SAMPLE(buffer_mutation) {
    Model m = {XP_WEIGHT("cache")};
    XP_RETURN(buffer_mutation(&m, XP_IN(0)));
}
