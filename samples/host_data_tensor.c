/*
 * tags: graph-break, builtin
 * description: building a tensor from host memory inside the exported function
 * expect: unsupported
 * diagnostic: copies host memory into a tensor
 * source: ExportDB constant tensors
 */
#include <xport.h>

/* Pass the table in as an input or a model buffer, or build it with ops. */
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *host_data_tensor(xp_tensor *x) {
    static const float table[4] = {1, 2, 3, 4};
    return xp_add(x, xp_tensor_from(XP_F32, XP_DIMS(4), table)); // expected-error {{'xp_tensor_from' copies host memory into a tensor, which an exported graph cannot capture}} \
                                                                   expected-note {{build the tensor with ops such as 'xp_full' or 'xp_arange', or pass it in as an input or a model buffer}}
}
