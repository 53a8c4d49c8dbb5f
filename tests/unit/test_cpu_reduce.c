/*
 * CPU reductions (sum, mean, amax, amin, argmax) and softmax/log_softmax
 * through the public API, against plain double-precision references
 * computed here: random shapes with size-0 and size-1 dims, random dim
 * lists (negative dims, keepdim), transposed / sliced / expanded inputs,
 * integer, bool and half dtypes, NaN/inf, empty reductions, and the large
 * shapes that take the chunked and row-wise code paths.
 *
 * Tolerances:
 *  - sum/mean accumulate in double, in an order other than the reference's;
 *    each of the N terms (|x| < 1, N <= 10^6 here) costs at most 2^-53 *
 *    N of absolute error, far below the final rounding into the result
 *    dtype: rtol 2u (u = 2^-24 for f32, 2^-11 for f16) plus atol
 *    N * 2^-53 * sum|x| for cancellation (1e-9 for the random shapes,
 *    whose N * sum|x| is below 2 * 10^6).
 *  - amax/amin/argmax select an element: exact.
 *  - softmax in f32: x - max is rounded (2^-24 |x - max|, |x - max| <= 10
 *    here), exp adds under 1 ulp and the sum and normalization two more
 *    roundings: rtol 16 * 2^-24 = 1e-6. log_softmax = (x - max) - log(sum)
 *    has absolute error 2^-24 * (|x - max| + |log sum|) per rounding, a few
 *    roundings: atol 2e-6. f64: rtol/atol 1e-13.
 */
#include <stdlib.h>
#include <string.h>

#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

static const double U_F32 = 1.0 / 16777216.0;

static int64_t rand_size(uint64_t *s) { return xpt_rand_int(s, 0, 15) == 0 ? 0 : xpt_rand_int(s, 1, 6); }

/* ---- reference reductions ---- */

enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_ARGMAX };

/* The reduction of x over the dims in `mask` as an f64 tensor of the
 * result's shape (kept dims, reduced dims as 1 with keepdim). argmax's
 * index counts in C order over the reduced dims. */
static xp_tensor *ref_reduce(const xp_tensor *x, const bool *mask, bool keepdim, int op) {
    int nd = xp_ndim(x), ond = 0;
    int64_t oshape[XP_MAX_DIMS], N = 1;
    for (int d = 0; d < nd; d++) {
        if (!mask[d]) oshape[ond++] = xp_size(x, d);
        else {
            N *= xp_size(x, d);
            if (keepdim) oshape[ond++] = 1;
        }
    }
    xp_tensor *want = xp_tensor_new(XP_F64, ond, oshape);
    int64_t M = xp_numel(want);
    double *w = xp_data(want), *best = calloc((size_t)M + 1, sizeof(double));
    int64_t *seen = calloc((size_t)M + 1, sizeof(int64_t));
    for (int64_t o = 0; o < M; o++) w[o] = op == R_SUM || op == R_MEAN ? 0 : NAN;
    int64_t idx[XP_MAX_DIMS] = {0}, n = xp_numel(x);
    for (int64_t i = 0; i < n; i++) {
        int64_t o = 0, r = 0;
        for (int d = 0; d < nd; d++) {
            if (!mask[d]) o = o * xp_size(x, d) + idx[d];
            else r = r * xp_size(x, d) + idx[d];
        }
        double v = xpt_get(x, idx);
        switch (op) {
        case R_SUM: case R_MEAN: w[o] += v; break;
        case R_MAX: case R_MIN:
            if (!seen[o]++ || isnan(v)) w[o] = v;
            else if (!isnan(w[o]) && (op == R_MAX ? v > w[o] : v < w[o])) w[o] = v;
            break;
        default: /* argmax: NaN beats everything, ties keep the first */
            if (!seen[o]++ || (!isnan(best[o]) && (isnan(v) || v > best[o]))) {
                best[o] = v;
                w[o] = (double)r;
            }
            break;
        }
        xp_index_next(nd, xp_ndim(x) ? x->meta.shape : NULL, idx);
    }
    if (op == R_MEAN)
        for (int64_t o = 0; o < M; o++) w[o] = N ? w[o] / (double)N : NAN;
    free(best);
    free(seen);
    return want;
}

