/*
 * tags: dynamic-shape, builtin, graph-break
 * description: rounding a dynamic size through floating point
 * expect: unsupported
 * diagnostic: to a floating-point value cannot be captured
 * source: ExportDB dynamic_shape_round
 */
#include <math.h>
#include <xport.h>

/* torch: round(x.shape[0] / 2). Integer division of sizes is captured
 * ((n + 1) / 2 rounds up); a float would freeze the size at export time. */
#pragma xport export
#pragma xport dim(n, min=1, max=64) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *dynamic_shape_round(xp_tensor *x) {
    int64_t half = (int64_t)round(xp_size(x, 0) / 2.0); // expected-error {{converting the size 'n' to a floating-point value cannot be captured}} \
                                                           expected-note {{the conversion would freeze a dynamic size at export time}}
    return xp_slice(x, 0, 0, half, 1);
}
