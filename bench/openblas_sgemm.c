/* openblas_sgemm.c: the matmul row's third anchor in `make bench`: OpenBLAS
 * called directly (cblas_sgemm), without PyTorch around it.  Built by
 * bench/run.py with `pkg-config --cflags --libs openblas`
 * (libopenblas-pthread-dev).
 *
 *   openblas_sgemm N REPS THREADS ROUNDS
 * C = A B for N x N row-major float matrices.  Prints OpenBLAS's own
 * description of itself ("config ..."), the kernel it chose for this CPU
 * ("core NAME") and its thread count ("threads N"), then one line per round:
 * the mean microseconds per call over REPS calls, after a warm-up round. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: openblas_sgemm N REPS THREADS ROUNDS\n");
        return 2;
    }
    int n = atoi(argv[1]), reps = atoi(argv[2]), threads = atoi(argv[3]), rounds = atoi(argv[4]);
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
          *c = malloc(sizeof(float) * n * n);
    if (n < 1 || reps < 1 || !a || !b || !c) {
        fprintf(stderr, "openblas_sgemm: bad size or out of memory\n");
        return 1;
    }
    uint32_t s = 12345;
    for (long i = 0; i < (long)n * n; i++) {
        s = s * 1664525u + 1013904223u; a[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
        s = s * 1664525u + 1013904223u; b[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
    openblas_set_num_threads(threads);
    printf("config %s\ncore %s\nthreads %d\n", openblas_get_config(), openblas_get_corename(),
           openblas_get_num_threads());
    for (int r = 0; r < rounds + 1; r++) {
        double t0 = now_us();
        for (int i = 0; i < reps; i++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = (now_us() - t0) / reps;
        if (r > 0) printf("%.3f\n", dt);   /* round 0 is the warm-up */
    }
    /* A checked product keeps the calls from being pointless: C[0][0] by hand. */
    double c00 = 0;
    for (int k = 0; k < n; k++) c00 += (double)a[k] * b[(long)k * n];
    if (c[0] - c00 > 1e-3 * n || c00 - c[0] > 1e-3 * n) {
        fprintf(stderr, "openblas_sgemm: C[0][0] = %g, expected %g\n", c[0], c00);
        return 1;
    }
    free(a); free(b); free(c);
    return 0;
}
