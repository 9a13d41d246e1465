/* rt_threads.c: the thread pool behind dm_exec.parallel.
 *
 * An entry sums 1 000 000 floats in 8 fixed partitions through
 * ex->parallel, then adds the partial sums in order: the result must be
 * bit-identical with 1, 2 and 4 threads and across repeated runs, and every
 * task must run exactly once.  The oracle for the sum: x[i] = (i % 1000) *
 * 0.001, so the exact total is 1000 * (0 + 0.001 + ... + 0.999) = 499500;
 * the float sum must be within 1e-3 relative of it. */
#include "../runtime/fixture.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#define COUNT 1000000
#define PARTS 8

typedef struct job {
    const float *x;
    float partial[PARTS];
    int runs[PARTS];
} job;

static void sum_part(void *ctx, int task, int ntasks) {
    job *j = ctx;
    int64_t begin = (int64_t)COUNT * task / ntasks, end = (int64_t)COUNT * (task + 1) / ntasks;
    float s = 0;
    for (int64_t i = begin; i < end; i++)
        s += j->x[i];
    j->partial[task] = s;
    __atomic_fetch_add(&j->runs[task], 1, __ATOMIC_RELAXED);
}

static float *input;
static int bad_runs;

static int sum_entry(uint8_t *data, dm_exec *ex) {
    job j = {input, {0}, {0}};
    ex->parallel(ex, sum_part, &j, PARTS);
    float total = 0;
    for (int t = 0; t < PARTS; t++) {
        total += j.partial[t];
        if (j.runs[t] != 1)
            bad_runs++;
    }
    memcpy(data + 512, &total, 4); /* the fixture's loss */
    return 0;
}

/* A nested call (a task that calls parallel) must not deadlock. */
static void inner(void *ctx, int task, int ntasks) {
    __atomic_fetch_add((int *)ctx, 1, __ATOMIC_RELAXED);
}
typedef struct nest { dm_exec *ex; int count; } nest;
static void outer(void *ctx, int task, int ntasks) {
    nest *n = ctx;
    n->ex->parallel(n->ex, inner, &n->count, 3);
}
static int nested_entry(uint8_t *data, dm_exec *ex) {
    nest n = {ex, 0};
    ex->parallel(ex, outer, &n, 4);
    float v = (float)n.count;
    memcpy(data + 512, &v, 4);
    return 0;
}

static float run(dm_entry_fn entry, int threads) {
    dm_model_desc d = fx_model;
    d.gradients = entry;
    dm_model *m = dm_new(&d, 1);
    CHECK_ERR(dm_set_threads(m, threads), DM_OK);
    float loss = 0, first = 0;
    for (int rep = 0; rep < 20; rep++) {
        CHECK_ERR(dm_gradients(m, &loss), DM_OK);
        if (rep == 0)
            first = loss;
        else if (memcmp(&loss, &first, 4) != 0)
            CHECK(!"repeated runs differ");
    }
    CHECK(dm_threads(m) == threads);
    dm_free(m);
    return loss;
}

int main(void) {
    input = malloc(COUNT * sizeof *input);
    for (int i = 0; i < COUNT; i++)
        input[i] = (float)(i % 1000) * 0.001f;
    float s1 = run(sum_entry, 1), s2 = run(sum_entry, 2), s4 = run(sum_entry, 4);
    CHECK(fabs(s1 - 499500.0) < 499.5);
    CHECK(memcmp(&s1, &s2, 4) == 0 && memcmp(&s1, &s4, 4) == 0);
    CHECK(bad_runs == 0);
    CHECK(run(nested_entry, 1) == 12.0f); /* 4 outer tasks x 3 inner */
    CHECK(run(nested_entry, 3) == 12.0f);
    free(input);
    FX_DONE();
}
