/*
 * tags: dynamic-shape, graph-break
 * description: a shape names a dim no '#pragma xport dim' declares (here a typo), and the declared dim goes unused
 * expect: unsupported
 * diagnostic: unknown dim 'widht' in the shape of 'x'
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(width, min=1, max=64) // expected-warning {{dim 'width' is not used by any input of 'unknown_dim'}}
// expected-error@+2 {{unknown dim 'widht' in the shape of 'x'}}
// expected-note@+1 {{declare it with '#pragma xport dim(widht, min=..., max=...)' before the function}}
#pragma xport input(x, f32[widht])
xp_tensor *unknown_dim(xp_tensor *x) {
    return xp_relu(x);
}
