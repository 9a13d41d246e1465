/* inplace.c: --in-place-update, the train step without gradient tensors.
 *
 * Each parameter's update runs as soon as its gradient is final and the
 * backward pass no longer reads the parameter's old value (the "in-place
 * update" of on-device training, e.g. MIT's Tiny Training Engine): a
 * gradient then lives in the scratch arena from the node that finishes it
 * to its update, not in a persistent "grad/<p>" tensor for the whole step.
 *
 * Needs: m->train_step as optim.c builds it (the gradients' nodes, storing
 * every "grad/<p>", then the apply's nodes, reading those values), after
 * entries and simplify, and inplace_refusal(m) == NULL: plain SGD without
 * momentum, so an update reads nothing but its gradient, its parameter and
 * "opt/lr" (plus constants), and writes nothing but the parameter.
 * Guarantees: the train step's nodes are the same nodes (so every element
 * gets the same float operations in the same order as gradients followed
 * by apply), the gradient stores removed and reordered: the nodes that
 * compute the update of p (those no other store needs) come right after
 * the last of (a) the nodes they read that the rest of the step needs
 * (the gradient's final value) and (b) the nodes that read a load of p,
 * through views; nodes shared by updates ("opt/lr", constants) come before
 * the first of them.  The gradients and apply entries and the TK_GRAD
 * tensors are gone (the runtime answers DM_EUNSUPPORTED for them).  The
 * memory plan (plan.c) then computes each update in its parameter's memory
 * where every read of the old value has run; where fusion moved a read
 * later, it keeps a snapshot, so the order is an optimisation, never a
 * correctness condition. */
#include "passes/passes.h"

/* Adam's and momentum's updates read per-parameter state too; folding them
 * in the same way would work, but the target (docs/targets.md) is the
 * smallest training footprint, which is plain SGD's, and only it is tested. */
const char *inplace_optimizer_refusal(const Optimizer *o) {
    if (o->kind == OPT_NONE) return "the model has no optimizer, so its train step updates nothing";
    if (o->kind != OPT_SGD) return "only sgd without momentum is supported";
    if (o->momentum != 0) return "only sgd without momentum is supported (this one has momentum)";
    return NULL;
}

const char *inplace_refusal(const Model *m) {
    const char *why = inplace_optimizer_refusal(&m->opt);
    if (why) return why;
    if (m->train_step.n == 0 || m->gradients.n == 0) return "it has no gradients entry to fold into its train step";
    return NULL;
}

static bool is_store_to(const Model *m, const Node *n, TensorKind kind) {
    return n->op == OP_STORE && m->tensors[n->attr.tensor].kind == kind;
}

/* The nodes the rest of the step needs: every store's cone but the
 * parameter updates' (a gradient store counts: it marks the final value),
 * and any node no update needs (a dead one stays where it is). */
static bool *main_nodes(Arena *a, const Model *m, const Graph *g) {
    bool *main = arena_alloc(a, sizeof(bool) * (size_t)(g->n + 1));
    bool *update = arena_alloc(a, sizeof(bool) * (size_t)(g->n + 1));
    for (int i = g->n - 1; i >= 0; i--) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_STORE) {
            if (is_store_to(m, n, TK_PARAM)) update[i] = true;
            else main[i] = true;
        }
        for (int k = 0; k < n->nin; k++) {
            if (main[i]) main[n->in[k]] = true;
            if (update[i]) update[n->in[k]] = true;
        }
    }
    for (int i = 0; i < g->n; i++) main[i] = main[i] || !update[i];
    return main;
}

/* Per tensor: the last main node reading one of its loads (through views),
 * or the load itself; -1 if none. */
static int *last_main_reads(Arena *a, const Model *m, const Graph *g, const bool *main) {
    int *last = arena_alloc(a, sizeof(int) * (size_t)(m->ntensors + 1));
    for (int t = 0; t < m->ntensors; t++) last[t] = -1;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (!main[i]) continue;
        if (n->op == OP_LOAD && last[n->attr.tensor] < i) last[n->attr.tensor] = i;
        for (int k = 0; k < n->nin; k++) {
            const Node *b = &g->nodes[graph_view_base(g, n->in[k])];
            if (b->op == OP_LOAD && last[b->attr.tensor] < i) last[b->attr.tensor] = i;
        }
    }
    return last;
}

