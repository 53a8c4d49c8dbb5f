/*
 * tags: data-structure, graph-break
 * description: reading through a null pointer at export time
 * expect: unsupported
 * diagnostic: dereferencing a null pointer cannot be captured in an exported function
 */
#include <xport.h>

#include <stddef.h>
#include <stdint.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *null_pointer_read(xp_tensor *x) {
    const int64_t *dims = NULL;
    return xp_mul_scalar(x, (double)dims[0]); // expected-error {{dereferencing a null pointer cannot be captured in an exported function}}
}
