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

/* d[0:n] = s[0:n] (or += with add), by the widest vectors that fit. */
static ALWAYS_INLINE void copy_floats(float *restrict d, const float *restrict s, int64_t n, int add) {
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) store16(d + j, add ? load16(d + j) + load16(s + j) : load16(s + j));
    if (j + 8 <= n) {
        v8 a, b;
        __builtin_memcpy(&a, s + j, sizeof a);
        if (add) __builtin_memcpy(&b, d + j, sizeof b), a += b;
        __builtin_memcpy(d + j, &a, sizeof a);
        j += 8;
    }
    if (j + 4 <= n) {
        v4 a, b;
        __builtin_memcpy(&a, s + j, sizeof a);
        if (add) __builtin_memcpy(&b, d + j, sizeof b), a += b;
        __builtin_memcpy(d + j, &a, sizeof a);
        j += 4;
    }
    for (; j < n; j++) d[j] = add ? d[j] + s[j] : s[j];
}

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
    int64_t R, P;          /* rows r = (c, kh, kw): C*KH*KW; output positions: OH*OW */
    int64_t chunk;         /* im2col: positions per chunk of col */
    int64_t band, group;   /* conv_direct.c: output rows per band; dw's bands staged at once */
    int ntasks;            /* the fixed split of the samples */
    float *partial;        /* dw: one [F, R] partial per task */
} Conv;

enum { CONV_FORWARD, CONV_DX, CONV_DW };

/* Samples [*n0, *n1) of task t. */
static inline void conv_range(const Conv *cv, int t, int64_t *n0, int64_t *n1) {
    *n0 = cv->N * t / cv->ntasks;
    *n1 = cv->N * (t + 1) / cv->ntasks;
}

/* The task function of conv_direct.c's kernel for op (CONV_...), with cv's
 * band and group set, or NULL where it does not apply (strides other than 1,
 * too many rows r, not one output row fitting its stack budget). */
dm_task_fn conv_direct_task(int op, Conv *cv);

/* Runs fn for every task of cv, on ex's threads when there are several. */
static inline void conv_run(Conv *cv, dm_task_fn fn, dm_exec *ex) {
    if (!ex || ex->threads <= 1 || cv->ntasks == 1)
        for (int t = 0; t < cv->ntasks; t++) fn(cv, t, cv->ntasks);
    else
        ex->parallel(ex, fn, cv, cv->ntasks);
}

#endif
