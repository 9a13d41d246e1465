/* cg_plan.c: checks the memory plan (plan.c) of every model in
 * tests/codegen and tests/torch (the .dm files) against its invariants,
 * recomputed here independently:
 *   - every tensor and buffer is 64-byte aligned and inside the data region;
 *   - tensors do not overlap and come in descriptor order (params, state,
 *     grads, inputs, outputs, loss), each family contiguous up to alignment;
 *   - two scratch buffers that are live at the same time do not overlap
 *     (live: from the node that writes it to the last node that reads it,
 *     through fused nodes and reshape views);
 *   - a value computed in a tensor's memory is written after every other
 *     read of that tensor (or by the one elementwise loop reading it);
 *   - the scratch region is large enough for every entry;
 *   - a view (passes/views.c: a node in another node's buffer) holds each
 *     of its elements where the ops' definitions put it (re-derived element
 *     by element, down the chain of reshapes, slices and transposes to its
 *     base, or up the chain of transposes, reshapes and concats to the node
 *     a product is written into), a strided view is read only by products,
 *     and a node written before it runs (by such a product) is live from
 *     that write.
 * Every model is checked as the default pipeline builds it, and again
 * after --in-place-update's pass where that applies (plain sgd).
 * Run from the repository root (tests/run.sh does). */
#include "cg/cg.h"

#include <glob.h>
#include <string.h>

static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fprintf(stderr, "\n"); } } while (0)

/* in_place: also --in-place-update's pass on the models it applies to. */
static Models *load(Arena *a, const char *path, bool in_place) {
    Diag d = {.max_errors = 20, .out = stderr};
    Program prog = {0};
    if (!parse_file(a, &d, source_from_string(a, "<prelude>", prelude_source), &prog)) return NULL;
    SourceFile *f = source_read(a, path);
    Models *ms = arena_alloc(a, sizeof *ms);
    Defines defs = {0};
    if (!f || !parse_file(a, &d, f, &prog) || !sema_program(a, &d, &prog, &defs, NULL, ms)) return NULL;
    for (int i = 0; i < ms->n; i++) {
        Model *m = ms->items[i];
        if (m->loss_tensor >= 0) autodiff_model(a, m), optim_model(a, m);
        entries_finish(a, m, m->loss_tensor >= 0);
        Graph *gs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
        for (int k = 0; k < 4; k++)
            if (gs[k]->n) simplify_graph(a, m, gs[k]);
        if (in_place && m->loss_tensor >= 0 && !inplace_refusal(m)) inplace_update(a, m);
    }
    return ms;
}

/* The node whose buffer holds n: the plan's answer (views.c), which
 * check_views checks element by element. */
static const Views *views;
static int base(const Graph *g, int n) { return views->base[n]; }

static int64_t flat(Shape s, const int64_t *idx) {
    int64_t f = 0;
    for (int k = 0; k < s.rank; k++) f = f * s.dim[k] + idx[k];
    return f;
}

static void unflat(Shape s, int64_t f, int64_t *idx) {
    for (int k = s.rank - 1; k >= 0; k--) idx[k] = f % s.dim[k], f /= s.dim[k];
}

/* Where element idx of n lies in b's buffer, by the ops' definitions: down
 * from a view to its base (b < n), or up from a node to the one it is
 * written into (b > n, through its only readers). */
static int64_t element_in(const Graph *g, int n, const int64_t *at, int b) {
    int64_t idx[MAX_RANK], up[MAX_RANK];
    memcpy(idx, at, sizeof idx);
    while (n > b) {   /* down */
        const Node *nd = &g->nodes[n];
        Shape in = g->nodes[nd->in[0]].shape;
        if (nd->op == OP_RESHAPE) unflat(in, flat(nd->shape, idx), idx);
        else if (nd->op == OP_TRANSPOSE) { for (int k = 0; k < in.rank; k++) up[nd->attr.perm[k]] = idx[k]; memcpy(idx, up, sizeof idx); }
        else if (nd->op == OP_SLICE) for (int k = 0; k < in.rank; k++) idx[k] = nd->attr.start[k] + nd->attr.step[k] * idx[k];
        else return -1;
        n = nd->in[0];
    }
    while (n < b) {   /* up */
        int r = -1;
        for (int j = n + 1; j < g->n; j++)
            for (int k = 0; k < g->nodes[j].nin; k++)
                if (g->nodes[j].in[k] == n) r = j;
        if (r < 0) return -1;
        const Node *rn = &g->nodes[r];
        if (rn->op == OP_RESHAPE) unflat(rn->shape, flat(g->nodes[n].shape, idx), idx);
        else if (rn->op == OP_TRANSPOSE) { for (int k = 0; k < rn->shape.rank; k++) up[k] = idx[rn->attr.perm[k]]; memcpy(idx, up, sizeof idx); }
        else if (rn->op == OP_CONCAT) {
            for (int k = 0; rn->in[k] != n; k++) idx[rn->attr.axis] += g->nodes[rn->in[k]].shape.dim[rn->attr.axis];
        } else return -1;
        n = r;
    }
    return flat(g->nodes[b].shape, idx);
}

