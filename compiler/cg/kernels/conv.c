/* conv.c: the convolution kernels, y = conv2d(x, w) and its gradients dx
 * and dw, f32, NCHW.  Unit strides are computed here, on the padded input
 * planes themselves instead of an im2col matrix, when the planes of at
 * least one output row fit the stack budget; everything else goes to
 * conv_im2col.c.  The choice, the bands and the register tiles follow from
 * the shapes alone and are made at the call site, where the shapes are
 * constants, so a model holds only the code its convolutions use.
 *
 * Pad one sample's input into planes of Wp = W + 2 pw columns and number
 * the output positions of a band of output rows by q = oh * Wp + ow: OW real
 * columns, then Wp - OW = KW - 1 spare ones per row (the "wide" layout).
 * Output (oh, ow) reads the padded input at (oh + kh, ow + kw), which in the
 * flattened planes is q + kh * Wp + kw.  So the row r = (c, kh, kw) of the
 * im2col matrix is the slice of the padded planes that starts at
 *   off[r] = c * plane + kh * Wp + kw,
 * and nothing needs to be copied out of the planes:
 *   forward   y'[f, q]          = sum over r of w[f, r] xp[off[r] + q]
 *   dw        dw[f, r]         += sum over q of dy'[f, q] xp[off[r] + q]
 *   dx        dxp[off[r] + q]  += sum over f of w[f, r] dy'[f, q]
 * where y' and dy' are y and dy in the wide layout (y' loses its spare
 * columns when it is copied out, dy' has zeros there) and dxp is dx padded
 * like xp (its padding is dropped when it is copied out).  q is the vector
 * axis: 16 consecutive positions per register, loaded at any offset.
 *
 * Register tiles: forward and dx keep m rows (filters, or input channels)
 * by nv vectors of positions in registers and run the whole sum over r (or
 * f) there, with the weights broadcast; dw keeps m filters by nr rows r and
 * runs the sum over the positions of a group of bands there, then adds the
 * 16 lanes.  m is 8, 6, 4, 2 or 1, with nv (nr) chosen so that about 24
 * accumulators are live: enough independent FMAs to fill both FMA ports.
 *
 * A band is as many output rows as fit the stack budget (STAGE_FLOATS) with
 * the KH - 1 input rows it shares with the next; small images are one band.
 * dw stages several bands (of one or more samples) at once, so that its
 * lane sums are few (and leaves to im2col the shapes where a group would
 * still be short).  Samples are split into a number of tasks fixed by the
 * shape (conv_split, shared with conv_im2col.c); dw sums into one partial
 * per task.  Every sum runs in an order fixed by the shapes alone, so
 * results do not depend on the threads.
 *
 * The spare positions read real input (the start of the next row): their
 * products are dropped (forward) or multiplied by the zeros of dy' (dw, dx).
 * Only an infinite or NaN input (dw) or weight (dx) can tell: it makes some
 * entries NaN that the definition leaves infinite or finite, in a result
 * that has non-finite entries anyway.  docs/codegen.md. */
#include "kernels.h"

/* STAGE_FLOATS, DW_GROUP_FLOATS, DW_MIN_VECTORS, MAX_ROWS, the Planes of a
 * band and the rule that picks these kernels (conv_direct): kernel_stack.h,
 * which cg_stack.c reads to tell which convolutions go to im2col. */
enum { MAX_TILE = 8 };   /* the most rows or vectors of a register tile */

static int64_t slack(const Conv *cv) { return conv_slack(cv->KW); }

static Planes planes_of(const Conv *cv, int64_t band) { return conv_planes(cv->W, cv->pw, cv->KH, band); }

/* ---- register tiles ------------------------------------------------------ */

/* c[i * c_rs + 16 v + l] (+)= sum over k < K of a[i * a_rs + k * a_ks] b[bk + 16 v + l]
 * for i < m, v < nv and the 16 lanes l, where bk is off[k] with an offset
 * table, else k * b_ks. */
