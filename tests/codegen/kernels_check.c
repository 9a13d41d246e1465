/* kernels_check.c: the GEMM and convolution kernels of compiler/cg/kernels/linalg.c
 * compiled natively and checked directly (built and run by kernels.test.sh):
 *   - dmk_matmul for every transpose combination over sizes 1, 3, 7, 8, 9, 33,
 *     65, 100, 130 and 257 against a double-precision triple loop (oracle);
 *   - the three convolution kernels against the definition of the op in
 *     double precision (oracle): strides 1 to 2, padding 0 to 3, chunked
 *     im2col, the loops for very many input channels, and the direct
 *     kernels of unit strides at every tile and band size;
 *   - nn.c's 2 x 2 max pooling and its gradient exactly as defined, with
 *     ties and NaNs;
 *   - dmk_matmul_batched with broadcast batch axes, transposes, epilogues
 *     and both ways of splitting a batch, against a double-precision loop;
 *   - nothing written past any output (a vector of canaries after it);
 *   - bit-identical results with a dm_exec that runs the tasks in reverse
 *     order (as threads might), which checks that the split of the work does
 *     not change any sum;
 *   - a digest of every product's bits, printed last: kernels.test.sh
 *     builds linalg.c once per register tile and requires one digest, since
 *     the tile must not change any sum either.
 * Exits 0 when every check passes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"

#define CONV int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH, int64_t KW, int64_t OH, \
             int64_t OW, int64_t sh, int64_t sw, int64_t ph, int64_t pw, dm_exec *ex
typedef void (*Epilogue)(void *data, int64_t first, int64_t end);
void dmk_matmul(float *c, const float *a, const float *b, int64_t M, int64_t N, int64_t K, int32_t ta, int32_t tb,
                Epilogue epi, void *epi_data, dm_exec *ex);
void dmk_matmul_batched(float *c, const float *a, const float *b, int64_t M, int64_t N, int64_t K, int64_t a_rs,
                        int64_t a_cs, int64_t b_rs, int64_t b_cs, int64_t ldc, int32_t rank, const int64_t *dim,
                        const int64_t *a_stride, const int64_t *b_stride, const int64_t *c_stride, Epilogue epi,
                        void *epi_data, dm_exec *ex);
#define CONV_SHAPE int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH, int64_t KW, int64_t OH, \
             int64_t OW, int64_t sh, int64_t sw, int64_t ph, int64_t pw
void dmk_conv2d(float *y, const float *x, const float *w, CONV_SHAPE, Epilogue epi, void *epi_data, dm_exec *ex);
void dmk_conv2d_dx(float *dx, const float *dy, const float *w, CONV);
void dmk_conv2d_dw(float *dw, const float *x, const float *dy, CONV);
void dmk_maxpool2d(float *y, const float *x, int64_t NC, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh,
                   int64_t kw, int64_t sh, int64_t sw);
void dmk_maxpool2d_dx(float *dx, const float *x, const float *dy, int64_t NC, int64_t H, int64_t W, int64_t OH,
                      int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw, Epilogue epi, void *epi_data);

static int failures;
static uint32_t seed = 12345;

static void reverse_parallel(dm_exec *ex, dm_task_fn fn, void *ctx, int n) {
    (void)ex;
    for (int i = n - 1; i >= 0; i--) fn(ctx, i, n);
}
static dm_exec reverse = {reverse_parallel, 3, NULL};

enum { CANARIES = 16 };   /* a vector's worth: a kernel may overrun by up to 15 floats */

/* n floats in [-1.5, 1.5) on a 1/64 grid, CANARIES canary floats after them. */
static float *values(int64_t n) {
    float *p = malloc(sizeof *p * (size_t)(n + CANARIES));
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((int)(seed >> 16) % 193 - 96) / 64.0f;
    }
    for (int i = 0; i < CANARIES; i++) p[n + i] = 7777.0f;
    return p;
}

