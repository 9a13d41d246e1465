/* plan.c: the memory plan of a model (where every tensor and every node's
 * buffer lives in the instance's data region) and --stats.
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

static uint64_t node_bytes(const Node *n) { return (uint64_t)shape_count(n->shape) * dtype_size(n->dtype); }

/* The node whose memory n's value lives in: a load's tensor is its load, a
 * reshape is its operand's buffer. */
static int base_of(const Graph *g, int n) {
    while (g->nodes[n].op == OP_RESHAPE) n = g->nodes[n].in[0];
    return n;
}

/* Calls fn(ctx, x, reader, root) for every buffer-holding node x that exec
 * node root reads, looking through its inline operands.  An inline node
 * reached twice (fusion may share one inside a loop) is walked once: seen[]
 * holds root + 1 for the nodes already walked. */
typedef void (*ReadFn)(void *ctx, int x, int reader, int root);
static void walk_reads(const Graph *g, const bool *inl, int *seen, int e, int root, ReadFn fn, void *ctx) {
    const Node *n = &g->nodes[e];
    for (int k = 0; k < n->nin; k++) {
        int x = n->in[k];
        if (!inl[x]) fn(ctx, x, e, root);
        else if (seen[x] != root + 1) {
            seen[x] = root + 1;
            walk_reads(g, inl, seen, x, root, fn, ctx);
        }
    }
}

static void each_read(const Graph *g, const bool *inl, int *seen, int root, ReadFn fn, void *ctx) {
    walk_reads(g, inl, seen, root, root, fn, ctx);
}

typedef struct Live {
    const Graph *g;
    int *last;            /* per base node: last exec node reading it */
} Live;

static void note_read(void *ctx, int x, int reader, int root) {
    Live *l = ctx;
    int b = base_of(l->g, x);
    if (l->last[b] < root) l->last[b] = root;
}

/* May root v (stored in tensor T, loaded by nodes whose base is a LOAD of T)
 * be computed in T's memory?  Checked by walking every exec node's reads. */
typedef struct InPlace {
    const Graph *g;
    int tensor, v;
    bool ok;
} InPlace;

static void check_read(void *ctx, int x, int reader, int root) {
    InPlace *p = ctx;
    const Node *b = &p->g->nodes[base_of(p->g, x)];
    if (b->op != OP_LOAD || b->attr.tensor != p->tensor) return;
    if (root < p->v) return;
    if (root == p->v && op_is_elementwise(p->g->nodes[root].op) &&
        shape_count(p->g->nodes[x].shape) == shape_count(p->g->nodes[root].shape))
        return;                       /* reads element i before writing element i */
    p->ok = false;
}

static bool in_place_ok(const Graph *g, const bool *inl, int *seen, int v, int tensor) {
    InPlace p = {g, tensor, v, true};
    for (int i = 0; i < g->n; i++) seen[i] = 0;
    for (int e = 0; e < g->n && p.ok; e++)
        if (!inl[e]) each_read(g, inl, seen, e, check_read, &p);
    return p.ok;
}

static bool has_buffer(const Node *n) {
    return n->op != OP_LOAD && n->op != OP_RESHAPE && n->op != OP_LITERAL && n->op != OP_STORE;
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
} Reuse;

static void consider_reuse(void *ctx, int x, int reader, int root) {
    Reuse *r = ctx;
    int b = base_of(r->g, x);
    if (r->found >= 0 || r->last[b] != root || r->ep->offset[b] < (int64_t)r->scratch) return;
    if (shape_count(r->g->nodes[x].shape) != shape_count(r->g->nodes[root].shape)) return;
    r->found = b;
}

static int reusable_operand(const Graph *g, const EntryPlan *ep, int *seen, const int *last, int i, uint64_t scratch) {
    if (!op_is_elementwise(g->nodes[i].op)) return -1;
    Reuse r = {g, ep, last, i, -1, scratch};
    for (int k = 0; k < g->n; k++) seen[k] = 0;
    each_read(g, ep->inl, seen, i, consider_reuse, &r);
    /* Reshapes keep the count, so every read of that buffer in the loop is
     * at the written element. */
    return r.found;
}

/* The kernels that can run an elementwise loop on their output. */
static bool hosts_epilogues(Op op) { return op == OP_MATMUL || op == OP_CONV2D || op == OP_MAXPOOL2D_DX; }

/* Does kernel k read (through reshapes) a load of tensor t? */
static bool reads_tensor(const Graph *g, int k, int t) {
    const Node *n = &g->nodes[k];
    for (int i = 0; i < n->nin; i++) {
        const Node *b = &g->nodes[base_of(g, n->in[i])];
        if (b->op == OP_LOAD && b->attr.tensor == t) return true;
    }
    return false;
}

