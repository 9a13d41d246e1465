/* file.c: reading a whole file, for checkpoints (safetensors.c) and data
 * files (data_idx.c), and where a written file goes (dm_save, and dmc's
 * outputs: the same rule for both).  Errors name the file and say what went
 * wrong. */
#include "rt.h"

#include <errno.h>
#include <limits.h>
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

int rt_read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return rt_error(DM_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return rt_error(DM_EIO, "%s: not a regular file", path);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return rt_error(DM_ENOMEM, "%s: cannot allocate %zu bytes to read it", path, n);
    }
    size_t got = fread(buf, 1, n, f);
    int failed = ferror(f);
    fclose(f);
    if (got != n || failed) {
        free(buf);
        return rt_error(DM_EIO, "%s: cannot read: %s", path, failed ? strerror(errno) : "the file shrank");
    }
    *data = buf;
    *size = n;
    return DM_OK;
}
