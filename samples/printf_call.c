/*
 * tags: graph-break, builtin
 * description: printing from model code
 * expect: unsupported
 * diagnostic: its output is a side effect that an exported graph does not perform
 * source: C: printf-style side effects
 */
#include <stdio.h>
#include <xport.h>

/* A side effect on the host has no place in a graph: log outside the
 * exported function, or around the program run. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *printf_call(xp_tensor *x) {
    printf("forward\n"); // expected-error {{call to 'printf' cannot be captured: its output is a side effect that an exported graph does not perform}} \
                            expected-note {{move the call out of the exported code; print the exported program's inputs or outputs instead}}
    return xp_neg(x);
}
