/* windows.c: writing files on Windows (MinGW-w64), what os/posix.c does on
 * POSIX systems.  A checkpoint is written to a temporary file in the
 * target's folder, flushed to the disk (_commit: FlushFileBuffers) and moved
 * over the target by MoveFileEx with MOVEFILE_REPLACE_EXISTING (one rename
 * in NTFS: the old file or the new one, never a mix) and
 * MOVEFILE_WRITE_THROUGH (returns once the move is on the disk: what
 * syncing the folder does on POSIX).
 *
 * Differences (docs/targets.md, "Windows"): a symbolic link is replaced, not
 * followed (following a reparse point needs the wide-character API and
 * privileges most users lack to create one); nothing is written in place, as
 * Windows has no FIFOs and its devices (NUL, CON) are not files that stat
 * reports. */
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <windows.h>

int rt_output_target(const char *path, char **target, int *in_place) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return rt_error(DM_EIO, "%s: is a directory", path);
    *target = strdup(path);
    *in_place = 0;
    return *target ? DM_OK : rt_error(DM_ENOMEM, "%s: out of memory", path);
}

/* The text of Windows error code, without its trailing line break. */
static const char *windows_message(DWORD code, char *text, size_t size) {
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text,
                             (DWORD)size, NULL);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == '.'))
        text[--n] = 0;
    if (n == 0)
        rt_snprintf(text, size, "Windows error %lu", (unsigned long)code);
    return text;
}

int rt_write_checkpoint(const char *path, const uint8_t *bytes, size_t len) {
    char *target = NULL;
    int in_place = 0;
    int rc = rt_output_target(path, &target, &in_place);
    if (rc != DM_OK)
        return rc;
    size_t plen = strlen(target);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(target);
        return rt_error(DM_ENOMEM, "dm_save: out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd >= 0)
        _setmode(fd, _O_BINARY); /* no CR before LF */
    if (fd < 0) {
        rc = rt_error(DM_EIO, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
        free(tmp), free(target);
        return rc;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        rc = rt_error(DM_EIO, "%s: %s", tmp, strerror(errno));
        close(fd);
    } else {
        bool ok = fwrite(bytes, 1, len, f) == len;
        ok = ok && fflush(f) == 0 && _commit(fileno(f)) == 0;
        if (!ok)
            rc = rt_error(DM_EIO, "%s: cannot write the checkpoint: %s", path, strerror(errno));
        if (fclose(f) != 0 && rc == DM_OK)
            rc = rt_error(DM_EIO, "%s: cannot write the checkpoint: %s", path, strerror(errno));
    }
    if (rc == DM_OK && !MoveFileExA(tmp, target, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        char why[256];
        rc = rt_error(DM_EIO, "%s: cannot replace it with the new checkpoint: %s", path,
                      windows_message(GetLastError(), why, sizeof why));
    }
    if (rc != DM_OK)
        remove(tmp);
    free(tmp), free(target);
    return rc;
}
