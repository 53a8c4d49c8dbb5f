/*
 * The interpreter (runtime/exec): running exported programs built with the
 * IR builder — results against eager execution, every guard message, weight
 * binding, mutations, memory plans and cond.
 *
 * Allocation check: outside sanitizer builds this file interposes glibc's
 * malloc family (forwarding to __libc_*) and counts every heap allocation
 * in the process while a run executes, recording each caller's return
 * address. A steady-state run must allocate exactly what its caller-owned
 * outputs need (measured by creating one such tensor) — counting xport's
 * own code, kernels included, and OpenBLAS. Allocations made by the OpenMP
 * runtime itself (libgomp allocates a one-thread team descriptor whenever
 * a parallel region runs with its if() clause false) are counted
 * separately, reported on stderr, and not held against the interpreter.
 * Sanitizer builds own malloc, so there the test checks only the plan
 * cache counters and that the arena and every header stay the same.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "exec/xp_exec.h"
#include "ir/xp_ir.h"
#include "testutil.h"

/* ---- malloc counting ---- */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define XPT_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define XPT_COUNT_MALLOC 0
#endif
#endif
#if !defined(XPT_COUNT_MALLOC) && defined(__GLIBC__)
#define XPT_COUNT_MALLOC 1
#endif
#ifndef XPT_COUNT_MALLOC
#define XPT_COUNT_MALLOC 0
#endif

static atomic_long malloc_count;
static atomic_bool malloc_counting;
#define MAX_CALLERS 256
static void *malloc_callers[MAX_CALLERS];

#if XPT_COUNT_MALLOC
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

__attribute__((noinline)) static void count_one(void *caller) {
    if (!atomic_load_explicit(&malloc_counting, memory_order_relaxed)) return;
    long k = atomic_fetch_add(&malloc_count, 1);
    if (k < MAX_CALLERS) malloc_callers[k] = caller;
}
void *malloc(size_t n) {
    count_one(__builtin_return_address(0));
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
    count_one(__builtin_return_address(0));
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
    count_one(__builtin_return_address(0));
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
int posix_memalign(void **out, size_t align, size_t n) {
    count_one(__builtin_return_address(0));
    void *p = __libc_memalign(align, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
void *aligned_alloc(size_t align, size_t n) {
    count_one(__builtin_return_address(0));
    return __libc_memalign(align, n);
}
void *memalign(size_t align, size_t n) {
    count_one(__builtin_return_address(0));
    return __libc_memalign(align, n);
}
#endif

static void counting_start(void) {
    atomic_store(&malloc_count, 0);
    atomic_store(&malloc_counting, true);
}
/* Stops counting; returns the allocations outside the OpenMP runtime and
 * stores those made by libgomp itself in *omp. */
static long counting_stop(long *omp) {
    atomic_store(&malloc_counting, false);
    long n = atomic_load(&malloc_count), in_omp = 0;
    for (long k = 0; k < n && k < MAX_CALLERS; k++) {
        Dl_info info;
        if (dladdr(malloc_callers[k], &info) && info.dli_fname && strstr(info.dli_fname, "libgomp")) in_omp++;
    }
    if (omp) *omp = in_omp;
    /* XPT_PRINT_CALLERS=1 lists the allocating call sites (as file and
     * offset, for addr2line) when a steady-state check fails */
    if (getenv("XPT_PRINT_CALLERS"))
        for (long k = 0; k < n && k < MAX_CALLERS; k++) {
            Dl_info info;
            if (dladdr(malloc_callers[k], &info))
                fprintf(stderr, "caller %s %p\n", info.dli_fname, (void *)((char *)malloc_callers[k] - (char *)info.dli_fbase));
        }
    return n - in_omp;
}

/* ---- building programs ---- */

#define IN 100
#define OUT 10

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static xp_srcloc loc(xp_program *p, int line, int col) {
    return (xp_srcloc){xp_program_file(p, "model.c"), line, col};
}

/* DESIGN §1: relu(linear(x + y)), 100 -> 10, batch in [1, 1024]. */
static xp_program *tutorial_program(void) {
    xp_program *p = xp_program_new("forward");
    ck_assert_ptr_nonnull(p);
    xp_dim batch = xp_sym_new(p->syms, "batch", 1, 1024);
    ck_assert(xp_dim_is_valid(batch));
    int32_t w, b, x, y, add, lin, relu;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_weight", "lin.weight", XP_F32, 2, (xp_dim[]){OUT, IN}, &w));
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_lin_bias", "lin.bias", XP_F32, 1, (xp_dim[]){OUT}, &b));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){batch, IN}, &x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 2, (xp_dim[]){batch, IN}, &y));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(x), xp_narg_value(y)}, 2, loc(p, 19, 33), &add));
    ok(xp_graph_add_node(p->graph, XP_OP_linear, (xp_narg[]){xp_narg_value(add), xp_narg_value(w), xp_narg_value(b)}, 3,
                         loc(p, 19, 21), &lin));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(lin)}, 1, loc(p, 19, 12), &relu));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, relu, NULL));
    return p;
}

typedef struct tutorial_weights {
    xp_tensor *w, *b;
    char path[512];
} tutorial_weights;

static tutorial_weights make_weights(uint64_t seed, const char *file) {
    tutorial_weights tw;
    uint64_t st = seed;
    tw.w = xpt_random(&st, XP_F32, 2, (int64_t[]){OUT, IN}, -0.1, 0.1);
    tw.b = xpt_random(&st, XP_F32, 1, (int64_t[]){OUT}, -0.1, 0.1);
    snprintf(tw.path, sizeof tw.path, "%s/%s", xpt_tmpdir(), file);
    /* an extra tensor the program does not use: allowed */
    xp_tensor *extra = xp_tensor_new(XP_I64, 1, (int64_t[]){3});
    ok(xp_safetensors_save(tw.path, 3, (const char *[]){"lin.weight", "lin.bias", "unused.extra"},
                           (const xp_tensor *[]){tw.w, tw.b, extra}));
    xp_tensor_free(extra);
    return tw;
}

static void free_weights(tutorial_weights *tw) {
    xp_tensor_free(tw->w);
    xp_tensor_free(tw->b);
}

static xp_tensor *eager_tutorial(xp_tensor *x, xp_tensor *y, tutorial_weights *tw) {
    xp_scope *sc = xp_scope_push();
    xp_tensor *r = xp_keep(xp_relu_(xp_linear(xp_add(x, y), tw->w, tw->b)));
    xp_scope_pop(sc);
    ck_assert_msg(r != NULL, "%s", xp_last_error());
    return r;
}