static void expect_close(const char *what, const float *got, const double *want, int64_t n) {
    int bad = 0;
    for (int64_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-4 * (1 + fabs(want[i])))) {
            if (bad++ < 3) fprintf(stderr, "%s: element %lld is %g, not %g\n", what, (long long)i, got[i], want[i]);
        }
    for (int i = 0; i < CANARIES; i++)
        if (got[n + i] != 7777.0f) {
            fprintf(stderr, "%s: written past the end\n", what), bad++;
            break;
        }
    failures += bad != 0;
}

/* FNV-1a over the bits of every product computed (the digest printed last). */
static uint64_t digest = 14695981039346656037ull;
static void add_to_digest(const float *c, int64_t n) {
    const unsigned char *p = (const unsigned char *)c;
    for (size_t i = 0; i < sizeof *c * (size_t)n; i++) digest = (digest ^ p[i]) * 1099511628211ull;
}

static void expect_same(const char *what, const float *a, const float *b, int64_t n) {
    if (memcmp(a, b, sizeof *a * (size_t)n) != 0) fprintf(stderr, "%s: depends on the split of the work\n", what), failures++;
}

static void check_matmul(int64_t M, int64_t N, int64_t K, int ta, int tb) {
    float *a = values(M * K), *b = values(K * N), *c = values(M * N), *c2 = values(M * N);
    double *want = calloc((size_t)(M * N), sizeof *want);
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++)
            for (int64_t k = 0; k < K; k++)
                want[i * N + j] += (double)(ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
    char what[96];
    snprintf(what, sizeof what, "matmul %lldx%lldx%lld ta=%d tb=%d", (long long)M, (long long)N, (long long)K, ta, tb);
    dmk_matmul(c, a, b, M, N, K, ta, tb, NULL, NULL, NULL);
    expect_close(what, c, want, M * N);
    add_to_digest(c, M * N);
    dmk_matmul(c2, a, b, M, N, K, ta, tb, NULL, NULL, &reverse);
    expect_same(what, c, c2, M * N);
    free(a), free(b), free(c), free(c2), free(want);
}

/* An epilogue that counts its visits of every element of C and doubles it. */
typedef struct Visits {
    float *c;
    int *count;
} Visits;

static void visit(void *data, int64_t first, int64_t end) {
    Visits *v = data;
    for (int64_t i = first; i < end; i++) v->count[i]++, v->c[i] *= 2;
}

/* dmk_matmul_batched over a batch [P, Q] of [M, K] @ [K, N] products, A
 * broadcast over the batch axes of a_bcast (bit 0: P, bit 1: Q), B over
 * those of b_bcast (stride 0 there), against a double-precision loop; with
 * the epilogue, every element visited once; bit-identical with tasks run
 * in reverse (whole products, or each product split, by the sizes). */
static void check_batched(int64_t P, int64_t Q, int a_bcast, int b_bcast, int64_t M, int64_t N, int64_t K, int ta,
                          int tb) {
    int64_t dim[2] = {P, Q}, as[2], bs[2], na = M * K, nb = K * N;
    as[1] = a_bcast & 2 ? 0 : na, na *= a_bcast & 2 ? 1 : Q;
    as[0] = a_bcast & 1 ? 0 : na, na *= a_bcast & 1 ? 1 : P;
    bs[1] = b_bcast & 2 ? 0 : nb, nb *= b_bcast & 2 ? 1 : Q;
    bs[0] = b_bcast & 1 ? 0 : nb, nb *= b_bcast & 1 ? 1 : P;
    int64_t nc = P * Q * M * N;
    float *a = values(na), *b = values(nb), *c = values(nc), *c2 = values(nc), *c3 = values(nc);
    double *want = calloc((size_t)nc, sizeof *want);
    for (int64_t p = 0; p < P; p++)
        for (int64_t q = 0; q < Q; q++) {
            const float *ap = a + p * as[0] + q * as[1], *bp = b + p * bs[0] + q * bs[1];
            double *w = want + (p * Q + q) * M * N;
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++)
                    for (int64_t k = 0; k < K; k++)
                        w[i * N + j] += (double)(ta ? ap[k * M + i] : ap[i * K + k]) * (tb ? bp[j * K + k] : bp[k * N + j]);
        }
    int64_t cs[2] = {Q * M * N, M * N};   /* C's matrices one after the other */
    /* A [M, K] ([K, M] transposed) and B [K, N] ([N, K]) as row and column strides, ldc = N */
