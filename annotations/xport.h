/*
 * xport.h — the public C API of xport: tensors, eager ops, exported programs.
 *
 * Conventions (DESIGN §1):
 *  - Ops are named after their PyTorch counterparts; a scalar operand form
 *    ends in `_scalar`, an in-place form ends in `_` (always last).
 *  - Arrays are passed as a count, then a pointer: xp_reshape(x, 2, dims).
 *    XP_DIMS(...) and XP_TENSORS(...) expand to that pair.
 *  - Every op returns a new tensor (or a view, for view ops) or NULL on
 *    error; the message is in xp_last_error(). A NULL argument makes an op
 *    return NULL without replacing the first error, so chained calls
 *    (xp_relu(xp_add(x, y))) report the failure that started the chain.
 *  - Tensors created while an arena scope is open belong to that scope and
 *    are freed by xp_scope_pop(); xp_keep(t) moves one out to the caller.
 */
#ifndef XPORT_H
#define XPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status and errors ------------------------------------------------ */

typedef enum xp_status {
    XP_OK = 0,
    XP_ERR_INVALID_ARG,   /* a bad argument: NULL, out-of-range dim, bad name */
    XP_ERR_SHAPE,         /* shapes do not agree (broadcast, matmul, reshape) */
    XP_ERR_DTYPE,         /* dtype not supported by the op or mismatched */
    XP_ERR_GUARD,         /* an input violates the program's guards */
    XP_ERR_IO,            /* open/read/write/mmap failed */
    XP_ERR_FORMAT,        /* a malformed file (.xpg, .safetensors, .npy) */
    XP_ERR_NOT_FOUND,     /* unknown op, missing weight, unknown program */
    XP_ERR_UNSUPPORTED,   /* valid request this build cannot do */
    XP_ERR_OOM,
    XP_ERR_DATA_DEPENDENT,/* reading tensor data while tracing */
    XP_ERR_INTERNAL       /* a broken invariant inside xport: a bug */
} xp_status;

/* The message of the most recent failure on this thread ("" if none). */
const char *xp_last_error(void);
/* The status of the most recent failure on this thread. */
xp_status xp_last_status(void);
void xp_clear_error(void);
const char *xp_status_name(xp_status st);

/* ---- dtypes ------------------------------------------------------------ */

typedef enum xp_dtype {
    XP_F32 = 0, XP_F64, XP_F16, XP_BF16, XP_I64, XP_I32, XP_I8, XP_U8, XP_BOOL,
    XP_DTYPE_COUNT
} xp_dtype;

/* "f32", "f64", ... as written in pragmas and files. */
const char *xp_dtype_name(xp_dtype dt);
/* Parses "f32" etc.; returns false for an unknown name. */
bool xp_dtype_from_name(const char *name, xp_dtype *out);
size_t xp_dtype_size(xp_dtype dt);

/* ---- tensors ----------------------------------------------------------- */

typedef struct xp_tensor xp_tensor;

#define XP_MAX_DIMS 8
/* "to the end" for xp_slice, like Python's x[a:]. */
#define XP_END INT64_MAX

#define XP_NARGS_(...) (sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
/* XP_DIMS(2, 3) expands to the (count, pointer) pair: 2, (int64_t[]){2, 3}. */
#define XP_DIMS(...) (int)XP_NARGS_(__VA_ARGS__), (const int64_t[]){__VA_ARGS__}
#define XP_TENSORS(...) \
    (int)(sizeof((xp_tensor *[]){__VA_ARGS__}) / sizeof(xp_tensor *)), (xp_tensor *const[]){__VA_ARGS__}

/* A zero-filled contiguous tensor. */
xp_tensor *xp_tensor_new(xp_dtype dt, int ndim, const int64_t *shape);
/* A contiguous tensor holding a copy of `data` (numel * dtype size bytes). */
xp_tensor *xp_tensor_from(xp_dtype dt, int ndim, const int64_t *shape, const void *data);
/* Frees the tensor header; storage is freed when no view refers to it.
 * Freeing a tensor owned by an open scope removes it from the scope. */
void xp_tensor_free(xp_tensor *t);

/* Pointer to element [0, ..., 0] (honours the view's offset). Data-dependent
 * at export time: the plugin rejects it and the tracer reports it. */
void *xp_data(xp_tensor *t);
int xp_ndim(const xp_tensor *t);
/* Size of dim d; negative d counts from the end. */
int64_t xp_size(const xp_tensor *t, int d);
/* Stride of dim d in elements. */
int64_t xp_stride(const xp_tensor *t, int d);
int64_t xp_numel(const xp_tensor *t);
xp_dtype xp_dtype_of(const xp_tensor *t);
bool xp_is_contiguous(const xp_tensor *t);
/* True when a and b view the same storage. */
bool xp_shares_storage(const xp_tensor *a, const xp_tensor *b);

/* Data-dependent reads of a one-element tensor (any dtype, converted). */
float xp_item_f32(xp_tensor *t);
double xp_item_f64(xp_tensor *t);
int64_t xp_item_i64(xp_tensor *t);
bool xp_item_bool(xp_tensor *t);

/* A tensor's weight name (access path, "lin.weight"): xp_export_trace
 * makes a named tensor that a traced function reads a PARAMETER input with
 * that target (a BUFFER when marked, or when the function writes to it).
 * Tensors from xp_safetensors_get carry their name in the file; a loader of
 * its own names its tensors with xp_tensor_set_name. The name is copied;
 * NULL removes it. Eager ops ignore names; views and results are unnamed. */
xp_status xp_tensor_set_name(xp_tensor *t, const char *name);
const char *xp_tensor_name(const xp_tensor *t); /* NULL when unnamed */
/* Marks a named tensor as non-trainable state (torch's register_buffer):
 * traced, it becomes a BUFFER input, and writes to it BUFFER_MUTATIONs. */