/* Does the loop of root e read (through reshapes) a load of tensor t? */
static bool loop_reads_tensor(const Graph *g, const EntryPlan *ep, int e, int t) {
    for (int v = 0; v <= e; v++)
        if ((v == e || (ep->inl[v] && ep->root[v] == e)) && reads_tensor(g, v, t)) return true;
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
static void find_epilogues(const Graph *g, EntryPlan *ep, const int *in_tensor, const bool *snapshot) {
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
            for (int v = K + 1; v < g->n && ok; v++) {   /* every reader of K is in e's loop */
                const Node *vn = &g->nodes[v];
                for (int j = 0; j < vn->nin && ok; j++)
                    if (vn->in[j] == K && (vn->op == OP_STORE || ep->root[v] != e)) ok = false;
            }
            for (int v = K + 1; v < e && ok; v++) {       /* nothing runs in between */
                Op op = g->nodes[v].op;
                ok = ep->inl[v] || op == OP_RESHAPE || op == OP_LITERAL || (op == OP_LOAD && !snapshot[v]);
            }
            for (int v = 0; v <= e && ok; v++)             /* K reads nothing e's loop writes */
                if ((v == e || (ep->inl[v] && ep->root[v] == e)) && in_tensor[v] >= 0)
                    ok = !reads_tensor(g, K, in_tensor[v]);
            if (ok && in_tensor[e] >= 0) ok = !loop_reads_tensor(g, ep, e, in_tensor[e]);
            if (ok) ep->epilogue[K] = e, ep->host[e] = K;
        }
    }
}

