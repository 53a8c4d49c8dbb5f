/*
 * Evaluation of an expression for given symbol values, with every step
 * checked for int64 overflow.
 */
#include "sym/sym_internal.h"

static xp_status overflow(const xp_symctx *ctx, xp_dim d) {
    char text[200];
    xp_dim_format(ctx, d, text, sizeof text);
    return xp_error(XP_ERR_SHAPE, "evaluating size %s overflows int64", text);
}

static xp_status eval(const xp_symctx *ctx, xp_dim d, const int64_t *vals, int64_t *out, int depth);

static xp_status eval_atom(const xp_symctx *ctx, uint32_t atom, const int64_t *vals, int64_t *out, int depth) {
    const xs_node *n = &ctx->nodes[atom];
    const int64_t *w = ctx->pool + n->ofs;
    if (n->kind == XS_SYM) {
        *out = vals[w[0]];
        return XP_OK;
    }
    int64_t arg;
    xp_status st = eval(ctx, w[0], vals, &arg, depth + 1);
    if (st != XP_OK) return st;
    *out = n->kind == XS_FLOORDIV ? xs_floordiv_i64(arg, w[1]) : xs_mod_i64(arg, w[1]);
    return XP_OK;
}

static xp_status eval(const xp_symctx *ctx, xp_dim d, const int64_t *vals, int64_t *out, int depth) {
    if (!xp_dim_is_sym(d)) {
        if (!xp_dim_is_valid(d)) return xp_error(XP_ERR_INVALID_ARG, "cannot evaluate an invalid size");
        *out = d;
        return XP_OK;
    }
    const xs_node *n = xs_node_of(ctx, d);
    if (!n) return xs_bad_handle(ctx, d);
    if (depth > 64) return xp_error(XP_ERR_UNSUPPORTED, "size expression nested too deeply");
    if (n->kind != XS_POLY) return eval_atom(ctx, xs_index(d), vals, out, depth);
    const int64_t *w = ctx->pool + n->ofs;
    int64_t nterms = w[0], sum = 0;
    size_t pos = 1;
    for (int64_t i = 0; i < nterms; i++) {
        /* the pool does not move: evaluation interns nothing */
        int64_t prod = w[pos], nf = w[pos + 1];
        for (int64_t j = 0; j < nf; j++) {
            int64_t v;
            xp_status st = eval_atom(ctx, (uint32_t)w[pos + 2 + 2 * j], vals, &v, depth);
            if (st != XP_OK) return st;
            for (int64_t e = 0; e < w[pos + 3 + 2 * j]; e++)
                if (!xp_i64_mul_checked(prod, v, &prod)) return overflow(ctx, d);
        }
        if (!xp_i64_add_checked(sum, prod, &sum)) return overflow(ctx, d);
        pos += 2 + 2 * (size_t)nf;
    }
    *out = sum;
    return XP_OK;
}

xp_status xp_dim_eval(const xp_symctx *ctx, xp_dim d, const int64_t *sym_values, int64_t *out) {
    if (xp_dim_is_sym(d) && !sym_values)
        return xp_error(XP_ERR_INVALID_ARG, "xp_dim_eval: symbolic size needs symbol values");
    return eval(ctx, d, sym_values, out, 0);
}
