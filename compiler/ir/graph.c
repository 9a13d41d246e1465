/* graph.c: the graph IR builder and the type rule of every op.
 *
 * Needs: shape.c (the shape rules).  Guarantees: every node a constructor
 * appends has its dtype and shape computed from its operands and attributes
 * by graph_infer (the same function the verifier re-runs), operands with
 * smaller ids, and the arity of ops.def.  Invalid operands are a compiler bug
 * (sema reports the user's mistakes first): the builder die()s. */
#include "ir/ir.h"

#include <string.h>

void graph_init(Graph *g, const char *entry) {
    *g = (Graph){.entry = entry};
}

int graph_add(Arena *a, Graph *g, Node n) {
    VEC_PUSH(a, g->nodes, g->n, g->cap, n);
    return g->n - 1;
}

/* Ops whose result shape (or dtype) is not derivable from the operands: the
 * caller gives it, and graph_infer checks it against the operands. */
bool op_is_shaped(Op op) {
    if (op == OP_CAST) return true;   /* to the dtype given; the other elementwise ops: below */
    switch (op) {
    case OP_CONST: case OP_LITERAL: case OP_RESHAPE: case OP_BROADCAST:
    case OP_RANDOM_MASK: case OP_CONV2D_DX: case OP_CONV2D_DW: case OP_AVGPOOL2D_DX:
    case OP_GATHER_DX:
    case OP_SLICE: case OP_SLICE_DX:
        return true;
    case OP_LOAD: case OP_STORE: case OP_TRANSPOSE: case OP_CONCAT:
    case OP_MATMUL: case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_CONV2D: case OP_MAXPOOL2D:
    case OP_LAYER_NORM: case OP_LAYER_NORM_DX:
    case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D: case OP_ONE_HOT: case OP_SCE: case OP_SCE_DX: case OP_BCE:
    case OP_BCE_DX: case OP_GATHER: case OP_TRAIN_SELECT:
#define OP OP_NONE
#define OP_UNARY OP_CASE
#define OP_BINARY OP_CASE
#define OP_REDUCE OP_CASE
#include "ir/ops.def"
        return false;
    }
    die("op_is_shaped: bad op %d", (int)op);
}

static bool dtype_is_number(DType t) { return t == DT_F32 || t == DT_I32; }

/* Whether the unary op is defined on i32 (the rest need f32). */
static bool unary_takes_i32(Op op) { return op_info[op].i32; }

static bool binary_takes_i32(Op op) { return op_info[op].i32; }

static bool perm_valid(const int *perm, int rank) {
    bool seen[MAX_RANK] = {0};
    for (int i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) return false;
        seen[perm[i]] = true;
    }
    return true;
}

