/*
 * tags: builtin, graph-break
 * description: reading a tensor's value with 'xp_item_f32' to use it as a scalar argument
 * expect: unsupported
 * diagnostic: is data-dependent; an exported graph cannot depend on tensor values
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
#pragma xport input(s, f32[])
xp_tensor *item_as_scalar(xp_tensor *x, xp_tensor *s) {
    return xp_mul_scalar(x, xp_item_f32(s)); // expected-error {{reading tensor data with 'xp_item_f32' is data-dependent; an exported graph cannot depend on tensor values}} \
                                               expected-note {{compute with tensor ops instead (for example 'xp_where'), or capture a data-dependent branch with '#pragma xport cond'}}
}