/* A random list of distinct dims (some negative); n = 0 means "all". */
static int random_dims(uint64_t *s, int nd, int64_t *dims, bool *mask) {
    int n = 0;
    for (int d = 0; d < XP_MAX_DIMS; d++) mask[d] = false;
    for (int d = 0; d < nd; d++)
        if (xpt_rand_int(s, 0, 1)) {
            mask[d] = true;
            dims[n++] = xpt_rand_int(s, 0, 1) ? d : d - nd;
        }
    /* shuffle: the order of the list does not matter */
    for (int k = n - 1; k > 0; k--) {
        int j = (int)xpt_rand_int(s, 0, k);
        int64_t t = dims[k];
        dims[k] = dims[j], dims[j] = t;
    }
    if (n == 0)
        for (int d = 0; d < nd; d++) mask[d] = true;
    return n;
}

typedef xp_tensor *(*reduce_all_fn)(xp_tensor *);
typedef xp_tensor *(*reduce_dims_fn)(xp_tensor *, int, const int64_t *, bool);

static const struct {
    const char *name;
    reduce_all_fn all;
    reduce_dims_fn dims;
    int op;
} reductions[] = {
    {"sum", xp_sum, xp_sum_dims, R_SUM},
    {"mean", xp_mean, xp_mean_dims, R_MEAN},
    {"amax", xp_amax, xp_amax_dims, R_MAX},
    {"amin", xp_amin, xp_amin_dims, R_MIN},
};

static bool any_empty_reduced(const xp_tensor *x, const bool *mask) {
    for (int d = 0; d < xp_ndim(x); d++)
        if (mask[d] && xp_size(x, d) == 0) return true;
    return false;
}

START_TEST(reductions_match_reference_on_random_dims) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 6001;
    for (size_t k = 0; k < sizeof reductions / sizeof *reductions; k++)
        for (int it = 0; it < 80; it++) {
            int nd = (int)xpt_rand_int(&s, 0, 4);
            int64_t shape[XP_MAX_DIMS], dims[XP_MAX_DIMS];
            for (int d = 0; d < nd; d++) shape[d] = rand_size(&s);
            xp_dtype dt = it % 5 == 4 ? XP_F64 : it % 5 == 3 && reductions[k].op != R_MEAN ? XP_I32 : XP_F32;
            xp_tensor *x = xpt_random_layout(&s, dt, nd, shape, -1000, 1000);
            bool mask[XP_MAX_DIMS], keepdim = xpt_rand_int(&s, 0, 1);
            int n = random_dims(&s, nd, dims, mask);
            bool whole = n == 0 && !keepdim && xpt_rand_int(&s, 0, 1);
            xp_tensor *got = whole ? reductions[k].all(x) : reductions[k].dims(x, n, dims, keepdim);
            if ((reductions[k].op == R_MAX || reductions[k].op == R_MIN) && any_empty_reduced(x, mask)) {
                ck_assert_msg(got == NULL, "%s of an empty dim must fail", reductions[k].name);
                xpt_assert_contains(xp_last_error(), "non-zero size");
                xp_clear_error();
                continue;
            }
            ck_assert_msg(got != NULL, "%s: %s", reductions[k].name, xp_last_error());
            xp_dtype want_dt = reductions[k].op == R_SUM && dt == XP_I32 ? XP_I64 : dt;
            ck_assert_int_eq(xp_dtype_of(got), want_dt);
            double rtol = dt == XP_F32 ? 2 * U_F32 : dt == XP_F64 ? 1e-15 : 0;
            xpt_assert_close(got, ref_reduce(x, mask, keepdim, reductions[k].op), rtol, dt == XP_I32 ? 0 : 1e-6);
        }
    xp_scope_pop(sc);
}
END_TEST

/* Shapes that exercise each code path: per-output dot loops (reduced dims
 * innermost), row-wise accumulation (reduced dims outermost), chunked
 * partial sums (few outputs, many elements), and strided inputs. */
