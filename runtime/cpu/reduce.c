/*
 * Reductions: sum, mean, amax, amin over all dims or a list of dims (with
 * keepdim), and argmax over all elements or one dim.
 *
 * Semantics (PyTorch's):
 *  - dim None or an empty list reduces every dim; negative dims count from
 *    the end; a dim listed twice is an error. keepdim only changes the
 *    result's shape (the shape function's), never the values.
 *  - Reducing zero elements: sum is 0, mean is NaN, amax/amin/argmax fail
 *    (there is no identity to return), naming the empty dim.
 *  - amax/amin propagate NaN. argmax returns the first index of the
 *    maximum, and NaN counts as larger than everything (the first NaN wins);
 *    with dim None the index is into the flattened (C-order) tensor.
 *
 * Accumulation is in double for float inputs (f16/bf16/f32 sums are then
 * rounded once into the result dtype) and in wrapping i64 for integer and
 * bool inputs (PyTorch's integer sum promotes to i64 too). Results do not
 * depend on the thread count: work is split at boundaries that depend only
 * on the shapes, and partial results are combined in a fixed order.
 *
 * Layouts: the kept and the reduced dims are each merged where the input is
 * contiguous across them. When the reduced elements of one output are
 * adjacent (sum over the last dim), each output is a vectorized dot-style
 * loop; when the kept elements are adjacent and the reduced ones far apart
 * (sum over dim 0 of [N, C]), whole rows of outputs are accumulated at once.
 */
#include "cpu/cpu_util.h"

#include <stdlib.h>

typedef enum red_op { RED_SUM, RED_MEAN, RED_MAX, RED_MIN, RED_ARGMAX } red_op;

/* Chunk of reduced elements per partial result when few outputs reduce
 * many elements each (a whole-tensor sum): fixed, so results do not depend
 * on the thread count. */
#define RED_CHUNK ((int64_t)1 << 15)
/* Outputs per accumulator row in the row-wise (outer) layout: wide enough
 * that each reduced step reads a long contiguous run (the accumulators,
 * 16 KB, stay in L1). */
#define RED_ROW 2048

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

typedef struct red_plan {
    const char *name;
    red_op op;
    xp_dtype dt;     /* input dtype */
    int64_t es;      /* input element size */
    bool fl;         /* float input: double accumulators, else i64 */
    const char *base;
    xp_dtype odt;    /* result dtype */
    char *out;
    int64_t oes;
    int nk, nr;      /* kept / reduced dims after merging (>= 1 each) */
    int64_t ksize[XP_MAX_DIMS], kstride[XP_MAX_DIMS]; /* strides in bytes */
    int64_t rsize[XP_MAX_DIMS], rstride[XP_MAX_DIMS];
    int64_t M, N;    /* outputs, reduced elements per output */
} red_plan;

/* The running result for one output (or a chunk of one). */
typedef struct red_state {
    double d;    /* float inputs */
    int64_t i;   /* integer inputs */
    bool nan;    /* amax/amin/argmax saw a NaN */
    int64_t idx; /* argmax: flat reduced index of the best element */
} red_state;

/* ---- typed loops over contiguous runs ---------------------------------- */

static double sum_f32(const float *x, int64_t n) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}
static double sum_f64(const double *x, int64_t n) {
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}
static int64_t sum_i64(const int64_t *x, int64_t n) {
    uint64_t s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += (uint64_t)x[i];
    return (int64_t)s;
}

/* max/min ignoring NaN, with a flag saying whether one was seen */
#define XP_PRAGMA(x) _Pragma(#x)
#define MINMAX_LOOP(NAME, T, ACC, RED, CMP)                                  \
    static void NAME(const T *x, int64_t n, red_state *st) {                  \
        T m = (T)st->ACC;                                                     \
        int nan = 0;                                                          \
        XP_PRAGMA(omp simd reduction(RED : m) reduction(| : nan))             \
        for (int64_t i = 0; i < n; i++) {                                     \
            T v = x[i];                                                       \
            m = v CMP m ? v : m;                                              \
            nan |= v != v;                                                    \
        }                                                                     \
        st->ACC = m;                                                          \
        st->nan |= nan != 0;                                                  \
    }
