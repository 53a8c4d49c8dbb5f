/*
 * Shape functions of neural-network ops: layer_norm, batch_norm, conv2d,
 * max/avg/adaptive pooling and scaled dot-product attention (NCHW layout,
 * PyTorch's size formulas, symbolic spatial sizes allowed).
 */
#include "ops/shape_util.h"

#include <inttypes.h>
#include <string.h>

static const char *const AXIS[2] = {"height", "width"};

static xp_status require_spatial_input(const char *op, const xp_meta *x) {
    if (x->ndim == 3 || x->ndim == 4) return XP_OK;
    return xps_fail(XP_ERR_SHAPE, op, "expected a 3-D (CHW) or 4-D (NCHW) input, but it has %d dims", x->ndim);
}

/* ---- normalization ---- */

/* layer_norm(input, normalized_shape, weight?, bias?, eps) */
xp_status xp_shape_layer_norm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "layer_norm";
    const xp_meta *x, *w, *b;
    XPS_TRY(xps_tensor_arg(args, 0, op, "input", &x));
    XPS_TRY(xps_opt_tensor_arg(args, 2, op, "weight", &w));
    XPS_TRY(xps_opt_tensor_arg(args, 3, op, "bias", &b));
    const xp_arg *ns = &args[1];
    if (ns->kind != XP_ARG_INT_LIST || ns->il.n < 1)
        return xps_fail(XP_ERR_INVALID_ARG, op, "expected normalized_shape to contain at least one element");
    XPS_TRY(xps_require_float(op, "input", x->dtype));
    int n = ns->il.n, off = x->ndim - n;
    char tn[XPS_TEXT], tx[XPS_TEXT], tw[XPS_TEXT];
    bool concrete = off >= 0;
    for (int i = 0; concrete && i < n; i++) concrete = !xp_dim_is_sym(x->shape[off + i]) && !xp_dim_is_sym(ns->il.v[i]);
    for (int i = 0; i < n && off >= 0; i++) {
        if (xps_same(ctx, x->shape[off + i], ns->il.v[i])) continue;
        if (concrete) {
            off = -1;
            break;
        }
        char wa[48], wb[48];
        snprintf(wa, sizeof wa, "input dim %d", off + i);
        snprintf(wb, sizeof wb, "normalized_shape[%d]", i);
        XPS_TRY(xps_require_eq(ctx, op, wa, x->shape[off + i], wb, ns->il.v[i]));
    }
    if (off < 0) {
        xps_shape_text(ctx, n, ns->il.v, tn, sizeof tn);
        return xps_fail(XP_ERR_SHAPE, op,
                        "given normalized_shape=%s, expected input with shape [*, %.*s], but got input of size %s", tn,
                        (int)(strlen(tn) - 2), tn + 1, xps_shape_text(ctx, x->ndim, x->shape, tx, sizeof tx));
    }
    const xp_meta *params[2] = {w, b};
    const char *names[2] = {"weight", "bias"};
    for (int k = 0; k < 2; k++) {
        const xp_meta *p = params[k];
        if (!p) continue;
        XPS_TRY(xps_require_same_dtype(op, names[k], p->dtype, "input", x->dtype));
        bool same = p->ndim == n;
        int i = 0;
        for (; same && i < n; i++) same = xps_same(ctx, p->shape[i], ns->il.v[i]);
        if (!same && p->ndim == n) xp_symctx_require(ctx, XP_REL_EQ, p->shape[i - 1], ns->il.v[i - 1]);
        if (!same)
            return xps_fail(
                XP_ERR_SHAPE, op,
                "expected %s to be of same shape as normalized_shape, but got %s of shape %s and normalized_shape = %s",
                names[k], names[k], xps_shape_text(ctx, p->ndim, p->shape, tw, sizeof tw),
                xps_shape_text(ctx, n, ns->il.v, tn, sizeof tn));
    }
    *out = *x;
    return XP_OK;
}

