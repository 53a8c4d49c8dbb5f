/* In-place ops are functionalized: a write through a view of a buffer is a
 * slice_scatter into it and a BUFFER_MUTATION output; a write into an input
 * is a USER_INPUT_MUTATION. A struct result gives one output per field. */
#include <xport.h>

#define DIM 8
#define CTX 32

typedef struct {
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *w;
    #pragma xport buffer(f32[CTX, DIM])
    xp_tensor *cache;
} Model;

typedef struct {
    xp_tensor *out;
    xp_tensor *history;
} Step;

#pragma xport export
#pragma xport dim(pos, min=0, max=31)
#pragma xport input(x, f32[1, DIM])
#pragma xport input(counter, f32[1])
Step step(const Model *m, xp_tensor *x, xp_tensor *counter, int pos) {
    xp_tensor *k = xp_linear(x, m->w, NULL);
    xp_relu_(k);
    xp_copy_(xp_slice(m->cache, 0, pos, pos + 1, 1), k);
    xp_add_scalar_(counter, 1.0);
    Step r;
    r.out = xp_mul_scalar_(xp_sum(m->cache), 0.5);
    r.history = xp_slice(m->cache, 0, 0, pos + 1, 1);
    return r;
}
