/*
 * A capture session: references, the program's inputs, its outputs, and
 * finishing the program the way torch.export lays it out.
 *
 * Inputs may be declared in any order: the plugin and the tracer meet a
 * model's weights only when the function first reads them. Finishing puts
 * the signature in torch.export's order — parameters, buffers, constants,
 * then the user inputs (tensors and integers, as declared) — and then
 * lists the outputs: one mutation output per user input or buffer whose
 * value changed (in input order), then the user outputs in call order.
 */
#include "capture/capture_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- references ---- */

xp_cap_ref *xp_cap_ref_get(const xp_capture *c, xp_cref r) {
    if (!c || r < 0 || r >= c->nrefs) return NULL;
    return &c->blocks[r / XP_CAP_BLOCK][r % XP_CAP_BLOCK];
}

xp_status xp_cap_new_base(xp_capture *c, int32_t value, xp_cref *out) {
    return xp_cap_new_base_in(c, xp_cap_graph(c), xp_cap_region_id(c), value, out);
}

xp_status xp_cap_new_base_in(xp_capture *c, const xp_graph *g, uint32_t region, int32_t value, xp_cref *out) {
    if (c->nrefs == INT32_MAX) return xp_error(XP_ERR_OOM, "capture: too many tensor references");
    if (c->nrefs == c->nblocks * XP_CAP_BLOCK) {
        xp_cap_ref **blocks = xp_realloc(c->blocks, (size_t)(c->nblocks + 1) * sizeof *blocks);
        if (!blocks) return XP_ERR_OOM;
        c->blocks = blocks;
        if (!(blocks[c->nblocks] = xp_calloc(XP_CAP_BLOCK, sizeof(xp_cap_ref)))) return XP_ERR_OOM;
        c->nblocks++;
    }
    xp_cref id = c->nrefs++;
    xp_cap_ref *r = xp_cap_ref_get(c, id);
    *r = (xp_cap_ref){.value = value,
                      .meta = g->values[value].meta,
                      .base = id,
                      .parent = XP_CREF_NONE,
                      .view_node = -1,
                      .placeholder = -1,
                      .first_write = XP_NO_LOC,
                      .region = region};
    *out = id;
    return XP_OK;
}

static xp_status check_session(const xp_capture *c, const char *fn) {
    if (!c) return xp_error(XP_ERR_INVALID_ARG, "%s: capture is NULL", fn);
    if (c->finished) return xp_error(XP_ERR_INVALID_ARG, "%s: the capture is already finished", fn);
    return XP_OK;
}

static xp_status check_top(const xp_capture *c, const char *fn) {
    xp_status st = check_session(c, fn);
    if (!st && c->nregions)
        st = xp_error(XP_ERR_INVALID_ARG, "%s: a %s is still open", fn, c->regions[c->nregions - 1].is_map ? "map" : "cond");
    return st;
}

/* ---- the session ---- */

xp_capture *xp_capture_new(xp_program *p) {
    if (!p || !p->graph) {
        xp_error(XP_ERR_INVALID_ARG, "xp_capture_new: program is NULL");
        return NULL;
    }
    xp_registry_init();
    xp_capture *c = xp_calloc(1, sizeof *c);
    if (c) c->p = p;
    return c;
}

void xp_capture_free(xp_capture *c) {
    if (!c) return;
    xp_cap_regions_free(c);
    for (int b = 0; b < c->nblocks; b++) free(c->blocks[b]);
    free(c->blocks);
    free(c->inputs);
    free(c->input_of);
    for (int i = 0; i < c->noutputs; i++) free(c->outputs[i].field);
    free(c->outputs);
    free(c->chain);
    free(c);
}

xp_program *xp_capture_program(const xp_capture *c) { return c ? c->p : NULL; }

const xp_meta *xp_capture_meta(xp_capture *c, xp_cref t) {
    const xp_cap_ref *r = xp_cap_ref_get(c, t);
    if (!r) {
        xp_error(XP_ERR_INVALID_ARG, "xp_capture_meta: %d is not a tensor reference of this capture", (int)t);
        return NULL;
    }
    return &r->meta;
}

