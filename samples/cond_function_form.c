/*
 * tags: control-flow
 * description: xp_cond with branch functions defined in the file (torch.cond's function form)
 * expect: supported
 * source: torch.cond
 */
#include "sample.h"

static xp_tensor *sin_branch(int n, xp_tensor *const *ops) { (void)n; return xp_sin(ops[0]); }
static xp_tensor *cos_branch(int n, xp_tensor *const *ops) { (void)n; return xp_cos(ops[0]); }

#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *cond_function_form(xp_tensor *x) {
    return xp_cond(xp_gt_scalar(xp_sum(x), 0), sin_branch, cos_branch, XP_TENSORS(x));
}

XP_SAMPLE(cond_function_form) { XP_RETURN(cond_function_form(XP_IN(0))); }
