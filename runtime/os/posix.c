/* posix.c: writing files on a POSIX system (Linux, the BSDs, macOS): where
 * a write goes (symbolic links followed, devices and FIFOs written in place)
 * and dm_save's durable replacement (mkstemp, fsync, rename, then fsync of
 * the folder).  os/windows.c is the same for Windows; the Makefile builds
 * one of the two. */
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The target of the symbolic link `link` (lstat'ed: st), as a path usable
 * from here: a relative target is relative to the link's folder. */
static char *link_target(const char *link, const struct stat *st) {
    size_t size = (size_t)st->st_size + 1, folder = 0;
    const char *slash = strrchr(link, '/');
    if (slash)
        folder = (size_t)(slash - link) + 1;
    for (;;) { /* st_size may be 0 (some file systems) or stale: grow until it fits */
        char *text = malloc(size);
        if (!text)
            return NULL;
        ssize_t n = readlink(link, text, size);
        if (n < 0) {
            free(text);
            return NULL;
        }
        if ((size_t)n < size) {
            text[n] = 0;
            if (text[0] == '/' || folder == 0)
                return text;
            char *joined = malloc(folder + (size_t)n + 1);
            if (joined) {
                memcpy(joined, link, folder);
                memcpy(joined + folder, text, (size_t)n + 1);
            }
            free(text);
            return joined;
        }
        free(text);
        size *= 2;
    }
}

int rt_output_target(const char *path, char **target, int *in_place) {
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) { /* what the links lead to: a device, a FIFO */
        if (S_ISDIR(st.st_mode))
            return rt_error(DM_EIO, "%s: is a directory", path);
        *target = strdup(path); /* opened as given: /dev/stdout stays where it points */
        *in_place = 1;
        return *target ? DM_OK : rt_error(DM_ENOMEM, "%s: out of memory", path);
    }
    char *p = strdup(path);
    for (int links = 0; p; links++) {
        if (lstat(p, &st) != 0) {
            if (errno == ENOENT) { /* a new file (or a dangling link's target): created */
                *target = p;
                *in_place = 0;
                return DM_OK;
            }
            int rc = rt_error(DM_EIO, "%s: %s", path, strerror(errno));
            free(p);
            return rc;
        }
        if (!S_ISLNK(st.st_mode)) {
            if (S_ISDIR(st.st_mode)) {
                int rc = rt_error(DM_EIO, "%s: is a directory", path);
                free(p);
                return rc;
            }
            *target = p;
            *in_place = !S_ISREG(st.st_mode);
            return DM_OK;
        }
        if (links == 40) { /* as the kernel's limit (ELOOP) */
            free(p);
            return rt_error(DM_EIO, "%s: %s", path, strerror(ELOOP));
        }
        char *next = link_target(p, &st);
        free(p);
        p = next;
    }
    return rt_error(DM_EIO, "%s: cannot follow its symbolic link: %s", path, strerror(errno));
}

/* Makes the rename durable: fsync the folder holding path (best effort). */
static void sync_folder(const char *path) {
    const char *slash = strrchr(path, '/');
    char *folder = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    if (!folder)
        return;
    int fd = open(folder, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(folder);
}

/* Writes the checkpoint bytes to path: through a temporary file renamed over
 * the target, or in place (rt_output_target). */
int rt_write_checkpoint(const char *path, const uint8_t *bytes, size_t len) {
    char *target = NULL;
    int in_place = 0;
    int rc = rt_output_target(path, &target, &in_place);
    if (rc != DM_OK)
        return rc;
    size_t plen = strlen(target);
    char *tmp = in_place ? NULL : malloc(plen + 16);
    if (!in_place && !tmp) {
        free(target);
        return rt_error(DM_ENOMEM, "dm_save: out of memory");
    }
    if (tmp)
        snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", target);
    int fd = in_place ? open(target, O_WRONLY | O_TRUNC | O_CLOEXEC) : mkstemp(tmp);
    if (fd < 0) {
        rc = in_place ? rt_error(DM_EIO, "%s: cannot open: %s", path, strerror(errno))
                      : rt_error(DM_EIO, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
        free(tmp), free(target);
        return rc;
    }
    if (!in_place)
        fchmod(fd, 0644); /* mkstemp's 0600 is too strict for a checkpoint */
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        rc = rt_error(DM_EIO, "%s: %s", tmp ? tmp : path, strerror(errno));
        close(fd);
    } else {
        bool ok = fwrite(bytes, 1, len, f) == len;
        ok = ok && fflush(f) == 0 && (in_place || fsync(fileno(f)) == 0); /* a FIFO cannot be synced */
        if (!ok)
            rc = rt_error(DM_EIO, "%s: cannot write the checkpoint: %s", path, strerror(errno));
        if (fclose(f) != 0 && rc == DM_OK)
            rc = rt_error(DM_EIO, "%s: cannot write the checkpoint: %s", path, strerror(errno));
    }
    if (rc == DM_OK && tmp && rename(tmp, target) != 0)
        rc = rt_error(DM_EIO, "%s: cannot replace it with the new checkpoint: %s", path, strerror(errno));
    if (rc == DM_OK && tmp)
        sync_folder(target);
    if (rc != DM_OK && tmp)
        unlink(tmp);
    free(tmp), free(target);
    return rc;
}
