/*
 * tags: graph-break
 * description: '#pragma xport export' written twice before one function
 * expect: unsupported
 * diagnostic: this function already has a '#pragma xport export'
 */
#include <xport.h>

#pragma xport export // expected-note {{previous '#pragma xport export' is here}}
#pragma xport export // expected-error {{this function already has a '#pragma xport export'}}
#pragma xport input(x, f32[4])
xp_tensor *pragma_export_twice(xp_tensor *x) {
    return xp_relu(x);
}