/* batch_norm(input [N, C, ...], weight?, bias?, running_mean, running_var, eps): each parameter is [C] */
xp_status xp_shape_batch_norm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "batch_norm";
    const char *names[4] = {"weight", "bias", "running_mean", "running_var"};
    const xp_meta *x, *p[4];
    XPS_TRY(xps_tensor_arg(args, 0, op, "input", &x));
    XPS_TRY(xps_opt_tensor_arg(args, 1, op, names[0], &p[0]));
    XPS_TRY(xps_opt_tensor_arg(args, 2, op, names[1], &p[1]));
    XPS_TRY(xps_tensor_arg(args, 3, op, names[2], &p[2]));
    XPS_TRY(xps_tensor_arg(args, 4, op, names[3], &p[3]));
    if (x->ndim < 2)
        return xps_fail(XP_ERR_SHAPE, op, "expected input with at least 2 dims (N, C, ...), but got %d", x->ndim);
    XPS_TRY(xps_require_float(op, "input", x->dtype));
    xp_dim c = x->shape[1];
    for (int k = 0; k < 4; k++) {
        if (!p[k]) continue;
        XPS_TRY(xps_require_same_dtype(op, names[k], p[k]->dtype, "input", x->dtype));
        if (p[k]->ndim != 1)
            return xps_fail(XP_ERR_SHAPE, op, "%s must be 1-D with one element per channel, but it has %d dims",
                            names[k], p[k]->ndim);
        if (!xp_dim_is_sym(c) && !xp_dim_is_sym(p[k]->shape[0]) && c != p[k]->shape[0])
            return xps_fail(XP_ERR_SHAPE, op, "%s should contain %" PRId64 " elements not %" PRId64, names[k],
                            (int64_t)c, (int64_t)p[k]->shape[0]);
        if (xps_same(ctx, p[k]->shape[0], c)) continue;
        char wa[48];
        snprintf(wa, sizeof wa, "%s dim 0", names[k]);
        return xps_require_eq(ctx, op, wa, p[k]->shape[0], "input dim 1 (channels)", c);
    }
    *out = *x;
    return XP_OK;
}

/* ---- convolution ---- */

/* conv2d(input, weight [Cout, Cin/groups, kh, kw], bias?, stride, padding, dilation, groups):
 * out = (in + 2*pad - dilation*(k - 1) - 1) / stride + 1 per spatial dim */
xp_status xp_shape_conv2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "conv2d";
    const xp_meta *x, *w, *bias;
    int64_t stride[2], pad[2], dil[2], groups;
    XPS_TRY(xps_tensor_arg(args, 0, op, "input", &x));
    XPS_TRY(xps_tensor_arg(args, 1, op, "weight", &w));
    XPS_TRY(xps_opt_tensor_arg(args, 2, op, "bias", &bias));
    XPS_TRY(xps_int_pair(op, "stride", &args[3], 1, stride));
    XPS_TRY(xps_int_pair(op, "padding", &args[4], 0, pad));
    XPS_TRY(xps_int_pair(op, "dilation", &args[5], 1, dil));
    XPS_TRY(xps_const_int(op, "groups", args[6].kind == XP_ARG_INT ? args[6].i : 1, &groups));
    XPS_TRY(require_spatial_input(op, x));
    if (w->ndim != 4)
        return xps_fail(XP_ERR_SHAPE, op,
                        "expected weight to be 4-D [out_channels, in_channels/groups, kh, kw], but it has %d dims",
                        w->ndim);
    for (int i = 0; i < 2; i++) {
        if (stride[i] < 1) return xps_fail(XP_ERR_INVALID_ARG, op, "non-positive stride is not supported");
        if (pad[i] < 0) return xps_fail(XP_ERR_INVALID_ARG, op, "negative padding is not supported");
        if (dil[i] < 1) return xps_fail(XP_ERR_INVALID_ARG, op, "dilation should be greater than zero");
    }
    if (groups < 1) return xps_fail(XP_ERR_INVALID_ARG, op, "non-positive groups is not supported");
    XPS_TRY(xps_require_float(op, "input", x->dtype));
    XPS_TRY(xps_require_same_dtype(op, "input", x->dtype, "weight", w->dtype));
    int cdim = x->ndim - 3; /* channel dim: 0 for CHW, 1 for NCHW */
    xp_dim cin = x->shape[cdim], cout = w->shape[0];
    xp_dim want = xp_dim_mul(ctx, w->shape[1], groups);
    if (!xp_dim_is_valid(want)) return xp_last_status();
    char tw[XPS_TEXT], tx[XPS_TEXT];
    if (!xp_dim_is_sym(cin) && !xp_dim_is_sym(want) && cin != want)
        return xps_fail(XP_ERR_SHAPE, op,
                        "given groups=%" PRId64 ", weight of size %s, expected input%s to have %" PRId64
                        " channels, but got %" PRId64 " channels instead",
                        groups, xps_shape_text(ctx, w->ndim, w->shape, tw, sizeof tw),
                        xps_shape_text(ctx, x->ndim, x->shape, tx, sizeof tx), (int64_t)want, (int64_t)cin);
    if (!xps_same(ctx, cin, want)) {
        char wc[48];
        snprintf(wc, sizeof wc, "input dim %d (channels)", cdim);
        return xps_require_eq(ctx, op, wc, cin, "weight dim 1 times groups", want);
    }
    xp_dim cout_rem = xp_dim_mod(ctx, cout, groups);
    if (xp_dim_eq(ctx, cout_rem, 0) != XP_YES) {
        if (xp_dim_is_valid(cout_rem)) xp_symctx_require(ctx, XP_REL_EQ, cout_rem, 0);
        return xps_fail(XP_ERR_SHAPE, op, "expected weight dim 0 (out_channels, %s) to be divisible by groups=%" PRId64,
                        xps_dim_text(ctx, cout, tw, sizeof tw), groups);
    }
    if (bias) {
        XPS_TRY(xps_require_same_dtype(op, "bias", bias->dtype, "weight", w->dtype));
        if (bias->ndim != 1)
            return xps_fail(XP_ERR_SHAPE, op, "expected bias to be 1-D [out_channels], but it has %d dims", bias->ndim);
        XPS_TRY(xps_require_eq(ctx, op, "bias dim 0", bias->shape[0], "weight dim 0 (out_channels)", cout));
    }
    xp_meta r = *x;
    r.shape[cdim] = cout;
    for (int i = 0; i < 2; i++) {
        int d = x->ndim - 2 + i;
        /* extent of the dilated kernel: dilation*(k - 1) + 1 */
        xp_dim extent = xp_dim_add(ctx, xp_dim_mul(ctx, xp_dim_sub(ctx, w->shape[2 + i], 1), dil[i]), 1);
        xp_dim padded = xp_dim_add(ctx, x->shape[d], 2 * pad[i]);
        if (!xp_dim_is_valid(extent) || !xp_dim_is_valid(padded)) return xp_last_status();
        if (xp_dim_le(ctx, extent, padded) != XP_YES) {
            char what[48];
            snprintf(what, sizeof what, "padded input %s", AXIS[i]);
            return xps_require_le(ctx, op, extent, what, padded, "the kernel's extent");
        }
        r.shape[d] = xp_dim_add(ctx, xp_dim_floordiv(ctx, xp_dim_sub(ctx, padded, extent), stride[i]), 1);
        if (!xp_dim_is_valid(r.shape[d])) return xp_last_status();
    }
    *out = r;
    return XP_OK;
}

