/*
 * The public eager op functions of xport.h, generated from the C API table
 * (capi.def): each wrapper packs its parameters as xp_arg values in schema
 * order and calls xp_dispatch. The same rows tell the plugin how a call
 * maps onto its op (capi.c), so eager mode and capture cannot disagree.
 */
#include "ops/xp_capi.h"

/* A (count, pointer) pair from the caller: a bad one is reported here,
 * naming the function and its parameter, before it reaches the schema
 * binder or a kernel (which would read through the pointer). Only the
 * failure path looks the row up. */
static xp_tensor *bad_list(const char *c_name, int arg, int n) {
    const xp_capi_fn *fn = xp_capi_find(c_name);
    const char *what = fn ? fn->param_names[fn->args[arg].param] : "list";
    if (n < 0) xp_error(XP_ERR_INVALID_ARG, "%s: count of '%s' is negative (%d)", c_name, what, n);
    else xp_error(XP_ERR_INVALID_ARG, "%s: '%s' is NULL with count %d", c_name, what, n);
    return NULL;
}

static xp_tensor *eager_call(const char *c_name, xp_op_id op, const xp_arg *args, int nargs) {
    for (int i = 0; i < nargs; i++) {
        if (args[i].kind == XP_ARG_INT_LIST && (args[i].il.n < 0 || (args[i].il.n > 0 && !args[i].il.v)))
            return bad_list(c_name, i, args[i].il.n);
        if (args[i].kind == XP_ARG_TENSOR_LIST && (args[i].tl.n < 0 || (args[i].tl.n > 0 && !args[i].tl.v)))
            return bad_list(c_name, i, args[i].tl.n);
    }
    return xp_dispatch(op, args, nargs);
}

/* The argument constructors of a capi.def row (xp_capi.h). */
#define T(p) xp_arg_tensor(p)
#define TL(n, v) xp_arg_tensors((n), (v))
#define I(p) xp_arg_int(p)
#define F(p) xp_arg_float(p)
#define B(p) xp_arg_bool(p)
#define D(p) xp_arg_dtype(p)
#define L(n, v) xp_arg_ints((n), (v))
#define L1(p) xp_arg_ints(1, (const xp_dim[]){(p)})
#define I2(p) xp_arg_ints(2, (const xp_dim[]){(p), (p)})
#define L2(p, q) xp_arg_ints(2, (const xp_dim[]){(p), (q)})
#define NONE xp_arg_none()
#define FALSE xp_arg_bool(false)
#define TRUE xp_arg_bool(true)

#define XP_UNPAREN(...) __VA_ARGS__
#define XP_CAPI(cname, op, params, args)                                          \
    xp_tensor *cname params {                                                     \
        const xp_arg a_[] = {XP_UNPAREN args};                                    \
        return eager_call(#cname, XP_OP_##op, a_, (int)(sizeof a_ / sizeof *a_)); \
    }
#include "ops/capi.def"
#undef XP_CAPI
