/* autodiff.c: reverse-mode differentiation of a model's training forward graph.
 *
 * Needs: m->forward as sema builds it (loads, the computation, a store of the
 * loss into m->loss_tensor and of every output), the builder of graph.c.
 * Guarantees: m->gradients is a copy of m->forward (same node ids, so every
 * forward value is still available) followed by the adjoints, one
 * hand-written vector-Jacobian product per op, emitted as ordinary IR nodes,
 * and a store of d loss / d p into a new TK_GRAD tensor "grad/<p>" for every
 * f32 parameter p (a zero constant when the loss does not depend on p).
 * Only nodes on a path from a parameter to the loss are differentiated.
 * Without a loss the model is left alone.
 *
 * Conventions where the derivative is not unique (see docs/autodiff.md):
 * relu, step, abs at 0 get the one-sided derivative 0 (STEP(0) = 0, SIGN(0) = 0);
 * maximum(a, b) and minimum(a, b) at a tie give each operand half (as
 * torch.maximum, torch.minimum); clip passes the gradient inside [lo, hi]
 * bounds included (as torch.clamp);
 * max over axes shares the gradient evenly among the tied maxima (as
 * torch.amax); maxpool2d routes to the first maximum of a window. */
#include "passes/passes.h"

#include <math.h>
#include <string.h>

typedef struct Backward {
    Arena *a;
    Model *m;
    Graph *g;
    int nforward;       /* ids below this are the forward copy */
    int *adjoint;       /* per forward node: the node holding d loss / d node, or -1 */
    bool *needs_grad;   /* per forward node: f32 and depends differentiably on a param */
} Backward;

/* ---- small builders --------------------------------------------------- */

static Shape node_shape(const Backward *b, int id) { return b->g->nodes[id].shape; }

static int ad_scalar(Backward *b, double v) { return graph_scalar(b->a, b->g, v); }
static int ad_add(Backward *b, int x, int y) { return graph_binary(b->a, b->g, OP_ADD, x, y); }
static int ad_sub(Backward *b, int x, int y) { return graph_binary(b->a, b->g, OP_SUB, x, y); }
static int ad_mul(Backward *b, int x, int y) { return graph_binary(b->a, b->g, OP_MUL, x, y); }
static int ad_div(Backward *b, int x, int y) { return graph_binary(b->a, b->g, OP_DIV, x, y); }
static int ad_neg(Backward *b, int x) { return graph_unary(b->a, b->g, OP_NEG, x); }

/* x's shape with the reduced axes kept as 1. */
static Shape keepdims_shape(Shape x, uint32_t axes) {
    for (int i = 0; i < x.rank; i++)
        if (axes & (1u << i)) x.dim[i] = 1;
    return x;
}

/* The adjoint of a value that was broadcast from `target` to dy's shape:
 * sum over the broadcast axes (keepdims), then reshape to target. */
static int sum_to_shape(Backward *b, int dy, Shape target) {
    Shape out = node_shape(b, dy);
    if (shape_eq(out, target)) return dy;
    int lead = out.rank - target.rank;
    uint32_t axes = 0;
    for (int i = 0; i < out.rank; i++) {
        int64_t td = i < lead ? 1 : target.dim[i - lead];
        if (td == 1 && out.dim[i] != 1) axes |= 1u << i;
    }
    int r = axes ? graph_reduce(b->a, b->g, OP_SUM, dy, axes, true) : dy;
    if (!shape_eq(node_shape(b, r), target)) r = graph_reshape(b->a, b->g, r, target);
    return r;
}

/* dy of a reduction over `axes` (shape with or without keepdims) as the
 * keepdims shape, ready to broadcast against the operand. */
static int as_keepdims(Backward *b, int dy, Shape x, uint32_t axes) {
    Shape k = keepdims_shape(x, axes);
    return shape_eq(node_shape(b, dy), k) ? dy : graph_reshape(b->a, b->g, dy, k);
}

/* Add `contribution` (already of the operand's shape) to operand's adjoint. */
static void accumulate(Backward *b, int operand, int contribution) {
    if (!b->needs_grad[operand]) return;
    if (!shape_eq(node_shape(b, contribution), node_shape(b, operand)))
        die("autodiff: adjoint of node %d has the wrong shape", operand);
    int *adj = &b->adjoint[operand];
    *adj = *adj < 0 ? contribution : ad_add(b, *adj, contribution);
}

