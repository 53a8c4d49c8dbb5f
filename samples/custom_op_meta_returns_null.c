/*
 * tags: custom-op, graph-break
 * description: a meta function must return a tensor made with xp_empty or xp_empty_like, not NULL
 * expect: unsupported
 * diagnostic: the meta function of custom op
 */
#include <xport.h>

#pragma xport op("my_lib::same(Tensor x) -> Tensor")
xp_tensor *same(xp_tensor *x) { return xp_relu(x); }

#pragma xport meta("my_lib::same")
xp_tensor *same_meta(xp_tensor *x) {
    (void)x;
    return NULL;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *custom_op_meta_returns_null(xp_tensor *x) {
    return same(x); // expected-error {{the meta function of custom op 'my_lib::same' must return a tensor made with 'xp_empty_like' or 'xp_empty', not a null pointer}}
}
