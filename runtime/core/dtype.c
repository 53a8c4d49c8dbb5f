/*
 * Dtype facts (names, sizes), PyTorch's type promotion, and element
 * conversion through double / int64.
 */
#include "core/xp_core.h"

#include <math.h>
#include <string.h>

typedef struct dtype_info {
    const char *name;
    const char *st_name; /* safetensors */
    size_t size;
} dtype_info;

static const dtype_info infos[XP_DTYPE_COUNT] = {
    [XP_F32] = {"f32", "F32", 4},  [XP_F64] = {"f64", "F64", 8}, [XP_F16] = {"f16", "F16", 2},
    [XP_BF16] = {"bf16", "BF16", 2}, [XP_I64] = {"i64", "I64", 8}, [XP_I32] = {"i32", "I32", 4},
    [XP_I8] = {"i8", "I8", 1},     [XP_U8] = {"u8", "U8", 1},    [XP_BOOL] = {"bool", "BOOL", 1},
};

static bool valid(xp_dtype dt) { return (unsigned)dt < (unsigned)XP_DTYPE_COUNT; }

const char *xp_dtype_name(xp_dtype dt) { return valid(dt) ? infos[dt].name : "invalid dtype"; }

bool xp_dtype_from_name(const char *name, xp_dtype *out) {
    if (!name) return false;
    for (int i = 0; i < XP_DTYPE_COUNT; i++)
        if (strcmp(name, infos[i].name) == 0) {
            if (out) *out = (xp_dtype)i;
            return true;
        }
    return false;
}

size_t xp_dtype_size(xp_dtype dt) { return valid(dt) ? infos[dt].size : 0; }

const char *xp_dtype_safetensors_name(xp_dtype dt) { return valid(dt) ? infos[dt].st_name : "INVALID"; }

bool xp_dtype_from_safetensors_name(const char *name, xp_dtype *out) {
    if (!name) return false;
    for (int i = 0; i < XP_DTYPE_COUNT; i++)
        if (strcmp(name, infos[i].st_name) == 0) {
            if (out) *out = (xp_dtype)i;
            return true;
        }
    return false;
}

bool xp_dtype_is_float(xp_dtype dt) { return dt == XP_F32 || dt == XP_F64 || dt == XP_F16 || dt == XP_BF16; }

bool xp_dtype_is_int(xp_dtype dt) { return dt == XP_I64 || dt == XP_I32 || dt == XP_I8 || dt == XP_U8; }

/* Rank within a category; promotion takes the higher rank, except the two
 * pairs PyTorch lifts to a third type (u8+i8, f16+bf16). */
static int int_rank(xp_dtype dt) {
    switch (dt) {
    case XP_U8: return 1; /* u8 and i8 share a rank: handled below */
    case XP_I8: return 1;
    case XP_I32: return 3;
    case XP_I64: return 4;
    default: return 0;
    }
}

static int float_rank(xp_dtype dt) {
    switch (dt) {
    case XP_F16: return 1;
    case XP_BF16: return 1; /* f16 and bf16 share a rank: handled below */
    case XP_F32: return 2;
    case XP_F64: return 3;
    default: return 0;
    }
}

xp_dtype xp_dtype_promote(xp_dtype a, xp_dtype b) {
    if (a == b) return a;
    if (a == XP_BOOL) return b;
    if (b == XP_BOOL) return a;
    bool fa = xp_dtype_is_float(a), fb = xp_dtype_is_float(b);
    if (fa && !fb) return a; /* int with float: the float type */
    if (fb && !fa) return b;
    if (fa) {
        int ra = float_rank(a), rb = float_rank(b);
        if (ra == rb) return XP_F32; /* f16 with bf16: torch gives f32 */
        return ra > rb ? a : b;
    }
    int ra = int_rank(a), rb = int_rank(b);
    /* u8 with i8: torch gives i16, which xport has no dtype for; i32 is the
     * narrowest supported type that holds both ranges exactly. */
    if (ra == rb) return XP_I32;
    return ra > rb ? a : b;
}