#define STRIDES ta ? 1 : K, ta ? M : 1, tb ? 1 : N, tb ? K : 1, N
    char what[128];
    snprintf(what, sizeof what, "matmul_batched [%lld, %lld] a_bcast=%d b_bcast=%d %lldx%lldx%lld ta=%d tb=%d",
             (long long)P, (long long)Q, a_bcast, b_bcast, (long long)M, (long long)N, (long long)K, ta, tb);
    dmk_matmul_batched(c, a, b, M, N, K, STRIDES, 2, dim, as, bs, cs, NULL, NULL, NULL);
    expect_close(what, c, want, nc);
    add_to_digest(c, nc);
    dmk_matmul_batched(c2, a, b, M, N, K, STRIDES, 2, dim, as, bs, cs, NULL, NULL, &reverse);
    expect_same(what, c, c2, nc);
    int *count = calloc((size_t)nc + 1, sizeof *count);
    Visits v = {c3, count};
    dmk_matmul_batched(c3, a, b, M, N, K, STRIDES, 2, dim, as, bs, cs, visit, &v, &reverse);
    for (int64_t i = 0; i < nc; i++) {
        if (count[i] != 1) {
            fprintf(stderr, "%s: epilogue visits element %lld %d times\n", what, (long long)i, count[i]), failures++;
            break;
        }
        if (c3[i] != 2 * c[i]) {
            fprintf(stderr, "%s: epilogue element %lld is %g, not %g\n", what, (long long)i, c3[i], 2 * c[i]), failures++;
            break;
        }
    }
    free(a), free(b), free(c), free(c2), free(c3), free(want), free(count);
}

/* The three convolution kernels on x [N, C, H, W] and w [F, C, KH, KW] with
 * strides sh, sw and padding ph, pw. */
/* The heads of attention read in place (passes/views.c): qkv [P, T, 3 H d],
 * q's matrix (p, h) at qkv + p T 3Hd + h d, rows 3 H d apart; scores = q @
 * k^T with k^T read through column stride 3 H d, written into C with a row
 * stride (ldc) of H T and batch strides (T H T, T) (the [P, T, H, T] layout
 * of a transposed result).  The same floats as the batch of contiguous
 * copies (the same sums in the same order), for tasks in any order. */
static void check_strided(int64_t P, int64_t H, int64_t T, int64_t d) {
    int64_t D = H * d, nqkv = P * T * 3 * D, nc = P * H * T * T;
    float *qkv = values(nqkv), *q = values(P * H * T * d), *kt = values(P * H * d * T);
    float *want = values(nc), *c = values(nc), *c2 = values(nc);
    for (int64_t p = 0; p < P; p++)   /* the copies the transposes made */
        for (int64_t h = 0; h < H; h++)
            for (int64_t t = 0; t < T; t++)
                for (int64_t j = 0; j < d; j++) {
                    q[((p * H + h) * T + t) * d + j] = qkv[(p * T + t) * 3 * D + h * d + j];
                    kt[((p * H + h) * d + j) * T + t] = qkv[(p * T + t) * 3 * D + D + h * d + j];
                }
    int64_t dim[2] = {P, H}, as[2] = {H * T * d, T * d}, bs[2] = {H * d * T, d * T}, cs[2] = {H * T * T, T * T};
    dmk_matmul_batched(want, q, kt, T, T, d, d, 1, T, 1, T, 2, dim, as, bs, cs, NULL, NULL, NULL);
    int64_t vas[2] = {T * 3 * D, d}, vbs[2] = {T * 3 * D, d}, vcs[2] = {T * H * T, T};
    dmk_matmul_batched(c, qkv, qkv + D, T, T, d, 3 * D, 1, 1, 3 * D, H * T, 2, dim, vas, vbs, vcs, NULL, NULL, NULL);
    dmk_matmul_batched(c2, qkv, qkv + D, T, T, d, 3 * D, 1, 1, 3 * D, H * T, 2, dim, vas, vbs, vcs, NULL, NULL,
                       &reverse);
    char what[96];
    snprintf(what, sizeof what, "matmul_batched strided heads P=%lld H=%lld T=%lld d=%lld", (long long)P,
             (long long)H, (long long)T, (long long)d);
    for (int64_t p = 0; p < P; p++)   /* C [P, T, H, T] against the copies' [P, H, T, T] */
        for (int64_t h = 0; h < H; h++)
            for (int64_t i = 0; i < T * T; i++) {
                int64_t at = ((p * T + i / T) * H + h) * T + i % T;
                if (c[at] != want[(p * H + h) * T * T + i] || c2[at] != c[at]) {
                    fprintf(stderr, "%s: element (%lld, %lld, %lld) differs\n", what, (long long)p, (long long)h,
                            (long long)i);
                    failures++;
                    return;
                }
            }
    free(qkv), free(q), free(kt), free(want), free(c), free(c2);
}

