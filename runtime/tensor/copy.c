/*
 * Elementwise copy between strided views with dtype conversion and
 * broadcasting of the source: the engine behind copy_, reshape's copy
 * fallback, xp_tensor_dense and dtype casts.
 */
#include "tensor/xp_tensor_impl.h"

#include <string.h>

/* Element span [lo, hi) in elements of the view; false when it has no elements. */
static bool view_span(const xp_tensor *t, int64_t *lo, int64_t *hi) {
    int64_t a = t->offset, b = t->offset;
    for (int d = 0; d < t->meta.ndim; d++) {
        int64_t n = t->meta.shape[d];
        if (n == 0) return false;
        int64_t ext = (n - 1) * t->strides[d];
        if (ext < 0) a += ext;
        else b += ext;
    }
    *lo = a;
    *hi = b + 1;
    return true;
}

static bool views_overlap(const xp_tensor *dst, const xp_tensor *src) {
    if (dst->storage != src->storage) return false;
    int64_t dl, dh, sl, sh;
    if (!view_span(dst, &dl, &dh) || !view_span(src, &sl, &sh)) return false;
    size_t des = xp_dtype_size(dst->meta.dtype), ses = xp_dtype_size(src->meta.dtype);
    /* compare byte ranges: the two views may have different dtypes */
    int64_t dlb = dl * (int64_t)des, dhb = dh * (int64_t)des;
    int64_t slb = sl * (int64_t)ses, shb = sh * (int64_t)ses;
    return dlb < shb && slb < dhb;
}

/* Inner loops: n elements, steps in bytes. Same-dtype copies move bytes;
 * the common float pairs convert directly; everything else goes through
 * int64 (integer and bool sources: exact beyond 2^53) or double. */
typedef struct conv_ctx {
    xp_dtype ddt, sdt;
} conv_ctx;
typedef void (*conv_fn)(const conv_ctx *c, char *d, int64_t ds, const char *s, int64_t ss, int64_t n);

#define SAME_LOOP(name, T)                                                                             \
    static void name(const conv_ctx *c, char *d, int64_t ds, const char *s, int64_t ss, int64_t n) {  \
        (void)c;                                                                                       \
        for (int64_t i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, sizeof(T));                     \
    }
SAME_LOOP(same1, uint8_t)
SAME_LOOP(same2, uint16_t)
SAME_LOOP(same4, uint32_t)
SAME_LOOP(same8, uint64_t)

#define CONV_LOOP(name, ST, DT, EXPR)                                                                  \
    static void name(const conv_ctx *c, char *d, int64_t ds, const char *s, int64_t ss, int64_t n) {  \
        (void)c;                                                                                       \
        for (int64_t i = 0; i < n; i++) {                                                              \
            ST x;                                                                                      \
            memcpy(&x, s + i * ss, sizeof x);                                                          \
            DT y = EXPR;                                                                               \
            memcpy(d + i * ds, &y, sizeof y);                                                          \
        }                                                                                              \
    }
CONV_LOOP(f32_to_f16, float, uint16_t, xp_f32_to_f16(x))
CONV_LOOP(f16_to_f32, uint16_t, float, xp_f16_to_f32(x))
CONV_LOOP(f32_to_bf16, float, uint16_t, xp_f32_to_bf16(x))
CONV_LOOP(bf16_to_f32, uint16_t, float, xp_bf16_to_f32(x))
CONV_LOOP(f32_to_f64, float, double, (double)x)
CONV_LOOP(f64_to_f32, double, float, (float)x)

static void via_i64(const conv_ctx *c, char *d, int64_t ds, const char *s, int64_t ss, int64_t n) {
    for (int64_t i = 0; i < n; i++) xp_store_i64(c->ddt, d + i * ds, xp_load_i64(c->sdt, s + i * ss));
}

static void via_f64(const conv_ctx *c, char *d, int64_t ds, const char *s, int64_t ss, int64_t n) {
    for (int64_t i = 0; i < n; i++) xp_store_f64(c->ddt, d + i * ds, xp_load_f64(c->sdt, s + i * ss));
}

