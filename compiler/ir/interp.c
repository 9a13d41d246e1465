/* interp.c: the reference interpreter of the graph IR, the project's oracle.
 *
 * Every op of ops.def in double precision with naive loops: clarity over
 * speed.  Compiled code is checked against this file op by op and model by
 * model, and gradient checks difference it, so every loop here is written to
 * be read against the op's definition (docs/ir.md).
 *
 * Needs: a verified graph and a TensorStore for its model.  Guarantees:
 * loads read the store as it was when the run began (a graph never loads a
 * tensor after storing it), stores write the store; i32 values are exact
 * integers held in doubles; f32 values have double precision but f32's range
 * (beyond it, infinities: f32_range); node values live in the arena.
 * Defined behaviour at the edges (no traps): integer division by zero gives
 * 0.  A class index outside [0, classes), or a gather's id outside the
 * table's rows, is an error (labels.c): the run
 * returns DM_ERANGE and leaves the store as it was, which it can because it
 * holds every store back until all nodes have run (a graph never loads a
 * tensor after storing it, so that changes no value). */
#include "ir/ir.h"
#include "cg/kernels/random.h"
#include "dm.h"

#include <math.h>
#include <string.h>

TensorStore *store_new(Arena *a, const Model *m) {
    TensorStore *s = arena_alloc(a, sizeof *s);
    s->model = m;
    s->values = arena_alloc(a, sizeof(double *) * (size_t)(m->ntensors + 1));
    for (int i = 0; i < m->ntensors; i++)
        s->values[i] = arena_alloc(a, sizeof(double) * (size_t)shape_count(m->tensors[i].shape));
    return s;
}

/* Row-major index <-> coordinates. */
static void unravel(int64_t i, Shape s, int64_t *idx) {
    for (int d = s.rank - 1; d >= 0; d--) {
        idx[d] = i % s.dim[d];
        i /= s.dim[d];
    }
}

/* The flat position in an operand of shape `in` that NumPy broadcasting maps
 * to coordinates `idx` of the result shape `out` (in aligned at the right;
 * its size-1 dims repeat). */
static int64_t broadcast_offset(Shape out, Shape in, const int64_t *idx) {
    int64_t off = 0;
    for (int d = 0; d < in.rank; d++) {
        int od = out.rank - in.rank + d;
        off = off * in.dim[d] + (in.dim[d] == 1 ? 0 : idx[od]);
    }
    return off;
}

static void run_reduce(const Node *n, Shape xs, const double *x, double *y) {
    int64_t count = shape_count(xs), ycount = shape_count(n->shape);
    for (int64_t j = 0; j < ycount; j++) y[j] = n->op == OP_MAX ? -INFINITY : 0;
    int64_t idx[MAX_RANK];
    for (int64_t i = 0; i < count; i++) {
        unravel(i, xs, idx);
        int64_t j = 0;   /* the result position: reduced axes dropped (or kept as 0) */
        for (int d = 0; d < xs.rank; d++) {
            if (n->attr.axes & (1u << d)) continue;
            j = j * xs.dim[d] + idx[d];
        }
        if (n->op == OP_MAX) y[j] = x[i] > y[j] || isnan(x[i]) ? x[i] : y[j];   /* NaN wins, as torch.amax */
        else y[j] += x[i];
    }
    if (n->op == OP_MEAN && ycount > 0)
        for (int64_t j = 0; j < ycount; j++) y[j] /= (double)(count / ycount);
}

static void run_transpose(const Node *n, Shape xs, const double *x, double *y) {
    int64_t idx[MAX_RANK], xidx[MAX_RANK];
    for (int64_t i = 0; i < shape_count(n->shape); i++) {
        unravel(i, n->shape, idx);
        for (int d = 0; d < n->shape.rank; d++) xidx[n->attr.perm[d]] = idx[d];
        int64_t off = 0;
        for (int d = 0; d < xs.rank; d++) off = off * xs.dim[d] + xidx[d];
        y[i] = x[off];
    }
}

/* The flat position in `big` of element idx of the box (start, step) that a
 * slice reads: coordinate start[d] + step[d] * idx[d] on each axis. */
static int64_t box_offset(Shape big, const Attr *at, const int64_t *idx) {
    int64_t off = 0;
    for (int d = 0; d < big.rank; d++) off = off * big.dim[d] + at->start[d] + (int64_t)at->step[d] * idx[d];
    return off;
}

