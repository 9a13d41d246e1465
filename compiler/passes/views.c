/* views.c: which shape ops have no buffer of their own in the memory plan,
 * and where their elements are.
 *
 * A reshape, and a slice that is a contiguous box (slice_is_view), are plain
 * views: their elements are their operand's, in the same order.  At -O1 and
 * above a transpose, a slice or a reshape whose every reader is a batched
 * product (or another such view) is a strided view: no copy is made, the
 * product reads its operand through per-axis strides into the buffer of
 * the node the chain starts from (cg_kernels.c passes them to
 * dmk_matmul_batched).  Attention's heads are that: q's element (n, h, t, j)
 * is qkv[n, t, h d + j], strides (T 3D, d, 3D, 1) from offset 0 (k: D, v: 2D).
 *
 * Needs: a final graph.  Guarantees: every node has a base (the node whose
 * buffer holds its value: itself if it has one) and, in floats, its first
 * element's index and its axes' strides in that buffer; a strided view is
 * a matrix with contiguous rows or columns, read only by products that are
 * batched today (dmk_matmul_batched), so the product computes the same sums
 * in the same order as with the copies, and nothing else (a loop, a store,
 * a copy) ever sees a strided layout.  The graph is unchanged: the
 * reference interpreter runs it as it is. */
#include "passes/passes.h"

#include <string.h>

/* Row-major strides of s. */
static void row_major(Shape s, int64_t *stride) {
    int64_t n = 1;
    for (int k = s.rank - 1; k >= 0; k--) stride[k] = n, n *= s.dim[k];
}

/* The strides of `to` reading the same elements in the same order as
 * `from` with strides `in` (a reshape without a copy), or false when the
 * axes that merge are not evenly spaced.  Axes of size 1 take any stride. */
static bool reshape_strides(Shape from, const int64_t *in, Shape to, int64_t *out) {
    int64_t od[MAX_RANK], os[MAX_RANK];
    int on = 0;
    for (int k = 0; k < from.rank; k++)
        if (from.dim[k] != 1) od[on] = from.dim[k], os[on] = in[k], on++;
    for (int k = 0; k < to.rank; k++) out[k] = 1;
    int oi = 0, ni = 0;
    while (ni < to.rank && oi < on) {
        if (to.dim[ni] == 1) { ni++; continue; }
        /* The smallest groups of old axes oi..oj-1 and new axes ni..nj-1 of equal size. */
        int oj = oi + 1, nj = ni + 1;
        int64_t op = od[oi], np = to.dim[ni];
        while (op != np) {
            if (np < op) { if (nj >= to.rank) return false; np *= to.dim[nj++]; }
            else { if (oj >= on) return false; op *= od[oj++]; }
        }
        for (int k = oi; k < oj - 1; k++)   /* the old group must be one run of even steps */
            if (os[k] != od[k + 1] * os[k + 1]) return false;
        int64_t s = os[oj - 1];
        for (int k = nj - 1; k >= ni; k--) out[k] = s, s *= to.dim[k];
        oi = oj, ni = nj;
    }
    return oi == on;
}

/* The number of matrices along the batch axes of s (all but the last two). */
static int64_t batch_count(Shape s) {
    int64_t n = 1;
    for (int k = 0; k + 2 < s.rank; k++) n *= s.dim[k];
    return n;
}

bool views_product_batched(const Graph *g, int node) {
    const Node *n = &g->nodes[node];
    if (n->op != OP_MATMUL) return false;
    int64_t c = batch_count(n->shape), a = batch_count(g->nodes[n->in[0]].shape),
            b = batch_count(g->nodes[n->in[1]].shape);
    bool merged = b == 1 && a == c && !n->attr.trans_a;   /* one GEMM of M * batch rows (cg_kernels.c) */
    return c > 1 && !merged;
}

static bool is_shape_op(Op op) { return op == OP_RESHAPE || op == OP_SLICE || op == OP_TRANSPOSE; }

/* The layout of node i from its operand's (which `v` holds), or false when
 * a reshape cannot read the operand's layout in place. */
static bool layout_of(const Graph *g, Views *v, int i) {
    const Node *n = &g->nodes[i];
    int x = n->in[0];
    const int64_t *in = v->stride[x];
    int64_t *out = v->stride[i];
    v->first[i] = v->first[x];
    v->base[i] = v->base[x];
    if (n->op == OP_RESHAPE) return reshape_strides(g->nodes[x].shape, in, n->shape, out);
    if (n->op == OP_TRANSPOSE)
        for (int k = 0; k < n->shape.rank; k++) out[k] = in[n->attr.perm[k]];
    else   /* a slice */
        for (int k = 0; k < n->shape.rank; k++) v->first[i] += n->attr.start[k] * in[k], out[k] = in[k] * n->attr.step[k];
    return true;
}

/* May node i be a strided view, given which of its readers may (want)?
 * Every reader is a batched product, or a shape op that may be one too. */
