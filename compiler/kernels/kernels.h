/* kernels.h: what the kernel files of generated code share.
 *
 * The kernel files (one .c each in compiler/kernels) are compiled to
 * bitcode and linked into every module.  Their entry points are the dmk_
 * functions; the functions declared here are helpers one kernel file lends
 * another (cg_module makes every kernel function internal to the model's
 * object, so none of them is exported).  Vectors are explicit 16-float GCC vectors: one AVX-512
 * register where the target has them, pairs or quads of narrower ones
 * elsewhere. */
#ifndef DMK_KERNELS_H
#define DMK_KERNELS_H
#include <stdint.h>

#include "../../runtime/dm.h"

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

static inline v16 load16(const float *p) {
    v16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(float *p, v16 v) { __builtin_memcpy(p, &v, sizeof v); }

/* Short copies and fills stay loops: a libc call per run of a few floats
 * costs more than the run. */
#define NO_LIBC __attribute__((no_builtin("memcpy", "memmove", "memset")))

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Work below this many multiply-adds stays on the calling thread; no kernel
 * splits its work into more tasks than this. */
enum { PARALLEL_MIN = 1 << 20, MAX_TASKS = 8 };

/* ---- linalg.c ---------------------------------------------------------- */

/* C (+)= op(A) @ op(B) on the calling thread, C [M, N] of row stride ldc,
 * A(i, k) = a[i * a_rs + k * a_cs], B(k, j) = b[k * b_rs + j * b_cs]. */
void gemm_strided(float *c, int64_t ldc, const float *a, int64_t a_rs, int64_t a_cs, const float *b,
                  int64_t b_rs, int64_t b_cs, int64_t M, int64_t N, int64_t K, int add);

/* ---- conv.c, conv_direct.c --------------------------------------------- */

/* One convolution: y [N, F, OH, OW] = conv(x [N, C, H, W], w [F, C, KH, KW])
 * with strides sh, sw and zero padding ph, pw, or one of its two gradients.
 * in0 and in1 are the operands in the order of the dmk_ entry point. */
typedef struct Conv {
    float *out;
    const float *in0, *in1;
    int64_t N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw;
    int64_t R, P, chunk;   /* im2col: rows of col (C*KH*KW), positions (OH*OW), positions per chunk */
    int ntasks;            /* the fixed split of the samples */
    float *partial;        /* dw: one [F, R] partial per task */
} Conv;

enum { CONV_FORWARD, CONV_DX, CONV_DW };

/* Samples [*n0, *n1) of task t. */
static inline void conv_range(const Conv *cv, int t, int64_t *n0, int64_t *n1) {
    *n0 = cv->N * t / cv->ntasks;
    *n1 = cv->N * (t + 1) / cv->ntasks;
}

/* Runs fn for every task of cv, on ex's threads when there are several. */
static inline void conv_run(Conv *cv, dm_task_fn fn, dm_exec *ex) {
    if (!ex || ex->threads <= 1 || cv->ntasks == 1)
        for (int t = 0; t < cv->ntasks; t++) fn(cv, t, cv->ntasks);
    else
        ex->parallel(ex, fn, cv, cv->ntasks);
}

#endif
