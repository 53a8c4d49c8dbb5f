/*
 * tags: operator, graph-break
 * description: signed integer overflow while computing a constant at export time (undefined behaviour in C)
 * expect: unsupported
 * diagnostic: integer overflow in
 */
#include <xport.h>

#include <stdint.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *integer_overflow(xp_tensor *x) {
    int64_t big = INT64_MAX;
    return xp_mul_scalar(x, (double)(big + 1)); // expected-error {{integer overflow in 'big + 1' at export time}}
}
