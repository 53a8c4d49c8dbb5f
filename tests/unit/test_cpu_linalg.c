/*
 * CPU kernels for mm, bmm, matmul, addmm and linear against a plain
 * double-precision reference computed here with naive loops, through the
 * public API (eager wrappers -> xp_dispatch -> kernel).
 *
 * Tolerances: inputs are uniform in [-1, 1), so every product has |a*b| <= 1
 * and a K-term dot product in f32 accumulates at most K roundings of
 * magnitude <= K * 2^-24 each: |error| <= K^2 * 2^-24 (the classic gamma_K
 * bound, n*u*sum|a_k b_k|). We allow twice that. f64 uses 2^-53 the same
 * way. Results stored in f16/bf16 add one final rounding: relative 2^-11
 * (f16) or 2^-8 (bf16) of the value. Integer matmul is exact.
 */
#include <string.h>

#include "ops/xp_registry.h"
#include "tensor/xp_tensor_impl.h"
#include "testutil.h"

static double gemm_atol(xp_dtype dt, int64_t K) {
    double u = dt == XP_F64 ? ldexp(1.0, -53) : ldexp(1.0, -24);
    return 2.0 * (double)(K * K) * u + 1e-300;
}

/* An operand with the given logical shape laid out column-major in its last
 * two dims (a transposed view of a contiguous tensor). */
static xp_tensor *random_transposed(uint64_t *s, xp_dtype dt, int nd, const int64_t *shape) {
    int64_t base[XP_MAX_DIMS];
    memcpy(base, shape, (size_t)nd * sizeof(int64_t));
    base[nd - 1] = shape[nd - 2], base[nd - 2] = shape[nd - 1];
    return xp_transpose(xpt_random(s, dt, nd, base, -1, 1), nd - 1, nd - 2);
}

static int64_t rand_dim(uint64_t *s, int64_t lo, int64_t hi) {
    return lo + (int64_t)(xpt_rand_u64(s) % (uint64_t)(hi - lo + 1));
}

/* PyTorch's matmul in double: 1-D operands are promoted (a row on the left,
 * a column on the right) and the promoted dim is dropped from the result;
 * batch dims broadcast. Returns an f64 tensor; `trans_b` reads b as b^T in
 * its last two dims (linear's weight). */
static xp_tensor *ref_matmul_ex(const xp_tensor *a, const xp_tensor *b, bool trans_b) {
    int an = a->meta.ndim, bn = b->meta.ndim;
    int64_t M = an == 1 ? 1 : a->meta.shape[an - 2], K = a->meta.shape[an - 1];
    int64_t N = bn == 1 ? 1 : (trans_b ? b->meta.shape[bn - 2] : b->meta.shape[bn - 1]);
    int nba = an > 2 ? an - 2 : 0, nbb = bn > 2 ? bn - 2 : 0, nb = nba > nbb ? nba : nbb;
    int64_t shape[XP_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < nb; d++) {
        int da = d - (nb - nba), db = d - (nb - nbb);
        int64_t x = da >= 0 ? a->meta.shape[da] : 1, y = db >= 0 ? b->meta.shape[db] : 1;
        shape[nd++] = x != 1 ? x : y;
    }
    if (an > 1) shape[nd++] = M;
    if (bn > 1) shape[nd++] = N;
    xp_tensor *out = xp_tensor_new(XP_F64, nd, shape);
    double *o = xp_data(out);
    int64_t nbatch = xp_shape_numel(nb, shape), pos = 0;
    for (int64_t bi = 0; bi < nbatch; bi++) {
        int64_t bidx[XP_MAX_DIMS], rem = bi;
        for (int d = nb - 1; d >= 0; d--) bidx[d] = rem % shape[d], rem /= shape[d];
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double acc = 0;
                for (int64_t k = 0; k < K; k++) {
                    int64_t ia[XP_MAX_DIMS], ib[XP_MAX_DIMS];
                    for (int d = 0; d < nba; d++) {
                        int od = d + (nb - nba);
                        ia[d] = a->meta.shape[d] == 1 ? 0 : bidx[od];
                    }
                    for (int d = 0; d < nbb; d++) {
                        int od = d + (nb - nbb);
                        ib[d] = b->meta.shape[d] == 1 ? 0 : bidx[od];
                    }
                    if (an == 1) ia[0] = k;
                    else ia[an - 2] = i, ia[an - 1] = k;
                    if (bn == 1) ib[0] = k;
                    else if (trans_b) ib[bn - 2] = j, ib[bn - 1] = k;
                    else ib[bn - 2] = k, ib[bn - 1] = j;
                    acc += xpt_get(a, ia) * xpt_get(b, ib);
                }
                o[pos++] = acc;
            }
    }
    return out;
}