/* Add a contribution that may still have the broadcast result's shape. */
static void accumulate_broadcast(Backward *b, int operand, int contribution) {
    if (!b->needs_grad[operand]) return;
    accumulate(b, operand, sum_to_shape(b, contribution, node_shape(b, operand)));
}

static int shaped(Backward *b, Op op, const int *in, int nin, Attr attr, Shape s) {
    return graph_node_shaped(b->a, b->g, op, in, nin, attr, DT_F32, s);
}

/* ---- which nodes carry a gradient ---------------------------------------- */

/* Whether the op passes a (generally non-zero) derivative to operand k.
 * Piecewise-constant ops (step, sign, comparisons), integer data, random
 * masks and one_hot carry none. */
static bool op_differentiable_in(const Model *m, const Graph *g, const Node *n, int k) {
    if (n->dtype != DT_F32 || g->nodes[n->in[k]].dtype != DT_F32) return false;
    switch (n->op) {
    case OP_LOAD: case OP_CONST: case OP_LITERAL: case OP_RANDOM_MASK: case OP_ONE_HOT:
    case OP_STEP: case OP_SIGN: case OP_EQ: case OP_GT: case OP_GE: case OP_NE: case OP_RELU_DX: case OP_STORE:
    case OP_GELU_DX: case OP_GELU_TANH_DX:
    case OP_CONV2D_DX: case OP_CONV2D_DW: case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D_DX:
    case OP_SCE_DX: case OP_BCE_DX: case OP_GATHER_DX: case OP_LAYER_NORM_DX:
        return false;
    case OP_SCE: case OP_GATHER:
        return k == 0;
    case OP_TRAIN_SELECT:   /* the training choice: the other one is the forward entry's */
        return k == 0;
    case OP_KEEP:   /* keep(mask, y): to y only */
        return k == 1;
    case OP_NEG: case OP_RELU: case OP_LEAKY_RELU: case OP_SIGMOID: case OP_TANH: case OP_EXP: case OP_LOG:
    case OP_SQRT: case OP_ABS: case OP_SOFTPLUS: case OP_CAST: case OP_ERF: case OP_CLIP: case OP_GELU: case OP_GELU_TANH:
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_POW: case OP_MAXIMUM: case OP_MINIMUM:
    case OP_SUM: case OP_MEAN: case OP_MAX: case OP_RESHAPE: case OP_TRANSPOSE: case OP_BROADCAST:
    case OP_SLICE: case OP_SLICE_DX: case OP_CONCAT:
    case OP_MATMUL: case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_CONV2D: case OP_MAXPOOL2D: case OP_AVGPOOL2D:
    case OP_BCE: case OP_LAYER_NORM:
        return true;
    }
    die("autodiff: bad op %d", (int)n->op);
}

static void mark_needs_grad(Backward *b) {
    const Graph *g = b->g;
    for (int i = 0; i < b->nforward; i++) {
        const Node *n = &g->nodes[i];
        bool need = false;
        if (n->op == OP_LOAD)
            need = b->m->tensors[n->attr.tensor].kind == TK_PARAM && n->dtype == DT_F32;
        for (int k = 0; k < n->nin && !need; k++)
            need = b->needs_grad[n->in[k]] && op_differentiable_in(b->m, g, n, k);
        b->needs_grad[i] = need;
    }
}

/* ---- the adjoints, by op family ------------------------------------------ */

