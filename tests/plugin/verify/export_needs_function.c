// export, dim, input, op and meta annotate the function definition that
// follows them at file scope; anything else is an error.
#include <xport.h>

// expected-error@+1 {{'#pragma xport export' must be followed by a function definition}}
#pragma xport export
int counter; // expected-note {{the next declaration is here}}

// expected-error@+1 {{'#pragma xport export' must be followed by a function definition}}
#pragma xport export
xp_tensor *declared_only(xp_tensor *x); // expected-note {{'declared_only' is declared here without a body}}

typedef struct { // expected-note {{'#pragma xport export' is inside the definition of 'Model'}}
    xp_tensor *w;
    // expected-error@+1 {{'#pragma xport export' must be followed by a function definition}}
    #pragma xport export
} Model;

xp_tensor *body(xp_tensor *x) { // expected-note {{'#pragma xport op' is inside the body of 'body'}}
    // expected-error@+1 {{'#pragma xport op' must be followed by a function definition}}
    #pragma xport op("my::op(Tensor x) -> Tensor")
    return x;
}

struct Named { // expected-note {{'#pragma xport dim' is inside the definition of 'struct Named'}}
    // expected-error@+1 {{'#pragma xport dim' must be followed by a function definition}}
    #pragma xport dim(batch)
    int n;
};

// At the end of the file.
// expected-error@+1 {{'#pragma xport meta' must be followed by a function definition}}
#pragma xport meta(my::op)
