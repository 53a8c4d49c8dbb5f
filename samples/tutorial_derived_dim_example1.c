/*
 * tags: dynamic-shape
 * description: x + y[1:] where y is one longer than x (a derived dim dimx + 1)
 * expect: supported
 * source: torch.export tutorial, DerivedDimExample1
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(dimx, min=3, max=6)
#pragma xport input(x, f32[dimx])
#pragma xport input(y, f32[dimx + 1])
xp_tensor *derived_dim_example1(xp_tensor *x, xp_tensor *y) {
    return xp_add(x, xp_slice(y, 0, 1, XP_END, 1));
}

XP_SAMPLE(derived_dim_example1) { XP_RETURN(derived_dim_example1(XP_IN(0), XP_IN(1))); }
