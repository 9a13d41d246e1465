/* link.c: --emit=shared, a loadable library holding the models and their
 * runtime: the object (position-independent, as every dmc object) linked
 * with the whole of libdmrt.a by the system's C compiler driver:
 *
 *   cc -shared -o OUT OBJECT -Wl,--whole-archive libdmrt.a -Wl,--no-whole-archive -lm -lpthread
 *
 * The runtime archive is, in order: $DMC_RUNTIME (a path to libdmrt.a), then
 * libdmrt.a beside the dmc executable (the build tree: build/dmc and
 * build/libdmrt.a), then ../lib/libdmrt.a relative to it (an installed
 * PREFIX/bin/dmc and PREFIX/lib/libdmrt.a).  The driver is $DMC_CC, else cc.
 * The runtime exports only its public API (DM_API), so the library exports
 * the dm_* functions, the descriptors NAME_model and the table dm_models.
 *
 * Needs: an object written by cg_emit.  Guarantees: false with the reason
 * on stderr when no runtime is found or the driver fails. */
#include "cg/cg.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The folder of the running dmc (from /proc/self/exe), or NULL. */
static const char *own_folder(Arena *a) {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return NULL;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash) return NULL;
    *slash = 0;
    return arena_strdup(a, buf);
}

const char *link_find_runtime(Arena *a) {
    const char *env = getenv("DMC_RUNTIME");
    if (env && *env) return access(env, R_OK) == 0 ? env : NULL;
    const char *dir = own_folder(a);
    if (!dir) return NULL;
    const char *candidates[] = {arena_printf(a, "%s/libdmrt.a", dir), arena_printf(a, "%s/../lib/libdmrt.a", dir)};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (access(candidates[i], R_OK) == 0) return candidates[i];
    return NULL;
}

bool link_shared(Arena *a, const char *object, const char *output) {
    const char *runtime = link_find_runtime(a);
    if (!runtime) {
        const char *env = getenv("DMC_RUNTIME");
        if (env && *env)
            fprintf(stderr, "dmc: error: cannot read the runtime archive %s ($DMC_RUNTIME)\n", env);
        else
            fprintf(stderr, "dmc: error: cannot find libdmrt.a beside dmc or in ../lib; "
                            "set DMC_RUNTIME to its path\n");
        return false;
    }
    const char *cc = getenv("DMC_CC");
    if (!cc || !*cc) cc = "cc";
    char *argv[] = {(char *)cc, "-shared", "-o", (char *)output, (char *)object, "-Wl,--whole-archive",
                    (char *)runtime, "-Wl,--no-whole-archive", "-lm", "-lpthread", NULL};
    pid_t pid;
    int err = posix_spawnp(&pid, cc, NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "dmc: error: cannot run the linker '%s': %s (set DMC_CC)\n", cc, strerror(err));
        return false;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "dmc: error: waiting for the linker '%s': %s\n", cc, strerror(errno));
            return false;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "dmc: error: the linker '%s' failed (%s %d) making %s\n", cc,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), output);
        return false;
    }
    return true;
}
