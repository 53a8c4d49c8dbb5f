/*
 * tags: data-structure, graph-break
 * description: an exported function that returns NULL: a program's outputs are tensors
 * expect: unsupported
 * diagnostic: returns a null pointer
 */
#include <xport.h>

#include <stddef.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *return_null(xp_tensor *x) {
    (void)x;
    return NULL; // expected-error {{exported function 'return_null' returns a null pointer}}
}