static void adjoint_unary(Backward *b, int id, Node n, int dy) {
    int x = n.in[0], d = -1;   /* set by every case that does not die */
    switch (n.op) {
    case OP_NEG: d = ad_neg(b, dy); break;
    /* From the output, as PyTorch (relu_dx: dy unless relu(x) <= 0, so a
     * NaN passes dy): reading the output lets the pre-activation die in the
     * forward pass (it fuses into relu's loop and is never stored). */
    case OP_RELU: d = graph_binary(b->a, b->g, OP_RELU_DX, dy, id); break;
    case OP_LEAKY_RELU: {   /* slope 1 where x > 0, alpha elsewhere: step*(1-alpha)+alpha */
        double alpha = n.attr.value;
        int slope = ad_add(b, ad_mul(b, graph_unary(b->a, b->g, OP_STEP, x), ad_scalar(b, 1 - alpha)),
                           ad_scalar(b, alpha));
        d = ad_mul(b, dy, slope);
        break;
    }
    case OP_SIGMOID: d = ad_mul(b, ad_mul(b, dy, id), ad_sub(b, ad_scalar(b, 1), id)); break;
    case OP_TANH: d = ad_mul(b, dy, ad_sub(b, ad_scalar(b, 1), ad_mul(b, id, id))); break;
    case OP_EXP: d = ad_mul(b, dy, id); break;
    case OP_LOG: d = ad_div(b, dy, x); break;
    case OP_SQRT: d = ad_div(b, dy, ad_mul(b, ad_scalar(b, 2), id)); break;
    case OP_ABS: d = ad_mul(b, dy, graph_unary(b->a, b->g, OP_SIGN, x)); break;
    case OP_SOFTPLUS: {   /* slope sigmoid(beta x), 1 where beta x > threshold: s + step(bx - t) (1 - s) */
        int bx = ad_mul(b, x, ad_scalar(b, n.attr.value));
        int s = graph_unary(b->a, b->g, OP_SIGMOID, bx);
        int over = graph_unary(b->a, b->g, OP_STEP, ad_sub(b, bx, ad_scalar(b, n.attr.value2)));
        d = ad_mul(b, dy, ad_add(b, s, ad_mul(b, over, ad_sub(b, ad_scalar(b, 1), s))));
        break;
    }
    case OP_CAST: d = dy; break;   /* f32 -> f32 only: other casts carry no gradient */
    case OP_ERF: {   /* 2 / sqrt(pi) exp(-x^2) */
        int g = graph_unary(b->a, b->g, OP_EXP, ad_neg(b, ad_mul(b, x, x)));
        d = ad_mul(b, dy, ad_mul(b, g, ad_scalar(b, 1.1283791670955126)));
        break;
    }
    case OP_CLIP: {   /* 1 where lo <= x <= hi (a NaN gets 0), as torch.clamp; an infinite bound always holds */
        int inside = -1;
        if (n.attr.value > -INFINITY) inside = graph_binary(b->a, b->g, OP_GE, x, ad_scalar(b, n.attr.value));
        if (n.attr.value2 < INFINITY) {
            int below = graph_binary(b->a, b->g, OP_GE, ad_scalar(b, n.attr.value2), x);
            inside = inside < 0 ? below : ad_mul(b, inside, below);
        }
        d = inside < 0 ? dy : ad_mul(b, dy, inside);
        break;
    }
    /* From the pre-activation alone (as PyTorch's GeluBackward): the backward
     * reads x and dy, nothing else of the forward pass. */
    case OP_GELU: d = graph_binary(b->a, b->g, OP_GELU_DX, dy, x); break;
    case OP_GELU_TANH: d = graph_binary(b->a, b->g, OP_GELU_TANH_DX, dy, x); break;
    case OP_STEP: case OP_SIGN: die("autodiff: %s carries no gradient", op_info[n.op].name);
#define OP OP_CASE
#define OP_UNARY OP_NONE
#include "ir/ops.def"
        die("autodiff: %s is not unary", op_info[n.op].name);
    }
    accumulate(b, x, d);
}

/* maximum(x, y) (minimum: the comparison turned round): dy to the larger
 * operand, half to each at a tie, as torch.maximum and torch.minimum. */
static void adjoint_extremum(Backward *b, Node n, int dy) {
    int x = n.in[0], y = n.in[1];
    bool max = n.op == OP_MAXIMUM;
    int half_tie = ad_mul(b, graph_binary(b->a, b->g, OP_EQ, x, y), ad_scalar(b, 0.5));
    if (b->needs_grad[x]) {
        int to_x = ad_add(b, graph_binary(b->a, b->g, OP_GT, max ? x : y, max ? y : x), half_tie);
        accumulate_broadcast(b, x, ad_mul(b, dy, to_x));
    }
    if (b->needs_grad[y]) {
        int to_y = ad_add(b, graph_binary(b->a, b->g, OP_GT, max ? y : x, max ? x : y), half_tie);
        accumulate_broadcast(b, y, ad_mul(b, dy, to_y));
    }
}

