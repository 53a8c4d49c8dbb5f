/*
 * Helpers shared by the file readers and writers (runtime/io/): atomic file
 * replacement and writing a tensor's elements in C order.
 */
#ifndef XP_IO_H
#define XP_IO_H

#include "tensor/xp_tensor_impl.h"

#include <stdio.h>

/*
 * A file written under a temporary name beside `path` and renamed over it
 * on commit, so a reader never sees a half-written file and a failed write
 * leaves the old file (if any) untouched. The temporary is created with
 * mode 0666 minus the umask, like fopen(path, "wb") would.
 */
typedef struct xp_atomic_file {
    FILE *f;    /* write here between open and commit/abort */
    char *path; /* the final name */
    char *tmp;  /* the temporary name */
} xp_atomic_file;

xp_status xp_atomic_file_open(xp_atomic_file *af, const char *path);
/* Flushes, fsyncs, closes and renames over `path`; on any failure removes
 * the temporary. The struct is released either way. */
xp_status xp_atomic_file_commit(xp_atomic_file *af);
/* Closes and removes the temporary; safe on a zeroed struct. */
void xp_atomic_file_abort(xp_atomic_file *af);

/* Writes t's numel * dtype size bytes in C order (gathering a strided view,
 * copying device storage to the host first). `path` names the file in
 * messages. */
xp_status xp_io_write_tensor_data(FILE *f, const xp_tensor *t, const char *path);

/* numel * dtype size of a shape, or false when it overflows int64. */
bool xp_io_nbytes(xp_dtype dt, int ndim, const int64_t *shape, int64_t *out);

#endif /* XP_IO_H */
