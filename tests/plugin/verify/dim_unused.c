// A dim that no shape uses is a warning.
#include <xport.h>

typedef struct {
    #pragma xport buffer(f32[cache, 8])
    xp_tensor *kv;
} State;

#pragma xport export
#pragma xport dim(batch, max=64)
// expected-warning@+1 {{dim 'seq' is not used by any input of 'forward'}}
#pragma xport dim(seq, max=128)
// Used by a buffer's shape, and by an int parameter: not warned.
#pragma xport dim(cache, max=16)
#pragma xport dim(n, min=1, max=8)
#pragma xport input(x, f32[batch, 4])
xp_tensor *forward(const State *s, xp_tensor *x, int64_t n) {
    return xp_relu(x);
}