static void adjoint_binary(Backward *b, int id, Node n, int dy) {
    int x = n.in[0], y = n.in[1];
    bool gx = b->needs_grad[x], gy = b->needs_grad[y];
    switch (n.op) {
    case OP_ADD:
        if (gx) accumulate_broadcast(b, x, dy);
        if (gy) accumulate_broadcast(b, y, dy);
        break;
    case OP_SUB:
        if (gx) accumulate_broadcast(b, x, dy);
        if (gy) accumulate_broadcast(b, y, ad_neg(b, dy));
        break;
    case OP_MUL:
        if (gx) accumulate_broadcast(b, x, ad_mul(b, dy, y));
        if (gy) accumulate_broadcast(b, y, ad_mul(b, dy, x));
        break;
    case OP_DIV:   /* z = x / y: dx = dy / y, dy_ = -dy * x / y^2 = -dy * z / y */
        if (gx) accumulate_broadcast(b, x, ad_div(b, dy, y));
        if (gy) accumulate_broadcast(b, y, ad_neg(b, ad_div(b, ad_mul(b, dy, id), y)));
        break;
    case OP_POW:   /* z = x^y: dx = dy * y * x^(y-1), dy_ = dy * z * log x */
        if (gx) {
            int xm1 = graph_binary(b->a, b->g, OP_POW, x, ad_sub(b, y, ad_scalar(b, 1)));
            accumulate_broadcast(b, x, ad_mul(b, ad_mul(b, dy, y), xm1));
        }
        if (gy) {
            int lx = graph_unary(b->a, b->g, OP_LOG, x);
            accumulate_broadcast(b, y, ad_mul(b, ad_mul(b, dy, id), lx));
        }
        break;
    case OP_MAXIMUM: case OP_MINIMUM:   /* to the extreme operand; a tie gives each half */
        adjoint_extremum(b, n, dy);
        break;
    case OP_KEEP:   /* keep(mask, y): dy where the mask holds */
        accumulate_broadcast(b, y, graph_binary(b->a, b->g, OP_KEEP, x, dy));
        break;
#define OP OP_CASE
#define OP_BINARY OP_NONE
#include "ir/ops.def"
        die("autodiff: %s is not binary", op_info[n.op].name);
    case OP_EQ: case OP_GT: case OP_GE: case OP_NE: case OP_RELU_DX: case OP_GELU_DX: case OP_GELU_TANH_DX:
        die("autodiff: %s carries no gradient", op_info[n.op].name);
    }
}

static void adjoint_reduce(Backward *b, int id, Node n, int dy) {
    int x = n.in[0];
    Shape xs = node_shape(b, x);
    uint32_t axes = n.attr.axes;
    int dyk = as_keepdims(b, dy, xs, axes), d = -1;
    switch (n.op) {
    case OP_SUM:
        d = graph_broadcast(b->a, b->g, dyk, xs);
        break;
    case OP_MEAN: {
        int64_t count = 1;
        for (int i = 0; i < xs.rank; i++)
            if (axes & (1u << i)) count *= xs.dim[i];
        d = graph_broadcast(b->a, b->g, ad_div(b, dyk, ad_scalar(b, (double)count)), xs);
        break;
    }
    case OP_MAX: {   /* as torch.amax: dy shared evenly among the elements equal to the max */
        int mk = as_keepdims(b, id, xs, axes);
        int mask = graph_binary(b->a, b->g, OP_EQ, x, mk);
        int ties = graph_reduce(b->a, b->g, OP_SUM, mask, axes, true);
        d = ad_mul(b, mask, ad_div(b, dyk, ties));
        break;
    }
#define OP OP_CASE
#define OP_REDUCE OP_NONE
#include "ir/ops.def"
        die("autodiff: %s is not a reduction", op_info[n.op].name);
    }
    accumulate(b, x, d);
}

