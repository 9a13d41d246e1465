/* bandwidth.c: the memory-side limit of `make bench`, one thread.
 *
 *   bandwidth read BYTES   reads a buffer of BYTES from start to end, again and
 *                          again, as a forward call reads its weights on every
 *                          call: the bandwidth of wherever BYTES stay between
 *                          calls (a cache level, or memory)
 *   bandwidth triad        STREAM's triad a[i] = b[i] + s c[i] over three
 *                          arrays of 32 Mi floats (384 MB counted a pass): memory
 * Prints "GB/s" and the figure, best of 5 timings of at least 20 ms each
 * (the fastest is the one least disturbed by other work on the machine).
 * Built with -O3 -march=native by bench/run.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float vec16 __attribute__((vector_size(64)));

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One pass over n floats (n a multiple of 128) with 8 independent sums. */
static float read_pass(const float *p, size_t n) {
    vec16 acc[8] = {0};
    for (size_t i = 0; i < n; i += 128)
        for (int j = 0; j < 8; j++) {
            vec16 v;
            memcpy(&v, p + i + 16 * j, sizeof v);
            acc[j] += v;
        }
    for (int j = 1; j < 8; j++) acc[0] += acc[j];
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[0][k];
    return s;
}

static void triad_pass(float *a, const float *b, const float *c, size_t n, float s) {
    for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

int main(int argc, char **argv) {
    int triad = argc == 2 && strcmp(argv[1], "triad") == 0;
    if (!triad && !(argc == 3 && strcmp(argv[1], "read") == 0)) {
        fprintf(stderr, "usage: bandwidth read BYTES | bandwidth triad\n");
        return 2;
    }
    size_t n = triad ? (size_t)32 << 20 : ((size_t)atoll(argv[2]) / 4 + 127) / 128 * 128;
    float *a = aligned_alloc(64, n * 4), *b = triad ? aligned_alloc(64, n * 4) : NULL,
          *c = triad ? aligned_alloc(64, n * 4) : NULL;
    if (n == 0 || !a || (triad && (!b || !c))) {
        fprintf(stderr, "bandwidth: bad size or out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = (float)(i % 7);
        if (triad) { b[i] = 1.0f; c[i] = (float)(i % 3); }
    }
    double bytes = triad ? 3.0 * n * 4 : n * 4.0, best = 0;
    volatile float sink = 0;
    for (int t = 0; t < 6; t++) {   /* the first timing warms the caches up */
        long passes = 0;
        double t0 = now_s(), dt;
        do {
            if (triad) { triad_pass(a, b, c, n, 0.5f); sink = a[passes % n]; }
            else sink += read_pass(a, n);
            passes++;
        } while ((dt = now_s() - t0) < 0.02);
        double gbs = bytes * passes / dt / 1e9;
        if (t > 0 && gbs > best) best = gbs;
    }
    printf("GB/s %.1f\n", best);
    (void)sink;
    free(a); free(b); free(c);
    return 0;
}
