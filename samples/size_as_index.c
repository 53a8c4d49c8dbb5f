/*
 * tags: dynamic-shape, graph-break
 * description: a dynamic size used as an array index
 * expect: unsupported
 * diagnostic: must be a compile-time constant
 * source: C: sizes as values
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=2) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *size_as_index(xp_tensor *x) {
    static const double scales[] = {0.5, 2.0};
    return xp_mul_scalar(x, scales[xp_size(x, 0) - 1]); // expected-error {{array index 'xp_size(x, 0) - 1' must be a compile-time constant in an exported function}}
}