static void adjoint_shape(Backward *b, Node n, int dy) {
    int x = n.in[0];
    Shape xs = node_shape(b, x);
    switch (n.op) {
    case OP_RESHAPE: accumulate(b, x, graph_reshape(b->a, b->g, dy, xs)); break;
    case OP_TRANSPOSE: {
        int inverse[MAX_RANK];
        for (int i = 0; i < xs.rank; i++) inverse[n.attr.perm[i]] = i;
        accumulate(b, x, graph_transpose(b->a, b->g, dy, inverse));
        break;
    }
    case OP_BROADCAST: accumulate_broadcast(b, x, dy); break;
    /* A slice's gradient is dy scattered into zeros of x's shape, and the
     * reverse: slice_dx is linear, its adjoint the slice it undoes. */
    case OP_SLICE:
        if (b->needs_grad[x]) accumulate(b, x, graph_slice_dx(b->a, b->g, dy, n.attr.start, n.attr.step, xs));
        break;
    case OP_SLICE_DX:
        if (b->needs_grad[x]) accumulate(b, x, graph_slice(b->a, b->g, dy, n.attr.start, n.attr.step, xs));
        break;
    case OP_CONCAT: {   /* each operand's gradient: its part of dy along the axis */
        int start[MAX_RANK] = {0}, step[MAX_RANK];
        for (int d = 0; d < MAX_RANK; d++) step[d] = 1;
        for (int k = 0; k < n.nin; k++) {
            Shape part = node_shape(b, n.in[k]);
            if (b->needs_grad[n.in[k]])
                accumulate(b, n.in[k], graph_slice(b->a, b->g, dy, start, step, part));
            start[n.attr.axis] += (int)part.dim[n.attr.axis];
        }
        break;
    }
#define OP OP_CASE
#define OP_SHAPE OP_NONE
#include "ir/ops.def"
        die("autodiff: %s does not move data", op_info[n.op].name);
    }
}

/* dB of a batched C = A @ op_b(B) where B is one matrix for the whole batch
 * and A's matrices are all distinct (x [B, T, C] @ W [C, D]): the sum over
 * the batch of A_p^T dC_p is a single product over every row of the batch,
 * A [P M, K]^T dC [P M, N] (dC^T A for a transposed B), not P products and
 * a sum.  -1 where the shapes do not allow it. */
static int shared_matrix_grad(Backward *b, Node n, int dc) {
    int A = n.in[0], B = n.in[1];
    Shape as = node_shape(b, A), bs = node_shape(b, B), cs = n.shape;
    if (n.attr.trans_a || cs.rank == 2 || shape_matrices(bs) != 1 || shape_matrices(as) != shape_matrices(cs))
        return -1;
    int64_t rows = shape_matrices(cs) * cs.dim[cs.rank - 2];
    int a2 = graph_reshape(b->a, b->g, A, (Shape){.rank = 2, .dim = {rows, as.dim[as.rank - 1]}});
    int dc2 = graph_reshape(b->a, b->g, dc, (Shape){.rank = 2, .dim = {rows, cs.dim[cs.rank - 1]}});
    int d = n.attr.trans_b ? graph_matmul(b->a, b->g, dc2, a2, true, false)    /* dC^T A */
                           : graph_matmul(b->a, b->g, a2, dc2, true, false);   /* A^T dC */
    return shape_eq(node_shape(b, d), bs) ? d : graph_reshape(b->a, b->g, d, bs);
}

/* C = op_a(A) op_b(B) with op = transpose (of the last two axes) where the
 * flag is set.  With X = op_a(A), Y = op_b(B): dX = dC Y^T, dY = X^T dC, and
 * a transposed operand's adjoint is the transpose of that, all written with
 * trans flags.  In a batch these hold product by product; an operand
 * broadcast over batch axes sums its adjoint over them.
 * The parameter side first: the input side's adjoint then comes right
 * before the adjoint of whatever produced the input (typically an
 * activation's mask), which can then run as the product's epilogue. */
