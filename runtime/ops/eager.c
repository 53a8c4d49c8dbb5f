/*
 * The public eager op functions of xport.h: thin wrappers that pack their
 * arguments as xp_arg values in schema order (ops.def) and call
 * xp_dispatch. Every argument is passed explicitly, defaults included, so a
 * wrapper reads like the schema it calls.
 */
#include "ops/xp_registry.h"

#define T(x) xp_arg_tensor(x)
#define I(x) xp_arg_int(x)
#define F(x) xp_arg_float(x)
#define B(x) xp_arg_bool(x)
#define DT(x) xp_arg_dtype(x)
#define NONE xp_arg_none()
#define INTS(n, v) xp_arg_ints((n), (v))
/* a symmetric int[2] argument */
#define PAIR(v) xp_arg_ints(2, (const xp_dim[]){(v), (v)})

#define CALL(op, ...)                                                                                \
    do {                                                                                             \
        const xp_arg args_[] = {__VA_ARGS__};                                                        \
        return xp_dispatch(XP_OP_##op, args_, (int)(sizeof args_ / sizeof args_[0]));               \
    } while (0)

/* A (count, pointer) pair from the caller: a bad one is reported here,
 * naming the op, before it reaches the schema binder. */
static bool bad_list(const char *op, const char *what, int n, const void *v) {
    if (n < 0) {
        xp_error(XP_ERR_INVALID_ARG, "%s: %s count is negative (%d)", op, what, n);
        return true;
    }
    if (n > 0 && !v) {
        xp_error(XP_ERR_INVALID_ARG, "%s: %s is NULL with count %d", op, what, n);
        return true;
    }
    return false;
}

/* ---- elementwise binary ---- */

xp_tensor *xp_add(xp_tensor *a, xp_tensor *b) { CALL(add, T(a), T(b)); }
xp_tensor *xp_sub(xp_tensor *a, xp_tensor *b) { CALL(sub, T(a), T(b)); }
xp_tensor *xp_mul(xp_tensor *a, xp_tensor *b) { CALL(mul, T(a), T(b)); }
xp_tensor *xp_div(xp_tensor *a, xp_tensor *b) { CALL(div, T(a), T(b)); }
xp_tensor *xp_pow(xp_tensor *a, xp_tensor *b) { CALL(pow, T(a), T(b)); }
xp_tensor *xp_add_scalar(xp_tensor *a, double s) { CALL(add_scalar, T(a), F(s)); }
xp_tensor *xp_sub_scalar(xp_tensor *a, double s) { CALL(sub_scalar, T(a), F(s)); }
xp_tensor *xp_mul_scalar(xp_tensor *a, double s) { CALL(mul_scalar, T(a), F(s)); }
xp_tensor *xp_div_scalar(xp_tensor *a, double s) { CALL(div_scalar, T(a), F(s)); }
xp_tensor *xp_pow_scalar(xp_tensor *a, double s) { CALL(pow_scalar, T(a), F(s)); }

xp_tensor *xp_add_(xp_tensor *a, xp_tensor *b) { CALL(add_, T(a), T(b)); }
xp_tensor *xp_sub_(xp_tensor *a, xp_tensor *b) { CALL(sub_, T(a), T(b)); }
xp_tensor *xp_mul_(xp_tensor *a, xp_tensor *b) { CALL(mul_, T(a), T(b)); }
xp_tensor *xp_div_(xp_tensor *a, xp_tensor *b) { CALL(div_, T(a), T(b)); }
xp_tensor *xp_add_scalar_(xp_tensor *a, double s) { CALL(add_scalar_, T(a), F(s)); }
xp_tensor *xp_mul_scalar_(xp_tensor *a, double s) { CALL(mul_scalar_, T(a), F(s)); }

/* ---- elementwise unary ---- */

xp_tensor *xp_neg(xp_tensor *x) { CALL(neg, T(x)); }
xp_tensor *xp_abs(xp_tensor *x) { CALL(abs, T(x)); }
xp_tensor *xp_exp(xp_tensor *x) { CALL(exp, T(x)); }
xp_tensor *xp_log(xp_tensor *x) { CALL(log, T(x)); }
xp_tensor *xp_sqrt(xp_tensor *x) { CALL(sqrt, T(x)); }
xp_tensor *xp_rsqrt(xp_tensor *x) { CALL(rsqrt, T(x)); }
xp_tensor *xp_sin(xp_tensor *x) { CALL(sin, T(x)); }
xp_tensor *xp_cos(xp_tensor *x) { CALL(cos, T(x)); }
xp_tensor *xp_tanh(xp_tensor *x) { CALL(tanh, T(x)); }
xp_tensor *xp_sigmoid(xp_tensor *x) { CALL(sigmoid, T(x)); }
xp_tensor *xp_relu(xp_tensor *x) { CALL(relu, T(x)); }
xp_tensor *xp_relu_(xp_tensor *x) { CALL(relu_, T(x)); }
xp_tensor *xp_gelu(xp_tensor *x) { CALL(gelu, T(x)); }
xp_tensor *xp_silu(xp_tensor *x) { CALL(silu, T(x)); }

/* ---- comparisons and selection ---- */

xp_tensor *xp_eq(xp_tensor *a, xp_tensor *b) { CALL(eq, T(a), T(b)); }
xp_tensor *xp_ne(xp_tensor *a, xp_tensor *b) { CALL(ne, T(a), T(b)); }
xp_tensor *xp_lt(xp_tensor *a, xp_tensor *b) { CALL(lt, T(a), T(b)); }
xp_tensor *xp_le(xp_tensor *a, xp_tensor *b) { CALL(le, T(a), T(b)); }
xp_tensor *xp_gt(xp_tensor *a, xp_tensor *b) { CALL(gt, T(a), T(b)); }
xp_tensor *xp_ge(xp_tensor *a, xp_tensor *b) { CALL(ge, T(a), T(b)); }
xp_tensor *xp_eq_scalar(xp_tensor *a, double s) { CALL(eq_scalar, T(a), F(s)); }
xp_tensor *xp_ne_scalar(xp_tensor *a, double s) { CALL(ne_scalar, T(a), F(s)); }
xp_tensor *xp_lt_scalar(xp_tensor *a, double s) { CALL(lt_scalar, T(a), F(s)); }
xp_tensor *xp_le_scalar(xp_tensor *a, double s) { CALL(le_scalar, T(a), F(s)); }
xp_tensor *xp_gt_scalar(xp_tensor *a, double s) { CALL(gt_scalar, T(a), F(s)); }
xp_tensor *xp_ge_scalar(xp_tensor *a, double s) { CALL(ge_scalar, T(a), F(s)); }
xp_tensor *xp_where(xp_tensor *cond, xp_tensor *a, xp_tensor *b) { CALL(where, T(cond), T(a), T(b)); }

/* ---- reductions ---- */

xp_tensor *xp_sum(xp_tensor *x) { CALL(sum, T(x), NONE, B(false)); }
xp_tensor *xp_sum_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim) {
    if (bad_list("sum", "dims", n, dims)) return NULL;
    CALL(sum, T(x), INTS(n, dims), B(keepdim));
}
xp_tensor *xp_mean(xp_tensor *x) { CALL(mean, T(x), NONE, B(false)); }
xp_tensor *xp_mean_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim) {
    if (bad_list("mean", "dims", n, dims)) return NULL;
    CALL(mean, T(x), INTS(n, dims), B(keepdim));
}
xp_tensor *xp_amax(xp_tensor *x) { CALL(amax, T(x), NONE, B(false)); }
xp_tensor *xp_amax_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim) {
    if (bad_list("amax", "dims", n, dims)) return NULL;
    CALL(amax, T(x), INTS(n, dims), B(keepdim));
}
xp_tensor *xp_amin(xp_tensor *x) { CALL(amin, T(x), NONE, B(false)); }
xp_tensor *xp_amin_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim) {
    if (bad_list("amin", "dims", n, dims)) return NULL;
    CALL(amin, T(x), INTS(n, dims), B(keepdim));
}
xp_tensor *xp_argmax(xp_tensor *x) { CALL(argmax, T(x), NONE, B(false)); }
xp_tensor *xp_argmax_dim(xp_tensor *x, int64_t dim, bool keepdim) { CALL(argmax, T(x), I(dim), B(keepdim)); }
xp_tensor *xp_softmax(xp_tensor *x, int64_t dim) { CALL(softmax, T(x), I(dim)); }
xp_tensor *xp_log_softmax(xp_tensor *x, int64_t dim) { CALL(log_softmax, T(x), I(dim)); }

