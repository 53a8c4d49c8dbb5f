// A dim or an input declared twice for one export is an error.
#include <xport.h>

#pragma xport export
// expected-note@+1 {{previous declaration is here}}
#pragma xport dim(batch, max=64)
// expected-error@+1 {{redeclaration of dim 'batch'}}
#pragma xport dim(batch, max=32)
// expected-note@+1 {{previous declaration is here}}
#pragma xport input(x, f32[batch, 4])
// expected-error@+1 {{redeclaration of input 'x'}}
#pragma xport input(x, f32[batch, 4])
xp_tensor *forward(xp_tensor *x) { return x; }
