/*
 * The C API table: how each public op function of xport.h maps onto a
 * registry op. capi.def is its single source: runtime/ops/eager.c expands it
 * into the eager wrappers, and the same rows, stringified, tell the Clang
 * plugin how a call `xp_conv2d(x, w, b, 2, 1, 1, 1)` becomes the node
 * `conv2d(x, w, b, [2, 2], [1, 1], [1, 1], 1)`.
 *
 * Row: XP_CAPI(c_name, op, (C parameters), (op arguments in schema order))
 * where each op argument is one of
 *   T(p)      tensor parameter p (NULL means None)
 *   TL(n, v)  tensor list from a count and an array parameter
 *   I(p)      int parameter            F(p)  double parameter
 *   B(p)      bool parameter           D(p)  dtype parameter
 *   L(n, v)   int list from a count and an array parameter
 *   L1(p)     a one-element int list   I2(p) the int list [p, p]
 *   L2(p, q)  the int list [p, q]
 *   NONE      None                     FALSE / TRUE  a constant bool
 * Trailing schema arguments not listed take their defaults.
 */
#ifndef XP_CAPI_H
#define XP_CAPI_H

#include "ops/xp_registry.h"

typedef enum xp_capi_argkind {
    XP_CAPI_T, XP_CAPI_TL, XP_CAPI_I, XP_CAPI_F, XP_CAPI_B, XP_CAPI_D,
    XP_CAPI_L, XP_CAPI_L1, XP_CAPI_I2, XP_CAPI_NONE, XP_CAPI_FALSE, XP_CAPI_TRUE,
    XP_CAPI_L2
} xp_capi_argkind;

typedef struct xp_capi_arg {
    xp_capi_argkind kind;
    int param;       /* index of the C parameter (the array for TL/L); -1 for constants */
    int count_param; /* TL/L: index of the count parameter; else -1 */
    int param2;      /* L2: index of the second element's parameter; else -1 */
} xp_capi_arg;

typedef struct xp_capi_fn {
    const char *c_name;   /* "xp_conv2d" */
    xp_op_id op;
    int nparams;          /* C parameters */
    char param_names[XP_MAX_OP_ARGS][32];
    int nargs;            /* op arguments given (the rest are defaults) */
    xp_capi_arg args[XP_MAX_OP_ARGS];
} xp_capi_fn;

/* The row for a public function name, or NULL. Parsed once from the
 * stringified table (thread-safe). */
const xp_capi_fn *xp_capi_find(const char *c_name);
int xp_capi_count(void);
const xp_capi_fn *xp_capi_get(int i);

#endif /* XP_CAPI_H */