/* The tutorial program with weights bound. */
static xp_program *bound_tutorial(tutorial_weights *tw) {
    xp_program *p = tutorial_program();
    *tw = make_weights(42, "tutorial.safetensors");
    ok(xp_program_bind_weights(p, tw->path));
    return p;
}

/* Runs and expects failure with `status` and a message containing `needle`. */
static void expect_run_error(xp_program *p, xp_tensor *const *in, int nin, int nout, xp_status status,
                             const char *needle) {
    xp_tensor *out[4] = {0};
    xp_status st = xp_program_run(p, in, nin, out, nout);
    ck_assert_msg(st == status, "status %s, expected %s (%s)", xp_status_name(st), xp_status_name(status),
                  xp_last_error());
    xpt_assert_contains(xp_last_error(), needle);
    for (int i = 0; i < nout; i++) ck_assert_ptr_null(out[i]);
}

/* f32 accumulation over K = 100 products: |error| <~ K * 2^-24 * sum|terms|;
 * the terms are below 0.1 * 2 * 0.1 each, so 1e-5 absolute is generous. */
#define TUTORIAL_RTOL 1e-5
#define TUTORIAL_ATOL 1e-5

/* ---- results ---- */

START_TEST(tutorial_matches_eager) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 7;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1));
    xp_tensor *want = eager_tutorial(x, y, &tw);
    xpt_assert_shape(out, 8, OUT);
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    ck_assert(xp_is_contiguous(out));
    ck_assert(!xp_shares_storage(out, x) && !xp_shares_storage(out, y));
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(outputs_outlive_the_callers_scope) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 8;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){3, IN}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){3, IN}, -1, 1);
    xp_tensor *out = NULL;
    xp_scope *sc = xp_scope_push();
    ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1));
    xp_scope_pop(sc);
    /* still valid (ASan would flag a read of a freed output) */
    xp_tensor *want = eager_tutorial(x, y, &tw);
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(tutorial_accepts_range_bounds) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 9;
    for (int k = 0; k < 2; k++) {
        int64_t batch = k == 0 ? 1 : 1024;
        xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){batch, IN}, -1, 1);
        xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){batch, IN}, -1, 1);
        xp_tensor *out = NULL;
        ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1));
        xp_tensor *want = eager_tutorial(x, y, &tw);
        xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
        xp_tensor_free(out);
        xp_tensor_free(want);
        xp_tensor_free(x);
        xp_tensor_free(y);
    }
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(strided_inputs_are_read_through_their_views) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 10;
    xp_tensor *xt = xpt_random(&s, XP_F32, 2, (int64_t[]){IN, 4}, -1, 1);
    xp_tensor *x = xp_t(xt); /* [4, 100], not contiguous */
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){4, IN}, -1, 1);
    ck_assert(!xp_is_contiguous(x));
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1));
    xp_tensor *want = eager_tutorial(x, y, &tw);
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(xt);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

/* ---- guards ---- */

static void tutorial_guard(int64_t xb, int64_t xi, xp_dtype xdt, int xnd, int64_t yb, const char *msg) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    int64_t xs[3] = {xb, xi, 1};
    xp_tensor *x = xp_tensor_new(xdt, xnd, xs);
    xp_tensor *y = xp_tensor_new(XP_F32, 2, (int64_t[]){yb, IN});
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    xp_tensor *out[1] = {NULL};
    ck_assert_int_eq(xp_program_run(p, (xp_tensor *[]){x, y}, 2, out, 1), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), msg);
    ck_assert_ptr_null(out[0]);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}

START_TEST(guard_rejects_dim_above_max) {
    tutorial_guard(2000, IN, XP_F32, 2, 2000, "input x: dim 0 (batch) is 2000, above its maximum 1024");
}
END_TEST

START_TEST(guard_rejects_dim_below_min) {
    tutorial_guard(0, IN, XP_F32, 2, 0, "input x: dim 0 (batch) is 0, below its minimum 1");
}
END_TEST

START_TEST(guard_rejects_static_size_mismatch) {
    tutorial_guard(8, 7, XP_F32, 2, 8, "input x: dim 1 is 7, but the program was exported with size 100");
}
END_TEST

START_TEST(guard_rejects_wrong_dtype) {
    tutorial_guard(8, IN, XP_I64, 2, 8, "input x: expected f32, got i64");
}
END_TEST

START_TEST(guard_rejects_wrong_rank) {
    tutorial_guard(8, IN, XP_F32, 3, 8, "input x: expected 2 dims, got 3");
}
END_TEST

START_TEST(guard_rejects_unequal_dims_of_one_symbol) {
    tutorial_guard(5, IN, XP_F32, 2, 6, "input y: dim 0 is 6, but must equal batch = 5 (from input x dim 0)");
}
END_TEST

START_TEST(guard_rejects_null_input_and_wrong_counts) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    xp_tensor *x = xp_tensor_new(XP_F32, 2, (int64_t[]){2, IN});
    expect_run_error(p, (xp_tensor *[]){x, NULL}, 2, 1, XP_ERR_INVALID_ARG, "input y is NULL");
    expect_run_error(p, (xp_tensor *[]){x}, 1, 1, XP_ERR_INVALID_ARG, "program forward takes 2 inputs (x, y), got 1");
    expect_run_error(p, (xp_tensor *[]){x, x, x}, 3, 1, XP_ERR_INVALID_ARG, "takes 2 inputs (x, y), got 3");
    expect_run_error(p, (xp_tensor *[]){x, x}, 2, 2, XP_ERR_INVALID_ARG, "program forward returns 1 output, but n_outputs is 2");
    xp_tensor_free(x);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

/* Adds x: f32[dx], y: f32[dy] and returns neg(x), neg(y). */
static xp_program *neg_pair(xp_program *p, xp_dim dx, xp_dim dy) {
    int32_t x, y, nx, ny;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){dx}, &x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "y", NULL, XP_F32, 1, (xp_dim[]){dy}, &y));
    ok(xp_graph_add_node(p->graph, XP_OP_neg, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &nx));
    ok(xp_graph_add_node(p->graph, XP_OP_neg, (xp_narg[]){xp_narg_value(y)}, 1, XP_NO_LOC, &ny));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, nx, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, ny, NULL));
    return p;
}

/* x: f32[dimx], y: f32[dimx + 1]; returns neg(x), neg(y). */
static xp_program *derived_program(void) {
    xp_program *p = xp_program_new("derived");
    xp_dim dimx = xp_sym_new(p->syms, "dimx", 2, 64);
    return neg_pair(p, dimx, xp_dim_add(p->syms, dimx, 1));
}

