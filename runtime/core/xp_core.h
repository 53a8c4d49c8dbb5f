/*
 * Internal core helpers shared by every part of libxport: error reporting,
 * dtype facts and conversions, checked arithmetic, allocation.
 */
#ifndef XP_CORE_H
#define XP_CORE_H

#include "xport.h"

#include <stdarg.h>
#include <stdint.h>

#if defined(__GNUC__)
#define XP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define XP_UNUSED __attribute__((unused))
#else
#define XP_PRINTF(fmt, args)
#define XP_UNUSED
#endif

/* ---- errors (runtime/core/error.c) ---- */

/* Records `st` with a formatted message for xp_last_error(); returns st so
 * callers can write `return xp_error(XP_ERR_SHAPE, "...", ...)`. */
xp_status xp_error(xp_status st, const char *fmt, ...) XP_PRINTF(2, 3);
xp_status xp_verror(xp_status st, const char *fmt, va_list ap);
/* Prepends context to the current message: "loading w.safetensors: <old>". */
xp_status xp_error_prefix(const char *fmt, ...) XP_PRINTF(1, 2);
/* True when an error has been recorded and not cleared. */
bool xp_error_pending(void);

/* A broken invariant inside xport: prints the message and aborts. Never for
 * bad user input. */
#define XP_BUG(...) xp_bug_(__FILE__, __LINE__, __VA_ARGS__)
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void xp_bug_(const char *file, int line, const char *fmt, ...) XP_PRINTF(3, 4);

/* ---- allocation (runtime/core/alloc.c) ---- */

/* malloc/calloc/realloc that record XP_ERR_OOM on failure. */
void *xp_malloc(size_t n);
void *xp_calloc(size_t n, size_t size);
void *xp_realloc(void *p, size_t n);
char *xp_strdup(const char *s);
/* 64-byte aligned, for tensor storage; free with xp_aligned_free. */
void *xp_aligned_alloc(size_t n);
void xp_aligned_free(void *p);

/* Checked int64 arithmetic: returns true and writes *out when the result
 * fits, false on overflow (the opposite sense of __builtin_mul_overflow). */
bool xp_i64_mul_checked(int64_t a, int64_t b, int64_t *out);
bool xp_i64_add_checked(int64_t a, int64_t b, int64_t *out);

/* ---- dtypes (runtime/core/dtype.c) ---- */

bool xp_dtype_is_float(xp_dtype dt); /* f32 f64 f16 bf16 */
bool xp_dtype_is_int(xp_dtype dt);   /* i64 i32 i8 u8 (not bool) */
/* PyTorch's promotion between two tensor dtypes (bool < ints < floats;
 * f16 with bf16 gives f32; u8 with i8 gives i16 in torch, here i32). */
xp_dtype xp_dtype_promote(xp_dtype a, xp_dtype b);
/* Promotion of a tensor dtype with a Python-style scalar: a float scalar
 * lifts bool/int tensors to f32 and leaves float tensors as they are; an
 * integral scalar leaves the tensor dtype unchanged (bool becomes i64). */
xp_dtype xp_dtype_promote_scalar(xp_dtype t, bool scalar_is_float);
/* Safetensors' names ("F32", "BF16", "I64", "BOOL", ...). */
const char *xp_dtype_safetensors_name(xp_dtype dt);
bool xp_dtype_from_safetensors_name(const char *name, xp_dtype *out);

/* Element conversion through double (exact for every supported dtype but
 * i64 beyond 2^53, which conversion helpers handle separately). */
double xp_load_f64(xp_dtype dt, const void *p);
void xp_store_f64(xp_dtype dt, void *p, double v);
int64_t xp_load_i64(xp_dtype dt, const void *p);
void xp_store_i64(xp_dtype dt, void *p, int64_t v);

/* IEEE half and bfloat16 conversions, round-to-nearest-even. */
float xp_f16_to_f32(uint16_t h);
uint16_t xp_f32_to_f16(float f);
float xp_bf16_to_f32(uint16_t h);
uint16_t xp_f32_to_bf16(float f);

#endif /* XP_CORE_H */
