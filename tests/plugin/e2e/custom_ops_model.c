/* The tutorial's CustomOpExample (sin -> custom op -> cos) and a custom op
 * with a symbolic output shape between two built-in ops. */
#include "custom_ops.h"

#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *custom_op_example(xp_tensor *x) {
    return xp_cos(custom_op(xp_sin(x)));
}

#pragma xport export
#pragma xport dim(n, min=2, max=64)
#pragma xport input(x, f32[n, 4])
xp_tensor *drop_row(xp_tensor *x) {
    return xp_exp(drop_first_row(xp_neg(x), 0.5));
}