static void adjoint_matmul(Backward *b, Node n, int dc) {
    int A = n.in[0], B = n.in[1];
    bool ta = n.attr.trans_a, tb = n.attr.trans_b;
    if (b->needs_grad[B]) {
        int dB = shared_matrix_grad(b, n, dc);
        if (dB < 0)
            dB = tb ? graph_matmul(b->a, b->g, dc, A, true, ta)      /* dB = dC^T X */
                    : graph_matmul(b->a, b->g, A, dc, !ta, false);   /* dB = X^T dC */
        accumulate_broadcast(b, B, dB);
    }
    if (b->needs_grad[A]) {
        int dA = ta ? graph_matmul(b->a, b->g, B, dc, tb, true)     /* dA = Y dC^T */
                    : graph_matmul(b->a, b->g, dc, B, false, !tb);  /* dA = dC Y^T */
        accumulate_broadcast(b, A, dA);
    }
}

static void adjoint_complex(Backward *b, int id, Node n, int dy) {
    int x = n.in[0];
    switch (n.op) {
    case OP_MATMUL: adjoint_matmul(b, n, dy); return;
    case OP_TRAIN_SELECT: accumulate(b, x, dy); return;
    case OP_SOFTMAX: {   /* s * (dy - sum(dy * s, axis)) */
        int dot = graph_reduce(b->a, b->g, OP_SUM, ad_mul(b, dy, id), 1u << n.attr.axis, true);
        accumulate(b, x, ad_mul(b, id, ad_sub(b, dy, dot)));
        return;
    }
    case OP_LOG_SOFTMAX: {   /* dy - exp(out) * sum(dy, axis) */
        int total = graph_reduce(b->a, b->g, OP_SUM, dy, 1u << n.attr.axis, true);
        int soft = graph_unary(b->a, b->g, OP_EXP, id);
        accumulate(b, x, ad_sub(b, dy, ad_mul(b, soft, total)));
        return;
    }
    case OP_LAYER_NORM: {   /* from x and dy alone: the kernel recomputes the row's mean and variance */
        int in[2] = {x, dy};
        accumulate(b, x, graph_node(b->a, b->g, OP_LAYER_NORM_DX, in, 2, n.attr));
        return;
    }
    case OP_CONV2D: {   /* the weights first, as for matmul */
        int w = n.in[1];
        if (b->needs_grad[w]) {
            int in[2] = {x, dy};
            accumulate(b, w, shaped(b, OP_CONV2D_DW, in, 2, n.attr, node_shape(b, w)));
        }
        if (b->needs_grad[x]) {
            int in[2] = {dy, w};
            accumulate(b, x, shaped(b, OP_CONV2D_DX, in, 2, n.attr, node_shape(b, x)));
        }
        return;
    }
    case OP_MAXPOOL2D: {
        int in[2] = {x, dy};
        accumulate(b, x, graph_node(b->a, b->g, OP_MAXPOOL2D_DX, in, 2, n.attr));
        return;
    }
    case OP_AVGPOOL2D:
        accumulate(b, x, shaped(b, OP_AVGPOOL2D_DX, &dy, 1, n.attr, node_shape(b, x)));
        return;
    case OP_SCE: {
        int in[3] = {x, n.in[1], dy};
        accumulate(b, x, graph_node(b->a, b->g, OP_SCE_DX, in, 3, n.attr));
        return;
    }
    case OP_GATHER: {   /* a scatter-add of dy's rows into a zero table: repeated ids sum */
        int in[2] = {dy, n.in[1]};
        accumulate(b, x, shaped(b, OP_GATHER_DX, in, 2, n.attr, node_shape(b, x)));
        return;
    }
    case OP_BCE: {
        int t = n.in[1];
        if (b->needs_grad[x]) {
            int in[3] = {x, t, dy};
            accumulate(b, x, graph_node(b->a, b->g, OP_BCE_DX, in, 3, n.attr));
        }
        if (b->needs_grad[t]) {
            /* d/dt mean(-(t log p + (1-t) log(1-p))) = (log(1-p) - log p) / count,
             * with the logs clamped at -100 as in the forward */
            int floor = ad_scalar(b, -100);
            int lp = graph_binary(b->a, b->g, OP_MAXIMUM, graph_unary(b->a, b->g, OP_LOG, x), floor);
            int lq = graph_binary(b->a, b->g, OP_MAXIMUM,
                                  graph_unary(b->a, b->g, OP_LOG, ad_sub(b, ad_scalar(b, 1), x)), floor);
            double count = (double)shape_count(node_shape(b, x));
            int scale = ad_div(b, dy, ad_scalar(b, count));
            accumulate_broadcast(b, t, ad_mul(b, ad_sub(b, lq, lp), scale));
        }
        return;
    }
    /* the adjoints' own ops and the random masks carry no gradient (op_differentiable_in) */
    case OP_RANDOM_MASK: case OP_ONE_HOT: case OP_CONV2D_DX: case OP_CONV2D_DW: case OP_MAXPOOL2D_DX:
    case OP_AVGPOOL2D_DX: case OP_SCE_DX: case OP_BCE_DX: case OP_GATHER_DX: case OP_LAYER_NORM_DX:
        die("autodiff: no adjoint for %s", op_info[n.op].name);
#define OP OP_CASE
#define OP_COMPLEX OP_NONE
#include "ir/ops.def"
        die("autodiff: %s is not a complex op", op_info[n.op].name);
    }
}