xp_status xp_capture_value(xp_capture *c, xp_cref t, int32_t *value) {
    if (!c || !value) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_value: capture and value are required");
    return xp_cap_resolve(c, t, XP_NO_LOC, value);
}

/* ---- inputs ---- */

static xp_status add_input_ref(xp_capture *c, int32_t placeholder, xp_cref *out) {
    xp_cref *inputs = xp_realloc(c->inputs, (size_t)(c->ninputs + 1) * sizeof *inputs);
    if (!inputs) return XP_ERR_OOM;
    c->inputs = inputs;
    if (placeholder >= c->cap_input_of) {
        int cap = c->cap_input_of ? c->cap_input_of : 64;
        while (cap <= placeholder) cap *= 2;
        xp_cref *map = xp_realloc(c->input_of, (size_t)cap * sizeof *map);
        if (!map) return XP_ERR_OOM;
        memset(map + c->cap_input_of, 0, (size_t)(cap - c->cap_input_of) * sizeof *map);
        c->input_of = map;
        c->cap_input_of = cap;
    }
    xp_cref id;
    xp_status st = xp_cap_new_base_in(c, c->p->graph, 0, placeholder, &id);
    if (st) return st;
    xp_cap_ref_get(c, id)->placeholder = placeholder;
    c->inputs[c->ninputs++] = id;
    c->input_of[placeholder] = id + 1;
    *out = id;
    return XP_OK;
}

/* The base reference standing for placeholder `value`, or NULL (an input
 * added to the program outside the capture, or an integer input). A table,
 * not a search: finishing looks up every input, and a 4096-layer model has
 * 8192 of them. */
static xp_cap_ref *input_ref(const xp_capture *c, int32_t value) {
    if (value < 0 || value >= c->cap_input_of || !c->input_of[value]) return NULL;
    return xp_cap_ref_get(c, c->input_of[value] - 1);
}

xp_status xp_capture_user_input(xp_capture *c, const char *name, xp_dtype dt, int ndim, const xp_dim *shape,
                                xp_cref *out) {
    xp_status st = check_session(c, "xp_capture_user_input");
    if (st) return st;
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_user_input: out is NULL");
    int32_t v;
    if ((st = xp_program_add_input(c->p, XP_IN_USER_INPUT, name, NULL, dt, ndim, shape, &v))) return st;
    return add_input_ref(c, v, out);
}

static const char *weight_word(xp_input_kind k) {
    return k == XP_IN_PARAMETER ? "parameter" : k == XP_IN_BUFFER ? "buffer" : "constant";
}

static bool value_name_used(const xp_graph *g, const char *name) { return xp_graph_find_value(g, name) >= 0; }

/* torch.export's placeholder name for a weight: the kind's prefix and the
 * access path with every non-identifier character as '_'
 * ("layers.3.attn.wq" -> p_layers_3_attn_wq), made unique with _1, _2... */
static void placeholder_name(const xp_graph *g, xp_input_kind kind, const char *target, char *buf, size_t n) {
    char base[224];
    char prefix = kind == XP_IN_PARAMETER ? 'p' : kind == XP_IN_BUFFER ? 'b' : 'c';
    size_t len = (size_t)snprintf(base, sizeof base, "%c_", prefix);
    for (const char *s = target; *s && len + 1 < sizeof base; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        base[len++] = ok ? ch : '_';
    }
    base[len] = '\0';
    snprintf(buf, n, "%s", base);
    for (int k = 1; value_name_used(g, buf); k++) snprintf(buf, n, "%s_%d", base, k);
}

static bool same_shape(const xp_symctx *ctx, const xp_meta *m, xp_dtype dt, int ndim, const xp_dim *shape) {
    if (m->dtype != dt || m->ndim != ndim) return false;
    for (int d = 0; d < ndim; d++)
        if (m->shape[d] != shape[d] && xp_dim_eq(ctx, m->shape[d], shape[d]) != XP_YES) return false;
    return true;
}

