/* kernel_stack.h: the kernels' rules that size their stack arrays at run
 * time, as functions of the shapes, and the bytes those arrays take.
 *
 * Included by the kernel files, which size their arrays and choose their
 * paths with these rules (linalg.c's blocking, conv.c's choice of the
 * direct kernels, conv_im2col.c's chunks), and by cg_stack.c, which counts
 * the arrays at each kernel call site, where the shapes are constants, for
 * --stats and --max-stack (docs/targets.md, "Stack").  One copy of the
 * rules, so that the count cannot drift from the arrays.  Plain C on
 * <stdint.h> only: it is compiled into the 64- and 32-bit kernels' bitcode
 * and into dmc. */
#ifndef DMK_KERNEL_STACK_H
#define DMK_KERNEL_STACK_H
#include <stdint.h>

/* Always inlined: at a kernel's call site the shapes are constants, and the
 * choices below must fold there (so that a model holds only the paths it
 * takes), also in the 32-bit kernels, which dmc's own pipeline inlines. */
#define KS_RULE static inline __attribute__((always_inline))

/* ---- linalg.c: the matrix product ------------------------------------ */

/* The register tile of linalg.c's micro-kernel, MR rows by NR columns: one
 * per class of vector registers (linalg.c; the Makefile compiles linalg.c
 * once per tile, cg_tile.c picks the target's).  The blocks of A and B are
 * whole slivers and panels of it; KC is the same for every tile (it fixes
 * every element's sum).  dmc passes the target's tile to the rules below. */
typedef struct Tile {
    int64_t mr, nr;
} Tile;

enum { KC = 256 };   /* k steps per packed block */
#define TILE_MC(mr) (128 / (mr) * (mr))    /* rows of A per packed block (about 128 KB, in L2) */
#define TILE_NCB(nr) (512 / (nr) * (nr))  /* columns of B per packed block (about 512 KB) */

/* Products of at most this many multiply-adds run as three plain loops
 * (linalg.c, small_product): no packing, no array. */
enum { SMALL_PRODUCT = 4096 };

/* The small path's bound on A and B together (linalg.c, small_path). */
enum { SMALL_BYTES = 128 * 1024 };

/* Floats of a packed block of A for mc rows (whole slivers) or of B for nc
 * columns (whole panels), kc steps of k: gemm_block's arrays.  Never
 * smaller for a bigger mc, nc or kc, so the whole product bounds any band
 * of it that a thread packs. */
KS_RULE int64_t packed_a(Tile t, int64_t mc, int64_t kc) {
    int64_t most = TILE_MC(t.mr);
    return (mc < most ? (mc + t.mr - 1) / t.mr * t.mr : most) * (kc < KC ? kc : KC);
}
KS_RULE int64_t packed_b(Tile t, int64_t nc, int64_t kc) {
    int64_t most = TILE_NCB(t.nr);
    return (nc < most ? (nc + t.nr - 1) / t.nr * t.nr : most) * (kc < KC ? kc : KC);
}

/* Whether a product takes the small path (linalg.c explains the rule):
 * one block of k, enough rows, A and B in L2, A plain or transposed. */
KS_RULE int small_path(Tile t, int64_t M, int64_t N, int64_t K, int64_t a_rs, int64_t a_cs) {
    return K <= KC && M >= 2 * t.mr && (M * K + K * N) * (int64_t)sizeof(float) <= SMALL_BYTES &&
           (a_cs == 1 || a_rs == 1);
}

/* Floats of small_block's copy of B: K rows of N rounded up to NR when B
 * is transposed (b_cs != 1) or its last panel is partial, else 1 (unused). */
KS_RULE int64_t small_rows(Tile t, int64_t N, int64_t K, int64_t b_cs) {
    int64_t np = (N + t.nr - 1) / t.nr * t.nr;
    return b_cs != 1 || np != N ? K * np : 1;
}

/* ---- conv.c: the direct convolutions ----------------------------------- */

enum { CONV_FORWARD, CONV_DX, CONV_DW };

enum {
    STAGE_FLOATS = 40 * 1024,    /* the staged planes of one task: 160 KB of stack (a fixed array) */
    DW_GROUP_FLOATS = 16 * 1024, /* dw: bands staged at once, kept near L1 */
    DW_MIN_VECTORS = 32,         /* dw: the fewest vectors of positions per group done here */
    MAX_ROWS = 4096,             /* rows r = (c, kh, kw) of a convolution done here */
};

/* Floats past the staged planes that the last vectors may touch: off[r] + q
 * reaches at most C * plane + KW + 14 (q < band * Wp rounded up to 16). */
KS_RULE int64_t conv_slack(int64_t KW) { return (KW + 31) / 16 * 16; }

/* The geometry of a direct convolution with bands of `band` output rows. */
typedef struct Planes {
    int64_t Wp, band, plane, qs;   /* columns; rows per band; floats per staged plane; per wide row set */
} Planes;

KS_RULE Planes conv_planes(int64_t W, int64_t pw, int64_t KH, int64_t band) {
    Planes pl = {.Wp = W + 2 * pw, .band = band};
    pl.plane = (band + KH - 1) * pl.Wp;
    pl.qs = (band * pl.Wp + 15) / 16 * 16;
    return pl;
}

/* 1 when conv.c's direct kernels take op (R = C KH KW rows), with the band
 * of output rows and dw's group of bands in *band and *group; 0 for strides
 * other than 1, too many rows r, or not even one output row whose planes
 * fit the stack budget.  The band is the most output rows that fit,
 * counting each wide row set of a filter as band * Wp + 15 floats (at least
 * its size rounded up to 16). */
