/* ir_simplify_models.c: simplify_graph on the whole pipeline's graphs (an
 * MLP with dropout and Adam, a small CNN with both poolings and SGD with
 * momentum): every entry, interpreted before and after simplification from
 * the same random state, writes the same values into every tensor, and the
 * simplified graphs verify. */
#include "ir_check.h"

static const char *const source =
    "model mlp {\n"
    "  const batch = 8\n"
    "  input x : f32[batch, 20]\n"
    "  input y : i32[batch]\n"
    "  h1 = relu(Dense(x, 16))\n"
    "  h2 = dropout(tanh(Dense(h1, 12)), 0.5)\n"
    "  logits = Dense(h2 * 1 + 0, 10)\n"
    "  output probs = softmax(logits)\n"
    "  loss softmax_cross_entropy(logits, y) + 0.5 * mean(h1 * h1)\n"
    "  optimizer adam(lr = 0.001, weight_decay = 0.01)\n"
    "}\n"
    "model cnn {\n"
    "  const batch = 2\n"
    "  input x : f32[batch, 1, 12, 12]\n"
    "  input y : i32[batch]\n"
    "  c1 = maxpool2d(relu(Conv2d(x, 3, kernel = 3, pad = 1)), 2)\n"
    "  c2 = avgpool2d(sigmoid(Conv2d(c1, 4, kernel = 3, stride = 2)), 2)\n"
    "  logits = Dense(flatten(c2), 5)\n"
    "  output probs = softmax(logits)\n"
    "  loss softmax_cross_entropy(logits, y)\n"
    "  optimizer sgd(lr = 0.05, momentum = 0.9, nesterov = true)\n"
    "}\n"
    /* slices whose gradients join (a three-way split of one axis), overlap
     * (strided and shifted), nest (slices of slices), and concat / stack */
    "model index {\n"
    "  input x : f32[3, 4, 9]\n"
    "  param W : f32[9, 9]\n"
    "  h = reshape(reshape(x, [12, 9]) @ W, [3, 4, 9])\n"
    "  g = h[..., :3] * sigmoid(h[..., 3:6]) + tanh(h[..., 6:])\n"
    "  s = h[:, 1:][:, ::2, 1:8:3] - h[:, :2, 2:5]\n"
    "  c = concat([g[0], s[1], stack([g[2, 0], s[0, 1]])], axis = 0)\n"
    "  output o = c\n"
    "  loss mean(c * c) + sum(h[-1, -1])\n"
    "  optimizer sgd(lr = 0.1)\n"
    "}\n";

static unsigned rng = 99;
static double uniform01(void) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % 1000000 / 1e6;
}

static void fill(const Model *m, TensorStore *s) {
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        for (int64_t k = 0; k < shape_count(t->shape); k++)
            s->values[i][k] = t->dtype == DT_I32 ? (double)(int)(uniform01() * 5) : uniform01() * 2 - 1;
        if (strncmp(t->name, "opt/", 4) == 0)   /* optimizer state: non-negative (Adam's v) */
            for (int64_t k = 0; k < shape_count(t->shape); k++) s->values[i][k] = fabs(s->values[i][k]) + 1;
    }
}

static void check_graph(Arena *a, const Model *m, const Graph *g) {
    Graph after;
    graph_copy(a, &after, g);
    simplify_graph(a, m, &after);
    graph_verify(m, &after);
    if (after.n > g->n) {
        fprintf(stderr, "%s.%s grew from %d to %d nodes\n", m->name, g->entry, g->n, after.n);
        check_failures++;
    }
    TensorStore *s1 = store_new(a, m), *s2 = store_new(a, m);
    fill(m, s1);
    for (int i = 0; i < m->ntensors; i++)
        memcpy(s2->values[i], s1->values[i], sizeof(double) * (size_t)shape_count(m->tensors[i].shape));
    interp_run(a, m, g, s1);
    interp_run(a, m, &after, s2);
    for (int i = 0; i < m->ntensors; i++)
        for (int64_t k = 0; k < shape_count(m->tensors[i].shape); k++) {
            double p = s1->values[i][k], q = s2->values[i][k];
            if (!(fabs(p - q) <= 1e-12 * (1 + fabs(p)))) {
                fprintf(stderr, "%s.%s: %s[%lld] = %.17g before, %.17g after simplify\n", m->name, g->entry,
                        m->tensors[i].name, (long long)k, p, q);
                check_failures++;
                break;
            }
        }
}

int main(void) {
    Arena *a = arena_new();
    Diag d = {.max_errors = 20, .out = stderr};
    Program prog = {0};
    if (!parse_file(a, &d, source_from_string(a, "<prelude>", prelude_source), &prog) ||
        !parse_file(a, &d, source_from_string(a, "nets.dm", source), &prog)) {
        fprintf(stderr, "parse failed\n");
        return 1;
    }
    Models models = {0};
    Defines defs = {0};
    if (!sema_program(a, &d, &prog, &defs, NULL, &models)) {
        fprintf(stderr, "sema failed\n");
        return 1;
    }
    for (int i = 0; i < models.n; i++) {
        Model *m = models.items[i];
        autodiff_model(a, m);
        optim_model(a, m);
        entries_finish(a, m, true);
        model_verify(m);
        const Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
        for (int k = 0; k < 4; k++) {
            CHECK(graphs[k]->n > 0);
            check_graph(a, m, graphs[k]);
        }
    }
    CHECK(models.n == 3);
    arena_free(a);
    return check_report("ir_simplify_models");
}
