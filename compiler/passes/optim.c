/* optim.c: the optimizer update as graph IR, and the train step.
 *
 * Needs: m->gradients from autodiff (it stores "grad/<p>" for every f32
 * parameter p), m->opt with every field set by sema (defaults included).
 * Guarantees: the optimizer's state tensors exist (TK_STATE, zeros, param =
 * the owning parameter: "opt/momentum/<p>" for sgd with momentum, "opt/m/<p>"
 * and "opt/v/<p>" for adam and adamw, "opt/step" (f32 [], param -1) where the
 * rule needs the step count), and "opt/lr" (f32 [], initialised to the
 * optimizer's lr: the program may change it between steps, e.g. for a
 * learning-rate schedule); m->apply loads the grads, params and state and
 * stores the new params and state with the update rules of PyTorch's
 * torch.optim.SGD, Adam and AdamW (no amsgrad, no maximize); m->train_step is
 * m->gradients followed by m->apply with apply's loads of a grad replaced by
 * the value just computed and its loads of a param by the forward's load.
 * Without a loss (or without an optimizer) apply is empty. */
#include "passes/passes.h"

typedef struct Update {
    Arena *a;
    Model *m;
    Graph *g;
    int step;           /* node: the step count after this apply's increment, or -1 */
    int lr;             /* node: the learning rate, loaded from "opt/lr" */
} Update;

static int scalar(Update *u, double v) { return graph_scalar(u->a, u->g, v); }
static int add(Update *u, int x, int y) { return graph_binary(u->a, u->g, OP_ADD, x, y); }
static int sub(Update *u, int x, int y) { return graph_binary(u->a, u->g, OP_SUB, x, y); }
static int mul(Update *u, int x, int y) { return graph_binary(u->a, u->g, OP_MUL, x, y); }
static int div_(Update *u, int x, int y) { return graph_binary(u->a, u->g, OP_DIV, x, y); }

/* A zero-initialised optimizer state tensor for parameter p (-1: global). */
static int add_state(Update *u, const char *name, int p, Shape s) {
    Loc loc = p >= 0 ? u->m->tensors[p].loc : u->m->opt.loc;
    Tensor t = {.name = name, .kind = TK_STATE, .dtype = DT_F32, .shape = s,
                .init = {.kind = INIT_ZEROS}, .param = p, .loc = loc};
    return model_add_tensor(u->a, u->m, t);
}

/* The learning rate lives in the instance so that a training loop can
 * schedule it; it starts at the value the .dm file gives. */
static void build_lr(Update *u) {
    int t = add_state(u, "opt/lr", -1, (Shape){0});
    u->m->tensors[t].init = (Init){.kind = INIT_CONST, .a = u->m->opt.lr};
    u->lr = graph_load(u->a, u->g, u->m, t);
}

/* The step count, incremented before use as PyTorch's state['step']. */
static void build_step(Update *u) {
    int t = add_state(u, "opt/step", -1, (Shape){0});
    u->step = add(u, graph_load(u->a, u->g, u->m, t), scalar(u, 1));
    graph_store(u->a, u->g, t, u->step);
}

/* torch.optim.SGD: g += wd p; buf = g on the first step, else
 * momentum buf + (1 - dampening) g; g = nesterov ? g + momentum buf : buf;
 * p -= lr g. */
static void update_sgd(Update *u, int p, int param, int grad) {
    const Optimizer *o = &u->m->opt;
    const Tensor *pt = &u->m->tensors[p];
    int g = grad;
    if (o->weight_decay != 0) g = add(u, g, mul(u, param, scalar(u, o->weight_decay)));
    if (o->momentum != 0) {
        int t = add_state(u, arena_printf(u->a, "opt/momentum/%s", pt->name), p, pt->shape);
        int buf = graph_load(u->a, u->g, u->m, t);
        int next;
        if (o->dampening == 0) {
            /* buf starts at zero, so momentum*0 + g is exactly PyTorch's buf = g */
            next = add(u, mul(u, buf, scalar(u, o->momentum)), g);
        } else {
            int later = add(u, mul(u, buf, scalar(u, o->momentum)), mul(u, g, scalar(u, 1 - o->dampening)));
            int first = graph_binary(u->a, u->g, OP_EQ, u->step, scalar(u, 1));
            next = add(u, mul(u, first, g), mul(u, sub(u, scalar(u, 1), first), later));
        }
        graph_store(u->a, u->g, t, next);
        g = o->nesterov ? add(u, g, mul(u, next, scalar(u, o->momentum))) : next;
    }
    graph_store(u->a, u->g, p, sub(u, param, mul(u, g, u->lr)));
}

/* torch.optim.Adam / AdamW: (AdamW: p *= 1 - lr wd; Adam: g += wd p);
 * m = lerp(m, g, 1 - b1); v = b2 v + (1 - b2) g g;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). */
