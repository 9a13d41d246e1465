/* tensor.c: the data-movement and reduction kernels of generated code:
 * reductions (sum, mean, max) over any set of axes, transposition by any
 * permutation, and the strided box copy of slices and concatenation.  Shapes arrive as pointers to constant arrays (rank <= 8), so
 * once inlined into a module the loops are specialised like the others. */
#include <stdint.h>

#include "dmk.h"
#include "kernels.h"

enum { RANK = 8 };

/* x[0] + ... + x[n-1] in one order on every target: sixteen running sums
 * (lane j adds x[j], x[j + 16], ...), folded in halves, then the tail in
 * order.  Left to the vectoriser (reassociation), the order would follow the
 * target's vector width, and results would differ between targets. */
static float sum_floats(const float *x, int64_t n) {
    int64_t i = 0;
    float total = 0.0f;
    if (n >= 16) {
        v16 acc = load16(x);
        for (i = 16; i + 16 <= n; i += 16) acc += load16(x + i);
        for (int w = 8; w >= 1; w /= 2)
            for (int j = 0; j < w; j++) acc[j] += acc[j + w];
        total = acc[0];
    }
    for (; i < n; i++) total += x[i];
    return total;
}

/* The maximum so far after x, as torch.amax: a NaN wins and stays.  One
 * compare-select (x > m or x unordered), which vectorises. */
static ALWAYS_INLINE float max_step(float m, float x) { return x > m || x != x ? x : m; }

/* max(x[0], ..., x[n-1]) (n >= 1): sixteen running maxima, then the tail;
 * any NaN gives NaN.  The order does not matter (max is exact). */
static float max_floats(const float *x, int64_t n) {
    int64_t i = 0;
    float m = x[0];
    if (n >= 16) {
        v16 acc = load16(x);
        for (i = 16; i + 16 <= n; i += 16) {
            v16 v = load16(x + i);
            vi16 take = (v > acc) | (v != v);
            acc = (v16)(((vi16)v & take) | ((vi16)acc & ~take));
        }
        m = acc[0];
        for (int j = 1; j < 16; j++) m = max_step(m, acc[j]);
    }
    for (; i < n; i++) m = max_step(m, x[i]);
    return m;
}

/* x viewed as [outer, r, inner], reduced over the middle: the common case
 * (reduced axes adjacent), with loops that vectorise (over inner, or over r
 * in sum_floats' order when inner is 1). */
static void reduce_middle(float *restrict y, const float *restrict x, int64_t outer, int64_t r, int64_t inner,
                          int32_t kind) {
    for (int64_t o = 0; o < outer; o++) {
        const float *xo = x + o * r * inner;
        float *yo = y + o * inner;
        if (inner == 1) {
            yo[0] = kind == DMK_MAX ? max_floats(xo, r) : sum_floats(xo, r);
            continue;
        }
        for (int64_t i = 0; i < inner; i++) yo[i] = xo[i];
        for (int64_t k = 1; k < r; k++) {
            const float *xk = xo + k * inner;
            if (kind == DMK_MAX)
                for (int64_t i = 0; i < inner; i++) yo[i] = max_step(yo[i], xk[i]);
            else
                for (int64_t i = 0; i < inner; i++) yo[i] += xk[i];
        }
    }
    if (kind == DMK_MEAN && r > 0) {
        float s = 1.0f / (float)r;
        for (int64_t i = 0; i < outer * inner; i++) y[i] *= s;
    }
}

