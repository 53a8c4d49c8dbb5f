// dim and input describe an exported function: without '#pragma xport
// export' they are an error (once per function), with a fix-it that adds it.
#include <xport.h>

// expected-note@+2 {{add '#pragma xport export' to export 'helper'}}
// expected-error@+1 {{'#pragma xport dim' describes an exported function, but 'helper' is not exported}}
#pragma xport dim(batch, max=64)
#pragma xport input(x, f32[batch, 4])
xp_tensor *helper(xp_tensor *x) { return x; }

// expected-note@+2 {{add '#pragma xport export' to export 'other'}}
// expected-error@+1 {{'#pragma xport input' describes an exported function, but 'other' is not exported}}
#pragma xport input(x, f32[2, 4])
xp_tensor *other(xp_tensor *x) { return x; }