static void check_conv_rect(int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH, int64_t KW,
                            int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
    int64_t OH = (H + 2 * ph - KH) / sh + 1, OW = (W + 2 * pw - KW) / sw + 1;
    int64_t nx = N * C * H * W, nw = F * C * KH * KW, ny = N * F * OH * OW;
    float *x = values(nx), *w = values(nw), *dy = values(ny);
    float *y = values(ny), *dx = values(nx), *dw = values(nw), *y2 = values(ny), *dx2 = values(nx), *dw2 = values(nw);
    double *ry = calloc((size_t)ny, sizeof(double)), *rdx = calloc((size_t)nx, sizeof(double));
    double *rdw = calloc((size_t)nw, sizeof(double));
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++)
            for (int64_t c = 0; c < C; c++)
                for (int64_t kh = 0; kh < KH; kh++)
                    for (int64_t kw = 0; kw < KW; kw++)
                        for (int64_t oh = 0; oh < OH; oh++)
                            for (int64_t ow = 0; ow < OW; ow++) {
                                int64_t ih = oh * sh + kh - ph, iw = ow * sw + kw - pw;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                int64_t xi = ((n * C + c) * H + ih) * W + iw, yi = ((n * F + f) * OH + oh) * OW + ow;
                                int64_t wi = ((f * C + c) * KH + kh) * KW + kw;
                                ry[yi] += (double)x[xi] * w[wi];
                                rdx[xi] += (double)dy[yi] * w[wi];
                                rdw[wi] += (double)dy[yi] * x[xi];
                            }
    char what[128];
    snprintf(what, sizeof what, "conv N%lld C%lld %lldx%lld F%lld k%lldx%lld s%lld,%lld p%lld,%lld", (long long)N,
             (long long)C, (long long)H, (long long)W, (long long)F, (long long)KH, (long long)KW, (long long)sh,
             (long long)sw, (long long)ph, (long long)pw);
    dmk_conv2d(y, x, w, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, NULL, NULL, NULL);
    dmk_conv2d_dx(dx, dy, w, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, NULL);
    dmk_conv2d_dw(dw, x, dy, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, NULL);
    expect_close(what, y, ry, ny);
    expect_close(what, dx, rdx, nx);
    expect_close(what, dw, rdw, nw);
    dmk_conv2d(y2, x, w, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, NULL, NULL, &reverse);
    dmk_conv2d_dx(dx2, dy, w, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, &reverse);
    dmk_conv2d_dw(dw2, x, dy, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, &reverse);
    expect_same(what, y, y2, ny);
    expect_same(what, dx, dx2, nx);
    expect_same(what, dw, dw2, nw);
    free(x), free(w), free(dy), free(y), free(dx), free(dw), free(y2), free(dx2), free(dw2);
    free(ry), free(rdx), free(rdw);
}

static void check_conv(int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t K, int64_t s, int64_t p) {
    check_conv_rect(N, C, H, W, F, K, K, s, s, p, p);
}

