/*
 * The CPU backend: kernels from the registry's `cpu` column, host memory.
 */
#include "backend/xp_backend.h"

#include <string.h>

static xp_kernel_fn cpu_kernel(const xp_backend *be, xp_op_id id) {
    (void)be;
    const xp_op_def *op = xp_op_get(id);
    if (!op || op->cpu == xp_kernel_none) return NULL;
    return op->cpu;
}

static xp_status cpu_alloc(const xp_backend *be, size_t nbytes, void **out) {
    (void)be;
    *out = xp_aligned_alloc(nbytes);
    return *out ? XP_OK : XP_ERR_OOM;
}

static void cpu_free(const xp_backend *be, void *p) {
    (void)be;
    xp_aligned_free(p);
}

static xp_status cpu_copy(const xp_backend *be, void *dst, const void *src, size_t nbytes) {
    (void)be;
    if (nbytes) memmove(dst, src, nbytes);
    return XP_OK;
}

static xp_status cpu_sync(const xp_backend *be) {
    (void)be;
    return XP_OK;
}

static const xp_backend g_cpu = {
    .name = "cpu",
    .kernel = cpu_kernel,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .to_host = cpu_copy,
    .from_host = cpu_copy,
    .sync = cpu_sync,
};

const xp_backend *xp_backend_cpu(void) { return &g_cpu; }

const xp_backend *xp_backend_find(const char *name) {
    if (name && strcmp(name, "cpu") == 0) return &g_cpu;
    if (name && strcmp(name, "cuda") == 0) {
        xp_error(XP_ERR_UNSUPPORTED, "backend 'cuda' is not available: this libxport was built without CUDA");
        return NULL;
    }
    xp_error(XP_ERR_INVALID_ARG, "unknown backend '%s' (available: cpu)", name ? name : "(null)");
    return NULL;
}
