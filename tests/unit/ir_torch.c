/* ir_torch.c: the reference interpreter against PyTorch (float64) on random
 * inputs, for the ops whose loops are easiest to get subtly wrong:
 * convolution with stride and padding and its two derivatives, pooling with
 * ties and its derivatives, softmax along an inner axis, the fused losses and
 * their derivatives, transposed matmul, reductions, broadcasting, permutes.
 *
 * The program writes one Python script (inputs as literals, then torch
 * expressions), runs /usr/bin/python3 on it, and compares every number.
 * Without python3-torch it says so and passes (the hand-computed ir_interp
 * test still runs). */
#include "ir_check.h"

typedef struct Expect { const char *what; const double *v; int64_t n; } Expect;

typedef struct Script {
    Arena *a;
    FILE *py;
    Expect *expect; int nexpect, capexpect;
} Script;

static unsigned rng = 777;
static double uniform(double lo, double hi) {
    rng = rng * 1103515245u + 12345u;
    return lo + (hi - lo) * ((rng >> 8) % 1000003) / 1000003.0;
}

/* A random input, declared to Python as `name`. */
static Operand input(Script *s, const char *name, DType t, Shape shape, double lo, double hi, bool ties) {
    int64_t n = shape_count(shape);
    double *v = arena_alloc(s->a, sizeof(double) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) {
        v[i] = uniform(lo, hi);
        if (t == DT_I32 || ties) v[i] = floor(v[i]);
    }
    fprintf(s->py, "%s = T([", name);
    for (int i = 0; i < shape.rank; i++) fprintf(s->py, "%s%lld", i ? "," : "", (long long)shape.dim[i]);
    fprintf(s->py, "], [");
    for (int64_t i = 0; i < n; i++) fprintf(s->py, "%s%.17g", i ? "," : "", v[i]);
    fprintf(s->py, "], %s)\n", t == DT_I32 ? "torch.int64" : "torch.float64");
    return (Operand){t, shape, v};
}

/* Expect the interpreter's values v to equal what the Python expression prints. */
static void expect(Script *s, const char *what, const double *v, int64_t n, const char *py_expr) {
    VEC_PUSH(s->a, s->expect, s->nexpect, s->capexpect, ((Expect){what, v, n}));
    fprintf(s->py, "out(%s)\n", py_expr);
}

static double *op(Script *s, Op o, Attr at, Shape shape, int nin, const Operand *in) {
    return run_op(s->a, o, at, DT_F32, shape, nin, in, NULL);
}

static void conv_cases(Script *s) {
    Attr at = {.stride = {2, 1}, .pad = {1, 0}};
    Operand x = input(s, "x", DT_F32, SHAPE(2, 3, 7, 6), -1, 1, false);
    Operand w = input(s, "w", DT_F32, SHAPE(4, 3, 3, 2), -1, 1, false);
    Shape ys;
    CHECK(shape_conv2d(x.s, w.s, at.stride, at.pad, &ys));
    Operand dy = input(s, "dy", DT_F32, ys, -1, 1, false);
    double *y = op(s, OP_CONV2D, at, SCALAR, 2, (Operand[]){x, w});
    fprintf(s->py, "x.requires_grad_(); w.requires_grad_()\n"
                   "y = F.conv2d(x, w, stride=(2, 1), padding=(1, 0)); y.backward(dy)\n");
    expect(s, "conv2d", y, shape_count(ys), "y");
    expect(s, "conv2d_dx", op(s, OP_CONV2D_DX, at, x.s, 2, (Operand[]){dy, w}), shape_count(x.s), "x.grad");
    expect(s, "conv2d_dw", op(s, OP_CONV2D_DW, at, w.s, 2, (Operand[]){x, dy}), shape_count(w.s), "w.grad");
}

static void pool_cases(Script *s) {
    Attr at = {.size = {3, 2}, .stride = {2, 1}};
    /* integers in [0, 3): many ties inside windows */
    Operand x = input(s, "p", DT_F32, SHAPE(2, 2, 7, 5), 0, 3, true);
    Shape ys;
    CHECK(shape_pool2d(x.s, at.size, at.stride, &ys));
    Operand dy = input(s, "dq", DT_F32, ys, -1, 1, false);
    fprintf(s->py, "p.requires_grad_()\n"
                   "q = F.max_pool2d(p, (3, 2), stride=(2, 1)); q.backward(dq)\n");
    expect(s, "maxpool2d", op(s, OP_MAXPOOL2D, at, SCALAR, 1, &x), shape_count(ys), "q");
    expect(s, "maxpool2d_dx", op(s, OP_MAXPOOL2D_DX, at, SCALAR, 2, (Operand[]){x, dy}), shape_count(x.s), "p.grad");
    fprintf(s->py, "p.grad = None\n"
                   "q = F.avg_pool2d(p, (3, 2), stride=(2, 1)); q.backward(dq)\n");
    expect(s, "avgpool2d", op(s, OP_AVGPOOL2D, at, SCALAR, 1, &x), shape_count(ys), "q");
    expect(s, "avgpool2d_dx", op(s, OP_AVGPOOL2D_DX, at, x.s, 1, &dy), shape_count(x.s), "p.grad");
}

