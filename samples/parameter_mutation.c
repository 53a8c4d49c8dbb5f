/*
 * tags: mutation, model, graph-break
 * description: an in-place op on a model parameter
 * expect: unsupported
 * diagnostic: parameter 'w' is written at
 * source: ExportDB model_attr_mutation (parameters)
 */
#include <xport.h>

/* Parameters are read-only in an exported program; buffers may be updated
 * (buffer_mutation.c). */
typedef struct {
    #pragma xport param(f32[4])
    xp_tensor *w;
} Model;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *parameter_mutation(const Model *m, xp_tensor *x) {
    xp_add_(m->w, x);
    return x; // expected-error {{parameter 'w' is written at}}
}
