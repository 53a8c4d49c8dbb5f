/*
 * tags: graph-break
 * description: '#pragma xport input' naming a parameter that does not exist (a typo): the plugin suggests the closest name
 * expect: unsupported
 * diagnostic: is not a parameter of 'pragma_input_typo'; did you mean 'input'?
 */
#include <xport.h>

#pragma xport export
// expected-error@+1 {{'inptu' is not a parameter of 'pragma_input_typo'; did you mean 'input'?}}
#pragma xport input(inptu, f32[4])
xp_tensor *pragma_input_typo(xp_tensor *input) { // expected-note {{'input' declared here}}
    return xp_relu(input);
}