static xp_tensor *ref_matmul(const xp_tensor *a, const xp_tensor *b) { return ref_matmul_ex(a, b, false); }

static xp_tensor *addmm_ex(xp_tensor *self, xp_tensor *a, xp_tensor *b, double beta, double alpha) {
    xp_arg args[] = {xp_arg_tensor(self), xp_arg_tensor(a), xp_arg_tensor(b), xp_arg_float(beta), xp_arg_float(alpha)};
    return xp_dispatch(XP_OP_addmm, args, 5);
}

/* ---- mm ---- */

START_TEST(mm_matches_reference_on_random_shapes) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 101;
    const xp_dtype dts[] = {XP_F32, XP_F64};
    for (int it = 0; it < 40; it++) {
        xp_dtype dt = dts[it % 2];
        /* sizes 0 and 1 are drawn often: they are the edge cases */
        int64_t M = rand_dim(&s, 0, 19), N = rand_dim(&s, 0, 19), K = rand_dim(&s, 0, 19);
        if (it % 5 == 0) M = it % 3;
        if (it % 7 == 0) K = it % 2;
        xp_tensor *a = xpt_random(&s, dt, 2, (int64_t[]){M, K}, -1, 1);
        xp_tensor *b = xpt_random(&s, dt, 2, (int64_t[]){K, N}, -1, 1);
        xp_tensor *got = xp_mm(a, b);
        xpt_assert_shape(got, M, N);
        ck_assert_int_eq(xp_dtype_of(got), dt);
        xpt_assert_close(got, ref_matmul(a, b), 0, gemm_atol(dt, K));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_takes_transposed_views_without_copying_semantics) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 102;
    for (int it = 0; it < 12; it++) {
        int64_t M = rand_dim(&s, 1, 23), N = rand_dim(&s, 1, 23), K = rand_dim(&s, 1, 23);
        xp_dtype dt = it % 3 == 2 ? XP_F64 : XP_F32;
        xp_tensor *a = (it & 1) ? random_transposed(&s, dt, 2, (int64_t[]){M, K})
                                : xpt_random(&s, dt, 2, (int64_t[]){M, K}, -1, 1);
        xp_tensor *b = (it & 2) ? random_transposed(&s, dt, 2, (int64_t[]){K, N})
                                : xpt_random(&s, dt, 2, (int64_t[]){K, N}, -1, 1);
        xpt_assert_close(xp_mm(a, b), ref_matmul(a, b), 0, gemm_atol(dt, K));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_handles_views_blas_cannot_take) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 103;
    /* every other row and column: neither stride is 1 */
    xp_tensor *base = xpt_random(&s, XP_F32, 2, (int64_t[]){14, 18}, -1, 1);
    xp_tensor *a = xp_slice(xp_slice(base, 0, 0, XP_END, 2), 1, 1, XP_END, 2);
    xpt_assert_shape(a, 7, 9);
    /* a column broadcast over 5 columns (column stride 0) */
    xp_tensor *row = xpt_random(&s, XP_F32, 2, (int64_t[]){1, 9}, -1, 1);
    xp_tensor *b = xp_expand(xp_transpose(row, 0, 1), XP_DIMS(9, 5));
    xpt_assert_close(xp_mm(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F32, 9));
    /* a row broadcast over 5 rows (row stride 0) */
    xp_tensor *c = xp_expand(row, XP_DIMS(5, 9));
    xpt_assert_close(xp_mm(c, xp_transpose(a, 0, 1)), ref_matmul(c, xp_transpose(a, 0, 1)), 0, gemm_atol(XP_F32, 9));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_large_enough_to_split_over_threads_matches_reference) {
    /* above the single-thread threshold (M*N*K > 2^18) a GEMM is split along
     * its longer side, M or N; odd sizes leave a ragged last block */
    xp_scope *sc = xp_scope_push();
    uint64_t s = 106;
    const int64_t sizes[][3] = {{301, 67, 45}, {67, 301, 45}, {129, 129, 33}};
    for (int i = 0; i < 3; i++) {
        int64_t M = sizes[i][0], N = sizes[i][1], K = sizes[i][2];
        xp_tensor *a = i == 1 ? random_transposed(&s, XP_F32, 2, (int64_t[]){M, K})
                              : xpt_random(&s, XP_F32, 2, (int64_t[]){M, K}, -1, 1);
        xp_tensor *b = i == 0 ? random_transposed(&s, XP_F32, 2, (int64_t[]){K, N})
                              : xpt_random(&s, XP_F32, 2, (int64_t[]){K, N}, -1, 1);
        xpt_assert_close(xp_mm(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F32, K));
    }
    xp_tensor *a = xpt_random(&s, XP_F64, 2, (int64_t[]){90, 80}, -1, 1);
    xp_tensor *b = xpt_random(&s, XP_F64, 2, (int64_t[]){80, 70}, -1, 1);
    xpt_assert_close(xp_mm(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F64, 80));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_zero_inner_dim_gives_zeros) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *a = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 0});
    xp_tensor *b = xp_tensor_new(XP_F32, 2, (int64_t[]){0, 4});
    xp_tensor *got = xp_mm(a, b);
    xpt_assert_shape(got, 3, 4);
    for (int64_t i = 0; i < 12; i++) ck_assert(xpt_get_flat(got, i) == 0.0);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_of_half_types_computes_in_f32) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 104;
    const xp_dtype dts[] = {XP_F16, XP_BF16};
    for (int i = 0; i < 2; i++) {
        int64_t M = 9, N = 7, K = 13;
        xp_tensor *a = xpt_random(&s, dts[i], 2, (int64_t[]){M, K}, -1, 1);
        xp_tensor *b = random_transposed(&s, dts[i], 2, (int64_t[]){K, N});
        xp_tensor *got = xp_mm(a, b);
        ck_assert_int_eq(xp_dtype_of(got), dts[i]);
        double rtol = dts[i] == XP_F16 ? ldexp(1.0, -11) : ldexp(1.0, -8);
        xpt_assert_close(got, ref_matmul(a, b), rtol, gemm_atol(XP_F32, K) + 1e-6);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_of_integers_is_exact) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 105;
    const xp_dtype dts[] = {XP_I64, XP_I32};
    for (int i = 0; i < 2; i++) {
        xp_tensor *a = xpt_random(&s, dts[i], 2, (int64_t[]){6, 11}, -9, 9);
        xp_tensor *b = xp_transpose(xpt_random(&s, dts[i], 2, (int64_t[]){5, 11}, -9, 9), 0, 1);
        xp_tensor *got = xp_mm(a, b);
        ck_assert_int_eq(xp_dtype_of(got), dts[i]);
        xpt_assert_close(got, ref_matmul(a, b), 0, 0);
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(mm_rejects_mismatched_inner_dims) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *a = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 4});
    xp_tensor *b = xp_tensor_new(XP_F32, 2, (int64_t[]){5, 2});
    ck_assert_ptr_null(xp_mm(a, b));
    ck_assert_int_eq(xp_last_status(), XP_ERR_SHAPE);
    xp_clear_error();
    xp_scope_pop(sc);
}
END_TEST

