/*
 * CPU kernels for layer_norm, batch_norm, cat, stack, slice_scatter,
 * select_scatter, embedding and scaled_dot_product_attention against plain
 * double-precision references computed here with naive loops, through the
 * public API or, for arguments the API fixes (sdpa's scale), xp_dispatch.
 *
 * Tolerances:
 *  - normalization: outputs are O(1) (|x - mean| * rstd <= sqrt(N)) and are
 *    computed from f32 inputs with statistics accumulated in double and
 *    about five f32 roundings after that: |error| <= 8 * 2^-24 * (sqrt(N)
 *    * |w| + |b|); with N <= 64 and |w|, |b| < 1 that is < 5e-6.
 *  - attention (inputs in [-1, 1)): a score sums E products, so its f32
 *    error is <= E^2 * 2^-24 * scale; softmax turns an absolute score error
 *    d into a relative weight error <= 2d; P @ V sums S terms with sum(P) = 1
 *    (error <= S * 2^-24). Total atol = 4 * (E^2 + S) * 2^-24.
 *  - joining, scattering and embedding move values: exact.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/xp_registry.h"
#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

static int64_t rand_int(uint64_t *s, int64_t lo, int64_t hi) {
    return lo + (int64_t)(xpt_rand_u64(s) % (uint64_t)(hi - lo + 1));
}

/* A random tensor of the given shape stored with dims d0 and d1 swapped in
 * memory (non-contiguous). */
static xp_tensor *random_swapped(uint64_t *s, xp_dtype dt, int nd, const int64_t *shape, int d0, int d1) {
    int64_t base[XP_MAX_DIMS];
    memcpy(base, shape, (size_t)nd * sizeof(int64_t));
    base[d0] = shape[d1], base[d1] = shape[d0];
    return xp_transpose(xpt_random(s, dt, nd, base, -1, 1), d0, d1);
}

/* An f64 copy of t (contiguous), to edit into an expected result. */
static xp_tensor *to_f64(const xp_tensor *t) {
    xp_tensor *o = xp_tensor_new(XP_F64, t->meta.ndim, t->meta.shape);
    double *p = xp_data(o);
    for (int64_t i = 0; i < xp_numel(t); i++) p[i] = xpt_get_flat(t, i);
    return o;
}

/* ---- layer_norm ---- */

static xp_tensor *ref_layer_norm(const xp_tensor *x, int k, const xp_tensor *w, const xp_tensor *b, double eps) {
    int64_t n = 1;
    for (int d = x->meta.ndim - k; d < x->meta.ndim; d++) n *= x->meta.shape[d];
    xp_tensor *out = to_f64(x);
    double *o = xp_data(out);
    int64_t rows = n ? xp_numel(x) / n : 0;
    for (int64_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < n; i++) mean += o[r * n + i];
        mean /= (double)n;
        for (int64_t i = 0; i < n; i++) var += (o[r * n + i] - mean) * (o[r * n + i] - mean);
        var /= (double)n; /* biased */
        for (int64_t i = 0; i < n; i++) {
            double y = (o[r * n + i] - mean) / sqrt(var + eps);
            if (w) y *= xpt_get_flat(w, i);
            if (b) y += xpt_get_flat(b, i);
            o[r * n + i] = y;
        }
    }
    return out;
}

START_TEST(layer_norm_matches_reference_over_trailing_dims) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5001;
    for (int it = 0; it < 24; it++) {
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        int64_t shape[3] = {rand_int(&s, 0, 3), rand_int(&s, 1, 5), rand_int(&s, 1, 12)};
        int k = it % 2 ? 2 : 1;
        xp_tensor *x = it % 3 == 2 ? random_swapped(&s, dt, 3, shape, 0, 1) : xpt_random(&s, dt, 3, shape, -1, 1);
        xp_tensor *w = (it & 4) ? NULL : xpt_random(&s, dt, k, shape + 3 - k, -1, 1);
        xp_tensor *b = (it & 8) ? NULL : xpt_random(&s, dt, k, shape + 3 - k, -1, 1);
        double eps = it % 5 == 0 ? 1e-3 : 1e-5;
        xp_tensor *got = xp_layer_norm(x, k, shape + 3 - k, w, b, eps);
        ck_assert_msg(got != NULL, "layer_norm: %s", xp_last_error());
        ck_assert_int_eq(xp_dtype_of(got), dt);
        xpt_assert_close(got, ref_layer_norm(x, k, w, b, eps), 1e-5, dt == XP_F64 ? 1e-12 : 5e-6);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(layer_norm_of_a_single_feature_is_the_bias) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5002;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 1}, -10, 10);
    xp_tensor *w = xpt_random(&s, XP_F32, 1, (int64_t[]){1}, -1, 1);
    xp_tensor *b = xpt_random(&s, XP_F32, 1, (int64_t[]){1}, -1, 1);
    xp_tensor *got = xp_layer_norm(x, XP_DIMS(1), w, b, 1e-5);
    for (int i = 0; i < 4; i++) ck_assert_double_eq(xpt_get_flat(got, i), xpt_get_flat(b, 0));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(layer_norm_rejects_mismatched_normalized_shape) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *x = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 4});
    ck_assert_ptr_null(xp_layer_norm(x, XP_DIMS(5), NULL, NULL, 1e-5));
    ck_assert_int_ne(xp_last_status(), XP_OK);
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- batch_norm ---- */

