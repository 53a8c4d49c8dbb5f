// Catalogue (docs/graph-breaks.md): printf-style output is a side effect
// no graph performs.
#include <stdio.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *print(xp_tensor *x) {
    printf("forward\n"); // expected-error {{call to 'printf' cannot be captured: its output is a side effect that an exported graph does not perform}} \
                            expected-note {{move the call out of the exported code; print the exported program's inputs or outputs instead}}
    return xp_relu(x);
}

static xp_tensor *trace(xp_tensor *x) {
    fprintf(stderr, "relu\n"); // expected-error {{call to 'fprintf' cannot be captured: its output is a side effect}} \
                                      expected-note {{move the call out of the exported code}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *print_in_helper(xp_tensor *x) {
    return trace(xp_relu(x)); // expected-note {{in call from 'print_in_helper'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *put(xp_tensor *x) {
    puts("forward"); // expected-error {{call to 'puts' cannot be captured: its output is a side effect}} \
                        expected-note {{move the call out}}
    return x;
}
