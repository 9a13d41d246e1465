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
 * vectors of VL floats, MR x NR / VL accumulators sized to the target's
 * vector registers (the tile classes below).  The packing handles the
 * transposes and the edges, so the micro-kernel only ever sees full,
 * contiguous panels.
 * Small M (up to 64) with a plain B skips B's packing: B's rows are read in
 * place, since packing would add more memory traffic than it saves.
 *
 * With an epilogue (kernels.h), each tile of C goes through it, a row at a
 * time, right after its last block of k, while it is still in cache.
 *
 * Buffers are on the stack (no heap in generated code), as big as the
 * product needs and at most 640 KB; cg_stack.c counts them at each call
 * site by kernel_stack.h's rules, which size them here.
 * Every element of C is the sum over k in increasing order, in KC blocks,
 * whatever the partition into tasks, so results do not depend on the number
 * of threads.  Big products are split into bands of rows or columns of C,
 * one per thread, run through ex->parallel. */
#include "kernels.h"

/* The register tile, one per class of vector registers.  The Makefile
 * compiles this file once per class (-DLINALG_TILE_<class>) and cg_tile.c
 * picks the class of the target machine, so MR, NR and VL are constants of
 * each bitcode.  A tile's MR x NR / VL accumulators plus NR / VL vectors of
 * B and a broadcast of A must fit in the registers: more spill, and the
 * micro-kernel then runs at the speed of its stack traffic.  The tile never
 * changes a result: every element is the same sum (over k in increasing
 * order, in KC blocks) whatever MR and NR are. */
#if defined(LINALG_TILE_8x12)      /* 32 x 4 floats (aarch64 NEON): 24 accumulators */
enum { MR = 8, NR = 12, VL = 4 };
#elif defined(LINALG_TILE_6x16)    /* 16 x 8 floats (AVX, AVX2): 12 accumulators */
enum { MR = 6, NR = 16, VL = 8 };
#elif defined(LINALG_TILE_4x8)     /* 16 x 4 floats (SSE2, ARMv7 NEON): 8 accumulators, a product in flight */
enum { MR = 4, NR = 8, VL = 4 };
#elif defined(LINALG_TILE_4x4)     /* scalar registers (about 32: riscv64, VFP, i686's 8 xmm): 16 */
enum { MR = 4, NR = 4, VL = 4 };
#else                              /* 32 x 16 floats (AVX-512): 16 accumulators */
enum { MR = 8, NR = 32, VL = 16 };
#endif

typedef float vt __attribute__((vector_size(VL * sizeof(float))));   /* a vector of the tile */

