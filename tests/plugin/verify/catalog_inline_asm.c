// Catalogue (docs/graph-breaks.md): inline assembly.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_asm(xp_tensor *x) {
    __asm__ volatile("" ::: "memory"); // expected-error {{inline assembly cannot be captured: its effects are invisible to an exported graph}} \
                                          expected-note {{express the computation with xport ops, or move it into a custom op with '#pragma xport op(...)'}}
    return xp_relu(x);
}

static xp_tensor *fence(xp_tensor *x) {
    __asm__("nop"); // expected-error {{inline assembly cannot be captured}} \
                       expected-note {{express the computation with xport ops}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *asm_in_helper(xp_tensor *x) {
    return fence(x); // expected-note {{in call from 'asm_in_helper'}}
}
