/* gradcheck_models.c: gradient checks of whole models written in dm, as sema
 * builds them (standard layers, flatten, dropout, the losses, a user layer
 * inside a layer, the built-ins that sema_math.c lowers, loops: shared and
 * per-iteration parameters), and the consistency of the four entries:
 *   - every grad/<p> of the gradients graph against the central finite
 *     difference of the loss through the interpreter's run of the training
 *     forward (h = 1e-6, tolerance 1e-6 (1 + |fd|)), with every persistent
 *     tensor (the dropout generator's state included) reset before each run;
 *   - one train_step = gradients then apply, tensor by tensor (the load
 *     forwarding of optim.c must not change any number), and simplify_graph
 *     changes no number of either;
 *   - after entries_finish, the inference forward computes the outputs of
 *     the training forward with dropout off (rate 0 gives the same model).
 * Values: parameters of magnitude in [0.2, 1.5], f32 inputs in [0.05, 0.95],
 * labels i mod classes, the generator state {42, 3}. */
#include "cg/cg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

/* twin: the same model with dropout rate 0 (its training forward is the
 * oracle of the inference forward), NULL if the model has no dropout, or
 * NO_TWIN: the inference forward differs by design (select(training, a, b):
 * batch norm's running statistics), checked by tests/torch instead. */
static const char NO_TWIN[] = "";
typedef struct Case { const char *name, *source; int classes; const char *twin; } Case;

#define MLP(RATE) "model mlp {\n" \
                  "  input x : f32[4, 5]\n  input y : i32[4]\n" \
                  "  h = dropout(relu(Dense(x, 6)), " RATE ")\n" \
                  "  logits = Dense(leaky_relu(h, alpha = 0.2), 3)\n" \
                  "  output probs = softmax(logits)\n" \
                  "  loss softmax_cross_entropy(logits, y)\n  optimizer adam(lr = 0.01)\n}\n"

static const Case cases[] = {
    {"logreg", "model logreg {\n"
               "  input x : f32[4, 2]\n  input y : f32[4]\n"
               "  param W : f32[2] = [0.1, 0.2]\n  param b : f32 = 0.3\n"
               "  output p = sigmoid(x @ W + b)\n  loss mse(p, y)\n  optimizer sgd(lr = 0.01)\n}\n", 0, NULL},
    {"mlp_dropout", MLP("0.3"), 3, MLP("0")},
    {"cnn", "model cnn {\n"
            "  input x : f32[2, 1, 6, 6]\n  input y : i32[2]\n"
            "  c1 = maxpool2d(relu(Conv2d(x, 2, kernel = 3, pad = 1)), 2)\n"
            "  c2 = avgpool2d(tanh(Conv2d(c1, 3, kernel = 2, stride = 1)), 2, stride = 1)\n"
            "  logits = Dense(flatten(c2), 4)\n"
            "  output p = softmax(logits)\n"
            "  loss softmax_cross_entropy(logits, y)\n  optimizer sgd(lr = 0.05, momentum = 0.9)\n}\n", 4, NULL},
    {"layers_bce", "layer Block(x : f32[N, I], units) {\n"
                   "  h = tanh(Dense(x, units))\n"
                   "  return Dense(h, units) + transpose(Dense(transpose(h), N, bias = false))\n"
                   "}\n"
                   "model deep {\n"
                   "  input x : f32[3, 4]\n  input t : f32[3, 4]\n"
                   "  param s : f32[4] = 0.5\n"
                   "  z = Block(Block(x, 4), 4) * s\n"
                   "  m = max(z, axis = 1, keepdims = true)\n"
                   "  output q = sigmoid(z - m + mean(abs(z), axis = 0))\n"
                   "  loss bce(q, t) + 0.1 * sum(exp(-z * z))\n  optimizer adamw(lr = 0.01)\n}\n", 0, NULL},
    {"layer_norm", "model ln {\n"
                   "  input x : f32[3, 2, 5]\n  input t : f32[3, 4]\n"
                   "  a = LayerNorm(x * x)\n"
                   "  b = layer_norm(tanh(a), axis = 1, eps = 0.01)\n"
                   "  output o = Dense(flatten(b), 4)\n"
                   "  loss mse(o, t)\n  optimizer sgd(lr = 0.1)\n}\n", 0, NULL},
    {"batch_norm", "model bn {\n"
                   "  input x : f32[3, 2, 3, 3]\n  input y : i32[3]\n"
                   "  c = BatchNorm2d(Conv2d(x, 3, kernel = 2, bias = false), momentum = 0.3)\n"
                   "  h = BatchNorm1d(Dense(flatten(tanh(c)), 4))\n"
                   "  s = BatchNorm1d(reshape(tanh(h), [3, 2, 2]), eps = 0.001)\n"
                   "  logits = Dense(flatten(s), 3)\n"
                   "  output p = softmax(logits)\n"
                   "  loss softmax_cross_entropy(logits, y)\n  optimizer adam(lr = 0.01)\n}\n", 3, NO_TWIN},
    /* gelu ... std, '**', where and the masks (no gradient through a mask) */
    {"modern", "model modern {\n"
               "  input x : f32[3, 5]\n  input t : f32[3, 5]\n"
               "  param w : f32[5]\n  param v : f32[3, 1]\n"
               "  h = gelu(x * w) + gelu(x - v, approximate = true) + silu(x * v)\n"
               "  p = abs(w) ** 1.5 + pow(v, 2) + square(x * w) + (x + v) ** 3 - abs(v) ** -0.5\n"
               "  m = minimum(x * w, v) + maximum(x, w) + clip(x * w, -0.5, 0.5) + clip(v * x, lo = 0.3)\n"
               "  s = where(x * w > v, h, p) + (x > 0.5) * v + (w <= 0) * h\n"
               "  r = min(h, axis = 1, keepdims = true) + var(p, 0) + f32(i32(x * 4)) * w\n"
               "  output y = s + r + m + std(m, axis = 1, keepdims = true, unbiased = false) + std(h * w)\n"
               "  loss mse(y, t)\n  optimizer sgd(lr = 0.01)\n}\n", 0, NULL},
    /* loops: a GRUCell read at 3 steps (its gradients summed over them) and
     * a Dense per iteration of a plain loop, the loop variable in a shape */
    {"loops", "model loops {\n"
              "  input x : f32[3, 4]\n  input y : i32[3]\n"
              "  h = tanh(Dense(x, 5))\n"
              "  for t in range(3) shared {\n    h = GRUCell(x * (t + 1), h)\n  }\n"
              "  for i in range(2) {\n    z = relu(Dense(h, 3 + i))\n    h = h + Dense(z, 5)\n  }\n"
              "  logits = Dense(h, 3)\n"
              "  output p = softmax(logits)\n"
              "  loss softmax_cross_entropy(logits, y)\n  optimizer sgd(lr = 0.05)\n}\n", 3, NULL},
};

