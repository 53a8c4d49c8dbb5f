/*
 * CPU kernels for mm, bmm, matmul, addmm and linear.
 *
 * All five reduce to one batched GEMM over strided operands: f32/f64 go to
 * CBLAS with transposes and leading dimensions taken from the views' strides
 * (a transposed or sliced operand is passed as it is, never copied), f16 and
 * bf16 compute in f32, integers in a plain int64 loop. Broadcast batch dims
 * have stride 0, so an expanded operand is not materialized either.
 */
#include "cpu/nn_util.h"

#include <limits.h>
#include <string.h>

/* One GEMM operand: leading batch dims of `t`, then a rows x cols matrix
 * with strides (rs, cs). */
typedef struct operand {
    xp_tensor *t; /* in the compute dtype; may be a copy of the argument */
    int nb;       /* batch dims: t's dims [0, nb) */
    int64_t rows, cols, rs, cs;
} operand;

/* Describes `t` as a GEMM operand. A 1-D left operand is a 1 x n row, a 1-D
 * right operand an n x 1 column (PyTorch's matmul rules); `transposed` swaps
 * the last two dims (linear's weight). */
static void describe(operand *o, xp_tensor *t, bool left, bool transposed) {
    int nd = t->meta.ndim;
    o->t = t;
    if (nd == 1) {
        o->nb = 0;
        int64_t n = t->meta.shape[0], s = t->strides[0];
        if (left) {
            o->rows = 1, o->cols = n, o->rs = n, o->cs = s;
        } else {
            o->rows = n, o->cols = 1, o->rs = s, o->cs = 1;
        }
        return;
    }
    o->nb = nd - 2;
    int r = nd - 2, c = nd - 1;
    if (transposed) r = nd - 1, c = nd - 2;
    o->rows = t->meta.shape[r], o->cols = t->meta.shape[c];
    o->rs = t->strides[r], o->cs = t->strides[c];
}

/* Converts the operand's tensor to `cdt`, and makes it dense when BLAS
 * cannot take its layout (e.g. both strides > 1 after a strided slice). */
static xp_status prepare(operand *o, xp_tensor *arg, xp_dtype cdt, bool left, bool transposed) {
    xp_tensor *t = xp_nn_as(arg, cdt, false);
    if (!t) return xp_last_status();
    describe(o, t, left, transposed);
    if (cdt != XP_I64 && !xp_nn_blas_ok(o->rows, o->cols, o->rs, o->cs)) {
        xp_tensor *d = xp_nn_as(t, cdt, true);
        xp_nn_release(arg, t);
        o->t = NULL;
        if (!d) return xp_last_status();
        describe(o, d, left, transposed);
    }
    return XP_OK;
}

typedef struct gemm_plan {
    int nb;
    int64_t bshape[XP_MAX_DIMS], sa[XP_MAX_DIMS], sb[XP_MAX_DIMS];
    int64_t nbatch;
} gemm_plan;

/* Broadcasts the batch dims of A and B (right-aligned, sizes equal or 1). */
static xp_status plan_batches(const char *op, const operand *A, const operand *B, gemm_plan *p) {
    p->nb = A->nb > B->nb ? A->nb : B->nb;
    p->nbatch = 1;
    for (int d = 0; d < p->nb; d++) {
        int da = d - (p->nb - A->nb), db = d - (p->nb - B->nb);
        int64_t na = da >= 0 ? A->t->meta.shape[da] : 1, nbs = db >= 0 ? B->t->meta.shape[db] : 1;
        if (na != nbs && na != 1 && nbs != 1)
            return xp_error(XP_ERR_SHAPE, "%s: batch dims do not broadcast: size %lld against %lld", op,
                            (long long)na, (long long)nbs);
        p->bshape[d] = na != 1 ? na : nbs;
        p->sa[d] = na != 1 ? A->t->strides[da] : 0;
        p->sb[d] = nbs != 1 ? B->t->strides[db] : 0;
        p->nbatch *= p->bshape[d];
    }
    return XP_OK;
}

/* When B is the same matrix for every batch and A's batch dims stack its
 * rows at one uniform stride (a contiguous [..., M, K] input), the whole
 * batch is one GEMM with M' = batch * M. Returns false when it is not. */
static bool fold_rows(const gemm_plan *p, const operand *A, int64_t *rows, int64_t *rs) {
    for (int d = 0; d < p->nb; d++)
        if (p->sb[d] != 0 && p->bshape[d] != 1) return false;
    int64_t r = A->rows, s = A->rows > 1 ? A->rs : 0;
    bool known = A->rows > 1;
    for (int d = p->nb - 1; d >= 0; d--) {
        if (p->bshape[d] == 1) continue;
        if (!known) {
            s = p->sa[d];
            known = true;
        } else if (p->sa[d] != r * s) {
            return false;
        }
        r *= p->bshape[d];
    }
    *rows = r;
    *rs = known ? s : A->rs;
    return true;
}

