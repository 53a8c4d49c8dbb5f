/*
 * A backend is a struct of function pointers (ggml's model). Callers never
 * test which backend they have; they call through this struct. The CPU
 * backend takes its kernels from the registry's `cpu` column; a CUDA backend
 * supplies its own table without touching the ops' callers.
 */
#ifndef XP_BACKEND_H
#define XP_BACKEND_H

#include "ops/xp_registry.h"

typedef struct xp_backend {
    const char *name;
    /* The kernel for `op`, or NULL when this backend lacks it. */
    xp_kernel_fn (*kernel)(const struct xp_backend *be, xp_op_id op);
    /* Device memory for tensor storage (host memory for the CPU). */
    xp_status (*alloc)(const struct xp_backend *be, size_t nbytes, void **out);
    void (*free)(const struct xp_backend *be, void *p);
    /* Copies between host and this backend's memory. */
    xp_status (*to_host)(const struct xp_backend *be, void *host, const void *dev, size_t nbytes);
    xp_status (*from_host)(const struct xp_backend *be, void *dev, const void *host, size_t nbytes);
    /* Waits for queued work to finish (a no-op on the CPU). */
    xp_status (*sync)(const struct xp_backend *be);
} xp_backend;

/* "cpu" always; "cuda" when built with CUDA and a device is present.
 * NULL with an XP_ERR_UNSUPPORTED message otherwise. */
const xp_backend *xp_backend_find(const char *name);
const xp_backend *xp_backend_cpu(void);

#endif /* XP_BACKEND_H */
