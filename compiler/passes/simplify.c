/* simplify.c: algebraic identities, constant folding, common subexpression
 * elimination and dead node elimination on one graph.
 *
 * Needs: a verified graph.  Guarantees: the result is a fresh graph,
 * renumbered in topological order, that stores the same values into the same
 * tensors (folding evaluates with the reference interpreter, in double);
 * every node that survives keeps its name and location (a node replaced by
 * an unnamed equivalent lends it its name).  Nothing is removed that a store
 * depends on; stores are never merged or dropped.
 *
 * A matrix product absorbs the transposes of its operands' matrices and of
 * its result into its trans flags (no transposed copy is made).
 *
 * One forward pass rewrites each node with its operands already rewritten,
 * so chains (neg neg neg neg x, constants feeding constants) collapse in one
 * go; a second pass keeps only what the stores reach.  The pair repeats until
 * the graph stops shrinking. */
#include "passes/passes.h"

#include <string.h>

enum {
    FOLD_MAX = 4096,   /* fold a non-uniform constant result only up to this many elements */
    MAX_ROUNDS = 4,
};

typedef struct Rewriter {
    Arena *a;
    const Graph *old;
    Graph *out;
    int *map;           /* old id -> new id */
    int *bucket;        /* CSE hash table of new ids (-1 empty), size nbucket */
    int nbucket;
} Rewriter;

/* ---- constants ----------------------------------------------------------- */

static bool is_leaf_const(const Node *n) { return n->op == OP_CONST || n->op == OP_LITERAL; }

/* Whether every element of constant node n equals v. */
static bool const_is(const Node *n, double v) {
    if (n->op == OP_CONST) return n->attr.value == v;
    if (n->op != OP_LITERAL) return false;
    for (int64_t i = 0; i < shape_count(n->shape); i++)
        if (n->attr.data[i] != v) return false;
    return true;
}

/* Evaluate node n (operands in g, all constants) with the interpreter; shapes
 * of the node and its operands may be overridden by the caller (to fold a
 * uniform result on scalars).  NULL when the interpreter refuses (a constant
 * class index out of range): the node stays, and the entry reports it. */
static double *fold_eval(Arena *a, const Graph *g, const Node *n) {
    Tensor result = {.name = "fold", .kind = TK_OUTPUT, .dtype = n->dtype, .shape = n->shape, .param = -1};
    Model tmp = {.name = "fold", .tensors = &result, .ntensors = 1, .captensors = 1, .loss_tensor = -1};
    Graph fg;
    graph_init(&fg, "fold");
    Node copy = *n;
    for (int i = 0; i < n->nin; i++) copy.in[i] = graph_add(a, &fg, g->nodes[n->in[i]]);
    int id = graph_add(a, &fg, copy);
    graph_add(a, &fg, (Node){.op = OP_STORE, .nin = 1, .in = {id}, .dtype = n->dtype, .shape = n->shape});
    TensorStore *s = store_new(a, &tmp);
    return interp_run(a, &tmp, &fg, s) == 0 ? s->values[0] : NULL;
}

/* Scalar stand-in for a uniform constant operand. */
static Node scalar_const(const Node *c) {
    double v = c->op == OP_CONST ? c->attr.value : c->attr.data[0];
    return (Node){.op = OP_CONST, .dtype = c->dtype, .attr = {.value = v}};
}

static bool is_uniform(const Node *c) {
    return c->op == OP_CONST || (c->op == OP_LITERAL && shape_count(c->shape) > 0 && const_is(c, c->attr.data[0]));
}

/* Try to replace n (operands in the new graph) by a constant.  Returns true
 * and rewrites *n into a CONST or LITERAL. */
