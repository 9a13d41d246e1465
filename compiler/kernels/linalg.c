/* linalg.c: the matrix product kernel, C = op(A) @ op(B) with op = identity
 * or transpose, f32, row-major.  A is [M, K] ([K, M] with ta), B is [K, N]
 * ([N, K] with tb), C is [M, N].
 *
 * Compiled to bitcode and linked into every module.  dmk_matmul is inlined at
 * each call site (constant shapes); the work is done by one out-of-line
 * blocked GEMM per module (gemm_*), in the way of GotoBLAS:
 *   for each block of NCB columns of C and KC steps of k:
 *     pack B's [KC x NCB] block into panels of NR columns (zero-padded),
 *     for each block of MC rows: pack A's [MC x KC] block into slivers of
 *       MR rows (k-major, zero-padded), then run the MR x NR micro-kernel
 *       over every (sliver, panel) pair, adding into C (or storing, k = 0).
 * The micro-kernel keeps an MR x NR tile of C in registers as explicit
 * 16-float vectors: AVX-512 registers where the target has them, pairs or
 * quads of narrower ones elsewhere.  The packing handles the transposes and
 * the edges, so the micro-kernel only ever sees full, contiguous panels.
 * Small M with a plain B (forward at batch 1) skips B's packing: B's rows are
 * read in place, since packing would triple the memory traffic there.
 *
 * Buffers are bounded on the stack (no heap in generated code): 640 KB.
 * Every element of C is the sum over k in increasing order, in KC blocks,
 * whatever the partition into tasks, so results do not depend on the number
 * of threads.  Big products are split into a fixed number of tasks (by the
 * shape only) run through ex->parallel. */
#include <stdint.h>

#include "../../runtime/dm.h"

typedef float v16 __attribute__((vector_size(64)));

#ifndef GEMM_MR
#define GEMM_MR 8
#define GEMM_KC 256
#define GEMM_MC 128
#define GEMM_NCB 512
#endif
enum {
    MR = GEMM_MR,    /* rows of the micro-kernel's tile */
    NR = 32,         /* columns of the tile: two 16-float vectors */
    KC = GEMM_KC,    /* k steps per packed block: an NR panel is 32 KB, in L1 */
    MC = GEMM_MC,    /* rows of A per packed block (128 KB, in L2) */
    NCB = GEMM_NCB,  /* columns of B per packed block (512 KB) */
};

