/*
 * tags: graph-break
 * description: calling a function that is not an op and not defined in the file (Bad3: id(x))
 * expect: unsupported
 * diagnostic: call to 'tensor_id' cannot be captured
 * source: torch.export tutorial, graph breaks (Bad3)
 */
#include <xport.h>

/* torch.export: `x + id(x)` calls a function whose result is not a tensor
 * op. In C: a function only declared here (defined in another file) has
 * no body to inline. Define it in this file, or make it a custom op. */
double tensor_id(const xp_tensor *x);

#pragma xport export
#pragma xport input(x, f32[3, 3])
xp_tensor *bad3(xp_tensor *x) {
    x = xp_add_scalar(x, 1);
    return xp_add_scalar(x, tensor_id(x)); // expected-error {{call to 'tensor_id' cannot be captured: it is neither an xport op nor defined in this translation unit}} \
                                              expected-note {{define 'tensor_id' in this file so that it can be inlined}}
}