xp_status xp_capture_weight(xp_capture *c, xp_input_kind kind, const char *target, xp_dtype dt, int ndim,
                            const xp_dim *shape, xp_cref *out) {
    xp_status st = check_session(c, "xp_capture_weight");
    if (st) return st;
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_weight: out is NULL");
    if (kind != XP_IN_PARAMETER && kind != XP_IN_BUFFER && kind != XP_IN_CONSTANT)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_weight: '%s' must be a PARAMETER, BUFFER or CONSTANT, not %s",
                        target ? target : "(null)", xp_input_kind_name(kind));
    if (!target || !target[0])
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_weight: the %s has no name", weight_word(kind));
    if (ndim < 0 || ndim > XP_MAX_DIMS || (ndim > 0 && !shape))
        return xp_error(XP_ERR_SHAPE, "%s '%s': rank %d is outside [0, %d]", weight_word(kind), target, ndim,
                        XP_MAX_DIMS);
    xp_program *p = c->p;
    int i = xp_program_input_by_target(p, target); /* the input read before, if any */
    if (i >= 0) {
        const xp_sig_input *si = &p->sig_in[i];
        if (si->kind != kind)
            return xp_error(XP_ERR_INVALID_ARG, "%s '%s' is already an input of the program as a %s", weight_word(kind),
                            target, weight_word(si->kind));
        const xp_meta *m = &p->graph->values[si->value].meta;
        if (!same_shape(p->syms, m, dt, ndim, shape)) {
            xp_meta want = {.dtype = dt, .ndim = ndim};
            for (int d = 0; d < ndim; d++) want.shape[d] = shape[d];
            char a[128], b[128];
            xp_meta_format(p, &want, a, sizeof a);
            xp_meta_format(p, m, b, sizeof b);
            return xp_error(m->dtype != dt ? XP_ERR_DTYPE : XP_ERR_SHAPE, "%s '%s' is %s here but %s where first used",
                            weight_word(kind), target, a, b);
        }
        xp_cap_ref *r = input_ref(c, si->value);
        if (!r) return xp_error(XP_ERR_INVALID_ARG, "%s '%s' was added to the program outside the capture",
                                weight_word(kind), target);
        *out = r->base;
        return XP_OK;
    }
    char name[256];
    placeholder_name(p->graph, kind, target, name, sizeof name);
    int32_t v;
    if ((st = xp_program_add_input(p, kind, name, target, dt, ndim, shape, &v))) return st;
    return add_input_ref(c, v, out);
}

xp_status xp_capture_symint_input(xp_capture *c, const char *name, xp_dim sym) {
    xp_status st = check_session(c, "xp_capture_symint_input");
    if (st) return st;
    return xp_program_add_symint_input(c->p, name, sym, NULL);
}

/* ---- outputs ---- */

static xp_status push_output(xp_capture *c, int32_t value, const char *field) {
    char *copy = field ? xp_strdup(field) : NULL;
    xp_cap_output *outs = (!field || copy) ? xp_realloc(c->outputs, (size_t)(c->noutputs + 1) * sizeof *outs) : NULL;
    if (!outs) {
        free(copy);
        return XP_ERR_OOM;
    }
    c->outputs = outs;
    c->outputs[c->noutputs++] = (xp_cap_output){.value = value, .field = copy};
    return XP_OK;
}

xp_status xp_capture_output(xp_capture *c, xp_cref t, const char *field) {
    xp_status st = check_top(c, "xp_capture_output");
    if (st) return st;
    if (field && !field[0]) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_output: the field name is empty");
    int32_t value;
    if ((st = xp_cap_resolve(c, t, XP_NO_LOC, &value))) return xp_error_prefix("output");
    return push_output(c, value, field);
}

