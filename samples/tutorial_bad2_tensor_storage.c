/*
 * tags: graph-break, builtin
 * description: writing a tensor's storage through xp_data (Bad2: x.data[0, 0] = 3)
 * expect: unsupported
 * diagnostic: accessing the storage of tensor 'x' with 'xp_data' cannot be captured
 * source: torch.export tutorial, graph breaks (Bad2)
 */
#include <xport.h>

/* torch.export: `x.data[0, 0] = 3`. The storage of x does not exist at
 * export time; write with ops instead (xp_copy_ into an xp_select view). */
#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *bad2(xp_tensor *x) {
    float *data = xp_data(x); // expected-error {{accessing the storage of tensor 'x' with 'xp_data' cannot be captured: an exported graph has no storage to read or write}} \
                              expected-note {{compute with tensor ops instead}}
    data[0] = 3;
    return x;
}