static ALWAYS_INLINE void rows_tile(int m, int nv, int64_t K, const float *restrict a, int64_t a_rs, int64_t a_ks,
                                    const float *restrict b, const int32_t *restrict off, int64_t b_ks,
                                    float *restrict c, int64_t c_rs, int add) {
    v16 acc[MAX_TILE][MAX_TILE];
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++)
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; v++) acc[i][v] = (v16){0};
#pragma clang loop unroll(disable)
    for (int64_t k = 0; k < K; k++) {
        const float *bk = b + (off ? off[k] : k * b_ks);
        v16 bv[MAX_TILE];
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; v++) bv[v] = load16(bk + 16 * v);
#pragma clang loop unroll(full)
        for (int i = 0; i < m; i++) {
            float ai = a[i * a_rs + k * a_ks];
#pragma clang loop unroll(full)
            for (int v = 0; v < nv; v++) acc[i][v] += ai * bv[v];
        }
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++)
#pragma clang loop unroll(full)
        for (int v = 0; v < nv; v++) {
            float *ci = c + i * c_rs + 16 * v;
            store16(ci, add ? load16(ci) + acc[i][v] : acc[i][v]);
        }
}

/* rows_tile over nvec vectors of positions: whole tiles of nv, then one
 * vector at a time. */
static ALWAYS_INLINE void rows_sweep(int m, int nv, int64_t nvec, int64_t K, const float *a, int64_t a_rs,
                                     int64_t a_ks, const float *b, const int32_t *off, int64_t b_ks, float *c,
                                     int64_t c_rs, int add) {
    int64_t v = 0;
    for (; v + nv <= nvec; v += nv) rows_tile(m, nv, K, a, a_rs, a_ks, b + 16 * v, off, b_ks, c + 16 * v, c_rs, add);
    for (; v < nvec; v++) rows_tile(m, 1, K, a, a_rs, a_ks, b + 16 * v, off, b_ks, c + 16 * v, c_rs, add);
}

/* The rows of the next tile when `left` rows remain, and its vectors (for
 * dw, its rows r): about 24 accumulators. */
static ALWAYS_INLINE int tile_rows(int64_t left) { return left >= 8 ? 8 : left >= 6 ? 6 : left >= 4 ? 4 : left >= 2 ? 2 : 1; }
#define TILE_VECTORS(m) ((m) == 8 ? 3 : (m) == 6 ? 4 : (m) == 4 ? 6 : 8)

/* The row tiles of one height M: forward (B's rows at an offset table, C
 * stored) and dx (B's rows at a fixed stride, C added to). */
#define ROWS_TILES(M)                                                                                             \
    static void forward_tiles_##M(int64_t nvec, int64_t K, const float *a, int64_t a_rs, int64_t a_ks,          \
                                  const float *b, const int32_t *off, int64_t b_ks, float *c, int64_t c_rs) {   \
        (void)a_ks, (void)b_ks;                                                                                   \
        rows_sweep(M, TILE_VECTORS(M), nvec, K, a, a_rs, 1, b, off, 0, c, c_rs, 0);                              \
    }                                                                                                             \
    static void dx_tiles_##M(int64_t nvec, int64_t K, const float *a, int64_t a_rs, int64_t a_ks, const float *b, \
                             const int32_t *off, int64_t b_ks, float *c, int64_t c_rs) {                        \
        (void)off;                                                                                                \
        rows_sweep(M, TILE_VECTORS(M), nvec, K, a, a_rs, a_ks, b, NULL, b_ks, c, c_rs, 1);                       \
    }
ROWS_TILES(8) ROWS_TILES(6) ROWS_TILES(4) ROWS_TILES(2) ROWS_TILES(1)

/* The sum of the 16 lanes, in a fixed order. */
static ALWAYS_INLINE float lane_sum(v16 v) {
    v8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
           __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
    return (q[0] + q[2]) + (q[1] + q[3]);
}

/* out[i * out_rs + j] += sum over bands g < G and vectors v < nvec of the
 * lanes of a[g * a_gs + i * a_rs + 16 v] b[g * b_gs + off[j] + 16 v], for
 * i < m and j < nj (off has nr valid entries). */
