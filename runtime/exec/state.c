/*
 * The interpreter's per-program state: made on first use, freed by
 * xp_program_free (through xp_exec_state_free). Also the backend choice,
 * which invalidates the cached plans (their arenas belong to a backend).
 */
#include "exec/xp_exec.h"

#include <stdlib.h>
#include <string.h>

void xp_exec_drop_plans(struct xp_exec_state *s) {
    if (!s) return;
    for (int i = 0; i < s->nplans; i++) xp_plan_free(s->plans[i]);
    s->nplans = 0;
}

void xp_exec_state_free(struct xp_exec_state *s) {
    if (!s) return;
    xp_exec_drop_plans(s);
    free(s->symvals);
    free(s->origin);
    free(s);
}

/* A program's signature and symbols do not change once it runs, but a
 * builder may still add to them between runs: keep the state in step. */
static xp_status fit_state(xp_program *p, struct xp_exec_state *s) {
    /* The builder grows program->weights with sig_in; a program made some
     * other way may not have the array yet. */
    if (!p->weights && p->nsig_in > 0) {
        p->weights = xp_calloc((size_t)p->nsig_in, sizeof *p->weights);
        if (!p->weights) return XP_ERR_OOM;
    }
    if (p->nsig_in != s->nsig_in) {
        s->nsig_in = p->nsig_in;
        xp_exec_drop_plans(s);
    }
    int nsyms = xp_sym_count(p->syms);
    if (nsyms != s->nsyms || !s->symvals) {
        int64_t *v = xp_calloc((size_t)(nsyms ? nsyms : 1), sizeof *v);
        xp_sym_origin *o = xp_calloc((size_t)(nsyms ? nsyms : 1), sizeof *o);
        if (!v || !o) {
            free(v);
            free(o);
            return XP_ERR_OOM;
        }
        free(s->symvals);
        free(s->origin);
        s->symvals = v;
        s->origin = o;
        s->nsyms = nsyms;
        xp_exec_drop_plans(s);
    }
    return XP_OK;
}

xp_status xp_exec_state_get(xp_program *p, struct xp_exec_state **out) {
    if (!p->exec) {
        p->exec = xp_calloc(1, sizeof *p->exec);
        if (!p->exec) return XP_ERR_OOM;
        p->exec_free = xp_exec_state_free;
    }
    xp_status st = fit_state(p, p->exec);
    if (st != XP_OK) return st;
    *out = p->exec;
    return XP_OK;
}

const xp_backend *xp_exec_backend(const xp_program *p) { return p->backend ? p->backend : xp_backend_cpu(); }

xp_status xp_program_set_backend(xp_program *p, const char *backend) {
    if (!p || !backend) return xp_error(XP_ERR_INVALID_ARG, "xp_program_set_backend: program and backend name are required");
    /* No fallback: an unavailable backend is the caller's error to see. */
    xp_clear_error();
    const xp_backend *be = strcmp(backend, "cpu") == 0 ? xp_backend_cpu() : xp_backend_find(backend);
    if (!be) {
        if (!xp_error_pending()) return xp_error(XP_ERR_UNSUPPORTED, "backend '%s' is not available", backend);
        return xp_last_status();
    }
    if (be != xp_exec_backend(p)) xp_exec_drop_plans(p->exec);
    p->backend = be;
    return XP_OK;
}

xp_exec_stats xp_program_exec_stats(const xp_program *p) {
    xp_exec_stats z = {0};
    return p && p->exec ? p->exec->stats : z;
}

bool xp_program_plan_info(const xp_program *p, xp_plan_info *out) {
    if (!p || !p->exec || p->exec->nplans == 0) return false;
    const struct xp_plan *pl = p->exec->plans[0];
    out->arena = pl->arena;
    out->arena_bytes = pl->arena_bytes;
    out->buffer_bytes = pl->top->buffer_bytes;
    out->nbuffers = pl->top->nbuffers;
    return true;
}

const xp_tensor *xp_program_plan_header(const xp_program *p, int32_t value) {
    if (!p || !p->exec || p->exec->nplans == 0) return NULL;
    const xp_gplan *g = p->exec->plans[0]->top;
    if (value < 0 || value >= g->g->nvalues || g->g->values[value].producer < 0) return NULL;
    return &g->hdrs[value];
}
