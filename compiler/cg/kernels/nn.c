/* nn.c: the neural-network kernels of generated code (the convolutions are
 * in conv.c): max and average pooling and their gradients, softmax
 * and log-softmax over an axis, the fused losses and their gradients,
 * one-hot, and the dropout mask.
 *
 * f32, row-major, NCHW.  Compiled to bitcode and linked into every module;
 * the call sites pass constant shapes, so once inlined the loops are
 * specialised.  No heap, no libm (exp and log come from math.c).  The
 * semantics are those of the IR (compiler/ir/ops.def) and the reference
 * interpreter. */
#include <stdint.h>

#include "kernels.h"
#include "random.h"

/* Pooling windows: no padding, window [kh x kw], stride [sh, sw]. */

/* As PyTorch's max_pool2d: an element becomes the window's maximum when it
 * is greater than the maximum so far or is a NaN, so a NaN anywhere in a
 * window is its maximum and its adjoint goes to the window's last NaN, else
 * to the first maximum (ties go to the first).  One compare-select, which
 * vectorises. */
static ALWAYS_INLINE int takes(float x, float m) { return x > m || x != x; }
static ALWAYS_INLINE vi16 takes16(v16 x, v16 m) { return (x > m) | (x != x); }

/* The common 2 x 2 window with stride 2, 16 windows at a time: the same
 * comparisons in the same order as the general loops, so the same results.
 * Lanes are split into even and odd columns by shuffles; a row's last
 * vectors overrun its end (reading, and writing what is written again
 * later), so a row is done by vectors only while they stay inside the
 * tensors, and by single windows after that. */

static ALWAYS_INLINE v16 evens(v16 a, v16 b) {
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
static ALWAYS_INLINE v16 odds(v16 a, v16 b) {
    return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
static ALWAYS_INLINE v16 select16(vi16 mask, v16 a, v16 b) { return (v16)(((vi16)a & mask) | ((vi16)b & ~mask)); }

/* The four values of 16 windows whose top-left corners are t[2 j], b[2 j]. */
static ALWAYS_INLINE void windows(const float *t, const float *b, v16 *a0, v16 *a1, v16 *a2, v16 *a3) {
    v16 t0 = load16(t), t1 = load16(t + 16), b0 = load16(b), b1 = load16(b + 16);
    *a0 = evens(t0, t1), *a1 = odds(t0, t1), *a2 = evens(b0, b1), *a3 = odds(b0, b1);
}

/* The rows of y, OW windows each: vectors while the reads stay inside x and
 * the writes inside y. */
static void maxpool2_rows(float *restrict y, const float *restrict x, int64_t rows, int64_t H, int64_t W,
                          int64_t OH, int64_t OW) {
    const float *x_end = x + rows / OH * H * W;
    float *y_end = y + rows * OW;
    for (int64_t r = 0; r < rows; r++) {
        int64_t p = r / OH, oh = r % OH;
        const float *t = x + p * H * W + 2 * oh * W, *b = t + W;
        float *yr = y + r * OW;
        int64_t ow = 0;
        for (; ow < OW && b + 2 * ow + 32 <= x_end && yr + ow + 16 <= y_end; ow += 16) {   /* overruns: later rows */
            v16 a0, a1, a2, a3;
            windows(t + 2 * ow, b + 2 * ow, &a0, &a1, &a2, &a3);
            v16 m = a0;
            m = select16(takes16(a1, m), a1, m);
            m = select16(takes16(a2, m), a2, m);
            m = select16(takes16(a3, m), a3, m);
            store16(yr + ow, m);
        }
        for (; ow < OW; ow++) {
            float m = t[2 * ow];
            m = takes(t[2 * ow + 1], m) ? t[2 * ow + 1] : m;
            m = takes(b[2 * ow], m) ? b[2 * ow] : m;
            m = takes(b[2 * ow + 1], m) ? b[2 * ow + 1] : m;
            yr[ow] = m;
        }
    }
}

void dmk_maxpool2d(float *restrict y, const float *restrict x, int64_t NC, int64_t H, int64_t W,
                   int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        maxpool2_rows(y, x, NC * OH, H, W, OH, OW);
        return;
    }
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                const float *xw = x + p * H * W + oh * sh * W + ow * sw;
                float m = xw[0];
                for (int64_t i = 0; i < kh; i++)
                    for (int64_t j = 0; j < kw; j++) m = takes(xw[i * W + j], m) ? xw[i * W + j] : m;
                y[(p * OH + oh) * OW + ow] = m;
            }
}

