// Catalogue (docs/graph-breaks.md): setjmp / longjmp.
#include <setjmp.h>
#include <xport.h>

static jmp_buf on_error;

static xp_tensor *checked(xp_tensor *x) {
    if (xp_ndim(x) != 1)
        longjmp(on_error, 1);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_setjmp(xp_tensor *x) {
    if (setjmp(on_error)) // expected-error {{'setjmp' jumps between functions, which an exported graph cannot represent}} \
                             expected-note {{report errors with return values; an exported program checks its inputs with guards}}
        return x;
    return checked(x);
}

static xp_tensor *fail(xp_tensor *x) {
    longjmp(on_error, 1); // expected-error {{'longjmp' jumps between functions}} \
                             expected-note {{report errors with return values}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_longjmp(xp_tensor *x) {
    return fail(x); // expected-note {{in call from 'with_longjmp'}}
}