/* ---- bmm ---- */

START_TEST(bmm_matches_reference_with_strided_batches) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 201;
    for (int it = 0; it < 16; it++) {
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        int64_t B = rand_dim(&s, 0, 5), M = rand_dim(&s, 1, 12), N = rand_dim(&s, 1, 12), K = rand_dim(&s, 0, 12);
        xp_tensor *a = (it & 1) ? random_transposed(&s, dt, 3, (int64_t[]){B, M, K})
                                : xpt_random(&s, dt, 3, (int64_t[]){B, M, K}, -1, 1);
        /* batch dim not outermost in memory: [K, B, N] permuted to [B, K, N] */
        xp_tensor *b = (it & 2) ? xp_transpose(xpt_random(&s, dt, 3, (int64_t[]){K, B, N}, -1, 1), 0, 1)
                                : xpt_random(&s, dt, 3, (int64_t[]){B, K, N}, -1, 1);
        xp_tensor *got = xp_bmm(a, b);
        xpt_assert_shape(got, B, M, N);
        xpt_assert_close(got, ref_matmul(a, b), 0, gemm_atol(dt, K));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(bmm_runs_many_small_batches_in_parallel_correctly) {
    /* 64 batches of 16x16x16: small GEMMs with 2^18 multiply-adds in all,
     * the path that spreads batches over threads */
    xp_scope *sc = xp_scope_push();
    uint64_t s = 202;
    xp_tensor *a = xpt_random(&s, XP_F32, 3, (int64_t[]){64, 16, 16}, -1, 1);
    xp_tensor *b = random_transposed(&s, XP_F32, 3, (int64_t[]){64, 16, 16});
    xpt_assert_close(xp_bmm(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F32, 16));
    xp_scope_pop(sc);
}
END_TEST

/* ---- matmul ---- */

START_TEST(matmul_follows_pytorch_rules_for_1d_operands) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 301;
    int64_t K = 7;
    xp_tensor *v = xpt_random(&s, XP_F32, 1, (int64_t[]){K}, -1, 1);
    xp_tensor *w = xpt_random(&s, XP_F32, 1, (int64_t[]){K}, -1, 1);
    xp_tensor *m = xpt_random(&s, XP_F32, 2, (int64_t[]){5, K}, -1, 1);
    xp_tensor *mt = random_transposed(&s, XP_F32, 2, (int64_t[]){K, 4});
    xp_tensor *b3 = xpt_random(&s, XP_F32, 3, (int64_t[]){3, 5, K}, -1, 1);
    xp_tensor *b3r = xpt_random(&s, XP_F32, 3, (int64_t[]){3, K, 4}, -1, 1);
    double tol = gemm_atol(XP_F32, K);

    xp_tensor *dot = xp_matmul(v, w); /* 1-D . 1-D -> 0-d */
    ck_assert_ptr_nonnull(dot);
    ck_assert_int_eq(xp_ndim(dot), 0);
    xpt_assert_close(dot, ref_matmul(v, w), 0, tol);

    xp_tensor *mv = xp_matmul(m, v); /* [5, K] @ [K] -> [5] */
    xpt_assert_shape(mv, 5);
    xpt_assert_close(mv, ref_matmul(m, v), 0, tol);

    xp_tensor *vm = xp_matmul(v, mt); /* [K] @ [K, 4] -> [4] */
    xpt_assert_shape(vm, 4);
    xpt_assert_close(vm, ref_matmul(v, mt), 0, tol);

    xp_tensor *bv = xp_matmul(b3, v); /* [3, 5, K] @ [K] -> [3, 5] */
    xpt_assert_shape(bv, 3, 5);
    xpt_assert_close(bv, ref_matmul(b3, v), 0, tol);

    xp_tensor *vb = xp_matmul(v, b3r); /* [K] @ [3, K, 4] -> [3, 4] */
    xpt_assert_shape(vb, 3, 4);
    xpt_assert_close(vb, ref_matmul(v, b3r), 0, tol);

    /* a strided 1-D operand: every third element */
    xp_tensor *big = xpt_random(&s, XP_F32, 1, (int64_t[]){3 * K}, -1, 1);
    xp_tensor *sv = xp_slice(big, 0, 2, XP_END, 3);
    xpt_assert_shape(sv, K);
    xpt_assert_close(xp_matmul(m, sv), ref_matmul(m, sv), 0, tol);
    xpt_assert_close(xp_matmul(sv, w), ref_matmul(sv, w), 0, tol);
    xp_scope_pop(sc);
}
END_TEST

