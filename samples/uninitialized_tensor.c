/*
 * tags: data-structure, graph-break
 * description: a tensor variable read before it is assigned (assigned on one path only)
 * expect: unsupported
 * diagnostic: is used before it is assigned a value
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *uninitialized_tensor(xp_tensor *x) {
    xp_tensor *y;
    if (xp_ndim(x) == 2)
        y = xp_neg(x);
    return xp_add(x, y); // expected-error {{'y' is used before it is assigned a value}}
}
