/*
 * Helpers shared by the shape functions: messages, argument checks,
 * provable relations between sizes, broadcasting, dtype rules.
 */
#include "ops/shape_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

xp_status xps_fail(xp_status st, const char *op, const char *fmt, ...) {
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (op) return xp_error(st, "%s: %s", op, body);
    return xp_error(st, "%s", body);
}

/* ---- text ---- */

const char *xps_dim_text(const xp_symctx *ctx, xp_dim d, char *buf, size_t n) {
    xp_dim_format(ctx, d, buf, n);
    return buf;
}

static void put_bound(char *buf, size_t n, int64_t v) {
    if (v == INT64_MAX || v >= XP_SYM_MAX_DEFAULT)
        snprintf(buf, n, "inf");
    else if (v == INT64_MIN || v <= -XP_SYM_MAX_DEFAULT)
        snprintf(buf, n, "-inf");
    else
        snprintf(buf, n, "%" PRId64, v);
}

const char *xps_dim_desc(const xp_symctx *ctx, xp_dim d, char *buf, size_t n) {
    xp_dim_format(ctx, d, buf, n);
    if (!xp_dim_is_sym(d)) return buf;
    int64_t lo, hi;
    char los[24], his[24];
    xp_dim_range(ctx, d, &lo, &hi);
    put_bound(los, sizeof los, lo);
    put_bound(his, sizeof his, hi);
    size_t len = strlen(buf);
    if (len < n) snprintf(buf + len, n - len, " in [%s, %s]", los, his);
    return buf;
}

const char *xps_shape_text(const xp_symctx *ctx, int ndim, const xp_dim *shape, char *buf, size_t n) {
    size_t len = 0;
    if (n == 0) return buf;
    buf[0] = '\0';
    len += (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && len < n; i++) {
        if (i) len += (size_t)snprintf(buf + len, n - len, ", ");
        if (len < n) len += (size_t)xp_dim_format(ctx, shape[i], buf + len, n - len);
    }
    if (len < n) snprintf(buf + len, n - len, "]");
    return buf;
}

const char *xps_torch_dtype_name(xp_dtype dt) {
    switch (dt) {
    case XP_F32:
        return "Float";
    case XP_F64:
        return "Double";
    case XP_F16:
        return "Half";
    case XP_BF16:
        return "BFloat16";
    case XP_I64:
        return "Long";
    case XP_I32:
        return "Int";
    case XP_I8:
        return "Char";
    case XP_U8:
        return "Byte";
    case XP_BOOL:
        return "Bool";
    default:
        return "Unknown";
    }
}

/* ---- arguments ---- */

xp_status xps_dim_index(const char *op, xp_dim dim, int ndim, int *out) {
    if (xp_dim_is_sym(dim) || !xp_dim_is_valid(dim))
        return xps_fail(XP_ERR_INVALID_ARG, op, "dim must be a constant integer, not a symbolic size");
    int64_t n = ndim > 0 ? ndim : 1; /* PyTorch wraps a scalar's dims as if it had one */
    if (dim < -n || dim >= n)
        return xps_fail(XP_ERR_INVALID_ARG, op,
                        "dimension out of range (expected to be in range of [%" PRId64 ", %" PRId64
                        "], but got %" PRId64 ")",
                        -n, n - 1, (int64_t)dim);
    *out = (int)(dim < 0 ? dim + n : dim);
    return XP_OK;
}

xp_status xps_const_int(const char *op, const char *name, xp_dim v, int64_t *out) {
    if (xp_dim_is_sym(v) || !xp_dim_is_valid(v))
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument '%s' must be a constant integer, not a symbolic size", name);
    *out = v;
    return XP_OK;
}

xp_status xps_int_pair(const char *op, const char *name, const xp_arg *a, int64_t dflt, int64_t out[2]) {
    if (a->kind == XP_ARG_NONE || (a->kind == XP_ARG_INT_LIST && a->il.n == 0)) {
        out[0] = out[1] = dflt;
        return XP_OK;
    }
    if (a->kind == XP_ARG_INT) {
        xp_status st = xps_const_int(op, name, a->i, &out[0]);
        out[1] = out[0];
        return st;
    }
    if (a->kind != XP_ARG_INT_LIST || a->il.n > 2)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument '%s' must be one or two integers", name);
    for (int i = 0; i < 2; i++) {
        xp_status st = xps_const_int(op, name, a->il.v[a->il.n == 1 ? 0 : i], &out[i]);
        if (st != XP_OK) return st;
    }
    return XP_OK;
}

