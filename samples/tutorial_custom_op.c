/*
 * tags: custom-op
 * description: a custom op: one node in the graph, with a meta function for its shape
 * expect: supported
 * source: torch.export tutorial, custom ops (CustomOpExample)
 */
#include "sample.h"

/* torch.export: `@torch.library.custom_op("my_custom_library::custom_op")`
 * with a `register_fake` for its shape. */
#pragma xport op("my_custom_library::custom_op(Tensor x) -> Tensor")
static xp_tensor *custom_op(xp_tensor *x) {
    return xp_relu(xp_add_scalar(x, 1));
}

#pragma xport meta("my_custom_library::custom_op")
static xp_tensor *custom_op_meta(xp_tensor *x) {
    return xp_empty_like(x);
}

#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *custom_op_example(xp_tensor *x) {
    return xp_cos(custom_op(xp_sin(x)));
}

XP_SAMPLE(custom_op_example) {
    (void)custom_op_meta;
    XP_RETURN(custom_op_example(XP_IN(0)));
}