/* The type rule of every class but the complex ops (whose rules are by op). */
static const char *infer_by_class(const Model *m, const Node *n, const Node *const *x, DType *t, Shape *s) {
    const Attr *at = &n->attr;
    switch (op_info[n->op].cls) {
    case OC_LEAF:
        if (n->op == OP_LOAD) {
            if (!m) { *t = n->dtype; *s = n->shape; return NULL; }
            if (at->tensor < 0 || at->tensor >= m->ntensors) return "load of a tensor that does not exist";
            *t = m->tensors[at->tensor].dtype;
            *s = m->tensors[at->tensor].shape;
            return NULL;
        }
        if (!dtype_is_number(n->dtype)) return "constant of a non-numeric dtype";
        if (n->op == OP_LITERAL && !at->data && shape_count(n->shape) > 0) return "literal without data";
        *t = n->dtype;
        *s = n->shape;
        return NULL;
    case OC_UNARY:
        if (n->op == OP_CAST) {
            if (!dtype_is_number(n->dtype) || !dtype_is_number(x[0]->dtype)) return "cast of a non-number";
            *t = n->dtype;
        } else {
            if (x[0]->dtype != DT_F32 && !(x[0]->dtype == DT_I32 && unary_takes_i32(n->op)))
                return "unary op on an operand of the wrong dtype";
            *t = x[0]->dtype;
        }
        *s = x[0]->shape;
        return NULL;
    case OC_BINARY:
        if (x[0]->dtype != x[1]->dtype) return "binary op on operands of different dtypes";
        if (x[0]->dtype != DT_F32 && !(x[0]->dtype == DT_I32 && binary_takes_i32(n->op)))
            return "binary op on operands of the wrong dtype";
        if (!shape_broadcast(x[0]->shape, x[1]->shape, s)) return "operand shapes do not broadcast";
        *t = x[0]->dtype;
        return NULL;
    case OC_REDUCE:
        if (!dtype_is_number(x[0]->dtype) || (n->op == OP_MEAN && x[0]->dtype != DT_F32))
            return "reduction of the wrong dtype";
        if (!shape_reduce(x[0]->shape, at->axes, at->keepdims, s)) return "reduction axis out of range";
        *t = x[0]->dtype;
        return NULL;
    case OC_SHAPE:
        *t = x[0]->dtype;
        if (n->op == OP_RESHAPE) {
            if (shape_count(n->shape) != shape_count(x[0]->shape)) return "reshape changes the element count";
            *s = n->shape;
        } else if (n->op == OP_BROADCAST) {
            Shape b;
            if (!shape_broadcast(x[0]->shape, n->shape, &b) || !shape_eq(b, n->shape))
                return "operand does not broadcast to the result shape";
            *s = n->shape;
        } else if (n->op == OP_SLICE) {
            if (!shape_slice_fits(x[0]->shape, at->start, at->step, n->shape)) return "the box is not inside the operand";
            *s = n->shape;
        } else if (n->op == OP_SLICE_DX) {
            if (!shape_slice_fits(n->shape, at->start, at->step, x[0]->shape))
                return "slice_dx: the operand is not a slice of the result";
            *s = n->shape;
        } else if (n->op == OP_CONCAT) {
            Shape xs[NODE_MAX_IN];
            for (int i = 0; i < n->nin; i++) {
                if (x[i]->dtype != x[0]->dtype) return "concat of operands of different dtypes";
                xs[i] = x[i]->shape;
            }
            if (!shape_concat(xs, n->nin, at->axis, s)) return "concat shapes do not agree";
        } else {   /* OP_TRANSPOSE */
            if (!perm_valid(at->perm, x[0]->shape.rank)) return "transpose with an invalid permutation";
            *s = (Shape){.rank = x[0]->shape.rank};
            for (int i = 0; i < s->rank; i++) s->dim[i] = x[0]->shape.dim[at->perm[i]];
        }
        return NULL;
    case OC_EFFECT:   /* OP_STORE: the stored value's type */
        if (m) {
            if (at->tensor < 0 || at->tensor >= m->ntensors) return "store to a tensor that does not exist";
            const Tensor *tt = &m->tensors[at->tensor];
            if (tt->kind == TK_INPUT) return "store to an input";
            if (tt->dtype != x[0]->dtype || !shape_eq(tt->shape, x[0]->shape))
                return "stored value's type differs from the tensor's";
        }
        *t = x[0]->dtype;
        *s = x[0]->shape;
        return NULL;
    case OC_COMPLEX:
        break;
    }
    die("infer_by_class: %s is complex", op_info[n->op].name);
}

