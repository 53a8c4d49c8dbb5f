// param and buffer annotate the next field of their own struct, which must
// be an 'xp_tensor *'.
#include <xport.h>

typedef struct {
    // expected-error@+1 {{'#pragma xport param' must be followed by a struct field of type 'xp_tensor *'}}
    #pragma xport param(f32[10])
    int count; // expected-note {{'count' has type 'int'}}
    // expected-error@+1 {{'#pragma xport buffer' must be followed by a struct field of type 'xp_tensor *'}}
    #pragma xport buffer(f32[10])
    xp_tensor **many; // expected-note {{'many' has type 'xp_tensor **'}}
    // A pragma at the end of a struct does not reach the function below.
    // expected-error@+1 {{'#pragma xport param' must be followed by a struct field of type 'xp_tensor *'}}
    #pragma xport param(f32[10])
} Layer; // expected-note {{the struct ends here}}

xp_tensor *after_struct(xp_tensor *x) { return x; }

// expected-error@+1 {{'#pragma xport param' must be followed by a struct field of type 'xp_tensor *'}}
#pragma xport param(f32[10])
xp_tensor *global_tensor;

void body(void) { // expected-note {{'#pragma xport buffer' is inside the body of 'body'}}
    // expected-error@+1 {{'#pragma xport buffer' must be followed by a struct field of type 'xp_tensor *'}}
    #pragma xport buffer(f32[10])
    xp_tensor *local = 0;
    (void)local;
}
