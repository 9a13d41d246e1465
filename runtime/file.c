/* file.c: reading a whole file, for checkpoints (safetensors.c) and data
 * files (data_idx.c).  Errors name the file and say what went wrong.
 * Writing files differs by operating system: os/posix.c, os/windows.c. */
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
