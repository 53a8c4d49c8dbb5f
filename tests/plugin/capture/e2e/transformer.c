/* The model code of transformer.h. */
#include <math.h>

#include "transformer.h"

static const float kLayerNormEps = 1e-5f;

static xp_tensor *layer_norm(const LayerNorm *ln, xp_tensor *x) {
    return xp_layer_norm(x, XP_DIMS(D_MODEL), ln->weight, ln->bias, kLayerNormEps);
}

/* [b, s, D_MODEL] -> [b, N_HEADS, s, HEAD_DIM] */
static xp_tensor *split_heads(xp_tensor *x, int64_t b, int64_t s) {
    static const int64_t perm[] = {0, 2, 1, 3};
    return xp_permute(xp_reshape(x, XP_DIMS(b, s, N_HEADS, HEAD_DIM)), 4, perm);
}

/* [b, N_HEADS, s, HEAD_DIM] -> [b, s, D_MODEL] */
static xp_tensor *merge_heads(xp_tensor *x, int64_t b, int64_t s) {
    return xp_reshape(xp_transpose(x, 1, 2), XP_DIMS(b, s, D_MODEL));
}

/* True above the diagonal: key j is in the future of query i. */
static xp_tensor *causal_mask(int64_t s) {
    xp_tensor *pos = xp_arange(XP_I64, 0, s, 1);
    return xp_gt(xp_unsqueeze(pos, 0), xp_unsqueeze(pos, 1));
}

static xp_tensor *attention(const Attention *a, xp_tensor *x) {
    int64_t b = xp_size(x, 0), s = xp_size(x, 1);
    xp_tensor *qkv = xp_linear(x, a->qkv_weight, a->qkv_bias);
    xp_tensor *heads[3];
    for (int i = 0; i < 3; i++)
        heads[i] = split_heads(xp_slice(qkv, 2, i * D_MODEL, (i + 1) * D_MODEL, 1), b, s);
    xp_tensor *q = heads[0], *k = heads[1], *v = heads[2];

    float scale = 1.0f / sqrtf((float)HEAD_DIM);
    xp_tensor *scores = xp_mul_scalar(xp_matmul(q, xp_transpose(k, -2, -1)), scale);
    xp_tensor *neg_inf = xp_full(XP_F32, XP_DIMS(1), -INFINITY);
    scores = xp_where(causal_mask(s), neg_inf, scores);
    xp_tensor *ctx = xp_matmul(xp_softmax(scores, -1), v);
    return xp_linear(merge_heads(ctx, b, s), a->out_weight, a->out_bias);
}

static xp_tensor *mlp(const MLP *f, xp_tensor *x) {
    xp_tensor *h = xp_gelu(xp_linear(x, f->fc_weight, f->fc_bias));
    return xp_linear(h, f->proj_weight, f->proj_bias);
}

static xp_tensor *block(const Block *blk, xp_tensor *x) {
    x = xp_add(x, attention(&blk->attn, layer_norm(&blk->ln1, x)));
    x = xp_add(x, mlp(&blk->mlp, layer_norm(&blk->ln2, x)));
    return x;
}

#pragma xport export
#pragma xport dim(batch, min=1, max=32)
#pragma xport dim(seq, min=1, max=MAX_SEQ)
#pragma xport input(tokens, i64[batch, seq])
xp_tensor *forward(const Transformer *m, xp_tensor *tokens) {
    int64_t seq = xp_size(tokens, 1);
    xp_tensor *x = xp_embedding(m->tok_emb, tokens);
    x = xp_add(x, xp_slice(m->pos_emb, 0, 0, seq, 1));
    for (int i = 0; i < N_LAYERS; i++)
        x = block(&m->layers[i], x);
    x = layer_norm(&m->ln_f, x);
    /* tied embeddings: logits = x @ tok_emb^T */
    return xp_matmul(x, xp_t(m->tok_emb));
}