START_TEST(reductions_over_large_shapes_take_every_layout) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 6002;
    const struct { int nd; int64_t shape[3]; int n; int64_t dims[2]; } cases[] = {
        {2, {300, 67}, 1, {0}},      /* rows */
        {2, {67, 300}, 1, {1}},      /* per output, contiguous */
        {3, {9, 40, 70}, 2, {0, 2}}, /* mixed */
        {3, {9, 40, 70}, 2, {0, 1}}, /* rows with two reduced dims */
        {2, {3, 200000}, 1, {1}},    /* chunked */
        {1, {1000003}, 1, {0}},      /* chunked, whole tensor */
        {2, {1000, 700}, 1, {0}},    /* rows, threaded */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int layout = 0; layout < 2; layout++) {
            xp_tensor *x = xpt_random(&s, XP_F32, cases[c].nd, cases[c].shape, -1, 1);
            if (layout && cases[c].nd >= 2) { /* the same logical tensor, stored transposed */
                int nd = cases[c].nd;
                int64_t base[3];
                memcpy(base, cases[c].shape, sizeof base);
                base[0] = cases[c].shape[nd - 1], base[nd - 1] = cases[c].shape[0];
                x = xp_transpose(xpt_random(&s, XP_F32, nd, base, -1, 1), 0, nd - 1);
            }
            bool mask[XP_MAX_DIMS] = {false};
            for (int k = 0; k < cases[c].n; k++) mask[cases[c].dims[k]] = true;
            for (size_t r = 0; r < sizeof reductions / sizeof *reductions; r++) {
                xp_tensor *got = reductions[r].dims(x, cases[c].n, cases[c].dims, false);
                ck_assert_msg(got != NULL, "%s: %s", reductions[r].name, xp_last_error());
                xpt_assert_close(got, ref_reduce(x, mask, false, reductions[r].op), 2 * U_F32, 1e-7);
            }
        }
    xp_scope_pop(sc);
}
END_TEST

/* Few, narrow output rows over a long reduced dim: the row-wise layout
 * splits the reduced range into chunks and folds the partial rows. */
