/*
 * Specializations: the branches and assertions on sizes that the declared
 * ranges decided at export time, so only one side is in the graph. They
 * change nothing at run time (the guards enforce the ranges that decided
 * them); they are kept so `xport show` and the .xpg file can say why the
 * graph looks the way it does.
 */
#include "ir/ir_internal.h"

#include <stdlib.h>

xp_status xp_program_add_specialization(xp_program *p, xp_srcloc loc, const char *text) {
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_specialization: program is NULL");
    if (!text || !*text) return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_specialization: text is empty");
    if (loc.file < -1 || loc.file >= p->nfiles)
        return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_specialization: file index %d is out of range (%d file%s)",
                        (int)loc.file, p->nfiles, p->nfiles == 1 ? "" : "s");
    if (p->nspecs >= INT32_MAX - 1)
        return xp_error(XP_ERR_INVALID_ARG, "xp_program_add_specialization: too many specializations");
    char *copy = xp_strdup(text);
    if (!copy) return XP_ERR_OOM;
    xp_specialization *specs = xp_realloc(p->specs, (size_t)(p->nspecs + 1) * sizeof *specs);
    if (!specs) {
        free(copy);
        return XP_ERR_OOM;
    }
    p->specs = specs;
    p->specs[p->nspecs++] = (xp_specialization){.loc = loc, .text = copy};
    return XP_OK;
}
