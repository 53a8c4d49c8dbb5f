// cond annotates the next statement of its block, which must be an 'if'.
#include <xport.h>

xp_tensor *f(xp_tensor *x, int c) {
    // expected-error@+1 {{'#pragma xport cond' must be followed by an 'if' statement}}
    #pragma xport cond
    x = xp_relu(x); // expected-note {{the next statement is here}}
    {
        // A pragma at the end of a block does not reach the 'if' after it.
        // expected-error@+1 {{'#pragma xport cond' must be followed by an 'if' statement}}
        #pragma xport cond
    } // expected-note {{the block ends here}}
    if (c) x = xp_neg(x);
    if (c)
        // expected-error@+1 {{'#pragma xport cond' must be followed by an 'if' statement}}
        #pragma xport cond
        return x; // expected-note {{the next statement is here}}
    return x;
}

// expected-error@+2 {{'#pragma xport cond' must be followed by an 'if' statement}}
// expected-note@+1 {{'#pragma xport cond' belongs inside a function body}}
#pragma xport cond
xp_tensor *g(xp_tensor *x) { return x; }