START_TEST(batch_norm_uses_running_statistics) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5101;
    const int64_t shapes[][4] = {{2, 3, 4, 5}, {5, 4, 1, 1}, {0, 3, 2, 2}};
    for (int it = 0; it < 8; it++) {
        const int64_t *sh = shapes[it % 3];
        int nd = it % 3 == 1 ? 2 : 4;
        xp_dtype dt = it == 4 || it == 6 ? XP_F64 : XP_F32;
        int64_t C = sh[1];
        xp_tensor *x = it % 2 ? random_swapped(&s, dt, nd, sh, 0, nd - 1) : xpt_random(&s, dt, nd, sh, -1, 1);
        xp_tensor *w = it % 4 == 2 ? NULL : xpt_random(&s, dt, 1, &C, -1, 1);
        xp_tensor *b = it % 4 == 3 ? NULL : xpt_random(&s, dt, 1, &C, -1, 1);
        xp_tensor *rm = xpt_random(&s, dt, 1, &C, -1, 1);
        xp_tensor *rv = xpt_random(&s, dt, 1, &C, 0.1, 2);
        xp_tensor *got = xp_batch_norm(x, w, b, rm, rv, 1e-5);
        ck_assert_msg(got != NULL, "batch_norm: %s", xp_last_error());
        xp_tensor *want = to_f64(x);
        double *o = xp_data(want);
        int64_t inner = nd == 4 ? sh[2] * sh[3] : 1;
        for (int64_t i = 0; i < xp_numel(want); i++) {
            int64_t c = (i / inner) % C;
            double y = (o[i] - xpt_get_flat(rm, c)) / sqrt(xpt_get_flat(rv, c) + 1e-5);
            o[i] = y * (w ? xpt_get_flat(w, c) : 1.0) + (b ? xpt_get_flat(b, c) : 0.0);
        }
        xpt_assert_close(got, want, 1e-5, dt == XP_F64 ? 1e-12 : 5e-6);
    }
    xp_scope_pop(sc);
}
END_TEST

/* ---- cat and stack ---- */