/* The type rule of a complex op (matmul, convolution, pooling, losses ...). */
static const char *infer_complex(const Node *n, const Node *const *x, DType *t, Shape *s) {
    const Attr *at = &n->attr;
    for (int i = 0; i < n->nin; i++)
        if (x[i]->dtype != DT_F32 &&
            !((n->op == OP_SCE || n->op == OP_SCE_DX || n->op == OP_GATHER || n->op == OP_GATHER_DX) && i == 1) &&
            n->op != OP_ONE_HOT && n->op != OP_RANDOM_MASK && n->op != OP_TRAIN_SELECT)
            return "operand is not f32";
    *t = DT_F32;
    Shape tmp;
    switch (n->op) {
    case OP_TRAIN_SELECT:
        if (!shape_eq(x[0]->shape, x[1]->shape) || x[0]->dtype != x[1]->dtype)
            return "train_select: the two choices differ in type";
        *t = x[0]->dtype;
        *s = x[0]->shape;
        return NULL;
    case OP_RANDOM_MASK:
        if (x[0]->dtype != DT_I32 || x[0]->shape.rank != 1 || x[0]->shape.dim[0] != 2)
            return "random_mask state is not i32[2]";
        if (n->dtype != DT_F32) return "random_mask result is not f32";
        if (!(at->value >= 0 && at->value < 1)) return "random_mask rate outside [0, 1)";
        *s = n->shape;
        return NULL;
    case OP_MATMUL: {
        Shape a = x[0]->shape, b = x[1]->shape;
        if (a.rank < 2 || b.rank < 2) return "matmul operands are not matrices (rank 2 or more)";
        if (!shape_matmul(a, b, at->trans_a, at->trans_b, s))
            return a.dim[a.rank - (at->trans_a ? 2 : 1)] != b.dim[b.rank - (at->trans_b ? 1 : 2)]
                       ? "matmul shapes do not agree"
                       : "matmul batch axes do not broadcast";
        return NULL;
    }
    case OP_SOFTMAX: case OP_LOG_SOFTMAX:
        if (at->axis < 0 || at->axis >= x[0]->shape.rank) return "softmax axis out of range";
        *s = x[0]->shape;
        return NULL;
    case OP_LAYER_NORM: case OP_LAYER_NORM_DX:   /* (x) -> y; (x, dy) -> dx */
        if (x[0]->dtype != DT_F32 || (n->op == OP_LAYER_NORM_DX && x[1]->dtype != DT_F32))
            return "layer_norm needs f32";
        if (at->axis < 0 || at->axis >= x[0]->shape.rank) return "layer_norm axis out of range";
        if (!(at->value >= 0)) return "layer_norm eps is not a number >= 0";
        if (n->op == OP_LAYER_NORM_DX && !shape_eq(x[0]->shape, x[1]->shape)) return "layer_norm_dx: dy is not x's shape";
        *s = x[0]->shape;
        return NULL;
    case OP_CONV2D:
        if (!shape_conv2d(x[0]->shape, x[1]->shape, at->stride, at->pad, s)) return "conv2d shapes do not agree";
        return NULL;
    case OP_CONV2D_DX:   /* (dy, w) -> dx of the node's shape */
        if (!shape_conv2d(n->shape, x[1]->shape, at->stride, at->pad, &tmp) || !shape_eq(tmp, x[0]->shape))
            return "conv2d_dx: conv2d(result, w) is not dy's shape";
        *s = n->shape;
        return NULL;
    case OP_CONV2D_DW:   /* (x, dy) -> dw of the node's shape */
        if (!shape_conv2d(x[0]->shape, n->shape, at->stride, at->pad, &tmp) || !shape_eq(tmp, x[1]->shape))
            return "conv2d_dw: conv2d(x, result) is not dy's shape";
        *s = n->shape;
        return NULL;
    case OP_MAXPOOL2D: case OP_AVGPOOL2D:
        if (!shape_pool2d(x[0]->shape, at->size, at->stride, s)) return "pooling window does not fit";
        return NULL;
    case OP_MAXPOOL2D_DX:   /* (x, dy) -> dx, x's shape */
        if (!shape_pool2d(x[0]->shape, at->size, at->stride, &tmp) || !shape_eq(tmp, x[1]->shape))
            return "maxpool2d_dx: dy is not the pooled shape of x";
        *s = x[0]->shape;
        return NULL;
    case OP_AVGPOOL2D_DX:   /* (dy) -> dx of the node's shape */
        if (!shape_pool2d(n->shape, at->size, at->stride, &tmp) || !shape_eq(tmp, x[0]->shape))
            return "avgpool2d_dx: dy is not the pooled shape of the result";
        *s = n->shape;
        return NULL;
    case OP_ONE_HOT:
        if (x[0]->dtype != DT_I32) return "one_hot of non-i32 labels";
        if (at->classes < 1 || x[0]->shape.rank >= MAX_RANK) return "one_hot with no classes or too high a rank";
        *s = x[0]->shape;
        s->dim[s->rank++] = at->classes;
        return NULL;
    case OP_SCE: case OP_SCE_DX:
        if (x[0]->shape.rank != 2 || x[1]->dtype != DT_I32 || x[1]->shape.rank != 1 ||
            x[1]->shape.dim[0] != x[0]->shape.dim[0])
            return "softmax_cross_entropy needs logits [N, K] and i32 labels [N]";
        if (n->op == OP_SCE_DX && x[2]->shape.rank != 0) return "dloss is not a scalar";
        *s = n->op == OP_SCE ? (Shape){0} : x[0]->shape;
        return NULL;
    case OP_GATHER:   /* (table, ids) -> rows */
        if (x[1]->dtype != DT_I32) return "the ids are not i32";
        if (!shape_gather(x[0]->shape, x[1]->shape, s)) return "gather needs a table [V, D...] and ids of a rank that fits";
        return NULL;
    case OP_GATHER_DX:   /* (dy, ids) -> dtable of the node's shape */
        if (x[1]->dtype != DT_I32) return "the ids are not i32";
        if (!shape_gather(n->shape, x[1]->shape, &tmp) || !shape_eq(tmp, x[0]->shape))
            return "gather(result, ids) is not dy's shape";
        *s = n->shape;
        return NULL;
    case OP_BCE: case OP_BCE_DX:
        if (!shape_eq(x[0]->shape, x[1]->shape)) return "bce: prob and target shapes differ";
        if (n->op == OP_BCE_DX && x[2]->shape.rank != 0) return "dloss is not a scalar";
        *s = n->op == OP_BCE ? (Shape){0} : x[0]->shape;
        return NULL;
#define OP OP_CASE   /* by their class, above */
#define OP_COMPLEX OP_NONE
#include "ir/ops.def"
        break;
    }
    return "op without a type rule";
}