xp_status xps_tensor_arg(const xp_arg *args, int i, const char *op, const char *name, const xp_meta **out) {
    if (args[i].kind != XP_ARG_TENSOR || !args[i].t)
        return xps_fail(XP_ERR_INVALID_ARG, op, "argument '%s' must be a tensor", name);
    *out = args[i].t;
    return XP_OK;
}

xp_status xps_opt_tensor_arg(const xp_arg *args, int i, const char *op, const char *name, const xp_meta **out) {
    if (args[i].kind == XP_ARG_NONE) {
        *out = NULL;
        return XP_OK;
    }
    return xps_tensor_arg(args, i, op, name, out);
}

/* ---- relations ---- */

bool xps_is_one(const xp_symctx *ctx, xp_dim d) { return d == 1 || xp_dim_eq(ctx, d, 1) == XP_YES; }

bool xps_same(const xp_symctx *ctx, xp_dim a, xp_dim b) { return a == b || xp_dim_eq(ctx, a, b) == XP_YES; }

/* What to declare so that a == b becomes provable. */
static const char *equality_hint(const xp_symctx *ctx, xp_dim a, xp_dim b) {
    bool sa = xp_dim_as_symbol(ctx, a) >= 0, sb = xp_dim_as_symbol(ctx, b) >= 0;
    if (sa && sb) return "declare them with one dim name";
    if ((sa && !xp_dim_is_sym(b)) || (sb && !xp_dim_is_sym(a))) return "make that dim static or give it min=max";
    return "declare dims whose ranges make them provably equal";
}

/* "k in [1, 64] and n in [1, 64] are not provably equal" / "... are never equal" */
static void inequality_reason(const xp_symctx *ctx, xp_dim a, xp_dim b, char *buf, size_t n) {
    char da[XPS_TEXT], db[XPS_TEXT];
    xps_dim_desc(ctx, a, da, sizeof da);
    xps_dim_desc(ctx, b, db, sizeof db);
    bool never = xp_dim_eq(ctx, a, b) == XP_NO;
    snprintf(buf, n, "%s and %s are %s", da, db, never ? "never equal" : "not provably equal");
}

xp_status xps_require_eq(xp_symctx *ctx, const char *op, const char *what_a, xp_dim a, const char *what_b, xp_dim b) {
    if (xps_same(ctx, a, b)) return XP_OK;
    xp_symctx_require(ctx, XP_REL_EQ, a, b);
    char ta[XPS_TEXT], tb[XPS_TEXT];
    xps_dim_text(ctx, a, ta, sizeof ta);
    xps_dim_text(ctx, b, tb, sizeof tb);
    if (!xp_dim_is_sym(a) && !xp_dim_is_sym(b))
        return xps_fail(XP_ERR_SHAPE, op, "%s (%s) and %s (%s) must be equal", what_a, ta, what_b, tb);
    char why[2 * XPS_TEXT + 64];
    inequality_reason(ctx, a, b, why, sizeof why);
    if (xp_dim_eq(ctx, a, b) == XP_NO)
        return xps_fail(XP_ERR_SHAPE, op, "%s (%s) and %s (%s) must be equal, but %s", what_a, ta, what_b, tb, why);
    return xps_fail(XP_ERR_SHAPE, op, "%s (%s) and %s (%s) must be equal, but %s; %s", what_a, ta, what_b, tb, why,
                    equality_hint(ctx, a, b));
}

/* The declaration that makes `lo <= d` provable, when one bound on one
 * symbol does (the same fix the plugin suggests as a fix-it). */
