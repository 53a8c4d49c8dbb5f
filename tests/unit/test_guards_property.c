/*
 * Runtime guards (runtime/exec/guards.c) against an oracle: random
 * constraint sets x random input shapes, and the run is accepted exactly
 * when a straightforward model of the rules says so.
 *
 * A constraint set is 1-3 symbols with random ranges (some unbounded
 * above) and 1-3 inputs: f32 tensors of rank 1-3 whose dims are constants,
 * symbols or derived dims A*s + B, symbols shared across inputs, and now
 * and then a SYMINT input bound to a symbol. The program runs relu on each
 * tensor input (or one `add` when two inputs have the same declared
 * shape). Input shapes start from symbol values biased towards the range
 * boundaries (min - 1, min, max, max + 1) and are then sometimes broken: a
 * dim off by one or replaced, a dim added or dropped, a wrong dtype, a
 * symbolic int that is not a 0-d integer tensor.
 *
 * Two oracles, written from the rules rather than from the guard code:
 *   - semantic: the run is valid iff dtypes and ranks match and some
 *     assignment of the symbols within their ranges gives every dim (each
 *     symbol's candidates are the values its occurrences imply, so the
 *     search is finite even for unbounded ranges);
 *   - sequential: inputs in order, dims in order; a symbol takes its value
 *     from the first dim that is A*s + B (exact division), later dims are
 *     compared with it — which says where the guard must report the
 *     violation, and why.
 * Both must agree with each other and with xp_program_run; on a reject the
 * message must name the input, the dim index, the symbol, the value and
 * the violated bound or relation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ir/xp_ir.h"
#include "testutil.h"

#define MAX_SYMS 3
#define MAX_INPUTS 3
#define SETS 4000
#define RUNS_PER_SET 8

static void ok(xp_status st) { ck_assert_msg(st == XP_OK, "%s", xp_last_error()); }

static uint64_t rng;
static int64_t rnd(int64_t lo, int64_t hi) { return lo + (int64_t)(xpt_rand_u64(&rng) % (uint64_t)(hi - lo + 1)); }
static bool chance(int percent) { return rnd(0, 99) < percent; }

/* A declared dim: the constant c (sym < 0) or a*sym + b. */
typedef struct dimspec {
    int sym;
    int64_t a, b, c;
} dimspec;

typedef struct constraint_set {
    int nsyms;
    int64_t min[MAX_SYMS], max[MAX_SYMS];
    int ninputs;
    int rank[MAX_INPUTS];
    dimspec dims[MAX_INPUTS][XP_MAX_DIMS];
    int symint[MAX_INPUTS]; /* the symbol a SYMINT input is bound to, else -1 */
} constraint_set;

/* A SYMINT input is given as a tensor too: its value is shape[i][0] when
 * it has rank 0 (a well-formed one), and a wrong dtype or rank breaks it. */
typedef struct run_shapes {
    xp_dtype dtype[MAX_INPUTS];
    int rank[MAX_INPUTS];
    int64_t shape[MAX_INPUTS][XP_MAX_DIMS];
} run_shapes;

static bool unbounded(const constraint_set *cs, int s) { return cs->max[s] >= XP_SYM_MAX_DEFAULT; }

static void random_set(constraint_set *cs) {
    memset(cs, 0, sizeof *cs);
    cs->nsyms = (int)rnd(1, MAX_SYMS);
    for (int s = 0; s < cs->nsyms; s++) {
        cs->min[s] = chance(30) ? 0 : rnd(1, 6);
        cs->max[s] = chance(15) ? XP_SYM_MAX_DEFAULT : cs->min[s] + rnd(0, 8);
    }
    cs->ninputs = (int)rnd(1, MAX_INPUTS);
    for (int i = 0; i < cs->ninputs; i++) {
        /* input 0 is a tensor, so there is at least one output */
        cs->symint[i] = i > 0 && chance(15) ? (int)rnd(0, cs->nsyms - 1) : -1;
        if (cs->symint[i] >= 0) continue;
        cs->rank[i] = (int)rnd(1, 3);
        for (int d = 0; d < cs->rank[i]; d++) {
            dimspec *ds = &cs->dims[i][d];
            int kind = (int)rnd(0, 9);
            if (kind < 2) {
                *ds = (dimspec){.sym = -1, .c = rnd(0, 6)};
            } else if (kind < 7) {
                *ds = (dimspec){.sym = (int)rnd(0, cs->nsyms - 1), .a = 1, .b = 0};
            } else { /* derived: A*s + B, non-negative over the range */
                int s = (int)rnd(0, cs->nsyms - 1);
                int64_t a = rnd(1, 3);
                *ds = (dimspec){.sym = s, .a = a, .b = rnd(-a * cs->min[s], 4)};
            }
        }
    }
}

