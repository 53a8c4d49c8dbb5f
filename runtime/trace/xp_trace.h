/*
 * The run-time tracer (non-strict export, DESIGN §5): the hooks that eager
 * code calls while xp_export_trace runs. Every hook is behind
 * `xp_trace_active_` (nonzero while any thread traces), so the eager path
 * pays one load and one predicted branch.
 */
#ifndef XP_TRACE_H
#define XP_TRACE_H

#include "ops/xp_registry.h"

#if defined(__GNUC__) || defined(__clang__)
#define XP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define XP_UNLIKELY(x) (x)
#endif

/* The trace of this thread, or NULL. */
struct xp_trace;
struct xp_trace *xp_trace_current(void);

/* xp_dispatch while tracing: records the call (converting its arguments
 * to capture references) and returns a traced tensor, located at the
 * innermost call site the XP_AT_ macros pushed. */
xp_tensor *xp_trace_dispatch(struct xp_trace *tr, const xp_op_def *op, const xp_arg *args, int nargs);

/* xp_data / xp_item_* on a traced tensor: records the data-dependent
 * error naming the call site (`fn` is the function read through). */
void xp_trace_data_access(const char *fn, const xp_tensor *t);

/* A size of a traced tensor as user code sees it (xp_size): the handle
 * moved above (or below) every real size, as the pass shows sizes. */
int64_t xp_trace_user_dim(xp_dim d);

/* xp_item_i64 of a traced SYMINT input: its size as user code sees it. */
int64_t xp_trace_symint_value(const xp_tensor *t);

/* xp_numel of a traced tensor: the symbolic product of its sizes. */
int64_t xp_trace_numel(const xp_tensor *t);

/* xp_cond / xp_map while tracing (runtime/ops/control.c calls these after
 * checking the arguments): records a cond node whose branches are both
 * functions traced inside capture regions, or a map node whose body is fn
 * traced once on a slice. The predicate's value is never read. */
xp_tensor *xp_trace_cond(struct xp_trace *tr, xp_tensor *pred, xp_branch_fn true_fn, xp_branch_fn false_fn, int n,
                         xp_tensor *const *operands);
xp_tensor *xp_trace_map(struct xp_trace *tr, xp_map_fn fn, xp_tensor *xs, int n, xp_tensor *const *extras);

#endif /* XP_TRACE_H */
