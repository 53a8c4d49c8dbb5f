/*
 * tags: control-flow, operator
 * description: an elementwise choice on tensor values with xp_where instead of an 'if'
 * expect: supported
 * source: torch.export tutorial, graph breaks (Bad1's alternative)
 */
#include "sample.h"

/* The fix Bad1's note suggests when the choice is per element. */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *where_instead_of_if(xp_tensor *x) {
    return xp_where(xp_gt_scalar(x, 0), xp_sin(x), xp_cos(x));
}

XP_SAMPLE(where_instead_of_if) { XP_RETURN(where_instead_of_if(XP_IN(0))); }