static bool same_declared_shape(const constraint_set *cs, int i, int j) {
    if (cs->symint[i] >= 0 || cs->symint[j] >= 0 || cs->rank[i] != cs->rank[j]) return false;
    for (int d = 0; d < cs->rank[i]; d++) {
        const dimspec *x = &cs->dims[i][d], *y = &cs->dims[j][d];
        if (x->sym != y->sym || (x->sym < 0 ? x->c != y->c : (x->a != y->a || x->b != y->b))) return false;
    }
    return true;
}

typedef struct built {
    xp_program *p;
    xp_dim syms[MAX_SYMS];
    bool uses_add; /* inputs 0 and 1 feed one add */
} built;

static void build(const constraint_set *cs, built *b) {
    static const char *const names[] = {"s0", "s1", "s2"};
    static const char *const inames[] = {"x0", "x1", "x2"};
    b->p = xp_program_new("prop");
    ck_assert_ptr_nonnull(b->p);
    for (int s = 0; s < cs->nsyms; s++) {
        b->syms[s] = xp_sym_new(b->p->syms, names[s], cs->min[s], cs->max[s]);
        ck_assert_msg(xp_dim_is_valid(b->syms[s]), "%s", xp_last_error());
    }
    int32_t v[MAX_INPUTS];
    for (int i = 0; i < cs->ninputs; i++) {
        if (cs->symint[i] >= 0) {
            ok(xp_program_add_symint_input(b->p, inames[i], b->syms[cs->symint[i]], &v[i]));
            continue;
        }
        xp_dim shape[XP_MAX_DIMS];
        for (int d = 0; d < cs->rank[i]; d++) {
            const dimspec *ds = &cs->dims[i][d];
            shape[d] = ds->sym < 0 ? ds->c
                                   : xp_dim_add(b->p->syms, xp_dim_mul(b->p->syms, ds->a, b->syms[ds->sym]), ds->b);
            ck_assert(xp_dim_is_valid(shape[d]));
        }
        ok(xp_program_add_input(b->p, XP_IN_USER_INPUT, inames[i], NULL, XP_F32, cs->rank[i], shape, &v[i]));
    }
    b->uses_add = cs->ninputs >= 2 && same_declared_shape(cs, 0, 1);
    for (int i = 0; i < cs->ninputs; i++) {
        int32_t out;
        if ((b->uses_add && i == 1) || cs->symint[i] >= 0) continue;
        if (b->uses_add && i == 0)
            ok(xp_graph_add_node(b->p->graph, XP_OP_add, (xp_narg[]){xp_narg_value(v[0]), xp_narg_value(v[1])}, 2,
                                 XP_NO_LOC, &out));
        else
            ok(xp_graph_add_node(b->p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(v[i])}, 1, XP_NO_LOC, &out));
        ok(xp_program_add_output(b->p, XP_OUT_USER_OUTPUT, out, NULL));
    }
}

/* A symbol value biased towards the range boundaries (possibly outside). */
static int64_t pick_value(const constraint_set *cs, int s) {
    int64_t lo = cs->min[s], hi = unbounded(cs, s) ? lo + 12 : cs->max[s];
    switch (rnd(0, 5)) {
    case 0: return lo > 0 ? lo - 1 : lo;
    case 1: return lo;
    case 2: return hi;
    case 3: return unbounded(cs, s) ? lo + rnd(0, 20) : hi + 1;
    default: return rnd(lo, hi);
    }
}

static int64_t dim_value(const dimspec *ds, const int64_t *vals) {
    return ds->sym < 0 ? ds->c : ds->a * vals[ds->sym] + ds->b;
}

