/*
 * Binding PARAMETER / BUFFER / CONSTANT inputs (DESIGN §4, §5): from a
 * .safetensors file matched by target name, dtype and shape, or one at a
 * time from a tensor. Binding is all or nothing: on any mismatch the
 * program keeps the weights it had.
 *
 * Weights from a file are kept zero-copy (the tensors xp_safetensors_get
 * returns, viewing the file's bytes) except for buffers the program
 * mutates (BUFFER_MUTATION), which get a private writable copy. Tensors in
 * the file that the program does not use are ignored.
 */
#include "exec/xp_exec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_word(xp_input_kind k) {
    return k == XP_IN_PARAMETER ? "parameter" : k == XP_IN_BUFFER ? "buffer" : "constant";
}

static bool is_mutated_buffer(const xp_program *p, const xp_sig_input *si) {
    if (si->kind != XP_IN_BUFFER || !si->target) return false;
    for (int o = 0; o < p->nsig_out; o++)
        if (p->sig_out[o].kind == XP_OUT_BUFFER_MUTATION && p->sig_out[o].target &&
            strcmp(p->sig_out[o].target, si->target) == 0)
            return true;
    return false;
}

/* Checks `t` against the signature entry: exact dtype and shape. */
static xp_status check_weight(const xp_program *p, const xp_sig_input *si, const xp_tensor *t, const char *where) {
    const xp_meta *want = &p->graph->values[si->value].meta;
    bool ok = t->meta.dtype == want->dtype && t->meta.ndim == want->ndim;
    for (int d = 0; ok && d < want->ndim; d++) ok = t->meta.shape[d] == want->shape[d];
    if (ok) return XP_OK;
    char w[160], g[160];
    xp_meta_format(p, want, w, sizeof w);
    xp_meta_format(p, &t->meta, g, sizeof g);
    return xp_error(XP_ERR_SHAPE, "%s %s%s: expected %s, got %s", kind_word(si->kind), si->target, where, w, g);
}

/* A contiguous private copy in no scope. */
static xp_tensor *owned_copy(const xp_tensor *t) {
    xp_tensor *c = xp_tensor_new(t->meta.dtype, t->meta.ndim, t->meta.shape);
    if (!c) return NULL;
    xp_scope_disown(c);
    if (xp_tensor_copy_into(c, t) != XP_OK) {
        xp_tensor_free(c);
        return NULL;
    }
    return c;
}

static void free_all(xp_tensor **w, int n) {
    for (int i = 0; i < n; i++)
        if (w[i]) xp_tensor_free(w[i]);
    free(w);
}

xp_status xp_program_bind_weights(xp_program *p, const char *path) {
    if (!p || !path) return xp_error(XP_ERR_INVALID_ARG, "xp_program_bind_weights: program and path are required");
    struct xp_exec_state *s;
    xp_status st = xp_exec_state_get(p, &s);
    if (st != XP_OK) return st;

    xp_safetensors *file;
    st = xp_safetensors_open(path, &file);
    if (st != XP_OK) return st;

    xp_tensor **fresh = xp_calloc((size_t)(p->nsig_in ? p->nsig_in : 1), sizeof *fresh);
    if (!fresh) {
        xp_safetensors_close(file);
        return XP_ERR_OOM;
    }
    char where[512];
    snprintf(where, sizeof where, " in %s", path);
    for (int i = 0; st == XP_OK && i < p->nsig_in; i++) {
        const xp_sig_input *si = &p->sig_in[i];
        if (!xp_exec_is_weight_kind(si->kind)) continue;
        if (!si->target) {
            st = xp_error(XP_ERR_FORMAT, "%s %s has no target name", kind_word(si->kind),
                          p->graph->values[si->value].name);
            break;
        }
        xp_tensor *t = NULL;
        st = xp_safetensors_get(file, si->target, &t);
        if (st != XP_OK) {
            char want[160];
            xp_meta_format(p, &p->graph->values[si->value].meta, want, sizeof want);
            if (st == XP_ERR_NOT_FOUND)
                st = xp_error(XP_ERR_NOT_FOUND, "%s has no tensor '%s' (%s %s of program %s)", path, si->target,
                              kind_word(si->kind), want, p->name);
            break;
        }
        xp_scope_disown(t);
        st = check_weight(p, si, t, where);
        if (st == XP_OK && is_mutated_buffer(p, si)) {
            /* the file's bytes may be a read-only mapping */
            xp_tensor *c = owned_copy(t);
            xp_tensor_free(t);
            t = c;
            if (!t) st = xp_last_status();
        }
        if (st != XP_OK) {
            if (t) xp_tensor_free(t);
            break;
        }
        fresh[i] = t;
    }
    xp_safetensors_close(file);
    if (st != XP_OK) {
        free_all(fresh, p->nsig_in);
        return st;
    }
    for (int i = 0; i < p->nsig_in; i++) {
        if (!fresh[i]) continue;
        if (p->weights[i]) xp_tensor_free(p->weights[i]);
        p->weights[i] = fresh[i];
    }
    free(fresh);
    return XP_OK;
}

xp_status xp_program_bind_tensor(xp_program *p, const char *target, const xp_tensor *t) {
    if (!p || !target || !t)
        return xp_error(XP_ERR_INVALID_ARG, "xp_program_bind_tensor: program, target and tensor are required");
    struct xp_exec_state *s;
    xp_status st = xp_exec_state_get(p, &s);
    if (st != XP_OK) return st;
    /* the signature index finds the target in constant time: binding a
     * model's weights one by one stays linear in their number */
    int i = xp_program_input_by_target(p, target);
    if (i >= 0 && xp_exec_is_weight_kind(p->sig_in[i].kind)) {
        const xp_sig_input *si = &p->sig_in[i];
        st = check_weight(p, si, t, "");
        if (st != XP_OK) return st;
        if (!t->storage) return xp_error(XP_ERR_INVALID_ARG, "%s %s: the tensor has no data", kind_word(si->kind), target);
        xp_tensor *c = owned_copy(t);
        if (!c) return xp_last_status();
        if (p->weights[i]) xp_tensor_free(p->weights[i]);
        p->weights[i] = c;
        return XP_OK;
    }
    return xp_error(XP_ERR_NOT_FOUND, "program %s has no parameter, buffer or constant named '%s'", p->name, target);
}

xp_tensor *xp_program_weight(xp_program *p, const char *target) {
    if (!p || !target) {
        xp_error(XP_ERR_INVALID_ARG, "xp_program_weight: program and target are required");
        return NULL;
    }
    int i = xp_program_input_by_target(p, target);
    if (i < 0 || (p->sig_in[i].kind != XP_IN_PARAMETER && p->sig_in[i].kind != XP_IN_BUFFER)) {
        xp_error(XP_ERR_NOT_FOUND, "program %s has no parameter or buffer named '%s'", p->name, target);
        return NULL;
    }
    xp_tensor *w = p->weights[i];
    if (!w) {
        xp_error(XP_ERR_NOT_FOUND, "%s %s of program %s is not bound: call xp_program_bind_weights",
                 kind_word(p->sig_in[i].kind), target, p->name);
        return NULL;
    }
    /* named by its target: tracing a model that holds it makes the same input */
    if ((!w->name || strcmp(w->name, target)) && xp_tensor_set_name(w, target) != XP_OK) return NULL;
    if (p->sig_in[i].kind == XP_IN_BUFFER && !w->is_buffer && xp_tensor_mark_buffer(w) != XP_OK) return NULL;
    return w;
}
