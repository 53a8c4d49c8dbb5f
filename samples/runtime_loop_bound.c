/*
 * tags: control-flow, graph-break
 * description: a loop bound read from a run-time field of the model struct
 * expect: unsupported
 * diagnostic: of the model is a run-time value
 * source: C: non-constant loop bounds
 */
#include <xport.h>

typedef struct {
    int n_layers;
    #pragma xport param(f32[4, 4])
    xp_tensor *w;
} Model;

/* The bound is a run-time value: make it a '#define' or 'static const'
 * (static_for_loop.c), or loop over a dim with '#pragma xport map'. */
#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *runtime_loop_bound(const Model *m, xp_tensor *x) {
    for (int i = 0; i < m->n_layers; i++) // expected-error {{field 'n_layers' of the model is a run-time value; an exported graph cannot depend on it}} \
                                          expected-note {{use a '#define', an 'enum' constant or a 'static const' value, or derive the size from a tensor with 'xp_size'}} \
                                          expected-note {{exported loops are unrolled and need a constant bound}}
        x = xp_matmul(x, m->w);
    return x;
}
