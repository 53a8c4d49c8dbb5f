/*
 * tags: operator
 * description: xp_to converts dtypes; comparisons give bool tensors
 * expect: supported
 * source: ExportDB type casts
 */
#include "sample.h"

#pragma xport export
#pragma xport input(x, f32[6])
xp_tensor *explicit_cast(xp_tensor *x) {
    xp_tensor *positive = xp_gt_scalar(x, 0);
    return xp_mul(x, xp_to(positive, XP_F32));
}

XP_SAMPLE(explicit_cast) { XP_RETURN(explicit_cast(XP_IN(0))); }