static inline v16 load16(const float *p) {
    v16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(float *p, v16 v) { __builtin_memcpy(p, &v, sizeof v); }

/* The product being computed: C (+)= op(A) @ op(B), with C of row stride ldc.
 * A(i, k) = a[i * a_rs + k * a_cs], B(k, j) = b[k * b_rs + j * b_cs]. */
typedef struct Gemm {
    float *c;
    const float *a, *b;
    int64_t M, N, K, ldc;
    int64_t a_rs, a_cs, b_rs, b_cs;
    int accumulate;   /* add to C instead of overwriting it */
    int ntasks;       /* parallel split of C: by rows if split_rows, else by columns */
    int split_rows;
} Gemm;

/* The tile C[0:m, 0:n] (+)= sliver(a: [kc][MR]) @ panel(b: rows of b_rs floats).
 * m is a constant at each call site (see micro_m), so the loops over rows
 * unroll into registers. */
static inline __attribute__((always_inline)) void micro(int m, int64_t kc, const float *restrict a,
                                                       const float *restrict b, int64_t b_rs,
                                                       float *restrict c, int64_t ldc, int n, int add) {
    v16 c0[MR], c1[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = (v16){0};
#pragma clang loop unroll(disable)
    for (int64_t k = 0; k < kc; k++) {
        v16 b0 = load16(b + k * b_rs), b1 = load16(b + k * b_rs + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < m; i++) {
            float av = a[k * MR + i];
            c0[i] += av * b0;
            c1[i] += av * b1;
        }
    }
    if (n == NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < m; i++) {
            float *ci = c + i * ldc;
            if (add) c0[i] += load16(ci), c1[i] += load16(ci + 16);
            store16(ci, c0[i]);
            store16(ci + 16, c1[i]);
        }
        return;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++) {
        float t[NR] __attribute__((aligned(64)));
        store16(t, c0[i]);
        store16(t + 16, c1[i]);
        float *ci = c + i * ldc;
        if (add)
            for (int j = 0; j < n; j++) ci[j] += t[j];
        else
            for (int j = 0; j < n; j++) ci[j] = t[j];
    }
}

/* micro with m as a constant: one specialised copy per row count. */
static __attribute__((noinline)) void micro_m(int m, int64_t kc, const float *restrict a, const float *restrict b,
                                              int64_t b_rs, float *restrict c, int64_t ldc, int n, int add) {
    switch (m) {
#if GEMM_MR > 8
    case 14: micro(14, kc, a, b, b_rs, c, ldc, n, add); break;
    case 13: micro(13, kc, a, b, b_rs, c, ldc, n, add); break;
    case 12: micro(12, kc, a, b, b_rs, c, ldc, n, add); break;
    case 11: micro(11, kc, a, b, b_rs, c, ldc, n, add); break;
    case 10: micro(10, kc, a, b, b_rs, c, ldc, n, add); break;
    case 9: micro(9, kc, a, b, b_rs, c, ldc, n, add); break;
#endif
    case 8: micro(8, kc, a, b, b_rs, c, ldc, n, add); break;
    case 7: micro(7, kc, a, b, b_rs, c, ldc, n, add); break;
    case 6: micro(6, kc, a, b, b_rs, c, ldc, n, add); break;
    case 5: micro(5, kc, a, b, b_rs, c, ldc, n, add); break;
    case 4: micro(4, kc, a, b, b_rs, c, ldc, n, add); break;
    case 3: micro(3, kc, a, b, b_rs, c, ldc, n, add); break;
    case 2: micro(2, kc, a, b, b_rs, c, ldc, n, add); break;
    default: micro(1, kc, a, b, b_rs, c, ldc, n, add); break;
    }
}

/* Pack A[i0:i0+mc, k0:k0+kc] as slivers of MR rows, each [kc][MR], rows past
 * mc zero. */
static void pack_a(float *restrict dst, const Gemm *g, int64_t i0, int64_t mc, int64_t k0, int64_t kc) {
    for (int64_t s = 0; s < mc; s += MR) {
        int64_t m = mc - s < MR ? mc - s : MR;
        float *d = dst + s * kc;
        const float *src = g->a + (i0 + s) * g->a_rs + k0 * g->a_cs;
        if (g->a_cs == 1) {           /* rows of A contiguous in k */
            for (int64_t i = 0; i < m; i++)
                for (int64_t k = 0; k < kc; k++) d[k * MR + i] = src[i * g->a_rs + k];
        } else {                      /* columns of A contiguous in i (transposed A) */
            for (int64_t k = 0; k < kc; k++)
                for (int64_t i = 0; i < m; i++) d[k * MR + i] = src[k * g->a_cs + i];
        }
        for (int64_t i = m; i < MR; i++)
            for (int64_t k = 0; k < kc; k++) d[k * MR + i] = 0;
    }
}

/* Pack B[k0:k0+kc, j0:j0+nc] as panels of NR columns, each [kc][NR], columns
 * past nc zero. */
static void pack_b(float *restrict dst, const Gemm *g, int64_t k0, int64_t kc, int64_t j0, int64_t nc) {
    for (int64_t p = 0; p < nc; p += NR) {
        int64_t n = nc - p < NR ? nc - p : NR;
        float *d = dst + p * kc;
        const float *src = g->b + k0 * g->b_rs + (j0 + p) * g->b_cs;
        if (g->b_cs == 1) {           /* rows of B contiguous in j */
            for (int64_t k = 0; k < kc; k++) {
                for (int64_t j = 0; j < n; j++) d[k * NR + j] = src[k * g->b_rs + j];
                for (int64_t j = n; j < NR; j++) d[k * NR + j] = 0;
            }
        } else {                      /* B transposed: columns contiguous in k */
            for (int64_t j = 0; j < n; j++)
                for (int64_t k = 0; k < kc; k++) d[k * NR + j] = src[j * g->b_cs + k];
            for (int64_t j = n; j < NR; j++)
                for (int64_t k = 0; k < kc; k++) d[k * NR + j] = 0;
        }
    }
}

/* C[i0:i1, j0:j1] of the product, the whole k range. */
static void gemm_block(const Gemm *g, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    float ap[MC * KC] __attribute__((aligned(64)));
    float bp[KC * NCB] __attribute__((aligned(64)));
    /* B read in place: plain rows, and too few rows of A to repay packing. */
    int direct_b = g->b_cs == 1 && i1 - i0 <= 2 * MR;
    for (int64_t jc = j0; jc < j1; jc += NCB) {
        int64_t nc = j1 - jc < NCB ? j1 - jc : NCB;
        for (int64_t pc = 0; pc < g->K; pc += KC) {
            int64_t kc = g->K - pc < KC ? g->K - pc : KC;
            int add = g->accumulate || pc > 0;
            int64_t nfull = direct_b ? nc / NR * NR : 0;   /* panels read in place */
            if (nfull < nc) pack_b(bp, g, pc, kc, jc + nfull, nc - nfull);
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC;
                pack_a(ap, g, ic, mc, pc, kc);
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    int n = nc - jr < NR ? (int)(nc - jr) : NR;
                    const float *bpan = jr < nfull ? g->b + pc * g->b_rs + jc + jr : bp + (jr - nfull) * kc;
                    int64_t b_rs = jr < nfull ? g->b_rs : NR;
                    for (int64_t ir = 0; ir < mc; ir += MR) {
                        int m = mc - ir < MR ? (int)(mc - ir) : MR;
                        micro_m(m, kc, ap + ir * kc, bpan, b_rs, g->c + (ic + ir) * g->ldc + jc + jr, g->ldc, n, add);
                    }
                }
            }
        }
    }
}