/* The type rule.  n->dtype and n->shape are read as the requested type for
 * the ops of op_is_shaped and LOAD without a model; everything else is
 * computed.  Returns NULL and sets *t, *s, or returns what is wrong. */
const char *graph_infer(const Model *m, const Graph *g, const Node *n, DType *t, Shape *s) {
    if ((unsigned)n->op >= OP_COUNT) return "unknown op";
    const OpInfo *info = &op_info[n->op];
    if (info->arity >= 0 && n->nin != info->arity) return "wrong number of operands";
    const Node *x[NODE_MAX_IN] = {0};
    for (int i = 0; i < n->nin; i++) {
        if (n->in[i] < 0 || n->in[i] >= g->n) return "operand id out of range";
        x[i] = &g->nodes[n->in[i]];
        if (x[i]->op == OP_STORE) return "operand is a store";
    }
    if (op_is_shaped(n->op) || n->op == OP_LOAD) {   /* a given shape must be a shape */
        if (n->shape.rank < 0 || n->shape.rank > MAX_RANK) return "result rank out of range";
        for (int i = 0; i < n->shape.rank; i++)
            if (n->shape.dim[i] < 0) return "negative dimension";
    }
    if (info->cls == OC_COMPLEX) return infer_complex(n, x, t, s);
    return infer_by_class(m, n, x, t, s);
}

int graph_node_shaped(Arena *a, Graph *g, Op op, const int *in, int nin, Attr attr, DType t, Shape s) {
    if (nin < 0 || nin > NODE_MAX_IN) die("graph_node: %d operands", nin);
    Node n = {.op = op, .dtype = t, .shape = s, .nin = nin, .attr = attr};
    for (int i = 0; i < nin; i++) n.in[i] = in[i];
    const char *why = graph_infer(NULL, g, &n, &n.dtype, &n.shape);
    if (why) die("graph %s: building %s: %s", g->entry ? g->entry : "?", op_info[op].name, why);
    return graph_add(a, g, n);
}

int graph_node(Arena *a, Graph *g, Op op, const int *in, int nin, Attr attr) {
    if (op_is_shaped(op) || op == OP_LOAD)
        die("graph_node: %s needs its result type (graph_node_shaped)", op_info[op].name);
    return graph_node_shaped(a, g, op, in, nin, attr, DT_VOID, (Shape){0});
}

int graph_load(Arena *a, Graph *g, const Model *m, int tensor) {
    if (tensor < 0 || tensor >= m->ntensors) die("graph_load: no tensor %d", tensor);
    const Tensor *t = &m->tensors[tensor];
    return graph_node_shaped(a, g, OP_LOAD, NULL, 0, (Attr){.tensor = tensor}, t->dtype, t->shape);
}

int graph_store(Arena *a, Graph *g, int tensor, int value) {
    return graph_node_shaped(a, g, OP_STORE, &value, 1, (Attr){.tensor = tensor}, DT_VOID, (Shape){0});
}

int graph_const(Arena *a, Graph *g, double value, DType t, Shape s) {
    return graph_node_shaped(a, g, OP_CONST, NULL, 0, (Attr){.value = value}, t, s);
}

int graph_scalar(Arena *a, Graph *g, double value) {
    return graph_const(a, g, value, DT_F32, (Shape){0});
}

int graph_cast(Arena *a, Graph *g, int x, DType t) {
    return graph_node_shaped(a, g, OP_CAST, &x, 1, (Attr){0}, t, (Shape){0});
}

int graph_unary(Arena *a, Graph *g, Op op, int x) {
    if (op_info[op].cls != OC_UNARY || op == OP_CAST) die("graph_unary: %s", op_info[op].name);
    return graph_node(a, g, op, &x, 1, (Attr){0});
}

int graph_binary(Arena *a, Graph *g, Op op, int x, int y) {
    if (op_info[op].cls != OC_BINARY) die("graph_binary: %s", op_info[op].name);
    int in[2] = {x, y};
    return graph_node(a, g, op, in, 2, (Attr){0});
}

