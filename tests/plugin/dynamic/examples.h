/* The torch.export tutorial's dynamic-shape examples ("Expressing
 * Dynamism"), written in C: examples.c exports the four that the declared
 * ranges make valid as written; example3.c is DynamicShapesExample3, which
 * compiles only after its suggested fixes are applied. */
#ifndef DYNAMIC_EXAMPLES_H
#define DYNAMIC_EXAMPLES_H

#include <xport.h>

xp_tensor *dynamic_shapes_example1(xp_tensor *x);
xp_tensor *dynamic_shapes_example2(xp_tensor *x, xp_tensor *y);
xp_tensor *derived_dim_example1(xp_tensor *x, xp_tensor *y);
xp_tensor *derived_dim_example2(xp_tensor *z, xp_tensor *y);
xp_tensor *dynamic_shapes_example3(xp_tensor *x, xp_tensor *y);

#endif
