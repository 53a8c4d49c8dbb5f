/*
 * tags: graph-break
 * description: the same input declared twice for one function
 * expect: unsupported
 * diagnostic: redeclaration of input 'x'
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4]) // expected-note {{previous declaration is here}}
#pragma xport input(x, f32[8]) // expected-error {{redeclaration of input 'x'}}
xp_tensor *pragma_input_twice(xp_tensor *x) {
    return xp_relu(x);
}
