/* Pointers and aggregates as C code uses them: out-parameters, structs
 * passed and returned by value, walking the model's layer array with a
 * pointer, a model struct copied into a local, dtype and bool variables. */
#include <stdbool.h>
#include <xport.h>

#define DIM 8
#define N 3

typedef struct {
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *weight;
    #pragma xport param(f32[DIM])
    xp_tensor *bias;
} Linear;

typedef struct {
    Linear layers[N];
    Linear out;
} Model;

typedef struct {
    xp_tensor *hidden;
    xp_tensor *logits;
} Outputs;

static void apply(const Linear *l, xp_tensor *x, xp_tensor **out);

static Outputs finish(const Model *m, xp_tensor *h) {
    Linear out = m->out;  /* a read-only copy of part of the model */
    xp_dtype dt = XP_F32;
    bool keep = true;
    xp_tensor *bias = xp_zeros(dt, XP_DIMS(DIM));
    xp_tensor *y = xp_add(xp_linear(h, out.weight, out.bias), bias);
    return (Outputs){.hidden = h, .logits = xp_sum_dims(y, XP_DIMS(-1), keep)};
}

#pragma xport export
#pragma xport dim(batch, min=1, max=16)
#pragma xport input(x, f32[batch, DIM])
Outputs forward(const Model *m, xp_tensor *x) {
    const Linear *end = m->layers + sizeof m->layers / sizeof m->layers[0];
    for (const Linear *l = m->layers; l < end; l++)
        apply(l, x, &x);
    return finish(m, x);
}

static void apply(const Linear *l, xp_tensor *x, xp_tensor **out) {
    *out = xp_relu(xp_linear(x, l->weight, l->bias));
}