START_TEST(matmul_broadcasts_batch_dims) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 302;
    struct { int an, bn; int64_t a[4], b[4]; } cases[] = {
        {4, 3, {2, 1, 5, 6}, {3, 6, 4}},    /* [2,1,5,6] @ [3,6,4] -> [2,3,5,4] */
        {3, 2, {4, 5, 6}, {6, 3}},          /* shared right operand: folded into one GEMM */
        {2, 3, {5, 6}, {4, 6, 3}},          /* shared left operand */
        {3, 3, {1, 5, 6}, {4, 6, 3}},       /* size-1 batch broadcasts */
        {3, 3, {0, 5, 6}, {1, 6, 3}},       /* empty batch */
        {4, 4, {2, 3, 1, 6}, {2, 3, 6, 1}}, /* size-1 matrix dims */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int tr = 0; tr < 2; tr++) {
            xp_tensor *a = tr ? random_transposed(&s, XP_F32, cases[c].an, cases[c].a)
                              : xpt_random(&s, XP_F32, cases[c].an, cases[c].a, -1, 1);
            xp_tensor *b = tr ? random_transposed(&s, XP_F32, cases[c].bn, cases[c].b)
                              : xpt_random(&s, XP_F32, cases[c].bn, cases[c].b, -1, 1);
            xp_tensor *want = ref_matmul(a, b);
            xp_tensor *got = xp_matmul(a, b);
            ck_assert_msg(got != NULL, "case %zu: %s", c, xp_last_error());
            xpt_assert_close(got, want, 0, gemm_atol(XP_F32, 6));
        }
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(matmul_reads_expanded_batches_through_stride_0) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 303;
    /* [1, 5, 6] expanded to [4, 5, 6] with batch stride 0, and a contiguous
     * [4, 6, 3] whose batches are each used once */
    xp_tensor *one = xpt_random(&s, XP_F32, 3, (int64_t[]){1, 5, 6}, -1, 1);
    xp_tensor *a = xp_expand(one, XP_DIMS(4, 5, 6));
    xp_tensor *b = xpt_random(&s, XP_F32, 3, (int64_t[]){4, 6, 3}, -1, 1);
    xpt_assert_close(xp_matmul(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F32, 6));
    /* both operands with a broadcast batch and a shared right side: rows
     * repeat, so the batch cannot fold into one GEMM */
    xp_tensor *w = xpt_random(&s, XP_F32, 2, (int64_t[]){6, 2}, -1, 1);
    xpt_assert_close(xp_matmul(a, w), ref_matmul(a, w), 0, gemm_atol(XP_F32, 6));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(matmul_of_f64_and_integers_matches_reference) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 304;
    xp_tensor *a = xpt_random(&s, XP_F64, 3, (int64_t[]){3, 4, 9}, -1, 1);
    xp_tensor *b = random_transposed(&s, XP_F64, 2, (int64_t[]){9, 5});
    xpt_assert_close(xp_matmul(a, b), ref_matmul(a, b), 0, gemm_atol(XP_F64, 9));
    xp_tensor *ia = xpt_random(&s, XP_I64, 3, (int64_t[]){2, 4, 9}, -20, 20);
    xp_tensor *ib = xpt_random(&s, XP_I64, 3, (int64_t[]){2, 9, 3}, -20, 20);
    xpt_assert_close(xp_matmul(ia, ib), ref_matmul(ia, ib), 0, 0);
    xp_scope_pop(sc);
}
END_TEST