static bool bound_hint(const xp_symctx *ctx, xp_dim lo, xp_dim d, char *buf, size_t n) {
    xp_requirement req = {.rel = XP_REL_LE, .lhs = lo, .rhs = d};
    xp_sym_fix fix;
    if (xp_sym_suggest_fix(ctx, &req, &fix) != XP_OK) return false;
    const char *name = xp_sym_name(ctx, fix.sym);
    switch (fix.kind) {
    case XP_FIX_MIN: snprintf(buf, n, "declare %s with min=%" PRId64, name, fix.value); return true;
    case XP_FIX_MAX: snprintf(buf, n, "declare %s with max=%" PRId64, name, fix.value); return true;
    case XP_FIX_CONST: snprintf(buf, n, "declare %s with min=max=%" PRId64, name, fix.value); return true;
    default: return false;
    }
}

xp_status xps_require_le(xp_symctx *ctx, const char *op, xp_dim lo, const char *what, xp_dim d, const char *why) {
    xp_tri le = xp_dim_le(ctx, lo, d);
    if (le == XP_YES) return XP_OK;
    xp_symctx_require(ctx, XP_REL_LE, lo, d);
    char dd[XPS_TEXT], dl[XPS_TEXT], tl[XPS_TEXT], td[XPS_TEXT], hint[2 * XPS_TEXT + 64];
    xps_dim_desc(ctx, d, dd, sizeof dd);
    xps_dim_desc(ctx, lo, dl, sizeof dl);
    xps_dim_text(ctx, lo, tl, sizeof tl);
    xps_dim_text(ctx, d, td, sizeof td);
    const char *open = why && *why ? " (" : "", *close = why && *why ? ")" : "";
    if (le == XP_NO)
        return xps_fail(XP_ERR_SHAPE, op, "%s is %s, but it must be at least %s%s%s%s", what, dd, dl, open,
                        why ? why : "", close);
    if (!bound_hint(ctx, lo, d, hint, sizeof hint)) snprintf(hint, sizeof hint, "it needs %s <= %s", tl, td);
    return xps_fail(XP_ERR_SHAPE, op, "%s (%s) is not provably at least %s%s%s%s; %s", what, dd, dl, open,
                    why ? why : "", close, hint);
}

xp_dim xps_numel(xp_symctx *ctx, int ndim, const xp_dim *shape) {
    xp_dim n = 1;
    for (int i = 0; i < ndim && xp_dim_is_valid(n); i++) n = xp_dim_mul(ctx, n, shape[i]);
    return n;
}

/* ---- broadcasting ---- */

static bool broadcast_dim(const xp_symctx *ctx, xp_dim x, xp_dim y, xp_dim *out) {
    if (x == y || xps_is_one(ctx, y)) {
        *out = x;
        return true;
    }
    if (xps_is_one(ctx, x)) {
        *out = y;
        return true;
    }
    if (xp_dim_eq(ctx, x, y) == XP_YES) {
        *out = xp_dim_is_sym(x) ? y : x; /* keep the static size when one is */
        return true;
    }
    return false;
}

static xp_status broadcast_error(xp_symctx *ctx, const char *op, const char *na, int da, xp_dim x, const char *nb,
                                 int db, xp_dim y, int out_dim) {
    xp_symctx_require(ctx, XP_REL_EQ, x, y);
    if (!xp_dim_is_sym(x) && !xp_dim_is_sym(y))
        return xps_fail(XP_ERR_SHAPE, op,
                        "the size of %s (%" PRId64 ") must match the size of %s (%" PRId64
                        ") at non-singleton dimension %d",
                        na, (int64_t)x, nb, (int64_t)y, out_dim);
    char tx[XPS_TEXT], ty[XPS_TEXT], why[2 * XPS_TEXT + 64];
    xps_dim_text(ctx, x, tx, sizeof tx);
    xps_dim_text(ctx, y, ty, sizeof ty);
    inequality_reason(ctx, x, y, why, sizeof why);
    return xps_fail(XP_ERR_SHAPE, op,
                    "cannot broadcast %s dim %d (%s) with %s dim %d (%s): %s, and xport does not specialize a dim "
                    "to 1 to broadcast; %s",
                    na, da, tx, nb, db, ty, why, equality_hint(ctx, x, y));
}

