/* bench.c: times one entry of a compiled model.  Built once per workload with
 * -DDM_MODEL=NAME_model -include NAME.h by bench/run.py.
 *
 *   bench ENTRY REPS THREADS ROUNDS
 * ENTRY is train (dm_train_step) or forward (dm_forward).  Prints one line per
 * round: the mean microseconds per call over REPS calls, after a warm-up.
 * With BENCH_CPU=1 in the environment the time is the process's CPU time
 * instead of the wall clock (steadier on a loaded machine; one thread only).
 * Inputs are filled once with fixed pseudo-random values (labels in range). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm.h"

static int cpu_time;

static double now_us(void) {
    struct timespec t;
    clock_gettime(cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static void fill_inputs(dm_model *m) {
    const dm_model_desc *d = dm_desc(m);
    uint32_t s = 12345;
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_INPUT) continue;
        void *p = dm_data(m, t->name);
        for (int64_t k = 0; k < t->count; k++) {
            s = s * 1664525u + 1013904223u;
            if (t->dtype == DM_I32) ((int32_t *)p)[k] = (int32_t)((s >> 16) % 10);
            else ((float *)p)[k] = (float)((s >> 8) & 0xffff) / 65536.0f - 0.5f;
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: bench train|forward REPS THREADS ROUNDS\n");
        return 2;
    }
    int train = strcmp(argv[1], "train") == 0;
    cpu_time = getenv("BENCH_CPU") && strcmp(getenv("BENCH_CPU"), "1") == 0;
    int reps = atoi(argv[2]), threads = atoi(argv[3]), rounds = atoi(argv[4]);
    dm_model *m = dm_new(&DM_MODEL, 1);
    if (!m || dm_set_threads(m, threads) != 0) {
        fprintf(stderr, "bench: %s\n", dm_last_error());
        return 1;
    }
    fill_inputs(m);
    float loss;
    for (int r = 0; r < rounds + 1; r++) {
        double t0 = now_us();
        for (int i = 0; i < reps; i++)
            if ((train ? dm_train_step(m, &loss) : dm_forward(m)) != 0) {
                fprintf(stderr, "bench: %s\n", dm_last_error());
                return 1;
            }
        double dt = (now_us() - t0) / reps;
        if (r > 0) printf("%.3f\n", dt);   /* round 0 is the warm-up */
    }
    printf("memory %zu\n", dm_memory_size(&DM_MODEL));
    dm_free(m);
    return 0;
}