xp_status xp_tensor_mark_buffer(xp_tensor *t);
bool xp_tensor_is_buffer(const xp_tensor *t);

/* ---- arena scopes for eager intermediates ------------------------------ */

typedef struct xp_scope xp_scope;
xp_scope *xp_scope_push(void);
/* Frees every tensor created since the matching push that was not kept.
 * Scopes must be popped in LIFO order; popping a scope with inner scopes
 * still open reports the misuse on stderr and pops (frees) those too. */
void xp_scope_pop(xp_scope *scope);
/* Moves t out of the innermost scope into its parent (or to the caller when
 * there is no parent). Returns t. */
xp_tensor *xp_keep(xp_tensor *t);

/* ---- eager ops ---------------------------------------------------------- */

/* elementwise binary, with broadcasting and type promotion */
xp_tensor *xp_add(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_sub(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_mul(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_div(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_pow(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_add_scalar(xp_tensor *a, double s);
xp_tensor *xp_sub_scalar(xp_tensor *a, double s);
xp_tensor *xp_mul_scalar(xp_tensor *a, double s);
xp_tensor *xp_div_scalar(xp_tensor *a, double s);
xp_tensor *xp_pow_scalar(xp_tensor *a, double s);
/* in place: write into a (through views), return a */
xp_tensor *xp_add_(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_sub_(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_mul_(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_div_(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_add_scalar_(xp_tensor *a, double s);
xp_tensor *xp_mul_scalar_(xp_tensor *a, double s);

/* elementwise unary */
xp_tensor *xp_neg(xp_tensor *x);
xp_tensor *xp_abs(xp_tensor *x);
xp_tensor *xp_exp(xp_tensor *x);
xp_tensor *xp_log(xp_tensor *x);
xp_tensor *xp_sqrt(xp_tensor *x);
xp_tensor *xp_rsqrt(xp_tensor *x);
xp_tensor *xp_sin(xp_tensor *x);
xp_tensor *xp_cos(xp_tensor *x);
xp_tensor *xp_tanh(xp_tensor *x);
xp_tensor *xp_sigmoid(xp_tensor *x);
xp_tensor *xp_relu(xp_tensor *x);
xp_tensor *xp_relu_(xp_tensor *x);
xp_tensor *xp_gelu(xp_tensor *x);   /* exact (erf) form, PyTorch's default */
xp_tensor *xp_silu(xp_tensor *x);
xp_tensor *xp_erf(xp_tensor *x);    /* the Gauss error function */

/* comparisons (result XP_BOOL) and selection */
xp_tensor *xp_eq(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_ne(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_lt(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_le(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_gt(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_ge(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_eq_scalar(xp_tensor *a, double s);
xp_tensor *xp_ne_scalar(xp_tensor *a, double s);
xp_tensor *xp_lt_scalar(xp_tensor *a, double s);
xp_tensor *xp_le_scalar(xp_tensor *a, double s);
xp_tensor *xp_gt_scalar(xp_tensor *a, double s);
xp_tensor *xp_ge_scalar(xp_tensor *a, double s);
xp_tensor *xp_where(xp_tensor *cond, xp_tensor *a, xp_tensor *b);

/* reductions: the plain form reduces everything, _dims the listed dims */
xp_tensor *xp_sum(xp_tensor *x);
xp_tensor *xp_sum_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim);
xp_tensor *xp_mean(xp_tensor *x);
xp_tensor *xp_mean_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim);
xp_tensor *xp_amax(xp_tensor *x);
xp_tensor *xp_amax_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim);
xp_tensor *xp_amin(xp_tensor *x);
xp_tensor *xp_amin_dims(xp_tensor *x, int n, const int64_t *dims, bool keepdim);
xp_tensor *xp_argmax(xp_tensor *x);                               /* flat index, i64 */
xp_tensor *xp_argmax_dim(xp_tensor *x, int64_t dim, bool keepdim); /* i64 */
xp_tensor *xp_softmax(xp_tensor *x, int64_t dim);
xp_tensor *xp_log_softmax(xp_tensor *x, int64_t dim);

/* linear algebra */
xp_tensor *xp_mm(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_bmm(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_matmul(xp_tensor *a, xp_tensor *b);
xp_tensor *xp_addmm(xp_tensor *bias, xp_tensor *a, xp_tensor *b);
/* x @ weight.T + bias; bias may be NULL */
xp_tensor *xp_linear(xp_tensor *x, xp_tensor *weight, xp_tensor *bias);

/* shape and views (views share storage with their input) */
xp_tensor *xp_t(xp_tensor *x);
xp_tensor *xp_transpose(xp_tensor *x, int64_t dim0, int64_t dim1);
xp_tensor *xp_permute(xp_tensor *x, int n, const int64_t *dims);
xp_tensor *xp_reshape(xp_tensor *x, int n, const int64_t *shape); /* view when possible */
xp_tensor *xp_view(xp_tensor *x, int n, const int64_t *shape);    /* always a view */
xp_tensor *xp_flatten(xp_tensor *x, int64_t start_dim, int64_t end_dim);
xp_tensor *xp_unsqueeze(xp_tensor *x, int64_t dim);
xp_tensor *xp_squeeze(xp_tensor *x);                 /* all size-1 dims */
xp_tensor *xp_squeeze_dim(xp_tensor *x, int64_t dim);
xp_tensor *xp_expand(xp_tensor *x, int n, const int64_t *shape); /* -1 keeps a size */
xp_tensor *xp_contiguous(xp_tensor *x);
xp_tensor *xp_slice(xp_tensor *x, int64_t dim, int64_t start, int64_t end, int64_t step);
xp_tensor *xp_select(xp_tensor *x, int64_t dim, int64_t index);

/* joining, scattering, copying */
xp_tensor *xp_cat(int n, xp_tensor *const *tensors, int64_t dim);
xp_tensor *xp_stack(int n, xp_tensor *const *tensors, int64_t dim);
/* Copies src (broadcast, converted) into dst through dst's view; returns dst. */
xp_tensor *xp_copy_(xp_tensor *dst, xp_tensor *src);
xp_tensor *xp_slice_scatter(xp_tensor *x, xp_tensor *src, int64_t dim, int64_t start, int64_t end,
                            int64_t step);
xp_tensor *xp_select_scatter(xp_tensor *x, xp_tensor *src, int64_t dim, int64_t index);
xp_tensor *xp_embedding(xp_tensor *weight, xp_tensor *indices);

/* normalization */
xp_tensor *xp_layer_norm(xp_tensor *x, int n, const int64_t *normalized_shape, xp_tensor *weight,
                         xp_tensor *bias, double eps);
/* inference form: normalizes with running statistics */
xp_tensor *xp_batch_norm(xp_tensor *x, xp_tensor *weight, xp_tensor *bias, xp_tensor *running_mean,
                         xp_tensor *running_var, double eps);

/* convolution and pooling (NCHW; symmetric stride/padding/dilation) */
xp_tensor *xp_conv2d(xp_tensor *x, xp_tensor *weight, xp_tensor *bias, int64_t stride, int64_t padding,
                     int64_t dilation, int64_t groups);
xp_tensor *xp_max_pool2d(xp_tensor *x, int64_t kernel, int64_t stride, int64_t padding);
xp_tensor *xp_avg_pool2d(xp_tensor *x, int64_t kernel, int64_t stride, int64_t padding);
xp_tensor *xp_adaptive_avg_pool2d(xp_tensor *x, int64_t out_h, int64_t out_w);

/* attention: softmax(q k^T * scale + mask) v, scale = 1/sqrt(E); mask may be NULL */
xp_tensor *xp_scaled_dot_product_attention(xp_tensor *q, xp_tensor *k, xp_tensor *v, xp_tensor *mask,
                                           bool is_causal);

/* dtype cast */
xp_tensor *xp_to(xp_tensor *x, xp_dtype dt);

/* constructors (dtype first, then the shape pair) */
xp_tensor *xp_full(xp_dtype dt, int n, const int64_t *shape, double value);
xp_tensor *xp_zeros(xp_dtype dt, int n, const int64_t *shape);
xp_tensor *xp_ones(xp_dtype dt, int n, const int64_t *shape);
xp_tensor *xp_empty(xp_dtype dt, int n, const int64_t *shape);
xp_tensor *xp_empty_like(xp_tensor *x);
xp_tensor *xp_arange(xp_dtype dt, int64_t start, int64_t end, int64_t step);

/* ---- control flow as functions (DESIGN §5; torch.cond / torch.map) -------
 * Eagerly these just run: xp_cond reads pred (a one-element bool tensor)
 * and calls one branch; xp_map calls fn on each slice of xs along dim 0 and
 * stacks the results. The Clang plugin captures calls whose functions are
 * defined in the translation unit as one cond / map node; xp_export_trace
 * records the same node (both branches traced, or fn once on a slice;
 * pred is not read). */
typedef xp_tensor *(*xp_branch_fn)(int n, xp_tensor *const *operands);
typedef xp_tensor *(*xp_map_fn)(xp_tensor *slice, int n, xp_tensor *const *extras);
xp_tensor *xp_cond(xp_tensor *pred, xp_branch_fn true_fn, xp_branch_fn false_fn, int n, xp_tensor *const *operands);
xp_tensor *xp_map(xp_map_fn fn, xp_tensor *xs, int n, xp_tensor *const *extras);

/* ---- exported programs (DESIGN §5) ------------------------------------- */

typedef struct xp_program xp_program;

xp_status xp_program_load(const char *path, xp_program **out);
/* Parses a program from JSON text in memory (what the plugin embeds). */
xp_status xp_program_load_json(const char *json, size_t len, xp_program **out);
xp_status xp_program_save(const xp_program *p, const char *path);
void xp_program_free(xp_program *p);
const char *xp_program_name(const xp_program *p);

/* Programs embedded by the Clang plugin. Compiling a file that defines
 * `#pragma xport export` function forward with -fplugin=xport.so (xport-cc
 * does this) puts the program into the object's "xport_programs" section;
 *
 *     xp_program_load_embedded(XP_PROGRAM(forward), &p)
 *
 * finds it there at run time, with no file. XP_PROGRAM reads the section of
 * the executable or shared library it is written in (its bounds are hidden
 * symbols), so use it in the same binary as the model's object. Built
 * without the plugin, everything still links and loading reports
 * "forward was not exported: ...". */
typedef struct xp_embedded {
    const char *name;  /* the exported function's name */
    const char *begin; /* the section's bounds in this binary (NULL: none) */
    const char *end;
} xp_embedded;

#if defined(__GNUC__) && defined(__ELF__)
/* Defined by the linker when some object has the section; weak so that a
 * binary without exported programs links, and hidden so that each binary
 * sees its own section. */
extern const char __start_xport_programs[] __attribute__((weak, visibility("hidden")));
extern const char __stop_xport_programs[] __attribute__((weak, visibility("hidden")));
static inline xp_embedded xp_embedded_in_this_binary_(const char *name) {
    xp_embedded e;
    e.name = name;
    e.begin = __start_xport_programs;
    e.end = __stop_xport_programs;
    return e;
}
#else
static inline xp_embedded xp_embedded_in_this_binary_(const char *name) {
    xp_embedded e;
    e.name = name;
    e.begin = NULL;
    e.end = NULL;
    return e;
}
#endif
#define XP_PROGRAM(name) xp_embedded_in_this_binary_(#name)

/* Loads embedded program e.name (see XP_PROGRAM). */
xp_status xp_program_load_embedded(xp_embedded e, xp_program **out);

/* Custom ops (docs/custom-ops.md). The plugin compiles
 *
 *     #pragma xport op("my_lib::custom_op(Tensor input) -> Tensor")
 *     xp_tensor *custom_op(xp_tensor *input) { ... }
 *
 * into a constructor that calls xp_op_register_linked("my_lib::custom_op(...)",
 * (void (*)(void))custom_op, "file.c"), so linking the op's object (or
 * dlopening a shared library built with the plugin) registers its
 * implementation before main. Problems are reported when a program using
 * the op is loaded. */
void xp_op_register_linked(const char *schema, void (*impl)(void), const char *source);

/* Prints the program as `xport show` does. */
void xp_program_print(const xp_program *p, FILE *f);
/* Writes the graph in Graphviz dot syntax. */
void xp_program_print_dot(const xp_program *p, FILE *f);

/* Binds PARAMETER/BUFFER/CONSTANT inputs from a .safetensors file; names,
 * dtypes and shapes must match the signature exactly. */
xp_status xp_program_bind_weights(xp_program *p, const char *safetensors_path);
/* Binds one named parameter/buffer from a tensor (copied). */
xp_status xp_program_bind_tensor(xp_program *p, const char *target, const xp_tensor *t);
/* The tensor bound to parameter or buffer `target` (its weight name), or
 * NULL with an error when p has none or it is not bound. It belongs to p
 * and carries `target` as its name (a buffer is marked as one), so a model
 * struct that holds it is traced by xp_export_trace with the same
 * PARAMETER/BUFFER inputs as p. */
xp_tensor *xp_program_weight(xp_program *p, const char *target);

/* Number of USER_INPUT / SYMINT inputs a run takes, and of USER_OUTPUTs. */
int xp_program_num_inputs(const xp_program *p);
int xp_program_num_outputs(const xp_program *p);
const char *xp_program_input_name(const xp_program *p, int i);
const char *xp_program_output_name(const xp_program *p, int i);

/* Runs the program. Inputs are the user inputs in signature order; outputs
 * are new tensors owned by the caller. USER_INPUT_MUTATION results are
 * written back into the caller's input tensors after a successful run. */
xp_status xp_program_run(xp_program *p, xp_tensor *const *inputs, int n_inputs, xp_tensor **outputs,
                         int n_outputs);

/* xp_program_run into tensors the caller made (of the outputs' dtypes and
 * shapes; a SYMINT output is a 0-d i64 tensor): the kernels write
 * contiguous host outputs in place, so a run with a shape seen before
 * allocates nothing (DESIGN §5). An output that is strided, returned
 * twice or an input of the program is copied in after the run; one that
 * shares storage with an input last, after every output that reads it.
 * On failure the outputs' contents are unspecified and no mutation is
 * applied. */
xp_status xp_program_run_into(xp_program *p, xp_tensor *const *inputs, int n_inputs, xp_tensor *const *outputs,
                              int n_outputs);

/* "cpu" (default) or "cuda"; an unavailable backend is an error. */
xp_status xp_program_set_backend(xp_program *p, const char *backend);

/* ---- non-strict export: tracing at run time (DESIGN §5) --------------- */

/* The traced function: inputs are the spec's `input`s, in spec order. */
typedef xp_tensor *(*xp_trace_fn)(void *user_data, xp_tensor *const *inputs);

/* Builds an exported program (named "forward") by calling fn on
 * shape-only tensors made from `spec` ("dim(batch, min=1, max=1024);
 * input(x, f32[batch, 100])", the pragma grammar of DESIGN §2; a dim
 * without min/max is [0, 2^61 - 1], as with the plugin; `input(n, int)`
 * passes a symbolic int as a 0-d i64 tensor that xp_item_i64 reads). fn
 * runs once for a static spec; with a dim, a few times more, at concrete
 * sizes, to check that no plain C condition on a size specialized the
 * program (docs/tracing.md, Size conditions): keep fn free of side
 * effects. Every op called
 * while fn runs is recorded, whatever its tensors (torch's non-strict
 * mode: the function runs as plain C, its non-tensor values are
 * constants). A concrete tensor reaching an op is a weight: a named one
 * (xp_tensor_set_name) a PARAMETER with its name as target (a BUFFER when
 * marked with xp_tensor_mark_buffer or written in place by fn), an unnamed
 * one a CONSTANT "lifted_tensor_N". Every weight's current data is bound
 * to the program (copied), so it runs as it is; xp_program_bind_weights
 * replaces them. fn's result is the USER_OUTPUT.
 *
 * While tracing, xp_size gives a symbolic size (an opaque int64_t handle)
 * for a dynamic dim: pass it to ops as it is, and compute with
 * xp_sym_add/sub/mul/div; plain C arithmetic on it yields a value that
 * ops reject with a message naming the dim. Reading tensor data (xp_data,
 * xp_item_*) is an error (XP_ERR_DATA_DEPENDENT) naming the call site: use
 * xp_cond. Such functions return normally (NULL, 0, NaN); the trace keeps
 * the first error, ignores the ops after it, and returns it here.
 * XPORT_LOG=dynamic (or all) prints each symbol and each rejected size on
 * stderr. Call sites are known when the model file defines
 * XPORT_CALL_SITES before including xport.h (see the end of this file).
 * A failed assert (abort) in fn fails the trace, not the process. */
xp_status xp_export_trace(xp_trace_fn fn, void *user_data, const char *spec, xp_program **out);

/* xp_export_trace for a function with several outputs (a struct's fields,
 * in order): fn writes them to outputs[0..n) and returns n (at most
 * XP_TRACE_MAX_OUTPUTS; negative when it failed). Each is a USER_OUTPUT. */
#define XP_TRACE_MAX_OUTPUTS 64
typedef int (*xp_trace_fn_n)(void *user_data, xp_tensor *const *inputs, xp_tensor **outputs);
xp_status xp_export_trace_n(xp_trace_fn_n fn, void *user_data, const char *spec, xp_program **out);

/* Size arithmetic that stays symbolic while tracing (plain integers
 * otherwise: then they are a + b, a - b, a * b and floor(a / b)). While
 * tracing, xp_sym_div by a constant is floor division; by a symbolic size
 * it must divide exactly (b*s*100 / b). A failure is a trace error. */
int64_t xp_sym_add(int64_t a, int64_t b);
int64_t xp_sym_sub(int64_t a, int64_t b);
int64_t xp_sym_mul(int64_t a, int64_t b);
int64_t xp_sym_div(int64_t a, int64_t b);

/* A size as a 0-d i64 tensor: how a run takes and returns integers (SYMINT
 * inputs and outputs). While tracing it stays symbolic: returned by the
 * traced function it is a SYMINT output (`n + 1` computed by the program
 * from its inputs' sizes); it is not an operand for ops. */
xp_tensor *xp_symint_tensor(int64_t v);

/* Size comparisons that stay symbolic while tracing (plain comparisons
 * otherwise): a == b, a != b, a < b, a <= b, a > b, a >= b. While tracing,
 * a relation the declared ranges decide gives its value and is listed as
 * a specialization of the program (as the plugin lists a decided `if`);
 * one they do not decide fails the trace with a message naming the dim,
 * its range and the bound that would decide it. Plain C comparisons of a
 * size are checked after the fact (docs/tracing.md, Size conditions); these
 * are decided where they happen. The Clang plugin captures them as the C
 * operators. */
bool xp_sym_eq(int64_t a, int64_t b);
bool xp_sym_ne(int64_t a, int64_t b);
bool xp_sym_lt(int64_t a, int64_t b);
bool xp_sym_le(int64_t a, int64_t b);
bool xp_sym_gt(int64_t a, int64_t b);
bool xp_sym_ge(int64_t a, int64_t b);

/* ---- decompositions and the op registry (DESIGN §4, §5) ---------------- */

/* A set of ops to decompose (torch's get_decompositions). */
typedef struct xp_decomp_table xp_decomp_table;

/* The table of the comma-separated op names in `ops` ("linear,t"; spaces
 * around names are ignored). Returns NULL with an error naming every name
 * that is unknown or has no decomposition (core, in-place and control-flow
 * ops). Free with xp_decomp_table_free. */
xp_decomp_table *xp_decomp_table_for(const char *ops);
void xp_decomp_table_free(xp_decomp_table *table);

/* Writes to *out a new program in which every node whose op is in `table`
 * (NULL: every op that has a decomposition, so only core ops remain) is
 * replaced by its decomposition, again and again until no such node is
 * left, cond branches included. The new program has the same signature
 * (input and output names, kinds, targets), range constraints, source
 * locations (each decomposition's nodes carry the location of the node
 * they replace), backend and bound weights; `p` is not changed. */
xp_status xp_program_run_decompositions(const xp_program *p, const xp_decomp_table *table, xp_program **out);

/* The registry, by op name ("add", "relu_"); false for an unknown name.
 * is_core: in the core opset every backend implements; is_mutable: writes
 * an argument (torch's op._schema.is_mutable); has_decomposition: the
 * full table (xp_program_run_decompositions with NULL) replaces it. */
bool xp_op_exists(const char *name);
bool xp_op_is_core(const char *name);
bool xp_op_is_mutable(const char *name);
bool xp_op_is_decomposable(const char *name);

/* ---- files ------------------------------------------------------------- */

/* .npy (NumPy format 1.0/2.0, little-endian, C order). */
xp_status xp_npy_load(const char *path, xp_tensor **out);
xp_status xp_npy_save(const char *path, const xp_tensor *t);

/* .safetensors: a whole file as a set of named tensors. */
typedef struct xp_safetensors xp_safetensors;
xp_status xp_safetensors_open(const char *path, xp_safetensors **out);
int xp_safetensors_count(const xp_safetensors *st);
const char *xp_safetensors_name(const xp_safetensors *st, int i);
/* A tensor viewing the file's bytes (zero-copy when aligned, else a copy);
 * it stays valid after xp_safetensors_close. */
xp_status xp_safetensors_get(xp_safetensors *st, const char *name, xp_tensor **out);
void xp_safetensors_close(xp_safetensors *st);
xp_status xp_safetensors_save(const char *path, int n, const char *const *names,
                              const xp_tensor *const *tensors);

/* ---- threads ----------------------------------------------------------- */

/* Threads used by CPU kernels: XP_NUM_THREADS, else OMP_NUM_THREADS, else
 * the number of cores. */
int xp_num_threads(void);
void xp_set_num_threads(int n);


/* ---- call sites for the tracer ------------------------------------------
 * A model file that defines XPORT_CALL_SITES before including xport.h gets
 * every op (and xp_data, xp_item_*, xp_sym_*) as a function-like macro
 * that, only while some thread is tracing (one load and a predicted
 * branch otherwise), pushes the caller's __FILE__ and __LINE__ on a
 * thread-local stack before the call and pops it after: the innermost
 * open call site is the one being handled, also for nested calls
 * (xp_relu(xp_add(x, y))). So traced nodes and trace errors carry
 * `model.c:12`. The names stay real functions: a name not followed by '('
 * (a function pointer, `(xp_add)(a, b)`) is not expanded. Off by default
 * because the Clang plugin captures the calls themselves and sees through
 * no such wrapper. */
extern int xp_trace_active_;
void xp_trace_push_site_(const char *file, int line);
void xp_trace_pop_site_(void);
#if defined(XPORT_CALL_SITES) && !defined(XP_NO_CALL_SITE_MACROS)
#define XP_AT_DONE_(suffix, type) \
    static inline type xp_at_done_##suffix##_(type r) { if (xp_trace_active_) xp_trace_pop_site_(); return r; }
XP_AT_DONE_(t, xp_tensor *)
XP_AT_DONE_(p, void *)
XP_AT_DONE_(f, float)
XP_AT_DONE_(d, double)
XP_AT_DONE_(i, int64_t)
XP_AT_DONE_(b, bool)
#define XP_AT_(done, call) ((xp_trace_active_ ? xp_trace_push_site_(__FILE__, __LINE__) : (void)0), done(call))
#define xp_add(...) XP_AT_(xp_at_done_t_, xp_add(__VA_ARGS__))
#define xp_sub(...) XP_AT_(xp_at_done_t_, xp_sub(__VA_ARGS__))
#define xp_mul(...) XP_AT_(xp_at_done_t_, xp_mul(__VA_ARGS__))
#define xp_div(...) XP_AT_(xp_at_done_t_, xp_div(__VA_ARGS__))
#define xp_pow(...) XP_AT_(xp_at_done_t_, xp_pow(__VA_ARGS__))
#define xp_add_scalar(...) XP_AT_(xp_at_done_t_, xp_add_scalar(__VA_ARGS__))
#define xp_sub_scalar(...) XP_AT_(xp_at_done_t_, xp_sub_scalar(__VA_ARGS__))
#define xp_mul_scalar(...) XP_AT_(xp_at_done_t_, xp_mul_scalar(__VA_ARGS__))
#define xp_div_scalar(...) XP_AT_(xp_at_done_t_, xp_div_scalar(__VA_ARGS__))
#define xp_pow_scalar(...) XP_AT_(xp_at_done_t_, xp_pow_scalar(__VA_ARGS__))
#define xp_add_(...) XP_AT_(xp_at_done_t_, xp_add_(__VA_ARGS__))
#define xp_sub_(...) XP_AT_(xp_at_done_t_, xp_sub_(__VA_ARGS__))
#define xp_mul_(...) XP_AT_(xp_at_done_t_, xp_mul_(__VA_ARGS__))
#define xp_div_(...) XP_AT_(xp_at_done_t_, xp_div_(__VA_ARGS__))
#define xp_add_scalar_(...) XP_AT_(xp_at_done_t_, xp_add_scalar_(__VA_ARGS__))
#define xp_mul_scalar_(...) XP_AT_(xp_at_done_t_, xp_mul_scalar_(__VA_ARGS__))
#define xp_neg(...) XP_AT_(xp_at_done_t_, xp_neg(__VA_ARGS__))
#define xp_abs(...) XP_AT_(xp_at_done_t_, xp_abs(__VA_ARGS__))
#define xp_exp(...) XP_AT_(xp_at_done_t_, xp_exp(__VA_ARGS__))
#define xp_log(...) XP_AT_(xp_at_done_t_, xp_log(__VA_ARGS__))
#define xp_sqrt(...) XP_AT_(xp_at_done_t_, xp_sqrt(__VA_ARGS__))
#define xp_rsqrt(...) XP_AT_(xp_at_done_t_, xp_rsqrt(__VA_ARGS__))
#define xp_sin(...) XP_AT_(xp_at_done_t_, xp_sin(__VA_ARGS__))
#define xp_cos(...) XP_AT_(xp_at_done_t_, xp_cos(__VA_ARGS__))
#define xp_tanh(...) XP_AT_(xp_at_done_t_, xp_tanh(__VA_ARGS__))
#define xp_sigmoid(...) XP_AT_(xp_at_done_t_, xp_sigmoid(__VA_ARGS__))
#define xp_relu(...) XP_AT_(xp_at_done_t_, xp_relu(__VA_ARGS__))
#define xp_relu_(...) XP_AT_(xp_at_done_t_, xp_relu_(__VA_ARGS__))
#define xp_gelu(...) XP_AT_(xp_at_done_t_, xp_gelu(__VA_ARGS__))
#define xp_silu(...) XP_AT_(xp_at_done_t_, xp_silu(__VA_ARGS__))
#define xp_erf(...) XP_AT_(xp_at_done_t_, xp_erf(__VA_ARGS__))
#define xp_eq(...) XP_AT_(xp_at_done_t_, xp_eq(__VA_ARGS__))
#define xp_ne(...) XP_AT_(xp_at_done_t_, xp_ne(__VA_ARGS__))
#define xp_lt(...) XP_AT_(xp_at_done_t_, xp_lt(__VA_ARGS__))
#define xp_le(...) XP_AT_(xp_at_done_t_, xp_le(__VA_ARGS__))
#define xp_gt(...) XP_AT_(xp_at_done_t_, xp_gt(__VA_ARGS__))
#define xp_ge(...) XP_AT_(xp_at_done_t_, xp_ge(__VA_ARGS__))
#define xp_eq_scalar(...) XP_AT_(xp_at_done_t_, xp_eq_scalar(__VA_ARGS__))
#define xp_ne_scalar(...) XP_AT_(xp_at_done_t_, xp_ne_scalar(__VA_ARGS__))
#define xp_lt_scalar(...) XP_AT_(xp_at_done_t_, xp_lt_scalar(__VA_ARGS__))
#define xp_le_scalar(...) XP_AT_(xp_at_done_t_, xp_le_scalar(__VA_ARGS__))
#define xp_gt_scalar(...) XP_AT_(xp_at_done_t_, xp_gt_scalar(__VA_ARGS__))
#define xp_ge_scalar(...) XP_AT_(xp_at_done_t_, xp_ge_scalar(__VA_ARGS__))
#define xp_where(...) XP_AT_(xp_at_done_t_, xp_where(__VA_ARGS__))
#define xp_sum(...) XP_AT_(xp_at_done_t_, xp_sum(__VA_ARGS__))
#define xp_sum_dims(...) XP_AT_(xp_at_done_t_, xp_sum_dims(__VA_ARGS__))
#define xp_mean(...) XP_AT_(xp_at_done_t_, xp_mean(__VA_ARGS__))
#define xp_mean_dims(...) XP_AT_(xp_at_done_t_, xp_mean_dims(__VA_ARGS__))
#define xp_amax(...) XP_AT_(xp_at_done_t_, xp_amax(__VA_ARGS__))
#define xp_amax_dims(...) XP_AT_(xp_at_done_t_, xp_amax_dims(__VA_ARGS__))
#define xp_amin(...) XP_AT_(xp_at_done_t_, xp_amin(__VA_ARGS__))
#define xp_amin_dims(...) XP_AT_(xp_at_done_t_, xp_amin_dims(__VA_ARGS__))
#define xp_argmax(...) XP_AT_(xp_at_done_t_, xp_argmax(__VA_ARGS__))
#define xp_argmax_dim(...) XP_AT_(xp_at_done_t_, xp_argmax_dim(__VA_ARGS__))
#define xp_softmax(...) XP_AT_(xp_at_done_t_, xp_softmax(__VA_ARGS__))
#define xp_log_softmax(...) XP_AT_(xp_at_done_t_, xp_log_softmax(__VA_ARGS__))
#define xp_mm(...) XP_AT_(xp_at_done_t_, xp_mm(__VA_ARGS__))
#define xp_bmm(...) XP_AT_(xp_at_done_t_, xp_bmm(__VA_ARGS__))
#define xp_matmul(...) XP_AT_(xp_at_done_t_, xp_matmul(__VA_ARGS__))
#define xp_addmm(...) XP_AT_(xp_at_done_t_, xp_addmm(__VA_ARGS__))
#define xp_linear(...) XP_AT_(xp_at_done_t_, xp_linear(__VA_ARGS__))
#define xp_t(...) XP_AT_(xp_at_done_t_, xp_t(__VA_ARGS__))
#define xp_transpose(...) XP_AT_(xp_at_done_t_, xp_transpose(__VA_ARGS__))
#define xp_permute(...) XP_AT_(xp_at_done_t_, xp_permute(__VA_ARGS__))
#define xp_reshape(...) XP_AT_(xp_at_done_t_, xp_reshape(__VA_ARGS__))
#define xp_view(...) XP_AT_(xp_at_done_t_, xp_view(__VA_ARGS__))
#define xp_flatten(...) XP_AT_(xp_at_done_t_, xp_flatten(__VA_ARGS__))
#define xp_unsqueeze(...) XP_AT_(xp_at_done_t_, xp_unsqueeze(__VA_ARGS__))
#define xp_squeeze(...) XP_AT_(xp_at_done_t_, xp_squeeze(__VA_ARGS__))
#define xp_squeeze_dim(...) XP_AT_(xp_at_done_t_, xp_squeeze_dim(__VA_ARGS__))
#define xp_expand(...) XP_AT_(xp_at_done_t_, xp_expand(__VA_ARGS__))
#define xp_contiguous(...) XP_AT_(xp_at_done_t_, xp_contiguous(__VA_ARGS__))
#define xp_slice(...) XP_AT_(xp_at_done_t_, xp_slice(__VA_ARGS__))
#define xp_select(...) XP_AT_(xp_at_done_t_, xp_select(__VA_ARGS__))
#define xp_cat(...) XP_AT_(xp_at_done_t_, xp_cat(__VA_ARGS__))
#define xp_stack(...) XP_AT_(xp_at_done_t_, xp_stack(__VA_ARGS__))
#define xp_copy_(...) XP_AT_(xp_at_done_t_, xp_copy_(__VA_ARGS__))
#define xp_slice_scatter(...) XP_AT_(xp_at_done_t_, xp_slice_scatter(__VA_ARGS__))
#define xp_select_scatter(...) XP_AT_(xp_at_done_t_, xp_select_scatter(__VA_ARGS__))
#define xp_embedding(...) XP_AT_(xp_at_done_t_, xp_embedding(__VA_ARGS__))
#define xp_layer_norm(...) XP_AT_(xp_at_done_t_, xp_layer_norm(__VA_ARGS__))
#define xp_batch_norm(...) XP_AT_(xp_at_done_t_, xp_batch_norm(__VA_ARGS__))
#define xp_conv2d(...) XP_AT_(xp_at_done_t_, xp_conv2d(__VA_ARGS__))
#define xp_max_pool2d(...) XP_AT_(xp_at_done_t_, xp_max_pool2d(__VA_ARGS__))
#define xp_avg_pool2d(...) XP_AT_(xp_at_done_t_, xp_avg_pool2d(__VA_ARGS__))
#define xp_adaptive_avg_pool2d(...) XP_AT_(xp_at_done_t_, xp_adaptive_avg_pool2d(__VA_ARGS__))
#define xp_scaled_dot_product_attention(...) XP_AT_(xp_at_done_t_, xp_scaled_dot_product_attention(__VA_ARGS__))
#define xp_to(...) XP_AT_(xp_at_done_t_, xp_to(__VA_ARGS__))
#define xp_full(...) XP_AT_(xp_at_done_t_, xp_full(__VA_ARGS__))
#define xp_zeros(...) XP_AT_(xp_at_done_t_, xp_zeros(__VA_ARGS__))
#define xp_ones(...) XP_AT_(xp_at_done_t_, xp_ones(__VA_ARGS__))
#define xp_empty(...) XP_AT_(xp_at_done_t_, xp_empty(__VA_ARGS__))
#define xp_empty_like(...) XP_AT_(xp_at_done_t_, xp_empty_like(__VA_ARGS__))
#define xp_arange(...) XP_AT_(xp_at_done_t_, xp_arange(__VA_ARGS__))
#define xp_data(...) XP_AT_(xp_at_done_p_, xp_data(__VA_ARGS__))
#define xp_item_f32(...) XP_AT_(xp_at_done_f_, xp_item_f32(__VA_ARGS__))
#define xp_item_f64(...) XP_AT_(xp_at_done_d_, xp_item_f64(__VA_ARGS__))
#define xp_item_i64(...) XP_AT_(xp_at_done_i_, xp_item_i64(__VA_ARGS__))
#define xp_item_bool(...) XP_AT_(xp_at_done_b_, xp_item_bool(__VA_ARGS__))
#define xp_sym_add(...) XP_AT_(xp_at_done_i_, xp_sym_add(__VA_ARGS__))
#define xp_sym_sub(...) XP_AT_(xp_at_done_i_, xp_sym_sub(__VA_ARGS__))
#define xp_sym_mul(...) XP_AT_(xp_at_done_i_, xp_sym_mul(__VA_ARGS__))
#define xp_sym_div(...) XP_AT_(xp_at_done_i_, xp_sym_div(__VA_ARGS__))
#define xp_sym_eq(...) XP_AT_(xp_at_done_b_, xp_sym_eq(__VA_ARGS__))
#define xp_sym_ne(...) XP_AT_(xp_at_done_b_, xp_sym_ne(__VA_ARGS__))
#define xp_sym_lt(...) XP_AT_(xp_at_done_b_, xp_sym_lt(__VA_ARGS__))
#define xp_sym_le(...) XP_AT_(xp_at_done_b_, xp_sym_le(__VA_ARGS__))
#define xp_sym_gt(...) XP_AT_(xp_at_done_b_, xp_sym_gt(__VA_ARGS__))
#define xp_sym_ge(...) XP_AT_(xp_at_done_b_, xp_sym_ge(__VA_ARGS__))
#define xp_symint_tensor(...) XP_AT_(xp_at_done_t_, xp_symint_tensor(__VA_ARGS__))
#define xp_cond(...) XP_AT_(xp_at_done_t_, xp_cond(__VA_ARGS__))
#define xp_map(...) XP_AT_(xp_at_done_t_, xp_map(__VA_ARGS__))
#endif /* XPORT_CALL_SITES */

/* ---- seeing C comparisons of sizes while tracing (docs/tracing.md) ----
 *
 * xp_export_trace cannot see `if (xp_size(x, 0) == 10)` happen: it checks
 * the traced graph against runs at chosen sizes afterwards. Compiling the
 * model's files with comparison tracing (GCC: -fsanitize-coverage=trace-cmp;
 * Clang: -fsanitize-coverage=trace-pc-guard,trace-cmp) makes every integer
 * comparison call a hook; define XPORT_TRACE_CMP before including xport.h
 * in exactly one file of the program to define the hooks, and the tracer
 * then sees each comparison of a symbolic size with its operands (10, or
 * another size), checks the graph at those sizes too, and stops a loop
 * bounded by a size. Outside a trace a hook is one load and a branch. The
 * hooks are the sanitizer-coverage ABI, so this cannot be combined with a
 * fuzzer's own (libFuzzer, AFL). */
void xp_trace_cmp_(uint64_t a, uint64_t b);
void xp_trace_switch_(uint64_t v, const uint64_t *cases);

#ifdef XPORT_TRACE_CMP
#define XP_CMP_HOOK_(name, T, fwd)                                                            \
    void name(T a, T b);                                                                      \
    void name(T a, T b) { fwd; }
/* sizes are 64-bit: a narrower comparison holds no size */
XP_CMP_HOOK_(__sanitizer_cov_trace_cmp1, uint8_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_cmp2, uint16_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_cmp4, uint32_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_cmp8, uint64_t, xp_trace_cmp_(a, b))
XP_CMP_HOOK_(__sanitizer_cov_trace_const_cmp1, uint8_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_const_cmp2, uint16_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_const_cmp4, uint32_t, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_const_cmp8, uint64_t, xp_trace_cmp_(a, b))
XP_CMP_HOOK_(__sanitizer_cov_trace_cmpf, float, (void)a; (void)b)
XP_CMP_HOOK_(__sanitizer_cov_trace_cmpd, double, (void)a; (void)b)
#undef XP_CMP_HOOK_
void __sanitizer_cov_trace_switch(uint64_t v, void *cases); /* GCC's built-in type; uint64_t[] */
void __sanitizer_cov_trace_switch(uint64_t v, void *cases) { xp_trace_switch_(v, (const uint64_t *)cases); }
/* Clang's trace-cmp needs an edge-coverage mode; its guards are unused */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop) { (void)start, (void)stop; }
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard) { (void)guard; }
#endif /* XPORT_TRACE_CMP */

#ifdef __cplusplus
}
#endif

#endif /* XPORT_H */
