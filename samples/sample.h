/*
 * The adapter convention of the samples catalog (samples/README.md).
 *
 * A supported sample defines its exported function and, after it, one
 * adapter that calls it eagerly with the inputs the exported program takes:
 *
 *     XP_SAMPLE(forward) {
 *         Model m = {.lin = {.weight = XP_WEIGHT("lin.weight"), .bias = XP_WEIGHT("lin.bias")}};
 *         XP_RETURN(forward(&m, XP_IN(0), XP_IN(1)));
 *     }
 *
 * - XP_IN(i) is the program's i-th run input (USER_INPUT and SYMINT, in
 *   signature order, which is the order of the function's parameters);
 *   XP_INT(i) is the value of a SYMINT input (a 0-d i64 tensor at run time);
 * - XP_WEIGHT("target") is the tensor bound to the PARAMETER or BUFFER with
 *   that access path (the same random tensor the exported run is bound to);
 * - XP_RETURN(t, ...) hands back the eager outputs, in the program's output
 *   order (one per field for a returned struct).
 *
 * samples/harness/driver.c reads the exported program's signature, makes
 * random inputs and weights for a few sizes in the declared ranges, runs
 * the program (embedded, or from its .xpg) and the adapter on equal copies,
 * and compares the outputs and every input afterwards (mutations).
 * The adapter is compiled with the plugin but is not exported, so it may
 * use anything C allows.
 */
#ifndef XP_SAMPLE_H
#define XP_SAMPLE_H

#include <xport.h>

typedef struct xp_sample_args {
    xp_tensor *const *inputs;                 /* run inputs in signature order */
    xp_tensor *(*weight)(const char *target); /* PARAMETER/BUFFER by access path */
} xp_sample_args;

#define XP_SAMPLE_MAX_OUTPUTS 8

/* Defines the program name the driver loads and the adapter's signature:
 * it returns the number of outputs written to its second argument. */
#define XP_SAMPLE(fn)                         \
    const char xp_sample_program[] = #fn;     \
    int xp_sample_eager(const xp_sample_args *xp_sample_args_, xp_tensor **xp_sample_out_)

int xp_sample_eager(const xp_sample_args *args, xp_tensor **out);
extern const char xp_sample_program[];

#define XP_IN(i) (xp_sample_args_->inputs[i])
#define XP_INT(i) xp_item_i64(xp_sample_args_->inputs[i])
#define XP_WEIGHT(target) (xp_sample_args_->weight(target))
#define XP_RETURN(...) return xp_sample_return_(xp_sample_out_, XP_TENSORS(__VA_ARGS__))

static inline int xp_sample_return_(xp_tensor **out, int n, xp_tensor *const *ts) {
    if (n > XP_SAMPLE_MAX_OUTPUTS) return -1;
    for (int i = 0; i < n; i++) out[i] = ts[i];
    return n;
}

#endif