/* ---- pooling ---- */

/* PyTorch's pooling_output_shape: floor (or ceil) of the window count;
 * with ceil_mode the last window must start inside the input or the left
 * padding, else it is dropped. */
static xp_status pool_size(xp_symctx *ctx, const char *op, int axis, xp_dim in, int64_t k, int64_t s, int64_t p,
                           int64_t d, bool ceil_mode, xp_dim *out) {
    int64_t extent = d * (k - 1) + 1;
    char what[48];
    xp_dim padded = xp_dim_add(ctx, in, 2 * p);
    if (!xp_dim_is_valid(padded)) return xp_last_status();
    /* the first window must fit (ceil_mode lets windows run past the end) */
    if (!ceil_mode && xp_dim_le(ctx, extent, padded) != XP_YES) {
        snprintf(what, sizeof what, "padded input %s", AXIS[axis]);
        return xps_require_le(ctx, op, extent, what, padded, "the pooling window's extent");
    }
    xp_dim num = xp_dim_add(ctx, in, 2 * p - extent + (ceil_mode ? s - 1 : 0));
    xp_dim o = xp_dim_add(ctx, xp_dim_floordiv(ctx, num, s), 1);
    if (!xp_dim_is_valid(o)) return xp_last_status();
    if (ceil_mode) {
        xp_dim last_start = xp_dim_mul(ctx, xp_dim_sub(ctx, o, 1), s);
        xp_dim limit = xp_dim_add(ctx, in, p);
        if (!xp_dim_is_valid(last_start) || !xp_dim_is_valid(limit)) return xp_last_status();
        xp_tri drop = xp_dim_le(ctx, limit, last_start);
        if (drop == XP_UNKNOWN) {
            char ti[XPS_TEXT];
            xp_symctx_require(ctx, XP_REL_LE, limit, last_start);
            return xps_fail(XP_ERR_SHAPE, op,
                            "with ceil_mode the output %s depends on whether the last window starts inside the input, "
                            "which the range of input %s %s does not decide; use ceil_mode=False or a static size",
                            AXIS[axis], AXIS[axis], xps_dim_desc(ctx, in, ti, sizeof ti));
        }
        if (drop == XP_YES) o = xp_dim_sub(ctx, o, 1);
    }
    if (xp_dim_le(ctx, 1, o) != XP_YES) {
        snprintf(what, sizeof what, "output %s", AXIS[axis]);
        return xps_require_le(ctx, op, 1, what, o, "the input is smaller than the pooling window");
    }
    *out = o;
    return XP_OK;
}