static bool readers_allow(const Graph *g, const int *start, const int *reader, const bool *want, int i) {
    if (start[i] == start[i + 1]) return false;   /* unread: nothing to gain */
    for (int r = start[i]; r < start[i + 1]; r++) {
        int u = reader[r];
        if (!(views_product_batched(g, u) || (is_shape_op(g->nodes[u].op) && want[u]))) return false;
    }
    return true;
}

/* ---- products written in place into a later node's buffer ----------------
 * A batched product X whose only reader is a transpose, a reshape or a
 * concat, and so on up a chain of single readers, ends in a node Y (the
 * chain's last transpose or concat) that would copy X's elements into its
 * own buffer: X writes them there itself, through strides (ldc and batch
 * strides; its rows stay contiguous), and the copies between go.  That is
 * the output side of attention: weights @ v written in [N, T, heads, d]
 * order, and the gradients of the heads of q, k and v written into the
 * columns of the gradient of qkv (the concat of their transposes).  A concat
 * inside a chain must have every operand so written (it then has no code);
 * the chain's last concat copies the operands that are not. */

typedef struct Readers { const int *start, *reader; } Readers;

/* The only reader of node n, or -1 (none, several, or n read twice). */
static int only_reader(Readers rd, int n) { return rd.start[n + 1] - rd.start[n] == 1 ? rd.reader[rd.start[n]] : -1; }

/* The chain from product x up to the node that holds it, in path[0 ..
 * return), path[0] = x; 0 if there is none.  stop: concats that end chains. */
static int chain_of(const Graph *g, const Views *v, Readers rd, const bool *stop, int x, int *path) {
    int n = 0, end = 0;
    path[n++] = x;
    for (int cur = x;;) {
        int r = only_reader(rd, cur);
        if (r < 0) break;
        Op op = g->nodes[r].op;
        bool plain_reshape = op == OP_RESHAPE && !v->strided[r];
        if (!plain_reshape && !((op == OP_TRANSPOSE || op == OP_CONCAT) && v->base[r] == r)) break;
        path[n++] = r;
        if (op != OP_RESHAPE) end = n;
        if (op == OP_CONCAT && stop[r]) break;
        cur = r;
    }
    return end;
}

/* The layouts of path[0 .. n - 1] in the buffer of path[n - 1], from the top
 * down; false if a reshape cannot be read that way or the product's rows are
 * not contiguous. */
static bool lay_out_chain(const Graph *g, Views *v, const int *path, int n) {
    int top = path[n - 1];
    v->first[top] = 0;
    row_major(g->nodes[top].shape, v->stride[top]);
    for (int j = n - 2; j >= 0; j--) {
        int x = path[j], r = path[j + 1];
        const Node *rn = &g->nodes[r];
        v->first[x] = v->first[r];
        if (rn->op == OP_RESHAPE) {
            if (!reshape_strides(rn->shape, v->stride[r], g->nodes[x].shape, v->stride[x])) return false;
        } else if (rn->op == OP_TRANSPOSE) {
            for (int k = 0; k < rn->shape.rank; k++) v->stride[x][rn->attr.perm[k]] = v->stride[r][k];
        } else {   /* a concat: x at its place along the axis */
            int64_t at = 0;
            for (int k = 0; rn->in[k] != x; k++) at += g->nodes[rn->in[k]].shape.dim[rn->attr.axis];
            v->first[x] += at * v->stride[r][rn->attr.axis];
            memcpy(v->stride[x], v->stride[r], sizeof v->stride[x]);
        }
    }
    const Shape *xs = &g->nodes[path[0]].shape;
    return xs->dim[xs->rank - 1] == 1 || v->stride[path[0]][xs->rank - 1] == 1;
}

static void place_products(Arena *a, const Graph *g, Views *v, Readers rd) {
    int n = g->n;
    bool *stop = arena_alloc(a, sizeof(bool) * (size_t)(n + 1)), *refused = arena_alloc(a, sizeof(bool) * (size_t)(n + 1));
    bool *covered = arena_alloc(a, sizeof(bool) * (size_t)(n + 1));   /* operand written through its reader */
    int *top = arena_alloc(a, sizeof(int) * (size_t)(n + 1)), *path = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    /* The layouts before: lay_out_chain writes those of chains it may then give up. */
    int64_t *first = arena_alloc(a, sizeof *first * (size_t)(n + 1));
    int64_t (*stride)[MAX_RANK] = arena_alloc(a, sizeof *stride * (size_t)(n + 1));
    memcpy(first, v->first, sizeof *first * (size_t)n);
    memcpy(stride, v->stride, sizeof *stride * (size_t)n);
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; i < n; i++) top[i] = -1, covered[i] = false;
        for (int x = 0; x < n; x++) {
            if (!views_product_batched(g, x) || refused[x] || v->base[x] != x) continue;
            int len = chain_of(g, v, rd, stop, x, path);
            if (len == 0) continue;
            if (!lay_out_chain(g, v, path, len)) { refused[x] = again = true; break; }
            for (int j = 0; j < len; j++) top[path[j]] = path[len - 1];
            for (int j = 0; j + 1 < len; j++) covered[path[j]] = true;
        }
        /* A concat inside a chain (not its top) with an operand written
         * elsewhere must hold it: it ends its chains instead. */
        for (int c = 0; c < n && !again; c++) {
            if (g->nodes[c].op != OP_CONCAT || top[c] < 0 || top[c] == c) continue;
            for (int k = 0; k < g->nodes[c].nin; k++)
                if (!covered[g->nodes[c].in[k]]) stop[c] = again = true;
        }
    }
    for (int i = 0; i < n; i++) {
        if (top[i] < 0 || top[i] == i) {
            v->first[i] = first[i];
            memcpy(v->stride[i], stride[i], sizeof stride[i]);
            continue;
        }
        if (v->writer[top[i]] < 0) v->writer[top[i]] = i;
        v->base[i] = top[i];
        v->placed[i] = g->nodes[i].op == OP_MATMUL;
        v->filled[top[i]] = true;
        v->strided[i] = false;
    }
    for (int y = 0; y < n; y++)   /* a concat that copies an operand is not filled by its writers alone */
        if (v->filled[y] && g->nodes[y].op == OP_CONCAT)
            for (int k = 0; k < g->nodes[y].nin; k++)
                if (v->base[g->nodes[y].in[k]] != y) v->filled[y] = false;
}

