/* entries.c: the last step of building a model's four entries.
 *
 * Needs: m->forward as sema builds it (the training forward: loss store, rng
 * advance, dropout as MUL(x, RANDOM_MASK(load rng)), the buffers' updates,
 * select(training, a, b) as TRAIN_SELECT(a, b)), and m->gradients,
 * m->apply, m->train_step from autodiff_model and optim_model, which read
 * the training forward and so must run before this.
 * Guarantees: m->forward becomes the inference entry: every RANDOM_MASK is the
 * constant 1 (dropout is the identity), every TRAIN_SELECT(a, b) is b, the
 * loss, the generator state and the buffers are no longer stored, and nodes
 * no store needs are removed.  In gradients and train_step every
 * TRAIN_SELECT(a, b) is a.  So no TRAIN_SELECT is left.  With !train or
 * without a loss (an inference build), gradients, apply and train_step are
 * empty and the model keeps only the tensors its forward entry uses: every
 * parameter and buffer (so it loads the training model's checkpoints), the
 * outputs and the inputs the outputs read.  The loss, the generator state,
 * gradients and optimizer state are gone (m->loss_tensor is -1): an inference
 * object holds parameters and buffers only (docs/decisions.md). */
#include "passes/passes.h"

/* Keep only the stores not dropped and the nodes they need, renumbered in
 * order. */
static void remove_dead_nodes(Arena *a, Graph *g, const bool *dropped) {
    int size = g->n ? g->n : 1;
    bool *live = arena_alloc(a, sizeof(bool) * (size_t)size);
    for (int i = g->n - 1; i >= 0; i--) {
        if (g->nodes[i].op == OP_STORE && !dropped[i]) live[i] = true;
        if (!live[i]) continue;
        for (int k = 0; k < g->nodes[i].nin; k++) live[g->nodes[i].in[k]] = true;
    }
    int *renumber = arena_alloc(a, sizeof(int) * (size_t)size);
    int n = 0;
    for (int i = 0; i < g->n; i++) {
        if (!live[i]) continue;
        Node x = g->nodes[i];
        for (int k = 0; k < x.nin; k++) x.in[k] = renumber[x.in[k]];
        renumber[i] = n;
        g->nodes[n++] = x;
    }
    g->n = n;
}

/* select(training, a, b): every TRAIN_SELECT(a, b) of g is replaced by a
 * (training) or b in the nodes that use it; it and the branch not taken are
 * then dead (removed by the caller's remove_dead_nodes). */
static void resolve_training(Arena *a, Graph *g, bool training) {
    int *same = arena_alloc(a, sizeof(int) * (size_t)(g->n ? g->n : 1));
    for (int i = 0; i < g->n; i++) {
        Node *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++) n->in[k] = same[n->in[k]];
        same[i] = n->op == OP_TRAIN_SELECT ? n->in[training ? 0 : 1] : i;
    }
}

/* A graph without TRAIN_SELECT is left as it is (node for node). */
static void finish_training_graph(Arena *a, Graph *g) {
    bool any = false;
    for (int i = 0; i < g->n && !any; i++) any = g->nodes[i].op == OP_TRAIN_SELECT;
    if (!any) return;
    resolve_training(a, g, true);
    remove_dead_nodes(a, g, arena_alloc(a, sizeof(bool) * (size_t)(g->n ? g->n : 1)));
}

static void make_inference_forward(Arena *a, Model *m) {
    Graph *g = &m->forward;
    resolve_training(a, g, false);
    bool *dropped = arena_alloc(a, sizeof(bool) * (size_t)(g->n ? g->n : 1));
    for (int i = 0; i < g->n; i++) {
        Node *n = &g->nodes[i];
        if (n->op == OP_RANDOM_MASK) {   /* dropout is the identity: x * 1 */
            *n = (Node){.op = OP_CONST, .dtype = DT_F32, .shape = n->shape, .attr = {.value = 1.0},
                        .name = n->name, .loc = n->loc};
        } else if (n->op == OP_STORE) {
            TensorKind kind = m->tensors[n->attr.tensor].kind;
            dropped[i] = kind == TK_LOSS || kind == TK_STATE || kind == TK_BUFFER;
        }
    }
    remove_dead_nodes(a, g, dropped);
}

/* The inference build's tensors: the parameters, the outputs, and what the
 * forward entry loads; the others are removed and the rest renumbered in
 * order (only the forward graph is left to renumber). */
static void keep_forward_tensors(Arena *a, Model *m) {
    int size = m->ntensors ? m->ntensors : 1;
    bool *used = arena_alloc(a, sizeof(bool) * (size_t)size);
    Graph *g = &m->forward;
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_LOAD || g->nodes[i].op == OP_STORE) used[g->nodes[i].attr.tensor] = true;
    int *renumber = arena_alloc(a, sizeof(int) * (size_t)size);
    int n = 0;
    for (int i = 0; i < m->ntensors; i++) {
        TensorKind kind = m->tensors[i].kind;
        bool keep = kind == TK_PARAM || kind == TK_BUFFER || kind == TK_OUTPUT || (kind == TK_INPUT && used[i]);
        renumber[i] = keep ? n : -1;
        if (keep) m->tensors[n++] = m->tensors[i];
    }
    m->ntensors = n;
    for (int i = 0; i < n; i++)
        if (m->tensors[i].param >= 0) m->tensors[i].param = renumber[m->tensors[i].param];
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_LOAD || g->nodes[i].op == OP_STORE)
            g->nodes[i].attr.tensor = renumber[g->nodes[i].attr.tensor];
    m->loss_tensor = -1;
}

void entries_finish(Arena *a, Model *m, bool train) {
    make_inference_forward(a, m);
    if (train && m->loss_tensor >= 0) {
        finish_training_graph(a, &m->gradients);
        finish_training_graph(a, &m->train_step);
        return;
    }
    graph_init(&m->gradients, "gradients");
    graph_init(&m->apply, "apply");
    graph_init(&m->train_step, "train_step");
    keep_forward_tensors(a, m);
}
