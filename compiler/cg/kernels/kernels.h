/* kernels.h: what the kernel files of generated code share.
 *
 * The kernel files (one .c each in compiler/cg/kernels) are compiled to
 * bitcode and linked into every module.  Their entry points are the dmk_
 * functions; the functions declared here are helpers one kernel file lends
 * another (cg_module makes every kernel function internal to the model's
 * object, so none of them is exported).  Vectors are explicit 16-float GCC vectors: one AVX-512
 * register where the target has them, pairs or quads of narrower ones
 * elsewhere. */
#ifndef DMK_KERNELS_H
#define DMK_KERNELS_H
#include <stdint.h>

#include "dmk.h"
#include "kernel_stack.h"   /* the rules that size the stack arrays, shared with cg_stack.c */

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));
typedef int32_t vi16 __attribute__((vector_size(64)));   /* lane masks: a comparison of v16s */

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
#define NOINLINE __attribute__((noinline))

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

/* ---- conv.c, conv_im2col.c ----------------------------------------------- */

/* The register tiles of conv.c's direct kernels, one function per tile
 * height, chosen at each call site (the shapes are constants there), so that
 * a model holds only the tiles its convolutions use. */
typedef void (*RowsTiles)(int64_t nvec, int64_t K, const float *a, int64_t a_rs, int64_t a_ks, const float *b,
                          const int32_t *off, int64_t b_ks, float *c, int64_t c_rs);
typedef void (*DotTiles)(int64_t R, int64_t G, int64_t nvec, const float *a, int64_t a_gs, int64_t a_rs,
                         const float *b, int64_t b_gs, const int32_t *off, float *out);

/* One convolution: y [N, F, OH, OW] = conv(x [N, C, H, W], w [F, C, KH, KW])
 * with strides sh, sw and zero padding ph, pw, or one of its two gradients.
 * in0 and in1 are the operands in the order of the dmk_ entry point. */
typedef struct Conv {
    float *out;
    const float *in0, *in1;
    int64_t N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw;
    int64_t R, P;          /* rows r = (c, kh, kw): C*KH*KW; output positions: OH*OW */
    int64_t chunk;         /* im2col: positions per chunk of col */
    int64_t band, group;   /* direct: output rows per band; dw's bands staged at once */
    int tile_rows[3];      /* direct: the row blocks, tile_rows[0] (8) repeated, then [1] and [2] once */
    union { RowsTiles rows; DotTiles dot; } tile[3];
    int ntasks;            /* the fixed split of the samples */
    float *partial;        /* dw: one [F, R] partial per task */
    Epilogue epi;          /* forward: run on y's finished parts (or NULL) */
    void *epi_data;
} Conv;

/* CONV_FORWARD, CONV_DX, CONV_DW: kernel_stack.h. */

/* Samples [*n0, *n1) of task t. */
static inline void conv_range(const Conv *cv, int t, int64_t *n0, int64_t *n1) {
    *n0 = cv->N * t / cv->ntasks;
    *n1 = cv->N * (t + 1) / cv->ntasks;
}

/* conv.c: runs fn over the fixed split of the samples into tasks (on ex's
 * threads when there are several) and, for dw, sums the tasks' partials in
 * task order. */
void conv_split(int op, Conv *cv, dm_task_fn fn, dm_exec *ex);

/* conv_im2col.c: op of cv (R and P set, no dimension 0) as GEMMs over im2col
 * chunks, or by conv_loops when a chunk would not hold one position. */
void conv_im2col(int op, Conv *cv, dm_exec *ex);

/* conv_im2col.c: op of cv (R and P set) by plain loops over the definition. */
void conv_loops(int op, const Conv *cv);

#endif
