/*
 * tags: control-flow, dynamic-shape
 * description: xp_map with a body function defined in the file (torch map's function form)
 * expect: supported
 * source: ExportDB dynamic_shape_map (functorch map)
 */
#include "sample.h"

static xp_tensor *body(xp_tensor *slice, int n, xp_tensor *const *extras) {
    (void)n;
    return xp_add(slice, extras[0]);
}

#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(xs, f32[n, 3])
#pragma xport input(y, f32[3])
xp_tensor *map_function_form(xp_tensor *xs, xp_tensor *y) {
    return xp_map(body, xs, XP_TENSORS(y));
}

XP_SAMPLE(map_function_form) { XP_RETURN(map_function_form(XP_IN(0), XP_IN(1))); }
