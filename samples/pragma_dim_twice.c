/*
 * tags: dynamic-shape, graph-break
 * description: the same dim declared twice for one function
 * expect: unsupported
 * diagnostic: redeclaration of dim 'n'
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=8) // expected-note {{previous declaration is here}}
#pragma xport dim(n, min=1, max=16) // expected-error {{redeclaration of dim 'n'}}
#pragma xport input(x, f32[n])
xp_tensor *pragma_dim_twice(xp_tensor *x) {
    return xp_relu(x);
}