static void softmax_cases(Script *s) {
    Operand x = input(s, "sx", DT_F32, SHAPE(2, 3, 4), -3, 3, false);
    expect(s, "softmax", op(s, OP_SOFTMAX, (Attr){.axis = 1}, SCALAR, 1, &x), 24, "torch.softmax(sx, 1)");
    expect(s, "log_softmax", op(s, OP_LOG_SOFTMAX, (Attr){.axis = 1}, SCALAR, 1, &x), 24,
           "torch.log_softmax(sx, 1)");
    expect(s, "log_softmax0", op(s, OP_LOG_SOFTMAX, (Attr){.axis = 0}, SCALAR, 1, &x), 24,
           "torch.log_softmax(sx, 0)");
}

static void loss_cases(Script *s) {
    Operand z = input(s, "z", DT_F32, SHAPE(5, 4), -2, 2, false);
    Operand l = input(s, "lab", DT_I32, SHAPE(5), 0, 4, false);
    Operand dl = input(s, "dl", DT_F32, SCALAR, 0.5, 2, false);
    fprintf(s->py, "z.requires_grad_()\n"
                   "ce = F.cross_entropy(z, lab); (ce * dl).backward()\n");
    expect(s, "sce", op(s, OP_SCE, (Attr){0}, SCALAR, 2, (Operand[]){z, l}), 1, "ce");
    expect(s, "sce_dx", op(s, OP_SCE_DX, (Attr){0}, SCALAR, 3, (Operand[]){z, l, dl}), 20, "z.grad");
    /* class 1 ignored: those rows count for nothing (PyTorch's ignore_index) */
    fprintf(s->py, "z.grad = None\n"
                   "cei = F.cross_entropy(z, lab, ignore_index=1); (cei * dl).backward()\n");
    Attr ignore1 = {.has_ignore = true, .ignore = 1};
    expect(s, "sce ignore", op(s, OP_SCE, ignore1, SCALAR, 2, (Operand[]){z, l}), 1, "cei");
    expect(s, "sce_dx ignore", op(s, OP_SCE_DX, ignore1, SCALAR, 3, (Operand[]){z, l, dl}), 20, "z.grad");
    Operand p = input(s, "bp", DT_F32, SHAPE(3, 4), 0.01, 0.99, false);
    Operand t = input(s, "bt", DT_F32, SHAPE(3, 4), 0, 1, false);
    fprintf(s->py, "bp.requires_grad_()\n"
                   "b = F.binary_cross_entropy(bp, bt); (b * dl).backward()\n");
    expect(s, "bce", op(s, OP_BCE, (Attr){0}, SCALAR, 2, (Operand[]){p, t}), 1, "b");
    expect(s, "bce_dx", op(s, OP_BCE_DX, (Attr){0}, SCALAR, 3, (Operand[]){p, t, dl}), 12, "bp.grad");
    /* probabilities exactly 0 and 1: the clamped logs and the clamped denominator */
    double *edge = arena_alloc(s->a, 4 * sizeof(double));
    memcpy(edge, (double[]){0, 1, 0, 1}, 4 * sizeof(double));
    Operand pe = {DT_F32, SHAPE(4), edge};
    Operand te = input(s, "te", DT_F32, SHAPE(4), 0, 1, false);
    fprintf(s->py, "pe = torch.tensor([0., 1., 0., 1.], dtype=torch.float64, requires_grad=True)\n"
                   "be = F.binary_cross_entropy(pe, te); (be * dl).backward()\n");
    expect(s, "bce_edges", op(s, OP_BCE, (Attr){0}, SCALAR, 2, (Operand[]){pe, te}), 1, "be");
    expect(s, "bce_dx_edges", op(s, OP_BCE_DX, (Attr){0}, SCALAR, 3, (Operand[]){pe, te, dl}), 4, "pe.grad");
    expect(s, "one_hot", op(s, OP_ONE_HOT, (Attr){.classes = 6}, SCALAR, 1, &l), 30, "F.one_hot(lab, 6)");
}

