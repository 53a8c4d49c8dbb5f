/* Sizes derived from tensors are symbolic: arithmetic on them builds size
 * expressions (batch*seq, (h + 1) / 2), and conditions on them are decided
 * by the declared ranges, so only the taken branch is captured. */
#include <assert.h>
#include <xport.h>

#pragma xport export
#pragma xport dim(batch, min=1, max=64)
#pragma xport dim(seq, min=1, max=512)
#pragma xport input(x, f32[batch, seq, 8])
xp_tensor *flatten_rows(xp_tensor *x) {
    int64_t b = xp_size(x, 0), s = xp_size(x, 1), d = xp_size(x, -1);
    assert(s <= 512);
    int64_t rows = b * s;
    xp_tensor *flat = xp_reshape(x, XP_DIMS(rows, d));
    if (xp_numel(x) > 0)      /* always true: batch, seq >= 1 */
        flat = xp_mul_scalar(flat, 2.0);
    else
        flat = xp_neg(flat);
    if (b > 64)               /* never: batch <= 64 */
        flat = xp_neg(flat);
    xp_tensor *evens = xp_slice(x, 1, 0, XP_END, 2);      /* (seq + 1) / 2 rows */
    int64_t half = (s + 1) / 2;
    xp_tensor *pooled = xp_reshape(evens, XP_DIMS(b * half, d));
    return xp_cat(XP_TENSORS(flat, pooled), 0);
}

/* An int parameter with a dim is a symbolic int input. */
#pragma xport export
#pragma xport dim(n, min=1, max=100)
#pragma xport input(x, f32[2*n + 1])
xp_tensor *middle(xp_tensor *x, int n) {
    return xp_slice(x, 0, n, n + 1 + (xp_size(x, 0) - 1) / 2 - n, 1);
}

/* A weight's shape may use the export's dims. */
typedef struct {
    #pragma xport param(f32[rows, 4])
    xp_tensor *table;
} Table;

#pragma xport export
#pragma xport dim(rows, min=1, max=1000)
#pragma xport input(x, f32[rows, 4])
xp_tensor *scale_rows(const Table *t, xp_tensor *x) {
    return xp_mul(x, t->table);
}
