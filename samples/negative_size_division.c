/*
 * tags: dynamic-shape, graph-break
 * description: C division of a size expression that may be negative: truncation and flooring differ
 * expect: unsupported
 * diagnostic: has no single symbolic form
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n])
xp_tensor *negative_size_division(xp_tensor *x) {
    int64_t m = xp_size(x, 0) - 8;
    return xp_reshape(x, XP_DIMS(m / 2 + 4, -1)); // expected-error {{'n - 8' may be negative, so 'm / 2' has no single symbolic form (C division truncates, sizes divide by flooring)}}
}