static inline vt loadv(const float *p) {
    vt v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void storev(float *p, vt v) { __builtin_memcpy(p, &v, sizeof v); }

enum {
    NV = NR / VL,             /* vectors in a row of the tile */
    /* KC, and the blocks of A and B: kernel_stack.h (cg_stack.c sizes the
     * packed blocks by the same rules, for the target's tile) */
    MC = TILE_MC(MR),         /* rows of A per packed block (about 128 KB, in L2), whole slivers */
    NCB = TILE_NCB(NR),       /* columns of B per packed block (about 512 KB), whole panels */
    /* panels of a single row at a time (row_wide): as many accumulators as the tile's */
    ROW_PANELS = MR >= 8 ? 8 : MR >= 4 ? 4 : MR >= 2 ? 2 : 1,
};
#define TILE ((Tile){MR, NR})   /* the tile, for kernel_stack.h's rules */
_Static_assert(NR % VL == 0 && MR <= 16, "a tile is whole vectors wide and at most 16 rows (pack_a's transpose)");

/* The product being computed: C (+)= op(A) @ op(B), with C of row stride ldc.
 * A(i, k) = a[i * a_rs + k * a_cs], B(k, j) = b[k * b_rs + j * b_cs]. */
typedef struct Gemm {
    float *c;
    const float *a, *b;
    int64_t M, N, K, ldc;
    int64_t a_rs, a_cs, b_rs, b_cs;
    int accumulate;   /* add to C instead of overwriting it */
    Epilogue epi;     /* run on each part of C as it is final (C's flat indices, ldc = N), or NULL */
    void *epi_data;
    int64_t epi_base; /* C's first element in the epilogue's flat indices (a product of a batch) */
    int ntasks;       /* parallel split of C: by rows if split_rows, else by columns */
    int split_rows;
} Gemm;

/* The tile C[0:m, 0:n] (+)= A[0:m, 0:kc] @ panel(b: rows of b_rs floats),
 * A(i, k) = a[i * a_i + k * a_k]: a packed sliver ([kc][MR]: a_i = 1, a_k =
 * MR) or, on the small path, A in place.  m is a constant at each call site
 * (see micro_m), so the loops over rows unroll into registers. */
static inline __attribute__((always_inline)) void micro(int m, int64_t kc, const float *restrict a, int64_t a_i,
                                                       int64_t a_k, const float *restrict b, int64_t b_rs,
                                                       float *restrict c, int64_t ldc, int n, int add) {
    vt acc[MR][NV];
    /* C's tile is read (or written) only after the k loop: fetch it now, so
     * that its rows, far apart in memory, arrive while the FMAs run. */
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++) __builtin_prefetch(c + i * ldc, 1, 3), __builtin_prefetch(c + i * ldc + n - 1, 1, 3);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[i][v] = (vt){0};
#pragma clang loop unroll(disable)
    for (int64_t k = 0; k < kc; k++) {
        vt bv[NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = loadv(b + k * b_rs + v * VL);
#pragma clang loop unroll(full)
        for (int i = 0; i < m; i++) {
            float av = a[i * a_i + k * a_k];
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[i][v] += av * bv[v];
        }
    }
    if (n == NR) {
#pragma clang loop unroll(full)
        for (int i = 0; i < m; i++) {
            float *ci = c + i * ldc;
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) storev(ci + v * VL, add ? acc[i][v] + loadv(ci + v * VL) : acc[i][v]);
        }
        return;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++) {
        float t[NR] __attribute__((aligned(64)));
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) storev(t + v * VL, acc[i][v]);
        float *ci = c + i * ldc;
        if (add)
            for (int j = 0; j < n; j++) ci[j] += t[j];
        else
            for (int j = 0; j < n; j++) ci[j] = t[j];
    }
}

/* micro for any m <= MR: the rows in groups of MR, 4, 2 and 1, each a copy
 * specialised to its row count (few copies keep the compile time short). */
static inline __attribute__((always_inline)) void micro_rows(int m, int64_t kc, const float *restrict a, int64_t a_i,
                                                            int64_t a_k, const float *restrict b, int64_t b_rs,
                                                            float *restrict c, int64_t ldc, int n, int add) {
    int i = 0;
    if (m - i >= MR) micro(MR, kc, a + i * a_i, a_i, a_k, b, b_rs, c + i * ldc, ldc, n, add), i += MR;
    if (MR > 4 && m - i >= 4) micro(4, kc, a + i * a_i, a_i, a_k, b, b_rs, c + i * ldc, ldc, n, add), i += 4;
    if (MR > 2 && m - i >= 2) micro(2, kc, a + i * a_i, a_i, a_k, b, b_rs, c + i * ldc, ldc, n, add), i += 2;
    if (MR > 1 && m - i >= 1) micro(1, kc, a + i * a_i, a_i, a_k, b, b_rs, c + i * ldc, ldc, n, add);
}

/* The micro-kernel on a packed sliver of A. */
static __attribute__((noinline)) void micro_m(int m, int64_t kc, const float *restrict a, const float *restrict b,
                                              int64_t b_rs, float *restrict c, int64_t ldc, int n, int add) {
    micro_rows(m, kc, a, 1, MR, b, b_rs, c, ldc, n, add);
}

/* The micro-kernel on A in place (the small path): rows of A contiguous in
 * k (a_cs = 1) or, transposed, columns contiguous in i (a_rs = 1); one
 * copy for each, so that the unit stride is a constant. */
