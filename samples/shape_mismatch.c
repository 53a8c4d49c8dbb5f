/*
 * tags: operator, graph-break
 * description: a matmul whose inner dims differ is a compile-time shape error
 * expect: unsupported
 * diagnostic: matmul: self dim 1 (3) and other dim 0 (4) must be equal
 * source: symbolic shape checks
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[2, 3]) // expected-note {{'x' has shape f32[2, 3]}}
#pragma xport input(w, f32[4, 5]) // expected-note {{'w' has shape f32[4, 5]}}
xp_tensor *shape_mismatch(xp_tensor *x, xp_tensor *w) {
    return xp_matmul(x, w); // expected-error {{matmul: self dim 1 (3) and other dim 0 (4) must be equal}}
}