static ALWAYS_INLINE void dot_tile(int m, int nr, int64_t G, int64_t nvec, const float *restrict a, int64_t a_gs,
                                   int64_t a_rs, const float *restrict b, int64_t b_gs, const int32_t *restrict off,
                                   float *restrict out, int64_t out_rs, int64_t nj) {
    v16 acc[MAX_TILE][MAX_TILE];
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++)
#pragma clang loop unroll(full)
        for (int j = 0; j < nr; j++) acc[i][j] = (v16){0};
    for (int64_t g = 0; g < G; g++) {
        const float *ag = a + g * a_gs, *bg = b + g * b_gs;
#pragma clang loop unroll(disable)
        for (int64_t v = 0; v < nvec; v++) {
            v16 bv[MAX_TILE];
#pragma clang loop unroll(full)
            for (int j = 0; j < nr; j++) bv[j] = load16(bg + off[j] + 16 * v);
#pragma clang loop unroll(full)
            for (int i = 0; i < m; i++) {
                v16 ai = load16(ag + i * a_rs + 16 * v);
#pragma clang loop unroll(full)
                for (int j = 0; j < nr; j++) acc[i][j] += ai * bv[j];
            }
        }
    }
    /* The lane sums from memory, in a loop: unrolled, they would make each
     * tile several times bigger, for a small part of its time. */
    float lanes[MAX_TILE * MAX_TILE][16] __attribute__((aligned(64)));
#pragma clang loop unroll(full)
    for (int i = 0; i < m; i++)
#pragma clang loop unroll(full)
        for (int j = 0; j < nr; j++) store16(lanes[i * nr + j], acc[i][j]);
#pragma clang loop unroll(disable)
    for (int i = 0; i < m; i++)
#pragma clang loop unroll(disable)
        for (int j = 0; j < nr && j < nj; j++) out[i * out_rs + j] += lane_sum(load16(lanes[i * nr + j]));
}

/* dw of M filters: dot_tile over every block of TILE_VECTORS(M) rows r. */
#define DOT_TILES(M)                                                                                         \
    static void dw_tiles_##M(int64_t R, int64_t G, int64_t nvec, const float *a, int64_t a_gs, int64_t a_rs, \
                             const float *b, int64_t b_gs, const int32_t *off, float *out) {                  \
        for (int64_t r = 0; r < R; r += TILE_VECTORS(M))                                                     \
            dot_tile(M, TILE_VECTORS(M), G, nvec, a, a_gs, a_rs, b, b_gs, off + r, out + r, R, R - r);       \
    }
DOT_TILES(8) DOT_TILES(6) DOT_TILES(4) DOT_TILES(2) DOT_TILES(1)

/* ---- staging ------------------------------------------------------------- */

static NOINLINE NO_LIBC void clear(float *p, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) store16(p + i, (v16){0});
    for (; i < n; i++) p[i] = 0;
}

/* d[0:16k) = s[0:n) followed by zeros, k = ceil(n / 16): whole vectors, the
 * last one with its lanes past n cleared.  Reads of s stay before s_end. */
static ALWAYS_INLINE void copy_padded(float *restrict d, const float *restrict s, int64_t n, const float *s_end) {
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) store16(d + j, load16(s + j));
    if (j == n) return;
    if (s + j + 16 <= s_end) {
        const vi16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        vi16 keep = lane < (vi16){0} + (int32_t)(n - j);
        store16(d + j, (v16)((vi16)load16(s + j) & keep));
        return;
    }
    store16(d + j, (v16){0});
    copy_floats(d + j, s + j, n - j, 0);
}

/* d[i * d_rs + 0:n] = s[i * s_rs + 0:n] (+= with add) for i < rows.  When
 * the rows of d are contiguous (d_rs == n) and nothing is added, the rows
 * are copied by whole vectors, overrunning a row's end into the next rows,
 * which are written after it, as long as the overrun stays inside d's
 * rows; the last rows exactly.  s is read up to 15 floats past a row. */
