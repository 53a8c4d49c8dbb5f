/*
 * tags: dynamic-shape, control-flow, graph-break
 * description: a switch on a dynamic size
 * expect: unsupported
 * diagnostic: the 'switch' value must be known at export time
 * source: C: switch
 */
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=8) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *switch_on_size(xp_tensor *x) {
    switch (xp_size(x, 0)) { // expected-error {{the 'switch' value must be known at export time, but it is the size 'n'}}
    case 1:
        return x;
    default:
        return xp_neg(x);
    }
}
