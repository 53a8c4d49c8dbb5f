// XP-ARGS: -std=c11
// In strict ISO C, glibc's assert expands to a conditional expression
// instead of a statement expression; both are checked the same way.
#include <assert.h>
#include <xport.h>

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{declare dim 'n' with 'max=32' so that 'n <= 32' holds for every size}}
#pragma xport input(x, f32[n, 4])
xp_tensor *checked(xp_tensor *x) {
    assert(xp_size(x, 1) == 4);   /* proven: the dim is static */
    assert(xp_size(x, 0) <= 64);  /* proven by the range */
    assert(xp_size(x, 0) <= 32); // expected-error {{assertion 'xp_size(x, 0) <= 32' is not decided by the declared ranges: it is 'n <= 32' with 'n' in [1, 64]}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[2, 4])
xp_tensor *refuted(xp_tensor *x) {
    assert(xp_ndim(x) == 3); // expected-error {{assertion 'xp_ndim(x) == 3' is false for every size in the declared ranges}}
    return x;
}
