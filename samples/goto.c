/*
 * tags: graph-break, c-language
 * description: a goto
 * expect: unsupported
 * diagnostic: 'goto' cannot be captured: an exported graph has no jumps
 * source: C: goto
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_goto(xp_tensor *x) {
    goto done; // expected-error {{'goto' cannot be captured: an exported graph has no jumps}} \
                  expected-note {{use structured control flow: 'if', loops with constant bounds, 'break' and 'continue'}}
done:
    return xp_neg(x);
}
