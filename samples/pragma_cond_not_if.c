/*
 * tags: control-flow, graph-break
 * description: '#pragma xport cond' before a statement that is not an 'if'
 * expect: unsupported
 * diagnostic: must be followed by an 'if' statement
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *pragma_cond_not_if(xp_tensor *x) {
    #pragma xport cond // expected-error {{'#pragma xport cond' must be followed by an 'if' statement}}
    x = xp_relu(x); // expected-note {{the next statement is here}}
    return x;
}
