/*
 * Inside the custom-op registry (runtime/ops/custom.c): the argument values
 * an implementation is called with (runtime/ops/custom_call.c).
 */
#ifndef XP_CUSTOM_INTERNAL_H
#define XP_CUSTOM_INTERNAL_H

#include "ops/xp_registry.h"

/* The C type of one argument; the order is the digit in custom_call.c. */
typedef enum xp_custom_ckind { XP_CK_TENSOR = 0, XP_CK_INT, XP_CK_FLOAT, XP_CK_BOOL } xp_custom_ckind;

typedef struct xp_custom_cval {
    xp_custom_ckind kind;
    xp_tensor *t;
    int64_t i;
    double f;
    bool b;
} xp_custom_cval;

/* The first case number of `nargs` arguments: 1 + 4 + ... + 4^(nargs-1). */
static inline int xp_custom_code_base(int nargs) {
    int base = 0, p = 1;
    for (int k = 0; k < nargs; k++, p *= 4) base += p;
    return base;
}

/* Calls `impl` with its real type; NULL for an unsupported combination. */
xp_tensor *xp_custom_invoke(xp_custom_impl impl, int nargs, const xp_custom_cval *v);

/* The C kind of a schema argument (its kind in xp_custom_schema_check). */
xp_custom_ckind xp_custom_ckind_of(const xp_schema_arg *a);

/* For registry.c: custom ops by id and name, and how many there are. */
const xp_op_def *xp_custom_op_get(xp_op_id id);
const xp_op_def *xp_custom_op_find(const char *name);
int xp_custom_op_count(void);

#endif /* XP_CUSTOM_INTERNAL_H */
