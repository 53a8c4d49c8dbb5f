/*
 * tags: mutation, graph-break
 * description: writing a global variable
 * expect: unsupported
 * diagnostic: writing to global 'calls' cannot be captured
 * source: C: writes to globals
 */
#include <xport.h>

static int calls;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *global_write(xp_tensor *x) {
    calls++; // expected-error {{writing to global 'calls' cannot be captured: an exported graph has no global state}} \
             expected-note {{return the value from the exported function, or keep the state in a model buffer updated with 'xp_copy_'}}
    return xp_neg(x);
}
