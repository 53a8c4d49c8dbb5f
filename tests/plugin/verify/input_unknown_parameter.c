// An input must name a parameter of the exported function.
#include <xport.h>

#pragma xport export
#pragma xport dim(batch, max=64)
#pragma xport input(x, f32[batch, 4])
// expected-error@+1 {{'z' is not a parameter of 'forward'}}
#pragma xport input(z, f32[batch, 4])
xp_tensor *forward(xp_tensor *x, xp_tensor *y) { // expected-note {{the parameters of 'forward' are 'x' and 'y'}}
    return xp_add(x, y);
}

#pragma xport export
#pragma xport dim(batch, max=64)
// A near miss gets a suggestion (and a fix-it).
// expected-error@+1 {{'inptu' is not a parameter of 'second'; did you mean 'input'?}}
#pragma xport input(inptu, f32[batch, 4])
xp_tensor *second(xp_tensor *input) { // expected-note {{'input' declared here}}
    return input;
}

#pragma xport export
// expected-error@+1 {{'x' is not a parameter of 'noparams'}}
#pragma xport input(x, f32[4])
xp_tensor *noparams(void) { // expected-note {{'noparams' has no named parameters}}
    return xp_zeros(XP_F32, XP_DIMS(4));
}
