/*
 * tags: model, graph-break
 * description: '#pragma xport param' before a struct field that is not a tensor
 * expect: unsupported
 * diagnostic: must be followed by a struct field of type 'xp_tensor *'
 */
#include <xport.h>

typedef struct {
    #pragma xport param(f32[4]) // expected-error {{'#pragma xport param' must be followed by a struct field of type 'xp_tensor *'}}
    float scale; // expected-note {{'scale' has type 'float'}}
} Model;
