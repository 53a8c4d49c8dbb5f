/* DynamicShapesExample3 from the torch.export tutorial, every dim of x and
 * y declared dynamic with its own name, as the tutorial does (one with a
 * maximum, so that a fix replaces a bound as well as adding one). As written
 * it does not export: the branch, the slice and the matmul each need a
 * relation the declared ranges do not decide, and the compiler suggests a
 * fix-it for each (run_fixit.sh applies them with -Xclang -fixit). */
#include "examples.h"

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
