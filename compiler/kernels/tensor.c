/* tensor.c: the data-movement and reduction kernels of generated code:
 * reductions (sum, mean, max) over any set of axes, and transposition by any
 * permutation.  Shapes arrive as pointers to constant arrays (rank <= 8), so
 * once inlined into a module the loops are specialised like the others. */
#include <stdint.h>

enum { RANK = 8 };

/* kind: 0 sum, 1 mean, 2 max.  axes: bit i = reduce axis i of x's dims. */
void dmk_reduce(float *restrict y, const float *restrict x, int32_t rank, const int64_t *dims, uint32_t axes,
                int32_t kind) {
    int64_t ostride[RANK], count = 1, ocount = 1;
    for (int i = rank - 1; i >= 0; i--) {
        ostride[i] = (axes >> i & 1) ? 0 : ocount;
        if (!(axes >> i & 1)) ocount *= dims[i];
        count *= dims[i];
    }
    float init = kind == 2 ? -__builtin_inff() : 0.0f;
    for (int64_t i = 0; i < ocount; i++) y[i] = init;
    int64_t idx[RANK] = {0}, o = 0;
    for (int64_t i = 0; i < count; i++) {
        float v = x[i];
        y[o] = kind == 2 ? (v > y[o] ? v : y[o]) : y[o] + v;
        /* Next multi-index (row-major), keeping o in step. */
        for (int k = rank - 1; k >= 0; k--) {
            o += ostride[k];
            if (++idx[k] < dims[k]) break;
            o -= ostride[k] * dims[k];
            idx[k] = 0;
        }
    }
    if (kind == 1 && ocount > 0) {
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