static xp_status run_1d(xp_program *p, int64_t nx, int64_t ny, xp_tensor **outs) {
    xp_tensor *x = xp_tensor_new(XP_F32, 1, (int64_t[]){nx});
    xp_tensor *y = xp_tensor_new(XP_F32, 1, (int64_t[]){ny});
    xp_status st = xp_program_run(p, (xp_tensor *[]){x, y}, 2, outs, 2);
    xp_tensor_free(x);
    xp_tensor_free(y);
    return st;
}

START_TEST(guard_rejects_derived_dim_violation) {
    xp_program *p = derived_program();
    xp_tensor *outs[2];
    ck_assert_int_eq(run_1d(p, 4, 6, outs), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), "input y: dim 0 is 6, but must equal dimx + 1 = 5 (dimx = 4 from input x dim 0)");
    ck_assert_int_eq(run_1d(p, 1, 2, outs), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), "input x: dim 0 (dimx) is 1, below its minimum 2");
    ok(run_1d(p, 4, 5, outs));
    xpt_assert_shape(outs[0], 4);
    xpt_assert_shape(outs[1], 5);
    xp_tensor_free(outs[0]);
    xp_tensor_free(outs[1]);
    xp_program_free(p);
}
END_TEST

/* x: f32[2*n], y: f32[n]: n is first seen inside a derived dim. */
static xp_program *solve_program(void) {
    xp_program *p = xp_program_new("solve");
    xp_dim n = xp_sym_new(p->syms, "n", 1, 1024);
    return neg_pair(p, xp_dim_mul(p->syms, n, 2), n);
}

START_TEST(guard_solves_symbol_from_derived_dim) {
    xp_program *p = solve_program();
    xp_tensor *outs[2];
    ok(run_1d(p, 8, 4, outs));
    xpt_assert_shape(outs[0], 8);
    xpt_assert_shape(outs[1], 4);
    xp_tensor_free(outs[0]);
    xp_tensor_free(outs[1]);
    ck_assert_int_eq(run_1d(p, 7, 4, outs), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), "input x: dim 0 is 7, which is not 2*n for any integer n");
    ck_assert_int_eq(run_1d(p, 8, 5, outs), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), "input y: dim 0 is 5, but must equal n = 4 (n = 4 from input x dim 0)");
    ck_assert_int_eq(run_1d(p, 2050, 1025, outs), XP_ERR_GUARD);
    ck_assert_str_eq(xp_last_error(), "input x: dim 0 (2*n) is 2050, so n = 1025, above its maximum 1024");
    xp_program_free(p);
}
END_TEST

/* n: a symbolic int in [1, 16]; x: f32[n]; returns neg(x). */
static xp_program *symint_program(void) {
    xp_program *p = xp_program_new("symint");
    xp_dim n = xp_sym_new(p->syms, "n", 1, 16);
    int32_t nv, x, nx;
    ok(xp_program_add_symint_input(p, "n", n, &nv));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){n}, &x));
    ok(xp_graph_add_node(p->graph, XP_OP_neg, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &nx));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, nx, NULL));
    return p;
}

START_TEST(guard_checks_symint_inputs) {
    xp_program *p = symint_program();
    ck_assert_int_eq(xp_program_num_inputs(p), 2);
    ck_assert_str_eq(xp_program_input_name(p, 0), "n");
    int64_t four = 4, twenty = 20;
    float f = 4;
    xp_tensor *n4 = xp_tensor_from(XP_I64, 0, NULL, &four);
    xp_tensor *n20 = xp_tensor_from(XP_I64, 0, NULL, &twenty);
    xp_tensor *nf = xp_tensor_from(XP_F32, 0, NULL, &f);
    xp_tensor *x4 = xp_tensor_new(XP_F32, 1, (int64_t[]){4});
    xp_tensor *x5 = xp_tensor_new(XP_F32, 1, (int64_t[]){5});
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){n4, x4}, 2, &out, 1));
    xpt_assert_shape(out, 4);
    xp_tensor_free(out);
    expect_run_error(p, (xp_tensor *[]){n4, x5}, 2, 1, XP_ERR_GUARD,
                     "input x: dim 0 is 5, but must equal n = 4 (from input n)");
    expect_run_error(p, (xp_tensor *[]){n20, x4}, 2, 1, XP_ERR_GUARD, "input n is 20, above its maximum 16");
    expect_run_error(p, (xp_tensor *[]){nf, x4}, 2, 1, XP_ERR_GUARD,
                     "input n: expected a 0-d integer tensor (a symbolic int), got f32[]");
    xp_tensor_free(n4);
    xp_tensor_free(n20);
    xp_tensor_free(nf);
    xp_tensor_free(x4);
    xp_tensor_free(x5);
    xp_program_free(p);
}
END_TEST

/* ---- weights ---- */

START_TEST(run_without_weights_names_the_parameter) {
    xp_program *p = tutorial_program();
    xp_tensor *x = xp_tensor_new(XP_F32, 2, (int64_t[]){2, IN});
    expect_run_error(p, (xp_tensor *[]){x, x}, 2, 1, XP_ERR_NOT_FOUND,
                     "parameter lin.weight is not bound: call xp_program_bind_weights");
    xp_tensor_free(x);
    xp_program_free(p);
}
END_TEST

