/*
 * tags: graph-break, c-language
 * description: reading a global variable that is not const
 * expect: unsupported
 * diagnostic: which is not a constant, cannot be captured
 * source: C: globals
 */
#include <xport.h>

/* Its value when the program runs may not be its value at export time. */
float scale = 2; // expected-note {{declare it 'static const' with a constant initializer, or use a '#define'}}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *global_read(xp_tensor *x) {
    return xp_mul_scalar(x, scale); // expected-error {{reading global 'scale', which is not a constant, cannot be captured: its value may change at run time}}
}
