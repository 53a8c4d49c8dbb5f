/*
 * tags: model, graph-break
 * description: two '#pragma xport param' lines before one model field
 * expect: unsupported
 * diagnostic: already has a '#pragma xport param'
 */
#include <xport.h>

typedef struct {
    #pragma xport param(f32[4]) // expected-note {{previous '#pragma xport param' is here}}
    #pragma xport param(f32[8]) // expected-error {{this field already has a '#pragma xport param'}}
    xp_tensor *scale;
} Model;