static void linear_algebra_cases(Script *s) {
    Operand a = input(s, "ma", DT_F32, SHAPE(4, 3), -1, 1, false);
    Operand b = input(s, "mb", DT_F32, SHAPE(5, 4), -1, 1, false);
    expect(s, "matmul_tt", op(s, OP_MATMUL, (Attr){.trans_a = true, .trans_b = true}, SCALAR, 2, (Operand[]){a, b}),
           15, "ma.T @ mb.T");
    Operand r = input(s, "r", DT_F32, SHAPE(2, 3, 4), -2, 2, false);
    expect(s, "sum_keep", op(s, OP_SUM, (Attr){.axes = 5, .keepdims = true}, SCALAR, 1, &r), 3,
           "r.sum(dim=(0, 2), keepdim=True)");
    expect(s, "max_axis", op(s, OP_MAX, (Attr){.axes = 2}, SCALAR, 1, &r), 8, "r.amax(dim=1)");
    expect(s, "mean_all", op(s, OP_MEAN, (Attr){.axes = 7}, SCALAR, 1, &r), 1, "r.mean()");
    Operand u = input(s, "u", DT_F32, SHAPE(2, 1, 3), 0.5, 2, false);
    Operand v = input(s, "v", DT_F32, SHAPE(4, 1), -2, 2, false);
    expect(s, "pow", op(s, OP_POW, (Attr){0}, SCALAR, 2, (Operand[]){u, v}), 24, "torch.pow(u, v)");
    expect(s, "div", op(s, OP_DIV, (Attr){0}, SCALAR, 2, (Operand[]){v, u}), 24, "v / u");
    expect(s, "maximum", op(s, OP_MAXIMUM, (Attr){0}, SCALAR, 2, (Operand[]){u, v}), 24, "torch.maximum(u, v)");
    Operand q = input(s, "q4", DT_F32, SHAPE(2, 3, 4, 5), -1, 1, false);
    expect(s, "transpose", op(s, OP_TRANSPOSE, (Attr){.perm = {0, 2, 3, 1}}, SCALAR, 1, &q), 120,
           "q4.permute(0, 2, 3, 1)");
    expect(s, "leaky_relu", op(s, OP_LEAKY_RELU, (Attr){.value = 0.2}, SCALAR, 1, &q), 120,
           "F.leaky_relu(q4, 0.2)");
    expect(s, "sigmoid", op(s, OP_SIGMOID, (Attr){0}, SCALAR, 1, &q), 120, "torch.sigmoid(q4)");
    expect(s, "tanh", op(s, OP_TANH, (Attr){0}, SCALAR, 1, &q), 120, "torch.tanh(q4)");
}

int main(void) {
    if (system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
        printf("ir_torch: skipped (no python3-torch)\n");
        return 0;
    }
    Arena *a = arena_new();
    char path[] = "/tmp/ir_torch_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); return 1; }
    Script s = {.a = a, .py = fdopen(fd, "w")};
    fprintf(s.py, "import torch\nimport torch.nn.functional as F\n"
                  "def T(shape, v, dt): return torch.tensor(v, dtype=torch.float64).to(dt).reshape(shape)\n"
                  "def out(t):\n"
                  "    t = t.detach().to(torch.float64).reshape(-1)\n"
                  "    print(t.numel())\n"
                  "    for x in t.tolist(): print(repr(x))\n");
    conv_cases(&s);
    pool_cases(&s);
    softmax_cases(&s);
    loss_cases(&s);
    linear_algebra_cases(&s);
    fclose(s.py);
    char *cmd = arena_printf(a, "/usr/bin/python3 %s", path);
    FILE *in = popen(cmd, "r");
    for (int i = 0; i < s.nexpect; i++) {
        const Expect *e = &s.expect[i];
        long long n = -1;
        if (fscanf(in, "%lld", &n) != 1 || n != e->n) {
            fprintf(stderr, "%s: torch gave %lld values, the interpreter %lld\n", e->what, n, (long long)e->n);
            check_failures++;
            break;
        }
        int bad = 0;
        for (int64_t k = 0; k < n; k++) {
            double want;
            if (fscanf(in, "%lf", &want) != 1) { check_failures++; bad = 99; break; }
            if (!(fabs(e->v[k] - want) <= 1e-10 * (1 + fabs(want))) && bad++ < 3) {
                fprintf(stderr, "%s[%lld] = %.17g, torch %.17g\n", e->what, (long long)k, e->v[k], want);
                check_failures++;
            }
        }
    }
    if (pclose(in) != 0) {
        fprintf(stderr, "python failed (script kept at %s)\n", path);
        check_failures++;
    } else {
        unlink(path);
    }
    arena_free(a);
    return check_report("ir_torch");
}
