/*
 * tags: data-structure, graph-break
 * description: reading past the end of a local array of sizes
 * expect: unsupported
 * diagnostic: is outside 'dims', which has 2 elements
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport input(x, f32[2, 3])
xp_tensor *index_out_of_range(xp_tensor *x) {
    int64_t dims[2] = {3, 2};
    int k = 2;
    return xp_reshape(x, 1, &dims[k]); // expected-error {{index 2 is outside 'dims', which has 2 elements}}
}