MINMAX_LOOP(max_f32, float, d, max, >)
MINMAX_LOOP(min_f32, float, d, min, <)
MINMAX_LOOP(max_f64, double, d, max, >)
MINMAX_LOOP(min_f64, double, d, min, <)
MINMAX_LOOP(max_i64, int64_t, i, max, >)
MINMAX_LOOP(min_i64, int64_t, i, min, <)

/* argmax over a run whose first element has flat reduced index r0 */
static void argmax_f64(const double *x, int64_t n, int64_t r0, red_state *st) {
    if (st->nan) return;
    for (int64_t i = 0; i < n; i++) {
        double v = x[i];
        if (v != v) {
            st->nan = true;
            st->idx = r0 + i;
            return;
        }
        if (v > st->d || st->idx < 0) {
            st->d = v;
            st->idx = r0 + i;
        }
    }
}
static void argmax_i64(const int64_t *x, int64_t n, int64_t r0, red_state *st) {
    for (int64_t i = 0; i < n; i++)
        if (x[i] > st->i || st->idx < 0) {
            st->i = x[i];
            st->idx = r0 + i;
        }
}

static void state_init(const red_plan *p, red_state *st) {
    st->nan = false;
    st->idx = -1;
    switch (p->op) {
    case RED_MAX: case RED_ARGMAX: st->d = -INFINITY; st->i = INT64_MIN; break;
    case RED_MIN: st->d = INFINITY; st->i = INT64_MAX; break;
    default: st->d = 0; st->i = 0; break;
    }
}

/* Folds n elements at ptr (byte stride) into st; r0 is the flat reduced
 * index of the first one. f32/f64/i64 runs with unit stride are read in
 * place; anything else is converted to double/i64 in blocks first. */
static void state_run(const red_plan *p, red_state *st, const char *ptr, int64_t n, int64_t stride, int64_t r0) {
    if (p->fl && p->dt == XP_F32 && stride == 4 && p->op != RED_ARGMAX) {
        const float *x = (const float *)(const void *)ptr;
        if (p->op == RED_MAX) max_f32(x, n, st);
        else if (p->op == RED_MIN) min_f32(x, n, st);
        else st->d += sum_f32(x, n);
        return;
    }
    xp_dtype ct = p->fl ? XP_F64 : XP_I64;
    _Alignas(64) unsigned char buf[XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < n; off += XP_CPU_BLOCK) {
        int64_t m = n - off < XP_CPU_BLOCK ? n - off : XP_CPU_BLOCK, step;
        const void *x = xp_cpu_operand(p->dt, ct, ptr + off * stride, stride, m, buf, &step);
        if (!step) { /* a broadcast run (stride 0): the same element m times */
            int64_t v;
            memcpy(&v, x, 8);
            for (int64_t k = 0; k < m; k++) memcpy(buf + 8 * k, &v, 8);
            x = buf;
        }
        if (p->fl) {
            switch (p->op) {
            case RED_MAX: max_f64(x, m, st); break;
            case RED_MIN: min_f64(x, m, st); break;
            case RED_ARGMAX: argmax_f64(x, m, r0 + off, st); break;
            default: st->d += sum_f64(x, m); break;
            }
        } else {
            switch (p->op) {
            case RED_MAX: max_i64(x, m, st); break;
            case RED_MIN: min_i64(x, m, st); break;
            case RED_ARGMAX: argmax_i64(x, m, r0 + off, st); break;
            default: st->i = (int64_t)((uint64_t)st->i + (uint64_t)sum_i64(x, m)); break;
            }
        }
    }
}

/* Folds `from` (a later chunk) into `into`. */
static void state_merge(const red_plan *p, red_state *into, const red_state *from) {
    switch (p->op) {
    case RED_MAX:
        into->nan |= from->nan;
        if (from->d > into->d) into->d = from->d;
        if (from->i > into->i) into->i = from->i;
        break;
    case RED_MIN:
        into->nan |= from->nan;
        if (from->d < into->d) into->d = from->d;
        if (from->i < into->i) into->i = from->i;
        break;
    case RED_ARGMAX:
        if (into->nan || from->idx < 0) break;
        if (into->idx < 0 || from->nan || (p->fl ? from->d > into->d : from->i > into->i)) *into = *from;
        break;
    default:
        into->d += from->d;
        into->i = (int64_t)((uint64_t)into->i + (uint64_t)from->i);
        break;
    }
}