typedef struct batch_job {
    const gemm_plan *p;
    xp_dtype cdt;
    int64_t M, N, K;
    double alpha, beta;
    int64_t ars, acs, brs, bcs;
    const char *a0, *b0;
    char *c0;
} batch_job;

/* GEMM number `bi` of the batch (C order over the broadcast batch shape). */
static void run_batch(const batch_job *j, int64_t bi) {
    int64_t oa = 0, ob = 0, rem = bi, es = (int64_t)xp_dtype_size(j->cdt);
    for (int d = j->p->nb - 1; d >= 0; d--) {
        int64_t i = rem % j->p->bshape[d];
        rem /= j->p->bshape[d];
        oa += i * j->p->sa[d];
        ob += i * j->p->sb[d];
    }
    xp_nn_gemm(j->cdt, j->M, j->N, j->K, j->alpha, (xp_nn_mat){j->a0 + oa * es, j->ars, j->acs},
               (xp_nn_mat){j->b0 + ob * es, j->brs, j->bcs}, j->beta, j->c0 + bi * j->M * j->N * es, j->N);
}

/* Writes `init` broadcast to C's shape into C (contiguous), where the GEMM
 * then accumulates. A bias row of C's dtype is copied row by row (the common
 * case: linear's bias); anything else goes through the general copy. */
static xp_status fill_init(xp_tensor *C, const xp_tensor *init, int64_t N) {
    int64_t n = xp_shape_numel(init->meta.ndim, init->meta.shape);
    if (init->meta.dtype != C->meta.dtype || init->meta.ndim != 1 || n != N || !xp_is_contiguous(init))
        return xp_tensor_copy_into(C, init);
    size_t row = (size_t)N * xp_dtype_size(C->meta.dtype);
    int64_t rows = xp_shape_numel(C->meta.ndim, C->meta.shape) / N;
    const char *src = xp_tensor_base_ptr(init);
    char *dst = xp_tensor_base_ptr(C);
    for (int64_t r = 0; r < rows; r++) memcpy(dst + (size_t)r * row, src, row);
    return XP_OK;
}

/* out = alpha * (a @ b) + beta * init, where `init` (NULL for none) is
 * broadcast to out's shape: addmm's self, linear's bias (beta 1). */
static xp_status gemm_op(const char *op, xp_tensor *out, xp_tensor *a, xp_tensor *b, bool b_transposed,
                         double alpha, double beta, xp_tensor *init) {
    xp_dtype cdt = xp_cpu_compute_dtype(out->meta.dtype);
    operand A = {0}, B = {0};
    xp_tensor *C = NULL;
    xp_status st = prepare(&A, a, cdt, true, false);
    if (st != XP_OK) return st;
    if ((st = prepare(&B, b, cdt, false, b_transposed)) != XP_OK) goto done;

    if (A.cols != B.rows) {
        st = xp_error(XP_ERR_SHAPE, "%s: inner dims do not match: %lld x %lld @ %lld x %lld", op, (long long)A.rows,
                      (long long)A.cols, (long long)B.rows, (long long)B.cols);
        goto done;
    }
    int64_t M = A.rows, N = B.cols, K = A.cols;
    gemm_plan p;
    if ((st = plan_batches(op, &A, &B, &p)) != XP_OK) goto done;
    int64_t want = p.nbatch * M * N, have = xp_shape_numel(out->meta.ndim, out->meta.shape);
    if (want != have) {
        st = xp_error(XP_ERR_INTERNAL, "%s: output has %lld elements, the product needs %lld", op, (long long)have,
                      (long long)want);
        goto done;
    }
    if ((st = xp_nn_gemm_check(op, M, N, K)) != XP_OK) goto done;
    if (!(C = xp_nn_out_begin(out, cdt))) {
        st = xp_last_status();
        goto done;
    }
    if (want == 0) goto finish;
    double gbeta = 0.0;
    if (init && beta != 0.0) {
        /* PyTorch ignores `self` when beta is 0, NaNs included */
        if ((st = fill_init(C, init, N)) != XP_OK) goto done;
        gbeta = beta;
    }

    char *a0 = xp_tensor_base_ptr(A.t), *b0 = xp_tensor_base_ptr(B.t), *c0 = xp_tensor_base_ptr(C);
    int64_t rows, rs;
    if (p.nbatch > 1 && fold_rows(&p, &A, &rows, &rs) &&
        (cdt == XP_I64 || xp_nn_blas_ok(rows, K, rs, A.cs)) && rows <= INT_MAX) {
        xp_nn_gemm(cdt, rows, N, K, alpha, (xp_nn_mat){a0, rs, A.cs}, (xp_nn_mat){b0, B.rs, B.cs}, gbeta, c0, N);
        goto finish;
    }
    /* One GEMM per thread, or in turn with each split over the threads by
     * xp_nn_gemm. (Two loops, not `if (par)`: a parallel region inside an
     * inactive one would start a new nested team.) */
    int nt = xp_num_threads();
    bool par = xp_nn_batch_parallel(p.nbatch, (double)M * N * K, nt);
    batch_job job = {&p, cdt, M, N, K, alpha, gbeta, A.rs, A.cs, B.rs, B.cs, a0, b0, c0};
    if (par) {
        int64_t nbatch = p.nbatch;
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int64_t bi = 0; bi < nbatch; bi++) run_batch(&job, bi);
    } else {
        for (int64_t bi = 0; bi < p.nbatch; bi++) run_batch(&job, bi);
    }