/* Where each update node goes: after main node pos[i] (-1: first).  An
 * update store waits for the main nodes its cone reads and for the last
 * main read of its parameter; a node of its cone goes with the first
 * store that needs it. */
static int *update_positions(Arena *a, const Model *m, const Graph *g, const bool *main) {
    int *last = last_main_reads(a, m, g, main);
    int *needs = arena_alloc(a, sizeof(int) * (size_t)(g->n + 1));   /* latest main node read by i's cone */
    int *pos = arena_alloc(a, sizeof(int) * (size_t)(g->n + 1));
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        needs[i] = -1, pos[i] = g->n;
        if (main[i]) continue;
        for (int k = 0; k < n->nin; k++) {
            int x = n->in[k], at = main[x] ? x : needs[x];
            if (at > needs[i]) needs[i] = at;
        }
        if (n->op == OP_STORE && last[n->attr.tensor] > needs[i]) needs[i] = last[n->attr.tensor];
    }
    for (int i = g->n - 1; i >= 0; i--) {
        const Node *n = &g->nodes[i];
        if (main[i]) continue;
        if (n->op == OP_STORE) pos[i] = needs[i];
        for (int k = 0; k < n->nin; k++)
            if (!main[n->in[k]] && pos[i] < pos[n->in[k]]) pos[n->in[k]] = pos[i];
    }
    return pos;
}

/* The step's nodes in their new order, the gradient stores left out. */
static void reorder(Arena *a, const Model *m, Graph *g) {
    bool *main = main_nodes(a, m, g);
    int *pos = update_positions(a, m, g, main);
    int n = g->n, count = 0;
    int *order = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    /* Buckets by position (-1 .. n - 1): update nodes in node order. */
    int *start = arena_alloc(a, sizeof(int) * (size_t)(n + 2));
    for (int i = 0; i < n; i++) if (!main[i]) start[pos[i] + 1 + 1]++;
    for (int p = 0; p <= n; p++) start[p + 1] += start[p];
    int *bucket = arena_alloc(a, sizeof(int) * (size_t)(n + 1)), *fill = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) if (!main[i]) bucket[start[pos[i] + 1] + fill[pos[i] + 1]++] = i;
    for (int p = -1; p < n; p++) {
        if (p >= 0 && main[p] && !is_store_to(m, &g->nodes[p], TK_GRAD)) order[count++] = p;
        for (int k = start[p + 1]; k < start[p + 2]; k++) order[count++] = bucket[k];
    }
    int *renumber = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    Node *nodes = arena_alloc(a, sizeof(Node) * (size_t)(count + 1));
    for (int j = 0; j < count; j++) {
        Node x = g->nodes[order[j]];
        for (int k = 0; k < x.nin; k++) x.in[k] = renumber[x.in[k]];
        renumber[order[j]] = j;
        nodes[j] = x;
    }
    g->nodes = nodes;
    g->n = g->cap = count;
}

/* The model without its TK_GRAD tensors, the others renumbered in order. */
static void drop_gradient_tensors(Arena *a, Model *m) {
    int *renumber = arena_alloc(a, sizeof(int) * (size_t)(m->ntensors + 1));
    int n = 0;
    for (int i = 0; i < m->ntensors; i++) {
        renumber[i] = m->tensors[i].kind == TK_GRAD ? -1 : n;
        if (renumber[i] >= 0) m->tensors[n++] = m->tensors[i];
    }
    m->ntensors = n;
    for (int i = 0; i < n; i++)
        if (m->tensors[i].param >= 0) m->tensors[i].param = renumber[m->tensors[i].param];
    if (m->loss_tensor >= 0) m->loss_tensor = renumber[m->loss_tensor];
    Graph *graphs[] = {&m->forward, &m->train_step};
    for (size_t k = 0; k < sizeof graphs / sizeof graphs[0]; k++)
        for (int i = 0; i < graphs[k]->n; i++) {
            Node *x = &graphs[k]->nodes[i];
            if (x->op == OP_LOAD || x->op == OP_STORE) x->attr.tensor = renumber[x->attr.tensor];
        }
}

void inplace_update(Arena *a, Model *m) {
    reorder(a, m, &m->train_step);
    graph_init(&m->gradients, "gradients");
    graph_init(&m->apply, "apply");
    drop_gradient_tensors(a, m);
}