static void state_store(const red_plan *p, const red_state *st, int64_t o) {
    char *dst = p->out + o * p->oes;
    double v;
    switch (p->op) {
    case RED_ARGMAX: xp_cpu_convert(p->odt, dst, XP_I64, &st->idx, 0, 1); return;
    case RED_MEAN: v = p->N == 0 ? NAN : (p->fl ? st->d : (double)st->i) / (double)p->N; break;
    case RED_MAX: case RED_MIN:
        if (!p->fl) {
            xp_cpu_convert(p->odt, dst, XP_I64, &st->i, 0, 1);
            return;
        }
        v = st->nan ? NAN : st->d;
        break;
    default:
        if (!p->fl) {
            xp_cpu_convert(p->odt, dst, XP_I64, &st->i, 0, 1);
            return;
        }
        v = st->d;
        break;
    }
    xp_cpu_convert(p->odt, dst, XP_F64, &v, 0, 1);
}

/* ---- walking the reduced elements ---------------------------------------- */

/* Byte offset of output o's first input element. */
static int64_t kept_offset(const red_plan *p, int64_t o) {
    int64_t off = 0;
    for (int d = p->nk - 1; d >= 0; d--) {
        off += (o % p->ksize[d]) * p->kstride[d];
        o /= p->ksize[d];
    }
    return off;
}

/* Folds the reduced elements with flat index [lo, hi) under kbase into st,
 * as runs along the innermost reduced dim. */
static void reduce_span(const red_plan *p, const char *kbase, int64_t lo, int64_t hi, red_state *st) {
    if (lo >= hi) return;
    int nr = p->nr, in = nr - 1;
    int64_t idx[XP_MAX_DIMS], rest = lo, off = 0;
    for (int d = nr - 1; d >= 0; d--) {
        idx[d] = rest % p->rsize[d];
        rest /= p->rsize[d];
        off += idx[d] * p->rstride[d];
    }
    for (int64_t pos = lo; pos < hi;) {
        int64_t n = p->rsize[in] - idx[in];
        if (n > hi - pos) n = hi - pos;
        state_run(p, st, kbase + off, n, p->rstride[in], pos);
        pos += n;
        off -= idx[in] * p->rstride[in];
        idx[in] = 0;
        for (int d = in - 1; d >= 0; d--) {
            off += p->rstride[d];
            if (++idx[d] < p->rsize[d]) break;
            off -= idx[d] * p->rstride[d];
            idx[d] = 0;
        }
    }
}

/* One output per task: outputs [lo, hi). */
static void reduce_outputs(void *vp, int64_t lo, int64_t hi) {
    const red_plan *p = vp;
    for (int64_t o = lo; o < hi; o++) {
        red_state st;
        state_init(p, &st);
        reduce_span(p, p->base + kept_offset(p, o), 0, p->N, &st);
        state_store(p, &st, o);
    }
}

/* Few outputs, many elements each: one partial state per (output, chunk). */
typedef struct chunk_job {
    const red_plan *p;
    int64_t nchunks;
    red_state *parts;
} chunk_job;

static void reduce_chunks(void *vjob, int64_t lo, int64_t hi) {
    const chunk_job *j = vjob;
    const red_plan *p = j->p;
    for (int64_t t = lo; t < hi; t++) {
        int64_t o = t / j->nchunks, c = t % j->nchunks;
        int64_t r0 = c * RED_CHUNK, r1 = r0 + RED_CHUNK < p->N ? r0 + RED_CHUNK : p->N;
        state_init(p, &j->parts[t]);
        reduce_span(p, p->base + kept_offset(p, o), r0, r1, &j->parts[t]);
    }
}

