/*
 * tags: graph-break
 * description: a malformed '#pragma xport input' (an unclosed shape): the pragma parser says what it expected
 * expect: unsupported
 * diagnostic: expected ']' after the last dim
 */
#include <xport.h>

#pragma xport export
// expected-error@+1 {{expected ']' after the last dim, found ')'}}
#pragma xport input(x, f32[4)
xp_tensor *pragma_malformed(xp_tensor *x) {
    return xp_relu(x);
}