finish:
    st = xp_nn_out_end(out, C);
    C = NULL;
done:
    if (C) xp_nn_release(out, C);
    xp_nn_release(a, A.t);
    xp_nn_release(b, B.t);
    return st;
}

static xp_status expect_ndim(const char *op, const char *name, const xp_tensor *t, int ndim) {
    if (t->meta.ndim != ndim)
        return xp_error(XP_ERR_SHAPE, "%s: '%s' must have %d dims, got %d", op, name, ndim, t->meta.ndim);
    return XP_OK;
}

xp_status xp_cpu_mm(const xp_call *call) {
    xp_tensor *a = XP_ARG_T(call->args[0]), *b = XP_ARG_T(call->args[1]);
    xp_status st;
    if ((st = expect_ndim("mm", "self", a, 2)) != XP_OK || (st = expect_ndim("mm", "mat2", b, 2)) != XP_OK) return st;
    return gemm_op("mm", call->outs[0], a, b, false, 1.0, 0.0, NULL);
}

xp_status xp_cpu_bmm(const xp_call *call) {
    xp_tensor *a = XP_ARG_T(call->args[0]), *b = XP_ARG_T(call->args[1]);
    xp_status st;
    if ((st = expect_ndim("bmm", "self", a, 3)) != XP_OK || (st = expect_ndim("bmm", "mat2", b, 3)) != XP_OK)
        return st;
    if (a->meta.shape[0] != b->meta.shape[0])
        return xp_error(XP_ERR_SHAPE, "bmm: batch sizes differ: %lld and %lld", (long long)a->meta.shape[0],
                        (long long)b->meta.shape[0]);
    return gemm_op("bmm", call->outs[0], a, b, false, 1.0, 0.0, NULL);
}

xp_status xp_cpu_matmul(const xp_call *call) {
    xp_tensor *a = XP_ARG_T(call->args[0]), *b = XP_ARG_T(call->args[1]);
    if (a->meta.ndim < 1 || b->meta.ndim < 1)
        return xp_error(XP_ERR_SHAPE, "matmul: both arguments need at least 1 dim, got %d and %d", a->meta.ndim,
                        b->meta.ndim);
    return gemm_op("matmul", call->outs[0], a, b, false, 1.0, 0.0, NULL);
}

xp_status xp_cpu_addmm(const xp_call *call) {
    xp_tensor *self = XP_ARG_T(call->args[0]), *a = XP_ARG_T(call->args[1]), *b = XP_ARG_T(call->args[2]);
    double beta = call->args[3].kind == XP_ARG_FLOAT ? call->args[3].f : 1.0;
    double alpha = call->args[4].kind == XP_ARG_FLOAT ? call->args[4].f : 1.0;
    xp_status st;
    if ((st = expect_ndim("addmm", "mat1", a, 2)) != XP_OK || (st = expect_ndim("addmm", "mat2", b, 2)) != XP_OK)
        return st;
    return gemm_op("addmm", call->outs[0], a, b, false, alpha, beta, self);
}

xp_status xp_cpu_linear(const xp_call *call) {
    xp_tensor *x = XP_ARG_T(call->args[0]), *w = XP_ARG_T(call->args[1]);
    xp_tensor *bias = call->args[2].kind == XP_ARG_TENSOR ? XP_ARG_T(call->args[2]) : NULL;
    if (x->meta.ndim < 1)
        return xp_error(XP_ERR_SHAPE, "linear: input needs at least 1 dim, got 0");
    if (w->meta.ndim != 1 && w->meta.ndim != 2)
        return xp_error(XP_ERR_SHAPE, "linear: weight must have 1 or 2 dims, got %d", w->meta.ndim);
    /* x @ weight^T: weight [out, in] is passed transposed, not copied */
    return gemm_op("linear", call->outs[0], x, w, w->meta.ndim == 2, 1.0, 1.0, bias);
}
