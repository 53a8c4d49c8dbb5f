/*
 * tags: graph-break, c-language
 * description: using a tensor pointer's address as a number (id(x))
 * expect: unsupported
 * diagnostic: to an integer cannot be captured
 * source: torch.export tutorial, graph breaks (Bad3: id(x))
 */
#include <stdint.h>
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *tensor_address(xp_tensor *x) {
    intptr_t id = (intptr_t)x; // expected-error {{converting tensor 'x' to an integer cannot be captured: it has no address in an exported graph}} \
                                  expected-note {{a tensor in an exported graph is a value without an identity (the analog of 'id(x)')}}
    return xp_add_scalar(x, (double)(id % 2));
}