START_TEST(bind_weights_checks_names_dtypes_and_shapes) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    char path[600];
    /* wrong shape: the program keeps its old weights */
    xp_tensor *w99 = xp_tensor_new(XP_F32, 2, (int64_t[]){OUT, 99});
    snprintf(path, sizeof path, "%s/bad_shape.safetensors", xpt_tmpdir());
    ok(xp_safetensors_save(path, 2, (const char *[]){"lin.weight", "lin.bias"}, (const xp_tensor *[]){w99, tw.b}));
    ck_assert_int_eq(xp_program_bind_weights(p, path), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "parameter lin.weight in ");
    xpt_assert_contains(xp_last_error(), ": expected f32[10, 100], got f32[10, 99]");
    /* wrong dtype */
    xp_tensor *b64 = xp_tensor_new(XP_F64, 1, (int64_t[]){OUT});
    snprintf(path, sizeof path, "%s/bad_dtype.safetensors", xpt_tmpdir());
    ok(xp_safetensors_save(path, 2, (const char *[]){"lin.weight", "lin.bias"}, (const xp_tensor *[]){tw.w, b64}));
    ck_assert_int_eq(xp_program_bind_weights(p, path), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "parameter lin.bias in ");
    xpt_assert_contains(xp_last_error(), ": expected f32[10], got f64[10]");
    /* missing tensor */
    snprintf(path, sizeof path, "%s/missing.safetensors", xpt_tmpdir());
    ok(xp_safetensors_save(path, 1, (const char *[]){"lin.weight"}, (const xp_tensor *[]){tw.w}));
    ck_assert_int_eq(xp_program_bind_weights(p, path), XP_ERR_NOT_FOUND);
    xpt_assert_contains(xp_last_error(), "has no tensor 'lin.bias' (parameter f32[10] of program forward)");

    /* still runs with the weights bound first */
    uint64_t s = 11;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){2, IN}, -1, 1);
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, x}, 2, &out, 1));
    xp_tensor *want = eager_tutorial(x, x, &tw);
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(w99);
    xp_tensor_free(b64);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(bind_tensor_binds_one_target) {
    xp_program *p = tutorial_program();
    uint64_t s = 12;
    tutorial_weights tw = {.w = xpt_random(&s, XP_F32, 2, (int64_t[]){OUT, IN}, -1, 1),
                           .b = xpt_random(&s, XP_F32, 1, (int64_t[]){OUT}, -1, 1)};
    ck_assert_int_eq(xp_program_bind_tensor(p, "lin.nope", tw.b), XP_ERR_NOT_FOUND);
    ck_assert_str_eq(xp_last_error(), "program forward has no parameter, buffer or constant named 'lin.nope'");
    ck_assert_int_eq(xp_program_bind_tensor(p, "lin.weight", tw.b), XP_ERR_SHAPE);
    ok(xp_program_bind_tensor(p, "lin.weight", tw.w));
    ok(xp_program_bind_tensor(p, "lin.bias", tw.b));
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){3, IN}, -1, 1);
    /* bound by copy: changing the caller's tensor later changes nothing */
    xp_tensor *want = eager_tutorial(x, x, &tw);
    float *bd = xp_data(tw.b);
    bd[0] += 100;
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, x}, 2, &out, 1));
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(set_backend_refuses_unknown_backends) {
    xp_program *p = tutorial_program();
    ok(xp_program_set_backend(p, "cpu"));
    ck_assert_int_ne(xp_program_set_backend(p, "tpu"), XP_OK);
    ck_assert_str_ne(xp_last_error(), "");
    xp_program_free(p);
}
END_TEST

/* ---- mutations ---- */

/* x: f32[4] is incremented in place (USER_INPUT_MUTATION); the output is
 * embedding(table, idx), which fails for an out-of-range index after the
 * mutation's value was computed. */
static xp_program *mutation_program(void) {
    xp_program *p = xp_program_new("mutate");
    int32_t x, table, idx, inc, emb;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){4}, &x));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "table", NULL, XP_F32, 2, (xp_dim[]){3, 2}, &table));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "idx", NULL, XP_I64, 1, (xp_dim[]){2}, &idx));
    ok(xp_graph_add_node(p->graph, XP_OP_add_scalar, (xp_narg[]){xp_narg_value(x), xp_narg_float(1)}, 2, XP_NO_LOC,
                         &inc));
    ok(xp_graph_add_node(p->graph, XP_OP_embedding, (xp_narg[]){xp_narg_value(table), xp_narg_value(idx)}, 2,
                         XP_NO_LOC, &emb));
    ok(xp_program_add_output(p, XP_OUT_USER_INPUT_MUTATION, inc, "x"));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, emb, NULL));
    return p;
}

START_TEST(input_mutation_is_written_back_only_on_success) {
    xp_program *p = mutation_program();
    ck_assert_int_eq(xp_program_num_inputs(p), 3);
    ck_assert_int_eq(xp_program_num_outputs(p), 1);
    ck_assert_str_eq(xp_program_output_name(p, 0), "embedding");
    float xv[4] = {1, 2, 3, 4}, tv[6] = {10, 11, 20, 21, 30, 31};
    int64_t good[2] = {2, 0}, bad[2] = {1, 7};
    xp_tensor *x = xp_tensor_from(XP_F32, 1, (int64_t[]){4}, xv);
    xp_tensor *table = xp_tensor_from(XP_F32, 2, (int64_t[]){3, 2}, tv);
    xp_tensor *ig = xp_tensor_from(XP_I64, 1, (int64_t[]){2}, good);
    xp_tensor *ib = xp_tensor_from(XP_I64, 1, (int64_t[]){2}, bad);

    xp_tensor *out = NULL;
    ck_assert_int_ne(xp_program_run(p, (xp_tensor *[]){x, table, ib}, 3, &out, 1), XP_OK);
    ck_assert_ptr_null(out);
    const float *xd = xp_data(x);
    for (int i = 0; i < 4; i++) ck_assert_float_eq(xd[i], xv[i]);

    ok(xp_program_run(p, (xp_tensor *[]){x, table, ig}, 3, &out, 1));
    for (int i = 0; i < 4; i++) ck_assert_float_eq(xd[i], xv[i] + 1);
    const float *od = xp_data(out);
    ck_assert_float_eq(od[0], 30);
    ck_assert_float_eq(od[1], 31);
    ck_assert_float_eq(od[2], 10);
    ck_assert_float_eq(od[3], 11);
    xp_tensor_free(out);
    xp_tensor_free(x);
    xp_tensor_free(table);
    xp_tensor_free(ig);
    xp_tensor_free(ib);
    xp_program_free(p);
}
END_TEST

/* A buffer `count` incremented on every run (BUFFER_MUTATION), returned
 * doubled. */
START_TEST(buffer_mutation_updates_the_bound_buffer) {
    xp_program *p = xp_program_new("counter");
    int32_t c, inc, dbl;
    ok(xp_program_add_input(p, XP_IN_BUFFER, "b_count", "count", XP_F32, 1, (xp_dim[]){2}, &c));
    ok(xp_graph_add_node(p->graph, XP_OP_add_scalar, (xp_narg[]){xp_narg_value(c), xp_narg_float(1)}, 2, XP_NO_LOC,
                         &inc));
    ok(xp_graph_add_node(p->graph, XP_OP_mul_scalar, (xp_narg[]){xp_narg_value(inc), xp_narg_float(2)}, 2, XP_NO_LOC,
                         &dbl));
    ok(xp_program_add_output(p, XP_OUT_BUFFER_MUTATION, inc, "count"));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, dbl, NULL));
    float zero[2] = {0, 5};
    xp_tensor *init = xp_tensor_from(XP_F32, 1, (int64_t[]){2}, zero);
    char path[600];
    snprintf(path, sizeof path, "%s/counter.safetensors", xpt_tmpdir());
    ok(xp_safetensors_save(path, 1, (const char *[]){"count"}, (const xp_tensor *[]){init}));
    ok(xp_program_bind_weights(p, path));
    for (int run = 1; run <= 3; run++) {
        xp_tensor *out = NULL;
        ok(xp_program_run(p, NULL, 0, &out, 1));
        const float *od = xp_data(out);
        ck_assert_float_eq(od[0], 2.0f * run);
        ck_assert_float_eq(od[1], 2.0f * (5 + run));
        xp_tensor_free(out);
    }
    xp_tensor_free(init);
    xp_program_free(p);
}
END_TEST

