/*
 * tags: dynamic-shape, graph-break
 * description: a tensor parameter of an exported function without '#pragma xport input': its dtype and shape are unknown
 * expect: unsupported
 * diagnostic: has no declared dtype and shape
 */
#include <xport.h>

#pragma xport export
xp_tensor *tensor_param_no_input(xp_tensor *x) { // expected-error {{tensor parameter 'x' of exported function 'tensor_param_no_input' has no declared dtype and shape}} \
                                                    expected-note {{add '#pragma xport input(x, DTYPE[...])' before the function to declare it}}
    return xp_relu(x);
}
