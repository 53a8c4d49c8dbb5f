// XP-ARGS: -w
// -w silences xport's warnings like Clang's own.
#include <xport.h>
// expected-no-diagnostics

#pragma xport export
#pragma xport dim(seq, max=128)
#pragma xport input(x, f32[2, 4])
xp_tensor *forward(xp_tensor *x) { return xp_relu(x); }
