// The model struct is read-only: its tensor fields are weights (declared
// with param/buffer), everything else in it is a run-time value. Globals
// are read only when they are constants, and never written.
#include <xport.h>

typedef struct {
    #pragma xport param(f32[4])
    xp_tensor *w;
    xp_tensor *undeclared; // expected-note {{add '#pragma xport param(DTYPE[...])' before the field (or 'buffer(...)' for non-trainable state)}}
    int n_layers;
} Model;

static int g_calls;     // expected-note {{declare it 'static const' with a constant initializer, or use a '#define'}}
static float g_scale = 2.0f;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *undeclared_weight(const Model *m, xp_tensor *x) {
    return xp_add(x, m->undeclared); // expected-error {{tensor field 'undeclared' of 'Model' has no declared dtype and shape}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *runtime_field(const Model *m, xp_tensor *x) {
    for (int i = 0; i < m->n_layers; i++) // expected-error {{field 'n_layers' of the model is a run-time value; an exported graph cannot depend on it}} \
                                             expected-note {{use a '#define', an 'enum' constant or a 'static const' value, or derive the size from a tensor with 'xp_size'}} \
                                             expected-note {{exported loops are unrolled and need a constant bound}}
        x = xp_mul(x, m->w);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *write_model(Model *m, xp_tensor *x) {
    m->w = x; // expected-error {{writing to 'm->w' modifies the model struct, which an exported graph cannot do}} \
                 expected-note {{to update a buffer in place, copy into it with 'xp_copy_'}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *read_mutable_global(xp_tensor *x) {
    return xp_mul_scalar(x, g_calls); // expected-error {{reading global 'g_calls', which is not a constant, cannot be captured: its value may change at run time}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *write_global(xp_tensor *x) {
    g_scale *= 2; // expected-error {{writing to global 'g_scale' cannot be captured: an exported graph has no global state}} \
                     expected-note {{return the value from the exported function, or keep the state in a model buffer updated with 'xp_copy_'}}
    return x;
}