/* ---- memory plans ---- */

START_TEST(steady_state_run_allocates_nothing) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 13;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *want = eager_tutorial(x, y, &tw);
    xp_tensor *out = NULL;
    /* two warm-up runs: the first builds the plan, and thread pools and
     * BLAS buffers settle */
    for (int i = 0; i < 2; i++) {
        ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1));
        xp_tensor_free(out);
    }
    xp_exec_stats st0 = xp_program_exec_stats(p);
    ck_assert_uint_eq(st0.plans_built, 1);
    ck_assert_uint_eq(st0.plan_hits, 1);
    xp_plan_info info0;
    ck_assert(xp_program_plan_info(p, &info0));
    const xp_tensor *add_hdr = xp_program_plan_header(p, p->graph->nodes[0].outs[0]);
    ck_assert_ptr_nonnull(add_hdr);
    const void *add_data = add_hdr->storage->data;

    /* what one caller-owned output costs */
    counting_start();
    xp_tensor *probe = xp_tensor_new(XP_F32, 2, (int64_t[]){8, OUT});
    long per_output = counting_stop(NULL);
    xp_tensor_free(probe);

    long in_omp = 0;
    counting_start();
    xp_status rs = xp_program_run(p, (xp_tensor *[]){x, y}, 2, &out, 1);
    long during_run = counting_stop(&in_omp);
    ok(rs);
    if (XPT_COUNT_MALLOC) {
        ck_assert_int_gt(per_output, 0);
        ck_assert_msg(during_run == per_output, "a steady-state run made %ld allocations, its output needs %ld",
                      during_run, per_output);
        if (in_omp)
            fprintf(stderr, "note: the OpenMP runtime made %ld allocation(s) during the run (parallel regions "
                            "entered with if() false)\n", in_omp);
    }
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    xp_tensor_free(out);

    xp_exec_stats st1 = xp_program_exec_stats(p);
    ck_assert_uint_eq(st1.plans_built, 1);
    ck_assert_uint_eq(st1.plan_hits, 2);
    xp_plan_info info1;
    ck_assert(xp_program_plan_info(p, &info1));
    ck_assert_ptr_eq(info1.arena, info0.arena);
    ck_assert_ptr_eq(xp_program_plan_header(p, p->graph->nodes[0].outs[0]), add_hdr);
    ck_assert_ptr_eq(add_hdr->storage->data, add_data);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(run_into_writes_the_callers_outputs_and_allocates_nothing) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 17;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *want = eager_tutorial(x, y, &tw);
    xp_tensor *out = xp_tensor_new(XP_F32, 2, (int64_t[]){8, OUT});
    void *out_data = xp_data(out);
    for (int i = 0; i < 2; i++) ok(xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, (xp_tensor *[]){out}, 1));
    const xp_tensor *hdr = xp_program_plan_header(p, p->graph->outputs[0]);
    ck_assert_ptr_nonnull(hdr);
    const void *planned = hdr->storage->data;
    memset(out_data, 0, (size_t)8 * OUT * sizeof(float));
    long in_omp = 0;
    counting_start();
    xp_status rs = xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, (xp_tensor *[]){out}, 1);
    long during_run = counting_stop(&in_omp);
    ok(rs);
    if (XPT_COUNT_MALLOC) ck_assert_msg(during_run == 0, "a steady-state run_into made %ld allocations", during_run);
    xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
    ck_assert_ptr_eq(xp_data(out), out_data);       /* the caller's tensor, written */
    ck_assert_ptr_eq(hdr->storage->data, planned);  /* and the plan's buffer given back */
    /* a run that returns new outputs afterwards still works */
    xp_tensor *fresh = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, y}, 2, &fresh, 1));
    xpt_assert_close(fresh, want, 0, 0);
    xp_tensor_free(fresh);
    xp_tensor_free(out);
    xp_tensor_free(want);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(run_into_checks_the_callers_outputs) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 19;
    xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *y = xpt_random(&s, XP_F32, 2, (int64_t[]){8, IN}, -1, 1);
    xp_tensor *wrong = xp_tensor_new(XP_F32, 2, (int64_t[]){7, OUT});
    ck_assert_int_eq(xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, (xp_tensor *[]){wrong}, 1), XP_ERR_SHAPE);
    xpt_assert_contains(xp_last_error(), "xp_program_run_into: output 0");
    xpt_assert_contains(xp_last_error(), "is f32[8, 10] for this run, not f32[7, 10]");
    ck_assert_int_eq(xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, (xp_tensor *[]){NULL}, 1), XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "output 0 of program forward is NULL");
    ck_assert_int_eq(xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, NULL, 1), XP_ERR_INVALID_ARG);
    ck_assert_int_eq(xp_program_run_into(p, (xp_tensor *[]){x, y}, 2, (xp_tensor *[]){wrong, wrong}, 2),
                     XP_ERR_INVALID_ARG);
    xpt_assert_contains(xp_last_error(), "returns 1 output, but n_outputs is 2");
    xp_tensor_free(wrong);
    xp_tensor_free(x);
    xp_tensor_free(y);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

/* out = relu(x + 1), returned twice, plus x itself: into x (an output
 * that is also the input, copied in after the run), into a strided view
 * (copied), and into one buffer twice. */