/* Every view's layout against element_in; who reads strided views. */
static void check_views(const Graph *g, const char *what) {
    for (int i = 0; i < g->n; i++) {
        int b = views->base[i];
        const Node *n = &g->nodes[i];
        if (b == i || g->nodes[b].op == OP_LITERAL || shape_count(n->shape) > (1 << 16)) continue;
        if (n->op == OP_MATMUL) CHECK(views->placed[i] && b > i, "%s: product %d in node %d's buffer", what, i, b);
        if (views->placed[i]) CHECK(n->op == OP_MATMUL && (n->shape.dim[n->shape.rank - 1] == 1 ||
                                    views->stride[i][n->shape.rank - 1] == 1), "%s: node %d placed", what, i);
        for (int64_t e = 0; e < shape_count(n->shape); e++) {
            int64_t idx[MAX_RANK], at = views->first[i];
            unflat(n->shape, e, idx);
            for (int k = 0; k < n->shape.rank; k++) at += idx[k] * views->stride[i][k];
            if (at != element_in(g, i, idx, b)) {
                CHECK(false, "%s: element %lld of node %d is not at %lld of node %d", what, (long long)e, i,
                      (long long)at, b);
                break;
            }
        }
        if (!views->strided[i]) continue;
        for (int j = i + 1; j < g->n; j++)
            for (int k = 0; k < g->nodes[j].nin; k++)
                if (g->nodes[j].in[k] == i)
                    CHECK(g->nodes[j].op == OP_MATMUL || views->strided[j], "%s: strided view %d read by %s", what, i,
                          op_info[g->nodes[j].op].name);
        int r = n->shape.rank;   /* the GEMM packs rows or columns that are contiguous (linalg.c) */
        CHECK(views->stride[i][r - 1] == 1 || views->stride[i][r - 2] == 1, "%s: strided view %d: no unit stride", what, i);
    }
}

/* Adds exec node e's reads (through inline nodes, each walked once: walked[]
 * holds at + 1) to last[] of their bases. */
static void reads(const Graph *g, const bool *inl, int e, int at, int *last, int *walked) {
    const Node *n = &g->nodes[e];
    for (int k = 0; k < n->nin; k++) {
        int x = n->in[k];
        if (inl[x]) {
            if (walked[x] != at + 1) walked[x] = at + 1, reads(g, inl, x, at, last, walked);
        } else if (last[base(g, x)] < at) {
            last[base(g, x)] = at;
        }
    }
}

static void check_entry(const Model *m, const ModelPlan *mp, const EntryPlan *ep, const char *what) {
    const Graph *g = ep->graph;
    static int last[4096], walked[4096], start[4096];
    if (g->n > 4096) return;
    views = ep->views;
    check_views(g, what);
    for (int i = 0; i < g->n; i++) last[i] = i, walked[i] = 0, start[i] = i;
    for (int i = g->n - 1; i >= 0; i--)   /* a buffer is live from its first write (views.c's placed products) */
        if (base(g, i) > i) start[base(g, i)] = i;
    for (int e = 0; e < g->n; e++)
        if (!ep->inl[e]) reads(g, ep->inl, e, e, last, walked);
    uint64_t lo = mp->scratch_offset, hi = mp->scratch_offset + mp->scratch_size;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (ep->inl[i]) {
            CHECK(op_is_elementwise(n->op) || n->op == OP_SLICE, "%s: node %d inline but %s", what, i,
                  op_info[n->op].name);   /* a slice is read through (fuse.c) */
            continue;
        }
        int64_t off = ep->offset[i];
        if (off < 0) continue;
        uint64_t bytes = (uint64_t)shape_count(n->shape) * 4;
        bool view = base(g, i) != i;   /* a view lies inside its base's block, at its first element */
        int64_t want = view ? ep->offset[base(g, i)] + 4 * views->first[i] : -1;
        CHECK(want >= 0 ? off == want : off % 64 == 0, "%s: node %d at %lld", what, i, (long long)off);
        CHECK((uint64_t)off + bytes <= mp->data_size, "%s: node %d beyond the data region", what, i);
        bool scratch = (uint64_t)off >= lo && n->op != OP_RESHAPE && !view;   /* a load there is a snapshot */
        if (scratch) CHECK((uint64_t)off + bytes <= hi, "%s: node %d beyond the scratch", what, i);
        if (!scratch || base(g, i) != i) continue;
        for (int j = 0; j < g->n; j++) {   /* buffers that start while i's is live */
            if (j == i || start[j] < start[i] || start[j] > last[i] || (start[j] == start[i] && j < i)) continue;
            if (ep->inl[j] || ep->offset[j] < 0 || base(g, j) != j) continue;
            if ((uint64_t)ep->offset[j] < lo) continue;
            uint64_t bj = (uint64_t)shape_count(g->nodes[j].shape) * 4;
            bool disjoint = (uint64_t)ep->offset[j] >= (uint64_t)off + bytes || (uint64_t)ep->offset[j] + bj <= (uint64_t)off;
            /* Allowed: an elementwise loop writing over an operand it is the
             * last reader of, element for element (same buffer, same count). */
            bool over_dying = ep->offset[j] == off && last[i] == j && start[j] == j && op_is_elementwise(g->nodes[j].op) &&
                              shape_count(g->nodes[j].shape) == shape_count(n->shape);
            CHECK(disjoint || over_dying, "%s: node %d [%d..%d] and node %d overlap", what, i, i, last[i], j);
        }
    }
    /* Values computed in a tensor's memory (by their own node, or, fused
     * and exported, by their root's loop): every other reader of the tensor
     * runs first, or is that loop. */
    for (int v = 0; v < g->n; v++) {
        const Node *vn = &g->nodes[v];
        if (vn->op == OP_LOAD || base(g, v) != v || ep->offset[v] < 0 ||
            (uint64_t)ep->offset[v] >= lo)
            continue;
        int writer = ep->inl[v] ? ep->root[v] : v;
        CHECK(!ep->inl[v] || (ep->root[v] > v && !ep->inl[ep->root[v]]), "%s: node %d exported by %d", what, v, writer);
        for (int l = 0; l < g->n; l++) {
            if (g->nodes[l].op != OP_LOAD || (int64_t)mp->tensor_offset[g->nodes[l].attr.tensor] != ep->offset[v]) continue;
            CHECK(last[l] <= writer, "%s: node %d overwrites tensor %s read later by node %d", what, v,
                  m->tensors[g->nodes[l].attr.tensor].name, last[l]);
            if (last[l] == writer)
                CHECK(op_is_elementwise(g->nodes[writer].op) && shape_count(g->nodes[l].shape) == shape_count(vn->shape),
                      "%s: node %d reads and writes a tensor", what, writer);
        }
    }
}