static Model *compile(Arena *a, const char *name, const char *source) {
    Diag d = {.max_errors = 20, .out = stderr};
    Program prog = {0};
    if (!parse_file(a, &d, source_from_string(a, "<prelude>", prelude_source), &prog)) return NULL;
    if (!parse_file(a, &d, source_from_string(a, name, source), &prog)) return NULL;
    Models models = {0};
    Defines defs = {0};
    if (!sema_program(a, &d, &prog, &defs, NULL, &models) || d.nerrors || models.n != 1) return NULL;
    return models.items[0];
}

/* xorshift64*, the test's own generator */
static double uniform(uint64_t *r, double lo, double hi) {
    *r ^= *r >> 12, *r ^= *r << 25, *r ^= *r >> 27;
    return lo + (hi - lo) * (double)((*r * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void fill(const Model *m, TensorStore *s, int classes) {
    uint64_t r = 0x2545F4914F6CDD1DULL;
    for (int t = 0; t < m->ntensors; t++) {
        const Tensor *x = &m->tensors[t];
        int64_t n = shape_count(x->shape);
        for (int64_t i = 0; i < n; i++) {
            double v = 0;
            if (x->kind == TK_PARAM) v = uniform(&r, 0.2, 1.5) * (uniform(&r, 0, 1) < 0.5 ? -1 : 1);
            else if (x->kind == TK_INPUT && x->dtype == DT_F32) v = uniform(&r, 0.05, 0.95);
            else if (x->kind == TK_INPUT) v = classes ? (double)(i % classes) : 0;
            else if (x->kind == TK_STATE && x->dtype == DT_I32) v = i == 0 ? 42 : 3;
            s->values[t][i] = v;
        }
    }
}

static void copy_store(const Model *m, TensorStore *dst, const TensorStore *src) {
    for (int t = 0; t < m->ntensors; t++)
        memcpy(dst->values[t], src->values[t], sizeof(double) * (size_t)shape_count(m->tensors[t].shape));
}

static double run_loss(const Model *m, const TensorStore *init, TensorStore *s) {
    Arena *scratch = arena_new();
    copy_store(m, s, init);
    interp_run(scratch, m, &m->forward, s);
    arena_free(scratch);
    return s->values[m->loss_tensor][0];
}

static int check_gradients(Arena *a, const Model *m, TensorStore *init) {
    TensorStore *s = store_new(a, m), *work = store_new(a, m);
    copy_store(m, s, init);
    interp_run(a, m, &m->gradients, s);
    int bad = 0;
    for (int g = 0; g < m->ntensors; g++) {
        if (m->tensors[g].kind != TK_GRAD) continue;
        int p = m->tensors[g].param;
        for (int64_t i = 0; i < shape_count(m->tensors[p].shape); i++) {
            double v = init->values[p][i], h = 1e-6;
            init->values[p][i] = v + h;
            double lp = run_loss(m, init, work);
            init->values[p][i] = v - h;
            double lm = run_loss(m, init, work);
            init->values[p][i] = v;
            double fd = (lp - lm) / (2 * h);
            if (!(fabs(s->values[g][i] - fd) <= 1e-6 * (1 + fabs(fd)))) {
                if (bad++ < 5)
                    printf("FAIL %s: d loss / d %s[%lld] = %.10g, finite difference %.10g\n", m->name,
                           m->tensors[p].name, (long long)i, s->values[g][i], fd);
            }
        }
    }
    return bad;
}

/* simplify_graph must not change a number of the gradients or the train step. */
static int check_simplified(Arena *a, Model *m, const TensorStore *init) {
    int bad = 0;
    Graph *graphs[] = {&m->gradients, &m->train_step};
    for (int k = 0; k < 2; k++) {
        Graph simple;
        graph_copy(a, &simple, graphs[k]);
        simplify_graph(a, m, &simple);
        graph_verify(m, &simple);
        TensorStore *before = store_new(a, m), *after = store_new(a, m);
        copy_store(m, before, init);
        copy_store(m, after, init);
        interp_run(a, m, graphs[k], before);
        interp_run(a, m, &simple, after);
        for (int t = 0; t < m->ntensors; t++)
            for (int64_t i = 0; i < shape_count(m->tensors[t].shape); i++)
                if (fabs(before->values[t][i] - after->values[t][i]) > 1e-12 * (1 + fabs(before->values[t][i]))) {
                    if (bad++ < 5)
                        printf("FAIL %s: %s[%lld] after simplified %s %.17g, unsimplified %.17g\n", m->name,
                               m->tensors[t].name, (long long)i, graphs[k]->entry, after->values[t][i],
                               before->values[t][i]);
                }
    }
    return bad;
}

static int check_train_step(Arena *a, const Model *m, const TensorStore *init) {
    TensorStore *split = store_new(a, m), *fused = store_new(a, m);
    copy_store(m, split, init);
    copy_store(m, fused, init);
    interp_run(a, m, &m->gradients, split);
    interp_run(a, m, &m->apply, split);
    interp_run(a, m, &m->train_step, fused);
    int bad = 0;
    for (int t = 0; t < m->ntensors; t++)
        for (int64_t i = 0; i < shape_count(m->tensors[t].shape); i++)
            if (fabs(split->values[t][i] - fused->values[t][i]) > 1e-12 * (1 + fabs(split->values[t][i]))) {
                if (bad++ < 5)
                    printf("FAIL %s: %s[%lld] after train_step %.17g, after gradients + apply %.17g\n", m->name,
                           m->tensors[t].name, (long long)i, fused->values[t][i], split->values[t][i]);
            }
    return bad;
}

/* After entries_finish the forward must give the outputs of the training
 * forward of the twin (dropout rate 0), and store nothing else. */
static int check_inference(Arena *a, Model *m, const Model *twin, const TensorStore *init) {
    if (!twin) { printf("FAIL %s: the twin does not compile\n", m->name); return 1; }
    TensorStore *want = store_new(a, twin), *got;
    for (int t = 0; t < twin->ntensors; t++)
        memcpy(want->values[t], init->values[t], sizeof(double) * (size_t)shape_count(twin->tensors[t].shape));
    interp_run(a, twin, &twin->forward, want);
    entries_finish(a, m, true);
    model_verify(m);
    got = store_new(a, m);
    copy_store(m, got, init);
    interp_run(a, m, &m->forward, got);
    int bad = 0;
    for (int t = 0; t < m->ntensors; t++) {
        bool output = m->tensors[t].kind == TK_OUTPUT;
        for (int64_t i = 0; i < shape_count(m->tensors[t].shape); i++) {
            double expect = output ? want->values[t][i] : init->values[t][i];
            if (fabs(got->values[t][i] - expect) > 1e-12 * (1 + fabs(expect))) {
                if (bad++ < 5)
                    printf("FAIL %s: forward entry leaves %s[%lld] = %.17g, expected %.17g\n", m->name,
                           m->tensors[t].name, (long long)i, got->values[t][i], expect);
            }
        }
    }
    return bad;
}

int main(void) {
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const Case *c = &cases[k];
        Arena *a = arena_new();
        Model *m = compile(a, c->name, c->source);
        if (!m) { printf("FAIL %s: does not compile\n", c->name); failures++; continue; }
        autodiff_model(a, m);
        optim_model(a, m);
        model_verify(m);
        TensorStore *init = store_new(a, m);
        fill(m, init, c->classes);
        int bad = check_gradients(a, m, init) + check_train_step(a, m, init) + check_simplified(a, m, init);
        if (c->twin != NO_TWIN) bad += check_inference(a, m, c->twin ? compile(a, c->name, c->twin) : m, init);
        if (bad) failures++;
        else printf("ok   %s\n", c->name);
        arena_free(a);
    }
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
