/*
 * tags: graph-break, control-flow
 * description: an 'if' on a tensor's value (Bad1: if x.sum() > 0)
 * expect: unsupported
 * diagnostic: 'if' depends on the value of tensor 'x'
 * source: torch.export tutorial, graph breaks (Bad1)
 */
#include <xport.h>

/* torch.export: `if x.sum() > 0: return x.sin()`. The value of x does not
 * exist at export time; capture both sides with '#pragma xport cond'
 * (cond_predicate.c) or compute with xp_where (where_instead_of_if.c). */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *bad1(xp_tensor *x) {
    if (xp_item_f32(xp_sum(x)) > 0) // expected-error {{'if' depends on the value of tensor 'x'; an exported graph cannot branch on data}} \
                                       expected-note {{mark the branch '#pragma xport cond' to capture both sides}}
        return xp_sin(x);
    return xp_cos(x);
}