/* 2 x 2 max pooling with stride 2 and its gradient against the definition,
 * PyTorch's: the window's value is its last NaN, else its first maximum in
 * row-major order, which gets dy: values on a coarse grid, so that windows
 * tie, and a few NaNs. */
static void check_maxpool2(int64_t NC, int64_t H, int64_t W) {
    int64_t OH = H / 2, OW = W / 2, nx = NC * H * W, ny = NC * OH * OW;
    float *x = values(nx), *dy = values(ny), *y = values(ny), *dx = values(nx);
    for (int64_t i = 0; i < nx; i++) x[i] = (float)((int)(x[i] * 2) / 2) + (i % 97 == 5 ? NAN : 0.0f);
    double *ry = calloc((size_t)ny, sizeof(double)), *rdx = calloc((size_t)nx, sizeof(double));
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t best = -1;
                for (int64_t i = 0; i < 2; i++)
                    for (int64_t j = 0; j < 2; j++) {
                        int64_t xi = (p * H + 2 * oh + i) * W + 2 * ow + j;
                        if (best < 0 || x[xi] > x[best] || isnan(x[xi])) best = xi;
                    }
                int64_t yi = (p * OH + oh) * OW + ow;
                ry[yi] = x[best];
                rdx[best] += dy[yi];
            }
    char what[96];
    snprintf(what, sizeof what, "maxpool2 NC%lld %lldx%lld", (long long)NC, (long long)H, (long long)W);
    dmk_maxpool2d(y, x, NC, H, W, OH, OW, 2, 2, 2, 2);
    dmk_maxpool2d_dx(dx, x, dy, NC, H, W, OH, OW, 2, 2, 2, 2, NULL, NULL);
    int bad = 0;
    for (int64_t i = 0; i < ny; i++)
        if (!(y[i] == ry[i] || (isnan(y[i]) && isnan(ry[i]))) && bad++ < 3)
            fprintf(stderr, "%s: y[%lld] is %g, not %g\n", what, (long long)i, y[i], ry[i]);
    for (int64_t i = 0; i < nx; i++)
        if (dx[i] != rdx[i] && bad++ < 3) fprintf(stderr, "%s: dx[%lld] is %g, not %g\n", what, (long long)i, dx[i], rdx[i]);
    for (int i = 0; i < CANARIES; i++)
        if ((y[ny + i] != 7777.0f || dx[nx + i] != 7777.0f) && bad++ < 3) fprintf(stderr, "%s: written past the end\n", what);
    failures += bad != 0;
    free(x), free(dy), free(y), free(dx), free(ry), free(rdx);
}