static void plan_entry(Arena *a, const Model *m, ModelPlan *mp, EntryPlan *ep, int opt_level) {
    const Graph *g = ep->graph;
    int *seen = arena_alloc(a, sizeof *seen * (g->n + 1));
    int *in_tensor = arena_alloc(a, sizeof *in_tensor * (g->n + 1));
    for (int i = 0; i < g->n; i++) in_tensor[i] = -1;
    /* Fusion, where a stored value fused into a loop is written by that loop
     * into its tensor: legal when the tensor could take the loop's root in
     * place; otherwise fuse again without that export. */
    bool *no_export = arena_alloc(a, sizeof(bool) * (g->n + 1));
    ep->root = arena_alloc(a, sizeof *ep->root * (g->n + 1));
    for (bool again = true; again;) {
        again = false;
        ep->inl = fuse_graph(a, g, opt_level > 0, no_export, ep->root);
        for (int s = 0; s < g->n; s++) {
            const Node *st = &g->nodes[s];
            int x = st->op == OP_STORE ? st->in[0] : -1;
            if (x < 0 || !ep->inl[x]) continue;
            bool ok = node_bytes(&g->nodes[x]) == (uint64_t)shape_count(m->tensors[st->attr.tensor].shape) * 4 &&
                      in_place_ok(g, ep->inl, seen, ep->root[x], st->attr.tensor);
            in_tensor[x] = ok ? st->attr.tensor : -1;
            if (!ok) no_export[x] = again = true;
        }
    }
    ep->offset = arena_alloc(a, sizeof *ep->offset * (g->n + 1));
    int *last = arena_alloc(a, sizeof *last * (g->n + 1));
    for (int i = 0; i < g->n; i++) last[i] = i, ep->offset[i] = -1;
    Live live = {g, last};
    for (int i = 0; i < g->n; i++) seen[i] = 0;
    for (int e = 0; e < g->n; e++)
        if (!ep->inl[e]) each_read(g, ep->inl, seen, e, note_read, &live);

    /* In place: the first store of each root value, when legal. */
    for (int s = 0; s < g->n; s++) {
        const Node *st = &g->nodes[s];
        if (st->op != OP_STORE) continue;
        int v = base_of(g, st->in[0]);      /* a reshaped value: its base goes in place */
        const Node *vn = &g->nodes[v];
        if (ep->inl[v] || !has_buffer(vn) || in_tensor[v] >= 0) continue;
        if (node_bytes(vn) != (uint64_t)shape_count(m->tensors[st->attr.tensor].shape) * 4) continue;
        if (in_place_ok(g, ep->inl, seen, v, st->attr.tensor)) in_tensor[v] = st->attr.tensor;
    }

    /* A stored tensor that is copied (not computed in place) at its store:
     * a reader of an earlier load of it that runs after the store would see
     * the new value, so such a load keeps a snapshot in a buffer of its own.
     * (The IR allows it: only loads after the store are forbidden.) */
    bool *snapshot = arena_alloc(a, sizeof(bool) * (g->n + 1));
    for (int s = 0; s < g->n; s++) {
        const Node *st = &g->nodes[s];
        if (st->op != OP_STORE || in_tensor[base_of(g, st->in[0])] == st->attr.tensor) continue;
        for (int l = 0; l < s; l++)
            if (g->nodes[l].op == OP_LOAD && g->nodes[l].attr.tensor == st->attr.tensor && last[l] > s)
                snapshot[l] = true;
    }

    ep->epilogue = arena_alloc(a, sizeof *ep->epilogue * (g->n + 1));
    ep->host = arena_alloc(a, sizeof *ep->host * (g->n + 1));
    for (int i = 0; i < g->n; i++) ep->epilogue[i] = ep->host[i] = -1;
    if (opt_level > 0) find_epilogues(g, ep, in_tensor, snapshot);
    /* A kernel with an epilogue holds the epilogue's value: in the
     * epilogue's tensor when that is computed in place, and alive as long. */
    for (int k = 0; k < g->n; k++) {
        int e = ep->epilogue[k];
        if (e < 0) continue;
        if (in_tensor[e] >= 0) in_tensor[k] = in_tensor[e];
        if (last[e] > last[k]) last[k] = last[e];
    }

    Block *live_blocks = arena_alloc(a, sizeof *live_blocks * (g->n + 1));
    int nlive = 0;
    uint64_t top = 0;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (ep->inl[i]) {
            if (in_tensor[i] >= 0) ep->offset[i] = (int64_t)mp->tensor_offset[in_tensor[i]];  /* exported */
            continue;
        }
        if (n->op == OP_LOAD && !snapshot[i]) { ep->offset[i] = mp->tensor_offset[n->attr.tensor]; continue; }
        if (n->op == OP_RESHAPE) { ep->offset[i] = ep->offset[base_of(g, i)]; continue; }
        if (ep->host[i] >= 0) { ep->offset[i] = ep->offset[ep->host[i]]; continue; }   /* an epilogue */
        if (!has_buffer(n) && !snapshot[i]) continue;
        if (in_tensor[i] >= 0) { ep->offset[i] = mp->tensor_offset[in_tensor[i]]; continue; }
        /* Free the blocks whose last reader ran before this node. */
        int k = 0;
        for (int j = 0; j < nlive; j++)
            if (live_blocks[j].last >= i) live_blocks[k++] = live_blocks[j];
        nlive = k;
        /* An elementwise loop may write over an operand that dies here. */
        int dying = reusable_operand(g, ep, seen, last, i, mp->scratch_offset);
        if (dying >= 0) {
            for (int b = 0; b < nlive; b++)
                if ((int64_t)(mp->scratch_offset + live_blocks[b].off) == ep->offset[dying])
                    live_blocks[b].last = last[i];
            ep->offset[i] = ep->offset[dying];
            continue;
        }
        /* First fit: the lowest offset that overlaps no live block. */
        uint64_t size = align_up(node_bytes(n) ? node_bytes(n) : 1), off = 0;
        for (bool moved = true; moved;) {
            moved = false;
            for (int j = 0; j < nlive; j++)
                if (off < live_blocks[j].off + live_blocks[j].size && live_blocks[j].off < off + size) {
                    off = live_blocks[j].off + live_blocks[j].size;
                    moved = true;
                }
        }
        live_blocks[nlive++] = (Block){off, size, last[i]};
        if (off + size > top) top = off + size;
        uint64_t live_bytes = 0;
        for (int j = 0; j < nlive; j++) live_bytes += live_blocks[j].size;
        if (live_bytes > ep->peak_live) ep->peak_live = live_bytes;
        ep->offset[i] = (int64_t)(mp->scratch_offset + off);
    }
    ep->scratch_size = top;
}

