/* A small decoder-only transformer, written the way a C programmer would:
 * one struct per module, a helper function per block, a constant-bound
 * loop over the layers. transformer.c holds the model code (captured by
 * the plugin); transformer_main.c fills the weights, runs the exported
 * program and compares it with calling forward() eagerly. */
#ifndef TRANSFORMER_H
#define TRANSFORMER_H

#include <xport.h>

#define VOCAB 50
#define MAX_SEQ 16
#define D_MODEL 32
#define N_HEADS 4
#define HEAD_DIM (D_MODEL / N_HEADS)
#define D_FF (4 * D_MODEL)
#define N_LAYERS 3

typedef struct {
    #pragma xport param(f32[D_MODEL])
    xp_tensor *weight;
    #pragma xport param(f32[D_MODEL])
    xp_tensor *bias;
} LayerNorm;

typedef struct {
    #pragma xport param(f32[3 * D_MODEL, D_MODEL])
    xp_tensor *qkv_weight;
    #pragma xport param(f32[3 * D_MODEL])
    xp_tensor *qkv_bias;
    #pragma xport param(f32[D_MODEL, D_MODEL])
    xp_tensor *out_weight;
    #pragma xport param(f32[D_MODEL])
    xp_tensor *out_bias;
} Attention;

typedef struct {
    #pragma xport param(f32[D_FF, D_MODEL])
    xp_tensor *fc_weight;
    #pragma xport param(f32[D_FF])
    xp_tensor *fc_bias;
    #pragma xport param(f32[D_MODEL, D_FF])
    xp_tensor *proj_weight;
    #pragma xport param(f32[D_MODEL])
    xp_tensor *proj_bias;
} MLP;

typedef struct {
    LayerNorm ln1;
    Attention attn;
    LayerNorm ln2;
    MLP mlp;
} Block;

typedef struct {
    #pragma xport param(f32[VOCAB, D_MODEL])
    xp_tensor *tok_emb;
    #pragma xport param(f32[MAX_SEQ, D_MODEL])
    xp_tensor *pos_emb;
    Block layers[N_LAYERS];
    LayerNorm ln_f;
} Transformer;

/* tokens: i64[batch, seq] -> logits f32[batch, seq, VOCAB] */
xp_tensor *forward(const Transformer *m, xp_tensor *tokens);

#endif
