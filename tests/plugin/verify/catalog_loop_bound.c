// Catalogue (docs/graph-breaks.md): loops are unrolled at export time, so
// their bounds must be constants (or sizes the declared ranges decide).
#include <xport.h>

int g_steps = 3; // expected-note {{declare it 'static const' with a constant initializer, or use a '#define'}}

typedef struct {
    #pragma xport param(f32[4])
    xp_tensor *w;
    int n_layers;
} Model;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *bound_in_model(const Model *m, xp_tensor *x) {
    for (int i = 0; i < m->n_layers; i++) // expected-error {{field 'n_layers' of the model is a run-time value; an exported graph cannot depend on it}} \
                                             expected-note {{use a '#define', an 'enum' constant or a 'static const' value}} \
                                             expected-note {{exported loops are unrolled and need a constant bound: make it a constant ('#define', 'enum', 'static const'), or declare a dim with '#pragma xport dim' and loop over it with '#pragma xport map'}}
        x = xp_mul(x, m->w);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *bound_in_global(xp_tensor *x) {
    int i = 0;
    while (i < g_steps) { // expected-error {{reading global 'g_steps', which is not a constant, cannot be captured: its value may change at run time}} \
                             expected-note {{exported loops are unrolled and need a constant bound}}
        x = xp_relu(x);
        i++;
    }
    return x;
}

// A bound that is a dynamic size: no declaration but a static size would
// unroll it; '#pragma xport map' captures such a loop.
#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n, 4])
xp_tensor *bound_is_dim(xp_tensor *x) {
    xp_tensor *acc = xp_zeros(XP_F32, XP_DIMS(4));
    for (int64_t i = 0; i < xp_size(x, 0); i++) // expected-error {{loop condition 'i < xp_size(x, 0)' is not decided by the declared ranges: it is '1 < n' with 'n' in [1, inf]}} \
                                                   expected-note {{a loop over a dynamic dim needs '#pragma xport map'}}
        acc = xp_add(acc, xp_select(x, 0, i));
    return acc;
}

static xp_tensor *stack_layers(const Model *m, xp_tensor *x) {
    for (int i = 0; i < m->n_layers; i++) // expected-error {{field 'n_layers' of the model is a run-time value}} \
                                             expected-note {{use a '#define'}} \
                                             expected-note {{exported loops are unrolled and need a constant bound}}
        x = xp_mul(x, m->w);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *bound_in_helper(const Model *m, xp_tensor *x) {
    return stack_layers(m, x); // expected-note {{in call from 'bound_in_helper'}}
}