/* maxpool2d_dx for 2 x 2 windows with stride 2: the windows do not overlap,
 * so every element of dx is written once (dy at the window's first maximum,
 * 0 elsewhere and outside every window), without a clearing pass.  By 16
 * windows as above, the vectors of a row taken last to first: the last
 * one's overrun past the top row of dx reaches the start of the bottom row,
 * which the earlier vectors then write; an overrun past the bottom row
 * reaches the next rows, written later, as are the columns and rows outside
 * every window. */
static void maxpool2_dx_rows(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t NC,
                             int64_t H, int64_t W, int64_t OH, int64_t OW, Epilogue epi, void *epi_data) {
    const float *x_end = x + NC * H * W, *dy_end = dy + NC * OH * OW;
    const float *dx_end = dx + NC * H * W;
    for (int64_t p = 0; p < NC; p++) {
        for (int64_t oh = 0; oh < OH; oh++) {
            int64_t base = p * H * W + 2 * oh * W;
            const float *t = x + base, *b = t + W, *g = dy + (p * OH + oh) * OW;
            float *dt = dx + base, *db = dt + W;
            int64_t nv = 0;   /* vectors that stay inside the tensors */
            while (16 * nv < OW && b + 32 * nv + 32 <= x_end && g + 16 * nv + 16 <= dy_end &&
                   db + 32 * nv + 32 <= dx_end)
                nv++;
            for (int64_t k = nv - 1; k >= 0; k--) {
                int64_t ow = 16 * k;
                v16 a0, a1, a2, a3, v = load16(g + ow), zero = {0};
                windows(t + 2 * ow, b + 2 * ow, &a0, &a1, &a2, &a3);
                vi16 s1 = takes16(a1, a0);
                v16 m1 = select16(s1, a1, a0);
                vi16 s2 = takes16(a2, m1);
                v16 m2 = select16(s2, a2, m1);
                vi16 s3 = takes16(a3, m2);          /* the maximum is at 3, else 2, else 1, else 0 */
                v16 d0 = select16(~s1 & ~s2 & ~s3, v, zero), d1 = select16(s1 & ~s2 & ~s3, v, zero);
                v16 d2 = select16(s2 & ~s3, v, zero), d3 = select16(s3, v, zero);
                store16(dt + 2 * ow, __builtin_shufflevector(d0, d1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
                store16(dt + 2 * ow + 16,
                        __builtin_shufflevector(d0, d1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
                store16(db + 2 * ow, __builtin_shufflevector(d2, d3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
                store16(db + 2 * ow + 16,
                        __builtin_shufflevector(d2, d3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
            }
            int64_t ow = 16 * nv < OW ? 16 * nv : OW;
            for (; ow < OW; ow++) {
                float a0 = t[2 * ow], a1 = t[2 * ow + 1], a2 = b[2 * ow], a3 = b[2 * ow + 1];
                int s1 = takes(a1, a0);
                float m1 = s1 ? a1 : a0;
                int s2 = takes(a2, m1);
                float m2 = s2 ? a2 : m1;
                int s3 = takes(a3, m2);
                float v = g[ow];
                dt[2 * ow] = (!s1 & !s2 & !s3) ? v : 0;
                dt[2 * ow + 1] = (s1 & !s2 & !s3) ? v : 0;
                db[2 * ow] = (s2 & !s3) ? v : 0;
                db[2 * ow + 1] = s3 ? v : 0;
            }
            for (int64_t c = 2 * OW; c < W; c++) dt[c] = db[c] = 0;
        }
        for (int64_t i = 2 * OH * W; i < H * W; i++) dx[p * H * W + i] = 0;
        if (epi) epi(epi_data, p * H * W, (p + 1) * H * W);   /* later planes never write this one */
    }
}

void dmk_maxpool2d_dx(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t NC,
                      int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                      Epilogue epi, void *epi_data) {
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        maxpool2_dx_rows(dx, x, dy, NC, H, W, OH, OW, epi, epi_data);
        return;
    }
    for (int64_t i = 0; i < NC * H * W; i++) dx[i] = 0;
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t base = p * H * W + oh * sh * W + ow * sw, at = base;
                float m = x[base];
                for (int64_t i = 0; i < kh; i++)
                    for (int64_t j = 0; j < kw; j++)
                        if (takes(x[base + i * W + j], m)) m = x[base + i * W + j], at = base + i * W + j;
                dx[at] += dy[(p * OH + oh) * OW + ow];
            }
    if (epi) epi(epi_data, 0, NC * H * W);
}

void dmk_avgpool2d(float *restrict y, const float *restrict x, int64_t NC, int64_t H, int64_t W,
                   int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
    float scale = 1.0f / (float)(kh * kw);
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                const float *xw = x + p * H * W + oh * sh * W + ow * sw;
                float s = 0;
                for (int64_t i = 0; i < kh; i++)
                    for (int64_t j = 0; j < kw; j++) s += xw[i * W + j];
                y[(p * OH + oh) * OW + ow] = s * scale;
            }
}

void dmk_avgpool2d_dx(float *restrict dx, const float *restrict dy, int64_t NC, int64_t H, int64_t W,
                      int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
    float scale = 1.0f / (float)(kh * kw);
    for (int64_t i = 0; i < NC * H * W; i++) dx[i] = 0;
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                float g = dy[(p * OH + oh) * OW + ow] * scale;
                float *xw = dx + p * H * W + oh * sh * W + ow * sw;
                for (int64_t i = 0; i < kh; i++)
                    for (int64_t j = 0; j < kw; j++) xw[i * W + j] += g;
            }
}

/* Softmax (log = 0) or log-softmax (log = 1) over the middle axis of
 * [outer, n, inner]. */
/* The maximum and the sum of a contiguous row in SOFTMAX_LANES partial
 * results, combined in a fixed order: the loops vectorise (a single running
 * sum or maximum would be a serial chain, the order of float additions being
 * fixed), and the result does not depend on the target's vector width. */
enum { SOFTMAX_LANES = 16 };

static float row_max(const float *restrict x, int64_t n) {
    float part[SOFTMAX_LANES];
    for (int l = 0; l < SOFTMAX_LANES; l++) part[l] = x[0];
    int64_t k = 0;
    for (; k + SOFTMAX_LANES <= n; k += SOFTMAX_LANES)
        for (int l = 0; l < SOFTMAX_LANES; l++) part[l] = x[k + l] > part[l] ? x[k + l] : part[l];
    float m = part[0];
    for (int l = 1; l < SOFTMAX_LANES; l++) m = part[l] > m ? part[l] : m;
    for (; k < n; k++) m = x[k] > m ? x[k] : m;
    return m;   /* a NaN is never chosen: exp(NaN - m) makes the row NaN, as PyTorch */
}

static float row_sum(const float *restrict x, int64_t n) {
    float part[SOFTMAX_LANES] = {0};
    int64_t k = 0;
    for (; k + SOFTMAX_LANES <= n; k += SOFTMAX_LANES)
        for (int l = 0; l < SOFTMAX_LANES; l++) part[l] += x[k + l];
    float s = 0;
    for (int l = 0; l < SOFTMAX_LANES; l++) s += part[l];
    for (; k < n; k++) s += x[k];
    return s;
}

/* One contiguous row (the softmax axis is the last): exps into y, then the
 * sum, then the scaling or the log, each loop vectorised. */
static void softmax_row(float *restrict y, const float *restrict x, int64_t n, int32_t log) {
    float m = row_max(x, n);
    for (int64_t k = 0; k < n; k++) y[k] = dmk_expf(x[k] - m);
    float s = row_sum(y, n);
    if (log) {
        float ls = m + dmk_logf(s);
        for (int64_t k = 0; k < n; k++) y[k] = x[k] - ls;
    } else {
        float r = 1.0f / s;
        for (int64_t k = 0; k < n; k++) y[k] *= r;
    }
}

void dmk_softmax(float *restrict y, const float *restrict x, int64_t outer, int64_t n, int64_t inner, int32_t log) {
    if (inner == 1) {
        for (int64_t o = 0; o < outer; o++) softmax_row(y + o * n, x + o * n, n, log);
        return;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            const float *xp = x + o * n * inner + in;
            float *yp = y + o * n * inner + in;
            float m = xp[0];
            for (int64_t k = 1; k < n; k++) m = xp[k * inner] > m ? xp[k * inner] : m;
            float s = 0;
            for (int64_t k = 0; k < n; k++) {
                float e = dmk_expf(xp[k * inner] - m);
                s += e;
                if (!log) yp[k * inner] = e;
            }
            if (log) {
                float ls = m + dmk_logf(s);
                for (int64_t k = 0; k < n; k++) yp[k * inner] = xp[k * inner] - ls;
            } else {
                float r = 1.0f / s;
                for (int64_t k = 0; k < n; k++) yp[k * inner] *= r;
            }
        }
}

/* layer_norm (ops.def) on rows of n contiguous elements.  Each row's sums
 * in SOFTMAX_LANES partial sums (vectorised, as row_sum); the statistics in
 * two passes, the mean and then the squared deviations, as the composite of
 * mean, sub, mul and mean this replaced.  y = d / sqrt(var + eps) (the
 * adjoint multiplies by r = 1 / sqrt(var + eps)); the squared deviations summed in
 * double (difftest of tinygpt: an f32 sum put a cancelled logit 1.1x over the
 * tolerance). A constant row with eps = 0 gives 0 / 0 = NaN. */
static float row_sq_dev(const float *restrict x, int64_t n, float mean) {
    double part[SOFTMAX_LANES] = {0};   /* double: var's relative error stays far below f32's */
    int64_t k = 0;
    for (; k + SOFTMAX_LANES <= n; k += SOFTMAX_LANES)
        for (int l = 0; l < SOFTMAX_LANES; l++) {
            float d = x[k + l] - mean;
            part[l] += (double)d * d;
        }
    double s = 0;
    for (int l = 0; l < SOFTMAX_LANES; l++) s += part[l];
    for (; k < n; k++) s += (double)(x[k] - mean) * (x[k] - mean);
    return (float)s;
}

/* sum of dy (x - mean), for the adjoint */
static float row_dy_dev(const float *restrict dy, const float *restrict x, int64_t n, float mean) {
    float part[SOFTMAX_LANES] = {0};
    int64_t k = 0;
    for (; k + SOFTMAX_LANES <= n; k += SOFTMAX_LANES)
        for (int l = 0; l < SOFTMAX_LANES; l++) part[l] += dy[k + l] * (x[k + l] - mean);
    float s = 0;
    for (int l = 0; l < SOFTMAX_LANES; l++) s += part[l];
    for (; k < n; k++) s += dy[k] * (x[k] - mean);
    return s;
}

void dmk_layer_norm(float *restrict y, const float *restrict x, int64_t rows, int64_t n, float eps) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float mean = row_sum(xr, n) / (float)n;
        float den = __builtin_sqrtf(row_sq_dev(xr, n, mean) / (float)n + eps);
        for (int64_t k = 0; k < n; k++) yr[k] = (xr[k] - mean) / den;
    }
}

/* dx = r (dy - mean(dy) - xhat mean(dy xhat)), xhat = (x - mean) r: the
 * statistics recomputed from x, so the forward pass keeps none. */
void dmk_layer_norm_dx(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t rows, int64_t n,
                       float eps) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *dyr = dy + r * n;
        float *dxr = dx + r * n;
        float mean = row_sum(xr, n) / (float)n;
        float rstd = 1.0f / __builtin_sqrtf(row_sq_dev(xr, n, mean) / (float)n + eps);
        float mean_dy = row_sum(dyr, n) / (float)n;
        float mean_dy_xhat = row_dy_dev(dyr, xr, n, mean) * rstd / (float)n;
        for (int64_t k = 0; k < n; k++)
            dxr[k] = (dyr[k] - mean_dy - (xr[k] - mean) * rstd * mean_dy_xhat) * rstd;
    }
}

