/* plan.c: the memory plan of a model (where every tensor and every node's
 * buffer lives in the instance's data region); stats.c prints it (--stats).
 *
 * Needs: the model's final graphs (after simplify) and fuse_graph.
 * Guarantees: persistent tensors in descriptor order (params, state, grads,
 * inputs, outputs, loss), each at a 64-byte aligned offset, families
 * contiguous; then the scratch arena, shared by the entries.  Inside an
 * entry, a node's buffer is never overlapped by another buffer that is live
 * at the same time: a buffer is live from the node that writes it to the last
 * node that reads it (through inline nodes and reshape views).  A value that
 * is stored is computed in place in its tensor when every other reader of the
 * tensor runs before it (or is the node itself, reading the same element it
 * writes, in one elementwise loop); a stored value fused into a later loop
 * ("exported") is written by that loop in place under the same rule; a load
 * whose value is read after its tensor is overwritten keeps a snapshot.
 * An elementwise loop that is the only reader of a kernel's output, right
 * after it, becomes that kernel's epilogue (find_epilogues): it runs on each
 * part of the output as soon as the part is final, in the kernel's buffer. */
#include "passes/passes.h"
#include "dm.h"

#include <stdlib.h>
#include <string.h>

enum { ALIGN = DM_ALIGN };   /* the runtime aligns the data region to it */

