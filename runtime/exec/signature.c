/*
 * What a run takes and gives, read from the graph signature: the user
 * inputs (USER_INPUT and SYMINT, in signature order) and the USER_OUTPUTs.
 * Weights (PARAMETER, BUFFER, CONSTANT) are bound separately and mutations
 * are written back, so neither counts here.
 */
#include "exec/xp_exec.h"

int xp_exec_user_input_pos(const xp_program *p, int sig_index) {
    if (xp_exec_is_weight_kind(p->sig_in[sig_index].kind)) return -1;
    int pos = 0;
    for (int i = 0; i < sig_index; i++)
        if (!xp_exec_is_weight_kind(p->sig_in[i].kind)) pos++;
    return pos;
}

int xp_program_num_inputs(const xp_program *p) {
    if (!p) return 0;
    int n = 0;
    for (int i = 0; i < p->nsig_in; i++)
        if (!xp_exec_is_weight_kind(p->sig_in[i].kind)) n++;
    return n;
}

int xp_program_num_outputs(const xp_program *p) {
    if (!p) return 0;
    int n = 0;
    for (int i = 0; i < p->nsig_out; i++)
        if (p->sig_out[i].kind == XP_OUT_USER_OUTPUT) n++;
    return n;
}

const char *xp_program_input_name(const xp_program *p, int i) {
    if (!p || i < 0) return NULL;
    for (int k = 0; k < p->nsig_in; k++) {
        if (xp_exec_is_weight_kind(p->sig_in[k].kind)) continue;
        if (i-- == 0) return p->graph->values[p->sig_in[k].value].name;
    }
    return NULL;
}

const char *xp_program_output_name(const xp_program *p, int i) {
    if (!p || i < 0) return NULL;
    for (int k = 0; k < p->nsig_out; k++) {
        if (p->sig_out[k].kind != XP_OUT_USER_OUTPUT) continue;
        /* a struct return names its outputs by field; else the value's name */
        if (i-- == 0) return p->sig_out[k].target ? p->sig_out[k].target : p->graph->values[p->sig_out[k].value].name;
    }
    return NULL;
}
