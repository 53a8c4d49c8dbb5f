/*
 * tags: dynamic-shape, graph-break
 * description: a dynamic size used where an op needs a constant (a count of dims)
 * expect: unsupported
 * diagnostic: must be known at export time, but it is the size 'n'
 * source: C: sizes as values
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=2) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n, 4])
xp_tensor *size_as_op_count(xp_tensor *x) {
    int count = xp_size(x, 0);
    return xp_sum_dims(x, count, (int64_t[]){0, 1}, false); // expected-error {{argument 'n' of 'xp_sum_dims' must be known at export time, but it is the size 'n'}}
}