/* slice: y = the box of x; slice_dx: y = zeros of x's big shape with the box
 * set to dy (the elements of a box are distinct, so set = accumulate). */
static void run_slice(const Node *n, Shape xs, const double *x, double *y) {
    int64_t idx[MAX_RANK];
    bool scatter = n->op == OP_SLICE_DX;
    Shape box = scatter ? xs : n->shape, big = scatter ? n->shape : xs;
    if (scatter) memset(y, 0, sizeof(double) * (size_t)shape_count(big));
    for (int64_t i = 0; i < shape_count(box); i++) {
        unravel(i, box, idx);
        int64_t off = box_offset(big, &n->attr, idx);
        if (scatter) y[off] = x[i];
        else y[i] = x[off];
    }
}

/* concat: each operand's elements at their place along the axis. */
static void run_concat(const Node *n, const Graph *g, double **val, double *y) {
    int64_t idx[MAX_RANK], at = 0;
    int axis = n->attr.axis;
    for (int k = 0; k < n->nin; k++) {
        Shape xs = g->nodes[n->in[k]].shape;
        for (int64_t i = 0; i < shape_count(xs); i++) {
            unravel(i, xs, idx);
            idx[axis] += at;
            int64_t off = 0;
            for (int d = 0; d < n->shape.rank; d++) off = off * n->shape.dim[d] + idx[d];
            y[off] = val[n->in[k]][i];
        }
        at += xs.dim[axis];
    }
}

static void run_matmul(const Node *n, Shape as, const double *A, Shape bs, const double *B, double *y) {
    /* C[..., i, j] = sum over k of op_a(A)[..., i, k] op_b(B)[..., k, j]: each
     * product of the batch reads the matrices of A and B that broadcasting
     * maps to its batch coordinates (the last two axes are the matrices). */
    Shape cs = n->shape, batch = cs, abatch = as, bbatch = bs;
    batch.rank -= 2, abatch.rank -= 2, bbatch.rank -= 2;
    int64_t M = cs.dim[cs.rank - 2], N = cs.dim[cs.rank - 1];
    int64_t K = n->attr.trans_a ? as.dim[as.rank - 2] : as.dim[as.rank - 1];
    int64_t a_cols = as.dim[as.rank - 1], b_cols = bs.dim[bs.rank - 1];
    int64_t idx[MAX_RANK];
    for (int64_t p = 0; p < shape_count(batch); p++) {
        unravel(p, batch, idx);
        const double *Ap = A + broadcast_offset(batch, abatch, idx) * M * K;
        const double *Bp = B + broadcast_offset(batch, bbatch, idx) * K * N;
        double *Cp = y + p * M * N;
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double acc = 0;
                for (int64_t k = 0; k < K; k++) {
                    double a = n->attr.trans_a ? Ap[k * a_cols + i] : Ap[i * a_cols + k];
                    double b = n->attr.trans_b ? Bp[j * b_cols + k] : Bp[k * b_cols + j];
                    acc += a * b;
                }
                Cp[i * N + j] = acc;
            }
    }
}

/* Softmax / log-softmax along attr.axis, shifted by the maximum for stability. */
static void run_softmax(const Node *n, const double *x, double *y) {
    Shape s = n->shape;
    int ax = n->attr.axis;
    int64_t outer = 1, len = s.dim[ax], inner = 1;
    for (int d = 0; d < ax; d++) outer *= s.dim[d];
    for (int d = ax + 1; d < s.rank; d++) inner *= s.dim[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            const double *xr = x + o * len * inner + in;
            double *yr = y + o * len * inner + in;
            double mx = -INFINITY, sum = 0;
            for (int64_t k = 0; k < len; k++) mx = xr[k * inner] > mx ? xr[k * inner] : mx;
            for (int64_t k = 0; k < len; k++) sum += exp(xr[k * inner] - mx);
            for (int64_t k = 0; k < len; k++)
                yr[k * inner] = n->op == OP_SOFTMAX ? exp(xr[k * inner] - mx) / sum
                                                    : xr[k * inner] - mx - log(sum);
        }
}

/* layer_norm (x, dy NULL) and its adjoint layer_norm_dx (x, dy) over rows
 * of the axes attr.axis .. last (ops.def).  Each intermediate the code
 * computes is an f32 value (f32_range: a squared deviation of 1e20 is
 * infinite, as in f32 and in the composite this replaced); precision double. */