Views *plan_views(Arena *a, const Graph *g, bool strided) {
    int n = g->n;
    Views *v = arena_alloc(a, sizeof *v);
    v->base = arena_alloc(a, sizeof *v->base * (size_t)(n + 1));
    v->strided = arena_alloc(a, sizeof *v->strided * (size_t)(n + 1));
    v->first = arena_alloc(a, sizeof *v->first * (size_t)(n + 1));
    v->stride = arena_alloc(a, sizeof *v->stride * (size_t)(n + 1));
    v->placed = arena_alloc(a, sizeof *v->placed * (size_t)(n + 1));
    v->filled = arena_alloc(a, sizeof *v->filled * (size_t)(n + 1));
    v->writer = arena_alloc(a, sizeof *v->writer * (size_t)(n + 1));
    for (int i = 0; i < n; i++) v->writer[i] = -1;
    /* The readers of each node, an edge per operand read (once per reader). */
    int *start = arena_alloc(a, sizeof(int) * (size_t)(n + 2)), nedges = 0;
    for (int u = 0; u < n; u++) nedges += g->nodes[u].nin;
    int *reader = arena_alloc(a, sizeof(int) * (size_t)(nedges + 1)), *fill = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    for (int u = 0; u < n; u++)
        for (int k = 0; k < g->nodes[u].nin; k++) start[g->nodes[u].in[k] + 1]++;
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    for (int u = 0; u < n; u++)
        for (int k = 0; k < g->nodes[u].nin; k++) {
            int x = g->nodes[u].in[k];
            reader[start[x] + fill[x]++] = u;
        }
    /* ok[i]: not yet found unable to be a strided view.  Deciding from the
     * readers back (want), then laying out from the operands forward, until
     * every wanted view can be laid out (a reshape of a layout that no longer
     * merges evenly gives up its view, and so may its operands). */
    bool *ok = arena_alloc(a, sizeof(bool) * (size_t)(n + 1)), *want = arena_alloc(a, sizeof(bool) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        const Node *nd = &g->nodes[i];
        ok[i] = strided && is_shape_op(nd->op) && nd->dtype == DT_F32 && shape_count(nd->shape) > 0 &&
                g->nodes[graph_view_base(g, i)].op != OP_LITERAL;
    }
    for (bool again = true; again;) {
        again = false;
        for (int i = n - 1; i >= 0; i--) want[i] = ok[i] && readers_allow(g, start, reader, want, i);
        for (int i = 0; i < n; i++) {
            const Node *nd = &g->nodes[i];
            v->strided[i] = false;
            bool plain = nd->op == OP_RESHAPE || slice_is_view(g, i, NULL);
            if ((plain && !v->strided[nd->in[0]]) || want[i]) {
                bool fits = layout_of(g, v, i);
                if (!plain || v->strided[nd->in[0]]) v->strided[i] = true;
                if (fits) continue;
                if (plain && !v->strided[nd->in[0]]) die("plain view %d without a layout", i);
                ok[i] = false, again = true;
            }
            v->base[i] = i, v->first[i] = 0;   /* a buffer of its own */
            row_major(nd->shape, v->stride[i]);
            v->strided[i] = false;
        }
        /* The GEMM reads a matrix whose rows or columns are contiguous
         * (linalg.c's packing): a view with neither gives up. */
        for (int u = 0; u < n && !again; u++) {
            if (g->nodes[u].op != OP_MATMUL) continue;
            for (int k = 0; k < 2; k++) {
                int x = g->nodes[u].in[k], r = g->nodes[x].shape.rank;
                if (v->strided[x] && v->stride[x][r - 1] != 1 && v->stride[x][r - 2] != 1)
                    ok[x] = false, again = true;
            }
        }
    }
    if (strided) place_products(a, g, v, (Readers){start, reader});
    return v;
}