static NOINLINE NO_LIBC void copy_rows(float *restrict d, int64_t d_rs, const float *restrict s, int64_t s_rs, int64_t rows,
                              int64_t n, int add) {
    int64_t i = 0;
    if (!add && d_rs == n)
        for (; i * n + (n + 15) / 16 * 16 <= rows * n; i++)
            for (int64_t j = 0; j < n; j += 16) store16(d + i * d_rs + j, load16(s + i * s_rs + j));
    for (; i < rows; i++) copy_floats(d + i * d_rs, s + i * s_rs, n, add);
}

/* The input rows that output rows [oh0, oh0 + bh) read, into the interior
 * of the planes xp (whose padding only ever receives zeros): rows outside
 * the image become zero.  A row's last vector clears on into the padding and
 * the next row, which is written after it. */
static NOINLINE NO_LIBC void stage_input(float *xp, const float *x, const Conv *cv, const Planes *pl, int64_t oh0, int64_t bh) {
    const float *x_end = cv->in0 + cv->N * cv->C * cv->H * cv->W;
    for (int64_t c = 0; c < cv->C; c++)
        for (int64_t a = 0; a < bh + cv->KH - 1; a++) {
            float *d = xp + c * pl->plane + a * pl->Wp + cv->pw;
            int64_t ih = oh0 + a - cv->ph;
            if (ih >= 0 && ih < cv->H) copy_padded(d, x + (c * cv->H + ih) * cv->W, cv->W, x_end);
            else clear(d, cv->W);
        }
}

/* dy's rows [oh0, oh0 + bh) of every filter into the wide layout dyw
 * (whose spare columns only ever receive zeros); the rows of a short last
 * band past bh become zero. */
static NOINLINE NO_LIBC void stage_grad(float *dyw, const float *dy, const Conv *cv, const Planes *pl, int64_t oh0,
                               int64_t bh, const float *dy_end) {
    for (int64_t f = 0; f < cv->F; f++) {
        float *d = dyw + f * pl->qs;
        for (int64_t a = 0; a < bh; a++)
            copy_padded(d + a * pl->Wp, dy + (f * cv->OH + oh0 + a) * cv->OW, cv->OW, dy_end);
        if (bh < pl->band) clear(d + bh * pl->Wp, pl->qs - bh * pl->Wp);
    }
}

/* off[r] for r = (c, kh, kw), then copies of off[0] up to a whole tile, so
 * that a last, partial block of rows reads staged memory. */
static void offsets(int32_t *off, const Conv *cv, const Planes *pl) {
    int64_t r = 0;
    for (int64_t c = 0; c < cv->C; c++)
        for (int64_t kh = 0; kh < cv->KH; kh++)
            for (int64_t kw = 0; kw < cv->KW; kw++) off[r++] = (int32_t)(c * pl->plane + kh * pl->Wp + kw);
    for (; r < cv->R + MAX_TILE; r++) off[r] = off[0];
}

/* ---- the tasks ----------------------------------------------------------- */

/* The tile of the row block that starts at row f of `rows`: blocks of 8,
 * then the remainder in at most two blocks (plan_tiles). */
static int block_of(int64_t rows, int64_t f) {
    return rows - f >= 8 ? 0 : f == rows - rows % 8 ? 1 : 2;
}

/* The band of output rows `band` (0-based) of the plan: first row and rows. */
static void band_rows(const Conv *cv, const Planes *pl, int64_t band, int64_t *oh0, int64_t *bh) {
    *oh0 = band * pl->band;
    *bh = cv->OH - *oh0 < pl->band ? cv->OH - *oh0 : pl->band;
}

static int64_t bands_of(const Conv *cv, const Planes *pl) { return (cv->OH + pl->band - 1) / pl->band; }

