// XP-ARGS: -fplugin-arg-xport-strict
// With -fplugin-arg-xport-strict, xport's warnings are errors.
#include <xport.h>

#pragma xport export
// expected-error@+1 {{dim 'seq' is not used by any input of 'forward'}}
#pragma xport dim(seq, max=128)
#pragma xport input(x, f32[2, 4])
xp_tensor *forward(xp_tensor *x) { return xp_relu(x); }