ModelPlan *plan_model(Arena *a, const Model *m, int opt_level) {
    ModelPlan *mp = arena_alloc(a, sizeof *mp);
    mp->order = arena_alloc(a, sizeof *mp->order * (m->ntensors + 1));
    mp->tensor_offset = arena_alloc(a, sizeof *mp->tensor_offset * (m->ntensors + 1));
    static const TensorKind family[] = {TK_PARAM, TK_STATE, TK_GRAD, TK_INPUT, TK_OUTPUT, TK_LOSS};
    int n = 0;
    uint64_t off = 0;
    for (int f = 0; f < 6; f++)
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

/* ---- --stats --------------------------------------------------------------- */

/* Floating-point operations of one node (a multiply-add counts 2). */
static double node_flops(const Graph *g, const Node *n) {
    double out = (double)shape_count(n->shape);
    const Shape *x = n->nin > 0 ? &g->nodes[n->in[0]].shape : NULL;
    switch (op_info[n->op].cls) {
    case OC_UNARY: case OC_BINARY: return out;
    case OC_REDUCE: return (double)shape_count(*x);
    case OC_LEAF: case OC_SHAPE: case OC_EFFECT: return 0;
    case OC_COMPLEX: break;
    }
    switch (n->op) {
    case OP_MATMUL: {
        const Node *an = &g->nodes[n->in[0]];
        int64_t k = n->attr.trans_a ? an->shape.dim[0] : an->shape.dim[an->shape.rank - 1];
        return 2.0 * out * (double)k;
    }
    case OP_CONV2D: case OP_CONV2D_DX: {
        const Shape *w = &g->nodes[n->in[1]].shape;   /* [F, C, KH, KW] */
        const Shape *big = n->op == OP_CONV2D ? &n->shape : x;   /* the [N, F, OH, OW] side */
        return 2.0 * (double)shape_count(*big) * (double)(w->dim[1] * w->dim[2] * w->dim[3]);
    }
    case OP_CONV2D_DW: {
        const Shape *dy = &g->nodes[n->in[1]].shape;  /* [N, F, OH, OW] */
        return 2.0 * out * (double)(dy->dim[0] * dy->dim[2] * dy->dim[3]);
    }
    case OP_MAXPOOL2D: case OP_AVGPOOL2D: return out * n->attr.size[0] * n->attr.size[1];
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D_DX: case OP_ONE_HOT:
    case OP_SCE: case OP_SCE_DX: case OP_BCE: case OP_BCE_DX: case OP_RANDOM_MASK:
        return x ? 5.0 * (double)shape_count(*x) : out;
#define OP OP_CASE   /* by their class, above */
#define OP_COMPLEX OP_NONE
#include "ir/ops.def"
        break;
    }
    die("node_flops: bad op %s", op_info[n->op].name);
}

void plan_print_stats(FILE *out, const Model *m) {
    Arena *a = arena_new();
    ModelPlan *mp = plan_model(a, m, 2);
    static const char *kind_name[] = {"input", "output", "param", "grad", "state", "loss"};
    fprintf(out, "model %s: data region %llu bytes (tensors %llu, scratch %llu at offset %llu)\n", m->name,
            (unsigned long long)mp->data_size, (unsigned long long)mp->scratch_offset,
            (unsigned long long)mp->scratch_size, (unsigned long long)mp->scratch_offset);
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[mp->order[i]];
        fprintf(out, "  %-6s %-24s %-20s offset %10llu  %10llu bytes\n", kind_name[t->kind], t->name,
                shape_str(a, t->dtype, t->shape), (unsigned long long)mp->tensor_offset[mp->order[i]],
                (unsigned long long)(shape_count(t->shape) * dtype_size(t->dtype)));
    }
    for (int e = 0; e < ENTRY_COUNT; e++) {
        const EntryPlan *ep = &mp->entry[e];
        if (!ep->graph) continue;
        const Graph *g = ep->graph;
        double flops = 0, bytes = 0;
        fprintf(out, " entry %s: scratch %llu bytes (peak live %llu bytes)\n", g->entry,
                (unsigned long long)ep->scratch_size, (unsigned long long)ep->peak_live);
        fprintf(out, "  %5s %-24s %-20s %12s %12s %10s\n", "node", "op", "shape", "FLOPs", "bytes", "buffer");
        for (int i = 0; i < g->n; i++) {
            const Node *n = &g->nodes[i];
            double f = node_flops(g, n), b = ep->inl[i] || n->op == OP_LOAD || n->op == OP_RESHAPE ? 0 : (double)node_bytes(n);
            for (int k = 0; k < n->nin && !ep->inl[i] && n->op != OP_RESHAPE; k++)
                b += (double)node_bytes(&g->nodes[n->in[k]]);
            flops += f, bytes += b;
            char buf[32];
            if (ep->host[i] >= 0) snprintf(buf, sizeof buf, "after %d", ep->host[i]);   /* node i's epilogue */
            else if (ep->inl[i] && ep->offset[i] >= 0) snprintf(buf, sizeof buf, "fused>%lld", (long long)ep->offset[i]);
            else if (ep->inl[i]) snprintf(buf, sizeof buf, "fused");
            else if (ep->offset[i] >= 0) snprintf(buf, sizeof buf, "%lld", (long long)ep->offset[i]);
            else snprintf(buf, sizeof buf, "-");
            fprintf(out, "  %5d %-24s %-20s %12.0f %12.0f %10s\n", i, op_info[n->op].name,
                    shape_str(a, n->dtype, n->shape), f, b, buf);
        }
        fprintf(out, "  total: %.0f FLOPs, %.0f bytes moved\n", flops, bytes);
    }
    arena_free(a);
}
