/*
 * erf, the Gauss error function: a core op because gelu's decomposition
 * (0.5 * x * (1 + erf(x / sqrt2)), PyTorch's) needs it.
 *
 * libm's erff / erf (glibc: < 1 ulp) rather than a vectorizable
 * approximation: erf only appears in decomposed programs, where matching
 * the reference matters more than speed, and a cheap approximation built
 * on 1 - erfc loses the relative accuracy of erf near 0. As in unary.c,
 * f32, f16 and bf16 results compute in float, f64 in double, and integer
 * or bool inputs are converted to the float result dtype first.
 */
#include "cpu/cpu_util.h"

typedef struct erf_ctx {
    xp_dtype ct;    /* compute dtype: f32 or f64 */
    xp_dtype dt[2]; /* result, input */
} erf_ctx;

/* as is 1 for an advancing input, 0 for one repeated value (expanded) */
static void erf_f32(int64_t n, float *o, const float *a, int64_t as) {
    for (int64_t i = 0; i < n; i++) o[i] = erff(a[i * as]);
}

static void erf_f64(int64_t n, double *o, const double *a, int64_t as) {
    for (int64_t i = 0; i < n; i++) o[i] = erf(a[i * as]);
}

static void erf_loop(void *vctx, int64_t n, char **p, const int64_t *s) {
    const erf_ctx *c = vctx;
    int64_t ces = (int64_t)xp_dtype_size(c->ct);
    _Alignas(64) unsigned char buf[2][XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, as;
        const void *a = xp_cpu_operand(c->dt[1], c->ct, p[1] + off * s[1], s[1], m, buf[1], &as);
        char *dst = p[0] + off * s[0];
        bool direct = c->dt[0] == c->ct && s[0] == ces;
        void *o = direct ? (void *)dst : buf[0];
        if (c->ct == XP_F32) erf_f32(m, o, a, as);
        else erf_f64(m, o, a, as);
        if (!direct) xp_cpu_convert(c->dt[0], dst, c->ct, o, ces, m);
    }
}

xp_status xp_cpu_erf(const xp_call *call) {
    xp_tensor *out = call->outs[0];
    const xp_tensor *a = XP_ARG_T(call->args[0]);
    xp_cpu_check_out("erf", out);
    erf_ctx c = {.ct = xp_cpu_compute_dtype(out->meta.dtype), .dt = {out->meta.dtype, a->meta.dtype}};
    if (c.ct != XP_F32 && c.ct != XP_F64)
        return xp_error(XP_ERR_DTYPE, "erf: the result dtype %s is not a float dtype", xp_dtype_name(out->meta.dtype));
    xp_iter it;
    xp_status st = xp_iter_init(&it, "erf", out, 1, (const xp_tensor *const[]){a});
    if (st != XP_OK) return st;
    xp_iter_run(&it, XP_GRAIN_HEAVY, erf_loop, &c);
    return XP_OK;
}
