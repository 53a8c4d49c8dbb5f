/*
 * tags: graph-break, c-language
 * description: a call through a function pointer chosen at run time
 * expect: unsupported
 * diagnostic: the function it points to is not known at export time
 * source: C: unresolvable function pointers
 */
#include <xport.h>

typedef xp_tensor *(*unary_fn)(xp_tensor *);

/* A global that is not const may point anywhere when the program runs:
 * the capture cannot know which function the graph would call. Make the
 * pointer (or the table) 'static const' (function_pointer_constant.c). */
unary_fn activation = xp_relu; // expected-note {{call the function by name, or make the pointer a constant (a function name or a 'static const' function pointer)}}

#pragma xport export
#pragma xport input(x, f32[5])
xp_tensor *function_pointer_runtime(xp_tensor *x) {
    return activation(x); // expected-error {{call through 'activation' cannot be captured: the function it points to is not known at export time}}
}
