/*
 * tags: dynamic-shape, control-flow, graph-break
 * description: a branch, a slice and a matmul that the declared ranges do not decide, with suggested fixes
 * expect: unsupported
 * diagnostic: is not decided by the declared ranges
 * source: torch.export tutorial, DynamicShapesExample3
 */
#include <xport.h>

/* Every dim declared with its own name, as the tutorial does. The plugin
 * reports each relation the ranges do not decide, with a fix-it on the
 * 'dim' pragmas (clang -Xclang -fixit applies them all in one step; the
 * result is tutorial_dynamic_shapes_example3_fixed.c). Each error after the
 * first was found with the fixes before it applied. */
#pragma xport export
#pragma xport dim(inp4_dim0, max=1024) // expected-note {{declare dim 'inp4_dim0' with 'max=16' to make the condition true for every size}} \
                                          expected-note {{or declare dim 'inp4_dim0' with 'min=17' to make it false for every size}}
#pragma xport dim(inp4_dim1)
#pragma xport dim(inp5_dim0) // expected-note {{use one name for dims 'inp4_dim1' and 'inp5_dim0'}}
#pragma xport dim(inp5_dim1) // expected-note {{declare dim 'inp5_dim1' with 'min=16' so that '16 <= inp5_dim1' holds for every size}}
#pragma xport input(x, f32[inp4_dim0, inp4_dim1]) // expected-note {{'x' has shape f32[inp4_dim0, inp4_dim1]}}
#pragma xport input(y, f32[inp5_dim0, inp5_dim1]) // expected-note {{'y' has shape f32[inp5_dim0, inp5_dim1]}}
xp_tensor *dynamic_shapes_example3(xp_tensor *x, xp_tensor *y) {
    if (xp_size(x, 0) <= 16) // expected-error {{'if' condition 'xp_size(x, 0) <= 16' is not decided by the declared ranges: it is 'inp4_dim0 <= 16' with 'inp4_dim0' in [0, 1024]}}
        return xp_matmul(x, xp_slice(y, 1, 0, 16, 1)); // expected-error {{slice: dim 1 (inp5_dim1 in [0, inf]) is not provably at least 16}} \
                                                          expected-error {{matmul: self dim 1 (inp4_dim1) and other dim 0 (inp5_dim0) must be equal}} \
                                                          expected-note {{'xp_slice(y, 1, 0, 16, 1)' has shape f32[inp5_dim0, 16]}} \
                                                          expected-note 2 {{found with the suggested fixes above applied}}
    return y;
}
