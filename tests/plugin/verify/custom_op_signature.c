// A custom op's C function (and its meta function) must have the C
// signature its schema implies: Tensor and Tensor? -> xp_tensor *, int ->
// int64_t, float -> double, bool -> bool, and the result xp_tensor *.
#include <xport.h>

// expected-note@+1 {{custom op 'my_lib::scale' is declared here}}
#pragma xport op("my_lib::scale(Tensor x, float alpha, int n, bool flag) -> Tensor")
xp_tensor *scale(xp_tensor *x, float alpha, int n, bool flag) { (void)alpha; (void)n; (void)flag; return x; } // expected-error {{parameter 'alpha' of 'scale' has type 'float', but argument 'alpha' of custom op 'my_lib::scale' is 'float', which is 'double' in C}} \
    expected-error {{parameter 'n' of 'scale' has type 'int', but argument 'n' of custom op 'my_lib::scale' is 'int', which is 'int64_t' in C}}

// expected-note@+1 {{custom op 'my_lib::count' is declared here}}
#pragma xport op("my_lib::count(Tensor x, Tensor y) -> Tensor")
xp_tensor *count(xp_tensor *x) { return x; } // expected-error {{'count' has 1 parameter, but the schema of custom op 'my_lib::count' has 2 arguments}}

// expected-note@+1 {{custom op 'my_lib::ret' is declared here}}
#pragma xport op("my_lib::ret(Tensor x) -> Tensor")
int ret(xp_tensor *x) { (void)x; return 0; } // expected-error {{'ret' returns 'int', but custom op 'my_lib::ret' returns a Tensor, which is 'xp_tensor *' in C}}

// expected-note@+1 {{custom op 'my_lib::ok' is declared here}}
#pragma xport op("my_lib::ok(Tensor x, Tensor? w, int n) -> Tensor")
xp_tensor *ok(xp_tensor *x, xp_tensor *w, int64_t n) { (void)w; (void)n; return x; }

#pragma xport meta("my_lib::ok")
xp_tensor *ok_meta(xp_tensor *x, xp_tensor *w) { (void)w; return xp_empty_like(x); } // expected-error {{'ok_meta' has 2 parameters, but the schema of custom op 'my_lib::ok' has 3 arguments}}
