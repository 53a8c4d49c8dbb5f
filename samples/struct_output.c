/*
 * tags: data-structure
 * description: returning a struct of tensors gives one output per field
 * expect: supported
 * source: ExportDB dictionary, pytree_flatten (multiple outputs)
 */
#include "sample.h"

typedef struct {
    xp_tensor *sum;
    xp_tensor *product;
} Result;

#pragma xport export
#pragma xport input(x, f32[4])
#pragma xport input(y, f32[4])
Result struct_output(xp_tensor *x, xp_tensor *y) {
    Result r = {xp_add(x, y), xp_mul(x, y)};
    return r;
}

XP_SAMPLE(struct_output) {
    Result r = struct_output(XP_IN(0), XP_IN(1));
    XP_RETURN(r.sum, r.product);
}
