/*
 * tags: graph-break, control-flow
 * description: a '?:' on a tensor's value
 * expect: unsupported
 * diagnostic: '?:' depends on the value of tensor 'x'
 * source: ExportDB cond_predicate (as an expression)
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *data_dependent_ternary(xp_tensor *x) {
    return xp_item_f32(xp_sum(x)) > 0 ? xp_sin(x) : xp_cos(x); // expected-error {{'?:' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                                                  expected-note {{compute both values and select between them with 'xp_where', or capture both sides with 'xp_cond'}}
}
