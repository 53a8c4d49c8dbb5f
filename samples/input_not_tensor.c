/*
 * tags: dynamic-shape, graph-break
 * description: '#pragma xport input' on an integer parameter: inputs describe tensors, integers are dims
 * expect: unsupported
 * diagnostic: which is not a tensor ('xp_tensor *')
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
// expected-error@+1 {{'#pragma xport input' describes parameter 'n', which is not a tensor ('xp_tensor *')}}
#pragma xport input(n, f32[4])
xp_tensor *input_not_tensor(xp_tensor *x, int n) { // expected-note {{'n' is declared here}}
    return xp_mul_scalar(x, n);
}
