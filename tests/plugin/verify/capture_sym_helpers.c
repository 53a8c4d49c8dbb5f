// The size helpers xp_sym_eq/ne/lt/le/gt/ge and xp_sym_add/sub/mul/div are
// the C operators they name: a condition the declared ranges do not decide
// is the same error, with the same notes and suggested fix, as the
// operator's (tests/plugin/sym_helpers_fixit.sh compares the fix-its).
#include <xport.h>

#pragma xport export
#pragma xport dim(n, max=1024) // expected-note {{declare dim 'n' with 'max=15' to make the condition true for every size}} \
                                  expected-note {{or declare dim 'n' with 'min=16' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *with_operator(xp_tensor *x) {
    if (xp_size(x, 0) < 16) // expected-error {{'if' condition 'xp_size(x, 0) < 16' is not decided by the declared ranges: it is 'n < 16' with 'n' in [0, 1024]}}
        return xp_relu(x);
    return x;
}

#pragma xport export
#pragma xport dim(n, max=1024) // expected-note {{declare dim 'n' with 'max=15' to make the condition true for every size}} \
                                  expected-note {{or declare dim 'n' with 'min=16' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *with_helper(xp_tensor *x) {
    if (xp_sym_lt(xp_size(x, 0), 16)) // expected-error {{'if' condition 'xp_sym_lt(xp_size(x, 0), 16)' is not decided by the declared ranges: it is 'n < 16' with 'n' in [0, 1024]}}
        return xp_relu(x);
    return x;
}

// A helper's result is a size like the operator's: 'n + 1 != 0' is decided,
// 'n * 2 == 6' is not, and '!=' has no declaration that makes it true.
#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{declare dim 'n' with 'min=3, max=3' (a static size) to make the condition true for every size}}
#pragma xport input(x, f32[n])
xp_tensor *helper_sizes(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    bool ok = xp_sym_ne(xp_sym_add(n, 1), 0);
    if (ok && xp_sym_eq(xp_sym_mul(n, 2), 6)) // expected-error {{'if' condition 'ok && xp_sym_eq(xp_sym_mul(n, 2), 6)' is not decided by the declared ranges: it is '2*n == 6' with 'n' in [1, inf]}}
        return xp_relu(x);
    return x;
}

// Division: by a size only when it divides exactly, as with '/'; by a
// negative constant xp_sym_div (which floors) and '/' (which truncates)
// disagree.
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 6])
xp_tensor *divide_by_size(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    return xp_reshape(x, XP_DIMS(n, xp_sym_div(xp_sym_add(n, 1), n))); // expected-error {{dividing by the size 'n' cannot be captured: sizes can only be divided by constants}} \
                                                                          expected-note {{sizes in an exported graph are polynomials over the dims with division by constants only}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 6])
xp_tensor *divide_by_negative(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(xp_sym_div(xp_size(x, 0), -1), -6)); // expected-error {{'xp_sym_div' of the size 'n' by the negative constant -1 is not supported in an exported function}}
}
