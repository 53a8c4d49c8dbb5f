/*
 * xp_program_run: guards -> plan -> bind -> nodes -> outputs -> mutations.
 *
 * Inputs and weights are used in place (the graph is functional, nothing
 * writes them); every node output lives in the plan's arena or, for view
 * ops, aliases its input. Outputs are copied into new caller-owned
 * contiguous tensors, outside any arena scope. Mutations
 * (USER_INPUT_MUTATION, BUFFER_MUTATION) are written back only after every
 * node and every output copy succeeded, so a failed run leaves the
 * caller's tensors and the bound buffers as they were.
 */
#include "exec/xp_exec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static xp_status run_graph(const xp_program *p, xp_gplan *gp);

/* "node add (model.c:19:33)" as context for a kernel's message. */
static xp_status node_error(const xp_program *p, const xp_node *n) {
    char loc[160];
    loc[0] = 0;
    xp_srcloc_format(p, n->loc, loc, sizeof loc);
    if (loc[0]) return xp_error_prefix("node %s (%s)", n->name, loc);
    return xp_error_prefix("node %s", n->name);
}

static void patch_args(xp_gplan *gp, xp_nplan *np) {
    const xp_node *n = np->node;
    for (int k = 0; k < n->nargs; k++) {
        const xp_narg *a = &n->args[k];
        if (a->kind == XP_ARG_TENSOR) {
            np->args[k].t = (xp_meta *)gp->vals[a->value];
        } else if (a->kind == XP_ARG_TENSOR_LIST) {
            xp_meta **list = (xp_meta **)np->args[k].tl.v; /* the plan's own array */
            for (int j = 0; j < a->vl.n; j++) list[j] = (xp_meta *)gp->vals[a->vl.v[j]];
        }
    }
}

static bool same_shape(const xp_meta *a, const xp_meta *b) {
    if (a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d]) return false;
    return true;
}

/* Reads a one-element predicate as a bool. */
static xp_status read_pred(const xp_node *n, const xp_tensor *t, bool *out) {
    int64_t numel = xp_shape_numel(t->meta.ndim, t->meta.shape);
    if (numel != 1)
        return xp_error(XP_ERR_INVALID_ARG, "node %s: the predicate has %" PRId64 " elements, expected 1", n->name,
                        numel);
    unsigned char buf[16];
    const void *src = xp_tensor_base_ptr(t);
    if (t->storage->device) {
        const xp_backend *dev = t->storage->device;
        xp_status st = dev->to_host(dev, buf, src, xp_dtype_size(t->meta.dtype));
        if (st != XP_OK) return st;
        src = buf;
    }
    *out = xp_load_f64(t->meta.dtype, src) != 0;
    return XP_OK;
}

static xp_status run_cond(const xp_program *p, xp_gplan *gp, xp_nplan *np) {
    const xp_node *n = np->node;
    bool taken = false;
    xp_status st = read_pred(n, XP_ARG_T(np->args[0]), &taken);
    if (st != XP_OK) return st;
    xp_gplan *sub = np->sub[taken ? 0 : 1];
    const xp_narg *ops = &n->args[1];
    for (int j = 0; j < ops->vl.n; j++) sub->vals[sub->g->inputs[j]] = gp->vals[ops->vl.v[j]];
    st = run_graph(p, sub);
    for (int o = 0; st == XP_OK && o < n->nouts; o++) {
        const xp_tensor *src = sub->vals[sub->g->outputs[o]];
        st = xp_tensor_copy_into(np->outs[o], src);
    }
    if (st != XP_OK) xp_error_prefix("%s branch", taken ? "true" : "false");
    return st;
}

/* Points header `h` at slice i of `t` along dim 0. */
static void slice_view(xp_tensor *h, const xp_tensor *t, int64_t i) {
    xp_tensor_set_view(h, t, t->meta.ndim - 1, t->meta.shape + 1, t->strides + 1, t->offset + i * t->strides[0]);
}

/* map: the body once per slice of xs (views), writing slice i of every
 * output; the extras are passed as they are. */