START_TEST(run_into_copies_what_it_cannot_write_directly) {
    xp_program *p = xp_program_new("forward");
    int32_t x, a, r;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){4, 6}, &x));
    ok(xp_graph_add_node(p->graph, XP_OP_add_scalar, (xp_narg[]){xp_narg_value(x), xp_narg_float(1)}, 2, XP_NO_LOC, &a));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(a)}, 1, XP_NO_LOC, &r));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, r, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, r, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, x, NULL));
    ok(xp_program_verify(p));
    uint64_t s = 23;
    xp_tensor *in = xpt_random(&s, XP_F32, 2, (int64_t[]){4, 6}, -2, 2);
    xp_scope *sc = xp_scope_push();
    xp_tensor *want = xp_keep(xp_relu(xp_add_scalar(in, 1)));
    xp_scope_pop(sc);
    xp_tensor *orig = xp_tensor_new(XP_F32, 2, (int64_t[]){4, 6});
    ok(xp_tensor_copy_into(orig, in));
    /* 1: into the input itself */
    xp_tensor *o2 = xp_tensor_new(XP_F32, 2, (int64_t[]){4, 6}), *o3 = xp_tensor_new(XP_F32, 2, (int64_t[]){4, 6});
    ok(xp_program_run_into(p, (xp_tensor *[]){in}, 1, (xp_tensor *[]){in, o2, o3}, 3));
    xpt_assert_close(in, want, 0, 0);
    xpt_assert_close(o2, want, 0, 0);
    xpt_assert_close(o3, orig, 0, 0); /* x as it was when the graph read it */
    /* 2: a strided view and one tensor for both copies of r */
    ok(xp_tensor_copy_into(in, orig));
    xp_tensor *big = xp_tensor_new(XP_F32, 2, (int64_t[]){6, 4});
    xp_tensor *view = xp_transpose(big, 0, 1); /* [4, 6], not contiguous */
    ok(xp_program_run_into(p, (xp_tensor *[]){in}, 1, (xp_tensor *[]){view, view, o3}, 3));
    xpt_assert_close(view, want, 0, 0);
    xpt_assert_close(o3, orig, 0, 0);
    xp_tensor_free(view);
    xp_tensor_free(big);
    xp_tensor_free(o2);
    xp_tensor_free(o3);
    xp_tensor_free(orig);
    xp_tensor_free(want);
    xp_tensor_free(in);
    xp_program_free(p);
}
END_TEST

/* Kernels with scratch memory (im2col, attention scores, normalization
 * coefficients, chunked reductions) reuse it across runs: a steady-state run
 * of a CNN + attention program allocates only its caller-owned outputs. */
static xp_program *scratch_program(void) {
    xp_program *p = xp_program_new("scratch");
    ck_assert_ptr_nonnull(p);
    int32_t w, img, q, v, conv, relu, pool, gap, att, ln, bnm, bnv, bn, sm, mean;
    ok(xp_program_add_input(p, XP_IN_PARAMETER, "p_w", "conv.weight", XP_F32, 4, (xp_dim[]){8, 3, 3, 3}, &w));
    ok(xp_program_add_input(p, XP_IN_BUFFER, "b_mean", "bn.mean", XP_F32, 1, (xp_dim[]){8}, &bnm));
    ok(xp_program_add_input(p, XP_IN_BUFFER, "b_var", "bn.var", XP_F32, 1, (xp_dim[]){8}, &bnv));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "img", NULL, XP_F32, 4, (xp_dim[]){2, 3, 16, 16}, &img));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "q", NULL, XP_F32, 4, (xp_dim[]){2, 4, 32, 16}, &q));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "v", NULL, XP_F32, 2, (xp_dim[]){2, 1 << 16}, &v));
    xp_dim one2[2] = {1, 1}, k2[2] = {2, 2}, last[1] = {16}, d1[1] = {1};
    ok(xp_graph_add_node(p->graph, XP_OP_conv2d,
                         (xp_narg[]){xp_narg_value(img), xp_narg_value(w), xp_narg_none(), xp_narg_ints(2, one2),
                                     xp_narg_ints(2, one2)},
                         5, XP_NO_LOC, &conv));
    ok(xp_graph_add_node(p->graph, XP_OP_batch_norm,
                         (xp_narg[]){xp_narg_value(conv), xp_narg_none(), xp_narg_none(), xp_narg_value(bnm),
                                     xp_narg_value(bnv)},
                         5, XP_NO_LOC, &bn));
    ok(xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(bn)}, 1, XP_NO_LOC, &relu));
    ok(xp_graph_add_node(p->graph, XP_OP_max_pool2d, (xp_narg[]){xp_narg_value(relu), xp_narg_ints(2, k2)}, 2,
                         XP_NO_LOC, &pool));
    ok(xp_graph_add_node(p->graph, XP_OP_adaptive_avg_pool2d, (xp_narg[]){xp_narg_value(pool), xp_narg_ints(2, one2)},
                         2, XP_NO_LOC, &gap));
    ok(xp_graph_add_node(p->graph, XP_OP_scaled_dot_product_attention,
                         (xp_narg[]){xp_narg_value(q), xp_narg_value(q), xp_narg_value(q)}, 3, XP_NO_LOC, &att));
    ok(xp_graph_add_node(p->graph, XP_OP_layer_norm, (xp_narg[]){xp_narg_value(att), xp_narg_ints(1, last)}, 2,
                         XP_NO_LOC, &ln));
    ok(xp_graph_add_node(p->graph, XP_OP_softmax, (xp_narg[]){xp_narg_value(ln), xp_narg_int(-1)}, 2, XP_NO_LOC, &sm));
    ok(xp_graph_add_node(p->graph, XP_OP_mean, (xp_narg[]){xp_narg_value(v), xp_narg_ints(1, d1)}, 2, XP_NO_LOC,
                         &mean));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, gap, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, sm, NULL));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, mean, NULL));
    ok(xp_program_verify(p));
    return p;
}

