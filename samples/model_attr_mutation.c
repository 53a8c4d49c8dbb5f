/*
 * tags: mutation, graph-break
 * description: assigning a field of the model struct
 * expect: unsupported
 * diagnostic: modifies the model struct
 * source: ExportDB model_attr_mutation
 */
#include <xport.h>

/* torch: `self.attr_list = ...` in forward. The model is read-only in an
 * exported function; update a buffer's contents with xp_copy_ instead
 * (buffer_mutation.c). */
typedef struct {
    #pragma xport buffer(f32[4])
    xp_tensor *state;
} Model;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *model_attr_mutation(Model *m, xp_tensor *x) {
    m->state = xp_add(m->state, x); // expected-error {{writing to 'm->state' modifies the model struct, which an exported graph cannot do}} \
                                       expected-note {{to update a buffer in place, copy into it with 'xp_copy_'}}
    return m->state;
}