static xp_status run_map(const xp_program *p, xp_gplan *gp, xp_nplan *np) {
    const xp_node *n = np->node;
    const xp_narg *xs = &n->args[0], *extras = &n->args[1];
    xp_gplan *body = np->sub[0];
    int nx = xs->vl.n;
    int64_t len = gp->vals[xs->vl.v[0]]->meta.shape[0];
    for (int j = 0; j < nx; j++) {
        const xp_tensor *x = gp->vals[xs->vl.v[j]];
        if (x->meta.ndim < 1 || x->meta.shape[0] != len)
            return xp_error(XP_ERR_SHAPE, "node %s: xs %d has leading size %" PRId64 ", xs 0 has %" PRId64, n->name, j,
                            x->meta.ndim ? x->meta.shape[0] : 0, len);
    }
    for (int j = 0; j < extras->vl.n; j++) body->vals[body->g->inputs[nx + j]] = gp->vals[extras->vl.v[j]];
    xp_status st = XP_OK;
    for (int64_t i = 0; i < len && st == XP_OK; i++) {
        for (int j = 0; j < nx; j++) {
            slice_view(&np->slices[j], gp->vals[xs->vl.v[j]], i);
            body->vals[body->g->inputs[j]] = &np->slices[j];
        }
        st = run_graph(p, body);
        for (int o = 0; st == XP_OK && o < n->nouts; o++) {
            xp_tensor *dst = &np->slices[nx + o];
            slice_view(dst, np->outs[o], i);
            st = xp_tensor_copy_into(dst, body->vals[body->g->outputs[o]]);
        }
        if (st != XP_OK) xp_error_prefix("body, slice %" PRId64, i);
    }
    for (int j = 0; j < nx + n->nouts; j++) { /* drop the views' storage references */
        xp_storage_release(np->slices[j].storage);
        np->slices[j].storage = NULL;
    }
    return st;
}

static xp_status run_graph(const xp_program *p, xp_gplan *gp) {
    for (int i = 0; i < gp->g->nnodes; i++) {
        xp_nplan *np = &gp->nodes[i];
        patch_args(gp, np);
        xp_status st;
        if (!np->kernel) {
            st = np->node->op == XP_OP_map ? run_map(p, gp, np) : run_cond(p, gp, np);
        } else {
            bool view = np->op->flags & XP_OP_VIEW;
            xp_meta want[4];
            int nw = np->node->nouts < 4 ? np->node->nouts : 4;
            for (int o = 0; view && o < np->node->nouts; o++) {
                if (o < nw) want[o] = np->outs[o]->meta;
                if (np->outs[o]->storage) { /* left over from a failed run */
                    xp_storage_release(np->outs[o]->storage);
                    np->outs[o]->storage = NULL;
                }
            }
            xp_call call = {.op = np->op, .args = np->args, .nargs = np->node->nargs, .outs = np->outs,
                            .nouts = np->node->nouts};
            st = np->kernel(&call);
            for (int o = 0; st == XP_OK && view && o < nw; o++) {
                if (!np->outs[o]->storage || !same_shape(&np->outs[o]->meta, &want[o]))
                    st = xp_error(XP_ERR_INTERNAL, "view kernel '%s' did not produce the planned view", np->op->name);
            }
        }
        if (st != XP_OK) return node_error(p, np->node);
    }
    return XP_OK;
}

/* A new contiguous host tensor holding a copy of `src`, owned by the
 * caller and in no scope. */
static xp_status copy_out(const xp_tensor *src, xp_tensor **out) {
    xp_tensor *t = xp_tensor_new(src->meta.dtype, src->meta.ndim, src->meta.shape);
    if (!t) return xp_last_status();
    xp_scope_disown(t);
    xp_status st;
    if (src->storage->device) {
        const xp_backend *dev = src->storage->device;
        st = xp_is_contiguous(src)
                 ? dev->to_host(dev, xp_tensor_base_ptr(t), xp_tensor_base_ptr(src),
                                (size_t)xp_numel(t) * xp_dtype_size(t->meta.dtype))
                 : xp_error(XP_ERR_UNSUPPORTED, "copying a strided device tensor to the host");
    } else {
        st = xp_tensor_copy_into(t, src);
    }
    if (st != XP_OK) {
        xp_tensor_free(t);
        return st;
    }
    *out = t;
    return XP_OK;
}

static xp_status symint_out(const xp_program *p, const struct xp_exec_state *s, const xp_value *val,
                            xp_tensor **out) {
    int64_t v;
    xp_status st = xp_dim_eval(p->syms, val->sym, s->symvals, &v);
    if (st != XP_OK) return st;
    xp_tensor *t = xp_tensor_from(XP_I64, 0, NULL, &v);
    if (!t) return xp_last_status();
    xp_scope_disown(t);
    *out = t;
    return XP_OK;
}

/* Where a mutation writes: the caller's input or the bound buffer. */
static xp_status mutation_target(const xp_program *p, const struct xp_exec_state *s, const xp_sig_output *so,
                                 xp_tensor *const *inputs, xp_tensor **dst) {
    const char *target = so->target ? so->target : "";
    for (int i = 0, pos = 0; i < p->nsig_in; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        bool weight = xp_exec_is_weight_kind(si->kind);
        if (so->kind == XP_OUT_USER_INPUT_MUTATION && !weight &&
            strcmp(p->graph->values[si->value].name, target) == 0) {
            *dst = inputs[pos];
            return XP_OK;
        }
        if (so->kind == XP_OUT_BUFFER_MUTATION && si->kind == XP_IN_BUFFER && si->target &&
            strcmp(si->target, target) == 0) {
            *dst = p->weights[i];
            return XP_OK;
        }
        if (!weight) pos++;
    }
    return xp_error(XP_ERR_FORMAT, "output %s mutates '%s', which is not %s of program %s",
                    p->graph->values[so->value].name, target,
                    so->kind == XP_OUT_USER_INPUT_MUTATION ? "an input" : "a buffer", p->name);
}

