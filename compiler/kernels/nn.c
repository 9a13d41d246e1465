/* nn.c: the neural-network kernels of generated code: 2-d convolution and
 * its two gradients, max and average pooling and their gradients, softmax
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
#include "../../runtime/dm.h"

float dmk_expf(float x);
float dmk_logf(float x);

/* ---- convolution as im2col + a register-blocked product ----------------
 * Each image's output pixels are taken in blocks of PB, the C*KH*KW
 * products of a pixel in blocks of KB; the [KB x PB] block of im2col
 * ("col": col[k][p] = x at pixel p shifted by kernel offset k, 0 in the
 * padding) lives on the stack (64 KiB) and feeds an 8 x 32 tile product
 * held in 16-float vector registers.  Every output element is a sum in a
 * fixed order, so splitting the batch over threads changes nothing. */

typedef float v16 __attribute__((vector_size(64)));
enum { PB = 128, KB = 128 };

static inline v16 load16(const float *p) { v16 v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void store16(float *p, v16 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v16 splat16(float x) { return (v16){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}; }

/* C[M, N] (+)= A(M, K) @ B[K, N]; A(i, k) = a[i*ars + k*aks], B row stride ldb. */
static void gemm_acc(float *restrict c, int64_t ldc, const float *restrict a, int64_t ars, int64_t aks,
                     const float *restrict b, int64_t ldb, int64_t M, int64_t N, int64_t K, int first) {
    int64_t n_main = N / 32 * 32, m_main = M / 8 * 8;
    for (int64_t j0 = 0; j0 < n_main; j0 += 32) {
        for (int64_t i0 = 0; i0 < m_main; i0 += 8) {
            v16 acc[8][2] = {{{0}}};
            for (int64_t k = 0; k < K; k++) {
                v16 b0 = load16(b + k * ldb + j0), b1 = load16(b + k * ldb + j0 + 16);
                for (int r = 0; r < 8; r++) {
                    v16 x = splat16(a[(i0 + r) * ars + k * aks]);
                    acc[r][0] += x * b0;
                    acc[r][1] += x * b1;
                }
            }
            for (int r = 0; r < 8; r++) {
                float *cr = c + (i0 + r) * ldc + j0;
                if (first) store16(cr, acc[r][0]), store16(cr + 16, acc[r][1]);
                else store16(cr, load16(cr) + acc[r][0]), store16(cr + 16, load16(cr + 16) + acc[r][1]);
            }
        }
        for (int64_t i = m_main; i < M; i++) {
            v16 c0 = {0}, c1 = {0};
            for (int64_t k = 0; k < K; k++) {
                v16 x = splat16(a[i * ars + k * aks]);
                c0 += x * load16(b + k * ldb + j0);
                c1 += x * load16(b + k * ldb + j0 + 16);
            }
            float *cr = c + i * ldc + j0;
            if (first) store16(cr, c0), store16(cr + 16, c1);
            else store16(cr, load16(cr) + c0), store16(cr + 16, load16(cr + 16) + c1);
        }
    }
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = n_main; j < N; j++) {
            float s = 0;
            for (int64_t k = 0; k < K; k++) s += a[i * ars + k * aks] * b[k * ldb + j];
            c[i * ldc + j] = first ? s : c[i * ldc + j] + s;
        }
}

typedef struct ConvShape {
    int64_t C, H, W, KH, KW, OH, OW, sh, sw, ph, pw;
} ConvShape;

/* col[kk][pp] (row stride ld) for products k0+kk and pixels p0+pp of one image
 * x [C, H, W]; transposed (col[pp][kk]) when trans. */
static void im2col(float *restrict col, int64_t ld, int trans, const float *restrict x, const ConvShape *s,
                   int64_t k0, int64_t kb, int64_t p0, int64_t pb) {
    for (int64_t kk = 0; kk < kb; kk++) {
        int64_t k = k0 + kk, c = k / (s->KH * s->KW), kh = k / s->KW % s->KH, kw = k % s->KW;
        const float *xc = x + c * s->H * s->W;
        int64_t oh = p0 / s->OW, ow = p0 % s->OW;
        for (int64_t pp = 0; pp < pb; pp++) {
            int64_t ih = oh * s->sh + kh - s->ph, iw = ow * s->sw + kw - s->pw;
            float v = ih >= 0 && ih < s->H && iw >= 0 && iw < s->W ? xc[ih * s->W + iw] : 0.0f;
            col[trans ? pp * ld + kk : kk * ld + pp] = v;
            if (++ow == s->OW) ow = 0, oh++;
        }
    }
}

/* dx (one image) += col2im(dcol): the inverse scatter of im2col. */
static void col2im_add(float *restrict dx, const float *restrict dcol, int64_t ld, const ConvShape *s,
                       int64_t k0, int64_t kb, int64_t p0, int64_t pb) {
    for (int64_t kk = 0; kk < kb; kk++) {
        int64_t k = k0 + kk, c = k / (s->KH * s->KW), kh = k / s->KW % s->KH, kw = k % s->KW;
        float *xc = dx + c * s->H * s->W;
        int64_t oh = p0 / s->OW, ow = p0 % s->OW;
        for (int64_t pp = 0; pp < pb; pp++) {
            int64_t ih = oh * s->sh + kh - s->ph, iw = ow * s->sw + kw - s->pw;
            if (ih >= 0 && ih < s->H && iw >= 0 && iw < s->W) xc[ih * s->W + iw] += dcol[kk * ld + pp];
            if (++ow == s->OW) ow = 0, oh++;
        }
    }
}

#define CONV_ARGS int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t KH, int64_t KW, \
                  int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t ph, int64_t pw

/* y[n,f,oh,ow] = sum_{c,kh,kw} x[n,c,oh*s+kh-p,ow*s+kw-p] w[f,c,kh,kw], images [n0, n1) */
static void conv2d_images(float *restrict y, const float *restrict x, const float *restrict w, const ConvShape *s,
                          int64_t F, int64_t n0, int64_t n1) {
    int64_t P = s->OH * s->OW, CK = s->C * s->KH * s->KW, X = s->C * s->H * s->W;
    float col[KB * PB] __attribute__((aligned(64)));
    for (int64_t n = n0; n < n1; n++)
        for (int64_t p0 = 0; p0 < P; p0 += PB) {
            int64_t pb = P - p0 < PB ? P - p0 : PB;
            for (int64_t k0 = 0; k0 < CK; k0 += KB) {
                int64_t kb = CK - k0 < KB ? CK - k0 : KB;
                im2col(col, PB, 0, x + n * X, s, k0, kb, p0, pb);
                gemm_acc(y + n * F * P + p0, P, w + k0, CK, 1, col, PB, F, pb, kb, k0 == 0);
            }
        }
}

/* dx = col2im(w^T @ dy), images [n0, n1) */
static void conv2d_dx_images(float *restrict dx, const float *restrict dy, const float *restrict w,
                             const ConvShape *s, int64_t F, int64_t n0, int64_t n1) {
    int64_t P = s->OH * s->OW, CK = s->C * s->KH * s->KW, X = s->C * s->H * s->W;
    float dcol[KB * PB] __attribute__((aligned(64)));
    for (int64_t i = n0 * X; i < n1 * X; i++) dx[i] = 0;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t p0 = 0; p0 < P; p0 += PB) {
            int64_t pb = P - p0 < PB ? P - p0 : PB;
            for (int64_t k0 = 0; k0 < CK; k0 += KB) {
                int64_t kb = CK - k0 < KB ? CK - k0 : KB;
                /* dcol[kk][pp] = sum_f w[f, k0+kk] dy[n, f, p0+pp] */
                gemm_acc(dcol, PB, w + k0, 1, CK, dy + n * F * P + p0, P, kb, pb, F, 1);
                col2im_add(dx + n * X, dcol, PB, s, k0, kb, p0, pb);
            }
        }
}

