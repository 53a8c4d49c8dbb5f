/*
 * tags: control-flow
 * description: an 'if' on the rank of an input (a constant at export time)
 * expect: supported
 * source: ExportDB static_if
 */
#include "sample.h"

/* torch: `if len(x.shape) == 3: return x + torch.ones(1, 1, 1)` */
#pragma xport export
#pragma xport input(x, f32[2, 3, 4])
xp_tensor *static_if(xp_tensor *x) {
    if (xp_ndim(x) == 3)
        return xp_add(x, xp_ones(XP_F32, XP_DIMS(1, 1, 1)));
    return x;
}

XP_SAMPLE(static_if) { XP_RETURN(static_if(XP_IN(0))); }