static const char *weight_kind_word(xp_input_kind k) {
    return k == XP_IN_PARAMETER ? "parameter" : k == XP_IN_BUFFER ? "buffer" : "constant";
}

/* Checks the caller's output tensor for xp_program_run_into. */
static xp_status check_into(const xp_program *p, int o, const xp_tensor *t, const xp_meta *want) {
    char a[128], b[128];
    if (!t) return xp_error(XP_ERR_INVALID_ARG, "xp_program_run_into: output %d of program %s is NULL", o, p->name);
    if (!t->storage || t->storage->device)
        return xp_error(XP_ERR_INVALID_ARG, "xp_program_run_into: output %d of program %s is not a host tensor", o,
                        p->name);
    if (t->meta.dtype != want->dtype || !same_shape(&t->meta, want)) {
        xp_meta_format(p, &t->meta, a, sizeof a);
        xp_meta_format(p, want, b, sizeof b);
        return xp_error(XP_ERR_SHAPE, "xp_program_run_into: output %d (%s) of program %s is %s for this run, not %s", o,
                        xp_program_output_name(p, o), p->name, b, a);
    }
    return XP_OK;
}

/* Whether `t` shares storage with an input or weight of the run (its
 * buffer must not be written while the graph still reads them). */
static bool aliases_input(const xp_program *p, xp_tensor *const *inputs, const xp_tensor *t) {
    for (int i = 0, pos = 0; i < p->nsig_in; i++) {
        bool weight = xp_exec_is_weight_kind(p->sig_in[i].kind);
        const xp_tensor *in = weight ? p->weights[i] : inputs[pos++];
        if (xp_shares_storage(in, t)) return true;
    }
    return false;
}

/* Runs p. New outputs (xp_program_run: into == NULL, fills outputs) or
 * the caller's (into): a planned buffer of a USER_OUTPUT is pointed at
 * the caller's tensor for the run when nothing else can see it. */
