// Control flow is resolved at export time: branches must be decided by
// constants or by the dims' declared ranges, loops must have constant
// bounds; constructs with no graph equivalent are errors at the construct.
#include <assert.h>
#include <xport.h>

// Conditions that one change of a declaration decides get suggested fixes
// (tests/plugin/verify/dynamic_fixes.c); these have none.
#pragma xport export
#pragma xport dim(batch, min=1, max=1024) // expected-note {{'batch' is declared here}}
#pragma xport dim(feat, min=1, max=64) // expected-note {{'feat' is declared here}}
#pragma xport input(x, f32[batch, feat])
xp_tensor *undecided_if(xp_tensor *x) {
    if (xp_size(x, 0) * xp_size(x, 1) > 16) // expected-error {{'if' condition 'xp_size(x, 0) * xp_size(x, 1) > 16' is not decided by the declared ranges: it is 'batch*feat > 16' with 'batch' in [1, 1024], 'feat' in [1, 64]}} \
                               expected-note {{narrow the declared range so that the condition has one value for every size, or mark the 'if' '#pragma xport cond' to capture both branches}}
        return xp_relu(x);
    return x;
}

#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *undecided_conditional(xp_tensor *x) {
    int64_t n = xp_size(x, 0);
    return n % 4 == 0 ? xp_neg(x) : x; // expected-error {{'?:' condition 'n % 4 == 0' is not decided by the declared ranges: it is 'n % 4 == 0' with 'n' in [1, inf]}} \
                                      expected-note {{narrow the declared range}}
}

// A loop over a dim without a maximum: no declaration but a static size
// would unroll it, so there is no suggested fix.
#pragma xport export
#pragma xport dim(n, min=1) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n, 4])
xp_tensor *dynamic_loop(xp_tensor *x) {
    xp_tensor *acc = xp_zeros(XP_F32, XP_DIMS(4));
    for (int64_t i = 0; i < xp_size(x, 0); i++) // expected-error {{loop condition 'i < xp_size(x, 0)' is not decided by the declared ranges: it is '1 < n' with 'n' in [1, inf]}} \
                                                   expected-note {{exported loops are unrolled and need a constant trip count; a loop over a dynamic dim needs '#pragma xport map'}}
        acc = xp_add(acc, xp_select(x, 0, i));
    return acc;
}

#pragma xport export
#pragma xport dim(n, min=1, max=1024) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *unproven_assert(xp_tensor *x) {
    assert(xp_size(x, 0) % 2 == 0); // expected-error {{assertion 'xp_size(x, 0) % 2 == 0' is not decided by the declared ranges: it is 'n % 2 == 0' with 'n' in [1, 1024]}} \
                                     expected-note {{narrow the declared range (min=, max=) so that the assertion holds for every size}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *false_assert(xp_tensor *x) {
    assert(xp_ndim(x) == 2); // expected-error {{assertion 'xp_ndim(x) == 2' is false for every size in the declared ranges}}
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *too_many_iterations(xp_tensor *x) {
    for (long i = 0; i < 10000000; i++) // expected-error {{loops in exported function 'too_many_iterations' run more than 1000000 iterations in total; exported loops are unrolled and need small constant bounds}}
        ;
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_goto(xp_tensor *x) {
    goto out; // expected-error {{'goto' cannot be captured: an exported graph has no jumps}} \
                 expected-note {{use structured control flow}}
out:
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *with_asm(xp_tensor *x) {
    __asm__("nop"); // expected-error {{inline assembly cannot be captured: its effects are invisible to an exported graph}} \
                       expected-note {{express the computation with xport ops}}
    return x;
}

#pragma xport export
#pragma xport dim(n, min=1, max=8) // expected-note {{'n' is declared here}}
#pragma xport input(x, f32[n])
xp_tensor *switch_on_size(xp_tensor *x) {
    switch (xp_size(x, 0)) { // expected-error {{the 'switch' value must be known at export time, but it is the size 'n'}}
    case 1:
        return x;
    default:
        return xp_neg(x);
    }
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *nested_case(xp_tensor *x) {
    switch (2) {
    case 1:
        if (1) {
        case 2: // expected-error {{a 'case' label inside a nested statement is not supported in an exported function}}
            x = xp_neg(x);
        }
    }
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *volatile_local(xp_tensor *x) {
    volatile int k = 2; // expected-error {{'volatile' variable 'k' cannot be captured: each access is a side effect outside an exported graph}} \
                           expected-note {{remove 'volatile'}}
    return xp_mul_scalar(x, k);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *static_local(xp_tensor *x) {
    static int calls; // expected-error {{static local variable 'calls' keeps state between calls, which an exported graph cannot have}} \
                         expected-note {{make it 'static const' with a constant initializer}}
    calls++;
    return x;
}

static xp_tensor *maybe(xp_tensor *x, int k) {
    if (k) return x;
} // expected-warning {{non-void function does not return a value in all control paths}}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *falls_off(xp_tensor *x) {
    return maybe(x, 0); // expected-error {{function 'maybe' ends without returning a value}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *cond_pragma(xp_tensor *x) {
    // A cond whose condition the ranges decide: only the taken side is captured.
    #pragma xport cond
    if (xp_ndim(x) == 1)
        return x;
    return xp_neg(x);
}

#pragma xport export
#pragma xport input(x, f32[4, 4])
xp_tensor *map_pragma(xp_tensor *x) {
    xp_tensor *y = xp_zeros(XP_F32, XP_DIMS(4, 4));
    // Captured as one map node (tests/plugin/capture/control_flow.c).
    #pragma xport map
    for (int64_t i = 0; i < xp_size(x, 0); i++)
        xp_copy_(xp_select(y, 0, i), xp_relu(xp_select(x, 0, i)));
    return y;
}
