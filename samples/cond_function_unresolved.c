/*
 * tags: control-flow, graph-break
 * description: xp_cond with a branch function only declared in the file
 * expect: unsupported
 * diagnostic: must name a function defined in this translation unit
 * source: torch.cond (branches must be traceable)
 */
#include <xport.h>

xp_tensor *elsewhere(int n, xp_tensor *const *operands);
static xp_tensor *negate(int n, xp_tensor *const *operands) {
    (void)n;
    return xp_neg(operands[0]);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_function_unresolved(xp_tensor *x) {
    return xp_cond(xp_gt_scalar(xp_sum(x), 0), negate, elsewhere, XP_TENSORS(x)); // expected-error {{argument 'false_fn' of 'xp_cond' must name a function defined in this translation unit, but it is 'elsewhere', which is only declared here}}
}