int main(void) {
    static const int64_t sizes[] = {1, 3, 7, 8, 9, 33, 65, 100, 130, 257};
    int ns = (int)(sizeof sizes / sizeof *sizes);
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < ns; j++)
            for (int k = 0; k < ns; k++)
                for (int t = 0; t < 4; t++)
                    if (sizes[i] * sizes[j] * sizes[k] <= 2000000 || t == 0) check_matmul(sizes[i], sizes[j], sizes[k], t & 1, t >> 1);
    check_matmul(300, 520, 600, 0, 0);     /* several blocks of every kind, split into tasks */
    check_matmul(1, 600, 300, 0, 1);
    for (int t = 0; t < 4; t++) check_matmul(400, 112, 64, t & 1, t >> 1);   /* the small path split into tasks */
    /* batches: every broadcast and transpose combination at odd sizes, one
     * empty step (K = 0: C is zeros, the epilogue still runs), a batch of
     * products split into tasks (8 of 1.3 M multiply-adds) and one too
     * small to share evenly (4 products: each one split) */
    for (int mask = 0; mask < 16; mask++)
        for (int t = 0; t < 4; t++) check_batched(3, 2, mask & 3, mask >> 2, 7, 33, 17, t & 1, t >> 1);
    check_batched(2, 3, 0, 2, 1, 9, 65, 0, 1);
    check_batched(1, 3, 0, 0, 5, 3, 0, 0, 0);
    check_batched(2, 4, 0, 0, 100, 130, 100, 0, 1);
    /* the small path (linalg.c): tinygpt's attention products (B's panels
     * read in place, or B transposed into rows), and odd sizes at its edge
     * (16 rows, a partial panel, k not a multiple of 16), every transpose */
    for (int t = 0; t < 4; t++) {
        check_batched(2, 2, 0, 0, 64, 64, 32, t & 1, t >> 1);
        check_batched(2, 2, 2, 0, 64, 32, 64, t & 1, t >> 1);
        check_batched(1, 3, 0, 1, 17, 33, 9, t & 1, t >> 1);
        check_batched(1, 2, 0, 0, 16, 48, 23, t & 1, t >> 1);
    }
    check_batched(1, 4, 0, 1, 100, 130, 100, 1, 0);
    check_strided(2, 3, 7, 5);     /* odd sizes: the small product path */
    check_strided(2, 4, 64, 32);   /* tinygpt's heads: the small path, split */
    check_conv(2, 1, 5, 5, 3, 3, 1, 1);
    check_conv(3, 2, 7, 7, 4, 3, 2, 1);
    check_conv(64, 1, 28, 28, 6, 5, 1, 2);   /* lenet's convolutions */
    check_conv(64, 6, 14, 14, 16, 5, 1, 0);
    check_conv(3, 64, 14, 14, 5, 3, 1, 1);   /* im2col in several chunks of whole rows */
    check_conv(2, 200, 14, 14, 3, 5, 1, 0);  /* chunks shorter than an output row */
    check_conv(1, 2100, 5, 5, 2, 5, 1, 0);   /* too many rows for the buffer: direct loops */
    check_conv(2, 40, 9, 9, 3, 3, 2, 1);
    check_conv(5, 1, 1, 1, 1, 1, 1, 0);
    check_conv(33, 3, 8, 8, 7, 2, 2, 0);
    /* The direct kernels of unit strides (conv.c): every tile of
     * filters and channels (1 to 17 of them: blocks of 8, 6, 4, 2 and 1),
     * rows shorter than a vector, rectangular images and windows, padding
     * larger than the window, a window as large as the padded image, images
     * cut into bands of output rows (the last one shorter), dw's groups of
     * bands across samples, and more samples than tasks. */
    for (int64_t f = 1; f <= 17; f += 2) check_conv(3, f, 9, 9, f + 1, 3, 1, 1);
    check_conv_rect(2, 3, 5, 11, 5, 2, 4, 1, 1, 0, 3);
    check_conv_rect(3, 2, 13, 4, 6, 5, 1, 1, 1, 2, 0);
    check_conv_rect(2, 2, 3, 3, 3, 2, 2, 1, 1, 3, 3);
    check_conv_rect(2, 3, 4, 6, 2, 6, 8, 1, 1, 1, 1);
    check_conv_rect(2, 3, 1, 40, 4, 1, 3, 1, 1, 0, 1);
    check_conv(2, 8, 80, 80, 3, 3, 1, 1);      /* bands of output rows */
    check_conv(1, 40, 60, 61, 2, 5, 1, 2);     /* a few rows per band */
    check_conv(1, 1300, 30, 30, 2, 1, 1, 0);   /* one row per band */
    check_conv(40, 2, 6, 6, 9, 3, 1, 0);
    check_conv(11, 5, 17, 17, 12, 3, 1, 1);
    /* nn.c's 2 x 2 pooling: rows of 1 to 3 vectors of windows, odd sizes
     * (a last row or column no window covers), tiny and single planes. */
    static const int64_t pools[][3] = {{1, 2, 2}, {3, 5, 7}, {12, 28, 28}, {16, 10, 10}, {2, 9, 71},
                                       {5, 6, 64}, {1, 3, 100}, {7, 4, 33}};
    for (int i = 0; i < (int)(sizeof pools / sizeof *pools); i++) check_maxpool2(pools[i][0], pools[i][1], pools[i][2]);
    if (failures) fprintf(stderr, "kernels_check: %d failures\n", failures);
    printf("products digest %016llx\n", (unsigned long long)digest);
    return failures != 0;
}
