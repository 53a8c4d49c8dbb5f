/*
 * tags: dynamic-shape, graph-break
 * description: storing a dynamic size in a type too narrow for its range
 * expect: unsupported
 * diagnostic: may change its value
 * source: C: integer types
 */
#include <stdint.h>
#include <xport.h>

/* C would wrap 300 to 44 in a uint8_t; the graph would keep 300. Keep
 * sizes in int64_t (or int). */
#pragma xport export
#pragma xport dim(n, min=1, max=1024) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *size_narrowing(xp_tensor *x) {
    uint8_t n = xp_size(x, 0); // expected-error {{converting the size 'n' to 'unsigned char' may change its value: it is in [1, 1024]}} \
                                  expected-note {{store sizes in 'int64_t', or declare a range the type can hold}}
    return xp_slice(x, 0, 0, n, 1);
}
