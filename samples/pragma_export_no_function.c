/*
 * tags: graph-break
 * description: '#pragma xport export' before a declaration without a body: it must precede a function definition
 * expect: unsupported
 * diagnostic: must be followed by a function definition
 */
#include <xport.h>

#pragma xport export // expected-error {{'#pragma xport export' must be followed by a function definition}}
xp_tensor *pragma_export_no_function(xp_tensor *x); // expected-note {{'pragma_export_no_function' is declared here without a body}}
