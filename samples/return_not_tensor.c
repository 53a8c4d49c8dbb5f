/*
 * tags: data-structure, graph-break
 * description: an exported function that returns an integer: return a tensor (or a struct of tensors)
 * expect: unsupported
 * diagnostic: must return a tensor or a struct of tensors
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport input(x, f32[4])
int64_t return_not_tensor(xp_tensor *x) {
    return xp_size(x, 0); // expected-error {{exported function 'return_not_tensor' must return a tensor or a struct of tensors and sizes, not an integer}}
}