static __attribute__((noinline)) void micro_in_place(int m, int64_t kc, const float *restrict a, int64_t a_rs,
                                                     int64_t a_cs, const float *restrict b, int64_t b_rs,
                                                     float *restrict c, int64_t ldc, int n) {
    if (a_cs == 1) micro_rows(m, kc, a, a_rs, 1, b, b_rs, c, ldc, n, 0);
    else micro_rows(m, kc, a, 1, a_cs, b, b_rs, c, ldc, n, 0);
}

/* r[i][l] becomes r[l][i]: four stages of block swaps.  Stage s: row i (bit s
 * clear) takes lanes with bit s set from row i + s (shifted down by s), and row
 * i + s takes lanes with bit s clear from row i (shifted up by s). */
static inline __attribute__((always_inline)) void transpose16(v16 r[16]) {
#pragma clang loop unroll(full)
    for (int s = 8; s >= 1; s /= 2)
#pragma clang loop unroll(full)
        for (int i = 0; i < 16; i++) {
            if (i & s) continue;
            v16 a = r[i], b = r[i + s], na, nb;
            switch (s) {
            case 8:
                na = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
                nb = __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
                break;
            case 4:
                na = __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
                nb = __builtin_shufflevector(a, b, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
                break;
            case 2:
                na = __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
                nb = __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
                break;
            default:
                na = __builtin_shufflevector(a, b, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
                nb = __builtin_shufflevector(a, b, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
                break;
            }
            r[i] = na, r[i + s] = nb;
        }
}

/* dst[k * ds + j] = src[j * ss + k] for j < w, k < 16 (a 16 x 16 tile, of
 * which the first w <= 16 columns are stored), 0 for the rows j >= nj of src. */
static ALWAYS_INLINE void transpose_tile(float *restrict dst, int64_t ds, const float *restrict src, int64_t ss,
                                  int64_t nj, int w) {
    v16 r[16];
    for (int j = 0; j < 16; j++) r[j] = j < nj ? load16(src + j * ss) : (v16){0};
    transpose16(r);
    if (w == 16)
        for (int k = 0; k < 16; k++) store16(dst + k * ds, r[k]);
    else   /* w is a constant (NR's last part): unrolled, r stays in registers */
#pragma clang loop unroll(full)
        for (int k = 0; k < 16; k++)
#pragma clang loop unroll(full)
            for (int j = 0; j < w; j++) dst[k * ds + j] = r[k][j];
}

/* One row of C, np panels (np * NR columns): c[0:np*NR] (+)= sum over k of
 * a[k * a_cs] b[k * b_rs + 0:np*NR].  The same sums in the same order as
 * micro's, but with up to ROW_PANELS x NV independent accumulators
 * instead of NV, so that a single row (a batch of one) is bound by the
 * loads of B, not by the latency of the FMAs, and reads whole rows of B in
 * order. */
static inline __attribute__((always_inline)) void row_panels(int np, int64_t kc, const float *restrict a, int64_t a_cs,
                                                             const float *restrict b, int64_t b_rs,
                                                             float *restrict c, int add) {
    vt acc[ROW_PANELS * NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV * np; v++) acc[v] = (vt){0};
#pragma clang loop unroll(disable)
    for (int64_t k = 0; k < kc; k++) {
        float av = a[k * a_cs];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV * np; v++) acc[v] += av * loadv(b + k * b_rs + VL * v);
    }
#pragma clang loop unroll(full)
    for (int v = 0; v < NV * np; v++) storev(c + VL * v, add ? acc[v] + loadv(c + VL * v) : acc[v]);
}

/* row_panels over the first `full` panels, by ROW_PANELS, 4, 2 and 1 at a time. */
static __attribute__((noinline)) void row_wide(int64_t full, int64_t kc, const float *restrict a, int64_t a_cs,
                                               const float *restrict b, int64_t b_rs, float *restrict c, int add) {
    int64_t p = 0;
    for (; p + ROW_PANELS <= full; p += ROW_PANELS)
        row_panels(ROW_PANELS, kc, a, a_cs, b + p * NR, b_rs, c + p * NR, add);
    if (ROW_PANELS > 4 && p + 4 <= full) row_panels(4, kc, a, a_cs, b + p * NR, b_rs, c + p * NR, add), p += 4;
    if (ROW_PANELS > 2 && p + 2 <= full) row_panels(2, kc, a, a_cs, b + p * NR, b_rs, c + p * NR, add), p += 2;
    if (ROW_PANELS > 1 && p + 1 <= full) row_panels(1, kc, a, a_cs, b + p * NR, b_rs, c + p * NR, add);
}

/* Pack A[i0:i0+mc, k0:k0+kc] as slivers of MR rows, each [kc][MR]; the rows
 * of a last, partial sliver past mc are left unset (micro reads m rows). */
static NO_LIBC void pack_a(float *restrict dst, const Gemm *g, int64_t i0, int64_t mc, int64_t k0, int64_t kc) {
    for (int64_t s = 0; s < mc; s += MR) {
        int64_t m = mc - s < MR ? mc - s : MR;
        float *d = dst + s * kc;
        const float *src = g->a + (i0 + s) * g->a_rs + k0 * g->a_cs;
        if (g->a_cs == 1) {           /* rows of A contiguous in k */
            int64_t k = 0;
            if (2 * m >= MR) /* MR rows x 16 k of a 16 x 16 tile, rows past m zero */
                for (; k + 16 <= kc; k += 16) {
                    v16 r[16];
                    for (int i = 0; i < 16; i++) r[i] = i < m ? load16(src + i * g->a_rs + k) : (v16){0};
                    transpose16(r);
                    if (MR == 8)
                        for (int t = 0; t < 16; t += 2)   /* rows t, t+1 of the tile: 8 floats each */
                            store16(d + (k + t) * MR, __builtin_shufflevector(r[t], r[t + 1], 0, 1, 2, 3, 4, 5, 6, 7,
                                                                             16, 17, 18, 19, 20, 21, 22, 23));
                    else
#pragma clang loop unroll(full)
                        for (int t = 0; t < 16; t++)
#pragma clang loop unroll(full)
                            for (int i = 0; i < MR; i++) d[(k + t) * MR + i] = r[t][i];
                }
            for (; k < kc; k++)   /* rows past m are never read (micro reads m rows) */
                for (int64_t i = 0; i < m; i++) d[k * MR + i] = src[i * g->a_rs + k];
        } else if (m == MR) {         /* columns of A contiguous in i (transposed A) */
            /* MR floats a step in one copy: element by element, the copy
             * was a third of gemm_block's time in tinygpt's weight
             * gradients (X^T dY, 2048 steps of k) */
            for (int64_t k = 0; k < kc; k++) __builtin_memcpy(d + k * MR, src + k * g->a_cs, sizeof(float) * MR);
        } else {
            for (int64_t k = 0; k < kc; k++)
                for (int64_t i = 0; i < m; i++) d[k * MR + i] = src[k * g->a_cs + i];
        }
    }
}

/* Pack B[k0:k0+kc, j0:j0+nc] as panels of NR columns, each [kc][NR], columns
 * past nc zero. */
static NO_LIBC void pack_b(float *restrict dst, const Gemm *g, int64_t k0, int64_t kc, int64_t j0, int64_t nc) {
    for (int64_t p = 0; p < nc; p += NR) {
        int64_t n = nc - p < NR ? nc - p : NR;
        float *d = dst + p * kc;
        const float *src = g->b + k0 * g->b_rs + (j0 + p) * g->b_cs;
        if (g->b_cs == 1) {           /* rows of B contiguous in j */
            if (n == NR)
                for (int64_t k = 0; k < kc; k++)
                    for (int v = 0; v < NV; v++) storev(d + k * NR + v * VL, loadv(src + k * g->b_rs + v * VL));
            else   /* a copy then a fill: a select per element would become gathers */
                for (int64_t k = 0; k < kc; k++) {
                    int64_t j = 0;
                    for (; j < n; j++) d[k * NR + j] = src[k * g->b_rs + j];
                    for (; j < NR; j++) d[k * NR + j] = 0;
                }
        } else {                      /* B transposed: columns contiguous in k, 16 x 16 tiles */
            int64_t k = 0;
            for (; k + 16 <= kc; k += 16)
                for (int j = 0; j < NR; j += 16)
                    transpose_tile(d + k * NR + j, NR, src + j * g->b_cs + k, g->b_cs, n - j, NR - j < 16 ? NR - j : 16);
            for (; k < kc; k++)
                for (int64_t j = 0; j < NR; j++) d[k * NR + j] = j < n ? src[j * g->b_cs + k] : 0;
        }
    }
}

/* packed_a and packed_b, the floats of the packed blocks: kernel_stack.h. */

/* C[i0:i1, j0:j1] of the product, the whole k range.  The packed blocks
 * are as big as this part of the product needs, at most MC x KC and
 * KC x NCB: a small product takes a small frame. */
static NO_LIBC void gemm_block(const Gemm *g, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    int64_t k1 = g->K > 0 ? g->K : 1;
    float ap[packed_a(TILE, i1 - i0 > 0 ? i1 - i0 : 1, k1)] __attribute__((aligned(64)));
    float bp[packed_b(TILE, j1 - j0 > 0 ? j1 - j0 : 1, k1)] __attribute__((aligned(64)));
    /* B read in place: plain rows, and too few rows of A to repay packing
     * (up to 64 rows, a panel of B stays in L1 while the rows pass over it). */
    int direct_b = g->b_cs == 1 && i1 - i0 <= 64;
    for (int64_t jc = j0; jc < j1; jc += NCB) {
        int64_t nc = j1 - jc < NCB ? j1 - jc : NCB;
        for (int64_t pc = 0; pc < g->K; pc += KC) {
            int64_t kc = g->K - pc < KC ? g->K - pc : KC;
            int add = g->accumulate || pc > 0, last = pc + kc == g->K && g->epi;
            int64_t nfull = direct_b ? nc / NR * NR : 0;   /* panels read in place */
            if (nfull < nc) pack_b(bp, g, pc, kc, jc + nfull, nc - nfull);
            for (int64_t ic = i0; ic < i1; ic += MC) {
                int64_t mc = i1 - ic < MC ? i1 - ic : MC;
                int64_t jr = 0;
                if (mc == 1 && nfull > 0) {   /* a single row: A and B read in place */
                    row_wide(nfull / NR, kc, g->a + ic * g->a_rs + pc * g->a_cs, g->a_cs, g->b + pc * g->b_rs + jc,
                             g->b_rs, g->c + ic * g->ldc + jc, add);
                    if (last) g->epi(g->epi_data, g->epi_base + ic * g->ldc + jc, g->epi_base + ic * g->ldc + jc + nfull);
                    jr = nfull;
                }
                if (jr < nc) pack_a(ap, g, ic, mc, pc, kc);
                for (; jr < nc; jr += NR) {
                    int n = nc - jr < NR ? (int)(nc - jr) : NR;
                    const float *bpan = jr < nfull ? g->b + pc * g->b_rs + jc + jr : bp + (jr - nfull) * kc;
                    int64_t b_rs = jr < nfull ? g->b_rs : NR;
                    for (int64_t ir = 0; ir < mc; ir += MR) {
                        int m = mc - ir < MR ? (int)(mc - ir) : MR;
                        micro_m(m, kc, ap + ir * kc, bpan, b_rs, g->c + (ic + ir) * g->ldc + jc + jr, g->ldc, n, add);
                        for (int64_t i = ic + ir; last && i < ic + ir + m; i++)   /* the tile is final */
                            g->epi(g->epi_data, g->epi_base + i * g->ldc + jc + jr,
                                   g->epi_base + i * g->ldc + jc + jr + n);
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

static __attribute__((noinline)) void gemm_run(Gemm *g, dm_exec *ex) {
    if (g->M == 0 || g->N == 0) return;
    if (g->K == 0) {
        if (!g->accumulate)
            for (int64_t i = 0; i < g->M; i++)
                for (int64_t j = 0; j < g->N; j++) g->c[i * g->ldc + j] = 0;
        if (g->epi) g->epi(g->epi_data, g->epi_base, g->epi_base + g->M * g->N);
        return;
    }
    int64_t work = g->M * g->N * g->K;
    int64_t mu = (g->M + MR - 1) / MR, nu = (g->N + NR - 1) / NR;
    g->split_rows = mu >= nu;
    int64_t units = g->split_rows ? mu : nu;
    int64_t t = work / PARALLEL_MIN;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > units ? units : t;
    /* Every element of C is computed the same way in any band, so the number
     * of bands may follow the threads: fewer bands, less repeated packing. */
    t = ex && t > ex->threads ? ex->threads : t;
    g->ntasks = t < 1 ? 1 : (int)t;
    if (g->ntasks == 1 || !ex || ex->threads <= 1) {
        gemm_block(g, 0, g->M, 0, g->N);
        return;
    }
    ex->parallel(ex, gemm_task, g, g->ntasks);
}

/* The product of contiguous row-major matrices A [M, K] ([K, M] with ta)
 * and B [K, N] ([N, K] with tb) into C [M, N]. */
static ALWAYS_INLINE Gemm gemm_of(float *c, const float *a, const float *b, int64_t M, int64_t N, int64_t K,
                                  int32_t ta, int32_t tb, Epilogue epi, void *epi_data) {
    return (Gemm){.c = c, .a = a, .b = b, .M = M, .N = N, .K = K, .ldc = N,
                  .a_rs = ta ? 1 : K, .a_cs = ta ? M : 1, .b_rs = tb ? 1 : N, .b_cs = tb ? K : 1,
                  .epi = epi, .epi_data = epi_data};
}

/* Products of at most this many multiply-adds run as three plain loops:
 * packing and blocking cost more than they save there, and since the shapes
 * are constants of the specialised kernel, a model whose products are all
 * small (logreg, a microcontroller's MLP) leaves the whole blocked GEMM out
 * of its object (tens of KB of code).  SMALL_PRODUCT: kernel_stack.h. */

/* C = op(A) @ op(B), each element a sum over k in ascending order. */
static ALWAYS_INLINE void small_product(const Gemm *g) {
    for (int64_t i = 0; i < g->M; i++)
        for (int64_t j = 0; j < g->N; j++) {
            float s = 0;
            for (int64_t k = 0; k < g->K; k++) s += g->a[i * g->a_rs + k * g->a_cs] * g->b[k * g->b_rs + j * g->b_cs];
            g->c[i * g->ldc + j] = s;
        }
    if (g->epi) g->epi(g->epi_data, g->epi_base, g->epi_base + g->M * g->N);
}

/* ---- the small path --------------------------------------------------------
 * A product whose operands fit in the caches runs the micro-kernel on A in
 * place, with A's strides (plain or transposed), and on B's rows in place,
 * without the blocking and packing of gemm_block: for the products of
 * attention (a 64 x 64 x 32 product per head), packing took about as long
 * as the multiply-adds.  The rule, decided from the shapes, which are
 * constants at each call site (so the choice is made at compile time):
 *   K <= KC         one block of k, so every element is the same sum, in the
 *                   same order, as gemm_block computes: results are
 *                   bit-identical to the blocked path;
 *   M >= 2 MR       enough rows of C to reuse each panel of B across tiles
 *                   (fewer rows are what gemm_block's direct_b and row_wide
 *                   cases are for);
 *   (M K + K N) 4 bytes <= SMALL_BYTES   A and B stay in L2 while every
 *                   panel of B passes over A: A is read N / NR times;
 *   and A plain or transposed (a_cs = 1 or a_rs = 1), as dmk_ products are.
 * B is read in place when its rows are contiguous and N is a multiple of
 * NR; otherwise (B transposed, or a partial last panel that micro would
 * read past) it is first copied once into rows of N rounded up to NR
 * floats, zero-padded: K N floats, against the M N K multiply-adds.
 * SMALL_BYTES, the rule (small_path) and the copy's size (small_rows):
 * kernel_stack.h. */

/* B's rows as dst[k * np + j] = B(k, j) for j < N, 0 for N <= j < np. */
static NO_LIBC void b_rows(float *restrict dst, int64_t np, const Gemm *g) {
    int64_t k = 0;
    if (g->b_rs == 1)   /* transposed: 16 x 16 tiles, columns of B to rows */
        for (; k + 16 <= g->K; k += 16)
            for (int64_t j = 0; j < np; j += 16)
                transpose_tile(dst + k * np + j, np, g->b + j * g->b_cs + k, g->b_cs, g->N - j,
                               np - j < 16 ? (int)(np - j) : 16);
    for (; k < g->K; k++) {   /* a copy then a fill: a select per element would become gathers */
        int64_t j = 0;
        for (; j < g->N; j++) dst[k * np + j] = g->b[k * g->b_rs + j * g->b_cs];
        for (; j < np; j++) dst[k * np + j] = 0;
    }
}

/* Rows i0 .. i1 of C, the whole k range: each panel of B over every tile of
 * rows (B's panel, K x NR floats, stays in L1 while A passes). */
static NOINLINE NO_LIBC void small_block(const Gemm *g, int64_t i0, int64_t i1) {
    int64_t np = (g->N + NR - 1) / NR * NR;
    int copy = g->b_cs != 1 || np != g->N;
    float rows[small_rows(TILE, g->N, g->K, g->b_cs)] __attribute__((aligned(64)));   /* K np floats when copy */
    const float *b = g->b;
    int64_t b_rs = g->b_rs;
    if (copy) b_rows(rows, np, g), b = rows, b_rs = np;
    for (int64_t j = 0; j < g->N; j += NR) {
        int n = g->N - j < NR ? (int)(g->N - j) : NR;
        for (int64_t i = i0; i < i1; i += MR)
            micro_in_place(i1 - i < MR ? (int)(i1 - i) : MR, g->K, g->a + i * g->a_rs, g->a_rs, g->a_cs, b + j, b_rs,
                           g->c + i * g->ldc + j, g->ldc, n);
    }
    if (g->epi) g->epi(g->epi_data, g->epi_base + i0 * g->N, g->epi_base + i1 * g->N);
}

/* Task t: a band of rows, aligned to the tile. */
static void small_task(void *ctx, int t, int ntasks) {
    const Gemm *g = ctx;
    int64_t units = (g->M + MR - 1) / MR;
    int64_t lo = units * t / ntasks * MR, hi = units * (t + 1) / ntasks * MR;
    hi = hi < g->M ? hi : g->M;
    if (lo < hi) small_block(g, lo, hi);
}

/* A product on the small path, split into bands of rows as gemm_run splits. */
static NOINLINE void small_run(Gemm *g, dm_exec *ex) {
    int64_t t = g->M * g->N * g->K / PARALLEL_MIN, units = (g->M + MR - 1) / MR;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > units ? units : t;
    t = ex && t > ex->threads ? ex->threads : t;
    if (t <= 1 || !ex || ex->threads <= 1) small_block(g, 0, g->M);
    else ex->parallel(ex, small_task, g, (int)t);
}

void dmk_matmul(float *restrict c, const float *restrict a, const float *restrict b, int64_t M, int64_t N,
                int64_t K, int32_t ta, int32_t tb, Epilogue epi, void *epi_data, dm_exec *ex) {
    Gemm g = gemm_of(c, a, b, M, N, K, ta, tb, epi, epi_data);
    if (M * N * K <= SMALL_PRODUCT) small_product(&g);
    else if (small_path(TILE, M, N, K, g.a_rs, g.a_cs)) small_run(&g, ex);
    else gemm_run(&g, ex);
}

/* ---- batched products ----------------------------------------------------
 * C[p] = A[p] @ B[p] for the products p < count of a batch; the batch axes'
 * strides (in floats, 0 where an operand is broadcast) find the matrices of
 * A, B and C, and each matrix's row and column strides its elements (A(i, k)
 * = a[i a_rs + k a_cs], C(i, j) = c[i ldc + j]): a transposed operand, or
 * one read in place through a strided view of another buffer (the heads of
 * attention, passes/views.c).  An epilogue needs C's matrices one after the
 * other (ldc = N, c_stride of a contiguous batch).  Whole
 * products go to the threads when there are enough of them to share
 * evenly; otherwise each product in turn is split as dmk_matmul splits it.
 * Either way every element of C is computed as in a product alone. */

typedef struct Batch {
    Gemm g;            /* the product p = 0 */
    void (*run)(Gemm *, dm_exec *);   /* small_run or gemm_run, from the shapes */
    int64_t count;
    int32_t rank;      /* batch axes, outermost first */
    const int64_t *dim, *a_stride, *b_stride, *c_stride;
} Batch;

/* The product p of the batch, its epilogue at p's place in C. */
static Gemm batch_product(const Batch *bt, int64_t p) {
    Gemm g = bt->g;
    int64_t q = p;
    for (int d = bt->rank - 1; d >= 0; d--) {
        int64_t i = q % bt->dim[d];
        q /= bt->dim[d];
        g.a += i * bt->a_stride[d];
        g.b += i * bt->b_stride[d];
        g.c += i * bt->c_stride[d];
    }
    g.epi_base = p * g.M * g.N;
    return g;
}

/* Task t: a run of whole products, each on this thread. */
static void batch_task(void *ctx, int t, int ntasks) {
    const Batch *bt = ctx;
    for (int64_t p = bt->count * t / ntasks; p < bt->count * (t + 1) / ntasks; p++) {
        Gemm g = batch_product(bt, p);
        bt->run(&g, NULL);
    }
}

static NOINLINE void batch_run(Batch *bt, dm_exec *ex) {
    const Gemm *g = &bt->g;
    int64_t product = g->M * g->N * g->K;
    int64_t t = bt->count * product / PARALLEL_MIN;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > bt->count ? bt->count : t;
    t = ex && t > ex->threads ? ex->threads : t;
    if (t <= 1 || !ex) {
        batch_task(bt, 0, 1);
        return;
    }
    if (bt->count % t != 0 && bt->count < 4 * t && product >= PARALLEL_MIN) {
        for (int64_t p = 0; p < bt->count; p++) {   /* too few products to share: split each */
            Gemm gp = batch_product(bt, p);
            bt->run(&gp, ex);
        }
        return;
    }
    ex->parallel(ex, batch_task, bt, (int)t);
}

void dmk_matmul_batched(float *restrict c, const float *restrict a, const float *restrict b, int64_t M, int64_t N,
                        int64_t K, int64_t a_rs, int64_t a_cs, int64_t b_rs, int64_t b_cs, int64_t ldc,
                        int32_t rank, const int64_t *dim, const int64_t *a_stride, const int64_t *b_stride,
                        const int64_t *c_stride, Epilogue epi, void *epi_data, dm_exec *ex) {
    int64_t count = 1;
    for (int d = 0; d < rank; d++) count *= dim[d];
    Gemm g = {.c = c, .a = a, .b = b, .M = M, .N = N, .K = K, .ldc = ldc, .a_rs = a_rs, .a_cs = a_cs,
              .b_rs = b_rs, .b_cs = b_cs, .epi = epi, .epi_data = epi_data};
    Batch bt = {.g = g, .count = count, .rank = rank, .dim = dim, .a_stride = a_stride, .b_stride = b_stride,
                .c_stride = c_stride};
    bt.run = small_path(TILE, M, N, K, bt.g.a_rs, bt.g.a_cs) ? small_run : gemm_run;
    batch_run(&bt, ex);
}

void gemm_strided(float *c, int64_t ldc, const float *a, int64_t a_rs, int64_t a_cs, const float *b,
                  int64_t b_rs, int64_t b_cs, int64_t M, int64_t N, int64_t K, int add) {
    Gemm gm = {.c = c, .a = a, .b = b, .M = M, .N = N, .K = K, .ldc = ldc, .a_rs = a_rs, .a_cs = a_cs,
               .b_rs = b_rs, .b_cs = b_cs, .accumulate = add};
    gemm_block(&gm, 0, M, 0, N);
}