/* The rows that count: those not labelled ignore.  The entry checked every
 * label (dmk_check_labels), so a label is ignore or in [0, K). */
static int64_t counted_rows(const int32_t *restrict label, int64_t N, int32_t ignore) {
    int64_t n = 0;
    for (int64_t i = 0; i < N; i++) n += label[i] != ignore;
    return n;
}

/* loss = mean over the counted rows of logsumexp(z[i]) - z[i, label[i]]
 * (none counted: 0/0, NaN, as PyTorch). */
void dmk_sce(float *restrict loss, const float *restrict z, const int32_t *restrict label, int64_t N, int64_t K,
             int32_t ignore) {
    double total = 0;
    for (int64_t i = 0; i < N; i++) {
        const float *zi = z + i * K;
        int32_t l = label[i];
        if (l < 0 || l >= K || l == ignore) continue;   /* out of range: never (checked) */
        float m = zi[0];
        for (int64_t k = 1; k < K; k++) m = zi[k] > m ? zi[k] : m;
        float s = 0;
        for (int64_t k = 0; k < K; k++) s += dmk_expf(zi[k] - m);
        total += (double)(m + dmk_logf(s) - zi[l]);
    }
    *loss = (float)(total / (double)counted_rows(label, N, ignore));
}

/* dz[i,k] = (softmax(z[i])[k] - (k == label[i])) * dloss / counted rows; 0 in ignored rows */
void dmk_sce_dx(float *restrict dz, const float *restrict z, const int32_t *restrict label,
                const float *restrict dloss, int64_t N, int64_t K, int32_t ignore) {
    float g = *dloss / (float)counted_rows(label, N, ignore);
    for (int64_t i = 0; i < N; i++) {
        const float *zi = z + i * K;
        float *di = dz + i * K;
        int32_t l = label[i];
        if (l < 0 || l >= K || l == ignore) {   /* ignored (out of range: never, checked); no read out of bounds */
            for (int64_t k = 0; k < K; k++) di[k] = 0;
            continue;
        }
        float m = zi[0];
        for (int64_t k = 1; k < K; k++) m = zi[k] > m ? zi[k] : m;
        float s = 0;
        for (int64_t k = 0; k < K; k++) {
            float e = dmk_expf(zi[k] - m);
            di[k] = e;
            s += e;
        }
        float r = g / s;
        for (int64_t k = 0; k < K; k++) di[k] *= r;
        di[l] -= g;
    }
}

