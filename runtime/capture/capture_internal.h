/*
 * The capture's state, shared by its files (not part of the contract
 * between parts):
 *   capture.c        the session, references, inputs, outputs, finish
 *   record.c         xp_capture_op: checking a call and recording plain ops
 *   views.c          view references and their lazy re-derivation
 *   functionalize.c  in-place ops: the functional op and the write-back
 *   region.c         cond branches and map bodies: subgraphs, lifting
 *
 * A reference is either a base (its value is whatever was last written to
 * it) or a view: the op node that first derived it from its parent
 * reference, replayed on the parent's current value whenever the base has
 * been written since (PyTorch's FunctionalTensorWrapper with its ViewMeta
 * chain). Writes keep a tensor's dtype and shape, so a reference's
 * metadata never changes once it exists.
 */
#ifndef XP_CAPTURE_INTERNAL_H
#define XP_CAPTURE_INTERNAL_H

#include "capture/xp_capture.h"

/* References live in fixed blocks so that pointers to them (and to their
 * metadata, which xp_capture_meta hands out) stay valid as more are made. */
#define XP_CAP_BLOCK 256

typedef struct xp_cap_ref {
    int32_t value;        /* the graph value behind it (for a stale view: as last derived) */
    xp_meta meta;         /* dtype and shape, fixed for the reference's life */
    xp_cref base;         /* the base of its view chain; itself for a base */
    xp_cref parent;       /* the reference it is a view of; XP_CREF_NONE for a base */
    int32_t view_node;    /* a view: the node that first derived it (op and arguments); -1 for a base */
    uint64_t version;     /* a base: how often it was written; a view: the base's version its value reflects */
    int32_t placeholder;  /* a base that is a program input: its placeholder value; else -1 */
    xp_srcloc first_write; /* a base: where it was first written (for messages) */
    uint32_t region;      /* the region its value lives in: 0 for the program's graph (region.c) */
    bool written;
    bool strided;         /* a base: its value came back through a transpose or permute (see views.c) */
} xp_cap_ref;

typedef struct xp_cap_output {
    int32_t value;
    char *field; /* NULL for a single returned tensor */
} xp_cap_output;

/* An open cond or map (region.c). Tensors of enclosing regions read inside
 * it are lifted: ops[i] (a value of the enclosing graph) becomes input
 * inner[b][i] of the subgraph (of branch b). */
typedef struct xp_cap_region {
    bool is_map;
    uint32_t id;        /* the region id of the references made now */
    uint32_t ids[2];    /* cond: each branch's id */
    int branch;         /* cond: 0 true, 1 false */
    xp_graph *graph;    /* the subgraph being recorded */
    xp_graph *sub[2];   /* cond: the branches; map: [0] the body */
    int32_t pred;       /* cond: the predicate in the enclosing graph */
    int n_xs;           /* map: the mapped tensors in the enclosing graph */
    int32_t *xs;
    int nops, cap_ops;
    int32_t *ops;       /* lifted values of the enclosing graph (map: the extras) */
    int32_t *inner[2];
    xp_srcloc loc;
} xp_cap_region;

struct xp_capture {
    xp_program *p;
    xp_cap_ref **blocks;
    int nblocks, nrefs;
    xp_cref *inputs; /* base references of the tensor inputs, in the order added */
    int ninputs;
    /* input_of[v]: 1 + the base reference of placeholder value v, or 0 for
     * a value that is not a capture input (cap_input_of entries) */
    xp_cref *input_of;
    int cap_input_of;
    xp_cap_output *outputs;
    int noutputs;
    xp_cref *chain; /* scratch: a stale view chain being re-derived */
    int cap_chain;
    bool finished;
    xp_cap_region *regions; /* open regions, outermost first */
    int nregions, cap_regions;
    uint32_t next_region;   /* the last region id handed out */
};

/* ---- capture.c ---- */

