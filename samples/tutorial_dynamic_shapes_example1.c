/*
 * tags: dynamic-shape
 * description: x[:, 2:].relu() with dim 0 unbounded and dim 1 in [4, 18]
 * expect: supported
 * source: torch.export tutorial, DynamicShapesExample1
 */
#include "sample.h"

#pragma xport export
#pragma xport dim(inp1_dim0)
#pragma xport dim(inp1_dim1, min=4, max=18)
#pragma xport input(x, f32[inp1_dim0, inp1_dim1, 2])
xp_tensor *dynamic_shapes_example1(xp_tensor *x) {
    return xp_relu(xp_slice(x, 1, 2, XP_END, 1));
}

XP_SAMPLE(dynamic_shapes_example1) { XP_RETURN(dynamic_shapes_example1(XP_IN(0))); }
