/* conv_im2col.c: the convolutions that conv.c's direct kernels decline
 * (strides other than 1, planes too big for their stack budget), as matrix
 * products of im2col matrices, and plain loops for the shapes whose im2col
 * rows do not fit either.
 *
 * For one sample, with R = C*KH*KW rows r = (c, kh, kw) and P = OH*OW output
 * positions p = (oh, ow), col[r][p] = x[c, oh*sh + kh - ph, ow*sw + kw - pw]
 * (0 outside the image).  Then
 *   y_n[F, P]   = w[F, R] @ col[R, P]
 *   dcol[R, P]  = w^T @ dy_n[F, P],   dx_n = the scatter-add of dcol
 *   dw[F, R]   += dy_n[F, P] @ col^T  (B's packing transposes col by 16 x 16 tiles)
 * col is built in bounded stack chunks of output positions.  Samples are
 * split into a fixed number of tasks (by the shape only); dw sums one partial
 * per task, in task order, so the result does not depend on the threads. */
#include "kernels.h"

/* COL_FLOATS, COL_SLACK and the chunks (im2col_chunk): kernel_stack.h, by
 * which cg_stack.c counts the arrays col and dcol of the tasks below. */

/* The output columns ow in [0, OW) whose input column ow*sw + kw - pw is
 * inside the image: [*lo, *hi). */
static void valid_columns(const Conv *cv, int64_t kw, int64_t *lo, int64_t *hi) {
    int64_t l = 0, h = cv->OW;
    while (l < h && l * cv->sw + kw - cv->pw < 0) l++;
    while (h > l && (h - 1) * cv->sw + kw - cv->pw >= cv->W) h--;
    *lo = l, *hi = h;
}

/* im2col for whole output rows [oh0, oh1) and a unit column stride.  Each
 * run is copied by whole 16-float vectors, overrunning its end by up to 15
 * floats: into the run's right padding and the next runs, all written
 * afterwards, and into the COL_SLACK floats past col.  Reads stay before
 * x_end (the end of the input tensor). */
static NO_LIBC void im2col_rows(float *restrict col, const float *restrict x, const float *x_end, const Conv *cv,
                                int64_t oh0, int64_t oh1) {
    int64_t np = (oh1 - oh0) * cv->OW;
    for (int64_t r = 0; r < cv->R; r++) {
        int64_t c = r / (cv->KH * cv->KW), kh = r / cv->KW % cv->KH, kw = r % cv->KW, lo, hi;
        valid_columns(cv, kw, &lo, &hi);
        const float *xc = x + c * cv->H * cv->W + kw - cv->pw;
        for (int64_t oh = oh0; oh < oh1; oh++) {
            float *dr = col + r * np + (oh - oh0) * cv->OW;
            int64_t ih = oh * cv->sh + kh - cv->ph;
            if (ih < 0 || ih >= cv->H || lo >= hi) {
                for (int64_t ow = 0; ow < cv->OW; ow++) dr[ow] = 0;
                continue;
            }
            for (int64_t ow = 0; ow < lo; ow++) dr[ow] = 0;
            const float *src = xc + ih * cv->W + lo;
            int64_t vec = (hi - lo + 15) / 16 * 16;
            if (src + vec <= x_end)
                for (int64_t j = 0; j < vec; j += 16) store16(dr + lo + j, load16(src + j));
            else
                copy_floats(dr + lo, src, hi - lo, 0);
            for (int64_t ow = hi; ow < cv->OW; ow++) dr[ow] = 0;
        }
    }
}

/* col2im for whole output rows [oh0, oh1) and a unit column stride. */
static NO_LIBC void col2im_rows(float *restrict dx, const float *restrict dcol, const Conv *cv, int64_t oh0,
                                int64_t oh1) {
    int64_t np = (oh1 - oh0) * cv->OW;
    for (int64_t r = 0; r < cv->R; r++) {
        int64_t c = r / (cv->KH * cv->KW), kh = r / cv->KW % cv->KH, kw = r % cv->KW, lo, hi;
        valid_columns(cv, kw, &lo, &hi);
        float *xc = dx + c * cv->H * cv->W + kw - cv->pw;
        for (int64_t oh = oh0; oh < oh1; oh++) {
            int64_t ih = oh * cv->sh + kh - cv->ph;
            if (ih < 0 || ih >= cv->H || lo >= hi) continue;
            copy_floats(xc + ih * cv->W + lo, dcol + r * np + (oh - oh0) * cv->OW + lo, hi - lo, 1);
        }
    }
}

/* col of sample x ([C, H, W]) for positions [p0, p0 + np): element (r, q) at
 * col[r * np + q].  Walks each row r in runs of one output row. */
