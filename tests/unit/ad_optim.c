/* ad_optim.c: the optimizer update (optim.c) against torch.optim.
 *
 * A model with one parameter w : f32[3] and the loss SUM(w * x), so that
 * grad/w = x.  For each configuration, three steps of m->apply (with grad/w
 * set directly) and, separately, three steps of m->train_step (with x set to
 * the same gradients) must give the parameters that torch.optim gives in
 * float64 (torch_expected, printed by ad_optim_torch.py beside this file).
 * The test also carries its own transcription of PyTorch's update rules
 * (reference_step), checked against the same numbers, so a disagreement
 * points at the side that is wrong.  It checks the state tensors' names and
 * kinds, that the train step loads no gradient and loads w once, and that
 * grad/w is still stored by the train step. */
#include "cg/cg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { STEPS = 3, N = 3 };

static const double P0[N] = {0.5, -1.2, 2.0};
static const double GRADS[STEPS][N] = {{0.3, -0.7, 1.1}, {-0.2, 0.4, 0.9}, {0.05, -1.5, 0.6}};

typedef struct Config {
    const char *name;
    Optimizer opt;
} Config;

#define SGD(...) {.kind = OPT_SGD, __VA_ARGS__}
#define ADAM(K, ...) {.kind = K, __VA_ARGS__}

/* The same list as CONFIGS in ad_optim_torch.py. */
static const Config configs[] = {
    {"sgd", SGD(.lr = 0.1)},
    {"sgd_momentum", SGD(.lr = 0.1, .momentum = 0.9)},
    {"sgd_nesterov", SGD(.lr = 0.1, .momentum = 0.9, .nesterov = true)},
    {"sgd_weight_decay", SGD(.lr = 0.1, .weight_decay = 0.05)},
    {"sgd_momentum_decay_dampening", SGD(.lr = 0.1, .momentum = 0.8, .dampening = 0.3, .weight_decay = 0.05)},
    {"adam", ADAM(OPT_ADAM, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8)},
    {"adam_weight_decay", ADAM(OPT_ADAM, .lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.1)},
    {"adamw", ADAM(OPT_ADAMW, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01)},
    {"adamw_weight_decay", ADAM(OPT_ADAMW, .lr = 0.05, .beta1 = 0.85, .beta2 = 0.995, .eps = 1e-8, .weight_decay = 0.2)},
};
enum { NCONFIGS = sizeof configs / sizeof configs[0] };

/* /usr/bin/python3 tests/unit/ad_optim_torch.py (torch 1.13, float64) */
static const struct { const char *name; double p[STEPS][N]; } torch_expected[NCONFIGS] = {
    {"sgd", {{0.46999999999999997, -1.1299999999999999, 1.8899999999999999}, {0.48999999999999999, -1.1699999999999999, 1.7999999999999998}, {0.48499999999999999, -1.02, 1.7399999999999998}}},
    {"sgd_momentum", {{0.46999999999999997, -1.1299999999999999, 1.8899999999999999}, {0.46299999999999997, -1.107, 1.7009999999999998}, {0.45169999999999999, -0.93630000000000002, 1.4708999999999999}}},
    {"sgd_nesterov", {{0.443, -1.0669999999999999, 1.7909999999999999}, {0.45669999999999999, -1.0863, 1.5308999999999999}, {0.44152999999999998, -0.78266999999999998, 1.2638099999999999}}},
    {"sgd_weight_decay", {{0.46749999999999997, -1.1239999999999999, 1.8799999999999999}, {0.4851625, -1.15838, 1.7806}, {0.47773668749999998, -1.0025880999999999, 1.711697}}},
    {"sgd_momentum_decay_dampening", {{0.46749999999999997, -1.1239999999999999, 1.8799999999999999}, {0.45386374999999995, -1.0872659999999998, 1.7144199999999998}, {0.43786622687499993, -0.94907336899999983, 1.5339555299999998}}},
    {"adam", {{0.4900000003333333, -1.190000000142857, 1.990000000090909}, {0.48855479509285965, -1.1878763268593067, 1.9801015083841162}, {0.48657004726644082, -1.1814716973473944, 1.9705670269425195}}},
    {"adam_weight_decay", {{0.49000002857134695, -1.1900000121951071, 1.9900000076923017}, {0.48733656771233524, -1.1865942659497011, 1.9801235708789657}, {0.48368286313568271, -1.1791981890422827, 1.9706352909788027}}},
    {"adamw", {{0.4899500003333333, -1.1898800001428571, 1.9898000000909091}, {0.48845580009282635, -1.1876373388592925, 1.9797025283841072}, {0.48642220668639824, -1.1811139456134943, 1.9699700766896722}}},
    {"adamw_weight_decay", {{0.44500000166666659, -1.1380000007142856, 1.9300000004545455}, {0.4347167100117687, -1.1173694481310656, 1.8613392847455656}, {0.42140685736853251, -1.073316213611073, 1.79555442856113}}},
};