/* dw[f,k] = sum_n sum_p dy[n,f,p] col_n[k,p], filters [f0, f1) */
static void conv2d_dw_filters(float *restrict dw, const float *restrict x, const float *restrict dy,
                              const ConvShape *s, int64_t N, int64_t F, int64_t f0, int64_t f1) {
    int64_t P = s->OH * s->OW, CK = s->C * s->KH * s->KW, X = s->C * s->H * s->W;
    float colt[PB * KB] __attribute__((aligned(64)));
    for (int64_t n = 0; n < N; n++)
        for (int64_t p0 = 0; p0 < P; p0 += PB) {
            int64_t pb = P - p0 < PB ? P - p0 : PB;
            for (int64_t k0 = 0; k0 < CK; k0 += KB) {
                int64_t kb = CK - k0 < KB ? CK - k0 : KB;
                im2col(colt, KB, 1, x + n * X, s, k0, kb, p0, pb);
                gemm_acc(dw + f0 * CK + k0, CK, dy + (n * F + f0) * P + p0, P, 1, colt, KB, f1 - f0, kb, pb,
                         n == 0 && p0 == 0);
            }
        }
}

/* Threads: forward and dx split the batch, dw the filters; each element is
 * computed by one task in the same order as without threads. */
typedef struct ConvTask {
    int kind;                   /* 0 conv2d, 1 dx, 2 dw */
    float *out;
    const float *in0, *in1;
    ConvShape s;
    int64_t N, F;
} ConvTask;

