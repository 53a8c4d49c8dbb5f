/*
 * tags: control-flow
 * description: a switch on a compile-time constant selects one path
 * expect: supported
 * source: ExportDB specialized_attribute
 */
#include "sample.h"

enum activation { ACT_RELU, ACT_GELU, ACT_TANH };
static const enum activation kActivation = ACT_GELU;

#pragma xport export
#pragma xport input(x, f32[8])
xp_tensor *constant_switch(xp_tensor *x) {
    switch (kActivation) {
    case ACT_RELU:
        return xp_relu(x);
    case ACT_GELU:
        return xp_gelu(x);
    default:
        return xp_tanh(x);
    }
}

XP_SAMPLE(constant_switch) { XP_RETURN(constant_switch(XP_IN(0))); }