/* ---- row-wise layout: the kept innermost dim is contiguous --------------- */

#define ROW_ADD(NAME, A, T)                                                   \
    static void NAME(A *acc, const T *x, int64_t n) {                         \
        _Pragma("omp simd") for (int64_t j = 0; j < n; j++) acc[j] += x[j];   \
    }
ROW_ADD(row_add_f32, double, float)
ROW_ADD(row_add_f64, double, double)
static void row_add_i64(int64_t *acc, const int64_t *x, int64_t n) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) acc[j] = (int64_t)((uint64_t)acc[j] + (uint64_t)x[j]);
}
/* NaN sticks: once acc[j] is NaN, neither test replaces it */
#define ROW_MINMAX(NAME, A, T, CMP)                                                      \
    static void NAME(A *acc, const T *x, int64_t n) {                                    \
        _Pragma("omp simd") for (int64_t j = 0; j < n; j++) {                            \
            A v = x[j];                                                                  \
            acc[j] = (v CMP acc[j] || v != v) ? v : acc[j];                              \
        }                                                                                \
    }
ROW_MINMAX(row_max_f32, double, float, >)
ROW_MINMAX(row_min_f32, double, float, <)
ROW_MINMAX(row_max_f64, double, double, >)
ROW_MINMAX(row_min_f64, double, double, <)
ROW_MINMAX(row_max_i64, int64_t, int64_t, >)
ROW_MINMAX(row_min_i64, int64_t, int64_t, <)

/* acc[0..m) op= x[0..m) for x of dtype dt, converted through buf when it
 * is not already double (float inputs) or i64 (integer inputs). */
static void row_fold_converted(const red_plan *p, void *acc, const char *row, xp_dtype dt, int64_t m, void *buf) {
    int64_t step;
    const void *x = xp_cpu_operand(dt, p->fl ? XP_F64 : XP_I64, row, (int64_t)xp_dtype_size(dt), m, buf, &step);
    if (p->fl) {
        if (p->op == RED_MAX) row_max_f64(acc, x, m);
        else if (p->op == RED_MIN) row_min_f64(acc, x, m);
        else row_add_f64(acc, x, m);
    } else {
        if (p->op == RED_MAX) row_max_i64(acc, x, m);
        else if (p->op == RED_MIN) row_min_i64(acc, x, m);
        else row_add_i64(acc, x, m);
    }
}

/* acc[0..m) op= row[0..m) (row in the input dtype, contiguous). */
static void row_fold(const red_plan *p, void *acc, const char *row, int64_t m) {
    if (p->fl && p->dt == XP_F32) {
        const float *x = (const float *)(const void *)row;
        if (p->op == RED_MAX) row_max_f32(acc, x, m);
        else if (p->op == RED_MIN) row_min_f32(acc, x, m);
        else row_add_f32(acc, x, m);
        return;
    }
    _Alignas(64) unsigned char buf[XP_CPU_BLOCK * 8];
    for (int64_t off = 0; off < m; off += XP_CPU_BLOCK) {
        int64_t b = m - off < XP_CPU_BLOCK ? m - off : XP_CPU_BLOCK;
        row_fold_converted(p, (char *)acc + 8 * off, row + off * p->es, p->dt, b, buf);
    }
}

/* Tasks are (block of RED_ROW adjacent outputs, chunk of the reduced
 * range). With one chunk a task writes its outputs; with several, each
 * writes a partial accumulator row and the rows are folded in chunk order
 * afterwards, so the result does not depend on the thread count. */
typedef struct rows_job {
    const red_plan *p;
    int64_t L;          /* the kept innermost dim's size */
    int64_t nblocks;    /* RED_ROW blocks per kept row */
    int64_t chunk_rows; /* reduced steps per chunk */
    int64_t nchunks;
    unsigned char *parts; /* [block][chunk][RED_ROW] 8-byte accumulators when nchunks > 1 */
} rows_job;

static void rows_block(const rows_job *j, int64_t block, int64_t *first, int64_t *m) {
    int64_t outer = block / j->nblocks, j0 = (block % j->nblocks) * RED_ROW;
    *m = j->L - j0 < RED_ROW ? j->L - j0 : RED_ROW;
    *first = outer * j->L + j0; /* flat index of the block's first output */
}