/* ---- linear algebra ---- */

xp_tensor *xp_mm(xp_tensor *a, xp_tensor *b) { CALL(mm, T(a), T(b)); }
xp_tensor *xp_bmm(xp_tensor *a, xp_tensor *b) { CALL(bmm, T(a), T(b)); }
xp_tensor *xp_matmul(xp_tensor *a, xp_tensor *b) { CALL(matmul, T(a), T(b)); }
xp_tensor *xp_addmm(xp_tensor *bias, xp_tensor *a, xp_tensor *b) { CALL(addmm, T(bias), T(a), T(b), F(1.0), F(1.0)); }
/* bias NULL is the optional `Tensor? bias=None` */
xp_tensor *xp_linear(xp_tensor *x, xp_tensor *weight, xp_tensor *bias) { CALL(linear, T(x), T(weight), T(bias)); }

/* ---- shapes and views ---- */

xp_tensor *xp_t(xp_tensor *x) { CALL(t, T(x)); }
xp_tensor *xp_transpose(xp_tensor *x, int64_t dim0, int64_t dim1) { CALL(transpose, T(x), I(dim0), I(dim1)); }
xp_tensor *xp_permute(xp_tensor *x, int n, const int64_t *dims) {
    if (bad_list("permute", "dims", n, dims)) return NULL;
    CALL(permute, T(x), INTS(n, dims));
}
xp_tensor *xp_reshape(xp_tensor *x, int n, const int64_t *shape) {
    if (bad_list("reshape", "shape", n, shape)) return NULL;
    CALL(reshape, T(x), INTS(n, shape));
}
xp_tensor *xp_view(xp_tensor *x, int n, const int64_t *shape) {
    if (bad_list("view", "shape", n, shape)) return NULL;
    CALL(view, T(x), INTS(n, shape));
}
xp_tensor *xp_flatten(xp_tensor *x, int64_t start_dim, int64_t end_dim) {
    CALL(flatten, T(x), I(start_dim), I(end_dim));
}
xp_tensor *xp_unsqueeze(xp_tensor *x, int64_t dim) { CALL(unsqueeze, T(x), I(dim)); }
xp_tensor *xp_squeeze(xp_tensor *x) { CALL(squeeze, T(x), NONE); }
xp_tensor *xp_squeeze_dim(xp_tensor *x, int64_t dim) {
    const xp_dim d[1] = {dim};
    CALL(squeeze, T(x), INTS(1, d));
}
xp_tensor *xp_expand(xp_tensor *x, int n, const int64_t *shape) {
    if (bad_list("expand", "shape", n, shape)) return NULL;
    CALL(expand, T(x), INTS(n, shape));
}
xp_tensor *xp_contiguous(xp_tensor *x) { CALL(contiguous, T(x)); }
/* XP_END (INT64_MAX) passes through as a plain int; the shape function clamps */
xp_tensor *xp_slice(xp_tensor *x, int64_t dim, int64_t start, int64_t end, int64_t step) {
    CALL(slice, T(x), I(dim), I(start), I(end), I(step));
}
xp_tensor *xp_select(xp_tensor *x, int64_t dim, int64_t index) { CALL(select, T(x), I(dim), I(index)); }

