// Catalogue (docs/graph-breaks.md): writes to globals and statics, and
// static locals that keep state between calls.
#include <xport.h>

static int g_calls;
float g_last_scale = 1;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *count_calls(xp_tensor *x) {
    g_calls++; // expected-error {{writing to global 'g_calls' cannot be captured: an exported graph has no global state}} \
                  expected-note {{return the value from the exported function, or keep the state in a model buffer updated with 'xp_copy_'}}
    return x;
}

static xp_tensor *scale(xp_tensor *x, float s) {
    g_last_scale = s; // expected-error {{writing to global 'g_last_scale' cannot be captured}} \
                         expected-note {{keep the state in a model buffer}}
    return xp_mul_scalar(x, s);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *write_in_helper(xp_tensor *x) {
    return scale(x, 2); // expected-note {{in call from 'write_in_helper'}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *static_state(xp_tensor *x) {
    static int step; // expected-error {{static local variable 'step' keeps state between calls, which an exported graph cannot have}} \
                        expected-note {{make it 'static const' with a constant initializer, or keep the state in a model buffer updated with 'xp_copy_'}}
    step++;
    return xp_mul_scalar(x, step);
}