/* Converts m accumulators (double or i64) into the result at `first`. */
static void rows_store(const red_plan *p, const void *acc, int64_t first, int64_t m) {
    char *dst = p->out + first * p->oes;
    if (p->op != RED_MEAN) {
        xp_cpu_convert(p->odt, dst, p->fl ? XP_F64 : XP_I64, acc, 8, m);
        return;
    }
    double mean[XP_CPU_BLOCK];
    for (int64_t off = 0; off < m; off += XP_CPU_BLOCK) {
        int64_t b = m - off < XP_CPU_BLOCK ? m - off : XP_CPU_BLOCK;
        for (int64_t k = 0; k < b; k++)
            mean[k] = (p->fl ? ((const double *)acc)[off + k] : (double)((const int64_t *)acc)[off + k]) / (double)p->N;
        xp_cpu_convert(p->odt, dst + off * p->oes, XP_F64, mean, 8, b);
    }
}

static void reduce_rows(void *vjob, int64_t lo, int64_t hi) {
    const rows_job *j = vjob;
    const red_plan *p = j->p;
    int nr = p->nr;
    _Alignas(64) unsigned char local[RED_ROW * 8];
    red_state init;
    state_init(p, &init);
    for (int64_t t = lo; t < hi; t++) {
        int64_t block = t / j->nchunks, chunk = t % j->nchunks, first, m;
        rows_block(j, block, &first, &m);
        int64_t r0 = chunk * j->chunk_rows, r1 = r0 + j->chunk_rows < p->N ? r0 + j->chunk_rows : p->N;
        void *acc = j->nchunks > 1 ? (void *)(j->parts + (size_t)t * RED_ROW * 8) : (void *)local;
        for (int64_t k = 0; k < m; k++) {
            if (p->fl) ((double *)acc)[k] = init.d;
            else ((int64_t *)acc)[k] = init.i;
        }
        const char *kbase = p->base + kept_offset(p, first);
        int64_t idx[XP_MAX_DIMS], rest = r0, off = 0;
        for (int d = nr - 1; d >= 0; d--) {
            idx[d] = rest % p->rsize[d];
            rest /= p->rsize[d];
            off += idx[d] * p->rstride[d];
        }
        for (int64_t r = r0; r < r1; r++) {
            row_fold(p, acc, kbase + off, m);
            for (int d = nr - 1; d >= 0; d--) {
                off += p->rstride[d];
                if (++idx[d] < p->rsize[d]) break;
                off -= idx[d] * p->rstride[d];
                idx[d] = 0;
            }
        }
        if (j->nchunks == 1) rows_store(p, acc, first, m);
    }
}

/* Folds each block's partial rows in chunk order and stores the result. */
static void reduce_rows_combine(void *vjob, int64_t lo, int64_t hi) {
    const rows_job *j = vjob;
    const red_plan *p = j->p;
    _Alignas(64) unsigned char buf[XP_CPU_BLOCK * 8];
    for (int64_t block = lo; block < hi; block++) {
        int64_t first, m;
        rows_block(j, block, &first, &m);
        unsigned char *acc = j->parts + (size_t)block * (size_t)j->nchunks * RED_ROW * 8;
        for (int64_t c = 1; c < j->nchunks; c++)
            for (int64_t off = 0; off < m; off += XP_CPU_BLOCK) {
                int64_t b = m - off < XP_CPU_BLOCK ? m - off : XP_CPU_BLOCK;
                /* the partials are double/i64 already; max/min of partials
                 * is the same fold, and sums add */
                red_plan q = *p;
                if (q.op == RED_MEAN) q.op = RED_SUM;
                row_fold_converted(&q, acc + 8 * off, (const char *)(acc + ((size_t)c * RED_ROW + (size_t)off) * 8),
                                   p->fl ? XP_F64 : XP_I64, b, buf);
            }
        rows_store(p, acc, first, m);
    }
}

