/*
 * tags: data-structure
 * description: a local struct of tensors passed to a helper and unpacked (a tuple)
 * expect: supported
 * source: ExportDB list_unpack, pytree_flatten (tuples)
 */
#include "sample.h"

typedef struct {
    xp_tensor *lo, *hi;
} Pair;

static Pair split(xp_tensor *x) {
    Pair p = {xp_slice(x, 1, 0, 2, 1), xp_slice(x, 1, 2, 4, 1)};
    return p;
}

#pragma xport export
#pragma xport input(x, f32[3, 4])
xp_tensor *tuple_as_struct(xp_tensor *x) {
    Pair p = split(x);
    return xp_mul(p.lo, p.hi);
}

XP_SAMPLE(tuple_as_struct) { XP_RETURN(tuple_as_struct(XP_IN(0))); }
