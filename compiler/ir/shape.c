/* shape.c: the shape rules of the graph IR and the op table.
 *
 * Needs: ir.h, ops.def.  Guarantees: each rule is a pure function of its
 * arguments, returns false (leaving *out unspecified) when the rule is
 * violated, and never dies: sema calls these to decide whether to report a
 * user error, the builder and the verifier to assert them. */
#include "ir/ir.h"

#include <math.h>   /* INFINITY: clip's default bounds (ops.def) */

#include <string.h>

#define SURFACE_FN true    /* ops.def's SURFACE column */
#define SURFACE_IR false
const OpInfo op_info[OP_COUNT] = {
#define OP(NAME, TEXT, ARITY, CLASS) [OP_##NAME] = {TEXT, ARITY, CLASS},
#define OP_UNARY(NAME, TEXT, SURFACE, I32, NPARAMS, P0, D0, P1, D1, SCALAR) \
    [OP_##NAME] = {TEXT, 1, OC_UNARY, SURFACE_##SURFACE, I32, NPARAMS, {P0, P1}, {D0, D1}},
#define OP_BINARY(NAME, TEXT, I32, SCALAR) [OP_##NAME] = {TEXT, 2, OC_BINARY, false, I32},
#include "ir/ops.def"
};

int64_t shape_count(Shape s) {
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++) n *= s.dim[i];
    return n;
}

bool shape_eq(Shape a, Shape b) {
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank; i++)
        if (a.dim[i] != b.dim[i]) return false;
    return true;
}

static const char *dtype_name(DType t) {
    switch (t) {
    case DT_F32: return "f32";
    case DT_I32: return "i32";
    case DT_BOOL: return "bool";
    case DT_VOID: return "void";
    }
    return "?";
}

const char *shape_str(Arena *a, DType t, Shape s) {
    char buf[32 + MAX_RANK * 24];
    int len = snprintf(buf, sizeof buf, "%s", dtype_name(t));
    if (s.rank > 0) {
        len += snprintf(buf + len, sizeof buf - len, "[");
        for (int i = 0; i < s.rank && i < MAX_RANK; i++)
            len += snprintf(buf + len, sizeof buf - len, "%s%lld", i ? ", " : "", (long long)s.dim[i]);
        snprintf(buf + len, sizeof buf - len, "]");
    }
    return arena_strdup(a, buf);
}

/* NumPy: align the shapes at the right; each pair of dims must be equal or
 * one of them 1. */
bool shape_broadcast(Shape a, Shape b, Shape *out) {
    Shape r = {.rank = a.rank > b.rank ? a.rank : b.rank};
    for (int i = 0; i < r.rank; i++) {
        int ia = a.rank - r.rank + i, ib = b.rank - r.rank + i;
        int64_t da = ia >= 0 ? a.dim[ia] : 1, db = ib >= 0 ? b.dim[ib] : 1;
        if (da != db && da != 1 && db != 1) return false;
        r.dim[i] = da == 1 ? db : da;
    }
    *out = r;
    return true;
}

/* NumPy matmul of operands of rank 2 or more (sema turns the language's
 * rank-1 cases into reshapes): the last two axes of each are a matrix
 * ([M, K], [K, M] with trans_a; [K, N], [N, K] with trans_b), the axes
 * before them batch axes that broadcast (shape_broadcast) into the result's
 * [..., M, N]. */
bool shape_matmul(Shape a, Shape b, bool trans_a, bool trans_b, Shape *out) {
    if (a.rank < 2 || b.rank < 2) return false;
    int64_t a0 = a.dim[a.rank - 2], a1 = a.dim[a.rank - 1], b0 = b.dim[b.rank - 2], b1 = b.dim[b.rank - 1];
    int64_t m = trans_a ? a1 : a0, ka = trans_a ? a0 : a1;
    int64_t kb = trans_b ? b1 : b0, n = trans_b ? b0 : b1;
    if (ka != kb) return false;
    Shape batch_a = a, batch_b = b, r;
    batch_a.rank -= 2, batch_b.rank -= 2;
    if (!shape_broadcast(batch_a, batch_b, &r)) return false;
    r.dim[r.rank++] = m;
    r.dim[r.rank++] = n;
    *out = r;
    return true;
}

