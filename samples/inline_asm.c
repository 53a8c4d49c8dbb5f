/*
 * tags: graph-break, c-language
 * description: inline assembly
 * expect: unsupported
 * diagnostic: inline assembly cannot be captured
 * source: C: inline asm
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *inline_asm(xp_tensor *x) {
    __asm__ volatile("" ::: "memory"); // expected-error {{inline assembly cannot be captured: its effects are invisible to an exported graph}} \
                                          expected-note {{express the computation with xport ops, or move it into a custom op with '#pragma xport op(...)'}}
    return xp_neg(x);
}