static xp_status pool2d(xp_symctx *ctx, const char *op, const xp_meta *x, const xp_arg *ksize, const xp_arg *stride_arg,
                        const xp_arg *pad_arg, const int64_t dil[2], bool ceil_mode, xp_meta *out) {
    int64_t k[2], s[2], p[2];
    XPS_TRY(require_spatial_input(op, x));
    XPS_TRY(xps_require_float(op, "input", x->dtype));
    XPS_TRY(xps_int_pair(op, "kernel_size", ksize, 0, k));
    XPS_TRY(xps_int_pair(op, "stride", stride_arg, 0, s));
    XPS_TRY(xps_int_pair(op, "padding", pad_arg, 0, p));
    xp_meta r = *x;
    for (int i = 0; i < 2; i++) {
        if (s[i] == 0 &&
            (stride_arg->kind == XP_ARG_NONE || (stride_arg->kind == XP_ARG_INT_LIST && stride_arg->il.n == 0)))
            s[i] = k[i]; /* stride=[] means the kernel size */
        if (k[i] < 1)
            return xps_fail(XP_ERR_INVALID_ARG, op, "kernel_size must be greater than zero, but got %" PRId64, k[i]);
        if (s[i] < 1)
            return xps_fail(XP_ERR_INVALID_ARG, op, "stride must be greater than zero, but got %" PRId64, s[i]);
        if (dil[i] < 1)
            return xps_fail(XP_ERR_INVALID_ARG, op, "dilation must be greater than zero, but got %" PRId64, dil[i]);
        int64_t extent = dil[i] * (k[i] - 1) + 1;
        if (p[i] < 0 || p[i] > extent / 2)
            return xps_fail(XP_ERR_INVALID_ARG, op,
                            "pad should be at most half of effective kernel size, but got pad=%" PRId64
                            ", kernel_size=%" PRId64 " and dilation=%" PRId64,
                            p[i], k[i], dil[i]);
        int d = x->ndim - 2 + i;
        XPS_TRY(pool_size(ctx, op, i, x->shape[d], k[i], s[i], p[i], dil[i], ceil_mode, &r.shape[d]));
    }
    *out = r;
    return XP_OK;
}

/* max_pool2d(self, kernel_size, stride=[], padding=0, dilation=1, ceil_mode=False) */
xp_status xp_shape_max_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *x;
    int64_t dil[2];
    XPS_TRY(xps_tensor_arg(args, 0, "max_pool2d", "self", &x));
    XPS_TRY(xps_int_pair("max_pool2d", "dilation", &args[4], 1, dil));
    bool ceil_mode = args[5].kind == XP_ARG_BOOL && args[5].b;
    return pool2d(ctx, "max_pool2d", x, &args[1], &args[2], &args[3], dil, ceil_mode, out);
}

/* avg_pool2d(self, kernel_size, stride=[], padding=0, ceil_mode=False, count_include_pad=True) */
xp_status xp_shape_avg_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *x;
    const int64_t dil[2] = {1, 1};
    XPS_TRY(xps_tensor_arg(args, 0, "avg_pool2d", "self", &x));
    bool ceil_mode = args[4].kind == XP_ARG_BOOL && args[4].b;
    return pool2d(ctx, "avg_pool2d", x, &args[1], &args[2], &args[3], dil, ceil_mode, out);
}

/* adaptive_avg_pool2d(self, output_size) */
xp_status xp_shape_adaptive_avg_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "adaptive_avg_pool2d";
    const xp_meta *x;
    XPS_TRY(xps_tensor_arg(args, 0, op, "self", &x));
    XPS_TRY(require_spatial_input(op, x));
    XPS_TRY(xps_require_float(op, "input", x->dtype));
    const xp_arg *os = &args[1];
    if (os->kind != XP_ARG_INT_LIST || (os->il.n != 1 && os->il.n != 2))
        return xps_fail(XP_ERR_INVALID_ARG, op, "output_size must be one or two integers");
    for (int i = x->ndim - 3; i < x->ndim; i++)
        if (x->shape[i] == 0) {
            char tx[XPS_TEXT];
            return xps_fail(
                XP_ERR_SHAPE, op,
                "expected input to have non-zero size for non-batch dimensions, but input has sizes %s with "
                "dimension %d being empty",
                xps_shape_text(ctx, x->ndim, x->shape, tx, sizeof tx), i);
        }
    xp_meta r = *x;
    for (int i = 0; i < 2; i++) {
        xp_dim o = os->il.v[os->il.n == 1 ? 0 : i];
        if (!xp_dim_is_valid(o) || (!xp_dim_is_sym(o) && o < 0) ||
            (xp_dim_is_sym(o) && xp_dim_le(ctx, 0, o) != XP_YES)) {
            if (xp_dim_is_sym(o)) xp_symctx_require(ctx, XP_REL_LE, 0, o);
            return xps_fail(XP_ERR_INVALID_ARG, op, "elements of output_size must be greater than or equal to 0");
        }
        r.shape[x->ndim - 2 + i] = o;
    }
    *out = r;
    return XP_OK;
}

