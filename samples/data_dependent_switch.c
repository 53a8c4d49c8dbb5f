/*
 * tags: graph-break, control-flow
 * description: a switch on a tensor's value
 * expect: unsupported
 * diagnostic: 'switch' depends on the value of tensor 'x'
 * source: C: switch
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *data_dependent_switch(xp_tensor *x) {
    switch (xp_item_i64(xp_argmax(x))) { // expected-error {{'switch' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                            expected-note {{write the cases as 'if' statements marked '#pragma xport cond', or select between their results with 'xp_where'}}
    case 0:
        return xp_sin(x);
    default:
        return x;
    }
}