static xp_status reduce_rows_run(const red_plan *p) {
    int nk = p->nk;
    rows_job j = {p, p->ksize[nk - 1], ceil_div(p->ksize[nk - 1], RED_ROW), p->N, 1, NULL};
    int64_t blocks = p->M / j.L * j.nblocks, width = j.L < RED_ROW ? j.L : RED_ROW;
    /* few blocks and a long reduction: split the reduced range too, in
     * chunks of a fixed number of elements (not of threads) */
    int64_t rows = ceil_div(8 * RED_CHUNK, width);
    if (blocks < 16 && p->N >= 2 * rows) {
        j.chunk_rows = rows;
        j.nchunks = ceil_div(p->N, rows);
        j.parts = xp_cpu_scratch(XP_SCRATCH_REDUCE_ROWS, (size_t)(blocks * j.nchunks) * RED_ROW * 8);
        if (!j.parts) return xp_last_status();
    }
    int64_t per_task = width * j.chunk_rows;
    xp_cpu_parallel_for(blocks * j.nchunks, ceil_div(XP_GRAIN_CHEAP, per_task), 1, reduce_rows, &j);
    if (j.nchunks > 1) {
        xp_cpu_parallel_for(blocks, ceil_div(XP_GRAIN_CHEAP, width * j.nchunks), 1, reduce_rows_combine, &j);
    }
    return XP_OK;
}

/* ---- planning -------------------------------------------------------------- */

/* Appends a dim (size, byte stride) to a list, merging it into the previous
 * one when the two are one contiguous run. Size-1 dims are dropped. */
static void push_dim(int *n, int64_t *size, int64_t *stride, int64_t s, int64_t st) {
    if (s == 1) return;
    if (*n > 0 && stride[*n - 1] == s * st) {
        size[*n - 1] *= s;
        stride[*n - 1] = st;
        return;
    }
    size[*n] = s;
    stride[*n] = st;
    (*n)++;
}

/* Which dims of x the `dims` argument reduces (NONE or [] mean all). */
static xp_status reduce_mask(const char *name, const xp_tensor *x, const xp_arg *dims, bool *mask) {
    int nd = x->meta.ndim;
    bool all = dims->kind == XP_ARG_NONE || (dims->kind == XP_ARG_INT_LIST && dims->il.n == 0);
    for (int d = 0; d < nd; d++) mask[d] = all;
    if (all) return XP_OK;
    int n = dims->kind == XP_ARG_INT ? 1 : dims->il.n;
    for (int k = 0; k < n; k++) {
        int64_t v = dims->kind == XP_ARG_INT ? dims->i : dims->il.v[k];
        int d;
        if (!xp_cpu_norm_dim(name, v, nd, &d)) return xp_last_status();
        if (nd == 0) continue;
        if (mask[d])
            return xp_error(XP_ERR_INVALID_ARG, "%s: dim %d appears more than once in the list of dims", name, d);
        mask[d] = true;
    }
    return XP_OK;
}

