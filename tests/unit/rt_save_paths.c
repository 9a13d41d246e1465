/* rt_save_paths.c: where dm_save writes (issue 11, 2.7; docs/runtime.md).
 *
 * A symbolic link stays a link and the regular file at its end gets the
 * checkpoint (a chain of links too, relative targets from each link's
 * folder); a dangling link's target is created; a FIFO, read by a child
 * process, is written in place and stays a FIFO; a directory is DM_EIO.  No
 * case leaves a temporary behind.  Every checkpoint must load back into a
 * model that then holds the saved weights.  (The real /dev/null is never
 * used.) */
#include "../runtime/fixture.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/dm_save_paths.XXXXXX";

static const char *at(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int temporaries(const char *folder) {
    DIR *d = opendir(folder);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += strstr(e->d_name, ".tmp.") != NULL;
    if (d) closedir(d);
    return n;
}

static int is_link(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The checkpoint at path loads, and gives fc.W[0] = w. */
static void loads(const char *path, float w) {
    dm_model *back = dm_new(&fx_model, 99);
    CHECK_ERR(dm_load(back, path), DM_OK);
    CHECK(((float *)dm_data(back, "fc.W"))[0] == w);
    dm_free(back);
}

int main(void) {
    if (!mkdtemp(dir)) return 2;
    dm_model *m = dm_new(&fx_model, 7);
    float *W = dm_data(m, "fc.W");
    W[0] = 1.5f;
    char ref[4096], got[4096];
    CHECK_ERR(dm_save(m, at("ref.st")), DM_OK);
    size_t size = fx_read_all(at("ref.st"), ref, sizeof ref);
    CHECK(size > 64 && size < sizeof ref);

    /* A link to a file in another folder (relative), and a chain to it. */
    CHECK(mkdir(at("out"), 0755) == 0 && mkdir(at("links"), 0755) == 0);
    FILE *old = fopen(at("out/real.st"), "w");
    CHECK(old && fputs("old", old) >= 0 && fclose(old) == 0);
    CHECK(symlink("../out/real.st", at("links/one.st")) == 0);
    CHECK(symlink(at("links/one.st"), at("links/two.st")) == 0);
    const char *links[] = {"links/one.st", "links/two.st"};
    for (int k = 0; k < 2; k++) {
        W[0] = 2.0f + (float)k;
        CHECK_ERR(dm_save(m, at(links[k])), DM_OK);
        CHECK(is_link(at("links/one.st")) && is_link(at("links/two.st")));
        CHECK(!is_link(at("out/real.st")));
        loads(at(links[k]), W[0]);
        loads(at("out/real.st"), W[0]);
    }
    char target[64] = "";
    CHECK(readlink(at("links/one.st"), target, sizeof target - 1) > 0 && strcmp(target, "../out/real.st") == 0);
    /* A dangling link: its target is created, in the link's folder. */
    CHECK(symlink("new.st", at("links/dangling.st")) == 0);
    CHECK_ERR(dm_save(m, at("links/dangling.st")), DM_OK);
    CHECK(is_link(at("links/dangling.st")));
    loads(at("links/new.st"), W[0]);
    CHECK(temporaries(at("out")) == 0 && temporaries(at("links")) == 0);

    /* A FIFO: a child reads it into a file; the bytes are the regular file's. */
    W[0] = 1.5f;
    CHECK(mkfifo(at("fifo"), 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *in = fopen(at("fifo"), "rb"), *out = fopen(at("from_fifo"), "wb");
        char buf[4096];
        size_t n;
        while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
        _exit(!in || !out || fclose(out) != 0);
    }
    CHECK_ERR(dm_save(m, at("fifo")), DM_OK);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    CHECK(lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(fx_read_all(at("from_fifo"), got, sizeof got) == size && memcmp(ref, got, size) == 0);
    CHECK(temporaries(dir) == 0);

    /* A directory is refused. */
    CHECK_ERR(dm_save(m, at("out")), DM_EIO);
    CHECK(strstr(dm_last_error(), "is a directory") != NULL);
    dm_free(m);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 2;
    FX_DONE();
}