static void conv_task(void *ctx, int task, int ntasks) {
    ConvTask *t = ctx;
    int64_t units = t->kind == 2 ? t->F : t->N;
    int64_t lo = units * task / ntasks, hi = units * (task + 1) / ntasks;
    if (t->kind == 0) conv2d_images(t->out, t->in0, t->in1, &t->s, t->F, lo, hi);
    else if (t->kind == 1) conv2d_dx_images(t->out, t->in0, t->in1, &t->s, t->F, lo, hi);
    else conv2d_dw_filters(t->out, t->in0, t->in1, &t->s, t->N, t->F, lo, hi);
}

static void conv_run(int kind, float *out, const float *in0, const float *in1, ConvShape s, int64_t N, int64_t F,
                     dm_exec *ex) {
    ConvTask t = {kind, out, in0, in1, s, N, F};
    int64_t units = kind == 2 ? F : N;
    double flops = 2.0 * (double)N * (double)F * (double)(s.OH * s.OW) * (double)(s.C * s.KH * s.KW);
    if (ex && ex->threads > 1 && units > 1 && flops > 4e6) {
        int ntasks = ex->threads < units ? ex->threads : (int)units;
        ex->parallel(ex, conv_task, &t, ntasks);
    } else {
        conv_task(&t, 0, 1);
    }
}

void dmk_conv2d(float *restrict y, const float *restrict x, const float *restrict w, CONV_ARGS, dm_exec *ex) {
    conv_run(0, y, x, w, (ConvShape){C, H, W, KH, KW, OH, OW, sh, sw, ph, pw}, N, F, ex);
}

void dmk_conv2d_dx(float *restrict dx, const float *restrict dy, const float *restrict w, CONV_ARGS, dm_exec *ex) {
    conv_run(1, dx, dy, w, (ConvShape){C, H, W, KH, KW, OH, OW, sh, sw, ph, pw}, N, F, ex);
}

void dmk_conv2d_dw(float *restrict dw, const float *restrict x, const float *restrict dy, CONV_ARGS, dm_exec *ex) {
    conv_run(2, dw, x, dy, (ConvShape){C, H, W, KH, KW, OH, OW, sh, sw, ph, pw}, N, F, ex);
}

/* Pooling windows: no padding, window [kh x kw], stride [sh, sw]. */
void dmk_maxpool2d(float *restrict y, const float *restrict x, int64_t NC, int64_t H, int64_t W,
                   int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
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
void dmk_maxpool2d_dx(float *restrict dx, const float *restrict x, const float *restrict dy, int64_t NC,
                      int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
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
        float m = zi[0];
        for (int64_t k = 1; k < K; k++) m = zi[k] > m ? zi[k] : m;
        float s = 0;
        for (int64_t k = 0; k < K; k++) s += dmk_expf(zi[k] - m);
        int32_t l = label[i];
        float picked = l >= 0 && l < K ? zi[l] : 0;
        total += (double)(m + dmk_logf(s) - picked);
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
        int32_t l = label[i];
        if (l >= 0 && l < K) di[l] -= g;
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
