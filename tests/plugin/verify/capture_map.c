// map misuse (DESIGN §2, §3): the body of a '#pragma xport map' loop reads
// only slice i of its mapped tensors and loop-invariant values, and writes
// only slice i of its outputs.
#include <xport.h>

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *reads_whole(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_add(xp_select(xs, 0, i), xp_sum(xs)));
    return ys;
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *other_index(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i + 1));
    return ys;
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *escapes(xp_tensor *xs) {
    xp_tensor *last = xs;
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        last = xp_relu(xp_select(xs, 0, i));
    return last;
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *returns_early(xp_tensor *xs) {
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        return xp_select(xs, 0, i);
    return xs;
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *wrong_form(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 1; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
    return ys;
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
#pragma xport input(ys, f32[4, 4])
xp_tensor *lengths_differ(xp_tensor *xs, xp_tensor *ys) {
    xp_tensor *zs = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(zs, 0, i), xp_select(ys, 0, i));
    return zs;
}

static xp_tensor *row(xp_tensor *r, int n, xp_tensor *const *extras) { (void)n; (void)extras; return r; }

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *unresolved_fn(xp_tensor *xs) {
    xp_map_fn fn = (xp_map_fn)0;
    (void)row;
    return xp_map(fn, xs, 0, NULL);
}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *uses_index(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++)
        xp_copy_(xp_select(ys, 0, i), xp_mul_scalar(xp_select(xs, 0, i), (double)i));
    return ys;
}

// The diagnostics, by line:
// expected-error@13 {{the map body reads 'xs' outside slice 'xp_select(xs, 0, i)': each iteration may read only its own slice}}
// expected-note@13 {{read 'xp_select(xs, 0, i)' instead, or compute what the body needs from 'xs' before the loop}}
// expected-error@24 {{the map body reads 'xs' outside slice 'xp_select(xs, 0, i)'}}
// expected-note@24 {{read 'xp_select(xs, 0, i)' instead}}
// expected-error@35 {{'last' is declared outside the map body and assigned inside it; nothing but slice writes can leave a map}}
// expected-note@35 {{write per-slice results with 'xp_copy_(xp_select(ys, 0, i), value)' into a tensor 'ys' created before the loop}}
// expected-error@45 {{'return' in the body of a map cannot be captured}}
// expected-error@55 {{'#pragma xport map' needs a loop 'for (i = 0; i < xp_size(xs, 0); i++)' over a tensor variable 'xs'}}
// expected-error@67 {{map: xs 1 is f32[4, 4] but xs 0 is f32[b, 4]; the leading sizes must be equal}}
// expected-error@80 {{argument 'fn' of 'xp_map' must name a function defined in this translation unit, but it is a null pointer}}
// expected-error@90 {{the map index 'i' is used outside 'xp_select(xs, 0, i)'; the body of a map cannot compute with its index}}

#pragma xport export
#pragma xport dim(b, min=1, max=8)
#pragma xport input(xs, f32[b, 4])
xp_tensor *unwritten(xp_tensor *xs) {
    xp_tensor *ys = xp_empty_like(xs);
    #pragma xport map
    for (int64_t i = 0; i < xp_size(xs, 0); i++) // expected-error {{the map body does not write slice 'i' of 'ys' on every path}}
        if (xp_size(xs, 1) > 4)
            xp_copy_(xp_select(ys, 0, i), xp_select(xs, 0, i));
    return ys;
}
