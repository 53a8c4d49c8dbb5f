/*
 * Shape functions of matrix products: mm, bmm, matmul (PyTorch's 1-D / 2-D
 * / batched rules), addmm and linear. Products do not promote dtypes: the
 * operands must agree, as in PyTorch.
 */
#include "ops/shape_util.h"

#include <inttypes.h>

/* Requires the contracted sizes to agree; a concrete mismatch also shows
 * both shapes, as PyTorch's "cannot be multiplied" message does. */
static xp_status inner_eq(xp_symctx *ctx, const char *op, const char *na, const xp_meta *a, int ia, const char *nb,
                          const xp_meta *b, int ib) {
    xp_dim x = a->shape[ia], y = b->shape[ib];
    if (xps_same(ctx, x, y)) return XP_OK;
    char wa[64], wb[64];
    snprintf(wa, sizeof wa, "%s dim %d", na, ia);
    snprintf(wb, sizeof wb, "%s dim %d", nb, ib);
    if (!xp_dim_is_sym(x) && !xp_dim_is_sym(y) && x != y) {
        char sa[XPS_TEXT], sb[XPS_TEXT];
        return xps_fail(XP_ERR_SHAPE, op,
                        "%s (%" PRId64 ") and %s (%" PRId64 ") must be equal: shapes %s and %s cannot be multiplied",
                        wa, (int64_t)x, wb, (int64_t)y, xps_shape_text(ctx, a->ndim, a->shape, sa, sizeof sa),
                        xps_shape_text(ctx, b->ndim, b->shape, sb, sizeof sb));
    }
    return xps_require_eq(ctx, op, wa, x, wb, y);
}

static xp_status require_rank(const char *op, const char *name, const xp_meta *m, int ndim, const char *what) {
    if (m->ndim == ndim) return XP_OK;
    return xps_fail(XP_ERR_SHAPE, op, "%s must be %s, but it has %d dims", name, what, m->ndim);
}

xp_status xp_shape_mm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, "mm", "self", &a));
    XPS_TRY(xps_tensor_arg(args, 1, "mm", "mat2", &b));
    XPS_TRY(require_rank("mm", "self", a, 2, "a matrix"));
    XPS_TRY(require_rank("mm", "mat2", b, 2, "a matrix"));
    XPS_TRY(xps_require_same_dtype("mm", "self", a->dtype, "mat2", b->dtype));
    XPS_TRY(inner_eq(ctx, "mm", "self", a, 1, "mat2", b, 0));
    xp_meta r = {.dtype = a->dtype, .ndim = 2, .shape = {a->shape[0], b->shape[1]}};
    *out = r;
    return XP_OK;
}

xp_status xp_shape_bmm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, "bmm", "self", &a));
    XPS_TRY(xps_tensor_arg(args, 1, "bmm", "mat2", &b));
    XPS_TRY(require_rank("bmm", "self", a, 3, "a 3-D tensor"));
    XPS_TRY(require_rank("bmm", "mat2", b, 3, "a 3-D tensor"));
    XPS_TRY(xps_require_same_dtype("bmm", "self", a->dtype, "mat2", b->dtype));
    XPS_TRY(xps_require_eq(ctx, "bmm", "self dim 0 (batch)", a->shape[0], "mat2 dim 0 (batch)", b->shape[0]));
    XPS_TRY(inner_eq(ctx, "bmm", "self", a, 2, "mat2", b, 1));
    xp_meta r = {.dtype = a->dtype, .ndim = 3, .shape = {a->shape[0], a->shape[1], b->shape[2]}};
    *out = r;
    return XP_OK;
}

/* matmul: 1-D x 1-D is a dot product (0-d); a 1-D left operand is a row
 * [1, k] and a 1-D right operand a column [k, 1], the added dim removed
 * from the result; leading (batch) dims broadcast. */
