/*
 * Casts, copies and constructors: to, clone (also contiguous), copy (the
 * functional copy_), copy_, full, zeros (also empty), ones, zeros_like (also
 * empty_like) and arange.
 *
 * Conversions follow xp_cpu_convert: floats round to nearest even, to bool
 * is `!= 0` (NaN is true), float to integer truncates toward zero with NaN
 * giving 0 and out-of-range values saturating at the i64 limits before
 * narrower integer dtypes wrap (300.0 -> u8 is 44, -1.0 -> u8 is 255, as in
 * PyTorch). Constructors write every element, so a result buffer reused by a
 * memory plan is fully overwritten (empty gives zeros, not garbage).
 */
#include "cpu/cpu_util.h"

/* ---- filling -------------------------------------------------------------- */

typedef struct fill_job {
    char *dst;
    size_t es;
    unsigned char value[8];
    bool zero;
} fill_job;

#define FILL_LOOP(T)                                                  \
    do {                                                              \
        T v;                                                          \
        memcpy(&v, j->value, sizeof v);                               \
        T *d = (T *)(void *)(j->dst + lo * (int64_t)sizeof(T));       \
        _Pragma("omp simd") for (int64_t i = 0; i < hi - lo; i++) d[i] = v; \
    } while (0)

static void fill_range(void *vjob, int64_t lo, int64_t hi) {
    const fill_job *j = vjob;
    if (j->zero) {
        memset(j->dst + lo * (int64_t)j->es, 0, (size_t)(hi - lo) * j->es);
        return;
    }
    switch (j->es) {
    case 1: FILL_LOOP(uint8_t); break;
    case 2: FILL_LOOP(uint16_t); break;
    case 4: FILL_LOOP(uint32_t); break;
    default: FILL_LOOP(uint64_t); break;
    }
}

static xp_status fill(xp_tensor *out, const char *name, double value) {
    xp_cpu_check_out(name, out);
    int64_t n = xp_shape_numel(out->meta.ndim, out->meta.shape);
    if (n == 0) return XP_OK;
    fill_job j = {.dst = xp_tensor_base_ptr(out), .es = xp_dtype_size(out->meta.dtype)};
    xp_cpu_store_scalar(out->meta.dtype, j.value, value);
    j.zero = true;
    for (size_t k = 0; k < j.es; k++) j.zero &= j.value[k] == 0;
    xp_cpu_parallel_for(n, XP_GRAIN_CHEAP, 64, fill_range, &j);
    return XP_OK;
}

xp_status xp_cpu_full(const xp_call *call) { return fill(call->outs[0], "full", call->args[1].f); }
xp_status xp_cpu_zeros(const xp_call *call) { return fill(call->outs[0], "zeros", 0.0); }
xp_status xp_cpu_ones(const xp_call *call) { return fill(call->outs[0], "ones", 1.0); }
xp_status xp_cpu_zeros_like(const xp_call *call) { return fill(call->outs[0], "zeros_like", 0.0); }

/* ---- arange ---------------------------------------------------------------- */

typedef struct arange_job {
    char *dst;
    xp_dtype dt;
    int64_t start, step;
} arange_job;

static void arange_range(void *vjob, int64_t lo, int64_t hi) {
    const arange_job *j = vjob;
    int64_t buf[XP_CPU_BLOCK];
    int64_t es = (int64_t)xp_dtype_size(j->dt);
    for (int64_t off = lo; off < hi; off += XP_CPU_BLOCK) {
        int64_t m = hi - off < XP_CPU_BLOCK ? hi - off : XP_CPU_BLOCK;
        /* every value lies in [start, end); unsigned arithmetic keeps the
         * intermediate product defined for ranges wider than INT64_MAX */
        for (int64_t i = 0; i < m; i++)
            buf[i] = (int64_t)((uint64_t)j->start + (uint64_t)(off + i) * (uint64_t)j->step);
        xp_cpu_convert(j->dt, j->dst + off * es, XP_I64, buf, 8, m);
    }
}

xp_status xp_cpu_arange(const xp_call *call) {
    xp_tensor *out = call->outs[0];
    xp_cpu_check_out("arange", out);
    int64_t start = call->args[0].i, end = call->args[1].i, step = call->args[2].i;
    if (step == 0) return xp_error(XP_ERR_INVALID_ARG, "arange: step must be nonzero");
    int64_t n = xp_shape_numel(out->meta.ndim, out->meta.shape);
    /* the count the range holds; a result of another size is a shape bug */
    uint64_t span = step > 0 ? (end > start ? (uint64_t)end - (uint64_t)start : 0)
                             : (end < start ? (uint64_t)start - (uint64_t)end : 0);
    uint64_t ustep = step > 0 ? (uint64_t)step : 0u - (uint64_t)step;
    int64_t want = span ? (int64_t)((span - 1) / ustep + 1) : 0;
    if (n != want)
        return xp_error(XP_ERR_INTERNAL, "arange: result has %lld elements, the range [%lld, %lld) step %lld has %lld",
                        (long long)n, (long long)start, (long long)end, (long long)step, (long long)want);
    if (n == 0) return XP_OK;
    arange_job j = {xp_tensor_base_ptr(out), out->meta.dtype, start, step};
    xp_cpu_parallel_for(n, XP_GRAIN_CHEAP, 64, arange_range, &j);
    return XP_OK;
}

/* ---- casts and copies -------------------------------------------------------- */

static xp_status convert_into(const xp_call *call, const xp_tensor *src, const char *name) {
    xp_tensor *out = call->outs[0];
    xp_cpu_check_out(name, out);
    return xp_cpu_copy_convert(out, src, name);
}

xp_status xp_cpu_to(const xp_call *call) { return convert_into(call, XP_ARG_T(call->args[0]), "to"); }
xp_status xp_cpu_clone(const xp_call *call) { return convert_into(call, XP_ARG_T(call->args[0]), "clone"); }
/* copy(self, src): the result has self's shape and dtype; its values are
 * src's, broadcast and converted (self only supplies the geometry) */
xp_status xp_cpu_copy(const xp_call *call) { return convert_into(call, XP_ARG_T(call->args[1]), "copy"); }

/* copy_(self, src): writes through self's view, whatever its strides. */
xp_status xp_cpu_copy_(const xp_call *call) {
    xp_tensor *self = XP_ARG_T(call->args[0]);
    const xp_tensor *src = XP_ARG_T(call->args[1]);
    xp_status st = xp_tensor_copy_into(self, src);
    if (st != XP_OK) return st;
    /* the result aliases self: eager dispatch passes self itself; a fresh
     * header becomes a view of it, a separate buffer receives a copy */
    if (call->nouts > 0 && call->outs[0] != self) {
        xp_tensor *out = call->outs[0];
        if (!out->storage) xp_tensor_set_view(out, self, self->meta.ndim, self->meta.shape, self->strides, self->offset);
        else return xp_tensor_copy_into(out, self);
    }
    return XP_OK;
}
