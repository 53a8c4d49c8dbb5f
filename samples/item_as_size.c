/*
 * tags: dynamic-shape, graph-break
 * description: a tensor's value used as a size (an unbacked, data-dependent size)
 * expect: unsupported
 * diagnostic: reading tensor data with 'xp_item_i64' is data-dependent
 * source: ExportDB constrain_as_size_example
 */
#include <xport.h>

/* torch: `a = x.item(); torch.zeros((a, 5))`. The size would only be known
 * when the program runs; pass it as a declared dim (an integer parameter
 * with '#pragma xport dim', symint_input.c) instead. */
#pragma xport export
#pragma xport input(x, i64[])
xp_tensor *item_as_size(xp_tensor *x) {
    int64_t a = xp_item_i64(x); // expected-error {{reading tensor data with 'xp_item_i64' is data-dependent}} \
                                   expected-note {{compute with tensor ops instead}}
    return xp_zeros(XP_F32, XP_DIMS(a, 5));
}