xp_dtype xp_dtype_promote_scalar(xp_dtype t, bool scalar_is_float) {
    if (scalar_is_float) return xp_dtype_is_float(t) ? t : XP_F32; /* torch's default dtype */
    return t == XP_BOOL ? XP_I64 : t;
}

/* ---- element conversion ---- */

/* float -> int64 without UB: NaN gives 0, out of range saturates (PyTorch
 * leaves both undefined; saturating is the deterministic choice). */
static int64_t f64_to_i64(double v) {
    if (isnan(v)) return 0;
    if (v >= 9223372036854775808.0) return INT64_MAX;
    if (v < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v; /* truncates toward zero, like a C cast in torch */
}

double xp_load_f64(xp_dtype dt, const void *p) {
    switch (dt) {
    case XP_F32: { float v; memcpy(&v, p, 4); return v; }
    case XP_F64: { double v; memcpy(&v, p, 8); return v; }
    case XP_F16: { uint16_t v; memcpy(&v, p, 2); return xp_f16_to_f32(v); }
    case XP_BF16: { uint16_t v; memcpy(&v, p, 2); return xp_bf16_to_f32(v); }
    case XP_I64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case XP_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case XP_I8: return *(const int8_t *)p;
    case XP_U8: return *(const uint8_t *)p;
    case XP_BOOL: return *(const uint8_t *)p ? 1.0 : 0.0;
    default: return 0.0;
    }
}

/* Narrow integer stores wrap modulo 2^bits after converting to int64, which
 * is what PyTorch's casts produce on every platform it supports
 * (e.g. 300.0 -> u8 gives 44, -1.0 -> u8 gives 255). */
void xp_store_f64(xp_dtype dt, void *p, double v) {
    switch (dt) {
    case XP_F32: { float f = (float)v; memcpy(p, &f, 4); return; }
    case XP_F64: memcpy(p, &v, 8); return;
    case XP_F16: { uint16_t h = xp_f32_to_f16((float)v); memcpy(p, &h, 2); return; }
    case XP_BF16: { uint16_t h = xp_f32_to_bf16((float)v); memcpy(p, &h, 2); return; }
    case XP_BOOL: *(uint8_t *)p = v != 0.0; return; /* NaN is true, as bool(nan) */
    default: xp_store_i64(dt, p, f64_to_i64(v)); return;
    }
}

int64_t xp_load_i64(xp_dtype dt, const void *p) {
    switch (dt) {
    case XP_I64: { int64_t v; memcpy(&v, p, 8); return v; }
    case XP_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case XP_I8: return *(const int8_t *)p;
    case XP_U8: return *(const uint8_t *)p;
    case XP_BOOL: return *(const uint8_t *)p ? 1 : 0;
    default: return f64_to_i64(xp_load_f64(dt, p));
    }
}

void xp_store_i64(xp_dtype dt, void *p, int64_t v) {
    switch (dt) {
    case XP_I64: memcpy(p, &v, 8); return;
    case XP_I32: { int32_t w = (int32_t)(uint32_t)(uint64_t)v; memcpy(p, &w, 4); return; }
    case XP_I8: *(int8_t *)p = (int8_t)(uint8_t)(uint64_t)v; return;
    case XP_U8: *(uint8_t *)p = (uint8_t)(uint64_t)v; return;
    case XP_BOOL: *(uint8_t *)p = v != 0; return;
    case XP_F32: { float f = (float)v; memcpy(p, &f, 4); return; } /* one rounding */
    case XP_F64: { double d = (double)v; memcpy(p, &d, 8); return; }
    case XP_F16: { uint16_t h = xp_f32_to_f16((float)v); memcpy(p, &h, 2); return; }
    case XP_BF16: { uint16_t h = xp_f32_to_bf16((float)v); memcpy(p, &h, 2); return; }
    default: return;
    }
}