/* y = conv(x = in0, w = in1) for the samples of task t. */
static NO_LIBC void forward_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float stage[STAGE_FLOATS] __attribute__((aligned(64)));
    int32_t off[MAX_ROWS + MAX_TILE];
    Planes pl = planes_of(cv, cv->band);
    int64_t R = cv->R, P = cv->P;
    float *xp = stage, *yw = stage + (cv->C * pl.plane + slack(cv) + 15) / 16 * 16;
    offsets(off, cv, &pl);
    clear(xp, cv->C * pl.plane + slack(cv));
    int64_t n0, n1;
    conv_range(cv, t, &n0, &n1);
    for (int64_t n = n0; n < n1; n++)
        for (int64_t b = 0; b < bands_of(cv, &pl); b++) {
            int64_t oh0, bh;
            band_rows(cv, &pl, b, &oh0, &bh);
            stage_input(xp, cv->in0 + n * cv->C * cv->H * cv->W, cv, &pl, oh0, bh);
            int64_t nvec = (bh * pl.Wp + 15) / 16;
            for (int64_t f = 0; f < cv->F; f += cv->tile_rows[block_of(cv->F, f)])
                cv->tile[block_of(cv->F, f)].rows(nvec, R, cv->in1 + f * R, R, 1, xp, off, 0, yw + f * pl.qs, pl.qs);
            float *y = cv->out + n * cv->F * P + oh0 * cv->OW;
            for (int64_t f = 0; f < cv->F; f++) {
                copy_rows(y + f * P, cv->OW, yw + f * pl.qs, pl.Wp, bh, cv->OW, 0);
                int64_t first = n * cv->F * P + f * P + oh0 * cv->OW;
                if (cv->epi) cv->epi(cv->epi_data, first, first + bh * cv->OW);
            }
        }
}

/* dx = conv_dx(dy = in0, w = in1) for the samples of task t. */
static NO_LIBC void dx_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float stage[STAGE_FLOATS] __attribute__((aligned(64)));
    Planes pl = planes_of(cv, cv->band);
    int64_t R = cv->R, KK = cv->KH * cv->KW;
    float *dyw = stage, *dxp = stage + cv->F * pl.qs;
    clear(dyw, cv->F * pl.qs);
    int64_t n0, n1;
    conv_range(cv, t, &n0, &n1);
    for (int64_t n = n0; n < n1; n++)
        for (int64_t b = 0; b < bands_of(cv, &pl); b++) {
            int64_t oh0, bh;
            band_rows(cv, &pl, b, &oh0, &bh);
            stage_grad(dyw, cv->in0 + n * cv->F * cv->OH * cv->OW, cv, &pl, oh0, bh,
                       cv->in0 + cv->N * cv->F * cv->OH * cv->OW);
            clear(dxp, cv->C * pl.plane + slack(cv));
            int64_t nvec = (bh * pl.Wp + 15) / 16;
            for (int64_t kh = 0; kh < cv->KH; kh++)
                for (int64_t kw = 0; kw < cv->KW; kw++)
                    for (int64_t c = 0; c < cv->C; c += cv->tile_rows[block_of(cv->C, c)])
                        cv->tile[block_of(cv->C, c)].rows(nvec, cv->F, cv->in1 + c * KK + kh * cv->KW + kw, KK, R,
                                                              dyw, NULL, pl.qs, dxp + c * pl.plane + kh * pl.Wp + kw,
                                                              pl.plane);
            /* Padded rows oh0 + a of dxp: rows before oh0 + KH - 1 were also
             * reached by the previous band, so they add to what it wrote. */
            float *dx = cv->out + n * cv->C * cv->H * cv->W;
            int64_t a0 = oh0 < cv->ph ? cv->ph - oh0 : 0;   /* the band's rows a that are rows of dx */
            int64_t a1 = bh + cv->KH - 1 < cv->H + cv->ph - oh0 ? bh + cv->KH - 1 : cv->H + cv->ph - oh0;
            int64_t added = oh0 > 0 ? cv->KH - 1 : 0;
            for (int64_t c = 0; c < cv->C; c++) {
                float *d = dx + (c * cv->H + oh0 + a0 - cv->ph) * cv->W;
                const float *s = dxp + c * pl.plane + a0 * pl.Wp + cv->pw;
                int64_t na = added > a0 ? added - a0 : 0;
                na = na > a1 - a0 ? a1 - a0 : na;
                copy_rows(d, cv->W, s, pl.Wp, na, cv->W, 1);
                copy_rows(d + na * cv->W, cv->W, s + na * pl.Wp, pl.Wp, a1 - a0 - na, cv->W, 0);
            }
        }
}

