/*
 * tags: dynamic-shape, control-flow
 * description: DynamicShapesExample3 with its suggested fixes applied: the branch is a specialization
 * expect: supported
 * source: torch.export tutorial, DynamicShapesExample3 (suggested fixes)
 */
#include "sample.h"

/* The declarations `clang -Xclang -fixit` writes for
 * tutorial_dynamic_shapes_example3.c: x has at most 16 rows (so only the
 * 'if' side is captured, a specialization listed by `xport show`), y has
 * at least 16 columns, and the inner dims are one dim. */
#pragma xport export
#pragma xport dim(inp4_dim0, max=16)
#pragma xport dim(inp4_dim1)
#pragma xport dim(inp5_dim1, min=16)
#pragma xport input(x, f32[inp4_dim0, inp4_dim1])
#pragma xport input(y, f32[inp4_dim1, inp5_dim1])
xp_tensor *dynamic_shapes_example3(xp_tensor *x, xp_tensor *y) {
    if (xp_size(x, 0) <= 16)
        return xp_matmul(x, xp_slice(y, 1, 0, 16, 1));
    return y;
}

XP_SAMPLE(dynamic_shapes_example3) { XP_RETURN(dynamic_shapes_example3(XP_IN(0), XP_IN(1))); }