static void random_shapes(const constraint_set *cs, run_shapes *rs) {
    int64_t vals[MAX_SYMS];
    for (int s = 0; s < cs->nsyms; s++) vals[s] = pick_value(cs, s);
    for (int i = 0; i < cs->ninputs; i++) {
        if (cs->symint[i] >= 0) {
            rs->dtype[i] = chance(50) ? XP_I64 : XP_I32;
            rs->rank[i] = 0;
            rs->shape[i][0] = vals[cs->symint[i]];
            continue;
        }
        rs->dtype[i] = XP_F32;
        rs->rank[i] = cs->rank[i];
        for (int d = 0; d < cs->rank[i]; d++) {
            int64_t v = dim_value(&cs->dims[i][d], vals);
            rs->shape[i][d] = v < 0 ? 0 : v;
        }
    }
    /* break something, sometimes */
    int i = (int)rnd(0, cs->ninputs - 1), d = (int)rnd(0, rs->rank[i] > 0 ? rs->rank[i] - 1 : 0);
    if (cs->symint[i] >= 0) {
        switch (rnd(0, 5)) {
        case 0: rs->shape[i][0] += 1; break;
        case 1: rs->shape[i][0] -= 1; break;
        case 2: rs->dtype[i] = XP_F32; break;
        case 3: rs->rank[i] = 1, rs->shape[i][0] = 1; break; /* a 1-element 1-d tensor is not a symbolic int */
        default: break;
        }
        return;
    }
    switch (rnd(0, 9)) {
    case 0: rs->shape[i][d] += 1; break;
    case 1: rs->shape[i][d] = rs->shape[i][d] > 0 ? rs->shape[i][d] - 1 : 1; break;
    case 2: rs->shape[i][d] = rnd(0, 30); break;
    case 3:
        if (chance(50) && rs->rank[i] < 4)
            rs->shape[i][rs->rank[i]++] = rnd(1, 3);
        else if (rs->rank[i] > 0)
            rs->rank[i]--;
        break;
    case 4:
        if (chance(30)) rs->dtype[i] = chance(50) ? XP_I64 : XP_F64;
        break;
    default: break;
    }
}

/* ---- oracles ---- */

typedef enum reason {
    ACCEPT = 0,
    BAD_DTYPE,
    BAD_RANK,
    BAD_CONST,      /* a static dim differs */
    BAD_NOT_LINEAR, /* size - B is not a multiple of A */
    BAD_BELOW_MIN,
    BAD_ABOVE_MAX,
    BAD_MISMATCH /* differs from the value the symbol already has */
} reason;

typedef struct verdict {
    reason why;
    int input, dim;
    int64_t size, want, bound; /* observed size; expected size (MISMATCH); violated bound */
    int sym;
} verdict;

static verdict sequential_oracle(const constraint_set *cs, const run_shapes *rs) {
    int64_t vals[MAX_SYMS];
    bool known[MAX_SYMS] = {false};
    for (int i = 0; i < cs->ninputs; i++) {
        bool si = cs->symint[i] >= 0;
        if (si ? (rs->dtype[i] != XP_I64 && rs->dtype[i] != XP_I32) || rs->rank[i] != 0 : rs->dtype[i] != XP_F32)
            return (verdict){BAD_DTYPE, i, -1, 0, 0, 0, -1};
        if (!si && rs->rank[i] != cs->rank[i]) return (verdict){BAD_RANK, i, -1, 0, 0, 0, -1};
        /* a SYMINT is one occurrence of its symbol, at "dim" -2 */
        int n = si ? 1 : cs->rank[i];
        for (int d = 0; d < n; d++) {
            dimspec one = {.sym = cs->symint[i], .a = 1, .b = 0};
            const dimspec *ds = si ? &one : &cs->dims[i][d];
            int64_t size = rs->shape[i][d];
            int at = si ? -2 : d;
            if (ds->sym < 0) {
                if (size != ds->c) return (verdict){BAD_CONST, i, at, size, ds->c, 0, -1};
                continue;
            }
            int s = ds->sym;
            if (known[s]) {
                int64_t want = ds->a * vals[s] + ds->b;
                if (size != want) return (verdict){BAD_MISMATCH, i, at, size, want, 0, s};
                continue;
            }
            if ((size - ds->b) % ds->a != 0) return (verdict){BAD_NOT_LINEAR, i, at, size, 0, 0, s};
            int64_t v = (size - ds->b) / ds->a;
            if (v < cs->min[s]) return (verdict){BAD_BELOW_MIN, i, at, size, 0, cs->min[s], s};
            if (v > cs->max[s]) return (verdict){BAD_ABOVE_MAX, i, at, size, 0, cs->max[s], s};
            vals[s] = v;
            known[s] = true;
        }
    }
    return (verdict){ACCEPT, -1, -1, 0, 0, 0, -1};
}