/* ---- attention ---- */

/* scaled_dot_product_attention(q [..., L, E], k [..., S, E], v [..., S, Ev],
 * attn_mask? broadcastable to [..., L, S], is_causal, scale?) -> [..., L, Ev] */
xp_status xp_shape_sdpa(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const char *op = "scaled_dot_product_attention";
    const xp_meta *q, *k, *v, *mask;
    XPS_TRY(xps_tensor_arg(args, 0, op, "query", &q));
    XPS_TRY(xps_tensor_arg(args, 1, op, "key", &k));
    XPS_TRY(xps_tensor_arg(args, 2, op, "value", &v));
    XPS_TRY(xps_opt_tensor_arg(args, 3, op, "attn_mask", &mask));
    bool is_causal = args[4].kind == XP_ARG_BOOL && args[4].b;
    const xp_meta *all[3] = {q, k, v};
    const char *names[3] = {"query", "key", "value"};
    for (int i = 0; i < 3; i++)
        if (all[i]->ndim < 2)
            return xps_fail(XP_ERR_SHAPE, op, "expected %s to have at least 2 dims [..., seq, features], but it has %d",
                            names[i], all[i]->ndim);
    XPS_TRY(xps_require_float(op, "query", q->dtype));
    XPS_TRY(xps_require_same_dtype(op, "query", q->dtype, "key", k->dtype));
    XPS_TRY(xps_require_same_dtype(op, "query", q->dtype, "value", v->dtype));
    char wa[48], wb[48];
    if (!xps_same(ctx, q->shape[q->ndim - 1], k->shape[k->ndim - 1])) {
        snprintf(wa, sizeof wa, "query dim %d (E)", q->ndim - 1);
        snprintf(wb, sizeof wb, "key dim %d (E)", k->ndim - 1);
        return xps_require_eq(ctx, op, wa, q->shape[q->ndim - 1], wb, k->shape[k->ndim - 1]);
    }
    if (!xps_same(ctx, k->shape[k->ndim - 2], v->shape[v->ndim - 2])) {
        snprintf(wa, sizeof wa, "key dim %d (S)", k->ndim - 2);
        snprintf(wb, sizeof wb, "value dim %d (S)", v->ndim - 2);
        return xps_require_eq(ctx, op, wa, k->shape[k->ndim - 2], wb, v->shape[v->ndim - 2]);
    }
    xp_meta bq = {.ndim = q->ndim - 2}, bk = {.ndim = k->ndim - 2}, bv = {.ndim = v->ndim - 2}, qk = {0}, r = {0};
    for (int i = 0; i < bq.ndim; i++) bq.shape[i] = q->shape[i];
    for (int i = 0; i < bk.ndim; i++) bk.shape[i] = k->shape[i];
    for (int i = 0; i < bv.ndim; i++) bv.shape[i] = v->shape[i];
    XPS_TRY(xps_broadcast(ctx, op, "query", &bq, "key", &bk, &qk));
    XPS_TRY(xps_broadcast(ctx, op, "the batch dims of query and key", &qk, "value", &bv, &r));
    xp_dim L = q->shape[q->ndim - 2], S = k->shape[k->ndim - 2];
    if (mask) {
        if (is_causal)
            return xps_fail(XP_ERR_INVALID_ARG, op, "explicit attn_mask should not be set when is_causal=True");
        if (mask->dtype != XP_BOOL && mask->dtype != q->dtype)
            return xps_fail(XP_ERR_DTYPE, op,
                            "expected attn_mask dtype to be bool or to match query dtype (%s), but got %s",
                            xp_dtype_name(q->dtype), xp_dtype_name(mask->dtype));
        xp_meta scores = r;
        scores.shape[scores.ndim++] = L;
        scores.shape[scores.ndim++] = S;
        XPS_TRY(xps_broadcast_to(ctx, op, "attn_mask", mask, "the attention scores", &scores));
    }
    r.dtype = q->dtype;
    r.shape[r.ndim++] = L;
    r.shape[r.ndim++] = v->shape[v->ndim - 1];
    *out = r;
    return XP_OK;
}