START_TEST(steady_state_cnn_and_attention_allocate_only_outputs) {
    xp_program *p = scratch_program();
    uint64_t s = 5;
    xp_tensor *w = xpt_random(&s, XP_F32, 4, (int64_t[]){8, 3, 3, 3}, -0.5, 0.5);
    xp_tensor *bm = xpt_random(&s, XP_F32, 1, (int64_t[]){8}, -0.1, 0.1);
    xp_tensor *bv = xpt_random(&s, XP_F32, 1, (int64_t[]){8}, 0.5, 1.5);
    ok(xp_program_bind_tensor(p, "conv.weight", w));
    ok(xp_program_bind_tensor(p, "bn.mean", bm));
    ok(xp_program_bind_tensor(p, "bn.var", bv));
    xp_tensor *img = xpt_random(&s, XP_F32, 4, (int64_t[]){2, 3, 16, 16}, -1, 1);
    xp_tensor *q = xpt_random(&s, XP_F32, 4, (int64_t[]){2, 4, 32, 16}, -1, 1);
    xp_tensor *v = xpt_random(&s, XP_F32, 2, (int64_t[]){2, 1 << 16}, -1, 1);
    xp_tensor *in[3] = {img, q, v}, *out[3];
    for (int i = 0; i < 2; i++) {
        ok(xp_program_run(p, in, 3, out, 3));
        for (int k = 0; k < 3; k++) xp_tensor_free(out[k]);
    }
    counting_start();
    xp_tensor *probe = xp_tensor_new(XP_F32, 1, (int64_t[]){4});
    long per_output = counting_stop(NULL);
    xp_tensor_free(probe);

    long in_omp = 0;
    counting_start();
    xp_status rs = xp_program_run(p, in, 3, out, 3);
    long during_run = counting_stop(&in_omp);
    ok(rs);
    if (XPT_COUNT_MALLOC)
        ck_assert_msg(during_run == 3 * per_output, "a steady-state run made %ld allocations, its 3 outputs need %ld",
                      during_run, 3 * per_output);
    /* and the results are still right: the eager ops on the same data */
    xp_scope *sc = xp_scope_push();
    xp_tensor *want_gap = xp_adaptive_avg_pool2d(
        xp_max_pool2d(xp_relu(xp_batch_norm(xp_conv2d(img, w, NULL, 1, 1, 1, 1), NULL, NULL, bm, bv, 1e-5)), 2, 2, 0),
        1, 1);
    xp_tensor *want_sm = xp_softmax(
        xp_layer_norm(xp_scaled_dot_product_attention(q, q, q, NULL, false), 1, (int64_t[]){16}, NULL, NULL, 1e-5), -1);
    xp_tensor *want_mean = xp_mean_dims(v, 1, (int64_t[]){1}, false);
    /* same kernels on the same data: identical results */
    xpt_assert_close(out[0], want_gap, 0, 0);
    xpt_assert_close(out[1], want_sm, 0, 0);
    xpt_assert_close(out[2], want_mean, 0, 0);
    xp_scope_pop(sc);
    for (int k = 0; k < 3; k++) xp_tensor_free(out[k]);
    xp_tensor_free(img);
    xp_tensor_free(q);
    xp_tensor_free(v);
    xp_tensor_free(w);
    xp_tensor_free(bm);
    xp_tensor_free(bv);
    xp_program_free(p);
}
END_TEST

START_TEST(plan_reuses_dead_buffers) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    xp_tensor *x = xp_tensor_new(XP_F32, 2, (int64_t[]){8, IN});
    xp_tensor *out = NULL;
    ok(xp_program_run(p, (xp_tensor *[]){x, x}, 2, &out, 1));
    xp_tensor_free(out);
    xp_plan_info info;
    ck_assert(xp_program_plan_info(p, &info));
    /* add: 8x100 f32 = 3200 B, linear 320 B, relu 320 B; relu reuses the
     * dead add's memory, so the arena is add + linear */
    ck_assert_int_eq(info.nbuffers, 3);
    ck_assert_uint_eq(info.buffer_bytes, 3200 + 320 + 320);
    ck_assert_uint_eq(info.arena_bytes, 3200 + 320);
    const xp_tensor *add = xp_program_plan_header(p, p->graph->nodes[0].outs[0]);
    const xp_tensor *relu = xp_program_plan_header(p, p->graph->nodes[2].outs[0]);
    ck_assert_ptr_eq(add->storage->data, relu->storage->data);
    xp_tensor_free(x);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

START_TEST(new_shapes_get_a_new_plan_and_old_ones_stay_cached) {
    tutorial_weights tw;
    xp_program *p = bound_tutorial(&tw);
    uint64_t s = 14;
    int64_t batches[] = {8, 16, 8, 16, 1, 2, 3, 4, 8};
    uint64_t built[] = {1, 2, 2, 2, 3, 4, 5, 6, 7};
    for (int k = 0; k < 9; k++) {
        xp_tensor *x = xpt_random(&s, XP_F32, 2, (int64_t[]){batches[k], IN}, -1, 1);
        xp_tensor *out = NULL;
        ok(xp_program_run(p, (xp_tensor *[]){x, x}, 2, &out, 1));
        xp_tensor *want = eager_tutorial(x, x, &tw);
        xpt_assert_close(out, want, TUTORIAL_RTOL, TUTORIAL_ATOL);
        ck_assert_uint_eq(xp_program_exec_stats(p).plans_built, built[k]);
        xp_tensor_free(out);
        xp_tensor_free(want);
        xp_tensor_free(x);
    }
    /* batch 8 fell out of the 4-entry cache after 1, 2, 3, 4 */
    ck_assert_uint_eq(xp_program_exec_stats(p).plans_evicted, 3);
    free_weights(&tw);
    xp_program_free(p);
}
END_TEST

/* a = x + x; v = unsqueeze(a, 0); b = neg(x); out = v + b. If the plan
 * let a's buffer die at the view, b would overwrite it. */
START_TEST(view_keeps_its_base_alive) {
    xp_program *p = xp_program_new("views");
    int32_t x, a, v, b, o;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){64}, &x));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(x), xp_narg_value(x)}, 2, XP_NO_LOC, &a));
    ok(xp_graph_add_node(p->graph, XP_OP_unsqueeze, (xp_narg[]){xp_narg_value(a), xp_narg_int(0)}, 2, XP_NO_LOC, &v));
    ok(xp_graph_add_node(p->graph, XP_OP_neg, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &b));
    ok(xp_graph_add_node(p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(v), xp_narg_value(b)}, 2, XP_NO_LOC, &o));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, o, NULL));
    uint64_t s = 15;
    xp_tensor *xt = xpt_random(&s, XP_F32, 1, (int64_t[]){64}, -1, 1);
    xp_tensor *out = NULL;
    for (int run = 0; run < 2; run++) {
        ok(xp_program_run(p, (xp_tensor *[]){xt}, 1, &out, 1));
        xpt_assert_shape(out, 1, 64);
        xp_tensor *want = xp_unsqueeze(xt, 0);
        xpt_assert_close(out, want, 0, 1e-6); /* 2x - x is exact up to one rounding */
        xp_tensor_free(want);
        xp_tensor_free(out);
    }
    xp_plan_info info;
    ck_assert(xp_program_plan_info(p, &info));
    ck_assert_int_eq(info.nbuffers, 3); /* the view has none */
    ck_assert_uint_eq(info.arena_bytes, 3 * 256);
    xp_tensor_free(xt);
    xp_program_free(p);
}
END_TEST

/* x: f32[batch, 4] -> neg(view(x, [4*batch])): the view's size argument is
 * symbolic and must be evaluated for each plan. */