static uint64_t align_up(uint64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

int64_t dtype_size(DType t) { (void)t; return 4; }

const Graph *model_entry_graph(const Model *m, int entry) {
    const Graph *g = NULL;
    switch (entry) {
    case ENTRY_FORWARD: g = &m->forward; break;
    case ENTRY_GRADIENTS: g = &m->gradients; break;
    case ENTRY_APPLY: g = &m->apply; break;
    case ENTRY_TRAIN_STEP: g = &m->train_step; break;
    default: die("bad entry %d", entry);
    }
    return g->n > 0 || entry == ENTRY_FORWARD ? g : NULL;
}

uint64_t plan_node_bytes(const Node *n) { return (uint64_t)shape_count(n->shape) * dtype_size(n->dtype); }

/* The node whose memory n's value lives in: a load's tensor is its load, a
 * reshape or a slice view is (in) its operand's buffer, a strided view in
 * its chain's first buffer (views.c). */
static int base_of(const Views *v, int n) { return v->base[n]; }

/* A reshape, a slice that is a view or a strided view: no buffer of its own. */
static bool is_view(const Views *v, int n) { return v->base[n] != n; }

/* Whether x (read by a loop) is read through a slice or strided view: its
 * elements are not at the loop's element of the base. */
static bool through_slice_view(const Graph *g, const Views *v, int x) {
    for (; is_view(v, x); x = g->nodes[x].in[0])
        if (g->nodes[x].op == OP_SLICE || v->strided[x]) return true;
    return false;
}

/* Calls fn(ctx, x, reader, root) for every buffer-holding node x that exec
 * node root reads, looking through its inline operands.  An inline node
 * reached twice (fusion may share one inside a loop) is walked once: seen[]
 * holds the stamp of the walk that reached it, a new stamp per walk, so no
 * walk has to clear it (which would make planning quadratic). */
typedef void (*ReadFn)(void *ctx, int x, int reader, int root);
typedef struct Walk { int *seen; int stamp; } Walk;

static void walk_reads(const Graph *g, const bool *inl, Walk *w, int e, int root, ReadFn fn, void *ctx) {
    const Node *n = &g->nodes[e];
    for (int k = 0; k < n->nin; k++) {
        int x = n->in[k];
        if (!inl[x]) fn(ctx, x, e, root);
        else if (w->seen[x] != w->stamp) {
            w->seen[x] = w->stamp;
            walk_reads(g, inl, w, x, root, fn, ctx);
        }
    }
}

static void each_read(const Graph *g, const bool *inl, Walk *w, int root, ReadFn fn, void *ctx) {
    w->stamp++;
    walk_reads(g, inl, w, root, root, fn, ctx);
}

/* Lists of node ids per node, in one array (start[i] .. start[i + 1]). */
typedef struct Lists { int *start, *items; } Lists;

/* For each key k in [0, nkeys), the items v in [0, nitems) with key[v] == k,
 * in increasing order (items whose key is -1 are in no list). */
static Lists lists_by(Arena *a, int nkeys, int nitems, const int *key) {
    Lists l = {arena_alloc(a, sizeof(int) * (size_t)(nkeys + 2)), arena_alloc(a, sizeof(int) * (size_t)(nitems + 1))};
    for (int v = 0; v < nitems; v++) if (key[v] >= 0) l.start[key[v] + 1]++;
    for (int k = 0; k < nkeys; k++) l.start[k + 1] += l.start[k];
    int *fill = arena_alloc(a, sizeof(int) * (size_t)(nkeys + 1));
    for (int v = 0; v < nitems; v++) if (key[v] >= 0) l.items[l.start[key[v]] + fill[key[v]]++] = v;
    return l;
}

typedef struct Live {
    const Views *v;
    int *last;            /* per base node: last exec node reading it */
} Live;

static void note_read(void *ctx, int x, int reader, int root) {
    Live *l = ctx;
    int b = base_of(l->v, x);
    if (l->last[b] < root) l->last[b] = root;
}

/* Every read of a tensor's loads by the exec nodes' loops: (x, root) pairs
 * per tensor, collected in one walk over the entry. */
typedef struct TensorRead { int x, root; } TensorRead;
typedef struct ReadsOf { TensorRead *items; int n, cap; } ReadsOf;
typedef struct CollectReads { Arena *a; const Graph *g; const Views *v; ReadsOf *of; } CollectReads;

static void note_tensor_read(void *ctx, int x, int reader, int root) {
    CollectReads *c = ctx;
    const Node *b = &c->g->nodes[base_of(c->v, x)];
    if (b->op != OP_LOAD) return;
    ReadsOf *r = &c->of[b->attr.tensor];
    VEC_PUSH(c->a, r->items, r->n, r->cap, ((TensorRead){x, root}));
}

static ReadsOf *tensor_reads(Arena *a, const Model *m, const Graph *g, const Views *v, const bool *inl, Walk *w) {
    CollectReads c = {a, g, v, arena_alloc(a, sizeof(ReadsOf) * (size_t)(m->ntensors + 1))};
    for (int e = 0; e < g->n; e++)
        if (!inl[e]) each_read(g, inl, w, e, note_tensor_read, &c);
    return c.of;
}

/* May root v (stored in tensor T) be computed in T's memory?  Every read of
 * a load of T must come from a loop that runs before v, or from v's own
 * loop reading the element it writes. */
static bool in_place_ok(const Graph *g, const ReadsOf *reads, int v, int tensor) {
    for (int i = 0; i < reads[tensor].n; i++) {
        int x = reads[tensor].items[i].x, root = reads[tensor].items[i].root;
        if (root < v) continue;
        if (root == v && op_is_elementwise(g->nodes[root].op) &&
            shape_count(g->nodes[x].shape) == shape_count(g->nodes[root].shape))
            continue;                 /* reads element i before writing element i */
        return false;
    }
    return true;
}

static bool has_buffer(const Graph *g, const Views *v, int i) {
    Op op = g->nodes[i].op;
    return op != OP_LOAD && op != OP_LITERAL && op != OP_STORE && !is_view(v, i);
}

typedef struct Block { uint64_t off, size; int last; } Block;

/* An elementwise root may take the scratch buffer of an operand whose last
 * reader it is, when it reads that operand at the element it writes (same
 * element count): element i is read before element i is written, in one
 * loop.  Returns such an operand, or -1. */
typedef struct Reuse {
    const Graph *g;
    const EntryPlan *ep;
    const int *last;
    int root, found;
    uint64_t scratch;
    int viewed[8], nviewed;   /* bases read through a slice view (never reused); more: any */
} Reuse;

static void consider_reuse(void *ctx, int x, int reader, int root) {
    Reuse *r = ctx;
    int b = base_of(r->ep->views, x);
    if (through_slice_view(r->g, r->ep->views, x)) {
        if (r->nviewed < 8) r->viewed[r->nviewed] = b;
        r->nviewed++;
        return;
    }
    if (r->found >= 0 || r->last[b] != root || r->ep->offset[b] < (int64_t)r->scratch) return;
    if (shape_count(r->g->nodes[x].shape) != shape_count(r->g->nodes[root].shape)) return;
    r->found = b;
}

static int reusable_operand(const Graph *g, const EntryPlan *ep, Walk *w, const int *last, int i, uint64_t scratch) {
    if (!op_is_elementwise(g->nodes[i].op)) return -1;
    Reuse r = {g, ep, last, i, -1, scratch, {0}, 0};
    each_read(g, ep->inl, w, i, consider_reuse, &r);
    /* Reshapes keep the count, so every read of that buffer in the loop is
     * at the written element; a slice view's reads are elsewhere. */
    for (int k = 0; k < r.nviewed && r.found >= 0; k++)
        if (k >= 8 || r.viewed[k] == r.found) r.found = -1;
    return r.found;
}

/* The kernels that can run an elementwise loop on their output. */
static bool hosts_epilogues(Op op) { return op == OP_MATMUL || op == OP_CONV2D || op == OP_MAXPOOL2D_DX; }

/* Does kernel k read (through reshapes) a load of tensor t? */
static bool reads_tensor(const Graph *g, const Views *v, int k, int t) {
    const Node *n = &g->nodes[k];
    for (int i = 0; i < n->nin; i++) {
        const Node *b = &g->nodes[base_of(v, n->in[i])];
        if (b->op == OP_LOAD && b->attr.tensor == t) return true;
    }
    return false;
}

/* Does the loop of root e (its members: the nodes whose root is e) read
 * (through reshapes) a load of tensor t? */
static bool loop_reads_tensor(const Graph *g, const Views *v, Lists members, int e, int t) {
    for (int i = members.start[e]; i < members.start[e + 1]; i++)
        if (reads_tensor(g, v, members.items[i], t)) return true;
    return false;
}

/* Elementwise root e becomes the epilogue of kernel k when its loop reads
 * k's output at the element it writes (same shape) and is its only reader
 * (k is not stored either), nothing runs between them (every node between
 * is inline, a view, a literal or a load without a snapshot), k reads no
 * tensor that e's loop writes (e's own, or an exported value's), and, when
 * e is computed in its tensor, which k then writes first, e's loop does not
 * read that tensor's old value: then running e's loop on each finished part
 * of k's output, in k's buffer, computes what running it after k computes. */
static void find_epilogues(Arena *a, const Graph *g, EntryPlan *ep, const int *in_tensor, const bool *snapshot) {
    /* The readers of each node, and the members of each loop. */
    int nedges = 0;
    for (int v = 0; v < g->n; v++) nedges += g->nodes[v].nin;
    int *reader = arena_alloc(a, sizeof(int) * (size_t)(nedges + 1)), *read = arena_alloc(a, sizeof(int) * (size_t)(nedges + 1));
    for (int v = 0, k = 0; v < g->n; v++)
        for (int j = 0; j < g->nodes[v].nin; j++, k++) reader[k] = v, read[k] = g->nodes[v].in[j];
    Lists readers_of = lists_by(a, g->n, nedges, read);   /* per node: the edges that read it */
    Lists members = lists_by(a, g->n, g->n, ep->root);
    for (int u = 0; u < g->n; u++) {
        const Node *un = &g->nodes[u];
        int e = ep->root[u];
        if (!op_is_elementwise(g->nodes[e].op) || ep->inl[e] || g->nodes[e].op == OP_CONST) continue;
        for (int k = 0; k < un->nin; k++) {
            int K = un->in[k];
            const Node *kn = &g->nodes[K];
            if (!hosts_epilogues(kn->op) || ep->epilogue[K] >= 0 || ep->host[e] >= 0) continue;
            if (!shape_eq(kn->shape, g->nodes[e].shape)) continue;
            bool ok = true;
            for (int r = readers_of.start[K]; r < readers_of.start[K + 1] && ok; r++) {  /* every reader of K */
                int v = reader[readers_of.items[r]];                                  /* is in e's loop */
                if (g->nodes[v].op == OP_STORE || ep->root[v] != e) ok = false;
            }
            for (int v = K + 1; v < e && ok; v++) {       /* nothing runs in between */
                Op op = g->nodes[v].op;
                ok = ep->inl[v] || (is_view(ep->views, v) && !ep->views->placed[v]) || op == OP_LITERAL || (op == OP_LOAD && !snapshot[v]);
            }
            for (int i = members.start[e]; i < members.start[e + 1] && ok; i++) {  /* K reads nothing */
                int v = members.items[i];                                           /* e's loop writes */
                if (in_tensor[v] >= 0) ok = !reads_tensor(g, ep->views, K, in_tensor[v]);
            }
            if (ok && in_tensor[e] >= 0) ok = !loop_reads_tensor(g, ep->views, members, e, in_tensor[e]);
            if (ok) ep->epilogue[K] = e, ep->host[e] = K;
        }
    }
}

/* The state of planning one entry, shared by its steps. */
typedef struct EntryState {
    Arena *a;
    const Model *m;
    ModelPlan *mp;
    EntryPlan *ep;
    const Graph *g;
    Walk walk;            /* scratch for each_read */
    ReadsOf *reads;       /* per tensor: the reads of its loads, under the final fusion */
    int *in_tensor;       /* per node: the tensor it is computed in, or -1 */
    int *last;            /* per base node: the last exec node reading it */
    bool *snapshot;       /* per load: keeps a copy of its tensor in a buffer */
} EntryState;

static bool fits_tensor(const EntryState *s, const Node *n, int tensor) {
    return plan_node_bytes(n) == (uint64_t)shape_count(s->m->tensors[tensor].shape) * 4;
}

/* Fusion, where a stored value fused into a loop is written by that loop
 * into its tensor: legal when the tensor could take the loop's root in
 * place; otherwise fuse again without that export. */
static void fuse_exports(EntryState *s, int opt_level) {
    const Graph *g = s->g;
    EntryPlan *ep = s->ep;
    bool *no_export = arena_alloc(s->a, sizeof(bool) * (g->n + 1));
    ep->root = arena_alloc(s->a, sizeof *ep->root * (g->n + 1));
    for (bool again = true; again;) {
        again = false;
        ep->inl = fuse_graph(s->a, g, opt_level > 0, no_export, ep->root);
        s->reads = tensor_reads(s->a, s->m, g, ep->views, ep->inl, &s->walk);
        for (int i = 0; i < g->n; i++) {
            const Node *st = &g->nodes[i];
            int x = st->op == OP_STORE ? st->in[0] : -1;
            if (x < 0 || !ep->inl[x]) continue;
            bool ok = fits_tensor(s, &g->nodes[x], st->attr.tensor) &&
                      in_place_ok(g, s->reads, ep->root[x], st->attr.tensor);
            s->in_tensor[x] = ok ? st->attr.tensor : -1;
            if (!ok) no_export[x] = again = true;
        }
    }
}

/* Every buffer's last reader. */
static void find_lifetimes(EntryState *s) {
    const Graph *g = s->g;
    s->last = arena_alloc(s->a, sizeof *s->last * (g->n + 1));
    for (int i = 0; i < g->n; i++) s->last[i] = i;
    Live live = {s->ep->views, s->last};
    for (int e = 0; e < g->n; e++)
        if (!s->ep->inl[e]) each_read(g, s->ep->inl, &s->walk, e, note_read, &live);
}

/* In place: the first store of each root value, when legal. */
static void compute_stores_in_place(EntryState *s) {
    const Graph *g = s->g;
    for (int i = 0; i < g->n; i++) {
        const Node *st = &g->nodes[i];
        if (st->op != OP_STORE) continue;
        int v = base_of(s->ep->views, st->in[0]);      /* a reshaped value: its base goes in place */
        const Node *vn = &g->nodes[v];
        if (s->ep->views->writer[v] >= 0) continue;   /* written before it runs (views.c) */
        if (s->ep->inl[v] || !has_buffer(g, s->ep->views, v) || s->in_tensor[v] >= 0) continue;
        if (!fits_tensor(s, vn, st->attr.tensor)) continue;
        if (in_place_ok(g, s->reads, v, st->attr.tensor)) s->in_tensor[v] = st->attr.tensor;
    }
}

/* A stored tensor that is copied (not computed in place) at its store:
 * a reader of an earlier load of it that runs after the store would see
 * the new value, so such a load keeps a snapshot in a buffer of its own.
 * (The IR allows it: only loads after the store are forbidden.) */
static void find_snapshots(EntryState *s) {
    const Graph *g = s->g;
    s->snapshot = arena_alloc(s->a, sizeof(bool) * (g->n + 1));
    int *tensor_of = arena_alloc(s->a, sizeof(int) * (g->n + 1));
    for (int l = 0; l < g->n; l++) tensor_of[l] = g->nodes[l].op == OP_LOAD ? g->nodes[l].attr.tensor : -1;
    Lists loads = lists_by(s->a, s->m->ntensors, g->n, tensor_of);
    for (int i = 0; i < g->n; i++) {
        const Node *st = &g->nodes[i];
        if (st->op != OP_STORE || s->in_tensor[base_of(s->ep->views, st->in[0])] == st->attr.tensor) continue;
        for (int k = loads.start[st->attr.tensor]; k < loads.start[st->attr.tensor + 1]; k++) {
            int l = loads.items[k];
            if (l < i && s->last[l] > i) s->snapshot[l] = true;
        }
    }
}

/* The epilogues (at -O1 and above).  A kernel with an epilogue holds the
 * epilogue's value: in the epilogue's tensor when that is computed in
 * place, and alive as long. */
static void plan_epilogues(EntryState *s, int opt_level) {
    const Graph *g = s->g;
    EntryPlan *ep = s->ep;
    ep->epilogue = arena_alloc(s->a, sizeof *ep->epilogue * (g->n + 1));
    ep->host = arena_alloc(s->a, sizeof *ep->host * (g->n + 1));
    for (int i = 0; i < g->n; i++) ep->epilogue[i] = ep->host[i] = -1;
    if (opt_level > 0) find_epilogues(s->a, g, ep, s->in_tensor, s->snapshot);
    for (int k = 0; k < g->n; k++) {
        int e = ep->epilogue[k];
        if (e < 0) continue;
        if (s->in_tensor[e] >= 0) s->in_tensor[k] = s->in_tensor[e];
        if (s->last[e] > s->last[k]) s->last[k] = s->last[e];
    }
}

/* The offset of node i's value when it needs no scratch block of its own
 * (inline, a tensor's memory, a view, an epilogue), or -2 if it does. */
static int64_t offset_without_block(const EntryState *s, int i) {
    const Node *n = &s->g->nodes[i];
    const EntryPlan *ep = s->ep;
    const int *in_tensor = s->in_tensor;
    if (ep->views->base[i] > i) return -1;   /* in a later node's buffer: set once that is placed */
    if (ep->inl[i]) return in_tensor[i] >= 0 ? (int64_t)s->mp->tensor_offset[in_tensor[i]] : -1;  /* exported */
    if (n->op == OP_LOAD && !s->snapshot[i]) return (int64_t)s->mp->tensor_offset[n->attr.tensor];
    if (n->op == OP_RESHAPE) return ep->offset[n->in[0]];   /* its operand's memory, a view's included */
    int64_t first;
    if (slice_is_view(s->g, i, &first) && !ep->views->strided[i]) return ep->offset[n->in[0]] + first * dtype_size(n->dtype);
    if (ep->views->strided[i]) {   /* a strided view: at its first element in its base's buffer */
        int b = ep->views->base[i];
        return ep->offset[b] < 0 ? -1 : ep->offset[b] + ep->views->first[i] * dtype_size(n->dtype);
    }
    if (ep->host[i] >= 0) return ep->offset[ep->host[i]];   /* an epilogue */
    if (!has_buffer(s->g, ep->views, i) && !s->snapshot[i]) return -1;
    if (in_tensor[i] >= 0) return (int64_t)s->mp->tensor_offset[in_tensor[i]];
    return -2;
}

/* The lowest offset for block x that overlaps none of the placed blocks
 * whose lifetimes meet x's (`placed`: their indices; `at`: offsets). */
typedef struct Span { uint64_t size; int first, last; } Span;
typedef struct Range { uint64_t off, end; } Range;

static int by_offset(const void *x, const void *y) {
    const Range *a = x, *b = y;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* One sweep over the conflicting ranges sorted by offset: a range that
 * starts before the candidate and is passed over cannot meet it later. */
static uint64_t lowest_fit(Range *conflicts, int n, uint64_t size) {
    qsort(conflicts, (size_t)n, sizeof *conflicts, by_offset);
    uint64_t off = 0;
    for (int j = 0; j < n; j++)
        if (off < conflicts[j].end && conflicts[j].off < off + size) off = conflicts[j].end;
    return off;
}

/* Offsets for the blocks placed in the order `order`, each at the lowest
 * fit; returns the arena's size.  in_node_order: the order is by first
 * node, so a block that died before the current one starts never meets a
 * later one and leaves the list of candidates (linear, as before). */
static uint64_t place_blocks(Arena *a, const Span *spans, int n, const int *order, bool in_node_order, uint64_t *at) {
    int *placed = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    Range *conflicts = arena_alloc(a, sizeof(Range) * (size_t)(n + 1));
    int nplaced = 0;
    uint64_t top = 0;
    for (int k = 0; k < n; k++) {
        int b = order[k], nc = 0, kept = 0;
        for (int j = 0; j < nplaced; j++) {
            const Span *y = &spans[placed[j]];
            if (in_node_order && y->last < spans[b].first) continue;   /* dead for good */
            placed[kept++] = placed[j];
            if (y->first <= spans[b].last && spans[b].first <= y->last)
                conflicts[nc++] = (Range){at[placed[j]], at[placed[j]] + y->size};
        }
        nplaced = kept;
        at[b] = lowest_fit(conflicts, nc, spans[b].size);
        placed[nplaced++] = b;
        if (at[b] + spans[b].size > top) top = at[b] + spans[b].size;
    }
    return top;
}

enum { MAX_BLOCKS_BY_SIZE = 1024 };
static const Span *sort_spans;
static int larger_first(const void *x, const void *y) {
    const Span *a = &sort_spans[*(const int *)x], *b = &sort_spans[*(const int *)y];
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->first - b->first;
}

/* The scratch blocks: a node that needs one gets a block, live from it to
 * its last reader, except that an elementwise loop may write over an
 * operand that dies there (the block then lives on).  Then the blocks are
 * placed twice, each at the lowest offset that overlaps no block live at
 * the same time: in node order (first fit), and largest first (which
 * leaves no hole a large late block does not fit, e.g. the first layer's
 * weight gradient at the end of an --in-place-update step); the smaller
 * arena wins, node order on a tie. */
static void assign_scratch(EntryState *s) {
    const Graph *g = s->g;
    EntryPlan *ep = s->ep;
    uint64_t scratch = s->mp->scratch_offset;
    Span *spans = arena_alloc(s->a, sizeof *spans * (g->n + 1));
    int *block_of = arena_alloc(s->a, sizeof *block_of * (g->n + 1));   /* the block its value lies in */
    bool *own = arena_alloc(s->a, sizeof *own * (g->n + 1));              /* at the block's start */
    int nblocks = 0;
    for (int i = 0; i < g->n; i++) block_of[i] = -1;
    for (int i = 0; i < g->n; i++) {
        int y = ep->views->base[i];
        if (y > i) {   /* a product, or a chain's node, in the buffer of y (views.c): y's block starts here */
            if (block_of[y] < 0) {
                spans[nblocks] = (Span){align_up(plan_node_bytes(&g->nodes[y])), i, s->last[y]};
                block_of[y] = nblocks++;
                own[y] = true;
            }
            block_of[i] = block_of[y];
            ep->offset[i] = (int64_t)scratch;
            continue;
        }
        if (block_of[i] >= 0) {   /* its block began at its first writer */
            ep->offset[i] = (int64_t)scratch;
            continue;
        }
        int64_t fixed = offset_without_block(s, i);
        if (fixed != -2) {
            if (fixed >= 0) ep->offset[i] = fixed;
            if (fixed >= (int64_t)scratch)   /* a view or an epilogue: in its operand's (host's) block */
                block_of[i] = block_of[ep->host[i] >= 0 ? ep->host[i] : g->nodes[i].in[0]];
            continue;
        }
        own[i] = true;
        int dying = reusable_operand(g, ep, &s->walk, s->last, i, scratch);
        if (dying >= 0 && block_of[dying] >= 0) {
            block_of[i] = block_of[dying];
            if (s->last[i] > spans[block_of[i]].last) spans[block_of[i]].last = s->last[i];
        } else {
            uint64_t bytes = plan_node_bytes(&g->nodes[i]);
            spans[nblocks] = (Span){align_up(bytes ? bytes : 1), i, s->last[i]};
            block_of[i] = nblocks++;
        }
        ep->offset[i] = (int64_t)scratch;   /* in scratch (reusable_operand asks); the offset comes below */
    }
    /* The most bytes live at once (a lower bound of any placement). */
    int64_t *change = arena_alloc(s->a, sizeof *change * (g->n + 2));
    for (int b = 0; b < nblocks; b++) change[spans[b].first] += (int64_t)spans[b].size, change[spans[b].last + 1] -= (int64_t)spans[b].size;
    int64_t live = 0;
    for (int i = 0; i < g->n; i++)
        if ((live += change[i]) > (int64_t)ep->peak_live) ep->peak_live = (uint64_t)live;
    int *in_order = arena_alloc(s->a, sizeof(int) * (size_t)(nblocks + 1));
    int *by_size = arena_alloc(s->a, sizeof(int) * (size_t)(nblocks + 1));
    for (int b = 0; b < nblocks; b++) in_order[b] = by_size[b] = b;
    sort_spans = spans;
    qsort(by_size, (size_t)nblocks, sizeof *by_size, larger_first);   /* cheap next to the placements */
    uint64_t *at = arena_alloc(s->a, sizeof *at * (size_t)(nblocks + 1));
    uint64_t *at_by_size = arena_alloc(s->a, sizeof *at * (size_t)(nblocks + 1));
    uint64_t top = place_blocks(s->a, spans, nblocks, in_order, true, at);
    /* Largest first costs time quadratic in the blocks: only when node
     * order left room above the lower bound, and not for the largest
     * graphs (docs/performance.md, compile scaling). */
    if (top > ep->peak_live && nblocks <= MAX_BLOCKS_BY_SIZE) {
        uint64_t top_by_size = place_blocks(s->a, spans, nblocks, by_size, false, at_by_size);
        if (top_by_size < top) at = at_by_size, top = top_by_size;
    }
    for (int i = 0; i < g->n; i++) {   /* views and epilogues follow their operand's (or host's) block */
        if (own[i]) ep->offset[i] = (int64_t)(scratch + at[block_of[i]]);
        else if (offset_without_block(s, i) >= 0) ep->offset[i] = offset_without_block(s, i);
    }
    for (int i = 0; i < g->n; i++) {   /* in a later node's buffer */
        int y = ep->views->base[i];
        if (y > i) ep->offset[i] = ep->offset[y] + ep->views->first[i] * dtype_size(g->nodes[i].dtype);
    }
    ep->scratch_size = top;
}

static void plan_entry(Arena *a, const Model *m, ModelPlan *mp, EntryPlan *ep, int opt_level) {
    const Graph *g = ep->graph;
    EntryState s = {.a = a, .m = m, .mp = mp, .ep = ep, .g = g};
    s.walk.seen = arena_alloc(a, sizeof *s.walk.seen * (g->n + 1));
    s.in_tensor = arena_alloc(a, sizeof *s.in_tensor * (g->n + 1));
    for (int i = 0; i < g->n; i++) s.in_tensor[i] = -1;
    ep->views = plan_views(a, g, opt_level > 0);
    fuse_exports(&s, opt_level);
    ep->offset = arena_alloc(a, sizeof *ep->offset * (g->n + 1));
    for (int i = 0; i < g->n; i++) ep->offset[i] = -1;
    find_lifetimes(&s);
    compute_stores_in_place(&s);
    find_snapshots(&s);
    plan_epilogues(&s, opt_level);
    assign_scratch(&s);
}

ModelPlan *plan_model(Arena *a, const Model *m, int opt_level) {
    ModelPlan *mp = arena_alloc(a, sizeof *mp);
    mp->order = arena_alloc(a, sizeof *mp->order * (m->ntensors + 1));
    mp->tensor_offset = arena_alloc(a, sizeof *mp->tensor_offset * (m->ntensors + 1));
    static const TensorKind family[] = {TK_PARAM, TK_BUFFER, TK_STATE, TK_GRAD, TK_INPUT, TK_OUTPUT, TK_LOSS};
    int n = 0;
    uint64_t off = 0;
    for (size_t f = 0; f < sizeof family / sizeof family[0]; f++)
        for (int t = 0; t < m->ntensors; t++) {
            const Tensor *ts = &m->tensors[t];
            if (ts->kind != family[f]) continue;
            mp->order[n++] = t;
            mp->tensor_offset[t] = off;
            off += align_up((uint64_t)shape_count(ts->shape) * dtype_size(ts->dtype));
        }
    if (n != m->ntensors) die("tensor of an unknown kind in model %s", m->name);
    mp->scratch_offset = off;
    for (int e = 0; e < ENTRY_COUNT; e++) {
        EntryPlan *ep = &mp->entry[e];
        ep->graph = model_entry_graph(m, e);
        if (!ep->graph) continue;
        plan_entry(a, m, mp, ep, opt_level);
        if (ep->scratch_size > mp->scratch_size) mp->scratch_size = ep->scratch_size;
    }
    mp->data_size = mp->scratch_offset + mp->scratch_size;
    if (mp->data_size == 0) mp->data_size = ALIGN;
    return mp;
}
