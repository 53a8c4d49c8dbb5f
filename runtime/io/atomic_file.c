/*
 * Atomic file replacement: write a temporary beside the target, fsync it,
 * rename it over the target, fsync the directory. rename(2) within one
 * directory is atomic, so readers see the old file or the new one, never a
 * torn write.
 */
#include "io/xp_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_uint tmp_counter;

xp_status xp_atomic_file_open(xp_atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    if (!path || !path[0]) return xp_error(XP_ERR_INVALID_ARG, "file path is empty");
    af->path = xp_strdup(path);
    size_t cap = strlen(path) + 64;
    af->tmp = xp_malloc(cap);
    if (!af->path || !af->tmp) {
        xp_atomic_file_abort(af);
        return XP_ERR_OOM;
    }
    /* O_EXCL with a fresh name per try: never clobbers a file someone else
     * is writing, and mode 0666 lets the umask apply as for a normal create. */
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(af->tmp, cap, "%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&tmp_counter, 1));
        fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int err = errno;
        free(af->tmp);
        af->tmp = NULL; /* nothing to remove */
        xp_atomic_file_abort(af);
        return xp_error(XP_ERR_IO, "cannot create '%s': %s", path, strerror(err));
    }
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        int err = errno;
        close(fd);
        xp_atomic_file_abort(af);
        return xp_error(XP_ERR_IO, "cannot create '%s': %s", path, strerror(err));
    }
    return XP_OK;
}

void xp_atomic_file_abort(xp_atomic_file *af) {
    if (af->f) fclose(af->f);
    if (af->tmp) unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    memset(af, 0, sizeof *af);
}

static void fsync_parent_dir(const char *path) {
    /* Makes the rename durable; failure only weakens durability, so it is
     * not reported. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Records the failure of step `what` on af and releases it. */
static xp_status commit_failed(xp_atomic_file *af, const char *what, int err) {
    xp_status st = xp_error(XP_ERR_IO, "cannot %s '%s': %s", what, af->path, strerror(err));
    xp_atomic_file_abort(af);
    return st;
}

xp_status xp_atomic_file_commit(xp_atomic_file *af) {
    /* ferror catches a failed fwrite whose errno is long gone */
    if (ferror(af->f)) return commit_failed(af, "write", EIO);
    if (fflush(af->f) != 0) return commit_failed(af, "write", errno);
    /* EINVAL: the file system cannot sync (e.g. some pseudo file systems) */
    if (fsync(fileno(af->f)) != 0 && errno != EINVAL) return commit_failed(af, "sync", errno);
    int close_rc = fclose(af->f);
    af->f = NULL;
    if (close_rc != 0) return commit_failed(af, "close", errno);
    /* rename replaces `path` itself: a symlink at `path` is replaced, not
     * followed, as with any atomic-replace writer */
    if (rename(af->tmp, af->path) != 0) return commit_failed(af, "rename onto", errno);
    fsync_parent_dir(af->path);
    free(af->tmp);
    free(af->path);
    memset(af, 0, sizeof *af);
    return XP_OK;
}
