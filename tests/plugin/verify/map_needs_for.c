// map annotates the next statement of its block, which must be a 'for'.
#include <xport.h>

xp_tensor *f(xp_tensor *xs, xp_tensor *ys) {
    int i = 0;
    // expected-error@+1 {{'#pragma xport map' must be followed by a 'for' loop}}
    #pragma xport map
    while (i < xp_size(xs, 0)) i++; // expected-note {{the next statement is here}}
    {
        // expected-error@+1 {{'#pragma xport map' must be followed by a 'for' loop}}
        #pragma xport map
    } // expected-note {{the block ends here}}
    for (i = 0; i < xp_size(xs, 0); i++) xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
    return ys;
}

typedef struct { // expected-note {{'#pragma xport map' is inside the definition of 'S'}}
    xp_tensor *w;
    // expected-error@+1 {{'#pragma xport map' must be followed by a 'for' loop}}
    #pragma xport map
} S;