/* ---- addmm ---- */

START_TEST(addmm_scales_with_beta_and_alpha) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 401;
    int64_t M = 6, N = 5, K = 8;
    xp_tensor *a = xpt_random(&s, XP_F32, 2, (int64_t[]){M, K}, -1, 1);
    xp_tensor *b = random_transposed(&s, XP_F32, 2, (int64_t[]){K, N});
    xp_tensor *prod = ref_matmul(a, b);
    struct { int nd; int64_t shape[2]; } selves[] = {{2, {M, N}}, {1, {N}}, {2, {M, 1}}, {0, {0}}};
    const double betas[] = {1.0, 0.5, -2.0}, alphas[] = {1.0, 0.25, 3.0};
    for (size_t si = 0; si < 4; si++)
        for (int k = 0; k < 3; k++) {
            xp_tensor *self = xpt_random(&s, XP_F32, selves[si].nd, selves[si].shape, -1, 1);
            xp_tensor *want = xp_tensor_new(XP_F64, 2, (int64_t[]){M, N});
            double *w = xp_data(want);
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    int64_t idx[2] = {selves[si].nd == 2 && selves[si].shape[0] == M ? i : 0,
                                      selves[si].nd >= 1 && selves[si].shape[selves[si].nd - 1] == N ? j : 0};
                    int64_t *si_idx = selves[si].nd == 2 ? idx : idx + 1;
                    w[i * N + j] = betas[k] * xpt_get(self, si_idx) +
                                   alphas[k] * xpt_get(prod, (int64_t[]){i, j});
                }
            xp_tensor *got = k == 0 ? xp_addmm(self, a, b) : addmm_ex(self, a, b, betas[k], alphas[k]);
            xpt_assert_close(got, want, 1e-6, 3.0 * gemm_atol(XP_F32, K) + 1e-6);
        }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(addmm_with_beta_zero_ignores_self_even_nan) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 402;
    xp_tensor *a = xpt_random(&s, XP_F32, 2, (int64_t[]){3, 4}, -1, 1);
    xp_tensor *b = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 2}, -1, 1);
    xp_tensor *self = xp_tensor_new(XP_F32, 2, (int64_t[]){3, 2});
    float *p = xp_data(self);
    for (int i = 0; i < 6; i++) p[i] = NAN;
    xp_tensor *got = addmm_ex(self, a, b, 0.0, 2.0);
    xp_tensor *want = ref_matmul(a, b);
    double *w = xp_data(want);
    for (int i = 0; i < 6; i++) w[i] *= 2.0;
    xpt_assert_close(got, want, 0, 2.0 * gemm_atol(XP_F32, 4));
    xp_scope_pop(sc);
}
END_TEST