/* PyTorch's rules, transcribed from the torch.optim documentation. */
typedef struct RefState { double buf[N], m[N], v[N]; int step; } RefState;

static void reference_step(const Optimizer *o, RefState *s, double *p, const double *grad) {
    s->step++;
    for (int i = 0; i < N; i++) {
        double g = grad[i];
        if (o->kind == OPT_SGD) {
            g += o->weight_decay * p[i];
            if (o->momentum != 0) {
                s->buf[i] = s->step == 1 ? g : o->momentum * s->buf[i] + (1 - o->dampening) * g;
                g = o->nesterov ? g + o->momentum * s->buf[i] : s->buf[i];
            }
            p[i] -= o->lr * g;
            continue;
        }
        if (o->kind == OPT_ADAMW) p[i] *= 1 - o->lr * o->weight_decay;
        else g += o->weight_decay * p[i];
        s->m[i] = o->beta1 * s->m[i] + (1 - o->beta1) * g;
        s->v[i] = o->beta2 * s->v[i] + (1 - o->beta2) * g * g;
        double bc1 = 1 - pow(o->beta1, s->step), bc2 = 1 - pow(o->beta2, s->step);
        p[i] -= o->lr / bc1 * s->m[i] / (sqrt(s->v[i]) / sqrt(bc2) + o->eps);
    }
}

static int failures;

static void expect_close(const char *what, const char *config, int step, const double *got, const double *want) {
    for (int i = 0; i < N; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-12 * (1 + fabs(want[i])))) {
            printf("FAIL %s %s step %d: p[%d] = %.17g, expected %.17g\n", what, config, step + 1, i, got[i], want[i]);
            failures++;
        }
}

typedef struct Built { Arena *a; Model *m; int w, x, grad; } Built;

static Built build(const Optimizer *opt) {
    Built b = {.a = arena_new()};
    Model *m = b.m = arena_alloc(b.a, sizeof *m);
    m->name = "opt";
    m->opt = *opt;
    graph_init(&m->forward, "forward");
    b.w = model_add_tensor(b.a, m, (Tensor){.name = "w", .kind = TK_PARAM, .dtype = DT_F32,
                                            .shape = {.rank = 1, .dim = {N}}, .param = -1});
    b.x = model_add_tensor(b.a, m, (Tensor){.name = "x", .kind = TK_INPUT, .dtype = DT_F32,
                                            .shape = {.rank = 1, .dim = {N}}, .param = -1});
    m->loss_tensor = model_add_tensor(b.a, m, (Tensor){.name = "loss", .kind = TK_LOSS, .dtype = DT_F32,
                                                       .param = -1});
    Graph *g = &m->forward;
    int wx = graph_binary(b.a, g, OP_MUL, graph_load(b.a, g, m, b.w), graph_load(b.a, g, m, b.x));
    graph_store(b.a, g, m->loss_tensor, graph_reduce(b.a, g, OP_SUM, wx, 1, false));
    autodiff_model(b.a, m);
    optim_model(b.a, m);
    model_verify(m);
    b.grad = model_find_tensor(m, "grad/w", TK_GRAD);
    return b;
}

