/*
 * tags: c-language, graph-break
 * description: a 'case' label inside a nested statement (Duff's device): a statement the capture does not take
 * expect: unsupported
 * diagnostic: is not supported in an exported function
 */
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *nested_case_label(xp_tensor *x) {
    switch (2) {
    case 1:
        if (1) {
        case 2: // expected-error {{a 'case' label inside a nested statement is not supported in an exported function}}
            x = xp_neg(x);
        }
    }
    return x;
}