static void check_model(const Model *m, const char *path) {
    Arena *a = arena_new();
    for (int level = 0; level <= 2; level += 2) {
        ModelPlan *mp = plan_model(a, m, level);
        static const TensorKind order[] = {TK_PARAM, TK_BUFFER, TK_STATE, TK_GRAD, TK_INPUT, TK_OUTPUT, TK_LOSS};
        enum { NKINDS = sizeof order / sizeof order[0] };
        int rank = 0;
        uint64_t end = 0;
        for (int i = 0; i < m->ntensors; i++) {
            const Tensor *t = &m->tensors[mp->order[i]];
            while (rank < NKINDS && order[rank] != t->kind) rank++;
            CHECK(rank < NKINDS, "%s: %s: tensors out of descriptor order at %s", path, m->name, t->name);
            uint64_t off = mp->tensor_offset[mp->order[i]];
            CHECK(off % 64 == 0 && off >= end, "%s: %s: tensor %s at %llu", path, m->name, t->name, (unsigned long long)off);
            CHECK(off - end < 64, "%s: %s: a gap before %s", path, m->name, t->name);
            end = off + (uint64_t)shape_count(t->shape) * 4;
        }
        CHECK(end <= mp->scratch_offset && mp->scratch_offset % 64 == 0, "%s: %s: scratch overlaps tensors", path, m->name);
        for (int e = 0; e < ENTRY_COUNT; e++)
            if (mp->entry[e].graph) {
                CHECK(mp->entry[e].scratch_size <= mp->scratch_size, "%s: scratch", m->name);
                check_entry(m, mp, &mp->entry[e], arena_printf(a, "%s: %s -O%d %s", path, m->name, level,
                                                               mp->entry[e].graph->entry));
            }
    }
    arena_free(a);
}

int main(void) {
    glob_t gl;
    int nmodels = 0;
    if (glob("tests/codegen/*.dm", 0, NULL, &gl) != 0) { fprintf(stderr, "run from the repository root\n"); return 1; }
    glob("tests/torch/*.dm", GLOB_APPEND, NULL, &gl);
    for (size_t i = 0; i < gl.gl_pathc * 2; i++) {   /* each file as compiled, then with --in-place-update */
        Arena *a = arena_new();
        const char *path = gl.gl_pathv[i % gl.gl_pathc];
        Models *ms = load(a, path, i >= gl.gl_pathc);
        CHECK(ms != NULL, "%s does not compile", path);
        for (int k = 0; ms && k < ms->n; k++, nmodels++) check_model(ms->items[k], path);
        arena_free(a);
    }
    globfree(&gl);
    printf("cg_plan: %d models, %d failures\n", nmodels, failures);
    return failures != 0 || nmodels == 0;
}
