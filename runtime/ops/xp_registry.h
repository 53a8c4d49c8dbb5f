/*
 * The op registry: one table (ops.def) is the single source of truth for
 * every op — its schema in PyTorch's schema syntax, its flags, its shape
 * function and its kernel per backend. Eager dispatch, the graph builder,
 * the interpreter, the program reader and `xport ops` all read it.
 */
#ifndef XP_REGISTRY_H
#define XP_REGISTRY_H

#include "tensor/xp_tensor_impl.h"

/* ---- op ids, one per ops.def row ---- */

typedef enum xp_op_id {
#define XP_OP(name, schema, flags, shape, cpu, functional) XP_OP_##name,
#include "ops/ops.def"
#undef XP_OP
    XP_OP_COUNT,
    XP_OP_NONE = -1
} xp_op_id;

/* ---- argument values ---- */

typedef enum xp_argkind {
    XP_ARG_NONE = 0,    /* an optional argument given as None */
    XP_ARG_TENSOR,
    XP_ARG_TENSOR_LIST,
    XP_ARG_INT,         /* may be symbolic */
    XP_ARG_INT_LIST,    /* elements may be symbolic */
    XP_ARG_FLOAT,       /* also Scalar */
    XP_ARG_BOOL,
    XP_ARG_DTYPE
} xp_argkind;

/* One argument of an op call. For shape functions `t` points at metadata;
 * in eager dispatch and kernels it points at an xp_tensor (whose first
 * member is its xp_meta): use XP_ARG_T(a) to get the tensor. */
typedef struct xp_arg {
    xp_argkind kind;
    union {
        xp_meta *t;
        struct { int n; xp_meta *const *v; } tl;
        xp_dim i;
        struct { int n; const xp_dim *v; } il;
        double f;
        bool b;
        xp_dtype dt;
    };
} xp_arg;

#define XP_ARG_T(a) ((xp_tensor *)(a).t)
#define XP_ARG_TL(a, k) ((xp_tensor *)(a).tl.v[k])

static inline xp_arg xp_arg_tensor(xp_tensor *t) { xp_arg a = {.kind = t ? XP_ARG_TENSOR : XP_ARG_NONE}; a.t = (xp_meta *)t; return a; }
static inline xp_arg xp_arg_tensors(int n, xp_tensor *const *v) { xp_arg a = {.kind = XP_ARG_TENSOR_LIST}; a.tl.n = n; a.tl.v = (xp_meta *const *)v; return a; }
static inline xp_arg xp_arg_int(xp_dim i) { xp_arg a = {.kind = XP_ARG_INT}; a.i = i; return a; }
static inline xp_arg xp_arg_ints(int n, const xp_dim *v) { xp_arg a = {.kind = XP_ARG_INT_LIST}; a.il.n = n; a.il.v = v; return a; }
static inline xp_arg xp_arg_float(double f) { xp_arg a = {.kind = XP_ARG_FLOAT}; a.f = f; return a; }
static inline xp_arg xp_arg_bool(bool b) { xp_arg a = {.kind = XP_ARG_BOOL}; a.b = b; return a; }
static inline xp_arg xp_arg_dtype(xp_dtype dt) { xp_arg a = {.kind = XP_ARG_DTYPE}; a.dt = dt; return a; }
static inline xp_arg xp_arg_none(void) { xp_arg a = {.kind = XP_ARG_NONE}; return a; }

/* ---- schemas (parsed from the schema strings; runtime/ops/schema.c) ---- */

#define XP_MAX_OP_ARGS 12
#define XP_MAX_OP_RETS 4

typedef struct xp_schema_arg {
    char name[32];
    xp_argkind kind;      /* TENSOR, TENSOR_LIST, INT, INT_LIST, FLOAT, BOOL, DTYPE */
    bool optional;        /* `Tensor?`, `int?`: may be XP_ARG_NONE */
    bool kwarg_only;      /* after `*` */
    int fixed_len;        /* int[2] -> 2; 0 when not fixed */
    char alias;           /* 'a' in Tensor(a) / Tensor(a!); 0 when none */
    bool is_write;        /* Tensor(a!) */
    bool has_default;
    xp_arg default_value; /* an int list points into default_list */
    xp_dim default_list[XP_MAX_DIMS];
    const char *type_text;/* "Tensor?", "int[2]", "ScalarType", "Scalar", ... */
} xp_schema_arg;

