/*
 * tags: graph-break
 * description: '#pragma xport input' naming no parameter of the function
 * expect: unsupported
 * diagnostic: is not a parameter of 'pragma_input_unknown'
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
// expected-error@+1 {{'weights' is not a parameter of 'pragma_input_unknown'}}
#pragma xport input(weights, f32[4])
xp_tensor *pragma_input_unknown(xp_tensor *x) { // expected-note {{the parameters of 'pragma_input_unknown' are 'x'}}
    return xp_relu(x);
}
