/*
 * Internals of the tracer shared between its files: comparing the
 * programs recorded by the passes of xp_export_trace.
 */
#ifndef XP_TRACE_INTERNAL_H
#define XP_TRACE_INTERNAL_H

#include "ir/xp_ir.h"

#include <stdbool.h>
#include <stdint.h>

/* Whether graph `b` differs from graph `a`, node by node in order
 * (branches included): same ops, same arguments, same outputs. With
 * `values` (one per symbol of `actx`), `b` was recorded with every
 * symbol at that value and `a` symbolically: a's symbolic sizes are
 * evaluated at `values` before they are compared. On a difference, *loc
 * is where: b's node when it has a location (the path b took; *in_b set,
 * the file index is b's program's), else a's. */
bool xp_trace_graph_diff(const xp_graph *a, const xp_graph *b, const xp_symctx *actx, const int64_t *values,
                         xp_srcloc *loc, bool *in_b);

#endif /* XP_TRACE_INTERNAL_H */
