/*
 * tags: mutation, graph-break
 * description: a static local variable that keeps state between calls
 * expect: unsupported
 * diagnostic: keeps state between calls
 * source: C: static locals
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *static_local(xp_tensor *x) {
    static int calls; // expected-error {{static local variable 'calls' keeps state between calls, which an exported graph cannot have}} \
                         expected-note {{make it 'static const' with a constant initializer, or keep the state in a model buffer updated with 'xp_copy_'}}
    calls++;
    return xp_neg(x);
}