START_TEST(symbolic_int_arguments_follow_the_run) {
    xp_program *p = xp_program_new("flat");
    xp_dim batch = xp_sym_new(p->syms, "batch", 1, 64);
    xp_dim flat = xp_dim_mul(p->syms, batch, 4);
    int32_t x, v, o;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 2, (xp_dim[]){batch, 4}, &x));
    ok(xp_graph_add_node(p->graph, XP_OP_view, (xp_narg[]){xp_narg_value(x), xp_narg_ints(1, &flat)}, 2, XP_NO_LOC,
                         &v));
    ok(xp_graph_add_node(p->graph, XP_OP_neg, (xp_narg[]){xp_narg_value(v)}, 1, XP_NO_LOC, &o));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, o, NULL));
    uint64_t s = 16;
    for (int64_t b = 3; b <= 5; b += 2) {
        xp_tensor *xt = xpt_random(&s, XP_F32, 2, (int64_t[]){b, 4}, -1, 1);
        xp_tensor *out = NULL;
        ok(xp_program_run(p, (xp_tensor *[]){xt}, 1, &out, 1));
        xpt_assert_shape(out, 4 * b);
        for (int64_t i = 0; i < 4 * b; i++) ck_assert_double_eq(xpt_get_flat(out, i), -xpt_get_flat(xt, i));
        xp_tensor_free(out);
        xp_tensor_free(xt);
    }
    ck_assert_uint_eq(xp_program_exec_stats(p).plans_built, 2);
    xp_program_free(p);
}
END_TEST

/* ---- cond ---- */

/* out = cond(pred, x -> x * 2, x -> -x)(x) + 1 */
static xp_program *cond_program(void) {
    xp_program *p = xp_program_new("branchy");
    xp_dim n = xp_sym_new(p->syms, "n", 1, 64);
    int32_t pred, x, c, o;
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "pred", NULL, XP_BOOL, 0, NULL, &pred));
    ok(xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){n}, &x));
    xp_meta xm = {.dtype = XP_F32, .ndim = 1, .shape = {n}};
    xp_graph *tb = xp_graph_new_sub(p), *fb = xp_graph_new_sub(p);
    int32_t tx, fx, tr, fr;
    ok(xp_graph_add_input(tb, "x", &xm, &tx));
    ok(xp_graph_add_node(tb, XP_OP_mul_scalar, (xp_narg[]){xp_narg_value(tx), xp_narg_float(2)}, 2, XP_NO_LOC, &tr));
    ok(xp_graph_set_outputs(tb, 1, &tr));
    ok(xp_graph_add_input(fb, "x", &xm, &fx));
    ok(xp_graph_add_node(fb, XP_OP_neg, (xp_narg[]){xp_narg_value(fx)}, 1, XP_NO_LOC, &fr));
    ok(xp_graph_set_outputs(fb, 1, &fr));
    ok(xp_graph_add_cond(p->graph, pred, 1, &x, tb, fb, XP_NO_LOC, &c));
    ok(xp_graph_add_node(p->graph, XP_OP_add_scalar, (xp_narg[]){xp_narg_value(c), xp_narg_float(1)}, 2, XP_NO_LOC, &o));
    ok(xp_program_add_output(p, XP_OUT_USER_OUTPUT, o, NULL));
    return p;
}

START_TEST(cond_runs_only_the_taken_branch) {
    xp_program *p = cond_program();
    float xv[3] = {1, -2, 3};
    bool t = true, f = false;
    xp_tensor *x = xp_tensor_from(XP_F32, 1, (int64_t[]){3}, xv);
    xp_tensor *pt = xp_tensor_from(XP_BOOL, 0, NULL, &t);
    xp_tensor *pf = xp_tensor_from(XP_BOOL, 0, NULL, &f);
    for (int run = 0; run < 4; run++) {
        bool take = run % 2 == 0;
        xp_tensor *out = NULL;
        ok(xp_program_run(p, (xp_tensor *[]){take ? pt : pf, x}, 2, &out, 1));
        const float *od = xp_data(out);
        for (int i = 0; i < 3; i++) ck_assert_float_eq(od[i], take ? xv[i] * 2 + 1 : -xv[i] + 1);
        xp_tensor_free(out);
    }
    ck_assert_uint_eq(xp_program_exec_stats(p).plans_built, 1);
    xp_tensor_free(x);
    xp_tensor_free(pt);
    xp_tensor_free(pf);
    xp_program_free(p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("interp");
    TCase *tc = tcase_create("run");
    tcase_add_test(tc, tutorial_matches_eager);
    tcase_add_test(tc, outputs_outlive_the_callers_scope);
    tcase_add_test(tc, tutorial_accepts_range_bounds);
    tcase_add_test(tc, strided_inputs_are_read_through_their_views);
    suite_add_tcase(s, tc);

    tc = tcase_create("guards");
    tcase_add_test(tc, guard_rejects_dim_above_max);
    tcase_add_test(tc, guard_rejects_dim_below_min);
    tcase_add_test(tc, guard_rejects_static_size_mismatch);
    tcase_add_test(tc, guard_rejects_wrong_dtype);
    tcase_add_test(tc, guard_rejects_wrong_rank);
    tcase_add_test(tc, guard_rejects_unequal_dims_of_one_symbol);
    tcase_add_test(tc, guard_rejects_null_input_and_wrong_counts);
    tcase_add_test(tc, guard_rejects_derived_dim_violation);
    tcase_add_test(tc, guard_solves_symbol_from_derived_dim);
    tcase_add_test(tc, guard_checks_symint_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("weights");
    tcase_add_test(tc, run_without_weights_names_the_parameter);
    tcase_add_test(tc, bind_weights_checks_names_dtypes_and_shapes);
    tcase_add_test(tc, bind_tensor_binds_one_target);
    tcase_add_test(tc, set_backend_refuses_unknown_backends);
    suite_add_tcase(s, tc);

    tc = tcase_create("mutations");
    tcase_add_test(tc, input_mutation_is_written_back_only_on_success);
    tcase_add_test(tc, buffer_mutation_updates_the_bound_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("plans");
    tcase_add_test(tc, steady_state_run_allocates_nothing);
    tcase_add_test(tc, run_into_writes_the_callers_outputs_and_allocates_nothing);
    tcase_add_test(tc, run_into_checks_the_callers_outputs);
    tcase_add_test(tc, run_into_copies_what_it_cannot_write_directly);
    tcase_add_test(tc, steady_state_cnn_and_attention_allocate_only_outputs);
    tcase_add_test(tc, plan_reuses_dead_buffers);
    tcase_add_test(tc, new_shapes_get_a_new_plan_and_old_ones_stay_cached);
    tcase_add_test(tc, view_keeps_its_base_alive);
    tcase_add_test(tc, symbolic_int_arguments_follow_the_run);
    suite_add_tcase(s, tc);

    tc = tcase_create("cond");
    tcase_add_test(tc, cond_runs_only_the_taken_branch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