static bool fold(Rewriter *r, Node *n) {
    OpClass cls = op_info[n->op].cls;
    if (cls == OC_LEAF || cls == OC_EFFECT || n->op == OP_RANDOM_MASK || n->nin == 0) return false;
    bool uniform = true;
    for (int i = 0; i < n->nin; i++) {
        const Node *x = &r->out->nodes[n->in[i]];
        if (!is_leaf_const(x)) return false;
        uniform = uniform && is_uniform(x);
    }
    double value;
    if (uniform && (cls == OC_UNARY || cls == OC_BINARY || n->op == OP_RESHAPE || n->op == OP_BROADCAST ||
                    n->op == OP_TRANSPOSE || n->op == OP_SLICE)) {
        /* Elementwise and data movement of uniform values give a uniform result of any size:
         * evaluate on scalars. */
        if (cls == OC_UNARY || cls == OC_BINARY) {
            Graph sg;
            graph_init(&sg, "fold");
            Node sn = *n;
            sn.shape = (Shape){0};
            for (int i = 0; i < n->nin; i++) sn.in[i] = graph_add(r->a, &sg, scalar_const(&r->out->nodes[n->in[i]]));
            value = fold_eval(r->a, &sg, &sn)[0];
        } else {
            value = scalar_const(&r->out->nodes[n->in[0]]).attr.value;
        }
    } else {
        int64_t count = shape_count(n->shape);
        if (count > FOLD_MAX) return false;
        for (int i = 0; i < n->nin; i++)
            if (shape_count(r->out->nodes[n->in[i]].shape) > FOLD_MAX) return false;
        const double *v = fold_eval(r->a, r->out, n);
        if (!v) return false;
        bool same = count > 0;
        for (int64_t i = 1; i < count && same; i++) same = v[i] == v[0];
        if (!same) {
            *n = (Node){.op = OP_LITERAL, .dtype = n->dtype, .shape = n->shape, .attr = {.data = v},
                        .name = n->name, .loc = n->loc};
            return true;
        }
        value = count > 0 ? v[0] : 0;
    }
    *n = (Node){.op = OP_CONST, .dtype = n->dtype, .shape = n->shape, .attr = {.value = value},
                .name = n->name, .loc = n->loc};
    return true;
}

/* ---- transposes a matrix product absorbs ------------------------------------ */

/* Whether perm swaps the last two axes and keeps the others: the transpose
 * of every matrix of a batch, what a product's trans flags express. */
static bool swaps_last_two(const int *perm, int rank) {
    if (rank < 2 || perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2) return false;
    for (int i = 0; i < rank - 2; i++)
        if (perm[i] != i) return false;
    return true;
}

/* matmul(transpose(x), y) reads x with trans_a flipped instead of a
 * transposed copy (y likewise with trans_b); the transpose dies unless
 * something else reads it. */
static void absorb_operand_transposes(const Node *in, Node *n) {
    for (int k = 0; k < 2; k++) {
        const Node *x = &in[n->in[k]];
        if (x->op != OP_TRANSPOSE || !swaps_last_two(x->attr.perm, x->shape.rank)) continue;
        n->in[k] = x->in[0];
        if (k == 0) n->attr.trans_a = !n->attr.trans_a;
        else n->attr.trans_b = !n->attr.trans_b;
    }
}

/* transpose(matmul(a, b)) of the last two axes, where the transpose is the
 * product's only reader, is (A B)^T = B^T A^T: one product with its operands
 * swapped and their flags flipped, writing the transposed result directly.
 * The transpose node becomes that product in place; the old product is
 * left dead (removed by the round's remove_dead).  (Autodiff makes these:
 * the adjoint of k in q @ transpose(k) is the transpose of a product.)
 * Not where the transpose's readers are all products, which absorb it
 * (absorb_operand_transposes), nor where the product is a batch against
 * one matrix ([B, T, C] @ [C, D], one GEMM over B T rows), which its swap
 * ([D, C] @ [B, C, T]) would split into B GEMMs.
 * Returns whether it rewrote anything. */
static bool transpose_products(Arena *a, Graph *g) {
    int *readers = arena_alloc(a, sizeof(int) * (size_t)(g->n + 1));
    bool *only_products = arena_alloc(a, (size_t)g->n + 1);   /* every reader a matmul */
    memset(readers, 0, sizeof(int) * (size_t)(g->n + 1));
    memset(only_products, 1, (size_t)g->n + 1);
    for (int i = 0; i < g->n; i++)
        for (int k = 0; k < g->nodes[i].nin; k++) {
            readers[g->nodes[i].in[k]]++;
            if (g->nodes[i].op != OP_MATMUL) only_products[g->nodes[i].in[k]] = false;
        }
    bool changed = false;
    for (int i = 0; i < g->n; i++) {
        Node *t = &g->nodes[i];
        if (t->op != OP_TRANSPOSE || !swaps_last_two(t->attr.perm, t->shape.rank) || only_products[i]) continue;
        const Node *p = &g->nodes[t->in[0]];
        if (p->op != OP_MATMUL || readers[t->in[0]] != 1) continue;
        Shape as = g->nodes[p->in[0]].shape, bs = g->nodes[p->in[1]].shape;
        if (!p->attr.trans_a && shape_matrices(as) > 1 && shape_matrices(bs) == 1) continue;
        Node swapped = *p;
        swapped.in[0] = p->in[1], swapped.in[1] = p->in[0];
        swapped.attr.trans_a = !p->attr.trans_b, swapped.attr.trans_b = !p->attr.trans_a;
        swapped.shape = t->shape;
        if (t->name) swapped.name = t->name, swapped.loc = t->loc;
        *t = swapped;
        changed = true;
    }
    return changed;
}

