// Custom op schemas are checked at their pragma (docs/custom-ops.md): the
// syntax, a namespaced name, the argument types custom ops take, no view
// annotations, one returned Tensor; a meta pragma names a declared op.
#include <xport.h>

// expected-error@+1 {{invalid custom op schema: expected ',' or ')'}}
#pragma xport op("my_lib::f(Tensor x -> Tensor")
xp_tensor *f(xp_tensor *x) { return x; }

// expected-error@+1 {{invalid custom op schema: custom op name 'g' needs a namespace, as in 'my_lib::g'}}
#pragma xport op("g(Tensor x) -> Tensor")
xp_tensor *g(xp_tensor *x) { return x; }

// expected-error@+1 {{argument 'x' is annotated Tensor(a): custom ops cannot return views of their arguments}}
#pragma xport op("my_lib::h(Tensor(a) x) -> Tensor(a)")
xp_tensor *h(xp_tensor *x) { return x; }

// expected-error@+1 {{argument 'dims' has type 'int[]'; custom op arguments are Tensor, Tensor?, int, float or bool}}
#pragma xport op("my_lib::k(Tensor x, int[] dims) -> Tensor")
xp_tensor *k(xp_tensor *x, int n) { (void)n; return x; }

// expected-error@+1 {{custom op 'my_lib::two' must return one Tensor (its C function returns 'xp_tensor *')}}
#pragma xport op("my_lib::two(Tensor x) -> (Tensor, Tensor)")
xp_tensor *two(xp_tensor *x) { return x; }

// expected-error@+1 {{'#pragma xport meta' names custom op 'my_lib::nothing', which no '#pragma xport op' in this file declares}}
#pragma xport meta("my_lib::nothing")
xp_tensor *nothing_meta(xp_tensor *x) { return xp_empty_like(x); }

// A mutable op (Tensor(a!)) is a valid schema; capturing a call refuses it.
#pragma xport op("my_lib::fill_(Tensor(a!) x, float value) -> Tensor")
xp_tensor *fill_(xp_tensor *x, double value) { (void)value; return x; }
