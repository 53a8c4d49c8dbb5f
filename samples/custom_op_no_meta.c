/*
 * tags: custom-op, graph-break
 * description: a custom op without a '#pragma xport meta' function: the shape of its result is unknown at export
 * expect: unsupported
 * diagnostic: has no meta function
 */
#include <xport.h>

#pragma xport op("my_lib::scale(Tensor x) -> Tensor")
xp_tensor *scale(xp_tensor *x) { return xp_mul_scalar(x, 2); }

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *custom_op_no_meta(xp_tensor *x) {
    return scale(x); // expected-error {{custom op 'my_lib::scale' has no meta function, so the shape of its result is unknown at export}} \
                        expected-note {{add '#pragma xport meta("my_lib::scale")' before a function with the op's parameters}}
}
