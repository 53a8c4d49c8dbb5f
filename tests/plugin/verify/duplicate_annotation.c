// One annotation of each kind per declaration or statement.
#include <xport.h>

typedef struct {
    // expected-note@+1 {{previous '#pragma xport param' is here}}
    #pragma xport param(f32[4])
    // expected-error@+1 {{this field already has a '#pragma xport param'}}
    #pragma xport param(f32[4])
    xp_tensor *w;
} Layer;

// expected-note@+1 {{previous '#pragma xport export' is here}}
#pragma xport export
// expected-error@+1 {{this function already has a '#pragma xport export'}}
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *forward(const Layer *l, xp_tensor *x) { return xp_mul(x, l->w); }

// expected-note@+1 {{previous '#pragma xport op' is here}}
#pragma xport op("my::op(Tensor x) -> Tensor")
// expected-error@+1 {{this function already has a '#pragma xport op'}}
#pragma xport op("my::op(Tensor x) -> Tensor")
xp_tensor *my_op(xp_tensor *x) { return x; }

xp_tensor *g(xp_tensor *x, xp_tensor *p) {
    // expected-note@+1 {{previous '#pragma xport cond' is here}}
    #pragma xport cond
    // expected-error@+1 {{this statement already has a '#pragma xport cond'}}
    #pragma xport cond
    if (xp_item_bool(p)) return xp_neg(x);
    return x;
}
