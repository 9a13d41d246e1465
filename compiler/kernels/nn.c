/* nn.c: the neural-network kernels of generated code (the convolutions are
 * in conv.c): max and average pooling and their gradients, softmax
 * and log-softmax over an axis, the fused losses and their gradients,
 * one-hot, and the dropout mask.
 *
 * f32, row-major, NCHW.  Compiled to bitcode and linked into every module;
 * the call sites pass constant shapes, so once inlined the loops are
 * specialised.  No heap, no libm (exp and log come from math.c).  The
 * semantics are those of the IR (compiler/ops.def) and the reference
 * interpreter. */
#include <stdint.h>

#include "random.h"

float dmk_expf(float x);
float dmk_logf(float x);

/* Pooling windows: no padding, window [kh x kw], stride [sh, sw]. */
/* The common 2 x 2 window with stride 2, one output row at a time: the
 * same comparisons in the same order as the general loop, written so that
 * they vectorise across the row. */
static void maxpool2_rows(float *restrict y, const float *restrict x, int64_t rows, int64_t H, int64_t W,
                          int64_t OH, int64_t OW) {
    for (int64_t r = 0; r < rows; r++) {
        int64_t p = r / OH, oh = r % OH;
        const float *t = x + p * H * W + 2 * oh * W, *b = t + W;
        float *yr = y + r * OW;
        for (int64_t ow = 0; ow < OW; ow++) {
            float m = t[2 * ow];
            m = t[2 * ow + 1] > m ? t[2 * ow + 1] : m;
            m = b[2 * ow] > m ? b[2 * ow] : m;
            m = b[2 * ow + 1] > m ? b[2 * ow + 1] : m;
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
                    for (int64_t j = 0; j < kw; j++) m = xw[i * W + j] > m ? xw[i * W + j] : m;
                y[(p * OH + oh) * OW + ow] = m;
            }
}

/* dy goes to the first maximum (row-major) of each window. */
/* maxpool2d_dx for 2 x 2 windows with stride 2: the windows do not overlap,
 * so every element of dx is written once (dy at the window's first maximum,
 * 0 elsewhere and outside every window), without a clearing pass. */
static void maxpool2_dx_rows(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t NC,
                             int64_t H, int64_t W, int64_t OH, int64_t OW) {
    for (int64_t p = 0; p < NC; p++) {
        for (int64_t oh = 0; oh < OH; oh++) {
            int64_t base = p * H * W + 2 * oh * W;
            const float *t = x + base, *b = t + W, *g = dy + (p * OH + oh) * OW;
            float *dt = dx + base, *db = dt + W;
            for (int64_t ow = 0; ow < OW; ow++) {   /* branch-free, to vectorise */
                float a0 = t[2 * ow], a1 = t[2 * ow + 1], a2 = b[2 * ow], a3 = b[2 * ow + 1];
                int s1 = a1 > a0;
                float m1 = s1 ? a1 : a0;
                int s2 = a2 > m1;
                float m2 = s2 ? a2 : m1;
                int s3 = a3 > m2;                     /* the maximum is at 3, else 2, else 1, else 0 */
                float v = g[ow];
                dt[2 * ow] = (!s1 & !s2 & !s3) ? v : 0;
                dt[2 * ow + 1] = (s1 & !s2 & !s3) ? v : 0;
                db[2 * ow] = (s2 & !s3) ? v : 0;
                db[2 * ow + 1] = s3 ? v : 0;
            }
            for (int64_t c = 2 * OW; c < W; c++) dt[c] = db[c] = 0;
        }
        for (int64_t i = 2 * OH * W; i < H * W; i++) dx[p * H * W + i] = 0;
    }
}

void dmk_maxpool2d_dx(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t NC,
                      int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
        maxpool2_dx_rows(dx, x, dy, NC, H, W, OH, OW);
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
                        if (x[base + i * W + j] > m) m = x[base + i * W + j], at = base + i * W + j;
                dx[at] += dy[(p * OH + oh) * OW + ow];
            }
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
void dmk_softmax(float *restrict y, const float *restrict x, int64_t outer, int64_t n, int64_t inner, int32_t log) {
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

/* loss = mean over rows of logsumexp(z[i]) - z[i, label[i]]. */
void dmk_sce(float *restrict loss, const float *restrict z, const int32_t *restrict label, int64_t N, int64_t K) {
    double total = 0;
    for (int64_t i = 0; i < N; i++) {
        const float *zi = z + i * K;
        int32_t l = label[i];
        if (l < 0 || l >= K) continue;   /* an out-of-range label: the row adds 0 (docs/ir.md) */
        float m = zi[0];
        for (int64_t k = 1; k < K; k++) m = zi[k] > m ? zi[k] : m;
        float s = 0;
        for (int64_t k = 0; k < K; k++) s += dmk_expf(zi[k] - m);
        total += (double)(m + dmk_logf(s) - zi[l]);
    }
    *loss = (float)(total / (double)N);
}

/* dz[i,k] = (softmax(z[i])[k] - (k == label[i])) * dloss / N */
void dmk_sce_dx(float *restrict dz, const float *restrict z, const int32_t *restrict label,
                const float *restrict dloss, int64_t N, int64_t K) {
    float g = *dloss / (float)N;
    for (int64_t i = 0; i < N; i++) {
        const float *zi = z + i * K;
        float *di = dz + i * K;
        int32_t l = label[i];
        if (l < 0 || l >= K) {   /* an out-of-range label: a zero gradient, as the interpreter */
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
