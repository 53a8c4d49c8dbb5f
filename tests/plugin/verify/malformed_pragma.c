// A directive the grammar parser rejects is an error at the offending
// token, with the parser's message; macros in pragmas are expanded first.
#include <xport.h>

#define IN 100
#define CLOSE ]

// expected-error@+1 {{expected an xport directive}}
#pragma xport

// expected-error@+1 {{unknown xport directive 'inptu'}}
#pragma xport inptu(x, f32[4])

// expected-error@+1 {{unknown dtype 'f33'}}
#pragma xport input(x, f33[4, IN])

// expected-error@+1 {{expected ']' after the last dim, found ')'}}
#pragma xport input(x, f32[4, IN)

// A token that came from a macro is reported at the macro's use.
// expected-error@+1 {{expected an integer expression, found ']'}}
#pragma xport input(x, f32[4, CLOSE)

// expected-error@+1 {{expected an integer expression, found end of text}}
#pragma xport dim(batch, min=1, max=

// expected-error@+1 {{extra tokens after the 'export' directive}}
#pragma xport export now

// expected-error@+2 {{expected ']' after the last dim, found ')'}}
#pragma xport input(x, \
    f32[4, 5)

// expected-error@+1 {{division by zero}}
#pragma xport dim(b, max=1/0)

xp_tensor *forward(xp_tensor *x) { return x; }
