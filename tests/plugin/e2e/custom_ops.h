/* The custom ops of tests/plugin/e2e/custom_ops.sh, included by the model
 * (whose exports call them) and by the op library built for `xport run
 * --ops`. The tutorial's CustomOpExample op prints once per call. */
#ifndef CUSTOM_OPS_H
#define CUSTOM_OPS_H

#include <stdio.h>
#include <xport.h>

#pragma xport op("my_lib::custom_op(Tensor input) -> Tensor")
xp_tensor *custom_op(xp_tensor *input) {
    printf("custom_op called!\n");
    fflush(stdout);
    return xp_relu(input);
}

#pragma xport meta("my_lib::custom_op")
xp_tensor *custom_op_meta(xp_tensor *input) { return xp_empty_like(input); }

/* A symbolic output shape: [n, m] -> [n - 1, m], scaled. */
#pragma xport op("my_lib::drop_first_row(Tensor x, float scale) -> Tensor")
xp_tensor *drop_first_row(xp_tensor *x, double scale) {
    return xp_mul_scalar(xp_slice(x, 0, 1, XP_END, 1), scale);
}

#pragma xport meta("my_lib::drop_first_row")
xp_tensor *drop_first_row_meta(xp_tensor *x, double scale) {
    (void)scale;
    int64_t shape[2] = {xp_size(x, 0) - 1, xp_size(x, 1)};
    return xp_empty(xp_dtype_of(x), 2, shape);
}

#endif