static xp_status run(xp_program *p, xp_tensor *const *inputs, int n_inputs, xp_tensor **outputs,
                     xp_tensor *const *into, int n_outputs) {
    const char *fn = into ? "xp_program_run_into" : "xp_program_run";
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "%s: program is NULL", fn);
    if (n_outputs < 0 || (n_outputs > 0 && !outputs && !into))
        return xp_error(XP_ERR_INVALID_ARG, "%s: outputs must hold n_outputs tensors", fn);
    for (int k = 0; outputs && k < n_outputs; k++) outputs[k] = NULL;

    struct xp_exec_state *s;
    xp_status st = xp_exec_state_get(p, &s);
    if (st != XP_OK) return st;

    int nout = xp_program_num_outputs(p);
    if (n_outputs != nout)
        return xp_error(XP_ERR_INVALID_ARG, "program %s returns %d output%s, but n_outputs is %d", p->name, nout,
                        nout == 1 ? "" : "s", n_outputs);
    st = xp_guard_check(p, s, inputs, n_inputs);
    if (st != XP_OK) return st;
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        if (xp_exec_is_weight_kind(si->kind) && !p->weights[i])
            return xp_error(XP_ERR_NOT_FOUND, "%s %s is not bound: call xp_program_bind_weights",
                            weight_kind_word(si->kind), si->target ? si->target : p->graph->values[si->value].name);
    }

    struct xp_plan *pl;
    st = xp_plan_get(p, s, &pl);
    if (st != XP_OK) return st;

    xp_gplan *top = pl->top;
    for (int i = 0, pos = 0; i < p->nsig_in; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        top->vals[si->value] = xp_exec_is_weight_kind(si->kind) ? p->weights[i] : inputs[pos++];
    }

    /* into: check every output, then point the planned buffers of those
     * the kernels can write directly at the caller's memory */
    void *saved_small[16] = {0}, **saved = saved_small; /* a steady-state run allocates nothing */
    if (into && nout > 16) {
        saved = xp_calloc((size_t)nout, sizeof *saved);
        if (!saved) return XP_ERR_OOM;
    }
    if (into) {
        for (int o = 0, made = 0; st == XP_OK && o < p->nsig_out; o++) {
            const xp_sig_output *so = &p->sig_out[o];
            if (so->kind != XP_OUT_USER_OUTPUT) continue;
            const xp_value *val = &p->graph->values[so->value];
            /* planned: a node output's header (views included); else a graph input */
            bool planned = top->offset[so->value] >= 0 || top->is_view[so->value];
            xp_meta want = val->kind == XP_VAL_SYMINT ? (xp_meta){.dtype = XP_I64}
                           : planned                  ? top->hdrs[so->value].meta
                                                      : top->vals[so->value]->meta;
            st = check_into(p, made, into[made], &want);
            xp_tensor *t = into[made];
            bool direct = st == XP_OK && val->kind != XP_VAL_SYMINT && top->offset[so->value] >= 0 &&
                          xp_is_contiguous(t) && !aliases_input(p, inputs, t);
            for (int k = 0; direct && k < made; k++) /* an output returned twice, or two outputs in one buffer */
                direct = !saved[k] || (p->sig_out[k].value != so->value && !xp_shares_storage(into[k], t));
            if (direct) {
                saved[made] = top->stors[so->value].data;
                top->stors[so->value].data = xp_tensor_base_ptr(t);
            }
            made++;
        }
    }
    if (st == XP_OK) {
        s->stats.runs++;
        st = run_graph(p, top);
    }

    /* outputs: all or nothing; into the caller's tensors, those that
     * share storage with an input last (after every output that reads
     * the input has been copied) */
    int made = 0;
    for (int pass = 0; pass < (into ? 2 : 1); pass++) {
        made = 0;
        for (int o = 0; st == XP_OK && o < p->nsig_out; o++) {
            const xp_sig_output *so = &p->sig_out[o];
            if (so->kind != XP_OUT_USER_OUTPUT) continue;
            const xp_value *val = &p->graph->values[so->value];
            if (!into) {
                st = val->kind == XP_VAL_SYMINT ? symint_out(p, s, val, &outputs[made])
                                                : copy_out(top->vals[so->value], &outputs[made]);
            } else if (!saved[made] && aliases_input(p, inputs, into[made]) == (pass == 1)) {
                int64_t v;
                if (val->kind != XP_VAL_SYMINT) st = xp_tensor_copy_into(into[made], top->vals[so->value]);
                else if ((st = xp_dim_eval(p->syms, val->sym, s->symvals, &v)) == XP_OK)
                    *(int64_t *)xp_tensor_base_ptr(into[made]) = v;
            }
            if (st == XP_OK) made++;
        }
    }
    if (into) /* the plan's own buffers back */
        for (int o = 0, k = 0; o < p->nsig_out; o++) {
            const xp_sig_output *so = &p->sig_out[o];
            if (so->kind != XP_OUT_USER_OUTPUT) continue;
            if (saved[k]) top->stors[so->value].data = saved[k];
            k++;
        }
    if (saved != saved_small) free(saved);

    /* mutations: find and check every target before writing any */
    for (int o = 0; st == XP_OK && o < p->nsig_out; o++) {
        const xp_sig_output *so = &p->sig_out[o];
        if (so->kind == XP_OUT_USER_OUTPUT) continue;
        xp_tensor *dst;
        st = mutation_target(p, s, so, inputs, &dst);
        const xp_tensor *src = top->vals[so->value];
        if (st == XP_OK && (dst->meta.dtype != src->meta.dtype || !same_shape(&dst->meta, &src->meta)))
            st = xp_error(XP_ERR_INTERNAL, "mutation of '%s' has a different dtype or shape than its target",
                          so->target ? so->target : "?");
    }
    for (int o = 0; st == XP_OK && o < p->nsig_out; o++) {
        const xp_sig_output *so = &p->sig_out[o];
        if (so->kind == XP_OUT_USER_OUTPUT) continue;
        xp_tensor *dst;
        mutation_target(p, s, so, inputs, &dst);
        const xp_tensor *src = top->vals[so->value];
        if (dst != src) st = xp_tensor_copy_into(dst, src);
    }

    if (st != XP_OK && outputs) {
        for (int k = 0; k < made; k++) {
            xp_tensor_free(outputs[k]);
            outputs[k] = NULL;
        }
    }
    xp_plan_release_views(pl);
    return st;
}

xp_status xp_program_run(xp_program *p, xp_tensor *const *inputs, int n_inputs, xp_tensor **outputs,
                         int n_outputs) {
    return run(p, inputs, n_inputs, outputs, NULL, n_outputs);
}

xp_status xp_program_run_into(xp_program *p, xp_tensor *const *inputs, int n_inputs, xp_tensor *const *outputs,
                              int n_outputs) {
    if (n_outputs > 0 && !outputs)
        return xp_error(XP_ERR_INVALID_ARG, "xp_program_run_into: outputs must hold n_outputs tensors");
    return run(p, inputs, n_inputs, NULL, outputs ? outputs : (xp_tensor *const *)NULL, n_outputs);
}
