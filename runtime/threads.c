/* threads.c: the thread pool behind dm_exec.parallel.
 *
 * parallel(ex, fn, ctx, n) runs fn(ctx, i, n) for every i in [0, n) and
 * returns when all have finished.  The calling thread takes tasks too, so a
 * pool for T threads has T - 1 workers.  Tasks are handed out dynamically
 * (an atomic counter), so which thread runs a task varies, but what each
 * task computes is fixed by the caller's partition: results do not depend on
 * scheduling.  Idle workers poll briefly before sleeping (SPIN_POLLS), so
 * back-to-back calls do not pay a wake-up each.  With one thread, or while the pool is already running a job
 * (a nested or concurrent call), the tasks run inline in order.
 *
 * The pool is created by the first entry call with threads > 1 and joined by
 * dm_free or dm_set_threads.  Needs only pthreads. */
#include "rt.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct rt_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;     /* workers: a new job or stop */
    pthread_cond_t done;     /* the caller: every worker left the job */
    pthread_t *workers;
    int nworkers;
    _Atomic uint64_t generation; /* counts jobs; a worker runs each generation once */
    bool stop, busy;
    int workers_in_job;      /* workers that have not yet finished the current job */
    dm_task_fn fn;
    void *ctx;
    int ntasks;
    atomic_int next_task;
    _Atomic int unfinished;  /* mirrors workers_in_job for the caller's spin */
} rt_pool;

/* A worker that has just finished a job polls for the next one this many
 * times before sleeping: entries call parallel() many times per step, and a
 * condition-variable wake-up costs more than a short spin. */
#define SPIN_POLLS 4000

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void run_tasks(rt_pool *p) {
    for (;;) {
        int i = atomic_fetch_add(&p->next_task, 1);
        if (i >= p->ntasks)
            return;
        p->fn(p->ctx, i, p->ntasks);
    }
}

static void *worker_main(void *arg) {
    rt_pool *p = arg;
    uint64_t seen = 0;
    for (;;) {
        for (int i = 0; i < SPIN_POLLS && atomic_load(&p->generation) == seen; i++)
            cpu_relax();
        pthread_mutex_lock(&p->lock); /* the job's fields are read under the lock */
        while (!p->stop && atomic_load(&p->generation) == seen)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        seen = atomic_load(&p->generation);
        pthread_mutex_unlock(&p->lock);
        run_tasks(p);
        pthread_mutex_lock(&p->lock);
        atomic_fetch_sub(&p->unfinished, 1);
        if (--p->workers_in_job == 0)
            pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

static void run_inline(dm_task_fn fn, void *ctx, int ntasks) {
    for (int i = 0; i < ntasks; i++)
        fn(ctx, i, ntasks);
}

static void parallel_inline(dm_exec *ex, dm_task_fn fn, void *ctx, int ntasks) {
    run_inline(fn, ctx, ntasks);
}

static void parallel_pool(dm_exec *ex, dm_task_fn fn, void *ctx, int ntasks) {
    rt_pool *p = ex->pool;
    if (ntasks <= 1 || !p) {
        run_inline(fn, ctx, ntasks);
        return;
    }
    pthread_mutex_lock(&p->lock);
    if (p->busy) { /* nested or concurrent use: no deadlock, just no parallelism */
        pthread_mutex_unlock(&p->lock);
        run_inline(fn, ctx, ntasks);
        return;
    }
    p->busy = true;
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next_task, 0);
    p->workers_in_job = p->nworkers;
    atomic_store(&p->unfinished, p->nworkers);
    atomic_fetch_add(&p->generation, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);

    run_tasks(p);

    for (int i = 0; i < SPIN_POLLS && atomic_load(&p->unfinished) > 0; i++)
        cpu_relax();
    pthread_mutex_lock(&p->lock);
    while (p->workers_in_job > 0)
        pthread_cond_wait(&p->done, &p->lock);
    p->busy = false;
    pthread_mutex_unlock(&p->lock);
}

static void pool_destroy(rt_pool *p) {
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nworkers; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p->workers);
    free(p);
}

static rt_pool *pool_create(int threads) {
    rt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->workers = calloc((size_t)threads, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->next_task, 0);
    atomic_init(&p->generation, 0);
    atomic_init(&p->unfinished, 0);
    for (int i = 0; i < threads - 1; i++) {
        if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0)
            break;
        p->nworkers++;
    }
    if (p->nworkers == 0) {
        pool_destroy(p);
        return NULL;
    }
    return p;
}

void rt_exec_reset(dm_model *m, int threads) {
    m->exec.parallel = parallel_inline;
    m->exec.threads = threads;
    m->exec.pool = NULL;
    m->exec.bad_label = rt_bad_label;
}

void rt_exec_prepare(dm_model *m) {
    if (m->exec.threads <= 1 || m->exec.pool)
        return;
    rt_pool *p = pool_create(m->exec.threads);
    if (!p) { /* no threads available: run inline, and say so in exec.threads */
        m->exec.threads = 1;
        return;
    }
    m->exec.threads = p->nworkers + 1;
    m->exec.pool = p;
    m->exec.parallel = parallel_pool;
}

void rt_exec_teardown(dm_model *m) {
    if (m->exec.pool)
        pool_destroy(m->exec.pool);
    m->exec.pool = NULL;
    m->exec.parallel = parallel_inline;
}

int rt_default_threads(void) {
    const char *s = getenv("DM_THREADS");
    if (!s || !*s)
        return 1;
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || n < 1 || n > 1024) /* as documented: anything else means 1 */
        return 1;
    return (int)n;
}
