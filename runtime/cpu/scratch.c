/*
 * Kernel scratch memory that outlives a call: a few grow-only buffers per
 * calling thread. A planned program run calls the same kernels on the same
 * shapes every time, so after the first run no kernel allocates (DESIGN §5:
 * steady-state runs allocate nothing).
 */
#include "cpu/cpu_util.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct scratch_set {
    void *buf[XP_SCRATCH_SLOTS];
    size_t cap[XP_SCRATCH_SLOTS];
} scratch_set;

static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void free_set(void *p) {
    scratch_set *s = p;
    for (int i = 0; i < XP_SCRATCH_SLOTS; i++) xp_aligned_free(s->buf[i]);
    free(s);
}

static void make_key(void) {
    if (pthread_key_create(&g_key, free_set) != 0) XP_BUG("pthread_key_create failed for kernel scratch");
}

void *xp_cpu_scratch(xp_scratch_slot slot, size_t bytes) {
    if ((unsigned)slot >= XP_SCRATCH_SLOTS) XP_BUG("kernel scratch slot %d out of range", (int)slot);
    pthread_once(&g_once, make_key);
    scratch_set *s = pthread_getspecific(g_key);
    if (!s) {
        if (!(s = xp_calloc(1, sizeof *s))) return NULL;
        if (pthread_setspecific(g_key, s) != 0) {
            free(s);
            xp_error(XP_ERR_OOM, "kernel scratch: pthread_setspecific failed");
            return NULL;
        }
    }
    if (bytes == 0) bytes = 1;
    if (s->cap[slot] < bytes) {
        /* grow geometrically so a slowly growing shape re-allocates rarely */
        size_t want = bytes > s->cap[slot] * 2 ? bytes : s->cap[slot] * 2;
        void *p = xp_aligned_alloc(want);
        if (!p) return NULL;
        xp_aligned_free(s->buf[slot]);
        s->buf[slot] = p;
        s->cap[slot] = want;
    }
    return s->buf[slot];
}
