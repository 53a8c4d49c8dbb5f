/*
 * tags: dynamic-shape
 * description: z[1:] + y[1::3] with z = dx + 1 and y = 3*dx + 1
 * expect: supported
 * source: torch.export tutorial, DerivedDimExample2
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(dx, min=3, max=6)
#pragma xport input(z, f32[dx + 1])
#pragma xport input(y, f32[3*dx + 1])
xp_tensor *derived_dim_example2(xp_tensor *z, xp_tensor *y) {
    return xp_add(xp_slice(z, 0, 1, XP_END, 1), xp_slice(y, 0, 1, XP_END, 3));
}

XP_SAMPLE(derived_dim_example2) { XP_RETURN(derived_dim_example2(XP_IN(0), XP_IN(1))); }
