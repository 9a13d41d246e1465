/* labels.c: the message of a class index out of range.
 *
 * A generated entry checks every i32 tensor it uses as class indices (the
 * labels of softmax_cross_entropy, of one_hot) before it changes anything;
 * on the first index outside [0, classes) it calls ex->bad_label, which is
 * rt_bad_label, and returns DM_ERANGE.  The message names the labels, the
 * element (its index, and its flat position for a rank above 1) and the
 * value; a value that is the bit pattern of a small float says so, as a float
 * stored into an i32 buffer is the usual cause.  The reference interpreter
 * (compiler/ir/interp.c) words it the same. */
#include "rt.h"

#include <string.h>

/* A value no class count allows that reads as a float of ordinary size. */
static int looks_like_float(int32_t value, float *f) {
    if (value > -(1 << 23) && value < (1 << 23))
        return 0;
    memcpy(f, &value, sizeof *f);
    float a = *f < 0 ? -*f : *f; /* not fabsf: the freestanding core links no libm for it */
    return a >= 0x1p-10f && a <= 0x1p24f;
}

int rt_bad_label(dm_exec *ex, const char *what, int rank, const int64_t *dims, int64_t at, int32_t value,
                 int64_t classes) {
    (void)ex;
    char where[48 + 24 * DM_MAX_RANK] = "";
    if (rank > 0 && rank <= DM_MAX_RANK) {
        int64_t idx[DM_MAX_RANK], rest = at;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = dims[d] > 0 ? rest % dims[d] : 0;
            rest = dims[d] > 0 ? rest / dims[d] : 0;
        }
        size_t n = (size_t)rt_snprintf(where, sizeof where, " at [");
        for (int d = 0; d < rank; d++)
            n += (size_t)rt_snprintf(where + n, sizeof where - n, "%s%lld", d ? ", " : "", (long long)idx[d]);
        if (rank > 1)
            rt_snprintf(where + n, sizeof where - n, "] (element %lld)", (long long)at);
        else
            rt_snprintf(where + n, sizeof where - n, "]");
    }
    float f;
    if (looks_like_float(value, &f)) /* %g by rt_error: the C library's, where there is one */
        return rt_error(DM_ERANGE,
                        "%s holds %d%s, not a class index in [0, %lld) (the bits of the float %g: a float stored "
                        "into an i32 buffer?)", what, (int)value, where, (long long)classes, (double)f);
    return rt_error(DM_ERANGE, "%s holds %d%s, not a class index in [0, %lld)", what, (int)value, where,
                    (long long)classes);
}
