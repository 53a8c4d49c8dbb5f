/*
 * The interpreter's per-program state (runtime/exec): bound weights, guard
 * scratch, and a small LRU cache of memory plans keyed by the values of the
 * program's symbols.
 *
 * A run is: guards (guards.c) -> plan lookup (plan.c) -> bind inputs and
 * weights, run the nodes, copy outputs out, write mutations back
 * (interp.c). Weights are bound by weights.c; the state is created on first
 * use and freed by xp_program_free through xp_exec_state_free.
 *
 * Steady state: once a plan exists for the symbol values of a run, the run
 * allocates nothing but the caller-owned output tensors it returns. Every
 * value's header, every int argument and every buffer (one arena per plan)
 * is made when the plan is built; the cache hit counters below and the
 * arena pointer let tests check this.
 *
 * A program is not safe to run from two threads at once (the plan's headers
 * are reused); separate programs are independent.
 */
#ifndef XP_EXEC_H
#define XP_EXEC_H

#include "backend/xp_backend.h"
#include "ir/xp_ir.h"

/* Plans kept per program; the least recently used one is dropped. */
#define XP_PLAN_CACHE_SIZE 4
/* Arena buffers are aligned (and sized) to this many bytes. */
#define XP_PLAN_ALIGN 64

typedef struct xp_exec_stats {
    uint64_t runs;          /* runs that reached the kernels */
    uint64_t plans_built;   /* cache misses */
    uint64_t plan_hits;     /* runs that reused a cached plan */
    uint64_t plans_evicted;
} xp_exec_stats;

/* Where a symbol's value came from during a guard check. */
typedef struct xp_sym_origin {
    int input; /* user-input position, -1 while the symbol is unbound */
    int dim;   /* dim index, -1 for a SYMINT input */
    bool derived; /* solved from A*s + B rather than read as `s` */
} xp_sym_origin;

struct xp_plan;

/* Bound weights live in program->weights (one slot per sig input, kept by
 * the IR, freed by xp_program_free); the state holds the rest. */
struct xp_exec_state {
    int nsig_in;           /* signature size the plans were made for */
    int nsyms;
    int64_t *symvals;      /* the current run's symbol values */
    xp_sym_origin *origin; /* guard scratch, one per symbol */
    int nplans;
    struct xp_plan *plans[XP_PLAN_CACHE_SIZE]; /* most recently used first */
    xp_exec_stats stats;
};

/* ---- state.c ---- */

/* The program's state, created on first use; sets program->exec_free and
 * makes sure program->weights exists. */
xp_status xp_exec_state_get(xp_program *p, struct xp_exec_state **out);
/* Frees the plans and the state (not the weights); NULL is fine.
 * xp_program_free calls it through program->exec_free. */
void xp_exec_state_free(struct xp_exec_state *s);
/* Drops every cached plan (after a backend change). */
void xp_exec_drop_plans(struct xp_exec_state *s);
/* The program's backend: program->backend, or the CPU backend. */
const xp_backend *xp_exec_backend(const xp_program *p);

/* Counters for tests and tools; zeros when the program never ran. */
xp_exec_stats xp_program_exec_stats(const xp_program *p);

/* What the most recently used plan looks like, for tests: its arena, its
 * size, the summed size of every planned buffer (what the arena would need
 * without reuse), and the header a value id runs with (NULL for inputs). */
typedef struct xp_plan_info {
    const void *arena;
    size_t arena_bytes;
    size_t buffer_bytes;
    int nbuffers;
} xp_plan_info;
bool xp_program_plan_info(const xp_program *p, xp_plan_info *out);
const xp_tensor *xp_program_plan_header(const xp_program *p, int32_t value);

/* ---- signature.c ---- */

/* Position of sig input `i` among the user inputs (USER_INPUT and SYMINT),
 * or -1 for a weight. */
int xp_exec_user_input_pos(const xp_program *p, int sig_index);
/* True for PARAMETER, BUFFER and CONSTANT inputs. */
static inline bool xp_exec_is_weight_kind(xp_input_kind k) {
    return k == XP_IN_PARAMETER || k == XP_IN_BUFFER || k == XP_IN_CONSTANT;
}

/* ---- guards.c ---- */

/* Checks the user inputs (in signature order) against the program's
 * signature and range constraints and fills s->symvals with the symbols'
 * values (-1 for a symbol no input determines). XP_ERR_GUARD (or
 * XP_ERR_INVALID_ARG for a wrong count / NULL) with a message naming the
 * input, dim, symbol and value. Allocates nothing. */
xp_status xp_guard_check(const xp_program *p, struct xp_exec_state *s, xp_tensor *const *inputs,
                         int n_inputs);

/* ---- plan.c ---- */

/* One node, ready to call: int arguments evaluated for the plan's symbol
 * values, output headers made; tensor arguments are patched in per run
 * from the graph plan's `vals`. */
typedef struct xp_nplan {
    const xp_node *node;
    const xp_op_def *op;
    xp_kernel_fn kernel;     /* NULL for control ops (cond) */
    xp_arg *args;            /* node->nargs entries */
    xp_tensor **outs;        /* node->nouts headers */
    struct xp_gplan *sub[2]; /* cond: the true and false branch; map: [0] the body */
    xp_tensor *slices;       /* map: headers for one slice of each xs, then of each output */
} xp_nplan;

/* One graph (the program's, or a cond branch) under one plan. */
typedef struct xp_gplan {
    const xp_graph *g;
    xp_tensor **vals;   /* per value: the tensor this run uses */
    xp_tensor *hdrs;    /* per value: the planned header of a node output */
    xp_storage *stors;  /* per value: the arena slice of a planned buffer */
    int64_t *offset;    /* per value: byte offset in this graph's region, -1 for none */
    bool *is_view;      /* per value: made by a view op (storage set per run) */
    xp_nplan *nodes;
    size_t own_bytes;   /* this graph's region */
    size_t total_bytes; /* own region plus the largest branch's total */
    int nbuffers;
    size_t buffer_bytes; /* sum of buffer sizes (the arena without reuse) */
} xp_gplan;

struct xp_plan_pool;

struct xp_plan {
    int nsyms;
    int64_t *key;               /* the symbol values it was built for */
    const xp_backend *backend;  /* owner of the arena */
    void *arena;
    size_t arena_bytes;
    xp_gplan *top;
    struct xp_plan_pool *pool;  /* everything else the plan holds */
};

/* The plan for the symbol values in s->symvals: a cache hit, or a new plan
 * (which may evict the least recently used). */
xp_status xp_plan_get(xp_program *p, struct xp_exec_state *s, struct xp_plan **out);
void xp_plan_free(struct xp_plan *pl);
/* Drops the storage references that view outputs took during a run (their
 * headers go back to "no storage" until the next run). */
void xp_plan_release_views(struct xp_plan *pl);

#endif /* XP_EXEC_H */
