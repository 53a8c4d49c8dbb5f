/*
 * tags: mutation
 * description: writing through a view of an input (xp_copy_ into a slice) mutates the input
 * expect: supported
 * source: ExportDB user_input_mutation (views)
 */
#include "sample.h"

/* Writes through views become slice_scatter / select_scatter in the graph. */
#pragma xport export
#pragma xport input(x, f32[4, 3])
#pragma xport input(row, f32[3])
xp_tensor *view_mutation(xp_tensor *x, xp_tensor *row) {
    xp_copy_(xp_select(x, 0, 1), row);
    xp_relu_(xp_slice(x, 0, 2, XP_END, 1));
    return xp_sum(x);
}

XP_SAMPLE(view_mutation) { XP_RETURN(view_mutation(XP_IN(0), XP_IN(1))); }