/* Is there an assignment of the symbols, within their ranges, that gives every dim? */
static bool semantic_oracle(const constraint_set *cs, const run_shapes *rs) {
    for (int i = 0; i < cs->ninputs; i++) {
        if (cs->symint[i] >= 0) {
            if ((rs->dtype[i] != XP_I64 && rs->dtype[i] != XP_I32) || rs->rank[i] != 0) return false;
        } else if (rs->dtype[i] != XP_F32 || rs->rank[i] != cs->rank[i]) {
            return false;
        }
    }
    /* each symbol's candidates: the values its occurrences imply, or its min when it has none */
    int64_t cand[MAX_SYMS][MAX_INPUTS * XP_MAX_DIMS + 1];
    int ncand[MAX_SYMS] = {0};
    bool used[MAX_SYMS] = {false};
    for (int i = 0; i < cs->ninputs; i++) {
        if (cs->symint[i] >= 0) {
            int s = cs->symint[i];
            used[s] = true;
            cand[s][ncand[s]++] = rs->shape[i][0];
            continue;
        }
        for (int d = 0; d < cs->rank[i]; d++) {
            const dimspec *ds = &cs->dims[i][d];
            if (ds->sym < 0) continue;
            used[ds->sym] = true;
            int64_t num = rs->shape[i][d] - ds->b;
            if (num % ds->a == 0) cand[ds->sym][ncand[ds->sym]++] = num / ds->a;
        }
    }
    for (int s = 0; s < cs->nsyms; s++)
        if (!used[s]) cand[s][ncand[s]++] = cs->min[s];
    int idx[MAX_SYMS] = {0};
    for (;;) {
        int64_t vals[MAX_SYMS];
        bool fits = true;
        for (int s = 0; s < cs->nsyms; s++) {
            if (ncand[s] == 0) return false; /* no occurrence can be met */
            vals[s] = cand[s][idx[s]];
            fits &= vals[s] >= cs->min[s] && vals[s] <= cs->max[s];
        }
        for (int i = 0; fits && i < cs->ninputs; i++) {
            if (cs->symint[i] >= 0) {
                fits = vals[cs->symint[i]] == rs->shape[i][0];
                continue;
            }
            for (int d = 0; fits && d < cs->rank[i]; d++) fits = dim_value(&cs->dims[i][d], vals) == rs->shape[i][d];
        }
        if (fits) return true;
        int s = 0;
        while (s < cs->nsyms && ++idx[s] == ncand[s]) idx[s++] = 0;
        if (s == cs->nsyms) return false;
    }
}

/* ---- the property ---- */

static void describe(const constraint_set *cs, const run_shapes *rs, char *buf, size_t n) {
    size_t k = 0;
    for (int s = 0; s < cs->nsyms && k < n; s++)
        k += (size_t)snprintf(buf + k, n - k, "s%d in [%" PRId64 ", %" PRId64 "]; ", s, cs->min[s], cs->max[s]);
    for (int i = 0; i < cs->ninputs && k < n; i++) {
        if (cs->symint[i] >= 0) {
            k += (size_t)snprintf(buf + k, n - k, "x%d: symint s%d given %s rank %d value %" PRId64 "; ", i,
                                  cs->symint[i], xp_dtype_name(rs->dtype[i]), rs->rank[i], rs->shape[i][0]);
            continue;
        }
        k += (size_t)snprintf(buf + k, n - k, "x%d: declared [", i);
        for (int d = 0; d < cs->rank[i] && k < n; d++) {
            const dimspec *ds = &cs->dims[i][d];
            if (ds->sym < 0)
                k += (size_t)snprintf(buf + k, n - k, "%s%" PRId64, d ? ", " : "", ds->c);
            else
                k += (size_t)snprintf(buf + k, n - k, "%s%" PRId64 "*s%d%+" PRId64, d ? ", " : "", ds->a, ds->sym,
                                      ds->b);
        }
        k += (size_t)snprintf(buf + k, n - k, "] given %s[", xp_dtype_name(rs->dtype[i]));
        for (int d = 0; d < rs->rank[i] && k < n; d++)
            k += (size_t)snprintf(buf + k, n - k, "%s%" PRId64, d ? ", " : "", rs->shape[i][d]);
        k += (size_t)snprintf(buf + k, n - k, "]; ");
    }
}

