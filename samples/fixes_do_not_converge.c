/*
 * tags: dynamic-shape, graph-break
 * description: size tests that each need a narrower range than the last: the suggested fixes give up and ask for ranges by hand
 * expect: unsupported
 * diagnostic: did not converge after 32 changes to its declarations
 */
#include <stdint.h>
#include <xport.h>

static xp_tensor *step(xp_tensor *x, int64_t k) {
    if (xp_size(x, 0) <= k) // expected-error {{'if' condition 'xp_size(x, 0) <= k' is not decided by the declared ranges: it is 'n <= 99' with 'n' in [0, 100]}}
        return xp_relu(x);
    return x;
}

#define STEP4(k) x = step(x, k); x = step(x, k - 1); x = step(x, k - 2); x = step(x, k - 3)
#pragma xport export // expected-error {{suggested fixes for 'fixes_do_not_converge' did not converge after 32 changes to its declarations}} \
                        expected-note {{each change let the capture go further and meet another relation the ranges do not decide; apply the fix-its and compile again, or declare the ranges by hand}}
#pragma xport dim(n, max=100) // expected-note {{declare dim 'n' with 'max=68' to make the condition true for every size}} \
                                 expected-note {{or declare dim 'n' with 'min=100' to make it false for every size}}
#pragma xport input(x, f32[n])
xp_tensor *fixes_do_not_converge(xp_tensor *x) {
    STEP4(99); STEP4(95); STEP4(91); STEP4(87); STEP4(83); STEP4(79); STEP4(75); STEP4(71); STEP4(67); // expected-note {{in call from 'fixes_do_not_converge'}}
    return x;
}