/* This task's partial dw = the sum over its samples of dy'_n xp_n^T
 * (x = in0, dy = in1), the bands staged `group` at a time. */
static NO_LIBC void dw_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float stage[STAGE_FLOATS] __attribute__((aligned(64)));
    int32_t off[MAX_ROWS + MAX_TILE];
    Planes pl = planes_of(cv, cv->band);
    int64_t R = cv->R, n0, n1;
    conv_range(cv, t, &n0, &n1);
    int64_t nb = bands_of(cv, &pl), blocks = (n1 - n0) * nb;
    int64_t group = cv->group < blocks ? cv->group : blocks;
    int64_t xs = cv->C * pl.plane, ys = cv->F * pl.qs;   /* floats per staged band */
    float *xp = stage, *dyw = stage + (group * xs + slack(cv) + 15) / 16 * 16;
    float *dw = cv->ntasks == 1 ? cv->out : cv->partial + t * cv->F * R;
    offsets(off, cv, &pl);
    clear(dw, cv->F * R);
    clear(stage, dyw - stage + group * ys);
    int64_t nvec = pl.qs / 16;
    for (int64_t b0 = 0; b0 < blocks; b0 += group) {
        int64_t G = blocks - b0 < group ? blocks - b0 : group;
        for (int64_t g = 0; g < G; g++) {
            int64_t n = n0 + (b0 + g) / nb, oh0, bh;
            band_rows(cv, &pl, (b0 + g) % nb, &oh0, &bh);
            stage_input(xp + g * xs, cv->in0 + n * cv->C * cv->H * cv->W, cv, &pl, oh0, bh);
            stage_grad(dyw + g * ys, cv->in1 + n * cv->F * cv->OH * cv->OW, cv, &pl, oh0, bh,
                       cv->in1 + cv->N * cv->F * cv->OH * cv->OW);
        }
        for (int64_t f = 0; f < cv->F; f += cv->tile_rows[block_of(cv->F, f)])
            cv->tile[block_of(cv->F, f)].dot(R, G, nvec, dyw + f * pl.qs, ys, pl.qs, xp, xs, off, dw + f * R);
    }
}

/* ---- the plan, at the call site ------------------------------------------ */

/* The tiles for row blocks of m rows (0: none). */
static ALWAYS_INLINE void set_tile(Conv *cv, int op, int k, int m) {
    cv->tile_rows[k] = m;
    switch (m) {
#define CASE(M)                                                                      \
    case M:                                                                          \
        if (op == CONV_DW) cv->tile[k].dot = dw_tiles_##M;                           \
        else cv->tile[k].rows = op == CONV_FORWARD ? forward_tiles_##M : dx_tiles_##M; \
        return;
    CASE(8) CASE(6) CASE(4) CASE(2) CASE(1)
#undef CASE
    }
}

/* The row blocks of op (filters, or channels for dx): 8 at a time, then the
 * remainder as one or two of 6, 4, 2 and 1. */
static ALWAYS_INLINE void plan_tiles(Conv *cv, int op) {
    int64_t rows = op == CONV_DX ? cv->C : cv->F, rem = rows % 8;
    int m1 = rem ? tile_rows(rem) : 0;
    set_tile(cv, op, 0, rows >= 8 ? 8 : 0);
    set_tile(cv, op, 1, m1);
    set_tile(cv, op, 2, rem - m1 ? tile_rows(rem - m1) : 0);
}

/* 1 when the direct kernels take op of cv (R and P set), with the band,
 * dw's group and the tiles planned (the rule: kernel_stack.h). */
static ALWAYS_INLINE int plan_direct(int op, Conv *cv) {
    if (!conv_direct(op, cv->C, cv->W, cv->F, cv->KH, cv->KW, cv->OH, cv->sh, cv->sw, cv->pw, &cv->band, &cv->group))
        return 0;
    plan_tiles(cv, op);
    return 1;
}