/* The reference `r`, or NULL when `r` is not one of `c`'s references. */
xp_cap_ref *xp_cap_ref_get(const xp_capture *c, xp_cref r);
/* A new base reference holding value `value` of the current graph. */
xp_status xp_cap_new_base(xp_capture *c, int32_t value, xp_cref *out);
/* The same for value `value` of graph `g`, the graph of region `region`. */
xp_status xp_cap_new_base_in(xp_capture *c, const xp_graph *g, uint32_t region, int32_t value, xp_cref *out);
/* True for a reference that is a view of another. */
static inline bool xp_cap_is_view(const xp_cap_ref *r) { return r->parent != XP_CREF_NONE; }

/* ---- region.c ---- */

/* The graph ops are recorded into now, and its region id. */
xp_graph *xp_cap_graph(const xp_capture *c);
uint32_t xp_cap_region_id(const xp_capture *c);
/* The nesting depth (0: the program's graph) of a reference's region; an
 * error for a reference whose region has ended. */
xp_status xp_cap_ref_depth(const xp_capture *c, const xp_cap_ref *r, int *depth);
/* The graph at nesting depth `depth`. */
xp_graph *xp_cap_graph_at(const xp_capture *c, int depth);
/* Value `v` of the graph at depth `from`, as seen from depth `to` (>= from):
 * lifted into each region in between as an operand and subgraph input. */
xp_status xp_cap_lift(xp_capture *c, int32_t v, int from, int to, int32_t *out);
/* Refuses a write (by op `opname`) to reference `m` whose base lives
 * outside the innermost open region. */
xp_status xp_cap_check_region_write(xp_capture *c, const char *opname, xp_cref m);
/* Frees the open regions. */
void xp_cap_regions_free(xp_capture *c);

/* ---- record.c ---- */

/* Checks a call as the builder would (schema, then the op's own shape
 * function, on the references' metadata) without touching the graph, so a
 * rejected call records nothing. `out` receives the result's metadata.
 * The message names the op. */
xp_status xp_cap_check_call(xp_capture *c, const xp_op_def *def, const xp_carg *args, int nargs, xp_meta *out);
/* Converts capture arguments to node arguments, replacing every reference
 * by its current value (re-deriving stale views). Tensor lists are
 * copied: free them with xp_cap_free_nargs. Nodes added to re-derive
 * views carry `loc`. */
xp_status xp_cap_node_args(xp_capture *c, const xp_carg *args, int nargs, xp_srcloc loc, xp_narg *out);
void xp_cap_free_nargs(xp_narg *args, int nargs);
/* Appends a node to the current graph and returns its (single) output value. */
xp_status xp_cap_add_node_in(xp_graph *g, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc, int32_t *value);
xp_status xp_cap_add_node(xp_capture *c, xp_op_id op, const xp_narg *args, int nargs, xp_srcloc loc,
                          int32_t *value);

/* ---- views.c ---- */

/* The current value of `r`, re-deriving it (and any stale views it is
 * derived from) from its base's current value when the base was written
 * since. */
xp_status xp_cap_resolve(xp_capture *c, xp_cref r, xp_srcloc loc, int32_t *value);
/* The op to record for view op `op` applied to reference `r`: `reshape`
 * for a `view` of a strided base (see views.c), else `op`. */
xp_op_id xp_cap_view_op(const xp_capture *c, xp_op_id op, xp_cref r);
/* A reference to `value`, the output of view node `node` applied to
 * `parent`'s current value. */
xp_status xp_cap_new_view(xp_capture *c, xp_cref parent, int32_t node, int32_t value, xp_cref *out);

/* ---- functionalize.c ---- */

/* Records a call of the mutable op `def` (args already checked): the
 * functional op on argument 0's current value, written back up its view
 * chain to the base. */
xp_status xp_cap_functionalize(xp_capture *c, const xp_op_def *def, const xp_carg *args, int nargs, xp_srcloc loc);

#endif /* XP_CAPTURE_INTERNAL_H */