typedef struct Corrections { int step_size, sqrt_bc2; } Corrections;

static Corrections adam_corrections(Update *u) {
    const Optimizer *o = &u->m->opt;
    int bc1 = sub(u, scalar(u, 1), graph_binary(u->a, u->g, OP_POW, scalar(u, o->beta1), u->step));
    int bc2 = sub(u, scalar(u, 1), graph_binary(u->a, u->g, OP_POW, scalar(u, o->beta2), u->step));
    return (Corrections){.step_size = div_(u, u->lr, bc1),
                         .sqrt_bc2 = graph_unary(u->a, u->g, OP_SQRT, bc2)};
}

static void update_adam(Update *u, Corrections k, int p, int param, int grad) {
    const Optimizer *o = &u->m->opt;
    const Tensor *pt = &u->m->tensors[p];
    int g = grad;
    if (o->weight_decay != 0) {
        if (o->kind == OPT_ADAMW) param = mul(u, param, sub(u, scalar(u, 1), mul(u, u->lr, scalar(u, o->weight_decay))));
        else g = add(u, g, mul(u, param, scalar(u, o->weight_decay)));
    }
    int tm = add_state(u, arena_printf(u->a, "opt/m/%s", pt->name), p, pt->shape);
    int tv = add_state(u, arena_printf(u->a, "opt/v/%s", pt->name), p, pt->shape);
    int m0 = graph_load(u->a, u->g, u->m, tm), v0 = graph_load(u->a, u->g, u->m, tv);
    int m1 = add(u, m0, mul(u, sub(u, g, m0), scalar(u, 1 - o->beta1)));   /* m.lerp_(g, 1 - b1) */
    int v1 = add(u, mul(u, v0, scalar(u, o->beta2)), mul(u, mul(u, g, g), scalar(u, 1 - o->beta2)));
    graph_store(u->a, u->g, tm, m1);
    graph_store(u->a, u->g, tv, v1);
    int denom = add(u, div_(u, graph_unary(u->a, u->g, OP_SQRT, v1), k.sqrt_bc2), scalar(u, o->eps));
    graph_store(u->a, u->g, p, sub(u, param, mul(u, div_(u, m1, denom), k.step_size)));
}

static void build_apply(Arena *a, Model *m) {
    Update u = {.a = a, .m = m, .g = &m->apply, .step = -1};
    const Optimizer *o = &m->opt;
    bool adam = o->kind == OPT_ADAM || o->kind == OPT_ADAMW;
    build_lr(&u);
    if (adam || (o->kind == OPT_SGD && o->momentum != 0 && o->dampening != 0)) build_step(&u);
    Corrections k = {-1, -1};
    if (adam) k = adam_corrections(&u);
    int ntensors = m->ntensors;   /* the state tensors added below are not grads */
    for (int t = 0; t < ntensors; t++) {
        if (m->tensors[t].kind != TK_GRAD) continue;
        int p = m->tensors[t].param;
        int grad = graph_load(a, u.g, m, t), param = graph_load(a, u.g, m, p);
        if (adam) update_adam(&u, k, p, param, grad);
        else update_sgd(&u, p, param, grad);
    }
}

/* train_step = gradients, then apply with its grad and param loads forwarded. */
static void build_train_step(Arena *a, Model *m) {
    Graph *ts = &m->train_step;
    graph_copy(a, ts, &m->gradients);
    ts->entry = "train_step";
    const Graph *ap = &m->apply;
    int *map = arena_alloc(a, sizeof(int) * (size_t)(ap->n ? ap->n : 1));
    for (int i = 0; i < ap->n; i++) {
        Node n = ap->nodes[i];
        map[i] = -1;
        if (n.op == OP_LOAD) {
            TensorKind kind = m->tensors[n.attr.tensor].kind;
            for (int j = 0; j < m->gradients.n && map[i] < 0; j++) {
                const Node *x = &ts->nodes[j];
                if (x->attr.tensor != n.attr.tensor) continue;
                if (kind == TK_GRAD && x->op == OP_STORE) map[i] = x->in[0];
                if (kind == TK_PARAM && x->op == OP_LOAD) map[i] = j;
            }
            if (map[i] >= 0) continue;
        }
        for (int k = 0; k < n.nin; k++) n.in[k] = map[n.in[k]];
        map[i] = graph_add(a, ts, n);
    }
}

void optim_model(Arena *a, Model *m) {
    graph_init(&m->apply, "apply");
    graph_init(&m->train_step, "train_step");
    if (m->loss_tensor < 0 || m->gradients.n == 0) return;
    if (m->opt.kind != OPT_NONE) build_apply(a, m);
    build_train_step(a, m);
}