static xp_status plan_build(red_plan *p, const xp_call *call, red_op op, const char *name, bool sort_reduced) {
    const xp_tensor *x = XP_ARG_T(call->args[0]);
    xp_tensor *out = call->outs[0];
    xp_cpu_check_out(name, out);
    bool mask[XP_MAX_DIMS];
    xp_status st = reduce_mask(name, x, &call->args[1], mask);
    if (st != XP_OK) return st;
    memset(p, 0, sizeof *p);
    p->name = name;
    p->op = op;
    p->dt = x->meta.dtype;
    p->es = (int64_t)xp_dtype_size(p->dt);
    p->fl = xp_dtype_is_float(p->dt);
    p->odt = out->meta.dtype;
    p->oes = (int64_t)xp_dtype_size(p->odt);
    p->M = p->N = 1;
    int nd = x->meta.ndim, rd[XP_MAX_DIMS], nrd = 0;
    for (int d = 0; d < nd; d++) {
        int64_t s = x->meta.shape[d];
        if (mask[d]) {
            p->N *= s;
            rd[nrd++] = d;
        } else {
            p->M *= s;
            push_dim(&p->nk, p->ksize, p->kstride, s, x->strides[d] * p->es);
        }
    }
    /* the order of the reduced dims is free for sum/amax (innermost stride
     * last reads memory in order); argmax keeps C order for its index */
    if (sort_reduced)
        for (int a = 1; a < nrd; a++)
            for (int b = a; b > 0 && llabs(x->strides[rd[b]]) > llabs(x->strides[rd[b - 1]]); b--) {
                int t = rd[b];
                rd[b] = rd[b - 1];
                rd[b - 1] = t;
            }
    for (int k = 0; k < nrd; k++)
        push_dim(&p->nr, p->rsize, p->rstride, x->meta.shape[rd[k]], x->strides[rd[k]] * p->es);
    if (p->nk == 0) p->ksize[p->nk++] = 1;
    if (p->nr == 0) p->rsize[p->nr++] = 1;
    if (xp_shape_numel(out->meta.ndim, out->meta.shape) != p->M)
        return xp_error(XP_ERR_INTERNAL, "%s: result has %lld elements, expected %lld", name,
                        (long long)xp_shape_numel(out->meta.ndim, out->meta.shape), (long long)p->M);
    if (p->N == 0 && (op == RED_MAX || op == RED_MIN || op == RED_ARGMAX)) {
        int empty = -1;
        for (int d = 0; d < nd && empty < 0; d++)
            if (mask[d] && x->meta.shape[d] == 0) empty = d;
        return xp_error(XP_ERR_SHAPE, "%s: expected reduction dim %d to have non-zero size (the operation has no "
                        "identity to return for zero elements)", name, empty);
    }
    if (p->M > 0) {
        p->base = xp_tensor_base_ptr(x);
        p->out = xp_tensor_base_ptr(out);
    }
    return XP_OK;
}

static xp_status reduce_run(red_plan *p) {
    if (p->M == 0) return XP_OK;
    int64_t nk = p->nk, nr = p->nr;
    /* row-wise when outputs are adjacent in memory and reduced elements are
     * not (and rows are wide enough to vectorize) */
    if (p->op != RED_ARGMAX && p->N > 0 && p->kstride[nk - 1] == p->es && p->ksize[nk - 1] >= 8 &&
        p->rstride[nr - 1] != p->es) {
        return reduce_rows_run(p);
    }
    if (p->M < 64 && p->N >= 2 * RED_CHUNK) {
        chunk_job j = {p, ceil_div(p->N, RED_CHUNK), NULL};
        j.parts = xp_cpu_scratch(XP_SCRATCH_REDUCE_COLS, (size_t)(p->M * j.nchunks) * sizeof *j.parts);
        if (!j.parts) return xp_last_status();
        xp_cpu_parallel_for(p->M * j.nchunks, 1, 1, reduce_chunks, &j);
        for (int64_t o = 0; o < p->M; o++) {
            red_state *s = &j.parts[o * j.nchunks];
            for (int64_t c = 1; c < j.nchunks; c++) state_merge(p, s, &s[c]);
            state_store(p, s, o);
        }
        return XP_OK;
    }
    xp_cpu_parallel_for(p->M, p->N > 0 ? ceil_div(XP_GRAIN_CHEAP, p->N) : XP_GRAIN_CHEAP, 1, reduce_outputs, p);
    return XP_OK;
}

static xp_status reduce(const xp_call *call, red_op op, const char *name) {
    red_plan p;
    xp_status st = plan_build(&p, call, op, name, op != RED_ARGMAX);
    return st != XP_OK ? st : reduce_run(&p);
}

xp_status xp_cpu_sum(const xp_call *call) { return reduce(call, RED_SUM, "sum"); }
xp_status xp_cpu_mean(const xp_call *call) { return reduce(call, RED_MEAN, "mean"); }
xp_status xp_cpu_amax(const xp_call *call) { return reduce(call, RED_MAX, "amax"); }
xp_status xp_cpu_amin(const xp_call *call) { return reduce(call, RED_MIN, "amin"); }
xp_status xp_cpu_argmax(const xp_call *call) { return reduce(call, RED_ARGMAX, "argmax"); }