/* ---- joining, scattering, copying ---- */

xp_tensor *xp_cat(int n, xp_tensor *const *tensors, int64_t dim) {
    if (bad_list("cat", "tensors", n, tensors)) return NULL;
    CALL(cat, xp_arg_tensors(n, tensors), I(dim));
}
xp_tensor *xp_stack(int n, xp_tensor *const *tensors, int64_t dim) {
    if (bad_list("stack", "tensors", n, tensors)) return NULL;
    CALL(stack, xp_arg_tensors(n, tensors), I(dim));
}
xp_tensor *xp_copy_(xp_tensor *dst, xp_tensor *src) { CALL(copy_, T(dst), T(src)); }
xp_tensor *xp_slice_scatter(xp_tensor *x, xp_tensor *src, int64_t dim, int64_t start, int64_t end, int64_t step) {
    CALL(slice_scatter, T(x), T(src), I(dim), I(start), I(end), I(step));
}
xp_tensor *xp_select_scatter(xp_tensor *x, xp_tensor *src, int64_t dim, int64_t index) {
    CALL(select_scatter, T(x), T(src), I(dim), I(index));
}
xp_tensor *xp_embedding(xp_tensor *weight, xp_tensor *indices) { CALL(embedding, T(weight), T(indices)); }

/* ---- normalization ---- */