/* ---- linear ---- */

/* x @ w^T + bias in double */
static xp_tensor *ref_linear(const xp_tensor *x, const xp_tensor *w, const xp_tensor *bias) {
    xp_tensor *out = ref_matmul_ex(x, w, true);
    if (bias) {
        int64_t n = xp_numel(out), N = w->meta.shape[0];
        double *o = xp_data(out);
        for (int64_t i = 0; i < n; i++) o[i] += xpt_get(bias, (int64_t[]){i % N});
    }
    return out;
}

START_TEST(linear_matches_reference_with_and_without_bias) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 501;
    for (int it = 0; it < 16; it++) {
        xp_dtype dt = it % 4 == 3 ? XP_F64 : XP_F32;
        int64_t B = rand_dim(&s, 0, 4), L = rand_dim(&s, 1, 6), IN = rand_dim(&s, 1, 20), OUT = rand_dim(&s, 1, 20);
        xp_tensor *x = (it & 1) ? xp_transpose(xpt_random(&s, dt, 3, (int64_t[]){L, B, IN}, -1, 1), 0, 1)
                                : xpt_random(&s, dt, 3, (int64_t[]){B, L, IN}, -1, 1);
        /* weight [OUT, IN], also as a transposed view of an [IN, OUT] tensor */
        xp_tensor *w = (it & 2) ? random_transposed(&s, dt, 2, (int64_t[]){OUT, IN})
                                : xpt_random(&s, dt, 2, (int64_t[]){OUT, IN}, -1, 1);
        xp_tensor *bias = (it & 4) ? NULL : xpt_random(&s, dt, 1, (int64_t[]){OUT}, -1, 1);
        xp_tensor *got = xp_linear(x, w, bias);
        xpt_assert_shape(got, B, L, OUT);
        xpt_assert_close(got, ref_linear(x, w, bias), 0, gemm_atol(dt, IN + 1));
    }
    xp_scope_pop(sc);
}
END_TEST