typedef struct xp_schema_ret {
    xp_argkind kind;      /* TENSOR or TENSOR_LIST */
    char alias;
    bool is_write;
} xp_schema_ret;

typedef struct xp_schema {
    char name[48];
    int nargs;
    xp_schema_arg args[XP_MAX_OP_ARGS];
    int nrets;
    xp_schema_ret rets[XP_MAX_OP_RETS];
} xp_schema;

/* Parses one schema string; on error records XP_ERR_INVALID_ARG naming the
 * column and what was expected (used for the table and, later, custom ops). */
xp_status xp_schema_parse(const char *text, xp_schema *out);
/* Index of argument `name`, or -1. */
int xp_schema_arg_index(const xp_schema *s, const char *name);

/* ---- op definitions ---- */

enum {
    XP_OP_CORE = 1u << 0,    /* in the core opset every backend implements */
    XP_OP_MUTABLE = 1u << 1, /* writes an argument (Tensor(a!)) */
    XP_OP_VIEW = 1u << 2,    /* output aliases input 0 (Tensor(a)): kernel fills a view */
    XP_OP_CONTROL = 1u << 3, /* control flow with subgraphs (cond); no kernel */
    XP_OP_CUSTOM = 1u << 4,  /* a user op (#pragma xport op) registered at run time, id >= XP_OP_COUNT */
};

struct xp_call;
struct xp_op_def;

/* Computes the output's dtype and shape from argument metadata. `ctx` is the
 * symbol context in a graph (dims may be symbolic) and NULL in eager mode.
 * On error returns XP_ERR_SHAPE/XP_ERR_DTYPE/XP_ERR_INVALID_ARG with a
 * message naming the op, the argument and the sizes involved. */
typedef xp_status (*xp_shape_fn)(xp_symctx *ctx, const xp_arg *args, xp_meta *out);

/* One op call for a kernel: args follow the schema exactly (defaults filled
 * in), outs[i] are headers with shape and dtype from the shape function.
 * For an ordinary op each out has contiguous storage to write; for a
 * XP_OP_VIEW op the out has no storage and the kernel makes it a view of
 * its input with xp_tensor_set_view. */
typedef struct xp_call {
    const struct xp_op_def *op;
    const xp_arg *args;
    int nargs;
    xp_tensor *const *outs;
    int nouts;
} xp_call;

typedef xp_status (*xp_kernel_fn)(const xp_call *call);

typedef struct xp_op_def {
    xp_op_id id;
    const char *name;        /* "add", "relu_", "slice_scatter" */
    const char *schema_text; /* the ops.def string */
    unsigned flags;
    xp_shape_fn shape;
    xp_kernel_fn cpu;
    xp_op_id functional;     /* for a mutable op: its out-of-place variant */
    const xp_schema *schema; /* parsed once at registry init */
} xp_op_def;

/* Parses every schema once (thread-safe); a failure here is a bug in ops.def. */
void xp_registry_init(void);
const xp_op_def *xp_op_get(xp_op_id id);
/* By name ("add"); NULL if unknown. */
const xp_op_def *xp_op_find(const char *name);
/* Built-in ops (ids below XP_OP_COUNT) followed by the custom ops
 * registered so far (runtime/ops/custom.c). */
int xp_op_count(void);

/* ---- custom ops (issue 6; runtime/ops/custom.c, docs/custom-ops.md) ----
 *
 * A custom op is declared in C with `#pragma xport op("ns::name(...) -> Tensor")`
 * before its eager implementation. Its registry entry has the same shape
 * as a built-in one (flags XP_OP_CUSTOM, and XP_OP_MUTABLE per schema; never
 * core, no decomposition); its shape function refuses to run: a graph node
 * of a custom op carries output metas computed by the plugin from the op's
 * meta function (xp_graph_add_custom_node). Its CPU kernel is an adapter
 * that calls the implementation with the C signature the schema implies. */

