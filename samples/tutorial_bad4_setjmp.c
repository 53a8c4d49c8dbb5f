/*
 * tags: graph-break, builtin
 * description: non-local control flow with setjmp (Bad4: try/except)
 * expect: unsupported
 * diagnostic: 'setjmp' jumps between functions
 * source: torch.export tutorial, graph breaks (Bad4)
 */
#include <setjmp.h>
#include <xport.h>

/* torch.export: `try: ... raise ... except: ...`. C's analog of exception
 * handling is setjmp/longjmp, a jump the graph cannot represent. */
static jmp_buf on_error;

#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *bad4(xp_tensor *x) {
    if (setjmp(on_error) == 0) // expected-error {{'setjmp' jumps between functions, which an exported graph cannot represent}} \
                                  expected-note {{report errors with return values; an exported program checks its inputs with guards}}
        return xp_add_scalar(x, 1);
    return xp_add_scalar(x, 2);
}