static conv_fn pick_conv(xp_dtype ddt, xp_dtype sdt) {
    if (ddt == sdt) {
        switch (xp_dtype_size(ddt)) {
        case 1: return same1;
        case 2: return same2;
        case 4: return same4;
        default: return same8;
        }
    }
    if (sdt == XP_F32 && ddt == XP_F16) return f32_to_f16;
    if (sdt == XP_F16 && ddt == XP_F32) return f16_to_f32;
    if (sdt == XP_F32 && ddt == XP_BF16) return f32_to_bf16;
    if (sdt == XP_BF16 && ddt == XP_F32) return bf16_to_f32;
    if (sdt == XP_F32 && ddt == XP_F64) return f32_to_f64;
    if (sdt == XP_F64 && ddt == XP_F32) return f64_to_f32;
    return xp_dtype_is_float(sdt) ? via_f64 : via_i64;
}

xp_status xp_tensor_copy_into(xp_tensor *dst, const xp_tensor *src) {
    if (!dst || !src) return xp_error(XP_ERR_INVALID_ARG, "copy: %s is NULL", dst ? "src" : "dst");
    if (!dst->storage || !src->storage) return xp_error(XP_ERR_INVALID_ARG, "copy: a tensor has no storage");
    if (dst->storage->device || src->storage->device)
        return xp_error(XP_ERR_UNSUPPORTED, "copy: host copy of a tensor in device memory");
    int nd = dst->meta.ndim, ns = src->meta.ndim;
    if (ns > nd)
        return xp_error(XP_ERR_SHAPE, "copy: src with %d dims cannot be broadcast to dst with %d dims", ns, nd);
    /* src strides in dst's index space; 0 where src is broadcast */
    int64_t sstr[XP_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        int sd = d - (nd - ns);
        if (sd < 0) {
            sstr[d] = 0;
            continue;
        }
        int64_t n = src->meta.shape[sd];
        if (n == dst->meta.shape[d]) sstr[d] = src->strides[sd];
        else if (n == 1) sstr[d] = 0;
        else
            return xp_error(XP_ERR_SHAPE, "copy: src size %lld at dim %d does not broadcast to dst size %lld",
                            (long long)n, sd, (long long)dst->meta.shape[d]);
    }
    int64_t numel = xp_shape_numel(nd, dst->meta.shape);
    if (numel == 0) return XP_OK;

    xp_dtype ddt = dst->meta.dtype, sdt = src->meta.dtype;
    size_t des = xp_dtype_size(ddt), ses = xp_dtype_size(sdt);

    if (views_overlap(dst, src)) {
        /* read all of src before writing any of dst */
        xp_tensor tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.meta = src->meta;
        xp_storage *s = xp_storage_new((size_t)xp_shape_numel(ns, src->meta.shape) * ses);
        if (!s) return xp_last_status();
        tmp.storage = s;
        xp_contiguous_strides(ns, tmp.meta.shape, tmp.strides);
        xp_status st = xp_tensor_copy_into(&tmp, src);
        if (st == XP_OK) st = xp_tensor_copy_into(dst, &tmp);
        xp_storage_release(s);
        return st;
    }

    bool same_shape = ns == nd;
    for (int d = 0; same_shape && d < nd; d++) same_shape = src->meta.shape[d] == dst->meta.shape[d];
    bool dense = same_shape && xp_is_contiguous(dst) && xp_is_contiguous(src);
    if (dense && ddt == sdt) {
        memcpy(xp_tensor_base_ptr(dst), xp_tensor_base_ptr(src), (size_t)numel * des);
        return XP_OK;
    }
    conv_fn conv = pick_conv(ddt, sdt);
    conv_ctx cc = {ddt, sdt};
    if (dense) {
        conv(&cc, xp_tensor_base_ptr(dst), (int64_t)des, xp_tensor_base_ptr(src), (int64_t)ses, numel);
        return XP_OK;
    }
    char *dbase = (char *)dst->storage->data;
    const char *sbase = (const char *)src->storage->data;
    int64_t idx[XP_MAX_DIMS] = {0};
    int64_t inner = nd > 0 ? dst->meta.shape[nd - 1] : 1;
    int64_t dstep = (nd > 0 ? dst->strides[nd - 1] : 0) * (int64_t)des;
    int64_t sstep = (nd > 0 ? sstr[nd - 1] : 0) * (int64_t)ses;
    int outer_nd = nd > 0 ? nd - 1 : 0;
    do {
        int64_t doff = dst->offset, soff = src->offset;
        for (int d = 0; d < outer_nd; d++) {
            doff += idx[d] * dst->strides[d];
            soff += idx[d] * sstr[d];
        }
        conv(&cc, dbase + doff * (int64_t)des, dstep, sbase + soff * (int64_t)ses, sstep, inner);
    } while (xp_index_next(outer_nd, dst->meta.shape, idx));
    return XP_OK;
}