static double f32_range(double v);

static void run_layer_norm(const Node *n, const double *x, const double *dy, double *y) {
    Shape s = n->shape;
    int64_t len = 1;
    for (int d = n->attr.axis; d < s.rank; d++) len *= s.dim[d];
    int64_t rows = len ? shape_count(s) / len : 0;
    for (int64_t r = 0; r < rows; r++) {
        const double *xr = x + r * len;
        double sum = 0, sq = 0;
        for (int64_t k = 0; k < len; k++) sum += xr[k];
        double mean = f32_range(sum / (double)len);
        for (int64_t k = 0; k < len; k++) {
            double d = f32_range(xr[k] - mean);
            sq += f32_range(d * d);
        }
        double var = f32_range(sq / (double)len);
        double rstd = f32_range(1 / sqrt(f32_range(var + (float)n->attr.value)));   /* eps: an f32 constant */
        if (!dy) {
            for (int64_t k = 0; k < len; k++) y[r * len + k] = f32_range(xr[k] - mean) * rstd;
            continue;
        }
        const double *dyr = dy + r * len;
        double sdy = 0, sdyd = 0;
        for (int64_t k = 0; k < len; k++) {
            sdy += dyr[k];
            sdyd += f32_range(dyr[k] * f32_range(xr[k] - mean));
        }
        double mean_dy = f32_range(sdy / (double)len), mean_dy_xhat = f32_range(f32_range(sdyd * rstd) / (double)len);
        for (int64_t k = 0; k < len; k++) {
            double xhat = f32_range(f32_range(xr[k] - mean) * rstd);
            y[r * len + k] = (dyr[k] - mean_dy - f32_range(xhat * mean_dy_xhat)) * rstd;
        }
    }
}

/* The three convolution ops share one walk over (n, f, c, oh, ow, kh, kw):
 * x [N,C,H,W], w [F,C,KH,KW], y [N,F,OH,OW]; input row oh*s+kh-p. */
static void run_conv(Op op, const Attr *at, Shape xs, Shape ws, Shape ys, double *x, double *w, double *y) {
    int64_t N = xs.dim[0], C = xs.dim[1], H = xs.dim[2], W = xs.dim[3];
    int64_t F = ws.dim[0], KH = ws.dim[2], KW = ws.dim[3], OH = ys.dim[2], OW = ys.dim[3];
    for (int64_t b = 0; b < N; b++)
        for (int64_t f = 0; f < F; f++)
            for (int64_t oh = 0; oh < OH; oh++)
                for (int64_t ow = 0; ow < OW; ow++) {
                    double *yv = &y[((b * F + f) * OH + oh) * OW + ow];
                    for (int64_t c = 0; c < C; c++)
                        for (int64_t kh = 0; kh < KH; kh++)
                            for (int64_t kw = 0; kw < KW; kw++) {
                                int64_t ih = oh * at->stride[0] + kh - at->pad[0];
                                int64_t iw = ow * at->stride[1] + kw - at->pad[1];
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                double *xv = &x[((b * C + c) * H + ih) * W + iw];
                                double *wv = &w[((f * C + c) * KH + kh) * KW + kw];
                                if (op == OP_CONV2D) *yv += *xv * *wv;
                                else if (op == OP_CONV2D_DX) *xv += *yv * *wv;
                                else *wv += *xv * *yv;
                            }
                }
}

/* Pooling windows (no padding): max, its adjoint, average and its adjoint.
 * As PyTorch's: a NaN is the maximum of any window it is in, and the adjoint
 * goes to the window's last NaN, else to its first maximum (row-major). */