static NO_LIBC void im2col(float *restrict col, const float *restrict x, const Conv *cv, int64_t p0, int64_t np) {
    if (cv->sw == 1 && p0 % cv->OW == 0 && np % cv->OW == 0) {
        im2col_rows(col, x, cv->in0 + cv->N * cv->C * cv->H * cv->W, cv, p0 / cv->OW, (p0 + np) / cv->OW);
        return;
    }
    for (int64_t r = 0; r < cv->R; r++) {
        int64_t c = r / (cv->KH * cv->KW), kh = r / cv->KW % cv->KH, kw = r % cv->KW, lo, hi;
        valid_columns(cv, kw, &lo, &hi);
        const float *xc = x + c * cv->H * cv->W + kw - cv->pw;
        float *d = col + r * np - p0;   /* d[p] for p in [p0, p0 + np) */
        for (int64_t p = p0; p < p0 + np;) {
            int64_t oh = p / cv->OW, ow0 = p % cv->OW;
            int64_t ow1 = cv->OW - ow0 < p0 + np - p ? cv->OW : ow0 + (p0 + np - p);
            int64_t ih = oh * cv->sh + kh - cv->ph;
            float *dr = d + oh * cv->OW;  /* dr[ow] */
            int64_t a = ow0 > lo ? ow0 : lo, b = ow1 < hi ? ow1 : hi;
            if (ih < 0 || ih >= cv->H || a >= b) {
                for (int64_t ow = ow0; ow < ow1; ow++) dr[ow] = 0;
            } else {
                const float *xr = xc + ih * cv->W;
                for (int64_t ow = ow0; ow < a; ow++) dr[ow] = 0;
                if (cv->sw == 1 && b - a >= 16) {   /* whole vectors, the last one overlapping */
                    for (int64_t ow = a; ow + 16 <= b; ow += 16) store16(dr + ow, load16(xr + ow));
                    store16(dr + b - 16, load16(xr + b - 16));
                } else if (cv->sw == 1)
                    for (int64_t ow = a; ow < b; ow++) dr[ow] = xr[ow];
                else
                    for (int64_t ow = a; ow < b; ow++) dr[ow] = xr[ow * cv->sw];
                for (int64_t ow = b; ow < ow1; ow++) dr[ow] = 0;
            }
            p += ow1 - ow0;
        }
    }
}

/* dx ([C, H, W]) += the scatter of dcol[r * np + q] for positions [p0, p0 + np). */
static NO_LIBC void col2im(float *restrict dx, const float *restrict dcol, const Conv *cv, int64_t p0, int64_t np) {
    if (cv->sw == 1 && p0 % cv->OW == 0 && np % cv->OW == 0) {
        col2im_rows(dx, dcol, cv, p0 / cv->OW, (p0 + np) / cv->OW);
        return;
    }
    for (int64_t r = 0; r < cv->R; r++) {
        int64_t c = r / (cv->KH * cv->KW), kh = r / cv->KW % cv->KH, kw = r % cv->KW, lo, hi;
        valid_columns(cv, kw, &lo, &hi);
        float *xc = dx + c * cv->H * cv->W + kw - cv->pw;
        const float *s = dcol + r * np - p0;
        for (int64_t p = p0; p < p0 + np;) {
            int64_t oh = p / cv->OW, ow0 = p % cv->OW;
            int64_t ow1 = cv->OW - ow0 < p0 + np - p ? cv->OW : ow0 + (p0 + np - p);
            int64_t ih = oh * cv->sh + kh - cv->ph;
            const float *sr = s + oh * cv->OW;
            int64_t a = ow0 > lo ? ow0 : lo, b = ow1 < hi ? ow1 : hi;
            if (ih >= 0 && ih < cv->H) {
                float *xr = xc + ih * cv->W;
                if (cv->sw == 1)
                    for (int64_t ow = a; ow < b; ow++) xr[ow] += sr[ow];
                else
                    for (int64_t ow = a; ow < b; ow++) xr[ow * cv->sw] += sr[ow];
            }
            p += ow1 - ow0;
        }
    }
}

/* y = conv(x = in0, w = in1), samples of task t. */
static void conv_fwd_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float col[cv->R * cv->chunk + COL_SLACK] __attribute__((aligned(64)));   /* at most COL_FLOATS + COL_SLACK */
    int64_t n0, n1;
    conv_range(cv, t, &n0, &n1);
    for (int64_t n = n0; n < n1; n++)
        for (int64_t p0 = 0; p0 < cv->P; p0 += cv->chunk) {
            int64_t np = cv->P - p0 < cv->chunk ? cv->P - p0 : cv->chunk;
            im2col(col, cv->in0 + n * cv->C * cv->H * cv->W, cv, p0, np);
            gemm_strided(cv->out + n * cv->F * cv->P + p0, cv->P, cv->in1, cv->R, 1, col, np, 1, cv->F, np, cv->R, 0);
            for (int64_t f = 0; cv->epi && f < cv->F; f++) {
                int64_t first = (n * cv->F + f) * cv->P + p0;
                cv->epi(cv->epi_data, first, first + np);
            }
        }
}

