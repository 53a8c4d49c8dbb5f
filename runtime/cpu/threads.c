/*
 * How many threads the CPU kernels use.
 *
 * The default comes from XP_NUM_THREADS, else OMP_NUM_THREADS (its first
 * entry: OpenMP allows a nesting list such as "4,2"), else the number of
 * cores this process may run on. A variable that is not a positive integer
 * (or is absurdly large) is ignored with one warning on stderr, and the next
 * source is used. Kernels pass the count to every parallel region
 * (num_threads), so it holds whichever thread calls them.
 */
#include "cpu/cpu_util.h"

#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Above this a value is a typo, not a machine. */
#define XP_THREADS_LIMIT 4096

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_default = 1;
static _Atomic int g_threads = 0; /* 0: use g_default */

/* Parses a positive thread count from the start of `s` up to `stop` (',' for
 * OMP_NUM_THREADS lists) or the end; returns 0 when it is not one. */
static int parse_threads(const char *s, char stop) {
    while (*s == ' ' || *s == '\t') s++;
    if (*s < '0' || *s > '9') return 0;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno || (*end != '\0' && *end != stop) || v < 1 || v > XP_THREADS_LIMIT) return 0;
    return (int)v;
}

static int threads_from_env(const char *name, char stop) {
    const char *s = getenv(name);
    if (!s) return 0;
    int n = parse_threads(s, stop);
    if (n == 0)
        fprintf(stderr, "xport: warning: ignoring %s='%s': expected a thread count from 1 to %d\n", name, s,
                XP_THREADS_LIMIT);
    return n;
}

static void init_default(void) {
    int n = threads_from_env("XP_NUM_THREADS", '\0');
    if (n == 0) n = threads_from_env("OMP_NUM_THREADS", ',');
    if (n == 0) n = omp_get_num_procs();
    g_default = n > 0 ? n : 1;
}

int xp_num_threads(void) {
    int n = g_threads;
    if (n > 0) return n;
    pthread_once(&g_once, init_default);
    return g_default;
}

/* n < 1 goes back to the default from the environment. */
void xp_set_num_threads(int n) {
    g_threads = n > 0 ? (n > XP_THREADS_LIMIT ? XP_THREADS_LIMIT : n) : 0;
    /* Also the calling thread's OpenMP default, for code (OpenBLAS, other
     * parallel regions) that does not pass num_threads itself. */
    omp_set_num_threads(xp_num_threads());
}

int xp_cpu_threads_for(int64_t work, int64_t grain) {
    if (grain < 1) grain = 1;
    if (work < 2 * grain) return 1;
    int nt = xp_num_threads();
    int64_t useful = work / grain;
    return useful < nt ? (int)useful : nt;
}