static void run_pool(Op op, const Attr *at, Shape xs, Shape ys, const double *x, double *dx, double *y) {
    int64_t NC = xs.dim[0] * xs.dim[1], H = xs.dim[2], W = xs.dim[3], OH = ys.dim[2], OW = ys.dim[3];
    double area = (double)at->size[0] * at->size[1];
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t yi = (p * OH + oh) * OW + ow, best = -1;
                double acc = 0, mx = -INFINITY;
                for (int64_t kh = 0; kh < at->size[0]; kh++)
                    for (int64_t kw = 0; kw < at->size[1]; kw++) {
                        int64_t xi = (p * H + oh * at->stride[0] + kh) * W + ow * at->stride[1] + kw;
                        if (op == OP_AVGPOOL2D) acc += x[xi];
                        else if (op == OP_AVGPOOL2D_DX) dx[xi] += y[yi] / area;
                        else if (best < 0 || x[xi] > mx || isnan(x[xi])) { mx = x[xi]; best = xi; }
                    }
                if (op == OP_AVGPOOL2D) y[yi] = acc / area;
                else if (op == OP_MAXPOOL2D) y[yi] = mx;
                else if (op == OP_MAXPOOL2D_DX) dx[best] += y[yi];
            }
}

/* softmax_cross_entropy and its adjoint: loss = mean over the rows not
 * labelled attr.ignore (when has_ignore) of -log_softmax(logits[n])[label[n]]
 * (no such row: 0/0, NaN, as PyTorch); dlogits = (softmax - onehot) * dloss /
 * that count, 0 in the ignored rows. */
static void run_sce(const Node *n, Shape ls, const double *logits, const double *labels, double dloss, double *y) {
    int64_t N = ls.dim[0], K = ls.dim[1], counted = 0;
    const Attr *at = &n->attr;
    for (int64_t b = 0; b < N; b++) counted += !(at->has_ignore && labels[b] == at->ignore);
    double total = 0;
    for (int64_t b = 0; b < N; b++) {
        const double *row = logits + b * K;
        double mx = -INFINITY, sum = 0;
        for (int64_t k = 0; k < K; k++) mx = row[k] > mx ? row[k] : mx;
        for (int64_t k = 0; k < K; k++) sum += exp(row[k] - mx);
        double label = labels[b];
        bool valid = label >= 0 && label < (double)K && !(at->has_ignore && label == at->ignore);
        if (n->op == OP_SCE) {
            if (valid) total -= row[(int64_t)label] - mx - log(sum);
            continue;
        }
        for (int64_t k = 0; k < K; k++)
            y[b * K + k] = valid ? (exp(row[k] - mx) / sum - (k == (int64_t)label)) * dloss / (double)counted : 0;
    }
    if (n->op == OP_SCE) y[0] = total / (double)counted;
}

/* bce = mean of -(t*max(log p, -100) + (1-t)*max(log(1-p), -100)) (PyTorch);
 * bce_dx = dloss/n * (p - t) / max(p*(1-p), 1e-12) (PyTorch's backward). */
static void run_bce(const Node *n, int64_t count, const double *p, const double *t, double dloss, double *y) {
    double total = 0;
    for (int64_t i = 0; i < count; i++) {
        if (n->op == OP_BCE) {
            double lp = fmax(log(p[i]), -100), lq = fmax(log(1 - p[i]), -100);
            total -= t[i] * lp + (1 - t[i]) * lq;
        } else {
            /* PyTorch's epsilon is the float 1e-12f (9.99999996e-13), as in the kernels */
            y[i] = dloss / (double)count * (p[i] - t[i]) / fmax(p[i] * (1 - p[i]), (double)1e-12f);
        }
    }
    if (n->op == OP_BCE) y[0] = total / (double)count;
}

/* gather and its adjoint: rows of `row` values; element [s..., d...] of
 * the rows is table[ids[s...], d...].  gather_dx starts from zeros and adds
 * row s of dy to row ids[s], so a repeated id sums its rows.  An id outside
 * [0, V) never gets here (labels.c checks the ids first); were one to, its
 * row would be zeros (gather) or dropped (gather_dx), never read. */
static void run_gather(const Node *n, Shape ts, int64_t nids, const double *ids, const double *from, double *y) {
    int64_t V = ts.dim[0], row = shape_count(ts) / V;
    if (n->op == OP_GATHER_DX)
        for (int64_t i = 0; i < shape_count(ts); i++) y[i] = 0;
    for (int64_t s = 0; s < nids; s++) {
        bool valid = ids[s] >= 0 && ids[s] < (double)V;
        int64_t v = valid ? (int64_t)ids[s] : 0;
        for (int64_t d = 0; d < row; d++) {
            if (n->op == OP_GATHER) y[s * row + d] = valid ? from[v * row + d] : 0;
            else if (valid) y[v * row + d] += from[s * row + d];
        }
    }
}

