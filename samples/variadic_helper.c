/*
 * tags: graph-break, c-language
 * description: a variadic helper function
 * expect: unsupported
 * diagnostic: call to variadic function 'sum_all' cannot be inlined
 * source: C: variadic functions
 */
#include <stdarg.h>
#include <xport.h>

/* A variadic function's arguments are read with va_arg at run time; pass
 * an array and a count instead (list_unpack.c). */
static xp_tensor *sum_all(int n, ...) {
    va_list ap;
    va_start(ap, n);
    xp_tensor *acc = va_arg(ap, xp_tensor *);
    for (int i = 1; i < n; i++) acc = xp_add(acc, va_arg(ap, xp_tensor *));
    va_end(ap);
    return acc;
}

#pragma xport export
#pragma xport input(x, f32[4])
#pragma xport input(y, f32[4])
xp_tensor *variadic_helper(xp_tensor *x, xp_tensor *y) {
    return sum_all(2, x, y); // expected-error {{call to variadic function 'sum_all' cannot be inlined into an exported graph}}
}
