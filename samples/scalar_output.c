/*
 * tags: data-structure, dynamic-shape
 * description: returning an int64_t size beside a tensor (a SYMINT output)
 * expect: supported
 * source: ExportDB scalar_output
 */
#include "sample.h"

/* torch: `return x.shape[1] + 1`. DESIGN: a returned struct's int64_t
 * fields are SYMINT outputs. */
typedef struct {
    xp_tensor *y;
    int64_t cols_plus_one;
} Result;

#pragma xport export
#pragma xport dim(n, min=1, max=32)
#pragma xport input(x, f32[3, n])
Result scalar_output(xp_tensor *x) {
    Result r = {xp_relu(x), xp_size(x, 1) + 1};
    return r;
}

XP_SAMPLE(scalar_output) {
    Result r = scalar_output(XP_IN(0));
    XP_RETURN(r.y, xp_symint_tensor(r.cols_plus_one)); /* as a run returns it: a 0-d i64 tensor */
}
