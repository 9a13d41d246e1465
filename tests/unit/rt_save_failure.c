/* rt_save_failure.c: dm_save never destroys the previous checkpoint.
 *
 * A full disk is simulated with RLIMIT_FSIZE (writes past the limit fail with
 * EFBIG, SIGXFSZ ignored): dm_save must return DM_EIO, leave the old file
 * byte for byte and remove its temporary.  A crash mid-save is the same limit
 * with SIGXFSZ at its default action, which kills the process inside the
 * write: the old file must still be intact and load. */
#include "../runtime/fixture.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

/* Runs dm_save in a child whose files may not grow past `limit` bytes;
 * returns the child's wait status. */
static int save_in_child(dm_model *m, const char *path, rlim_t limit, int ignore_sigxfsz) {
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit r = {limit, limit};
        if (ignore_sigxfsz) signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &r);
        int rc = dm_save(m, path);
        _exit(rc == DM_EIO ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

int main(void) {
    char dir[] = "/tmp/dm_save_failure.XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char path[256], old[4096], now[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);

    dm_model *m = dm_new(&fx_model, 7);
    float *W = dm_data(m, "fc.W");
    W[0] = 1.5f;
    CHECK_ERR(dm_save(m, path), DM_OK);
    size_t old_size = fx_read_all(path, old, sizeof old);
    CHECK(old_size > 64 && old_size < sizeof old);
    W[0] = -2.5f;   /* what a failed save must not write */

    /* full disk: the write fails half way */
    int status = save_in_child(m, path, old_size / 2, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);   /* dm_save returned DM_EIO */
    CHECK(fx_read_all(path, now, sizeof now) == old_size && memcmp(old, now, old_size) == 0);
    CHECK(count_files(dir) == 1);                            /* no temporary left */

    /* crash: killed by SIGXFSZ inside the write */
    status = save_in_child(m, path, old_size / 2, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
    CHECK(fx_read_all(path, now, sizeof now) == old_size && memcmp(old, now, old_size) == 0);
    dm_model *back = dm_new(&fx_model, 8);
    CHECK_ERR(dm_load(back, path), DM_OK);
    CHECK(((float *)dm_data(back, "fc.W"))[0] == 1.5f);

    /* the disk has room again: the save goes through */
    CHECK_ERR(dm_save(m, path), DM_OK);
    CHECK_ERR(dm_load(back, path), DM_OK);
    CHECK(((float *)dm_data(back, "fc.W"))[0] == -2.5f);

    dm_free(back);
    dm_free(m);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 2;
    FX_DONE();
}
