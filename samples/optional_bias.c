/*
 * tags: data-structure, model
 * description: an optional tensor: a helper checks 'if (bias)' and the caller passes NULL
 * expect: supported
 * source: ExportDB optional_input, null-pointer checks
 */
#include "sample.h"

/* torch: `def forward(x, bias=None): if bias is not None: ...`. In C a
 * missing tensor is NULL. A null pointer is a constant at export time, so
 * 'if (bias)' is decided: each call site captures only its side. An
 * exported function's tensor inputs are never NULL (a run rejects them),
 * so optional inputs are spelled as helpers, not as exported parameters. */
static xp_tensor *affine(xp_tensor *x, xp_tensor *w, xp_tensor *bias) {
    xp_tensor *y = xp_matmul(x, w);
    if (bias)
        y = xp_add(y, bias);
    return y;
}

#pragma xport export
#pragma xport input(x, f32[2, 3])
#pragma xport input(w, f32[3, 3])
#pragma xport input(b, f32[3])
xp_tensor *optional_bias(xp_tensor *x, xp_tensor *w, xp_tensor *b) {
    return affine(affine(x, w, NULL), w, b);
}

XP_SAMPLE(optional_bias) { XP_RETURN(optional_bias(XP_IN(0), XP_IN(1), XP_IN(2))); }
