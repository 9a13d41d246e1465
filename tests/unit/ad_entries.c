/* ad_entries.c: entries_finish, the four entries of a model.
 *
 * A model as sema writes it: y = (x @ W) * random_mask(rng) (dropout), an
 * output y, the loss SUM(y), the generator state advanced by a store.  After
 * autodiff_model, optim_model and entries_finish:
 *   forward: no random mask, no loss or state store, nothing dead; run, it
 *     computes y = x @ W exactly (hand arithmetic below);
 *   gradients and train_step: still draw the mask and advance the state;
 *   train_step: updates W and stores grad/W;
 * and without training (or without a loss) the three training entries are
 * empty and no grad or optimizer tensor is left. */
#include "cg/cg.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define EXPECT(COND, ...) \
    do { if (!(COND)) { printf("FAIL " __VA_ARGS__); printf("\n"); failures++; } } while (0)

typedef struct Built { Arena *a; Model *m; int x, W, y, rng, loss; } Built;

static Built build(bool with_loss) {
    Built b = {.a = arena_new()};
    Arena *a = b.a;
    Model *m = b.m = arena_alloc(a, sizeof *m);
    m->name = "entries";
    m->opt = (Optimizer){.kind = OPT_SGD, .lr = 0.5, .momentum = 0.9};
    m->loss_tensor = -1;
    graph_init(&m->forward, "forward");
    Graph *g = &m->forward;
    b.x = model_add_tensor(a, m, (Tensor){.name = "x", .kind = TK_INPUT, .dtype = DT_F32,
                                          .shape = {2, {2, 3}}, .param = -1});
    b.W = model_add_tensor(a, m, (Tensor){.name = "W", .kind = TK_PARAM, .dtype = DT_F32,
                                          .shape = {2, {3, 2}}, .param = -1});
    b.rng = model_add_tensor(a, m, (Tensor){.name = "rng/dropout", .kind = TK_STATE, .dtype = DT_I32,
                                            .shape = {1, {2}}, .param = -1});
    b.y = model_add_tensor(a, m, (Tensor){.name = "y", .kind = TK_OUTPUT, .dtype = DT_F32,
                                          .shape = {2, {2, 2}}, .param = -1});
    int rng = graph_load(a, g, m, b.rng);
    int xw = graph_matmul(a, g, graph_load(a, g, m, b.x), graph_load(a, g, m, b.W), false, false);
    int mask = graph_node_shaped(a, g, OP_RANDOM_MASK, &rng, 1, (Attr){.value = 0.5}, DT_F32,
                                 (Shape){2, {2, 2}});
    int y = graph_binary(a, g, OP_MUL, xw, mask);
    graph_store(a, g, b.y, y);
    if (with_loss) {
        b.loss = m->loss_tensor = model_add_tensor(a, m, (Tensor){.name = "loss", .kind = TK_LOSS,
                                                                  .dtype = DT_F32, .param = -1});
        graph_store(a, g, b.loss, graph_reduce(a, g, OP_SUM, y, 3, false));
    }
    static const double one_step[2] = {0, 1};
    int advance = graph_binary(a, g, OP_ADD, rng,
                               graph_node_shaped(a, g, OP_LITERAL, NULL, 0, (Attr){.data = one_step}, DT_I32,
                                                 (Shape){1, {2}}));
    graph_store(a, g, b.rng, advance);
    model_verify(m);
    return b;
}

static int count_ops(const Graph *g, Op op, int tensor) {
    int n = 0;
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == op && (tensor < 0 || g->nodes[i].attr.tensor == tensor)) n++;
    return n;
}

static bool has_training_tensors(const Model *m) {
    for (int i = 0; i < m->ntensors; i++)
        if (m->tensors[i].kind == TK_GRAD || strncmp(m->tensors[i].name, "opt/", 4) == 0) return true;
    return false;
}

static void check_training(void) {
    Built b = build(true);
    Model *m = b.m;
    autodiff_model(b.a, m);
    optim_model(b.a, m);
    entries_finish(b.a, m, true);
    model_verify(m);
    const Graph *f = &m->forward;
    EXPECT(count_ops(f, OP_RANDOM_MASK, -1) == 0, "forward still draws a dropout mask");
    EXPECT(count_ops(f, OP_STORE, b.loss) == 0, "forward stores the loss");
    EXPECT(count_ops(f, OP_STORE, b.rng) == 0, "forward advances the generator");
    EXPECT(count_ops(f, OP_LOAD, b.rng) == 0, "forward loads the generator state (dead code left)");
    EXPECT(count_ops(f, OP_STORE, b.y) == 1, "forward does not store y");
    EXPECT(count_ops(f, OP_SUM, -1) == 0, "forward computes the loss");
    EXPECT(count_ops(&m->gradients, OP_RANDOM_MASK, -1) == 1, "gradients lost the dropout mask");
    EXPECT(count_ops(&m->gradients, OP_STORE, b.rng) == 1, "gradients does not advance the generator");
    EXPECT(count_ops(&m->gradients, OP_STORE, b.loss) == 1, "gradients does not store the loss");
    EXPECT(count_ops(&m->train_step, OP_STORE, b.rng) == 1, "train_step does not advance the generator");
    EXPECT(count_ops(&m->train_step, OP_STORE, b.W) == 1, "train_step does not update W");
    int grad = model_find_tensor(m, "grad/W", TK_GRAD);
    EXPECT(grad >= 0 && count_ops(&m->train_step, OP_STORE, grad) == 1, "train_step does not store grad/W");
    EXPECT(m->apply.n > 0, "apply is empty");

    /* x = [[1,2,3],[4,5,6]], W = [[1,0],[0,1],[1,1]]: x @ W = [[1+3, 2+3], [4+6, 5+6]] */
    TensorStore *s = store_new(b.a, m);
    static const double x[] = {1, 2, 3, 4, 5, 6}, W[] = {1, 0, 0, 1, 1, 1}, want[] = {4, 5, 10, 11};
    memcpy(s->values[b.x], x, sizeof x);
    memcpy(s->values[b.W], W, sizeof W);
    interp_run(b.a, m, f, s);
    for (int i = 0; i < 4; i++) EXPECT(s->values[b.y][i] == want[i], "forward y[%d] = %g, expected %g", i,
                                       s->values[b.y][i], want[i]);
    arena_free(b.a);
}

static void check_no_training(bool with_loss, bool train) {
    Built b = build(with_loss);
    Model *m = b.m;
    autodiff_model(b.a, m);
    optim_model(b.a, m);
    entries_finish(b.a, m, train);
    model_verify(m);
    EXPECT(m->gradients.n == 0 && m->apply.n == 0 && m->train_step.n == 0,
           "loss %d train %d: training entries not empty", with_loss, train);
    EXPECT(!has_training_tensors(m), "loss %d train %d: grad or optimizer tensors left", with_loss, train);
    EXPECT(count_ops(&m->forward, OP_RANDOM_MASK, -1) == 0 && count_ops(&m->forward, OP_STORE, -1) == 1,
           "loss %d train %d: forward is not the inference entry", with_loss, train);
    arena_free(b.a);
}

int main(void) {
    check_training();
    check_no_training(true, false);
    check_no_training(false, true);
    check_no_training(false, false);
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
