/*
 * tags: control-flow, data-structure, builtin
 * description: checking that a size is one of a constant list of values, with a loop and assert
 * expect: supported
 * source: ExportDB list_contains
 */
#include <assert.h>
#include <stdbool.h>

#include "sample.h"

/* torch: `assert x.size(-1) in [6, 2]`. The loop over a constant array is
 * unrolled and each comparison is decided at export time, so the assert is
 * proven and leaves nothing in the graph. */
static const int64_t kAllowed[] = {6, 2};

#pragma xport export
#pragma xport input(x, f32[3, 2])
xp_tensor *list_contains(xp_tensor *x) {
    bool found = false;
    for (int i = 0; i < 2; i++)
        if (xp_size(x, -1) == kAllowed[i]) found = true;
    assert(found);
    return xp_add(x, x);
}

XP_SAMPLE(list_contains) { XP_RETURN(list_contains(XP_IN(0))); }
