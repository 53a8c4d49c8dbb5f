/*
 * tags: model, graph-break
 * description: a model struct's tensor field without '#pragma xport param' or 'buffer': the weight's dtype and shape are unknown
 * expect: unsupported
 * diagnostic: has no declared dtype and shape
 */
#include <xport.h>

typedef struct {
    xp_tensor *scale; // expected-note {{add '#pragma xport param(DTYPE[...])' before the field (or 'buffer(...)' for non-trainable state)}}
} Model;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_field_no_pragma(const Model *m, xp_tensor *x) {
    return xp_mul(x, m->scale); // expected-error {{tensor field 'scale' of 'Model' has no declared dtype and shape}}
}