int graph_reduce(Arena *a, Graph *g, Op op, int x, uint32_t axes, bool keepdims) {
    if (op_info[op].cls != OC_REDUCE) die("graph_reduce: %s", op_info[op].name);
    return graph_node(a, g, op, &x, 1, (Attr){.axes = axes, .keepdims = keepdims});
}

int graph_reshape(Arena *a, Graph *g, int x, Shape s) {
    return graph_node_shaped(a, g, OP_RESHAPE, &x, 1, (Attr){0}, DT_VOID, s);
}

int graph_transpose(Arena *a, Graph *g, int x, const int *perm) {
    Attr at = {0};
    if (x < 0 || x >= g->n) die("graph_transpose: operand %d out of range", x);
    memcpy(at.perm, perm, sizeof(int) * (size_t)g->nodes[x].shape.rank);
    return graph_node(a, g, OP_TRANSPOSE, &x, 1, at);
}

int graph_broadcast(Arena *a, Graph *g, int x, Shape s) {
    return graph_node_shaped(a, g, OP_BROADCAST, &x, 1, (Attr){0}, DT_VOID, s);
}

int graph_matmul(Arena *a, Graph *g, int x, int y, bool trans_a, bool trans_b) {
    int in[2] = {x, y};
    return graph_node(a, g, OP_MATMUL, in, 2, (Attr){.trans_a = trans_a, .trans_b = trans_b});
}

int graph_slice(Arena *a, Graph *g, int x, const int *start, const int *step, Shape s) {
    Attr at = {0};
    memcpy(at.start, start, sizeof(int) * (size_t)s.rank);
    memcpy(at.step, step, sizeof(int) * (size_t)s.rank);
    return graph_node_shaped(a, g, OP_SLICE, &x, 1, at, DT_VOID, s);
}

int graph_slice_dx(Arena *a, Graph *g, int dy, const int *start, const int *step, Shape s) {
    Attr at = {0};
    memcpy(at.start, start, sizeof(int) * (size_t)s.rank);
    memcpy(at.step, step, sizeof(int) * (size_t)s.rank);
    return graph_node_shaped(a, g, OP_SLICE_DX, &dy, 1, at, DT_VOID, s);
}

int graph_concat(Arena *a, Graph *g, const int *xs, int n, int axis) {
    if (n == 1) return xs[0];
    return graph_node(a, g, OP_CONCAT, xs, n, (Attr){.axis = axis});
}

bool slice_is_view(const Graph *g, int node, int64_t *first) {
    const Node *n = &g->nodes[node];
    if (n->op != OP_SLICE) return false;
    Shape in = g->nodes[n->in[0]].shape;
    int d = n->shape.rank - 1;
    while (d >= 0 && n->attr.start[d] == 0 && n->shape.dim[d] == in.dim[d] && (n->attr.step[d] == 1 || in.dim[d] == 1))
        d--;                                   /* trailing whole axes */
    if (d >= 0 && n->attr.step[d] != 1 && n->shape.dim[d] != 1) return false;
    for (int k = d - 1; k >= 0; k--)           /* leading axes: one element each */
        if (n->shape.dim[k] != 1) return false;
    if (g->nodes[graph_view_base(g, n->in[0])].op == OP_LITERAL) return false;
    int64_t at = 0, stride = 1;
    for (int k = n->shape.rank - 1; k >= 0; k--) at += n->attr.start[k] * stride, stride *= in.dim[k];
    if (first) *first = at;
    return true;
}

int graph_view_base(const Graph *g, int n) {
    while (g->nodes[n].op == OP_RESHAPE || slice_is_view(g, n, NULL)) n = g->nodes[n].in[0];
    return n;
}

void graph_copy(Arena *a, Graph *dst, const Graph *src) {
    *dst = (Graph){.entry = src->entry, .n = src->n, .cap = src->n};
    if (src->n == 0) return;
    dst->nodes = arena_alloc(a, sizeof(Node) * (size_t)src->n);
    memcpy(dst->nodes, src->nodes, sizeof(Node) * (size_t)src->n);
}

int model_add_tensor(Arena *a, Model *m, Tensor t) {
    VEC_PUSH(a, m->tensors, m->ntensors, m->captensors, t);
    return m->ntensors - 1;
}

int model_find_tensor(const Model *m, const char *name, TensorKind kind) {
    for (int i = 0; i < m->ntensors; i++)
        if (m->tensors[i].kind == kind && strcmp(m->tensors[i].name, name) == 0) return i;
    return -1;
}
