/*
 * tags: graph-break, builtin
 * description: branching on a tensor's memory layout
 * expect: unsupported
 * diagnostic: reads a tensor's memory layout
 * source: C: strides and layout
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *layout_query(xp_tensor *x) {
    if (xp_is_contiguous(x)) // expected-error {{'xp_is_contiguous' reads a tensor's memory layout, which an exported graph does not fix}} \
                                expected-note {{use 'xp_contiguous' where an operation needs contiguous data}}
        return x;
    return xp_contiguous(x);
}