#define XP_MAX_CUSTOM_OPS 256
#define XP_CUSTOM_MAX_ARGS 4 /* arguments of a custom op's C implementation */

/* The implementation's address, cast to one function pointer type. */
typedef void (*xp_custom_impl)(void);

/* Parses a custom op's schema and checks what custom ops support: a
 * namespaced name ("ns::name"), at most XP_CUSTOM_MAX_ARGS arguments of
 * types Tensor, Tensor?, Tensor(a!), int, SymInt, float, Scalar, bool, and
 * one returned `Tensor` without alias annotation. On error the message
 * says what is wrong; *column (when not NULL) is the 1-based column in
 * `text` (0 when the whole schema is meant). */
xp_status xp_custom_schema_check(const char *text, xp_schema *out, int *column);
/* Registers custom op `schema` (checked as above) with implementation
 * `impl` (NULL: schema only, as the plugin does at compile time). The same
 * name twice: the same schema returns the existing op (and sets a missing
 * impl); a different schema is an error naming both. `source` says where
 * it was defined (may be NULL). */
xp_status xp_op_register_custom(const char *schema, xp_custom_impl impl, const char *source, xp_op_id *out);
/* The implementation of custom op `op` (NULL: none, or not a custom op). */
xp_custom_impl xp_op_custom_impl(xp_op_id op);
/* Where custom op `op` was registered from ("model.c", "libmyops.so"), or NULL. */
const char *xp_op_custom_source(xp_op_id op);
static inline bool xp_op_is_custom(xp_op_id op) { return (int)op >= (int)XP_OP_COUNT; }
/* Registration errors from constructors (xp_op_register_linked) that had
 * nobody to report to: XP_OK, or the first one (its message recorded). */
xp_status xp_custom_ops_check_linked(void);
/* dlopens shared library `path` (built with the xport plugin), whose
 * constructors register its custom ops; errors name the library. */
xp_status xp_ops_load_library(const char *path);

/* Checks argument kinds against the schema and writes the full argument list
 * (given args followed by defaults) to `full` (XP_MAX_OP_ARGS entries).
 * Errors name the op and the argument. */
xp_status xp_schema_bind(const xp_op_def *op, const xp_arg *args, int nargs, xp_arg *full);

/* Runs the op's shape function on bound arguments. Every message names the
 * op: shape functions shared by several ops ("the size of self (3) must
 * match ...") get the op's name put in front. With a ctx, a failure that is
 * about an unproven relation leaves it for xp_symctx_take_requirement
 * (any older one is cleared first). */
xp_status xp_op_infer_shape(const xp_op_def *op, xp_symctx *ctx, const xp_arg *full, xp_meta *out);

/* ---- eager dispatch (runtime/ops/dispatch.c) ---- */

/* Runs one op eagerly on the tensors' backend: binds the schema, runs the
 * shape function, allocates the output, calls the kernel. Mutable ops with a
 * functional variant run it and copy the result back into argument 0.
 * Returns NULL on error (message in xp_last_error). A NULL tensor argument
 * where the schema needs one returns NULL and keeps the earlier error. */
xp_tensor *xp_dispatch(xp_op_id op, const xp_arg *args, int nargs);

/* ---- shape function and kernel declarations (from ops.def) ---- */

#define XP_OP(name, schema, flags, shape, cpu, functional) \
    xp_status shape(xp_symctx *ctx, const xp_arg *args, xp_meta *out); \
    xp_status cpu(const xp_call *call);
#define XP_NO_SHAPE xp_shape_none
#define XP_NO_KERNEL xp_kernel_none
#include "ops/ops.def"
#undef XP_OP

#endif /* XP_REGISTRY_H */
