/*
 * TEMPORARY during parallel development: weak placeholders for every shape
 * function and kernel named in ops.def, so the library links while parts
 * are written. Deleted before the foundation lands: a missing
 * implementation must then be a link error.
 */
#include "ops/xp_registry.h"

__attribute__((weak)) xp_status xp_shape_adaptive_avg_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_adaptive_avg_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_shape_addmm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_addmm is not written yet"); }
__attribute__((weak)) xp_status xp_shape_arange(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_arange is not written yet"); }
__attribute__((weak)) xp_status xp_shape_argmax(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_argmax is not written yet"); }
__attribute__((weak)) xp_status xp_shape_avg_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_avg_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_shape_batch_norm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_batch_norm is not written yet"); }
__attribute__((weak)) xp_status xp_shape_binary(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_binary is not written yet"); }
__attribute__((weak)) xp_status xp_shape_binary_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_binary_float is not written yet"); }
__attribute__((weak)) xp_status xp_shape_binary_scalar(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_binary_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_shape_binary_scalar_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_binary_scalar_float is not written yet"); }
__attribute__((weak)) xp_status xp_shape_bmm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_bmm is not written yet"); }
__attribute__((weak)) xp_status xp_shape_cat(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_cat is not written yet"); }
__attribute__((weak)) xp_status xp_shape_compare(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_compare is not written yet"); }
__attribute__((weak)) xp_status xp_shape_compare_scalar(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_compare_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_shape_conv2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_conv2d is not written yet"); }
__attribute__((weak)) xp_status xp_shape_copy(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_copy is not written yet"); }
__attribute__((weak)) xp_status xp_shape_embedding(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_embedding is not written yet"); }
__attribute__((weak)) xp_status xp_shape_expand(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_expand is not written yet"); }
__attribute__((weak)) xp_status xp_shape_flatten(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_flatten is not written yet"); }
__attribute__((weak)) xp_status xp_shape_full(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_full is not written yet"); }
__attribute__((weak)) xp_status xp_shape_inplace(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_inplace is not written yet"); }
__attribute__((weak)) xp_status xp_shape_layer_norm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_layer_norm is not written yet"); }
__attribute__((weak)) xp_status xp_shape_linear(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_linear is not written yet"); }
__attribute__((weak)) xp_status xp_shape_matmul(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_matmul is not written yet"); }
__attribute__((weak)) xp_status xp_shape_max_pool2d(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_max_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_shape_mean(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_mean is not written yet"); }
__attribute__((weak)) xp_status xp_shape_mm(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_mm is not written yet"); }
__attribute__((weak)) xp_status xp_shape_permute(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_permute is not written yet"); }
__attribute__((weak)) xp_status xp_shape_reduce(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_reduce is not written yet"); }
__attribute__((weak)) xp_status xp_shape_sdpa(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_sdpa is not written yet"); }
__attribute__((weak)) xp_status xp_shape_select(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_select is not written yet"); }
__attribute__((weak)) xp_status xp_shape_select_scatter(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_select_scatter is not written yet"); }
__attribute__((weak)) xp_status xp_shape_slice(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_slice is not written yet"); }
__attribute__((weak)) xp_status xp_shape_slice_scatter(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_slice_scatter is not written yet"); }
__attribute__((weak)) xp_status xp_shape_softmax(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_softmax is not written yet"); }
__attribute__((weak)) xp_status xp_shape_squeeze(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_squeeze is not written yet"); }
__attribute__((weak)) xp_status xp_shape_stack(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_stack is not written yet"); }
__attribute__((weak)) xp_status xp_shape_sum(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_sum is not written yet"); }
__attribute__((weak)) xp_status xp_shape_t(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_t is not written yet"); }
__attribute__((weak)) xp_status xp_shape_to(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_to is not written yet"); }
__attribute__((weak)) xp_status xp_shape_transpose(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_transpose is not written yet"); }
__attribute__((weak)) xp_status xp_shape_unary(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_unary is not written yet"); }
__attribute__((weak)) xp_status xp_shape_unary_float(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_unary_float is not written yet"); }
__attribute__((weak)) xp_status xp_shape_unsqueeze(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_unsqueeze is not written yet"); }
__attribute__((weak)) xp_status xp_shape_view(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_view is not written yet"); }
__attribute__((weak)) xp_status xp_shape_where(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_where is not written yet"); }
__attribute__((weak)) xp_status xp_shape_zeros(xp_symctx *ctx, const xp_arg *args, xp_meta *out) { (void)ctx; (void)args; (void)out; return xp_error(XP_ERR_UNSUPPORTED, "xp_shape_zeros is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_abs(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_abs is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_adaptive_avg_pool2d(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_adaptive_avg_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_add(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_add is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_add_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_add_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_addmm(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_addmm is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_amax(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_amax is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_amin(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_amin is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_arange(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_arange is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_argmax(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_argmax is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_avg_pool2d(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_avg_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_batch_norm(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_batch_norm is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_bmm(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_bmm is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_cat(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_cat is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_clone(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_clone is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_conv2d(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_conv2d is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_copy(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_copy is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_copy_(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_copy_ is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_cos(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_cos is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_div(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_div is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_div_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_div_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_embedding(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_embedding is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_eq(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_eq is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_eq_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_eq_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_exp(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_exp is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_full(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_full is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_ge(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_ge is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_ge_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_ge_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_gelu(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_gelu is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_gt(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_gt is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_gt_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_gt_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_layer_norm(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_layer_norm is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_le(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_le is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_le_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_le_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_linear(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_linear is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_log(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_log is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_log_softmax(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_log_softmax is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_lt(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_lt is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_lt_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_lt_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_matmul(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_matmul is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_max_pool2d(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_max_pool2d is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_mean(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_mean is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_mm(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_mm is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_mul(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_mul is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_mul_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_mul_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_ne(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_ne is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_ne_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_ne_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_neg(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_neg is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_ones(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_ones is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_pow(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_pow is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_pow_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_pow_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_relu(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_relu is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_rsqrt(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_rsqrt is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sdpa(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sdpa is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_select_scatter(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_select_scatter is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sigmoid(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sigmoid is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_silu(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_silu is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sin(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sin is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_slice_scatter(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_slice_scatter is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_softmax(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_softmax is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sqrt(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sqrt is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_stack(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_stack is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sub(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sub is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sub_scalar(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sub_scalar is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_sum(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_sum is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_tanh(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_tanh is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_to(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_to is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_where(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_where is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_zeros(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_zeros is not written yet"); }
__attribute__((weak)) xp_status xp_cpu_zeros_like(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_cpu_zeros_like is not written yet"); }
__attribute__((weak)) xp_status xp_view_expand(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_expand is not written yet"); }
__attribute__((weak)) xp_status xp_view_flatten(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_flatten is not written yet"); }
__attribute__((weak)) xp_status xp_view_permute(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_permute is not written yet"); }
__attribute__((weak)) xp_status xp_view_reshape(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_reshape is not written yet"); }
__attribute__((weak)) xp_status xp_view_select(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_select is not written yet"); }
__attribute__((weak)) xp_status xp_view_slice(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_slice is not written yet"); }
__attribute__((weak)) xp_status xp_view_squeeze(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_squeeze is not written yet"); }
__attribute__((weak)) xp_status xp_view_t(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_t is not written yet"); }
__attribute__((weak)) xp_status xp_view_transpose(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_transpose is not written yet"); }
__attribute__((weak)) xp_status xp_view_unsqueeze(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_unsqueeze is not written yet"); }
__attribute__((weak)) xp_status xp_view_view(const xp_call *call) { (void)call; return xp_error(XP_ERR_UNSUPPORTED, "xp_view_view is not written yet"); }