/* ---- algebraic identities -------------------------------------------------- */

static bool same_type(const Node *a, const Node *b) {
    return a->dtype == b->dtype && shape_eq(a->shape, b->shape);
}

/* x + 0, x * 1, x / 1, x ^ 1, -(-x), a cast to the same dtype: rules that
 * some elementwise ops have.  An op needs none, so they match by op rather
 * than by a switch that every new op would have to join. */
static int identity_elementwise(const Node *n, const Node *x, const Node *y) {
    Op op = n->op;
    if (op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV || op == OP_POW) {
        double unit = op == OP_ADD || op == OP_SUB ? 0 : 1;   /* x op unit = x */
        if (const_is(y, unit) && same_type(x, n)) return n->in[0];
        if ((op == OP_ADD || op == OP_MUL) && const_is(x, unit) && same_type(y, n)) return n->in[1];
    }
    if (op == OP_NEG && x->op == OP_NEG) return x->in[0];
    if (op == OP_CAST && x->dtype == n->dtype) return n->in[0];
    return -1;
}

/* slice_dx(a) + slice_dx(b) whose boxes lie side by side along one axis
 * (a's first; equal elsewhere; step 1 along it) is the scatter of
 * concat(a, b) into the union of the boxes: the gradient of x[..., :h] and
 * x[..., h:] becomes one concat instead of two zero-filled buffers and an
 * add (and, once the boxes cover x, no scatter at all).  Rewrites *n and
 * returns true; a concat on the left along the same axis takes b as one
 * more operand. */
static bool join_scatters(Rewriter *r, Node *n) {
    const Node *x = &r->out->nodes[n->in[0]], *y = &r->out->nodes[n->in[1]];
    if (x->op != OP_SLICE_DX || y->op != OP_SLICE_DX || !shape_eq(x->shape, n->shape) ||
        !shape_eq(y->shape, n->shape) || x->dtype != y->dtype)
        return false;
    Shape xs = r->out->nodes[x->in[0]].shape, ys = r->out->nodes[y->in[0]].shape;
    int axis = -1;   /* the one axis where the boxes differ */
    for (int d = 0; d < n->shape.rank; d++) {
        bool same = x->attr.start[d] == y->attr.start[d] && x->attr.step[d] == y->attr.step[d] && xs.dim[d] == ys.dim[d];
        if (same) continue;
        if (axis >= 0) return false;
        axis = d;
    }
    if (axis < 0 || x->attr.step[axis] != 1 || y->attr.step[axis] != 1) return false;
    if (y->attr.start[axis] + ys.dim[axis] == x->attr.start[axis]) {   /* b comes first */
        const Node *t = x; x = y; y = t;
        Shape ts = xs; xs = ys; ys = ts;
    }
    if (x->attr.start[axis] + xs.dim[axis] != y->attr.start[axis]) return false;
    int parts[NODE_MAX_IN], nparts = 0;
    const Node *a = &r->out->nodes[x->in[0]];
    if (a->op == OP_CONCAT && a->attr.axis == axis && a->nin < NODE_MAX_IN)
        for (int k = 0; k < a->nin; k++) parts[nparts++] = a->in[k];
    else
        parts[nparts++] = x->in[0];
    parts[nparts++] = y->in[0];
    Attr at = x->attr;   /* x's box starts the union (read before the graph grows) */
    int joined = graph_concat(r->a, r->out, parts, nparts, axis);
    *n = (Node){.op = OP_SLICE_DX, .dtype = n->dtype, .shape = n->shape, .nin = 1, .in = {joined}, .attr = at,
                .name = n->name, .loc = n->loc};
    return true;
}

/* If n (operands in the new graph) equals one of the existing new nodes,
 * return its id; otherwise -1.  May rewrite *n into a simpler node. */
