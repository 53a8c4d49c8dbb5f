/* The exported functions of control_flow_model.c. */
#ifndef CONTROL_FLOW_H
#define CONTROL_FLOW_H

#include <xport.h>

xp_tensor *cond_tensor(xp_tensor *x);
xp_tensor *cond_size(xp_tensor *x);
xp_tensor *cond_chain(xp_tensor *x);
xp_tensor *map_loop(xp_tensor *xs, xp_tensor *w);
xp_tensor *map_fn(xp_tensor *xs, xp_tensor *bias);
xp_tensor *cond_fn(xp_tensor *x, xp_tensor *y);

#endif