/* dx = conv_dx(dy = in0, w = in1), samples of task t. */
static NO_LIBC void conv_dx_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float dcol[cv->R * cv->chunk] __attribute__((aligned(64)));   /* at most COL_FLOATS */
    int64_t n0, n1;
    conv_range(cv, t, &n0, &n1);
    for (int64_t n = n0; n < n1; n++) {
        float *dx = cv->out + n * cv->C * cv->H * cv->W;
        for (int64_t i = 0; i < cv->C * cv->H * cv->W; i++) dx[i] = 0;
        for (int64_t p0 = 0; p0 < cv->P; p0 += cv->chunk) {
            int64_t np = cv->P - p0 < cv->chunk ? cv->P - p0 : cv->chunk;
            gemm_strided(dcol, np, cv->in1, 1, cv->R, cv->in0 + n * cv->F * cv->P + p0, cv->P, 1, cv->R, np, cv->F, 0);
            col2im(dx, dcol, cv, p0, np);
        }
    }
}

/* This task's partial dw = sum over its samples of dy_n @ col_n^T (x = in0, dy = in1). */
static void conv_dw_task(void *ctx, int t, int ntasks) {
    (void)ntasks;
    const Conv *cv = ctx;
    float col[cv->R * cv->chunk + COL_SLACK] __attribute__((aligned(64)));   /* at most COL_FLOATS + COL_SLACK */
    float *dw = cv->ntasks == 1 ? cv->out : cv->partial + t * cv->F * cv->R;
    int64_t n0, n1;
    conv_range(cv, t, &n0, &n1);
    int add = 0;
    if (n0 == n1)
        for (int64_t i = 0; i < cv->F * cv->R; i++) dw[i] = 0;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t p0 = 0; p0 < cv->P; p0 += cv->chunk) {
            int64_t np = cv->P - p0 < cv->chunk ? cv->P - p0 : cv->chunk;
            im2col(col, cv->in0 + n * cv->C * cv->H * cv->W, cv, p0, np);
            gemm_strided(dw, cv->R, cv->in1 + n * cv->F * cv->P + p0, cv->P, 1, col, 1, np, cv->F, cv->R, np, add);
            add = 1;
        }
}

void conv_loops(int op, const Conv *cv) {
    int64_t count = op == CONV_FORWARD ? cv->N * cv->F * cv->P
                    : op == CONV_DX    ? cv->N * cv->C * cv->H * cv->W
                                       : cv->F * cv->R;
    for (int64_t i = 0; i < count; i++) cv->out[i] = 0;
    for (int64_t n = 0; n < cv->N; n++)
        for (int64_t f = 0; f < cv->F; f++)
            for (int64_t r = 0; r < cv->R; r++) {
                int64_t c = r / (cv->KH * cv->KW), kh = r / cv->KW % cv->KH, kw = r % cv->KW;
                for (int64_t p = 0; p < cv->P; p++) {
                    int64_t ih = p / cv->OW * cv->sh + kh - cv->ph, iw = p % cv->OW * cv->sw + kw - cv->pw;
                    if (ih < 0 || ih >= cv->H || iw < 0 || iw >= cv->W) continue;
                    int64_t xi = ((n * cv->C + c) * cv->H + ih) * cv->W + iw, yi = (n * cv->F + f) * cv->P + p;
                    int64_t wi = f * cv->R + r;
                    if (op == CONV_FORWARD) cv->out[yi] += cv->in0[xi] * cv->in1[wi];
                    else if (op == CONV_DX) cv->out[xi] += cv->in0[yi] * cv->in1[wi];
                    else cv->out[wi] += cv->in1[yi] * cv->in0[xi];
                }
            }
    if (op == CONV_FORWARD && cv->epi) cv->epi(cv->epi_data, 0, count);
}

void conv_im2col(int op, Conv *cv, dm_exec *ex) {
    cv->chunk = im2col_chunk(cv->R, cv->P, cv->OW);
    if (cv->chunk < 1) {
        conv_loops(op, cv);
        return;
    }
    conv_split(op, cv, op == CONV_FORWARD ? conv_fwd_task : op == CONV_DX ? conv_dx_task : conv_dw_task, ex);
}
