/*
 * tags: dynamic-shape, operator
 * description: x @ y with the inner dims declared as one dim (one name)
 * expect: supported
 * source: torch.export tutorial, DynamicShapesExample2
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(inp2_dim0)
#pragma xport dim(inner_dim)
#pragma xport dim(inp3_dim1)
#pragma xport input(x, f32[inp2_dim0, inner_dim])
#pragma xport input(y, f32[inner_dim, inp3_dim1])
xp_tensor *dynamic_shapes_example2(xp_tensor *x, xp_tensor *y) {
    return xp_matmul(x, y);
}

XP_SAMPLE(dynamic_shapes_example2) { XP_RETURN(dynamic_shapes_example2(XP_IN(0), XP_IN(1))); }
