/* Plain C around the ops: constants (enum, static const scalars, arrays and
 * structs), local arrays and compound literals, loops with break and
 * continue, switch, the conditional operator, function pointers, statement
 * expressions and constant math all run at export time; only the ops reach
 * the graph. */
#include <math.h>
#include <xport.h>

enum Activation { ACT_RELU, ACT_GELU, ACT_TANH };
#define PARTS 4
#define WIDTH 6

typedef struct {
    int parts;
    enum Activation act;
    float scale;
} Config;

static const Config kConfig = {.parts = PARTS, .act = ACT_GELU, .scale = 0.5f};
static const int64_t kOrder[] = {3, 1, 0, 2};

#define SQUARE(t) ({ xp_tensor *t_ = (t); xp_mul(t_, t_); })

static xp_tensor *activate(enum Activation act, xp_tensor *x) {
    switch (act) {
    case ACT_RELU:
        return xp_relu(x);
    case ACT_GELU:
        return xp_gelu(x);
    default:
        break;
    }
    return xp_tanh(x);
}

static xp_tensor *twice(xp_tensor *x) { return xp_add(x, x); }

#pragma xport export
#pragma xport input(x, f32[2, PARTS * WIDTH])
xp_tensor *forward(xp_tensor *x) {
    xp_tensor *parts[PARTS];
    for (int i = 0; i < kConfig.parts; i++)
        parts[i] = xp_slice(x, 1, i * WIDTH, (i + 1) * WIDTH, 1);

    xp_tensor *picked[PARTS];
    int n = 0;
    const int64_t *order = kOrder;
    while (1) {
        int64_t k = *order++;
        if (k == 0) continue;          /* skip part 0 */
        picked[n++] = parts[k];
        if (n == PARTS - 1) break;
    }
    xp_tensor *joined = xp_cat(n, picked, -1);

    xp_tensor *(*post)(xp_tensor *) = kConfig.act == ACT_TANH ? xp_neg : twice;
    xp_tensor *y = activate(kConfig.act, joined);
    y = post(SQUARE(y));

    float s = kConfig.scale / sqrtf(4.0f);
    int64_t shape[2];
    shape[0] = 3 * (WIDTH > 4 ? 2 : 1);
    shape[1] = -1;
    y = xp_reshape(xp_mul_scalar(y, s), 2, shape);
    xp_tensor *ones = xp_tensor_new(XP_F32, 2, (int64_t[]){1, PARTS * WIDTH / 2 / 2});
    do {
        y = xp_sub(y, ones);
    } while (0);
    return xp_cat(XP_TENSORS(y, xp_full(XP_F32, XP_DIMS(1, WIDTH), M_PI)), 0);
}
