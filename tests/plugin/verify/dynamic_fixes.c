// Suggested fixes: a relation the declared ranges do not decide, which one
// change of a `dim` declaration decides, is an error with that change as a
// fix-it (tests/plugin/dynamic/run_fixit.sh checks the edits and that they
// converge); a size conversion C would wrap is an error.
#include <stddef.h>
#include <stdint.h>
#include <xport.h>

// Each comparison of `a && b` is its own error; the second was found with
// the first one's fix applied.
#pragma xport export
#pragma xport dim(n, max=100) // expected-note {{declare dim 'n' with 'min=3' to make the condition true for every size}} \
                                 expected-note {{or declare dim 'n' with 'max=2' to make it false for every size}} \
                                 expected-note {{declare dim 'n' with 'max=9' to make the condition true for every size}} \
                                 expected-note {{or declare dim 'n' with 'min=10' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *both_sides(xp_tensor *x) {
    if (xp_size(x, 0) > 2 && xp_size(x, 0) < 10) // expected-error {{'if' condition 'xp_size(x, 0) > 2 && xp_size(x, 0) < 10' is not decided by the declared ranges: it is 'n > 2' with 'n' in [0, 100]}} \
                                                    expected-error {{'if' condition 'xp_size(x, 0) > 2 && xp_size(x, 0) < 10' is not decided by the declared ranges: it is 'n < 10' with 'n' in [3, 100]}} \
                                                    expected-note {{found with the suggested fixes above applied}}
        return xp_relu(x);
    return x;
}

// No declaration makes 'n != 4' true: the fix makes it false.
#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{declare dim 'n' with 'min=4, max=4' (a static size) to make the condition false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *not_equal(xp_tensor *x) {
    return xp_size(x, 0) != 4 ? xp_neg(x) : x; // expected-error {{'?:' condition 'xp_size(x, 0) != 4' is not decided by the declared ranges: it is 'n != 4' with 'n' in [1, inf]}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{declare dim 'n' with 'max=4' to make the condition true for every size}} \
                                       expected-note {{or declare dim 'n' with 'min=5' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *negated(xp_tensor *x) {
    return !(xp_size(x, 0) > 4) ? xp_neg(x) : x; // expected-error {{'?:' condition '!(xp_size(x, 0) > 4)' is not decided by the declared ranges: it is '!(n > 4)' with 'n' in [1, 64]}}
}

// A loop over a dim with a small range: each iteration's condition raises
// the minimum until the loop runs the same number of times for every size.
#pragma xport export
#pragma xport dim(n, min=1, max=4) // expected-note {{declare dim 'n' with 'min=4' so that the loop runs the same number of times for every size}} \
                                      expected-note {{or declare dim 'n' with 'max=1' to end the loop there for every size}}
#pragma xport input(x, f32[n, 4])
xp_tensor *bounded_loop(xp_tensor *x) {
    xp_tensor *acc = xp_zeros(XP_F32, XP_DIMS(4));
    for (int64_t i = 0; i < xp_size(x, 0); i++) // expected-error {{loop condition 'i < xp_size(x, 0)' is not decided by the declared ranges: it is '1 < n' with 'n' in [1, 4]}} \
                                                   expected-note {{a loop over a dynamic dim needs '#pragma xport map'}}
        acc = xp_add(acc, xp_select(x, 0, i));
    return acc;
}

// Shape functions' requirements: equal sizes, a static size, a bound.
#pragma xport export
#pragma xport dim(n)
#pragma xport dim(m) // expected-note {{use one name for dims 'n' and 'm' (write 'n' for 'm' and remove the declaration of 'm') so that 'n == m' holds for every size}}
#pragma xport input(x, f32[n]) // expected-note {{'x' has shape f32[n]}}
#pragma xport input(y, f32[m]) // expected-note {{'y' has shape f32[m]}}
xp_tensor *broadcast(xp_tensor *x, xp_tensor *y) {
    return xp_add(x, y); // expected-error {{add: cannot broadcast self dim 0 (n) with other dim 0 (m): n in [0, inf] and m in [0, inf] are not provably equal}}
}

#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{declare dim 'n' with 'min=6, max=6' (a static size) so that 'n == 6' holds for every size}}
#pragma xport input(x, f32[n]) // expected-note {{'x' has shape f32[n]}}
xp_tensor *reshape_const(xp_tensor *x) {
    return xp_reshape(x, XP_DIMS(2, 3)); // expected-error {{reshape: shape '[2, 3]' is invalid for input of size n}}
}

// One name for two dims keeps the sizes both ranges allow.
#pragma xport export
#pragma xport dim(k, min=1, max=64)
#pragma xport dim(j, min=8, max=128) // expected-note {{use one name for dims 'k' and 'j' (write 'k' for 'j' and remove the declaration of 'j'), and declare dim 'k' with 'min=8' so that 'k == j' holds for every size}}
#pragma xport input(x, f32[4, k]) // expected-note {{'x' has shape f32[4, k]}}
#pragma xport input(y, f32[j, 4]) // expected-note {{'y' has shape f32[j, 4]}}
xp_tensor *merged_ranges(xp_tensor *x, xp_tensor *y) {
    return xp_matmul(x, y); // expected-error {{matmul: self dim 1 (k) and other dim 0 (j) must be equal, but k in [1, 64] and j in [8, 128] are not provably equal}}
}

// Two fixes of one bound merge into the tightest (max=8), suggested to both.
#pragma xport export
#pragma xport dim(n, max=1024) // expected-note 2 {{declare dim 'n' with 'max=8' to make the condition true for every size}} \
                                  expected-note {{or declare dim 'n' with 'min=17' to make it false for every size}} \
                                  expected-note {{or declare dim 'n' with 'min=9' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *superseded(xp_tensor *x) {
    if (xp_size(x, 0) <= 16) // expected-error {{'if' condition 'xp_size(x, 0) <= 16' is not decided by the declared ranges: it is 'n <= 16' with 'n' in [0, 1024]}}
        x = xp_relu(x);
    if (xp_size(x, 0) <= 8) // expected-error {{'if' condition 'xp_size(x, 0) <= 8' is not decided by the declared ranges: it is 'n <= 8' with 'n' in [0, 16]}} \
                               expected-note {{found with the suggested fixes above applied}}
        x = xp_neg(x);
    return x;
}

// Each call narrows the range a little more: the fixpoint gives up.
static xp_tensor *step(xp_tensor *x, int64_t k) {
    if (xp_size(x, 0) <= k) // expected-error {{'if' condition 'xp_size(x, 0) <= k' is not decided by the declared ranges: it is 'n <= 99' with 'n' in [0, 100]}}
        return xp_relu(x);
    return x;
}

#define STEP4(k) x = step(x, k); x = step(x, k - 1); x = step(x, k - 2); x = step(x, k - 3)
#pragma xport export // expected-error {{suggested fixes for 'no_convergence' did not converge after 32 changes to its declarations}} \
                        expected-note {{each change let the capture go further and meet another relation the ranges do not decide; apply the fix-its and compile again, or declare the ranges by hand}}
#pragma xport dim(n, max=100) // expected-note {{declare dim 'n' with 'max=68' to make the condition true for every size}} \
                                 expected-note {{or declare dim 'n' with 'min=100' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *no_convergence(xp_tensor *x) {
    STEP4(99); STEP4(95); STEP4(91); STEP4(87); STEP4(83); STEP4(79); STEP4(75); STEP4(71); STEP4(67); // expected-note {{in call from 'no_convergence'}}
    return x;
}

// A size converted to a type that cannot hold every value in its range.
#pragma xport export
#pragma xport dim(n, min=1, max=1000) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *narrowing(xp_tensor *x) {
    unsigned char k = (unsigned char)xp_size(x, 0); // expected-error {{converting the size 'n' to 'unsigned char' may change its value: it is in [1, 1000]}} \
                                                       expected-note {{C would wrap the value where the exported graph keeps the size; store sizes in 'int64_t', or declare a range the type can hold}}
    return xp_slice(x, 0, 0, k, 1);
}

#pragma xport export
#pragma xport dim(n, min=1, max=8) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *to_unsigned(xp_tensor *x) {
    size_t k = xp_size(x, 0) - 2; // expected-error {{converting the size 'n - 2' to 'unsigned long' may change its value: it is in [-1, 6]}} \
                                     expected-note {{C would wrap the value}}
    return xp_slice(x, 0, 0, k, 1);
}

// No single declaration makes 2*m equal to k: the error stays, naming both.
#pragma xport export
#pragma xport dim(m, min=1, max=8)
#pragma xport dim(k, min=1, max=16)
#pragma xport input(x, f32[4, 2*m]) // expected-note {{'x' has shape f32[4, 2*m]}}
#pragma xport input(y, f32[k, 3]) // expected-note {{'y' has shape f32[k, 3]}}
xp_tensor *no_fix(xp_tensor *x, xp_tensor *y) {
    return xp_matmul(x, y); // expected-error {{matmul: self dim 1 (2*m) and other dim 0 (k) must be equal, but 2*m in [2, 16] and k in [1, 16] are not provably equal}}
}
