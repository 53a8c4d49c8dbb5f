/*
 * tags: graph-break, control-flow
 * description: a while loop that runs until a tensor value crosses a threshold
 * expect: unsupported
 * diagnostic: 'while' loop depends on the value of tensor 'x'
 * source: ExportDB while_loop (data-dependent)
 */
#include <xport.h>

/* The trip count depends on data; a graph's loops are unrolled at export
 * time. (A data-dependent while_loop op is future work.) */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *data_dependent_while(xp_tensor *x) {
    while (xp_item_bool(xp_lt_scalar(xp_sum(x), 100))) // expected-error {{'while' loop depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                                           expected-note {{an exported graph runs a fixed number of iterations: bound the loop with a constant and select each iteration's result with 'xp_where'}}
        x = xp_mul_scalar(x, 2);
    return x;
}