/* Propagate the adjoint of node id to its operands. */
static void adjoint_of(Backward *b, int id) {
    Node n = b->g->nodes[id];   /* a copy: building may move the node array */
    int dy = b->adjoint[id];
    switch (op_info[n.op].cls) {
    case OC_UNARY: adjoint_unary(b, id, n, dy); break;
    case OC_BINARY: adjoint_binary(b, id, n, dy); break;
    case OC_REDUCE: adjoint_reduce(b, id, n, dy); break;
    case OC_SHAPE: adjoint_shape(b, n, dy); break;
    case OC_COMPLEX: adjoint_complex(b, id, n, dy); break;
    case OC_LEAF: case OC_EFFECT: break;
    }
}

/* ---- the pass ------------------------------------------------------------- */

static int find_store(const Graph *g, int tensor) {
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_STORE && g->nodes[i].attr.tensor == tensor) return i;
    return -1;
}

void autodiff_model(Arena *a, Model *m) {
    graph_init(&m->gradients, "gradients");
    if (m->loss_tensor < 0) return;
    int loss_store = find_store(&m->forward, m->loss_tensor);
    if (loss_store < 0) die("autodiff: model %s stores no loss", m->name);

    Graph *g = &m->gradients;
    graph_copy(a, g, &m->forward);
    g->entry = "gradients";
    Backward b = {.a = a, .m = m, .g = g, .nforward = g->n};
    b.adjoint = arena_alloc(a, sizeof(int) * (size_t)g->n);
    b.needs_grad = arena_alloc(a, sizeof(bool) * (size_t)g->n);
    for (int i = 0; i < g->n; i++) b.adjoint[i] = -1;
    mark_needs_grad(&b);

    int loss = g->nodes[loss_store].in[0];
    if (b.needs_grad[loss]) {
        b.adjoint[loss] = graph_const(a, g, 1.0, DT_F32, node_shape(&b, loss));
        for (int i = loss; i >= 0; i--) {
            if (b.adjoint[i] < 0) continue;
            int first = g->n;
            adjoint_of(&b, i);
            for (int k = first; k < g->n; k++) g->nodes[k].loc = g->nodes[i].loc;
        }
    }

    /* One gradient tensor per f32 parameter, the adjoints of its loads summed. */
    int nparams = m->ntensors;
    for (int p = 0; p < nparams; p++) {
        if (m->tensors[p].kind != TK_PARAM || m->tensors[p].dtype != DT_F32) continue;
        Tensor param = m->tensors[p];
        Tensor grad = {.name = arena_printf(a, "grad/%s", param.name), .kind = TK_GRAD,
                       .dtype = DT_F32, .shape = param.shape, .init = {.kind = INIT_ZEROS},
                       .param = p, .loc = param.loc};
        int t = model_add_tensor(a, m, grad);
        int first = g->n, sum = -1;
        for (int i = 0; i < b.nforward; i++) {
            const Node *n = &g->nodes[i];
            if (n->op != OP_LOAD || n->attr.tensor != p || b.adjoint[i] < 0) continue;
            sum = sum < 0 ? b.adjoint[i] : ad_add(&b, sum, b.adjoint[i]);
        }
        if (sum < 0) sum = graph_const(a, g, 0.0, DT_F32, param.shape);
        graph_store(a, g, t, sum);
        for (int k = first; k < g->n; k++) g->nodes[k].loc = param.loc;
    }
}