/* A double as the nearest f32 would be in range: beyond the largest float
 * (with its rounding margin, 2^128 (1 - 2^-25)) it is an infinity, as exp(89)
 * is in f32, and at most half the smallest denormal (2^-150) it is a zero of
 * its sign, as exp(-104) is.  Precision stays double: only the range is f32's. */
static double f32_range(double v) {
    double m = fabs(v);
    if (m < 0x1.ffffffp127 && m > 0x1p-150) return v;
    if (m <= 0x1p-150) return copysign(0.0, v);
    return v != v ? v : v > 0 ? INFINITY : -INFINITY;
}

static void compute_node(Arena *a, const Graph *g, int id, double **val, TensorStore *s);

static void run_node(Arena *a, const Graph *g, int id, double **val, TensorStore *s) {
    compute_node(a, g, id, val, s);
    const Node *n = &g->nodes[id];
    if (n->dtype == DT_F32 && n->op != OP_STORE)
        for (int64_t i = 0; i < shape_count(n->shape); i++) val[id][i] = f32_range(val[id][i]);
}

static void compute_node(Arena *a, const Graph *g, int id, double **val, TensorStore *s) {
    const Node *n = &g->nodes[id];
    int64_t count = shape_count(n->shape);
    double *y = arena_alloc(a, sizeof(double) * (size_t)(count > 0 ? count : 1));
    val[id] = y;
    const Node *x0 = n->nin > 0 ? &g->nodes[n->in[0]] : NULL;
    const Node *x1 = n->nin > 1 ? &g->nodes[n->in[1]] : NULL;
    double *v0 = n->nin > 0 ? val[n->in[0]] : NULL, *v1 = n->nin > 1 ? val[n->in[1]] : NULL;
    int64_t idx[MAX_RANK];
    switch (op_info[n->op].cls) {
    case OC_UNARY:
        for (int64_t i = 0; i < count; i++) y[i] = op_scalar_unary(n->op, &n->attr, n->dtype, v0[i]);
        return;
    case OC_BINARY:
        for (int64_t i = 0; i < count; i++) {
            unravel(i, n->shape, idx);
            y[i] = op_scalar_binary(n->op, n->dtype, v0[broadcast_offset(n->shape, x0->shape, idx)],
                                    v1[broadcast_offset(n->shape, x1->shape, idx)]);
        }
        return;
    case OC_REDUCE:
        run_reduce(n, x0->shape, v0, y);
        return;
    case OC_LEAF: case OC_SHAPE: case OC_COMPLEX: case OC_EFFECT:
        break;
    }
    switch (n->op) {
    case OP_LOAD:
        memcpy(y, s->values[n->attr.tensor], sizeof(double) * (size_t)count);
        return;
    case OP_STORE:
        memcpy(s->values[n->attr.tensor], v0, sizeof(double) * (size_t)count);
        return;
    case OP_CONST:
        for (int64_t i = 0; i < count; i++) y[i] = n->attr.value;
        return;
    case OP_LITERAL:
        memcpy(y, n->attr.data, sizeof(double) * (size_t)count);
        return;
    case OP_RANDOM_MASK: {
        uint32_t key = (uint32_t)(int64_t)v0[0], step = (uint32_t)(int64_t)v0[1];
        double keep = 1 / (1 - n->attr.value);
        for (int64_t i = 0; i < count; i++)
            y[i] = dm_dropout_keep(key, step, n->attr.salt, (uint32_t)i, (float)n->attr.value) ? keep : 0;
        return;
    }
    case OP_RESHAPE:
        memcpy(y, v0, sizeof(double) * (size_t)count);
        return;
    case OP_TRAIN_SELECT:   /* only in graphs before the entries pass: the training forward and its copies */
        memcpy(y, v0, sizeof(double) * (size_t)count);
        return;
    case OP_TRANSPOSE:
        run_transpose(n, x0->shape, v0, y);
        return;
    case OP_BROADCAST:
        for (int64_t i = 0; i < count; i++) {
            unravel(i, n->shape, idx);
            y[i] = v0[broadcast_offset(n->shape, x0->shape, idx)];
        }
        return;
    case OP_SLICE: case OP_SLICE_DX:
        run_slice(n, x0->shape, v0, y);
        return;
    case OP_CONCAT:
        run_concat(n, g, val, y);
        return;
    case OP_MATMUL:
        run_matmul(n, x0->shape, v0, x1->shape, v1, y);
        return;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX:
        run_softmax(n, v0, y);
        return;
    case OP_LAYER_NORM:
        run_layer_norm(n, v0, NULL, y);
        return;
    case OP_LAYER_NORM_DX:   /* (x, dy) -> dx */
        run_layer_norm(n, v0, v1, y);
        return;
    case OP_CONV2D:      /* (x, w) -> y */
        run_conv(n->op, &n->attr, x0->shape, x1->shape, n->shape, v0, v1, y);
        return;
    case OP_CONV2D_DX:   /* (dy, w) -> dx */
        run_conv(n->op, &n->attr, n->shape, x1->shape, x0->shape, y, v1, v0);
        return;
    case OP_CONV2D_DW:   /* (x, dy) -> dw */
        run_conv(n->op, &n->attr, x0->shape, n->shape, x1->shape, v0, y, v1);
        return;
    case OP_MAXPOOL2D: case OP_AVGPOOL2D:
        run_pool(n->op, &n->attr, x0->shape, n->shape, v0, NULL, y);
        return;
    case OP_MAXPOOL2D_DX:   /* (x, dy) -> dx */
        run_pool(n->op, &n->attr, x0->shape, x1->shape, v0, y, v1);
        return;
    case OP_AVGPOOL2D_DX:   /* (dy) -> dx */
        run_pool(n->op, &n->attr, n->shape, x0->shape, NULL, y, v0);
        return;
    case OP_ONE_HOT: {
        int64_t K = n->attr.classes;
        for (int64_t i = 0; i < count / K; i++)
            for (int64_t k = 0; k < K; k++) y[i * K + k] = v0[i] == (double)k ? 1 : 0;
        return;
    }
    case OP_SCE: case OP_SCE_DX:
        run_sce(n, x0->shape, v0, v1, n->op == OP_SCE_DX ? val[n->in[2]][0] : 0, y);
        return;
    case OP_GATHER:      /* (table, ids) -> rows */
        run_gather(n, x0->shape, shape_count(x1->shape), v1, v0, y);
        return;
    case OP_GATHER_DX:   /* (dy, ids) -> dtable */
        run_gather(n, n->shape, shape_count(x1->shape), v1, v0, y);
        return;
    case OP_BCE: case OP_BCE_DX:
        run_bce(n, shape_count(x0->shape), v0, v1, n->op == OP_BCE_DX ? val[n->in[2]][0] : 0, y);
        return;
    case OP_SUM: case OP_MEAN: case OP_MAX:   /* by their class, above */
#define OP OP_NONE
#define OP_UNARY OP_CASE
#define OP_BINARY OP_CASE
#include "ir/ops.def"
        die("interp: %s is run by its class", op_info[n->op].name);
    }
}

