/*
 * tags: operator, graph-break
 * description: an integer division by zero while computing a constant at export time
 * expect: unsupported
 * diagnostic: division by zero
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *division_by_zero(xp_tensor *x) {
    int groups = 0;
    return xp_mul_scalar(x, 4 / groups); // expected-error {{division by zero}}
}
