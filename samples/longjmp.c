/*
 * tags: graph-break, builtin
 * description: longjmp out of a helper
 * expect: unsupported
 * diagnostic: 'longjmp' jumps between functions
 * source: C: setjmp/longjmp
 */
#include <setjmp.h>
#include <xport.h>

static jmp_buf env;

static xp_tensor *checked(xp_tensor *x) {
    longjmp(env, 1); // expected-error {{'longjmp' jumps between functions, which an exported graph cannot represent}} \
                        expected-note {{report errors with return values; an exported program checks its inputs with guards}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_longjmp(xp_tensor *x) {
    return checked(x); // expected-note {{in call from 'with_longjmp'}}
}