xp_status xp_shape_matmul(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, "matmul", "self", &a));
    XPS_TRY(xps_tensor_arg(args, 1, "matmul", "other", &b));
    if (a->ndim == 0 || b->ndim == 0)
        return xps_fail(XP_ERR_SHAPE, "matmul",
                        "both arguments to matmul need to be at least 1D, but they are %dD and %dD", a->ndim, b->ndim);
    XPS_TRY(xps_require_same_dtype("matmul", "self", a->dtype, "other", b->dtype));
    int da = a->ndim, db = b->ndim;
    XPS_TRY(inner_eq(ctx, "matmul", "self", a, da - 1, "other", b, db >= 2 ? db - 2 : 0));
    xp_meta ba = {.ndim = da >= 2 ? da - 2 : 0}, bb = {.ndim = db >= 2 ? db - 2 : 0}, r = {0};
    for (int i = 0; i < ba.ndim; i++) ba.shape[i] = a->shape[i];
    for (int i = 0; i < bb.ndim; i++) bb.shape[i] = b->shape[i];
    XPS_TRY(xps_broadcast(ctx, "matmul", "self", &ba, "other", &bb, &r));
    if (da >= 2) r.shape[r.ndim++] = a->shape[da - 2];
    if (db >= 2) r.shape[r.ndim++] = b->shape[db - 1];
    r.dtype = a->dtype;
    *out = r;
    return XP_OK;
}

/* addmm(self, mat1, mat2, *, beta, alpha) = beta*self + alpha*(mat1 @ mat2) */
xp_status xp_shape_addmm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *self, *a, *b;
    XPS_TRY(xps_tensor_arg(args, 0, "addmm", "self", &self));
    XPS_TRY(xps_tensor_arg(args, 1, "addmm", "mat1", &a));
    XPS_TRY(xps_tensor_arg(args, 2, "addmm", "mat2", &b));
    XPS_TRY(require_rank("addmm", "mat1", a, 2, "a matrix"));
    XPS_TRY(require_rank("addmm", "mat2", b, 2, "a matrix"));
    XPS_TRY(xps_require_same_dtype("addmm", "mat1", a->dtype, "mat2", b->dtype));
    XPS_TRY(xps_require_same_dtype("addmm", "self", self->dtype, "mat1", a->dtype));
    XPS_TRY(inner_eq(ctx, "addmm", "mat1", a, 1, "mat2", b, 0));
    xp_meta r = {.dtype = a->dtype, .ndim = 2, .shape = {a->shape[0], b->shape[1]}};
    XPS_TRY(xps_broadcast_to(ctx, "addmm", "self", self, "the product", &r));
    *out = r;
    return XP_OK;
}

/* linear(input [..., in], weight [out, in], bias [out]?) -> [..., out] */
xp_status xp_shape_linear(xp_symctx *ctx, const xp_arg *args, xp_meta *out) {
    const xp_meta *x, *w, *bias;
    XPS_TRY(xps_tensor_arg(args, 0, "linear", "input", &x));
    XPS_TRY(xps_tensor_arg(args, 1, "linear", "weight", &w));
    XPS_TRY(xps_opt_tensor_arg(args, 2, "linear", "bias", &bias));
    if (x->ndim == 0) return xps_fail(XP_ERR_SHAPE, "linear", "input must have at least 1 dim, but it is 0-d");
    XPS_TRY(require_rank("linear", "weight", w, 2, "2-D [out_features, in_features]"));
    XPS_TRY(xps_require_same_dtype("linear", "input", x->dtype, "weight", w->dtype));
    XPS_TRY(inner_eq(ctx, "linear", "input", x, x->ndim - 1, "weight", w, 1));
    if (bias) {
        XPS_TRY(require_rank("linear", "bias", bias, 1, "1-D [out_features]"));
        XPS_TRY(xps_require_same_dtype("linear", "bias", bias->dtype, "weight", w->dtype));
        XPS_TRY(
            xps_require_eq(ctx, "linear", "bias dim 0", bias->shape[0], "weight dim 0 (out_features)", w->shape[0]));
    }
    xp_meta r = *x;
    r.shape[r.ndim - 1] = w->shape[0];
    *out = r;
    return XP_OK;
}