KS_RULE int conv_direct(int op, int64_t C, int64_t W, int64_t F, int64_t KH, int64_t KW, int64_t OH,
                              int64_t sh, int64_t sw, int64_t pw, int64_t *band_out, int64_t *group_out) {
    if (sh != 1 || sw != 1 || C * KH * KW > MAX_ROWS) return 0;
    int64_t Wp = W + 2 * pw, budget = STAGE_FLOATS - conv_slack(KW) - 32;
    int64_t fixed = C * (KH - 1) * Wp + 15 * F, per_row = (C + F) * Wp;
    if (fixed + per_row > budget) return 0;
    int64_t band = (budget - fixed) / per_row;
    band = band < OH ? band : OH;
    Planes pl = conv_planes(W, pw, KH, band);
    int64_t group = (DW_GROUP_FLOATS - conv_slack(KW) - 32) / (C * pl.plane + F * pl.qs);
    group = group < 1 ? 1 : group;
    *band_out = band, *group_out = group;
    /* dw adds the lanes of every accumulator once per group: with fewer
     * than DW_MIN_VECTORS vectors of positions per group that costs more
     * than im2col's copy (64 filters on 14 x 14 images: 89 against 75
     * GFLOP/s). */
    return !(op == CONV_DW && group * (pl.qs / 16) < DW_MIN_VECTORS);
}

/* ---- conv_im2col.c: the convolutions as products ------------------------ */

enum { COL_FLOATS = 24 * 1024, COL_SLACK = 16 };

/* Output positions per chunk of col (at most COL_FLOATS floats for R rows,
 * whole output rows when one fits), P = OH OW positions in all; below 1,
 * conv_loops runs instead. */
KS_RULE int64_t im2col_chunk(int64_t R, int64_t P, int64_t OW) {
    int64_t chunk = COL_FLOATS / R;
    chunk = chunk > P ? P : chunk;
    if (chunk >= OW) chunk = chunk / OW * OW;
    return chunk;
}

/* ---- the bytes, for cg_stack.c -------------------------------------------
 * An array of n floats aligned to 64 bytes takes at most 4 n + 60 bytes
 * below the stack pointer: its size rounded up to the stack's alignment A
 * (a multiple of 4: at most A - 4 more), then the pointer rounded down to
 * 64 (at most 64 - A more). */
KS_RULE int64_t stack_array_bytes(int64_t floats) { return 4 * floats + 60; }

/* gemm_block's two arrays for a product [M, K] @ [K, N] (or a band of it). */
KS_RULE int64_t gemm_block_bytes(Tile t, int64_t M, int64_t N, int64_t K) {
    int64_t k1 = K > 0 ? K : 1;
    return stack_array_bytes(packed_a(t, M > 0 ? M : 1, k1)) + stack_array_bytes(packed_b(t, N > 0 ? N : 1, k1));
}

/* What dmk_matmul (batched: dmk_matmul_batched) allocates at run time for
 * constant shapes: small_block's copy of B on the small path, else
 * gemm_block's packed blocks; nothing for a small product (dmk_matmul
 * only) or an empty one. */
KS_RULE int64_t matmul_strided_stack_bytes(Tile t, int64_t M, int64_t N, int64_t K, int64_t a_rs, int64_t a_cs,
                                           int64_t b_cs, int batched) {
    if (M <= 0 || N <= 0 || (!batched && M * N * K <= SMALL_PRODUCT)) return 0;
    if (small_path(t, M, N, K, a_rs, a_cs)) return stack_array_bytes(small_rows(t, N, K, b_cs));
    return K > 0 ? gemm_block_bytes(t, M, N, K) : 0;
}

/* dmk_matmul's (flags) and, with its operands' strides, dmk_matmul_batched's. */
KS_RULE int64_t matmul_stack_bytes(Tile t, int64_t M, int64_t N, int64_t K, int32_t ta, int32_t tb, int batched) {
    return matmul_strided_stack_bytes(t, M, N, K, ta ? 1 : K, ta ? M : 1, tb ? K : 1, batched);
}

/* What dmk_conv2d, _dx or _dw (op) allocates at run time for constant
 * shapes: nothing on the direct path (fixed arrays, in the frames) or the
 * plain loops; on the im2col path, a task's chunk of col (dcol for dx) and
 * the blocks of the product on it, for the largest chunk. */
KS_RULE int64_t conv_stack_bytes(Tile t, int op, int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH,
                                       int64_t KW, int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t ph,
                                       int64_t pw) {
    (void)H, (void)ph;
    int64_t R = C * KH * KW, P = OH * OW, band, group;
    if (P <= 0 || R <= 0 || F <= 0 || N <= 0) return 0;
    if (conv_direct(op, C, W, F, KH, KW, OH, sh, sw, pw, &band, &group)) return 0;
    int64_t chunk = im2col_chunk(R, P, OW);
    if (chunk < 1) return 0;
    if (op == CONV_FORWARD) return stack_array_bytes(R * chunk + COL_SLACK) + gemm_block_bytes(t, F, chunk, R);
    if (op == CONV_DX) return stack_array_bytes(R * chunk) + gemm_block_bytes(t, R, chunk, F);
    return stack_array_bytes(R * chunk + COL_SLACK) + gemm_block_bytes(t, F, R, chunk);
}

#endif
