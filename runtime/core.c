/* core.c: the freestanding core's side of the functions the hosted library
 * implements with the operating system (rt.h, "The two libraries"):
 * libdmrt_core.a links this file where libdmrt.a links error.c,
 * threads.c, cpu.c and model_hosted.c.  It needs no malloc, threads,
 * thread-local storage, stdio, files or environment:
 *
 *   - the last error is one message for the program, not one per thread
 *     (a bare-metal program has one thread), formatted by rt_snprintf;
 *   - every entry runs on the calling thread (dm_exec.parallel runs the
 *     tasks in order; dm_set_threads accepts any count, dm_threads says 1);
 *   - the processor is not checked: the program was built for it;
 *   - there is no dm_new, so dm_free has nothing to release. */
#include "rt.h"

static char last_error[256];
static int last_code;

int rt_error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rt_vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_code = code;
    return code;
}

void rt_clear_error(void) {
    last_error[0] = 0;
    last_code = DM_OK;
}

const char *dm_last_error(void) {
    return last_error;
}

int dm_last_error_code(void) {
    return last_code;
}

static void parallel_inline(dm_exec *ex, dm_task_fn fn, void *ctx, int ntasks) {
    (void)ex;
    for (int i = 0; i < ntasks; i++)
        fn(ctx, i, ntasks);
}

void rt_exec_reset(dm_model *m, int threads) {
    (void)threads;
    m->exec.parallel = parallel_inline;
    m->exec.threads = 1;
    m->exec.pool = NULL;
    m->exec.bad_label = rt_bad_label;
}

void rt_exec_prepare(dm_model *m) {
    (void)m;
}

void rt_exec_teardown(dm_model *m) {
    (void)m;
}

int rt_default_threads(void) {
    return 1;
}

int rt_check_cpu(const dm_model_desc *d) {
    (void)d;
    return DM_OK;
}

/* Nothing is detected here: the baseline code, which the caller vouched for. */
const dm_model_desc *rt_pick_code(const dm_model_desc *d) {
    return d;
}

void rt_release_block(void *block) {
    (void)block;
}
