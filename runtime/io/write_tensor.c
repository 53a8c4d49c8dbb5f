/*
 * Writing a tensor's elements in C order, whatever its strides: the file
 * formats (.npy, .safetensors) store dense C-order bytes.
 */
#include "io/xp_io.h"

#include "backend/xp_backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool xp_io_nbytes(xp_dtype dt, int ndim, const int64_t *shape, int64_t *out) {
    uint64_t n = xp_dtype_size(dt);
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0 || __builtin_mul_overflow(n, (uint64_t)shape[d], &n)) return false;
    }
    if (n > (uint64_t)INT64_MAX) return false;
    *out = (int64_t)n;
    return true;
}

/* True when the view's elements are dense in C order (size-1 dims may have
 * any stride). */
static bool dense_c_order(const xp_tensor *t) {
    int64_t expect = 1;
    for (int d = t->meta.ndim - 1; d >= 0; d--) {
        if (t->meta.shape[d] == 1) continue;
        if (t->strides[d] != expect) return false;
        expect *= t->meta.shape[d];
    }
    return true;
}

static xp_status write_all(FILE *f, const void *p, size_t n, const char *path) {
    if (n && fwrite(p, 1, n, f) != n)
        return xp_error(XP_ERR_IO, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
    return XP_OK;
}

xp_status xp_io_write_tensor_data(FILE *f, const xp_tensor *t, const char *path) {
    int ndim = t->meta.ndim;
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) numel *= t->meta.shape[d];
    if (numel == 0) return XP_OK;
    if (!t->storage || !t->storage->data)
        return xp_error(XP_ERR_INVALID_ARG, "cannot write '%s': the tensor has no data (a shape-only tensor)",
                        path);
    size_t es = xp_dtype_size(t->meta.dtype);

    /* Device storage: bring the whole storage to the host, then read the
     * view from the copy exactly as from host memory. */
    xp_tensor host_view = *t;
    xp_storage host_storage;
    void *host_copy = NULL;
    const xp_backend *dev = t->storage->device;
    if (dev) { /* as in xp_data: a storage with a device is not host memory */
        if (!dev->to_host)
            return xp_error(XP_ERR_UNSUPPORTED, "cannot write '%s': backend '%s' cannot copy to the host", path,
                            dev->name);
        host_copy = xp_malloc(t->storage->nbytes ? t->storage->nbytes : 1);
        if (!host_copy) return XP_ERR_OOM;
        xp_status st = dev->to_host(dev, host_copy, t->storage->data, t->storage->nbytes);
        if (st != XP_OK) {
            free(host_copy);
            return xp_error_prefix("writing '%s'", path);
        }
        host_storage = *t->storage;
        host_storage.data = host_copy;
        host_storage.device = NULL;
        host_view.storage = &host_storage;
    }

    xp_status st = XP_OK;
    if (dense_c_order(&host_view)) {
        st = write_all(f, xp_tensor_base_ptr(&host_view), (size_t)numel * es, path);
    } else {
        /* Gather rows into a buffer; a row is contiguous when the innermost
         * stride is 1, else gathered element by element. */
        int64_t row = ndim ? host_view.meta.shape[ndim - 1] : 1;
        size_t row_bytes = (size_t)row * es;
        bool row_dense = ndim == 0 || host_view.strides[ndim - 1] == 1 || row == 1;
        size_t cap = row_bytes > (1u << 20) ? row_bytes : (1u << 20);
        char *buf = xp_malloc(cap);
        if (!buf) {
            free(host_copy);
            return XP_ERR_OOM;
        }
        int64_t idx[XP_MAX_DIMS] = {0};
        size_t used = 0;
        bool more = true;
        while (more && st == XP_OK) {
            if (used + row_bytes > cap) {
                st = write_all(f, buf, used, path);
                used = 0;
            }
            const char *src = xp_tensor_at(&host_view, idx);
            if (row_dense) {
                memcpy(buf + used, src, row_bytes);
            } else {
                int64_t stride = host_view.strides[ndim - 1] * (int64_t)es;
                for (int64_t i = 0; i < row; i++) memcpy(buf + used + (size_t)i * es, src + i * stride, es);
            }
            used += row_bytes;
            /* advance over all dims but the last */
            more = ndim > 1 && xp_index_next(ndim - 1, host_view.meta.shape, idx);
        }
        if (st == XP_OK) st = write_all(f, buf, used, path);
        free(buf);
    }
    free(host_copy);
    return st;
}