/* loss = mean of -(t log p + (1 - t) log(1 - p)), each log clamped at -100. */
void dmk_bce(float *restrict loss, const float *restrict p, const float *restrict t, int64_t count) {
    double total = 0;
    for (int64_t i = 0; i < count; i++) {
        float lp = dmk_logf(p[i]), lq = dmk_logf(1.0f - p[i]);
        lp = !(lp >= -100.0f) ? -100.0f : lp;   /* as fmax: a NaN log (p outside [0, 1]) clamps too */
        lq = !(lq >= -100.0f) ? -100.0f : lq;
        total -= (double)(t[i] * lp + (1.0f - t[i]) * lq);
    }
    *loss = (float)(total / (double)count);
}

/* dp = dloss / count * (p - t) / max(p (1 - p), 1e-12) */
void dmk_bce_dx(float *restrict dp, const float *restrict p, const float *restrict t,
                const float *restrict dloss, int64_t count) {
    float g = *dloss / (float)count;
    for (int64_t i = 0; i < count; i++) {
        float d = p[i] * (1.0f - p[i]);
        d = d < 1e-12f ? 1e-12f : d;
        dp[i] = g * (p[i] - t[i]) / d;
    }
}

void dmk_one_hot(float *restrict y, const int32_t *restrict label, int64_t count, int64_t classes) {
    for (int64_t i = 0; i < count; i++)
        for (int64_t k = 0; k < classes; k++) y[i * classes + k] = label[i] == k ? 1.0f : 0.0f;
}

