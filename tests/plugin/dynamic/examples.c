/* The torch.export tutorial's dynamic-shape examples, each with the
 * tutorial's declarations (docs/dynamic-shapes.md). Compiled with the
 * plugin; dynamic_main.c runs the exported programs on the tutorial's good
 * and bad inputs. */
#include "examples.h"

/* DynamicShapesExample1: x[:, 2:].relu(). Dim 0 is dynamic without bounds,
 * dim 1 is in [4, 18] (so the slice start 2 is always inside it), dim 2 is
 * static. */
#pragma xport export
#pragma xport dim(inp1_dim0)
#pragma xport dim(inp1_dim1, min=4, max=18)
#pragma xport input(x, f32[inp1_dim0, inp1_dim1, 2])
xp_tensor *dynamic_shapes_example1(xp_tensor *x) {
    return xp_relu(xp_slice(x, 1, 2, XP_END, 1));
}

/* DynamicShapesExample2: x @ y, the inner dims one dim (one name). */
#pragma xport export
#pragma xport dim(inp2_dim0)
#pragma xport dim(inner_dim)
#pragma xport dim(inp3_dim1)
#pragma xport input(x, f32[inp2_dim0, inner_dim])
#pragma xport input(y, f32[inner_dim, inp3_dim1])
xp_tensor *dynamic_shapes_example2(xp_tensor *x, xp_tensor *y) {
    return xp_matmul(x, y);
}

/* DerivedDimExample1: x + y[1:], y one longer than x. */
#pragma xport export
#pragma xport dim(dimx, min=3, max=6)
#pragma xport input(x, f32[dimx])
#pragma xport input(y, f32[dimx + 1])
xp_tensor *derived_dim_example1(xp_tensor *x, xp_tensor *y) {
    return xp_add(x, xp_slice(y, 0, 1, XP_END, 1));
}

/* DerivedDimExample2: z[1:] + y[1::3], with z = dx + 1 and y = 3*dx + 1
 * (both slices have dx elements). */
#pragma xport export
#pragma xport dim(dx, min=3, max=6)
#pragma xport input(z, f32[dx + 1])
#pragma xport input(y, f32[3*dx + 1])
xp_tensor *derived_dim_example2(xp_tensor *z, xp_tensor *y) {
    return xp_add(xp_slice(z, 0, 1, XP_END, 1), xp_slice(y, 0, 1, XP_END, 3));
}