static int identity(Rewriter *r, Node *n) {
    const Node *in = r->out->nodes;
    if (n->op == OP_MATMUL) absorb_operand_transposes(in, n);
    const Node *x = n->nin > 0 ? &in[n->in[0]] : NULL, *y = n->nin > 1 ? &in[n->in[1]] : NULL;
    switch (n->op) {
#define OP OP_NONE
#define OP_UNARY OP_CASE
#define OP_BINARY OP_CASE
#include "ir/ops.def"
        if (n->op == OP_ADD && join_scatters(r, n))   /* (the graph grew: `in` is stale) */
            return shape_eq(r->out->nodes[n->in[0]].shape, n->shape) ? n->in[0] : -1;   /* boxes cover it all */
        return identity_elementwise(n, x, y);
    case OP_RESHAPE: case OP_BROADCAST:
        if (shape_eq(x->shape, n->shape)) return n->in[0];
        if (n->op == OP_RESHAPE && op_info[x->op].cls == OC_REDUCE && x->attr.keepdims) {
            /* reshape(sum(y, keepdims)) that only drops the kept 1s: sum(y) */
            Shape dropped;
            if (shape_reduce(in[x->in[0]].shape, x->attr.axes, false, &dropped) && shape_eq(dropped, n->shape)) {
                n->op = x->op;
                n->attr = x->attr;
                n->attr.keepdims = false;
                n->in[0] = x->in[0];
                return -1;
            }
        }
        if (x->op == n->op) {   /* reshape of reshape, broadcast of broadcast: skip the middle */
            if (shape_eq(in[x->in[0]].shape, n->shape)) return x->in[0];
            n->in[0] = x->in[0];
        }
        return -1;
    case OP_TRANSPOSE: {
        if (x->op == OP_TRANSPOSE) {   /* t2(t1(y)): dim i of the result is y's dim p1[p2[i]] */
            int perm[MAX_RANK] = {0};
            for (int i = 0; i < n->shape.rank; i++) perm[i] = x->attr.perm[n->attr.perm[i]];
            memcpy(n->attr.perm, perm, sizeof perm);
            n->in[0] = x->in[0];
        }
        for (int i = 0; i < n->shape.rank; i++)
            if (n->attr.perm[i] != i) return -1;
        return n->in[0];
    }
    case OP_SLICE: case OP_SLICE_DX:
        /* a slice of a slice is one slice: element i is y's s1 + t1 (s2 + t2 i) (x's box s1, t1); a
         * scatter of a scatter is one scatter: element i of y goes to s2 + t2 (s1 + t1 i) */
        if (x->op == n->op) {
            const Attr *outer = n->op == OP_SLICE ? &x->attr : &n->attr;
            const Attr *inner = n->op == OP_SLICE ? &n->attr : &x->attr;
            int start[MAX_RANK], step[MAX_RANK];
            for (int d = 0; d < n->shape.rank; d++) {
                start[d] = outer->start[d] + outer->step[d] * inner->start[d];
                step[d] = outer->step[d] * inner->step[d];
            }
            memcpy(n->attr.start, start, sizeof start);
            memcpy(n->attr.step, step, sizeof step);
            n->in[0] = x->in[0];
        }
        return shape_eq(in[n->in[0]].shape, n->shape) ? n->in[0] : -1;   /* the whole of x, into the whole */
    case OP_CONCAT:
#define OP OP_CASE   /* no identity known */
#define OP_UNARY OP_NONE
#define OP_BINARY OP_NONE
#define OP_SHAPE OP_NONE
#include "ir/ops.def"
        return -1;
    }
    return -1;
}

/* ---- common subexpressions ---------------------------------------------- */

static bool attr_eq(const Node *p, const Node *q) {
    const Attr *a = &p->attr, *b = &q->attr;
    if (a->tensor != b->tensor || a->axes != b->axes || a->keepdims != b->keepdims || a->axis != b->axis ||
        a->trans_a != b->trans_a || a->trans_b != b->trans_b || a->classes != b->classes || a->salt != b->salt)
        return false;
    /* value: compare bits, so that NaN constants merge and 0 / -0 stay apart */
    if (memcmp(&a->value, &b->value, sizeof a->value) != 0) return false;
    if (memcmp(&a->value2, &b->value2, sizeof a->value2) != 0) return false;
    for (int i = 0; i < MAX_RANK; i++)
        if (a->perm[i] != b->perm[i] || a->start[i] != b->start[i] || a->step[i] != b->step[i]) return false;
    for (int i = 0; i < 2; i++)
        if (a->stride[i] != b->stride[i] || a->pad[i] != b->pad[i] || a->size[i] != b->size[i]) return false;
    if (a->data != b->data) {
        if (!a->data || !b->data) return false;
        if (memcmp(a->data, b->data, sizeof(double) * (size_t)shape_count(p->shape)) != 0) return false;
    }
    return true;
}

