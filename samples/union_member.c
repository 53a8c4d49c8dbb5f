/*
 * tags: graph-break, c-language, data-structure
 * description: reading a union member
 * expect: unsupported
 * diagnostic: union member 'd' cannot be captured
 * source: C: unions
 */
#include <xport.h>

static const union {
    int64_t i;
    double d;
} kBits = {.i = 1};

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *union_member(xp_tensor *x) {
    return xp_mul_scalar(x, kBits.d); // expected-error {{union member 'd' cannot be captured in an exported function}}
}