static void expect_state(const Model *m, const char *name, int param, bool present) {
    int t = model_find_tensor(m, name, TK_STATE);
    if (present != (t >= 0)) {
        printf("FAIL %s: state tensor %s %s\n", m->opt.kind == OPT_SGD ? "sgd" : "adam", name,
               present ? "missing" : "unexpected");
        failures++;
    } else if (t >= 0 && (m->tensors[t].param != param || m->tensors[t].init.kind != INIT_ZEROS)) {
        printf("FAIL %s: wrong param or init\n", name);
        failures++;
    }
}

static void check_structure(const Config *c, const Built *b) {
    const Model *m = b->m;
    bool adam = c->opt.kind != OPT_SGD;
    expect_state(m, "opt/m/w", b->w, adam);
    expect_state(m, "opt/v/w", b->w, adam);
    expect_state(m, "opt/momentum/w", b->w, !adam && c->opt.momentum != 0);
    expect_state(m, "opt/step", -1, adam || c->opt.dampening != 0);
    int lr = model_find_tensor(m, "opt/lr", TK_STATE);   /* the schedulable learning rate */
    if (lr < 0 || m->tensors[lr].init.kind != INIT_CONST || m->tensors[lr].init.a != c->opt.lr) {
        printf("FAIL %s: opt/lr missing or not initialised to lr\n", c->name);
        failures++;
    }
    int grad_loads = 0, w_loads = 0, grad_stores = 0;
    for (int i = 0; i < m->train_step.n; i++) {
        const Node *n = &m->train_step.nodes[i];
        if (n->op == OP_LOAD && n->attr.tensor == b->grad) grad_loads++;
        if (n->op == OP_LOAD && n->attr.tensor == b->w) w_loads++;
        if (n->op == OP_STORE && n->attr.tensor == b->grad) grad_stores++;
    }
    if (grad_loads || w_loads != 1 || grad_stores != 1) {
        printf("FAIL %s: train_step loads grad/w %d times, w %d times, stores grad/w %d times\n", c->name,
               grad_loads, w_loads, grad_stores);
        failures++;
    }
}

/* A store as an instance starts: the learning rate as the model gives it. */
static TensorStore *new_store(const Built *b) {
    TensorStore *s = store_new(b->a, b->m);
    s->values[model_find_tensor(b->m, "opt/lr", TK_STATE)][0] = b->m->opt.lr;
    return s;
}

static void run_config(int k) {
    const Config *c = &configs[k];
    if (strcmp(c->name, torch_expected[k].name) != 0) { printf("FAIL: table order\n"); failures++; return; }

    /* the test's own transcription against torch */
    RefState rs = {0};
    double p[N];
    memcpy(p, P0, sizeof p);
    for (int s = 0; s < STEPS; s++) {
        reference_step(&c->opt, &rs, p, GRADS[s]);
        expect_close("reference", c->name, s, p, torch_expected[k].p[s]);
    }

    /* apply, with the gradient written into grad/w */
    Built b = build(&c->opt);
    check_structure(c, &b);
    TensorStore *st = new_store(&b);
    memcpy(st->values[b.w], P0, sizeof P0);
    for (int s = 0; s < STEPS; s++) {
        memcpy(st->values[b.grad], GRADS[s], sizeof GRADS[s]);
        interp_run(b.a, b.m, &b.m->apply, st);
        expect_close("apply", c->name, s, st->values[b.w], torch_expected[k].p[s]);
    }

    /* train_step, with the gradient coming from x */
    TensorStore *ts = new_store(&b);
    memcpy(ts->values[b.w], P0, sizeof P0);
    for (int s = 0; s < STEPS; s++) {
        memcpy(ts->values[b.x], GRADS[s], sizeof GRADS[s]);
        interp_run(b.a, b.m, &b.m->train_step, ts);
        expect_close("train_step", c->name, s, ts->values[b.w], torch_expected[k].p[s]);
        expect_close("train_step grad/w", c->name, s, ts->values[b.grad], GRADS[s]);
    }
    arena_free(b.a);
    printf("ok   %s\n", c->name);
}

int main(void) {
    for (int k = 0; k < NCONFIGS; k++) run_config(k);
    printf("%d configurations, %d failures\n", (int)NCONFIGS, failures);
    return failures != 0;
}