/* DM_ERANGE, with the message in s->error, unless every one of the count
 * values v is a class index of l. */
static int check_label(Arena *a, const Label *l, const double *v, int64_t count, TensorStore *s) {
    for (int64_t i = 0; i < count; i++)
        if (!label_valid(l, v[i])) {
            s->error = label_message(a, l, i, (int32_t)fmax(fmin(v[i], INT32_MAX), INT32_MIN));
            return DM_ERANGE;
        }
    return 0;
}

int interp_run(Arena *a, const Model *m, const Graph *g, TensorStore *s) {
    if (s->model != m) die("interp: the store belongs to another model");
    s->error = NULL;
    Labels labels = graph_labels(a, m, g);
    for (int k = 0; k < labels.n; k++) {
        const Label *l = &labels.items[k];
        if (l->tensor >= 0 && check_label(a, l, s->values[l->tensor], shape_count(l->shape), s)) return DM_ERANGE;
    }
    double **val = arena_alloc(a, sizeof(double *) * (size_t)(g->n + 1));
    for (int i = 0; i < g->n; i++) {
        for (int k = 0; k < labels.n; k++) {
            const Label *l = &labels.items[k];
            if (l->tensor < 0 && l->reader == i && check_label(a, l, val[l->value], shape_count(l->shape), s))
                return DM_ERANGE;
        }
        if (g->nodes[i].op != OP_STORE) run_node(a, g, i, val, s);
    }
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_STORE) run_node(a, g, i, val, s);
    return 0;
}