static void check_message(const verdict *v, const char *msg, const char *what) {
    char want[128];
    if (v->dim >= 0)
        snprintf(want, sizeof want, "input x%d: dim %d ", v->input, v->dim);
    else if (v->dim == -2) /* a SYMINT's value */
        snprintf(want, sizeof want, "input x%d ", v->input);
    else
        snprintf(want, sizeof want, "input x%d: expected", v->input);
    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "%s\nmessage \"%s\" should start with \"%s\"", what, msg,
                  want);
    if (v->dim == -1) return;
    char s[64];
    snprintf(s, sizeof s, "is %" PRId64, v->size);
    ck_assert_msg(strstr(msg, s), "%s\nmessage \"%s\" does not give the value (\"%s\")", what, msg, s);
    if (v->sym >= 0) {
        snprintf(s, sizeof s, "s%d", v->sym);
        ck_assert_msg(strstr(msg, s), "%s\nmessage \"%s\" does not name the symbol %s", what, msg, s);
    }
    switch (v->why) {
    case BAD_CONST: snprintf(s, sizeof s, "exported with size %" PRId64, v->want); break;
    case BAD_NOT_LINEAR: snprintf(s, sizeof s, "for any integer s%d", v->sym); break;
    case BAD_BELOW_MIN: snprintf(s, sizeof s, "below its minimum %" PRId64, v->bound); break;
    case BAD_ABOVE_MAX: snprintf(s, sizeof s, "above its maximum %" PRId64, v->bound); break;
    case BAD_MISMATCH: snprintf(s, sizeof s, "= %" PRId64 " (", v->want); break;
    default: s[0] = 0; break;
    }
    ck_assert_msg(strstr(msg, s), "%s\nmessage \"%s\" does not say \"%s\"", what, msg, s);
}

/* Runs one shape set; returns true when the run was accepted. */
static bool run_case(const constraint_set *cs, const built *b, const run_shapes *rs) {
    xp_tensor *in[MAX_INPUTS] = {0};
    for (int i = 0; i < cs->ninputs; i++) {
        if (cs->symint[i] >= 0 && rs->rank[i] == 0 && rs->dtype[i] != XP_F32) {
            int64_t v64 = rs->shape[i][0];
            int32_t v32 = (int32_t)v64;
            in[i] = xp_tensor_from(rs->dtype[i], 0, NULL, rs->dtype[i] == XP_I64 ? (const void *)&v64 : &v32);
            ck_assert_ptr_nonnull(in[i]);
            continue;
        }
        int64_t numel = 1;
        for (int d = 0; d < rs->rank[i]; d++) numel *= rs->shape[i][d];
        /* small inputs get values, so the outputs can be checked too */
        in[i] = numel <= 64 ? xpt_random(&rng, rs->dtype[i], rs->rank[i], rs->shape[i], -1, 1)
                            : xp_tensor_new(rs->dtype[i], rs->rank[i], rs->shape[i]);
        ck_assert_ptr_nonnull(in[i]);
    }
    int nout = b->p->nsig_out;
    xp_tensor *out[MAX_INPUTS] = {0};
    xp_clear_error();
    xp_status st = xp_program_run(b->p, in, cs->ninputs, out, nout);

    char what[1024];
    describe(cs, rs, what, sizeof what);
    verdict v = sequential_oracle(cs, rs);
    bool valid = semantic_oracle(cs, rs);
    ck_assert_msg(valid == (v.why == ACCEPT), "the oracles disagree (%s) on %s", valid ? "valid" : "invalid", what);
    if (valid) {
        ck_assert_msg(st == XP_OK, "rejected a valid run: %s\n%s", xp_last_error(), what);
        for (int k = 0, i = 0; k < nout; k++, i++) {
            while ((b->uses_add && i == 1) || cs->symint[i] >= 0) i++;
            xp_tensor *o = out[k];
            ck_assert_int_eq(xp_ndim(o), rs->rank[i]);
            for (int d = 0; d < rs->rank[i]; d++) ck_assert_int_eq(xp_size(o, d), rs->shape[i][d]);
            if (xp_numel(in[i]) > 64) continue;
            for (int64_t e = 0; e < xp_numel(o); e++) {
                double x = xpt_get_flat(in[i], e);
                if (b->uses_add && i == 0) x += xpt_get_flat(in[1], e);
                double want = b->uses_add && i == 0 ? x : (x > 0 ? x : 0);
                /* f32 add of two values in [-1, 1) rounds once: 2^-24 relative */
                ck_assert_msg(fabs(xpt_get_flat(o, e) - want) <= 1e-6, "output %d element %" PRId64, k, e);
            }
        }
    } else {
        ck_assert_msg(st == XP_ERR_GUARD, "status %s (%s), expected a guard error\n%s", xp_status_name(st),
                      xp_last_error(), what);
        for (int k = 0; k < nout; k++) ck_assert_ptr_null(out[k]);
        check_message(&v, xp_last_error(), what);
    }
    for (int k = 0; k < nout; k++) xp_tensor_free(out[k]);
    for (int i = 0; i < cs->ninputs; i++) xp_tensor_free(in[i]);
    return st == XP_OK;
}