xp_tensor *xp_layer_norm(xp_tensor *x, int n, const int64_t *normalized_shape, xp_tensor *weight, xp_tensor *bias,
                         double eps) {
    if (bad_list("layer_norm", "normalized_shape", n, normalized_shape)) return NULL;
    CALL(layer_norm, T(x), INTS(n, normalized_shape), T(weight), T(bias), F(eps));
}
xp_tensor *xp_batch_norm(xp_tensor *x, xp_tensor *weight, xp_tensor *bias, xp_tensor *running_mean,
                         xp_tensor *running_var, double eps) {
    CALL(batch_norm, T(x), T(weight), T(bias), T(running_mean), T(running_var), F(eps));
}

/* ---- convolution and pooling ---- */

xp_tensor *xp_conv2d(xp_tensor *x, xp_tensor *weight, xp_tensor *bias, int64_t stride, int64_t padding,
                     int64_t dilation, int64_t groups) {
    CALL(conv2d, T(x), T(weight), T(bias), PAIR(stride), PAIR(padding), PAIR(dilation), I(groups));
}
/* dilation 1, ceil_mode false */
xp_tensor *xp_max_pool2d(xp_tensor *x, int64_t kernel, int64_t stride, int64_t padding) {
    CALL(max_pool2d, T(x), PAIR(kernel), PAIR(stride), PAIR(padding), PAIR(1), B(false));
}
/* ceil_mode false, count_include_pad true (PyTorch's defaults) */
xp_tensor *xp_avg_pool2d(xp_tensor *x, int64_t kernel, int64_t stride, int64_t padding) {
    CALL(avg_pool2d, T(x), PAIR(kernel), PAIR(stride), PAIR(padding), B(false), B(true));
}
xp_tensor *xp_adaptive_avg_pool2d(xp_tensor *x, int64_t out_h, int64_t out_w) {
    CALL(adaptive_avg_pool2d, T(x), INTS(2, ((const xp_dim[]){out_h, out_w})));
}

/* ---- attention ---- */

/* mask NULL is `attn_mask=None`; scale None means 1/sqrt(E) */
xp_tensor *xp_scaled_dot_product_attention(xp_tensor *q, xp_tensor *k, xp_tensor *v, xp_tensor *mask,
                                           bool is_causal) {
    CALL(scaled_dot_product_attention, T(q), T(k), T(v), T(mask), B(is_causal), NONE);
}

/* ---- dtype cast, constructors ---- */

xp_tensor *xp_to(xp_tensor *x, xp_dtype dt) { CALL(to, T(x), DT(dt)); }
xp_tensor *xp_full(xp_dtype dt, int n, const int64_t *shape, double value) {
    if (bad_list("full", "shape", n, shape)) return NULL;
    CALL(full, INTS(n, shape), F(value), DT(dt));
}
xp_tensor *xp_zeros(xp_dtype dt, int n, const int64_t *shape) {
    if (bad_list("zeros", "shape", n, shape)) return NULL;
    CALL(zeros, INTS(n, shape), DT(dt));
}
xp_tensor *xp_ones(xp_dtype dt, int n, const int64_t *shape) {
    if (bad_list("ones", "shape", n, shape)) return NULL;
    CALL(ones, INTS(n, shape), DT(dt));
}
xp_tensor *xp_empty(xp_dtype dt, int n, const int64_t *shape) {
    if (bad_list("empty", "shape", n, shape)) return NULL;
    CALL(empty, INTS(n, shape), DT(dt));
}
xp_tensor *xp_empty_like(xp_tensor *x) { CALL(empty_like, T(x)); }
xp_tensor *xp_arange(xp_dtype dt, int64_t start, int64_t end, int64_t step) {
    CALL(arange, I(start), I(end), I(step), DT(dt));
}
