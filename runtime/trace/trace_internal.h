/*
 * Internals of the tracer shared between its files:
 *   trace.c         the trace of a thread, its call sites, one run of fn
 *   trace_record.c  recording op calls: weights, xp_dispatch, xp_cond/xp_map
 *   trace_sizes.c   sizes as user code sees them, xp_sym_*, comparison hooks
 *   trace_passes.c  the passes of xp_export_trace (recording, plan, validation)
 *   trace_match.c   comparing the programs the passes record
 * The thread-locals (the trace, its call sites, the abort jump) are defined
 * in trace.c only; the other files reach them through the functions below.
 */
#ifndef XP_TRACE_INTERNAL_H
#define XP_TRACE_INTERNAL_H

#include "trace/xp_trace.h"

#include "annot/xp_spec.h"
#include "capture/xp_capture.h"
#include "ir/ir_internal.h"
#include "ir/xp_ir.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most dims a spec may declare (each validation pass assigns them all). */
#define XP_MAX_TRACE_SYMS 64

/* Sizes the comparison hooks may add to the validation passes. */
#define XP_MAX_BREAKS 128

/* Validation passes (export_dynamic) cover a symbol's range up to its max
 * when the max is at most this far above its min. */
#define VALIDATE_CAP 1024

/* The largest value a validation pass gives a symbol of range [lo, hi],
 * or -1 when its max is out of reach. Inline: the inputs of a pass
 * (trace.c) and the plan (trace_passes.c) must agree on it. */
static inline int64_t validate_hi(int64_t lo, int64_t hi) { return hi - lo <= VALIDATE_CAP ? hi : -1; }

/* A call site the XP_AT_ macros pushed. */
typedef struct site {
    const char *file;
    int line;
} site;

typedef struct lifted {
    const xp_tensor *t; /* the concrete tensor (only compared, never read later) */
    xp_cref ref;
    xp_input_kind kind;
    char *target;
    xp_tensor *data; /* a private copy to bind, or NULL (same target seen before) */
} lifted;

/* What user code sees as the size of a dynamic dim in a pass (see
 * export_trace): the handle, the handle moved above every real size, or
 * (validation passes) a concrete value of each symbol. */
typedef enum pass_kind { PASS_LOW, PASS_HIGH, PASS_CONCRETE } pass_kind;

/* One trace; it lives over all the passes of one xp_export_trace. */
typedef struct xp_trace {
    xp_program *prog;
    xp_capture *cap;
    xp_status err; /* the first error; the ops after it are ignored */
    char *msg;
    lifted *lifted;
    int nlifted, caplifted;
    /* indexes into lifted: by the tensor's address (as text, the one hash
     * table of the runtime) and by target, so lifting N weights is O(N) */
    xp_strmap lifted_by_tensor, lifted_by_target;
    int nconst;
    char **buffers; /* names found written in a first trace */
    int nbuffers;
    bool log;
    pass_kind pass;
    const int64_t *values; /* PASS_CONCRETE: the value of each symbol (spec order) */
    bool validate;         /* a pass only compared: weights are neither copied nor bound */
    site last_site;        /* of the last op recorded: where an abort happened after */
    int nops, op_limit;    /* ops recorded in this pass; more than op_limit (if set) stops it */
    int nsyms;             /* the spec's dims; big: its range reaches past what validation covers */
    bool big[XP_MAX_TRACE_SYMS];
    /* seen by the comparison hooks (XPORT_TRACE_CMP): sizes a symbol was
     * compared at, kept over the passes; comparisons made in this pass */
    int nbreaks;
    struct { int sym; int64_t value; } breaks[XP_MAX_BREAKS];
    long ncmp; /* sizes read (xp_size) or compared in this pass */
} xp_trace;

/* The traced function: one output (fn1) or several (fnn). */
typedef struct traced_fn {
    xp_trace_fn fn1;
    xp_trace_fn_n fnn;
    void *user_data;
} traced_fn;

/* ---- trace.c ---- */

/* Records the trace's first error (later ones are consequences) and sets
 * it as this thread's error. */
void xp_trace_fail(xp_trace *tr, xp_status st, const char *fmt, ...) XP_PRINTF(3, 4);

/* The innermost open call site: the call being handled. */
site xp_trace_site(void);

/* The file name of a path, as messages show it. */
const char *xp_trace_base_name(const char *path);

/* "model.c:12", or a hint when the caller did not ask for call sites. */
void xp_trace_site_text(char *buf, size_t n);

/* The innermost open call site as a location of tr's program. */
xp_srcloc xp_trace_loc(xp_trace *tr);

/* Leaves the running fn (a runaway loop; its error is set) by jumping
 * back to the pass that called it; nothing when no pass is running. */
void xp_trace_jump_out(void);

/* One run of fn. On success *prog is the finished program with its weights
 * bound; *rerun is set (and the names added to tr->buffers) when fn wrote
 * a named tensor that was not a buffer. */
xp_status xp_trace_once(xp_trace *tr, const traced_fn *f, const xp_pragma *ps, int n, xp_program **prog,
                        bool *rerun);

/* ---- trace_record.c ---- */

/* The capture reference of a tensor reaching the trace: a traced one's
 * own, a concrete one lifted to a weight; NONE when the trace failed. */
xp_cref xp_trace_ref_of(xp_trace *tr, xp_tensor *t);

/* ---- trace_sizes.c ---- */

/* An int from user code as internal code sees it (a handle where user
 * code saw one moved above every real size). */
xp_dim xp_trace_from_user(const xp_trace *tr, int64_t v);

/* Whether a float reaching an op is a size shown to user code (a handle,
 * low or high, converted to double): the size would be frozen. */
bool xp_trace_float_is_size(const xp_trace *tr, double f);

/* Whether int `v`, argument `arg` of function `fn` ("xp_reshape"), may reach it: not the
 * result of plain C arithmetic on a size (else the trace fails, naming
 * the size it most likely came from). */
bool xp_trace_check_int(xp_trace *tr, const char *fn, const char *arg, xp_dim v);

/* ---- trace_match.c ---- */

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