START_TEST(row_wise_reductions_split_long_reduced_dims) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 6006;
    const int64_t shape[2] = {60000, 9};
    bool mask[XP_MAX_DIMS] = {true, false};
    xp_tensor *i = xpt_random(&s, XP_I32, 2, shape, -1000000, 1000000);
    xpt_assert_close(xp_sum_dims(i, XP_DIMS(0), false), ref_reduce(i, mask, false, R_SUM), 0, 0);
    xpt_assert_close(xp_amin_dims(i, XP_DIMS(0), false), ref_reduce(i, mask, false, R_MIN), 0, 0);
    xp_tensor *h = xpt_random(&s, XP_F16, 2, shape, -1, 1);
    xpt_assert_close(xp_amax_dims(h, XP_DIMS(0), true), ref_reduce(h, mask, true, R_MAX), 0, 0);
    xpt_assert_close(xp_mean_dims(h, XP_DIMS(0), false), ref_reduce(h, mask, false, R_MEAN), 2.0 / 2048, 1e-9);
    xp_tensor *f = xpt_random(&s, XP_F32, 2, shape, -1, 1);
    ((float *)xp_data(f))[50000 * 9 + 3] = NAN;
    xpt_assert_close(xp_amin_dims(f, XP_DIMS(0), false), ref_reduce(f, mask, false, R_MIN), 0, 0);
    xpt_assert_close(xp_sum_dims(f, XP_DIMS(0), false), ref_reduce(f, mask, false, R_SUM), 2 * U_F32, 1e-9);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(reductions_do_not_depend_on_the_thread_count) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 6003;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 300001}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){3000, 300}, -1, 1);
    int saved = xp_num_threads();
    double got[2][4];
    for (int t = 0; t < 2; t++) {
        xp_set_num_threads(t ? 4 : 1);
        got[t][0] = xp_item_f64(xp_sum(x));
        got[t][1] = xp_item_f64(xp_sum(xp_sum_dims(y, XP_DIMS(0), false)));
        got[t][2] = xp_item_f64(xp_mean(xp_mean_dims(x, XP_DIMS(1), true)));
        got[t][3] = xp_item_f64(xp_amax(y));
    }
    xp_set_num_threads(saved);
    for (int k = 0; k < 4; k++) ck_assert_msg(got[0][k] == got[1][k], "result %d: %.17g vs %.17g", k, got[0][k], got[1][k]);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(integer_and_bool_sums_accumulate_in_i64) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *i = xp_full(XP_I32, XP_DIMS(3, 4), 2000000000);
    xp_tensor *r = xp_sum(i);
    ck_assert_int_eq(xp_dtype_of(r), XP_I64);
    ck_assert(xp_item_i64(r) == 24000000000LL);
    r = xp_sum_dims(i, XP_DIMS(-1), true);
    xpt_assert_shape(r, 3, 1);
    ck_assert(((int64_t *)xp_data(r))[2] == 8000000000LL);
    xp_tensor *b = xp_tensor_from(XP_BOOL, 2, (int64_t[]){2, 3}, (uint8_t[]){1, 0, 1, 1, 1, 1});
    r = xp_sum_dims(b, XP_DIMS(1), false);
    ck_assert_int_eq(xp_dtype_of(r), XP_I64);
    ck_assert(((int64_t *)xp_data(r))[0] == 2 && ((int64_t *)xp_data(r))[1] == 3);
    /* amax/amin keep integer dtypes and their extremes */
    xp_tensor *l = xp_tensor_from(XP_I64, 1, (int64_t[]){3}, (int64_t[]){INT64_MIN, 5, INT64_MAX});
    ck_assert(xp_item_i64(xp_amax(l)) == INT64_MAX);
    ck_assert(xp_item_i64(xp_amin(l)) == INT64_MIN);
    ck_assert_int_eq(xp_dtype_of(xp_amax(l)), XP_I64);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(half_precision_reductions_round_once) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 6004;
    xp_dtype dts[2] = {XP_F16, XP_BF16};
    double u[2] = {1.0 / 2048, 1.0 / 256};
    for (int k = 0; k < 2; k++) {
        xp_tensor *x = xpt_random_layout(&s, dts[k], 3, (int64_t[]){5, 64, 7}, -1, 1);
        bool mask[XP_MAX_DIMS] = {false, true, false};
        xp_tensor *r = xp_sum_dims(x, XP_DIMS(1), false);
        ck_assert_int_eq(xp_dtype_of(r), dts[k]);
        xpt_assert_close(r, ref_reduce(x, mask, false, R_SUM), 2 * u[k], 1e-9);
        xpt_assert_close(xp_mean_dims(x, XP_DIMS(1), false), ref_reduce(x, mask, false, R_MEAN), 2 * u[k], 1e-9);
        xpt_assert_close(xp_amax_dims(x, XP_DIMS(1), false), ref_reduce(x, mask, false, R_MAX), 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(empty_reductions_follow_pytorch) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 0});
    xp_tensor *r = xp_sum_dims(x, XP_DIMS(1), false);
    xpt_assert_shape(r, 3);
    for (int i = 0; i < 3; i++) ck_assert_double_eq(xpt_get_flat(r, i), 0);
    r = xp_mean_dims(x, XP_DIMS(1), true);
    xpt_assert_shape(r, 3, 1);
    for (int i = 0; i < 3; i++) ck_assert(isnan(xpt_get_flat(r, i)));
    ck_assert_double_eq(xp_item_f64(xp_sum(x)), 0);
    ck_assert(isnan(xp_item_f64(xp_mean(x))));
    /* reducing the non-empty dim gives an empty result, which is fine */
    xpt_assert_shape(xp_amax_dims(x, XP_DIMS(0), false), 0);
    ck_assert_ptr_null(xp_amax_dims(x, XP_DIMS(1), false));
    xpt_assert_contains(xp_last_error(), "dim 1");
    xp_clear_error();
    ck_assert_ptr_null(xp_amin(x));
    xp_clear_error();
    ck_assert_ptr_null(xp_argmax(x));
    xp_clear_error();
    /* a 0-d tensor reduces to itself */
    double v = 4.5;
    xp_tensor *z = xp_tensor_from(XP_F64, 0, NULL, &v);
    ck_assert_double_eq(xp_item_f64(xp_sum(z)), 4.5);
    ck_assert_double_eq(xp_item_f64(xp_amax_dims(z, XP_DIMS(-1), false)), 4.5);
    ck_assert(xp_item_i64(xp_argmax(z)) == 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(amax_and_amin_propagate_nan) {
    xp_scope *sc = xp_scope_push();
    float v[6] = {1, NAN, 3, 4, 5, -INFINITY};
    xp_tensor *x = xp_tensor_from(XP_F32, 2, (int64_t[]){2, 3}, v);
    xp_tensor *r = xp_amax_dims(x, XP_DIMS(1), false);
    ck_assert(isnan(xpt_get_flat(r, 0)) && xpt_get_flat(r, 1) == 5);
    r = xp_amin_dims(x, XP_DIMS(1), false);
    ck_assert(isnan(xpt_get_flat(r, 0)) && xpt_get_flat(r, 1) == -INFINITY);
    r = xp_amax_dims(x, XP_DIMS(0), false); /* row-wise layout */
    ck_assert(xpt_get_flat(r, 0) == 4 && isnan(xpt_get_flat(r, 1)) && xpt_get_flat(r, 2) == 3);
    ck_assert(isnan(xp_item_f64(xp_amax(x))));
    ck_assert(isnan(xp_item_f64(xp_sum(x))));
    /* wide rows with one NaN column, through the vectorized row loops */
    uint64_t s = 6005;
    xp_tensor *w = xpt_random(&s, XP_F32, 2, (int64_t[]){50, 33}, -1, 1);
    ((float *)xp_data(w))[17 * 33 + 5] = NAN;
    bool mask[XP_MAX_DIMS] = {true, false};
    xpt_assert_close(xp_amin_dims(w, XP_DIMS(0), false), ref_reduce(w, mask, false, R_MIN), 0, 0);
    bool mask1[XP_MAX_DIMS] = {false, true};
    xpt_assert_close(xp_amax_dims(w, XP_DIMS(1), false), ref_reduce(w, mask1, false, R_MAX), 0, 0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(reduction_dims_are_validated) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = xp_ones(XP_F32, XP_DIMS(2, 3));
    ck_assert_ptr_null(xp_sum_dims(x, XP_DIMS(1, -1), false));
    xpt_assert_contains(xp_last_error(), "dim 1");
    xp_clear_error();
    ck_assert_ptr_null(xp_amax_dims(x, XP_DIMS(2), false));
    xp_clear_error();
    ck_assert_ptr_null(xp_argmax_dim(x, -3, false));
    xp_clear_error();
    ck_assert_ptr_null(xp_mean(xp_ones(XP_I32, XP_DIMS(2))));
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- argmax ---- */

START_TEST(argmax_matches_reference_with_ties) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 7001;
    for (int it = 0; it < 120; it++) {
        int nd = (int)xpt_rand_int(&s, 0, 4);
        int64_t shape[XP_MAX_DIMS];
        for (int d = 0; d < nd; d++) shape[d] = xpt_rand_int(&s, 1, 6);
        xp_dtype dt = it % 3 == 2 ? XP_I32 : XP_F32;
        /* few distinct values: ties everywhere */
        xp_tensor *x = xpt_random_layout(&s, dt, nd, shape, -3, 3);
        if (dt == XP_F32) x = xp_to(xp_to(x, XP_I32), XP_F32);
        bool keepdim = xpt_rand_int(&s, 0, 1), mask[XP_MAX_DIMS];
        xp_tensor *got, *want;
        if (nd == 0 || it % 4 == 0) {
            for (int d = 0; d < XP_MAX_DIMS; d++) mask[d] = true;
            got = xp_argmax(x);
            want = ref_reduce(x, mask, false, R_ARGMAX);
        } else {
            int d = (int)xpt_rand_int(&s, 0, nd - 1);
            for (int k = 0; k < XP_MAX_DIMS; k++) mask[k] = k == d;
            got = xp_argmax_dim(x, xpt_rand_int(&s, 0, 1) ? d : d - nd, keepdim);
            want = ref_reduce(x, mask, keepdim, R_ARGMAX);
        }
        ck_assert_msg(got != NULL, "argmax: %s", xp_last_error());
        ck_assert_int_eq(xp_dtype_of(got), XP_I64);
        xpt_assert_close(got, want, 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(argmax_counts_nan_as_the_maximum) {
    xp_scope *sc = xp_scope_push();
    float v[8] = {1, 9, NAN, 9, NAN, 2, 3, 3};
    xp_tensor *x = xp_tensor_from(XP_F32, 1, (int64_t[]){8}, v);
    ck_assert(xp_item_i64(xp_argmax(x)) == 2);
    xp_tensor *m = xp_tensor_from(XP_F32, 2, (int64_t[]){2, 4}, v);
    xp_tensor *r = xp_argmax_dim(m, 1, true);
    xpt_assert_shape(r, 2, 1);
    ck_assert(((int64_t *)xp_data(r))[0] == 2 && ((int64_t *)xp_data(r))[1] == 0);
    /* -inf only: the first one */
    float ninf[3] = {-INFINITY, -INFINITY, -INFINITY};
    ck_assert(xp_item_i64(xp_argmax(xp_tensor_from(XP_F32, 1, (int64_t[]){3}, ninf))) == 0);
    /* a long run with the maximum and a NaN far apart */
    uint64_t s = 7002;
    xp_tensor *big = xpt_random(&s, XP_F32, 1, (int64_t[]){200000}, -1, 1);
    ((float *)xp_data(big))[150000] = 5;
    ck_assert(xp_item_i64(xp_argmax(big)) == 150000);
    ((float *)xp_data(big))[170000] = NAN;
    ck_assert(xp_item_i64(xp_argmax(big)) == 170000);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(argmax_without_dim_indexes_the_logical_flat_order) {
    xp_scope *sc = xp_scope_push();
    /* stored [[0, 1, 2], [3, 9, 5]], viewed transposed as [3, 2]: the 9 is
     * at logical [1, 1], flat index 3, not its storage position 4 */
    xp_tensor *x = xp_tensor_from(XP_F32, 2, (int64_t[]){2, 3}, (float[]){0, 1, 2, 3, 9, 5});
    xp_tensor *t = xp_transpose(x, 0, 1);
    ck_assert(xp_item_i64(xp_argmax(t)) == 3);
    xp_tensor *r = xp_argmax_dim(t, 0, false);
    ck_assert(((int64_t *)xp_data(r))[0] == 2 && ((int64_t *)xp_data(r))[1] == 1);
    xp_scope_pop(sc);
}
END_TEST

/* ---- softmax ---- */

/* softmax (or log_softmax) of x along dim, in double */
static xp_tensor *ref_softmax(const xp_tensor *x, int dim, bool log_form) {
    int nd = xp_ndim(x);
    xp_tensor *want = xp_tensor_new(XP_F64, nd, nd ? x->meta.shape : NULL);
    double *w = xp_data(want);
    int64_t outer = 1, L = 1, inner = 1;
    for (int d = 0; d < nd; d++) {
        if (d < dim) outer *= xp_size(x, d);
        else if (d == dim) L = xp_size(x, d);
        else inner *= xp_size(x, d);
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double m = -INFINITY, sum = 0;
            bool nan = false;
            for (int64_t l = 0; l < L; l++) {
                double v = xpt_get_flat(x, (o * L + l) * inner + i);
                nan |= isnan(v);
                m = v > m ? v : m;
            }
            for (int64_t l = 0; l < L; l++) sum += exp(xpt_get_flat(x, (o * L + l) * inner + i) - m);
            for (int64_t l = 0; l < L; l++) {
                double v = xpt_get_flat(x, (o * L + l) * inner + i);
                double r = log_form ? (v - m) - log(sum) : exp(v - m) / sum;
                w[(o * L + l) * inner + i] = nan ? NAN : r;
            }
        }
    return want;
}

START_TEST(softmax_matches_reference_along_any_dim) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 8001;
    for (int it = 0; it < 80; it++) {
        int nd = (int)xpt_rand_int(&s, 0, 4);
        int64_t shape[XP_MAX_DIMS];
        for (int d = 0; d < nd; d++) shape[d] = rand_size(&s);
        if (nd && it % 10 == 0) shape[xpt_rand_int(&s, 0, nd - 1)] *= 60; /* long rows or many columns */
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        xp_tensor *x = xpt_random_layout(&s, dt, nd, shape, -5, 5);
        int dim = nd ? (int)xpt_rand_int(&s, 0, nd - 1) : 0;
        int64_t arg = xpt_rand_int(&s, 0, 1) ? dim : dim - (nd ? nd : 1);
        bool log_form = it % 2;
        xp_tensor *got = log_form ? xp_log_softmax(x, arg) : xp_softmax(x, arg);
        ck_assert_msg(got != NULL, "softmax: %s", xp_last_error());
        ck_assert_int_eq(xp_dtype_of(got), dt);
        double tol = dt == XP_F64 ? 1e-13 : log_form ? 2e-6 : 16 * U_F32;
        xpt_assert_close(got, ref_softmax(x, dim, log_form), tol, log_form || dt == XP_F64 ? tol : 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(softmax_is_stable_for_large_and_infinite_inputs) {
    xp_scope *sc = xp_scope_push();
    float v[8] = {1000, 1001, 1002, -INFINITY, -1000, -1001, -1002, 0};
    xp_tensor *x = xp_tensor_from(XP_F32, 2, (int64_t[]){2, 4}, v);
    xp_tensor *p = xp_softmax(x, 1), *lp = xp_log_softmax(x, -1);
    xpt_assert_close(p, ref_softmax(x, 1, false), 16 * U_F32, 0);
    xpt_assert_close(lp, ref_softmax(x, 1, true), 2e-6, 2e-6);
    ck_assert_double_eq(xpt_get_flat(p, 3), 0);
    ck_assert(xpt_get_flat(lp, 3) == -INFINITY);
    /* a NaN poisons its row only; a row of -inf is NaN, as in PyTorch */
    float w[6] = {1, NAN, 2, -INFINITY, -INFINITY, -INFINITY};
    xp_tensor *y = xp_softmax(xp_tensor_from(XP_F32, 2, (int64_t[]){2, 3}, w), 1);
    for (int i = 0; i < 6; i++) ck_assert(isnan(xpt_get_flat(y, i)));
    y = xp_softmax(xp_tensor_from(XP_F32, 2, (int64_t[]){3, 2}, w), 1);
    ck_assert(isnan(xpt_get_flat(y, 0)) && !isnan(xpt_get_flat(y, 2)) && isnan(xpt_get_flat(y, 5)));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(softmax_of_half_and_transposed_inputs) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 8002;
    xp_tensor *h = xpt_random(&s, XP_F16, 3, (int64_t[]){4, 5, 6}, -3, 3);
    for (int dim = 0; dim < 3; dim++) {
        xp_tensor *r = xp_softmax(h, dim);
        ck_assert_int_eq(xp_dtype_of(r), XP_F16);
        xpt_assert_close(r, ref_softmax(h, dim, false), 2.0 / 2048, 0);
    }
    xp_tensor *t = xp_transpose(xpt_random(&s, XP_F32, 2, (int64_t[]){300, 20}, -5, 5), 0, 1); /* [20, 300] */
    xpt_assert_close(xp_softmax(t, 1), ref_softmax(t, 1, false), 16 * U_F32, 0);
    xpt_assert_close(xp_log_softmax(t, 0), ref_softmax(t, 0, true), 2e-6, 2e-6);
    /* rows sum to one */
    xp_tensor *sum = xp_sum_dims(xp_softmax(t, 1), XP_DIMS(1), false);
    for (int i = 0; i < 20; i++) ck_assert_double_eq_tol(xpt_get_flat(sum, i), 1, 1e-5);
    /* 0-d: softmax is 1, log_softmax 0 */
    double v = 3;
    xp_tensor *z = xp_tensor_from(XP_F64, 0, NULL, &v);
    ck_assert_double_eq(xp_item_f64(xp_softmax(z, 0)), 1);
    ck_assert_double_eq(xp_item_f64(xp_log_softmax(z, -1)), 0);
    xp_scope_pop(sc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_reduce");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reductions_match_reference_on_random_dims);
    tcase_add_test(tc, reductions_over_large_shapes_take_every_layout);
    tcase_add_test(tc, row_wise_reductions_split_long_reduced_dims);
    tcase_add_test(tc, reductions_do_not_depend_on_the_thread_count);
    tcase_add_test(tc, integer_and_bool_sums_accumulate_in_i64);
    tcase_add_test(tc, half_precision_reductions_round_once);
    tcase_add_test(tc, empty_reductions_follow_pytorch);
    tcase_add_test(tc, amax_and_amin_propagate_nan);
    tcase_add_test(tc, reduction_dims_are_validated);
    tcase_add_test(tc, argmax_matches_reference_with_ties);
    tcase_add_test(tc, argmax_counts_nan_as_the_maximum);
    tcase_add_test(tc, argmax_without_dim_indexes_the_logical_flat_order);
    tcase_add_test(tc, softmax_matches_reference_along_any_dim);
    tcase_add_test(tc, softmax_is_stable_for_large_and_infinite_inputs);
    tcase_add_test(tc, softmax_of_half_and_transposed_inputs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
