/* A model as a C programmer writes one: a struct per module, helpers that
 * take a pointer to their module, a constant-bound loop over an array of
 * layers. Weights are named by access path (layers.1.attn.wq); helpers are
 * inlined, so each node's location is inside the helper. */
#include <xport.h>

#define DIM 16
#define HEADS 2
#define LAYERS 2

typedef struct {
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *wq;
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *wk;
    #pragma xport param(f32[DIM, DIM])
    xp_tensor *wv;
} Attention;

typedef struct {
    #pragma xport param(f32[DIM])
    xp_tensor *gamma;
    Attention attn;
} Layer;

typedef struct {
    Layer layers[LAYERS];
    #pragma xport param(f32[4, DIM])
    xp_tensor *head;
} Model;

static xp_tensor *heads(xp_tensor *x) {
    int64_t b = xp_size(x, 0), s = xp_size(x, 1);
    return xp_transpose(xp_reshape(x, XP_DIMS(b, s, HEADS, DIM / HEADS)), 1, 2);
}

static xp_tensor *attention(const Attention *a, xp_tensor *x) {
    xp_tensor *q = heads(xp_linear(x, a->wq, NULL));
    xp_tensor *k = heads(xp_linear(x, a->wk, NULL));
    xp_tensor *v = heads(xp_linear(x, a->wv, NULL));
    xp_tensor *o = xp_scaled_dot_product_attention(q, k, v, NULL, true);
    return xp_flatten(xp_transpose(o, 1, 2), 2, 3);
}

static xp_tensor *layer(const Layer *l, xp_tensor *x) {
    xp_tensor *h = xp_mul(x, l->gamma);
    return xp_add(x, attention(&l->attn, h));
}

#pragma xport export
#pragma xport dim(batch, min=1, max=8)
#pragma xport dim(seq, min=2, max=128)
#pragma xport input(x, f32[batch, seq, DIM])
xp_tensor *forward(const Model *m, xp_tensor *x) {
    for (int i = 0; i < LAYERS; i++) {
        const Layer *l = &m->layers[i];
        x = layer(l, x);
    }
    return xp_linear(x, m->head, NULL);
}
