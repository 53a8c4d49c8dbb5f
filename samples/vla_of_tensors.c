/*
 * tags: graph-break, c-language, data-structure
 * description: a variable-length array of tensors sized by a dynamic dim
 * expect: unsupported
 * diagnostic: variable-length array 'rows' cannot be captured
 * source: C: variable-length arrays
 */
#include <xport.h>

/* A VLA's length is a run-time value; a graph has a fixed number of
 * tensors. Use a constant-size array, or one tensor with a leading dim. */
#pragma xport export
#pragma xport dim(n, min=1, max=8)
#pragma xport input(x, f32[n, 4])
xp_tensor *vla_of_tensors(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    xp_tensor *rows[n]; // expected-error {{variable-length array 'rows' cannot be captured: its length is not known at export time}} \
                           expected-note {{give it a constant length (a '#define' or 'enum' constant)}}
    rows[0] = xp_select(x, 0, 0);
    return rows[0];
}