int64_t shape_matrices(Shape s) {
    int64_t n = 1;
    for (int i = 0; i < s.rank - 2; i++) n *= s.dim[i];
    return n;
}

bool shape_reduce(Shape a, uint32_t axes, bool keepdims, Shape *out) {
    if (a.rank < 32 && (axes >> a.rank) != 0) return false;   /* an axis beyond the rank */
    Shape r = {0};
    for (int i = 0; i < a.rank; i++) {
        if (axes & (1u << i)) {
            if (keepdims) r.dim[r.rank++] = 1;
        } else {
            r.dim[r.rank++] = a.dim[i];
        }
    }
    *out = r;
    return true;
}

/* x [N,C,H,W], w [F,C,KH,KW] -> [N,F,(H+2p-KH)/s+1,(W+2p-KW)/s+1]. */
bool shape_conv2d(Shape x, Shape w, const int stride[2], const int pad[2], Shape *out) {
    if (x.rank != 4 || w.rank != 4 || x.dim[1] != w.dim[1]) return false;
    Shape r = {.rank = 4, .dim = {x.dim[0], w.dim[0]}};
    for (int i = 0; i < 2; i++) {
        if (stride[i] < 1 || pad[i] < 0 || w.dim[2 + i] < 1) return false;
        int64_t span = x.dim[2 + i] + 2 * (int64_t)pad[i] - w.dim[2 + i];
        if (span < 0) return false;
        r.dim[2 + i] = span / stride[i] + 1;
    }
    *out = r;
    return true;
}

/* x [N,C,H,W] -> [N,C,(H-size)/stride+1,(W-size)/stride+1], no padding. */
bool shape_pool2d(Shape x, const int size[2], const int stride[2], Shape *out) {
    if (x.rank != 4) return false;
    Shape r = x;
    for (int i = 0; i < 2; i++) {
        if (size[i] < 1 || stride[i] < 1) return false;
        int64_t span = x.dim[2 + i] - size[i];
        if (span < 0) return false;
        r.dim[2 + i] = span / stride[i] + 1;
    }
    *out = r;
    return true;
}

/* Rows of a table: table [V, D...], ids [S...] -> [S..., D...]. */
bool shape_gather(Shape table, Shape ids, Shape *out) {
    if (table.rank < 1 || table.dim[0] < 1 || ids.rank + table.rank - 1 > MAX_RANK) return false;
    Shape r = ids;
    for (int i = 1; i < table.rank; i++) r.dim[r.rank++] = table.dim[i];
    *out = r;
    return true;
}

/* Every axis of the box: start in range, step >= 1, and its last element
 * start + step * (extent - 1) inside x (an empty box fits nowhere: dm has no
 * empty tensors). */
bool shape_slice_fits(Shape x, const int *start, const int *step, Shape s) {
    if (x.rank != s.rank) return false;
    for (int k = 0; k < x.rank; k++)
        if (start[k] < 0 || step[k] < 1 || s.dim[k] < 1 ||
            start[k] + (int64_t)step[k] * (s.dim[k] - 1) >= x.dim[k])
            return false;
    return true;
}

/* xs joined along axis: one rank, equal dimensions but on the axis. */
bool shape_concat(const Shape *xs, int n, int axis, Shape *out) {
    if (n < 1 || axis < 0 || axis >= xs[0].rank) return false;
    Shape r = xs[0];
    for (int i = 1; i < n; i++) {
        if (xs[i].rank != r.rank) return false;
        for (int k = 0; k < r.rank; k++)
            if (k != axis && xs[i].dim[k] != r.dim[k]) return false;
        r.dim[axis] += xs[i].dim[axis];
    }
    *out = r;
    return true;
}