xp_status xp_capture_output_size(xp_capture *c, xp_dim size, const char *field) {
    xp_status st = check_top(c, "xp_capture_output_size");
    if (st) return st;
    if (field && !field[0]) return xp_error(XP_ERR_INVALID_ARG, "xp_capture_output_size: the field name is empty");
    int32_t value;
    if ((st = xp_program_add_symint_value(c->p, size, &value))) return xp_error_prefix("output");
    return push_output(c, value, field);
}

/* ---- finishing ---- */

static int input_rank(xp_input_kind k) {
    switch (k) {
    case XP_IN_PARAMETER: return 0;
    case XP_IN_BUFFER: return 1;
    case XP_IN_CONSTANT: return 2;
    default: return 3; /* user inputs and integers keep their declared order */
    }
}

/* Stable-sorts the signature (with the graph's inputs and the weight slots
 * that run parallel to it) into torch.export's input order. */
static xp_status order_inputs(xp_program *p) {
    int n = p->nsig_in;
    if (n < 2) return XP_OK;
    xp_sig_input *sig = xp_malloc((size_t)n * sizeof *sig);
    int32_t *ins = xp_malloc((size_t)n * sizeof *ins);
    xp_tensor **w = xp_malloc((size_t)n * sizeof *w);
    if (!sig || !ins || !w) {
        free(sig);
        free(ins);
        free(w);
        return XP_ERR_OOM;
    }
    int k = 0;
    for (int rank = 0; rank <= 3; rank++)
        for (int i = 0; i < n; i++) {
            if (input_rank(p->sig_in[i].kind) != rank) continue;
            sig[k] = p->sig_in[i];
            ins[k] = p->graph->inputs[i];
            w[k] = p->weights ? p->weights[i] : NULL;
            k++;
        }
    memcpy(p->sig_in, sig, (size_t)n * sizeof *sig);
    memcpy(p->graph->inputs, ins, (size_t)n * sizeof *ins);
    if (p->weights) memcpy(p->weights, w, (size_t)n * sizeof *w);
    free(sig);
    free(ins);
    free(w);
    return XP_OK;
}

/* A parameter or constant is read-only in an exported program (torch.export
 * refuses to functionalize a write to one); only buffers are state. */
static xp_status check_read_only(const xp_capture *c) {
    const xp_program *p = c->p;
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        if (si->kind != XP_IN_PARAMETER && si->kind != XP_IN_CONSTANT) continue;
        const xp_cap_ref *r = input_ref(c, si->value);
        if (!r || r->value == si->value) continue;
        char loc[256] = "", type[128];
        xp_srcloc_format(p, r->first_write, loc, sizeof loc);
        xp_meta_format(p, &r->meta, type, sizeof type);
        return xp_error(XP_ERR_INVALID_ARG,
                        "%s '%s' is written%s%s, but an exported program cannot update a %s; declare it with "
                        "`#pragma xport buffer(%s)` to make it state the program updates",
                        weight_word(si->kind), si->target, loc[0] ? " at " : "", loc, weight_word(si->kind), type);
    }
    return XP_OK;
}

xp_status xp_capture_finish(xp_capture *c) {
    xp_status st = check_top(c, "xp_capture_finish");
    if (st) return st;
    xp_program *p = c->p;
    if (p->nsig_out > 0)
        return xp_error(XP_ERR_INVALID_ARG, "xp_capture_finish: program %s already has outputs", p->name);
    if ((st = check_read_only(c)) || (st = order_inputs(p))) return st;
    c->finished = true;
    for (int i = 0; i < p->nsig_in && !st; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        if (si->kind != XP_IN_USER_INPUT && si->kind != XP_IN_BUFFER) continue;
        const xp_cap_ref *r = input_ref(c, si->value);
        if (!r || r->value == si->value) continue;
        if (si->kind == XP_IN_USER_INPUT)
            st = xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, r->value, p->graph->values[si->value].name);
        else
            st = xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, r->value, si->target);
    }
    for (int i = 0; i < c->noutputs && !st; i++)
        st = xp_program_add_output(p, XP_OUT_USER_OUTPUT, c->outputs[i].value, c->outputs[i].field);
    if (st) return st;
    return xp_program_verify(p);
}