START_TEST(linear_takes_1d_and_2d_inputs) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 502;
    xp_tensor *w = xpt_random(&s, XP_F32, 2, (int64_t[]){10, 100}, -1, 1);
    xp_tensor *bias = xpt_random(&s, XP_F32, 1, (int64_t[]){10}, -1, 1);
    xp_tensor *x1 = xpt_random(&s, XP_F32, 1, (int64_t[]){100}, -1, 1);
    xp_tensor *got = xp_linear(x1, w, bias);
    xpt_assert_shape(got, 10);
    xpt_assert_close(got, ref_linear(x1, w, bias), 0, gemm_atol(XP_F32, 101));
    xp_tensor *x2 = xpt_random(&s, XP_F32, 2, (int64_t[]){64, 100}, -1, 1);
    got = xp_linear(x2, w, bias);
    xpt_assert_shape(got, 64, 10);
    xpt_assert_close(got, ref_linear(x2, w, bias), 0, gemm_atol(XP_F32, 101));
    xp_scope_pop(sc);
}
END_TEST

START_TEST(linear_of_bf16_rounds_once_at_the_end) {
    xp_scope *sc = xp_scope_push();
    uint64_t s = 503;
    xp_tensor *x = xpt_random(&s, XP_BF16, 2, (int64_t[]){4, 16}, -1, 1);
    xp_tensor *w = xpt_random(&s, XP_BF16, 2, (int64_t[]){3, 16}, -1, 1);
    xp_tensor *bias = xpt_random(&s, XP_BF16, 1, (int64_t[]){3}, -1, 1);
    xp_tensor *got = xp_linear(x, w, bias);
    ck_assert_int_eq(xp_dtype_of(got), XP_BF16);
    xpt_assert_close(got, ref_linear(x, w, bias), ldexp(1.0, -8), gemm_atol(XP_F32, 17) + 1e-6);
    xp_scope_pop(sc);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("cpu_linalg");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, mm_matches_reference_on_random_shapes);
    tcase_add_test(tc, mm_takes_transposed_views_without_copying_semantics);
    tcase_add_test(tc, mm_handles_views_blas_cannot_take);
    tcase_add_test(tc, mm_large_enough_to_split_over_threads_matches_reference);
    tcase_add_test(tc, mm_zero_inner_dim_gives_zeros);
    tcase_add_test(tc, mm_of_half_types_computes_in_f32);
    tcase_add_test(tc, mm_of_integers_is_exact);
    tcase_add_test(tc, mm_rejects_mismatched_inner_dims);
    tcase_add_test(tc, bmm_matches_reference_with_strided_batches);
    tcase_add_test(tc, bmm_runs_many_small_batches_in_parallel_correctly);
    tcase_add_test(tc, matmul_follows_pytorch_rules_for_1d_operands);
    tcase_add_test(tc, matmul_broadcasts_batch_dims);
    tcase_add_test(tc, matmul_reads_expanded_batches_through_stride_0);
    tcase_add_test(tc, matmul_of_f64_and_integers_matches_reference);
    tcase_add_test(tc, addmm_scales_with_beta_and_alpha);
    tcase_add_test(tc, addmm_with_beta_zero_ignores_self_even_nan);
    tcase_add_test(tc, linear_matches_reference_with_and_without_bias);
    tcase_add_test(tc, linear_takes_1d_and_2d_inputs);
    tcase_add_test(tc, linear_of_bf16_rounds_once_at_the_end);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