/* kind: a DmkReduce (sum, mean, max).  axes: bit i = reduce axis i of x's dims. */
void dmk_reduce(float *restrict y, const float *restrict x, int32_t rank, const int64_t *dims, uint32_t axes,
                int32_t kind) {
    int first = -1, last = -1;
    for (int i = 0; i < rank; i++)
        if (axes >> i & 1) {
            if (first < 0) first = i;
            last = i;
        }
    int adjacent = first >= 0;
    for (int i = first; adjacent && i <= last; i++) adjacent = axes >> i & 1;
    if (adjacent) {
        int64_t outer = 1, r = 1, inner = 1;
        for (int i = 0; i < rank; i++) {
            if (i < first) outer *= dims[i];
            else if (i <= last) r *= dims[i];
            else inner *= dims[i];
        }
        if (r > 0) {
            reduce_middle(y, x, outer, r, inner, kind);
            return;
        }
    }
    /* Merge neighbouring dims of the same kind (reduced or kept), then walk
     * the rows of the last merged dim: contiguous in x, and either reduced
     * to one element of y or added to a contiguous row of y. */
    int64_t md[RANK], ostride[RANK];
    int mr[RANK], m = 0;
    for (int i = 0; i < rank; i++) {
        int r = axes >> i & 1;
        if (dims[i] == 1) continue;
        if (m > 0 && mr[m - 1] == r) md[m - 1] *= dims[i];
        else md[m] = dims[i], mr[m] = r, m++;
    }
    int64_t count = 1, ocount = 1;
    for (int i = m - 1; i >= 0; i--) {
        ostride[i] = mr[i] ? 0 : ocount;
        if (!mr[i]) ocount *= md[i];
        count *= md[i];
    }
    float init = kind == DMK_MAX ? -__builtin_inff() : 0.0f;
    for (int64_t i = 0; i < ocount; i++) y[i] = init;
    int64_t L = m > 0 ? md[m - 1] : 1, rows = L > 0 ? count / L : 0;
    int inner_reduced = m > 0 && mr[m - 1];
    int64_t idx[RANK] = {0}, o = 0;
    for (int64_t row = 0; row < rows; row++) {
        const float *xr = x + row * L;
        if (inner_reduced) {
            y[o] = kind == DMK_MAX ? max_step(y[o], max_floats(xr, L)) : y[o] + sum_floats(xr, L);
        } else {
            float *yr = y + o;
            if (kind == DMK_MAX)
                for (int64_t i = 0; i < L; i++) yr[i] = max_step(yr[i], xr[i]);
            else
                for (int64_t i = 0; i < L; i++) yr[i] += xr[i];
        }
        /* The next row's multi-index over the merged dims before the last. */
        for (int k = m - 2; k >= 0; k--) {
            o += ostride[k];
            if (++idx[k] < md[k]) break;
            o -= ostride[k] * md[k];
            idx[k] = 0;
        }
    }
    if (kind == DMK_MEAN && ocount > 0) {
        float r = (float)ocount / (float)count;
        for (int64_t i = 0; i < ocount; i++) y[i] *= r;
    }
}

/* y[j_0, .., j_r-1] = x[i] with i_perm[k] = j_k; dims are x's. */
void dmk_transpose(float *restrict y, const float *restrict x, int32_t rank, const int64_t *dims, const int32_t *perm) {
    int64_t xstride[RANK], stride[RANK], odims[RANK], count = 1;
    for (int i = rank - 1; i >= 0; i--) xstride[i] = count, count *= dims[i];
    for (int k = 0; k < rank; k++) odims[k] = dims[perm[k]], stride[k] = xstride[perm[k]];
    int64_t idx[RANK] = {0}, at = 0;
    for (int64_t j = 0; j < count; j++) {
        y[j] = x[at];
        for (int k = rank - 1; k >= 0; k--) {
            at += stride[k];
            if (++idx[k] < odims[k]) break;
            at -= stride[k] * odims[k];
            idx[k] = 0;
        }
    }
}

/* y[sum j_k ystride_k] = x[sum j_k xstride_k] for every j < dims (the box a
 * slice reads, the place a concat operand goes, the box slice_dx fills).
 * Callers pass y and x already at the box's first
 * element.  The last axis is a run: with unit strides on both sides (a slice
 * of step 1 along the last axis, every concat) a plain copy loop that
 * vectorises; the strides are constants once inlined. */
void dmk_copy_box(float *restrict y, const float *restrict x, int32_t rank, const int64_t *dims,
                  const int64_t *ystride, const int64_t *xstride) {
    int64_t run = rank > 0 ? dims[rank - 1] : 1, rows = 1;
    int64_t ys = rank > 0 ? ystride[rank - 1] : 1, xs = rank > 0 ? xstride[rank - 1] : 1;
    for (int k = 0; k + 1 < rank; k++) rows *= dims[k];
    int64_t idx[RANK] = {0}, yat = 0, xat = 0;
    for (int64_t row = 0; row < rows; row++) {
        float *restrict yr = y + yat;
        const float *restrict xr = x + xat;
        if (ys == 1 && xs == 1)
            for (int64_t i = 0; i < run; i++) yr[i] = xr[i];
        else
            for (int64_t i = 0; i < run; i++) yr[i * ys] = xr[i * xs];
        for (int k = rank - 2; k >= 0; k--) {   /* the next row's index over the axes before the last */
            yat += ystride[k], xat += xstride[k];
            if (++idx[k] < dims[k]) break;
            yat -= ystride[k] * dims[k], xat -= xstride[k] * dims[k];
            idx[k] = 0;
        }
    }
}
