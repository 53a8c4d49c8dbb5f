/*
 * tags: data-structure
 * description: an array of tensors built and unpacked in the function (Python list unpacking)
 * expect: supported
 * source: ExportDB list_unpack
 */
#include "sample.h"

/* torch: `x, *y = args; return x + y[0]` */
static xp_tensor *first_plus_second(xp_tensor *const *args) { return xp_add(args[0], args[1]); }

#pragma xport export
#pragma xport input(a, f32[3, 2])
#pragma xport input(b, f32[3, 2])
#pragma xport input(c, f32[3, 2])
xp_tensor *list_unpack(xp_tensor *a, xp_tensor *b, xp_tensor *c) {
    xp_tensor *args[3] = {a, b, c};
    return xp_mul(first_plus_second(args), args[2]);
}

XP_SAMPLE(list_unpack) { XP_RETURN(list_unpack(XP_IN(0), XP_IN(1), XP_IN(2))); }
