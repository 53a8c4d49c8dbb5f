/*
 * tags: graph-break
 * description: '#pragma xport input' on a function without '#pragma xport export'
 * expect: unsupported
 * diagnostic: describes an exported function, but 'pragma_input_not_exported' is not exported
 */
#include <xport.h>

// expected-error@+1 {{'#pragma xport input' describes an exported function, but 'pragma_input_not_exported' is not exported}}
#pragma xport input(x, f32[4]) // expected-note {{add '#pragma xport export' to export 'pragma_input_not_exported'}}
xp_tensor *pragma_input_not_exported(xp_tensor *x) {
    return xp_relu(x);
}