static bool node_eq(const Node *p, const Node *q) {
    if (p->op != q->op || p->dtype != q->dtype || !shape_eq(p->shape, q->shape) || p->nin != q->nin) return false;
    for (int i = 0; i < p->nin; i++)
        if (p->in[i] != q->in[i]) return false;
    return attr_eq(p, q);
}

static unsigned node_hash(const Node *n) {
    unsigned h = 2166136261u;
    h = (h ^ (unsigned)n->op) * 16777619u;
    for (int i = 0; i < n->nin; i++) h = (h ^ (unsigned)n->in[i]) * 16777619u;
    for (int i = 0; i < n->shape.rank; i++) h = (h ^ (unsigned)n->shape.dim[i]) * 16777619u;
    h = (h ^ (unsigned)n->attr.tensor) * 16777619u;
    return h;
}

/* The id of an equal node already in the new graph, or -1 (and n's slot is
 * remembered as id `self` for later lookups). */
static int cse(Rewriter *r, const Node *n, int self) {
    if (n->op == OP_STORE) return -1;
    unsigned mask = (unsigned)r->nbucket - 1;
    for (unsigned h = node_hash(n) & mask;; h = (h + 1) & mask) {
        int id = r->bucket[h];
        if (id < 0) {
            r->bucket[h] = self;
            return -1;
        }
        if (node_eq(&r->out->nodes[id], n)) return id;
    }
}

/* ---- the passes -------------------------------------------------------- */

static void lend_name(Node *survivor, const Node *gone) {
    if (!survivor->name && gone->name) {
        survivor->name = gone->name;
        survivor->loc = gone->loc;
    }
}

static void rewrite(Arena *a, const Graph *old, Graph *out) {
    Rewriter r = {.a = a, .old = old, .out = out};
    graph_init(out, old->entry);
    r.map = arena_alloc(a, sizeof(int) * (size_t)(old->n + 1));
    r.nbucket = 16;
    while (r.nbucket < 2 * old->n + 2) r.nbucket *= 2;
    r.bucket = arena_alloc(a, sizeof(int) * (size_t)r.nbucket);
    memset(r.bucket, 0xff, sizeof(int) * (size_t)r.nbucket);   /* all -1 */
    for (int i = 0; i < old->n; i++) {
        Node n = old->nodes[i];
        for (int k = 0; k < n.nin; k++) n.in[k] = r.map[n.in[k]];
        int same = n.op == OP_STORE ? -1 : identity(&r, &n);
        if (same < 0) {
            fold(&r, &n);
            same = cse(&r, &n, out->n);
        }
        if (same >= 0) {
            lend_name(&out->nodes[same], &n);
            r.map[i] = same;
        } else {
            r.map[i] = graph_add(a, out, n);
        }
    }
}

/* Keep the nodes a store reaches, renumbered in the same order. */
static void remove_dead(Arena *a, const Graph *g, Graph *out) {
    bool *live = arena_alloc(a, (size_t)g->n + 1);
    for (int i = g->n - 1; i >= 0; i--) {
        if (g->nodes[i].op == OP_STORE) live[i] = true;
        if (!live[i]) continue;
        for (int k = 0; k < g->nodes[i].nin; k++) live[g->nodes[i].in[k]] = true;
    }
    int *map = arena_alloc(a, sizeof(int) * (size_t)(g->n + 1));
    graph_init(out, g->entry);
    for (int i = 0; i < g->n; i++) {
        if (!live[i]) continue;
        Node n = g->nodes[i];
        for (int k = 0; k < n.nin; k++) n.in[k] = map[n.in[k]];
        map[i] = graph_add(a, out, n);
    }
}

void simplify_graph(Arena *a, const Model *m, Graph *g) {
    (void)m;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        Graph rewritten, kept;
        bool swapped = transpose_products(a, g);
        rewrite(a, g, &rewritten);
        remove_dead(a, &rewritten, &kept);
        bool changed = swapped || kept.n != g->n;
        *g = kept;
        if (!changed) break;
    }
}