START_TEST(guards_agree_with_the_oracle) {
    rng = 0x5eed0004ull;
    int accepted = 0, rejected = 0;
    clock_t t0 = clock();
    for (int k = 0; k < SETS; k++) {
        constraint_set cs;
        random_set(&cs);
        built b;
        build(&cs, &b);
        for (int r = 0; r < RUNS_PER_SET; r++) {
            run_shapes rs;
            random_shapes(&cs, &rs);
            if (run_case(&cs, &b, &rs))
                accepted++;
            else
                rejected++;
        }
        xp_program_free(b.p);
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    fprintf(stderr, "guards property: %d runs accepted, %d rejected, %.2f s\n", accepted, rejected, secs);
    /* the generator must exercise both sides */
    ck_assert_int_gt(accepted, SETS * RUNS_PER_SET / 5);
    ck_assert_int_gt(rejected, SETS * RUNS_PER_SET / 5);
}
END_TEST

/* Hand-picked cases the generator reaches only by chance. */
START_TEST(guards_handle_zero_sizes_and_negative_offsets) {
    constraint_set cs = {.nsyms = 1, .min = {2}, .max = {5}, .ninputs = 2, .rank = {1, 2}, .symint = {-1, -1, -1}};
    cs.dims[0][0] = (dimspec){.sym = 0, .a = 3, .b = -6}; /* 3*s0 - 6: 0 at the minimum */
    cs.dims[1][0] = (dimspec){.sym = 0, .a = 1, .b = 0};
    cs.dims[1][1] = (dimspec){.sym = -1, .c = 0};
    built b;
    build(&cs, &b);
    run_shapes rs = {.dtype = {XP_F32, XP_F32}, .rank = {1, 2}, .shape = {{0}, {2, 0}}};
    ck_assert(run_case(&cs, &b, &rs)); /* s0 = 2 */
    rs.shape[0][0] = 9;                /* s0 = 5, but x1 says 2 */
    ck_assert(!run_case(&cs, &b, &rs));
    rs.shape[0][0] = 1; /* 3*s0 - 6 = 1 has no integer solution */
    ck_assert(!run_case(&cs, &b, &rs));
    rs.shape[0][0] = 12; /* s0 = 6 > 5 */
    ck_assert(!run_case(&cs, &b, &rs));
    xp_program_free(b.p);
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("guards_property");
    TCase *tc = tcase_create("property");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, guards_agree_with_the_oracle);
    tcase_add_test(tc, guards_handle_zero_sizes_and_negative_offsets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return xpt_run_suite(make_suite()); }
