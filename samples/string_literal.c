/*
 * tags: c-language, graph-break
 * description: a C construct with no graph value (a string literal) in an exported function
 * expect: unsupported
 * diagnostic: a string literal is not supported in an exported function
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *string_literal(xp_tensor *x) {
    const char *name = "scale"; // expected-error {{a string literal is not supported in an exported function}}
    (void)name;
    return x;
}