xp_status xps_broadcast(xp_symctx *ctx, const char *op, const char *name_a, const xp_meta *a, const char *name_b,
                        const xp_meta *b, xp_meta *out) {
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    xp_dim shape[XP_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
        xp_dim x = ia >= 0 ? a->shape[ia] : 1, y = ib >= 0 ? b->shape[ib] : 1;
        if (!broadcast_dim(ctx, x, y, &shape[i])) return broadcast_error(ctx, op, name_a, ia, x, name_b, ib, y, i);
    }
    xps_set_shape(out, nd, shape);
    return XP_OK;
}

xp_status xps_broadcast_to(xp_symctx *ctx, const char *op, const char *src_name, const xp_meta *src,
                           const char *dst_name, const xp_meta *dst) {
    char ts[XPS_TEXT], td[XPS_TEXT];
    if (src->ndim > dst->ndim)
        return xps_fail(XP_ERR_SHAPE, op, "%s of shape %s cannot be broadcast to %s of shape %s", src_name,
                        xps_shape_text(ctx, src->ndim, src->shape, ts, sizeof ts), dst_name,
                        xps_shape_text(ctx, dst->ndim, dst->shape, td, sizeof td));
    int off = dst->ndim - src->ndim;
    for (int i = 0; i < src->ndim; i++) {
        xp_dim x = src->shape[i], y = dst->shape[i + off];
        if (xps_same(ctx, x, y) || xps_is_one(ctx, x)) continue;
        xp_symctx_require(ctx, XP_REL_EQ, x, y);
        if (!xp_dim_is_sym(x) && !xp_dim_is_sym(y))
            return xps_fail(XP_ERR_SHAPE, op,
                            "%s of shape %s cannot be broadcast to %s of shape %s: dim %d is %" PRId64
                            " but must be %" PRId64 " or 1",
                            src_name, xps_shape_text(ctx, src->ndim, src->shape, ts, sizeof ts), dst_name,
                            xps_shape_text(ctx, dst->ndim, dst->shape, td, sizeof td), i, (int64_t)x, (int64_t)y);
        char why[2 * XPS_TEXT + 64];
        inequality_reason(ctx, x, y, why, sizeof why);
        return xps_fail(
            XP_ERR_SHAPE, op,
            "cannot broadcast %s dim %d (%s) to %s dim %d (%s): %s, and xport does not specialize a dim to 1 "
            "to broadcast; %s",
            src_name, i, xps_dim_text(ctx, x, ts, sizeof ts), dst_name, i + off, xps_dim_text(ctx, y, td, sizeof td),
            why, equality_hint(ctx, x, y));
    }
    return XP_OK;
}

/* ---- dtypes ---- */

xp_dtype xps_float_of(xp_dtype dt) { return xp_dtype_is_float(dt) ? dt : XP_F32; }

bool xps_can_cast(xp_dtype from, xp_dtype to) {
    if (xp_dtype_is_float(from) && !xp_dtype_is_float(to)) return false;
    if (from != XP_BOOL && to == XP_BOOL) return false;
    return true;
}

xp_status xps_require_float(const char *op, const char *name, xp_dtype dt) {
    if (xp_dtype_is_float(dt)) return XP_OK;
    return xps_fail(XP_ERR_DTYPE, op, "expected %s to have a floating-point dtype, but got %s", name,
                    xp_dtype_name(dt));
}

xp_status xps_require_same_dtype(const char *op, const char *name_a, xp_dtype a, const char *name_b, xp_dtype b) {
    if (a == b) return XP_OK;
    return xps_fail(XP_ERR_DTYPE, op, "expected %s and %s to have the same dtype, but got %s != %s", name_a, name_b,
                    xp_dtype_name(a), xp_dtype_name(b));
}

/* ---- output ---- */

void xps_set_shape(xp_meta *out, int ndim, const xp_dim *shape) {
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) out->shape[i] = shape[i];
}

xp_status xps_check_rank(const char *op, int ndim) {
    if (ndim <= XP_MAX_DIMS) return XP_OK;
    return xps_fail(XP_ERR_UNSUPPORTED, op, "the result would have %d dims; at most %d are supported", ndim,
                    XP_MAX_DIMS);
}
