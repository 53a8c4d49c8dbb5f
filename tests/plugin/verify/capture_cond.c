// cond misuse (DESIGN §3): what the branches of a '#pragma xport cond' may
// produce and do, checked like torch.cond.
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *shapes_differ(xp_tensor *x) {
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        y = xp_relu(x);
    else
        y = xp_sum(x);
    return y;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *dtypes_differ(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        return xp_relu(x);
    return xp_gt_scalar(x, 0);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *mutates_input(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        xp_relu_(x);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *pointer_predicate(xp_tensor *x) {
    #pragma xport cond
    if (xp_gt_scalar(xp_sum(x), 0))
        return xp_relu(x);
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *one_sided(xp_tensor *x) {
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        y = xp_relu(x);
    return xp_add(x, y);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *non_tensor(xp_tensor *x) {
    int k = 1;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        k = 2;
    return xp_mul_scalar(x, k);
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *mixed_return(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) {
        return xp_relu(x);
    } else {
        x = xp_neg(x);
    }
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *break_out(xp_tensor *x) {
    for (int k = 0; k < 2; k++) {
        #pragma xport cond
        if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
            break;
    }
    return x;
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *not_a_relation(xp_tensor *x) {
    #pragma xport cond
    if (xp_item_f32(xp_sum(x)) > 0)
        return xp_relu(x);
    return x;
}

static xp_tensor *tf(int n, xp_tensor *const *ops) { (void)n; return xp_relu(ops[0]); }
xp_tensor *elsewhere(int n, xp_tensor *const *ops);

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *unresolved_fn(xp_tensor *x) {
    return xp_cond(xp_gt_scalar(xp_sum(x), 0), tf, elsewhere, XP_TENSORS(x));
}

// The diagnostics, by line:
// expected-error@10 {{cond: output 0 differs between the branches (rank): f32[4] in the true branch, f32[] in the false branch}}
// expected-note@8 {{'y' is declared here}}
// expected-error@21 {{cond: output 0 differs between the branches (dtype)}}
// expected-error@31 {{relu_: the true branch of cond writes 'x', a tensor from outside it}}
// expected-note@27 {{'x' has shape f32[4]}}
// expected-error@39 {{the condition of '#pragma xport cond' tests the pointer 'xp_gt_scalar(xp_sum(x), 0)', not the value of the tensor}}
// expected-note@39 {{write 'xp_item_bool(xp_gt_scalar(xp_sum(x), 0))' to branch on the tensor's value}}
// expected-error@49 {{'y' is assigned in only one branch of the cond and has no tensor value before the 'if'}}
// expected-note@47 {{assign 'y' before the 'if', or in both branches}}
// expected-error@59 {{'k' is an integer assigned in a branch of the cond; the branches of a cond can only produce tensors}}
// expected-error@68 {{one branch of the cond returns and the other does not}}
// expected-error@81 {{'break' out of a branch of the cond cannot be captured}}
// expected-error@91 {{the condition 'xp_item_f32(xp_sum(x)) > 0' of '#pragma xport cond' is neither a tensor value nor a comparison of sizes}}
// expected-note@91 {{compute the condition as one bool tensor with tensor ops (for example 'xp_gt_scalar(t, 0)') and branch on 'xp_item_bool' of it}}
// expected-error@102 {{argument 'false_fn' of 'xp_cond' must name a function defined in this translation unit, but it is 'elsewhere', which is only declared here}}

// Sizes the ranges do not decide, combined with '&&': not one relation.
#pragma xport export
#pragma xport dim(n, min=1, max=64)
#pragma xport input(x, f32[n, 2])
xp_tensor *two_relations(xp_tensor *x) {
    #pragma xport cond
    if (xp_size(x, 0) > 16 && xp_size(x, 0) < 32) // expected-error {{the condition 'xp_size(x, 0) > 16 && xp_size(x, 0) < 32' of '#pragma xport cond' is neither a tensor value nor a comparison of sizes}} expected-note {{compute the condition as one bool tensor}}
        return xp_neg(x);
    return xp_exp(x);
}
