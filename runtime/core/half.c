/*
 * IEEE binary16 and bfloat16 <-> binary32, bit-exact, round-to-nearest-even.
 *
 * Done on integer bits (no dependence on the FPU's rounding mode or on
 * F16C). NaN handling mirrors c10: f32 -> f16 gives the quiet NaN 0x7e00
 * with the input's sign, f32 -> bf16 gives 0x7fc0; the widening direction
 * keeps the payload.
 */
#include "core/xp_core.h"

#include <string.h>

static inline uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float xp_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) return bits_f32(sign | 0x7f800000u | (mant << 13)); /* inf, NaN */
    if (exp != 0) return bits_f32(sign | ((exp + 112u) << 23) | (mant << 13));
    if (mant == 0) return bits_f32(sign); /* signed zero */
    /* subnormal: mant * 2^-24; renormalize so the leading 1 is implicit */
    int e = 113; /* biased f32 exponent of 2^-14 */
    while (!(mant & 0x400u)) {
        mant <<= 1;
        e--;
    }
    mant &= 0x3ffu;
    return bits_f32(sign | ((uint32_t)e << 23) | (mant << 13));
}

uint16_t xp_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return sign | 0x7e00u; /* NaN */
    /* 65520 = 0x477ff000 is the halfway point between 65504 (max half) and
     * 65536; it and everything above round to infinity. */
    if (a >= 0x477ff000u) return sign | 0x7c00u;
    if (a >= 0x38800000u) {
        /* normal half: rebias the exponent (127 - 15 = 112), round the 13
         * dropped bits; a carry out of the mantissa bumps the exponent */
        uint32_t h = (a - 0x38000000u) >> 13;
        uint32_t rem = a & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
        return (uint16_t)(sign | h);
    }
    /* below 2^-14: subnormal half in units of 2^-24 (or zero) */
    uint32_t e = a >> 23;
    if (e < 102) return sign; /* below 2^-25: rounds to zero */
    uint32_t m = (a & 0x7fffffu) | 0x800000u; /* value = m * 2^(e - 150) */
    uint32_t shift = 126 - e;                 /* 14..24 */
    uint32_t q = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return (uint16_t)(sign | q); /* q == 0x400 is the smallest normal: still right */
}

float xp_bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

uint16_t xp_f32_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0u; /* NaN */
    uint32_t bias = 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)((x + bias) >> 16); /* overflow rounds into inf correctly */
}