START_TEST(cat_joins_strided_inputs_along_any_dim) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5201;
    for (int it = 0; it < 20; it++) {
        int nd = (int)rand_int(&s, 1, 4), dim = (int)rand_int(&s, 0, nd - 1);
        int64_t shape[4];
        for (int d = 0; d < nd; d++) shape[d] = rand_int(&s, 1, 4);
        int n = (int)rand_int(&s, 1, 4);
        xp_tensor *ts[4];
        int64_t total = 0;
        for (int i = 0; i < n; i++) {
            int64_t sh[4];
            memcpy(sh, shape, sizeof sh);
            sh[dim] = rand_int(&s, 0, 3); /* size-0 pieces too */
            total += sh[dim];
            ts[i] = nd >= 2 && (it + i) % 3 == 0 ? random_swapped(&s, XP_F32, nd, sh, 0, nd - 1)
                                                 : xpt_random(&s, XP_F32, nd, sh, -1, 1);
        }
        int64_t arg_dim = it % 2 ? dim - nd : dim; /* negative dims too */
        xp_tensor *got = xp_cat(n, ts, arg_dim);
        ck_assert_msg(got != NULL, "cat: %s", xp_last_error());
        int64_t osh[4];
        memcpy(osh, shape, sizeof osh);
        osh[dim] = total;
        xpt_assert_shape_(got, nd, osh, __FILE__, __LINE__);
        /* element [.., j, ..] comes from the piece covering j */
        for (int64_t f = 0; f < xp_numel(got); f++) {
            int64_t idx[4], rem = f;
            for (int d = nd - 1; d >= 0; d--) idx[d] = rem % osh[d], rem /= osh[d];
            int i = 0;
            while (idx[dim] >= ts[i]->meta.shape[dim]) idx[dim] -= ts[i++]->meta.shape[dim];
            ck_assert_double_eq(xpt_get_flat(got, f), xpt_get(ts[i], idx));
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(cat_converts_mixed_dtypes_to_the_promoted_one) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5202;
    xp_tensor *a = xpt_random(&s, XP_I32, 2, (int64_t[]){2, 3}, -50, 50);
    xp_tensor *b = xpt_random(&s, XP_F64, 2, (int64_t[]){2, 2}, -1, 1);
    xp_tensor *got = xp_cat(XP_TENSORS(a, b), 1);
    ck_assert_int_eq(xp_dtype_of(got), XP_F64);
    xpt_assert_shape(got, 2, 5);
    for (int64_t i = 0; i < 2; i++) {
        for (int64_t j = 0; j < 3; j++)
            ck_assert_double_eq(xpt_get(got, (int64_t[]){i, j}), xpt_get(a, (int64_t[]){i, j}));
        for (int64_t j = 0; j < 2; j++)
            ck_assert_double_eq(xpt_get(got, (int64_t[]){i, 3 + j}), xpt_get(b, (int64_t[]){i, j}));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(stack_inserts_a_new_dim) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5301;
    for (int dim = -4; dim <= 3; dim++) {
        int64_t shape[3] = {2, 3, 4};
        xp_tensor *ts[3];
        for (int i = 0; i < 3; i++)
            ts[i] = i == 1 ? random_swapped(&s, XP_F32, 3, shape, 0, 2) : xpt_random(&s, XP_F32, 3, shape, -1, 1);
        xp_tensor *got = xp_stack(3, ts, dim);
        ck_assert_msg(got != NULL, "stack dim %d: %s", dim, xp_last_error());
        int d = dim < 0 ? dim + 4 : dim;
        ck_assert_int_eq(xp_ndim(got), 4);
        ck_assert_int_eq(xp_size(got, d), 3);
        for (int64_t f = 0; f < xp_numel(got); f++) {
            int64_t idx[4], rem = f, src[3];
            for (int k = 3; k >= 0; k--) idx[k] = rem % xp_size(got, k), rem /= xp_size(got, k);
            for (int k = 0, m = 0; k < 4; k++)
                if (k != d) src[m++] = idx[k];
            ck_assert_double_eq(xpt_get_flat(got, f), xpt_get(ts[idx[d]], src));
        }
    }
    xp_scope_pop(sc);
}
END_TEST

/* ---- slice_scatter and select_scatter ---- */

START_TEST(slice_scatter_replaces_only_the_slice) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5401;
    struct { int64_t dim, start, end, step; } cases[] = {
        {0, 1, 4, 1}, {1, 0, XP_END, 2}, {1, -3, XP_END, 1}, {2, 1, 5, 3}, {-1, -100, 100, 2}, {0, 3, 3, 1},
    };
    int64_t shape[3] = {5, 6, 7};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int dim = (int)(cases[c].dim < 0 ? cases[c].dim + 3 : cases[c].dim);
        int64_t n = shape[dim], st = cases[c].start, en = cases[c].end;
        /* Python slice bounds */
        if (st < 0) st = st + n < 0 ? 0 : st + n;
        if (en < 0) en = en + n < 0 ? 0 : en + n;
        if (st > n) st = n;
        if (en > n) en = n;
        int64_t len = en > st ? (en - st + cases[c].step - 1) / cases[c].step : 0;
        int64_t ssh[3] = {shape[0], shape[1], shape[2]};
        ssh[dim] = len;
        xp_tensor *self = c % 2 ? random_swapped(&s, XP_F32, 3, shape, 0, 2) : xpt_random(&s, XP_F32, 3, shape, -1, 1);
        xp_tensor *src = c % 3 == 0 ? random_swapped(&s, XP_F32, 3, ssh, 1, 2) : xpt_random(&s, XP_F32, 3, ssh, 5, 6);
        xp_tensor *got = xp_slice_scatter(self, src, cases[c].dim, cases[c].start, cases[c].end, cases[c].step);
        ck_assert_msg(got != NULL, "slice_scatter case %zu: %s", c, xp_last_error());
        xp_tensor *want = to_f64(self);
        double *w = xp_data(want);
        for (int64_t f = 0; f < xp_numel(src); f++) {
            int64_t idx[3], rem = f;
            for (int d = 2; d >= 0; d--) idx[d] = rem % ssh[d], rem /= ssh[d];
            int64_t o[3] = {idx[0], idx[1], idx[2]};
            o[dim] = st + idx[dim] * cases[c].step;
            w[(o[0] * shape[1] + o[1]) * shape[2] + o[2]] = xpt_get(src, idx);
        }
        xpt_assert_close(got, want, 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(select_scatter_replaces_one_index) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5402;
    int64_t shape[3] = {3, 4, 5};
    for (int dim = 0; dim < 3; dim++)
        for (int64_t index = -shape[dim]; index < shape[dim]; index += 2) {
            int64_t ssh[2];
            for (int d = 0, k = 0; d < 3; d++)
                if (d != dim) ssh[k++] = shape[d];
            xp_tensor *self = xpt_random(&s, XP_F64, 3, shape, -1, 1);
            xp_tensor *src =
                index % 2 ? random_swapped(&s, XP_F64, 2, ssh, 0, 1) : xpt_random(&s, XP_F64, 2, ssh, 5, 6);
            xp_tensor *got = xp_select_scatter(self, src, dim, index);
            ck_assert_msg(got != NULL, "select_scatter: %s", xp_last_error());
            int64_t at = index < 0 ? index + shape[dim] : index;
            for (int64_t f = 0; f < xp_numel(self); f++) {
                int64_t idx[3], rem = f, si[2];
                for (int d = 2; d >= 0; d--) idx[d] = rem % shape[d], rem /= shape[d];
                for (int d = 0, k = 0; d < 3; d++)
                    if (d != dim) si[k++] = idx[d];
                double want = idx[dim] == at ? xpt_get(src, si) : xpt_get(self, idx);
                ck_assert_double_eq(xpt_get_flat(got, f), want);
            }
        }
    xp_scope_pop(sc);
}
END_TEST

/* ---- embedding ---- */

START_TEST(embedding_gathers_rows) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5501;
    const xp_dtype idts[] = {XP_I64, XP_I32};
    for (int t = 0; t < 4; t++) {
        xp_tensor *w = t & 2 ? random_swapped(&s, XP_F32, 2, (int64_t[]){10, 6}, 0, 1)
                             : xpt_random(&s, XP_F32, 2, (int64_t[]){10, 6}, -1, 1);
        xp_tensor *idx = xpt_random(&s, idts[t & 1], 2, (int64_t[]){3, 4}, 0, 10);
        xp_tensor *got = xp_embedding(w, idx);
        xpt_assert_shape(got, 3, 4, 6);
        for (int64_t i = 0; i < 12; i++)
            for (int64_t j = 0; j < 6; j++)
                ck_assert_double_eq(xpt_get_flat(got, i * 6 + j),
                                    xpt_get(w, (int64_t[]){(int64_t)xpt_get_flat(idx, i), j}));
    }
    xp_tensor *w = xpt_random(&s, XP_F32, 2, (int64_t[]){10, 6}, -1, 1);
    xp_tensor *none = xp_tensor_new(XP_I64, 1, (int64_t[]){0});
    xpt_assert_shape(xp_embedding(w, none), 0, 6);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(embedding_rejects_an_index_out_of_range_naming_it) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5502;
    xp_tensor *w = xpt_random(&s, XP_F32, 2, (int64_t[]){10, 4}, -1, 1);
    int64_t bad[] = {1, 2, 12, 3};
    xp_tensor *idx = xp_tensor_from(XP_I64, 1, (int64_t[]){4}, bad);
    ck_assert_ptr_null(xp_embedding(w, idx));
    ck_assert_int_eq(xp_last_status(), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "embedding");
    xpt_assert_contains(xp_last_error(), "index 12");
    xpt_assert_contains(xp_last_error(), "10 rows");
    xp_clear_error();

    int32_t neg[] = {0, -1};
    idx = xp_tensor_from(XP_I32, 1, (int64_t[]){2}, neg);
    ck_assert_ptr_null(xp_embedding(w, idx));
    xpt_assert_contains(xp_last_error(), "index -1");
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- scaled_dot_product_attention ---- */

/* Element of t at batch index bidx (over the output's nb batch dims,
 * right-aligned, size-1 dims broadcast) and trailing index (i, j). */
static double get_bcast(const xp_tensor *t, int nb, const int64_t *bidx, int64_t i, int64_t j) {
    int nd = t->meta.ndim;
    int64_t idx[XP_MAX_DIMS];
    for (int d = 0; d < nd - 2; d++) {
        int od = d + (nb - (nd - 2));
        idx[d] = t->meta.shape[d] == 1 ? 0 : bidx[od];
    }
    if (nd >= 2) idx[nd - 2] = t->meta.shape[nd - 2] == 1 ? 0 : i;
    if (nd >= 1) idx[nd - 1] = t->meta.shape[nd - 1] == 1 ? 0 : j;
    if (nd == 1) idx[0] = t->meta.shape[0] == 1 ? 0 : j;
    return xpt_get(t, idx);
}

/* The reference implementation in PyTorch's documentation, in double. */
static xp_tensor *ref_sdpa(const xp_tensor *q, const xp_tensor *k, const xp_tensor *v, const xp_tensor *mask,
                           bool causal, double scale) {
    int qn = q->meta.ndim, kn = k->meta.ndim, vn = v->meta.ndim;
    int64_t L = q->meta.shape[qn - 2], E = q->meta.shape[qn - 1], S = k->meta.shape[kn - 2];
    int64_t Ev = v->meta.shape[vn - 1];
    int nb = qn - 2;
    if (kn - 2 > nb) nb = kn - 2;
    if (vn - 2 > nb) nb = vn - 2;
    int64_t shape[XP_MAX_DIMS];
    const xp_tensor *ops[3] = {q, k, v};
    for (int d = 0; d < nb; d++) {
        shape[d] = 1;
        for (int o = 0; o < 3; o++) {
            int od = d - (nb - (ops[o]->meta.ndim - 2));
            if (od >= 0 && ops[o]->meta.shape[od] != 1) shape[d] = ops[o]->meta.shape[od];
        }
    }
    shape[nb] = L, shape[nb + 1] = Ev;
    xp_tensor *out = xp_tensor_new(XP_F64, nb + 2, shape);
    double *o = xp_data(out);
    double *p = malloc(sizeof(double) * (size_t)(S > 0 ? S : 1));
    int64_t nbatch = xp_shape_numel(nb, shape);
    for (int64_t bi = 0; bi < nbatch; bi++) {
        int64_t bidx[XP_MAX_DIMS], rem = bi;
        for (int d = nb - 1; d >= 0; d--) bidx[d] = rem % shape[d], rem /= shape[d];
        for (int64_t i = 0; i < L; i++) {
            double mx = -INFINITY;
            for (int64_t j = 0; j < S; j++) {
                double sc = 0;
                for (int64_t e = 0; e < E; e++) sc += get_bcast(q, nb, bidx, i, e) * get_bcast(k, nb, bidx, j, e);
                sc *= scale;
                if (causal && j > i) sc = -INFINITY; /* tril(ones(L, S)), top-left aligned */
                if (mask) {
                    double m = get_bcast(mask, nb, bidx, i, j);
                    if (mask->meta.dtype == XP_BOOL) sc = m != 0 ? sc : -INFINITY;
                    else sc += m;
                }
                p[j] = sc;
                if (sc > mx) mx = sc;
            }
            double sum = 0;
            for (int64_t j = 0; j < S; j++) sum += (p[j] = mx == -INFINITY ? NAN : exp(p[j] - mx));
            for (int64_t c = 0; c < Ev; c++) {
                double acc = 0;
                for (int64_t j = 0; j < S; j++) acc += p[j] / sum * get_bcast(v, nb, bidx, j, c);
                *o++ = acc;
            }
        }
    }
    free(p);
    return out;
}

static double sdpa_atol(xp_dtype dt, int64_t E, int64_t S) {
    double u = dt == XP_F64 ? ldexp(1.0, -53) : ldexp(1.0, -24);
    return 4.0 * (double)(E * E + S) * u;
}

static xp_tensor *sdpa_ex(xp_tensor *q, xp_tensor *k, xp_tensor *v, xp_tensor *mask, bool causal, double scale) {
    xp_arg args[] = {xp_arg_tensor(q), xp_arg_tensor(k), xp_arg_tensor(v), xp_arg_tensor(mask),
                     xp_arg_bool(causal), xp_arg_float(scale)};
    return xp_dispatch(XP_OP_scaled_dot_product_attention, args, 6);
}

START_TEST(sdpa_matches_reference_with_causal_or_masks) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5601;
    for (int it = 0; it < 48; it++) {
        xp_dtype dt = it % 6 == 5 ? XP_F64 : XP_F32;
        int64_t B = rand_int(&s, 1, 2), H = rand_int(&s, 1, 3), L = rand_int(&s, 1, 9), S = rand_int(&s, 1, 9);
        int64_t E = rand_int(&s, 1, 8), Ev = rand_int(&s, 1, 8);
        xp_tensor *q = it % 4 == 1 ? random_swapped(&s, dt, 4, (int64_t[]){B, H, L, E}, 1, 2) /* [B,L,H,E]^T */
                                   : xpt_random(&s, dt, 4, (int64_t[]){B, H, L, E}, -1, 1);
        xp_tensor *k = it % 4 == 2 ? random_swapped(&s, dt, 4, (int64_t[]){B, H, S, E}, 2, 3)
                                   : xpt_random(&s, dt, 4, (int64_t[]){B, H, S, E}, -1, 1);
        xp_tensor *v = it % 4 == 3 ? random_swapped(&s, dt, 4, (int64_t[]){B, H, S, Ev}, 1, 2)
                                   : xpt_random(&s, dt, 4, (int64_t[]){B, H, S, Ev}, -1, 1);
        /* PyTorch (and xport) reject a mask together with is_causal */
        bool causal = it % 4 == 0 && it % 3 != 0;
        xp_tensor *mask = NULL;
        switch (it % 4) {
        case 1: mask = xpt_random(&s, XP_BOOL, 2, (int64_t[]){L, S}, 0, 1); break;        /* broadcast [L, S] */
        case 2: mask = xpt_random(&s, dt, 4, (int64_t[]){B, 1, L, S}, -2, 2); break;     /* additive */
        case 3: mask = xpt_random(&s, XP_BOOL, 3, (int64_t[]){H, 1, S}, 0, 1); break;   /* per-head key mask */
        default: break;
        }
        if (mask && mask->meta.dtype == XP_BOOL) {
            /* keep the diagonal so most rows are not fully masked */
            for (int64_t i = 0; i < xp_numel(mask) && it % 8 != 1; i++)
                if (i % (S + 1) == 0) ((uint8_t *)xp_data(mask))[i] = 1;
        }
        double scale = it % 5 == 2 ? 0.3 : 1.0 / sqrt((double)E);
        xp_tensor *got = it % 5 == 2 ? sdpa_ex(q, k, v, mask, causal, scale)
                                     : xp_scaled_dot_product_attention(q, k, v, mask, causal);
        ck_assert_msg(got != NULL, "sdpa B%lld H%lld L%lld S%lld E%lld: %s", (long long)B, (long long)H,
                      (long long)L, (long long)S, (long long)E, xp_last_error());
        xpt_assert_shape(got, B, H, L, Ev);
        xpt_assert_close(got, ref_sdpa(q, k, v, mask, causal, scale), 1e-5, sdpa_atol(dt, E, S));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(sdpa_causal_is_top_left_aligned) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5602;
    /* L < S: row i sees keys 0..i only, never the trailing ones */
    xp_tensor *q = xpt_random(&s, XP_F32, 2, (int64_t[]){2, 4}, -1, 1);
    xp_tensor *k = xpt_random(&s, XP_F32, 2, (int64_t[]){5, 4}, -1, 1);
    float vv[5] = {1, 10, 100, 1000, 10000};
    xp_tensor *v = xp_tensor_from(XP_F32, 2, (int64_t[]){5, 1}, vv);
    xp_tensor *got = xp_scaled_dot_product_attention(q, k, v, NULL, true);
    xpt_assert_shape(got, 2, 1);
    ck_assert_double_eq_tol(xpt_get_flat(got, 0), 1.0, 1e-6);
    ck_assert(xpt_get_flat(got, 1) > 1.0 && xpt_get_flat(got, 1) < 10.0);
    xpt_assert_close(got, ref_sdpa(q, k, v, NULL, true, 0.5), 1e-5, 1e-5);
    /* L > S: rows past S see every key */
    xp_tensor *q2 = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 6, 4}, -1, 1);
    xp_tensor *k2 = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 3, 4}, -1, 1);
    xp_tensor *v2 = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 3, 5}, -1, 1);
    xpt_assert_close(xp_scaled_dot_product_attention(q2, k2, v2, NULL, true), ref_sdpa(q2, k2, v2, NULL, true, 0.5),
                     1e-5, sdpa_atol(XP_F32, 4, 3));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(sdpa_fully_masked_rows_are_nan) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5603;
    xp_tensor *q = xpt_random(&s, XP_F32, 2, (int64_t[]){3, 4}, -1, 1);
    xp_tensor *k = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 4}, -1, 1);
    xp_tensor *v = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 2}, -1, 1);
    uint8_t m[12] = {1, 0, 1, 0, /* row 1 all false */ 0, 0, 0, 0, 1, 1, 1, 1};
    xp_tensor *mask = xp_tensor_from(XP_BOOL, 2, (int64_t[]){3, 4}, m);
    xp_tensor *got = xp_scaled_dot_product_attention(q, k, v, mask, false);
    ck_assert(!isnan(xpt_get_flat(got, 0)));
    ck_assert(isnan(xpt_get_flat(got, 2)) && isnan(xpt_get_flat(got, 3)));
    ck_assert(!isnan(xpt_get_flat(got, 4)));
    xpt_assert_close(got, ref_sdpa(q, k, v, mask, false, 0.5), 1e-5, 1e-5);
    /* an additive mask of -inf over a whole row does the same */
    xp_tensor *fm = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 4});
    float *f = xp_data(fm);
    for (int i = 0; i < 4; i++) f[4 + i] = -INFINITY;
    f[1] = -INFINITY;
    got = xp_scaled_dot_product_attention(q, k, v, fm, false);
    ck_assert(isnan(xpt_get_flat(got, 2)) && !isnan(xpt_get_flat(got, 0)));
    xpt_assert_close(got, ref_sdpa(q, k, v, fm, false, 0.5), 1e-5, 1e-5);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(sdpa_large_heads_and_many_small_heads_match) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5604;
    /* the transformer workload's shape: 4 heads of 128 x 64, big enough
     * for OpenBLAS to thread each GEMM */
    xp_tensor *q = random_swapped(&s, XP_F32, 4, (int64_t[]){1, 4, 128, 64}, 1, 2);
    xp_tensor *k = random_swapped(&s, XP_F32, 4, (int64_t[]){1, 4, 128, 64}, 1, 2);
    xp_tensor *v = random_swapped(&s, XP_F32, 4, (int64_t[]){1, 4, 128, 64}, 1, 2);
    xpt_assert_close(xp_scaled_dot_product_attention(q, k, v, NULL, true),
                     ref_sdpa(q, k, v, NULL, true, 1.0 / 8.0), 1e-5, sdpa_atol(XP_F32, 64, 128));
    /* one head of 256 x 32: the GEMMs and the softmax rows are threaded */
    xp_tensor *q1 = xpt_random(&s, XP_F32, 2, (int64_t[]){256, 32}, -1, 1);
    xp_tensor *k1 = xpt_random(&s, XP_F32, 2, (int64_t[]){200, 32}, -1, 1);
    xp_tensor *v1 = xpt_random(&s, XP_F32, 2, (int64_t[]){200, 48}, -1, 1);
    xp_tensor *m1 = xpt_random(&s, XP_F32, 2, (int64_t[]){256, 200}, -1, 1);
    xpt_assert_close(xp_scaled_dot_product_attention(q1, k1, v1, m1, false),
                     ref_sdpa(q1, k1, v1, m1, false, 1.0 / sqrt(32.0)), 1e-5, sdpa_atol(XP_F32, 32, 200));
    /* 64 heads of 16 x 16: small, spread over threads */
    xp_tensor *q2 = xpt_random(&s, XP_F32, 3, (int64_t[]){64, 16, 16}, -1, 1);
    xp_tensor *k2 = xpt_random(&s, XP_F32, 3, (int64_t[]){64, 16, 16}, -1, 1);
    xp_tensor *v2 = xpt_random(&s, XP_F32, 3, (int64_t[]){64, 16, 16}, -1, 1);
    xp_tensor *mask = xpt_random(&s, XP_F32, 2, (int64_t[]){16, 16}, -1, 1);
    xpt_assert_close(xp_scaled_dot_product_attention(q2, k2, v2, mask, false),
                     ref_sdpa(q2, k2, v2, mask, false, 1.0 / 4.0), 1e-5, sdpa_atol(XP_F32, 16, 16));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(sdpa_copies_operands_blas_cannot_take) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5606;
    /* every other feature of a wider tensor: neither stride of q, k or v is 1 */
    xp_tensor *qb = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 5, 8}, -1, 1);
    xp_tensor *kb = xpt_random(&s, XP_F32, 3, (int64_t[]){2, 6, 8}, -1, 1);
    xp_tensor *q = xp_slice(qb, 2, 1, XP_END, 2);    /* [2, 5, 4] */
    xp_tensor *k = xp_slice(kb, 2, 0, XP_END, 2);    /* [2, 6, 4] */
    xp_tensor *v = xp_slice(kb, 2, 1, 6, 2);         /* [2, 6, 3] */
    /* a 0-d additive mask broadcasts to every score */
    xp_tensor *m = xp_tensor_from(XP_F32, 0, NULL, (float[]){0.25f});
    xp_tensor *got = xp_scaled_dot_product_attention(q, k, v, m, false);
    xpt_assert_shape(got, 2, 5, 3);
    xpt_assert_close(got, ref_sdpa(q, k, v, m, false, 0.5), 1e-5, sdpa_atol(XP_F32, 4, 6));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(sdpa_broadcasts_batch_dims_and_half_types) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 5605;
    /* one key/value head shared by 3 query heads */
    xp_tensor *q = xpt_random(&s, XP_F32, 4, (int64_t[]){2, 3, 5, 4}, -1, 1);
    xp_tensor *k = xpt_random(&s, XP_F32, 4, (int64_t[]){2, 1, 6, 4}, -1, 1);
    xp_tensor *v = xpt_random(&s, XP_F32, 3, (int64_t[]){1, 6, 3}, -1, 1);
    xp_tensor *got = xp_scaled_dot_product_attention(q, k, v, NULL, false);
    xpt_assert_shape(got, 2, 3, 5, 3);
    xpt_assert_close(got, ref_sdpa(q, k, v, NULL, false, 0.5), 1e-5, sdpa_atol(XP_F32, 4, 6));

    xp_tensor *qh = xpt_random(&s, XP_F16, 3, (int64_t[]){2, 5, 8}, -1, 1);
    xp_tensor *kh = xpt_random(&s, XP_F16, 3, (int64_t[]){2, 7, 8}, -1, 1);
    xp_tensor *vh = xpt_random(&s, XP_F16, 3, (int64_t[]){2, 7, 4}, -1, 1);
    got = xp_scaled_dot_product_attention(qh, kh, vh, NULL, true);
    ck_assert_int_eq(xp_dtype_of(got), XP_F16);
    /* one f16 rounding (2^-11) of the f32 result */
    xpt_assert_close(got, ref_sdpa(qh, kh, vh, NULL, true, 1.0 / sqrt(8.0)), ldexp(1.0, -11),
                     sdpa_atol(XP_F32, 8, 7) + 1e-4);
    xp_scope_pop(sc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_nn");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, layer_norm_matches_reference_over_trailing_dims);
    tcase_add_test(tc, layer_norm_of_a_single_feature_is_the_bias);
    tcase_add_test(tc, layer_norm_rejects_mismatched_normalized_shape);
    tcase_add_test(tc, batch_norm_uses_running_statistics);
    tcase_add_test(tc, cat_joins_strided_inputs_along_any_dim);
    tcase_add_test(tc, cat_converts_mixed_dtypes_to_the_promoted_one);
    tcase_add_test(tc, stack_inserts_a_new_dim);
    tcase_add_test(tc, slice_scatter_replaces_only_the_slice);
    tcase_add_test(tc, select_scatter_replaces_one_index);
    tcase_add_test(tc, embedding_gathers_rows);
    tcase_add_test(tc, embedding_rejects_an_index_out_of_range_naming_it);
    tcase_add_test(tc, sdpa_matches_reference_with_causal_or_masks);
    tcase_add_test(tc, sdpa_causal_is_top_left_aligned);
    tcase_add_test(tc, sdpa_fully_masked_rows_are_nan);
    tcase_add_test(tc, sdpa_large_heads_and_many_small_heads_match);
    tcase_add_test(tc, sdpa_copies_operands_blas_cannot_take);
    tcase_add_test(tc, sdpa_broadcasts_batch_dims_and_half_types);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