/* Task t of the fixed split: a band of rows or of columns, aligned to the tile. */
static void gemm_task(void *ctx, int t, int ntasks) {
    const Gemm *g = ctx;
    int64_t len = g->split_rows ? g->M : g->N, unit = g->split_rows ? MR : NR;
    int64_t units = (len + unit - 1) / unit;
    int64_t u0 = units * t / ntasks, u1 = units * (t + 1) / ntasks;
    int64_t lo = u0 * unit, hi = u1 * unit < len ? u1 * unit : len;
    if (lo >= hi) return;
    if (g->split_rows) gemm_block(g, lo, hi, 0, g->N);
    else gemm_block(g, 0, g->M, lo, hi);
}

/* Work below this many multiply-adds stays on the calling thread. */
enum { PARALLEL_MIN = 1 << 20, MAX_TASKS = 8 };

static __attribute__((noinline)) void gemm_run(Gemm *g, dm_exec *ex) {
    if (g->M == 0 || g->N == 0) return;
    if (g->K == 0) {
        if (!g->accumulate)
            for (int64_t i = 0; i < g->M; i++)
                for (int64_t j = 0; j < g->N; j++) g->c[i * g->ldc + j] = 0;
        return;
    }
    /* The split depends on the shape only. */
    int64_t work = g->M * g->N * g->K;
    int64_t mu = (g->M + MR - 1) / MR, nu = (g->N + NR - 1) / NR;
    g->split_rows = mu >= nu;
    int64_t units = g->split_rows ? mu : nu;
    int64_t t = work / PARALLEL_MIN;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > units ? units : t;
    g->ntasks = t < 1 ? 1 : (int)t;
    if (g->ntasks == 1 || !ex || ex->threads <= 1) {
        gemm_block(g, 0, g->M, 0, g->N);
        return;
    }
    ex->parallel(ex, gemm_task, g, g->ntasks);
}

void dmk_matmul(float *restrict c, const float *restrict a, const float *restrict b,
                int64_t M, int64_t N, int64_t K, int32_t ta, int32_t tb, dm_exec *ex) {
    Gemm g = {.c = c, .a = a, .b = b, .M = M, .N = N, .K = K, .ldc = N,
              .a_rs = ta ? 1 : K, .a_cs = ta ? M : 1, .b_rs = tb ? 1 : N, .b_cs = tb ? K : 1};
    gemm_run(&g, ex);
}