/* The fixed split of the samples: by the work only, never the thread count.
 * dw's partials live on the stack: more of them than DW_PARTIAL_FLOATS
 * floats, and dw is one task. */
enum { DW_PARTIAL_FLOATS = 32 * 1024 };

static int conv_tasks(const Conv *cv, int for_dw) {
    int64_t work = cv->N * cv->F * cv->R * cv->P;
    int64_t t = work / PARALLEL_MIN;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > cv->N ? cv->N : t;
    if (for_dw && t * cv->F * cv->R > DW_PARTIAL_FLOATS) t = 1;
    return t < 1 ? 1 : (int)t;
}

void conv_split(int op, Conv *cv, dm_task_fn fn, dm_exec *ex) {
    cv->ntasks = conv_tasks(cv, op == CONV_DW);
    float partial[DW_PARTIAL_FLOATS] __attribute__((aligned(64)));
    cv->partial = partial;
    if (!ex || ex->threads <= 1 || cv->ntasks == 1)
        for (int t = 0; t < cv->ntasks; t++) fn(cv, t, cv->ntasks);
    else
        ex->parallel(ex, fn, cv, cv->ntasks);
    if (op == CONV_DW && cv->ntasks > 1)
        for (int64_t i = 0; i < cv->F * cv->R; i++) {
            float s = partial[i];
            for (int t = 1; t < cv->ntasks; t++) s += partial[t * cv->F * cv->R + i];
            cv->out[i] = s;
        }
}

/* ---- the entry points ------------------------------------------------------ */

static ALWAYS_INLINE void convolve(int op, Conv *cv, dm_exec *ex) {
    cv->R = cv->C * cv->KH * cv->KW;
    cv->P = cv->OH * cv->OW;
    if (cv->P == 0 || cv->R == 0 || cv->F == 0 || cv->N == 0) conv_loops(op, cv);
    else if (plan_direct(op, cv)) conv_split(op, cv, op == CONV_FORWARD ? forward_task : op == CONV_DX ? dx_task : dw_task, ex);
    else conv_im2col(op, cv, ex);
}

#define CONV_SHAPE int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH, int64_t KW, \
                   int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t ph, int64_t pw
#define CONV_ARGS CONV_SHAPE, dm_exec *ex
#define CONV_INIT .N = N, .C = C, .H = H, .W = W, .F = F, .KH = KH, .KW = KW, .OH = OH, .OW = OW, \
                  .sh = sh, .sw = sw, .ph = ph, .pw = pw

/* y[n,f,oh,ow] = sum_{c,kh,kw} x[n,c,oh*sh+kh-ph,ow*sw+kw-pw] w[f,c,kh,kw], then epi */
void dmk_conv2d(float *restrict y, const float *restrict x, const float *restrict w, CONV_SHAPE, Epilogue epi,
                void *epi_data, dm_exec *ex) {
    Conv cv = {.out = y, .in0 = x, .in1 = w, CONV_INIT, .epi = epi, .epi_data = epi_data};
    convolve(CONV_FORWARD, &cv, ex);
}

/* dx[n,c,ih,iw] = sum over the outputs that read x[n,c,ih,iw] of dy * w */
void dmk_conv2d_dx(float *restrict dx, const float *restrict dy, const float *restrict w, CONV_ARGS) {
    Conv cv = {.out = dx, .in0 = dy, .in1 = w, CONV_INIT};
    convolve(CONV_DX, &cv, ex);
}

/* dw[f,c,kh,kw] = sum_{n,oh,ow} dy[n,f,oh,ow] x[n,c,oh*sh+kh-ph,ow*sw+kw-pw] */
void dmk_conv2d_dw(float *restrict dw, const float *restrict x, const float *restrict dy, CONV_ARGS) {
    Conv cv = {.out = dw, .in0 = x, .in1 = dy, CONV_INIT};
    convolve(CONV_DW, &cv, ex);
}