/* Element i = 1/(1-rate) when dm_dropout_keep(key, step, salt, i), else 0. */
void dmk_random_mask(float *restrict y, const int32_t *restrict state, int64_t count, float rate, int32_t salt) {
    uint32_t key = (uint32_t)state[0], step = (uint32_t)state[1];
    float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
    for (int64_t i = 0; i < count; i++)
        y[i] = dm_dropout_keep(key, step, (uint32_t)salt, (uint32_t)i, rate) ? scale : 0.0f;
}

/* Class indices: 0 when every label[0 .. count) is in [0, classes) or is
 * ignore (softmax_cross_entropy's ignored label; 0 when there is none), else
 * DM_ERANGE after reporting the first bad one through ex->bad_label (what,
 * rank and dims name the labels in the message).  The test is one pass of
 * unsigned compares OR-ed together (a negative index is a huge unsigned one),
 * which the -O pipeline vectorises; only a failed check looks for the
 * element, out of line. */
static NOINLINE int32_t report_bad_label(const int32_t *label, int64_t classes, int32_t ignore, const char *what,
                                         int32_t rank, const int64_t *dims, dm_exec *ex) {
    int64_t at = 0;
    while ((label[at] >= 0 && label[at] < classes) || label[at] == ignore) at++;
    if (ex && ex->bad_label) ex->bad_label(ex, what, rank, dims, at, label[at], classes);
    return DM_ERANGE;
}

int32_t dmk_check_labels(const int32_t *restrict label, int64_t count, int64_t classes, int32_t ignore,
                         const char *what, int32_t rank, const int64_t *dims, dm_exec *ex) {
    uint32_t limit = classes > INT32_MAX ? 0x80000000u : (uint32_t)classes, bad = 0;
    for (int64_t i = 0; i < count; i++) bad |= ((uint32_t)label[i] >= limit) & (label[i] != ignore);
    return bad ? report_bad_label(label, classes, ignore, what, rank, dims, ex) : 0;
}

/* The gradient hook (dm_set_gradient_hook): a pointer test when none is set. */
void dmk_grads_ready(dm_exec *ex, int32_t first, int32_t count) {
    if (ex && ex->grads_ready) ex->grads_ready(ex, first, count);
}

/* 1 when no element of x[0 .. count) is an infinity or a NaN (--check-numerics). */
int32_t dmk_all_finite(const float *restrict x, int64_t count) {
    uint32_t bad = 0;
    for (int64_t i = 0; i < count; i++) {
        uint32_t u;
        __builtin_memcpy(&u, x + i, 4);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return bad == 0;
}
