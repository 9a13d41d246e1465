/* sema_values.c: the graphs sema builds compute what docs/language.md says.
 * Each case compiles a small model (with the prelude), fills its inputs and
 * params, runs the forward graph in the reference interpreter and compares
 * the outputs with values worked out by hand in the comments (or, for the
 * logistic model, with the formula evaluated independently in C).
 * Covers: NumPy matmul for ranks 1 and 2 (lowered with reshapes) and on
 * batches,
 * broadcasting with numbers, reductions with negative axes and keepdims,
 * reshape with -1, transpose, flatten, one_hot, i32 arithmetic, mse,
 * Dense with and without its bias, -D overrides, and the built-ins of
 * sema_math.c (gelu ... std, '**', comparisons, where, casts) with NaNs. */
#include "cg/cg.h"
#include "passes/passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

extern const unsigned char prelude_dm[];

static Model *compile(Arena *a, const char *src, const Defines *defs) {
    Diag d = {.max_errors = 20, .out = stderr};
    Program prog = {0};
    if (!parse_file(a, &d, source_from_string(a, "<prelude>", prelude_source), &prog)) die("prelude");
    if (!parse_file(a, &d, source_from_string(a, "case.dm", src), &prog)) die("case does not parse");
    Models ms = {0};
    if (!sema_program(a, &d, &prog, defs, NULL, &ms) || ms.n != 1) die("case does not compile");
    model_verify(ms.items[0]);
    return ms.items[0];
}

static double *tensor(TensorStore *s, const char *name) {
    for (int i = 0; i < s->model->ntensors; i++)
        if (strcmp(s->model->tensors[i].name, name) == 0) return s->values[i];
    fprintf(stderr, "no tensor %s\n", name);
    exit(1);
}

static void set(TensorStore *s, const char *name, const double *v, int n) {
    memcpy(tensor(s, name), v, sizeof *v * (size_t)n);
}

static void expect(TensorStore *s, const char *name, const double *want, int n, int line) {
    const double *got = tensor(s, name);
    for (int i = 0; i < n; i++) {
        bool same = isnan(want[i]) ? isnan(got[i]) : isinf(want[i]) ? got[i] == want[i]
                                                    : fabs(got[i] - want[i]) <= 1e-9 * (1 + fabs(want[i]));
        if (!same) {
            fprintf(stderr, "sema_values.c:%d: %s[%d] = %.17g, expected %.17g\n", line, name, i, got[i], want[i]);
            failures++;
        }
    }
}
#define EXPECT(S, NAME, ...) do { const double w_[] = {__VA_ARGS__}; \
    expect(S, NAME, w_, (int)(sizeof w_ / sizeof w_[0]), __LINE__); } while (0)

static void logistic(Arena *a) {
    Model *m = compile(a,
        "model logreg {\n"
        "  input  x : f32[4, 2]\n"
        "  input  y : f32[4]\n"
        "  param  W : f32[2] = [0.1, 0.2]\n"
        "  param  b : f32    = 0.3\n"
        "  output p = sigmoid(x @ W + b)\n"
        "  loss   mse(p, y)\n"
        "  optimizer sgd(lr = 0.01)\n"
        "}\n", NULL);
    TensorStore *s = store_new(a, m);
    set(s, "x", (double[]){1, 2, 2, 1, 0, 0, 1, 1}, 8);
    set(s, "y", (double[]){1, 0, 0, 1}, 4);
    set(s, "W", (double[]){0.1, 0.2}, 2);
    set(s, "b", (double[]){0.3}, 1);
    interp_run(a, m, &m->forward, s);
    /* z = x @ W + b by hand: 0.1+0.4+0.3, 0.2+0.2+0.3, 0.3, 0.1+0.2+0.3 */
    double z[4] = {0.8, 0.7, 0.3, 0.6}, y[4] = {1, 0, 0, 1}, p[4], loss = 0;
    for (int i = 0; i < 4; i++) {
        p[i] = 1 / (1 + exp(-z[i]));
        loss += (p[i] - y[i]) * (p[i] - y[i]) / 4;
    }
    expect(s, "p", p, 4, __LINE__);
    expect(s, "loss", &loss, 1, __LINE__);
    CHECK(fabs(p[0] - 0.689974481127613) < 1e-12);   /* docs/language.md: sigmoid(0.8) = 0.689974... */
}

static void shapes(Arena *a) {
    Model *m = compile(a,
        "model shapes {\n"
        "  input A : f32[2, 3]\n"
        "  input u : f32[2]\n"
        "  input t : f32[3]\n"
        "  input l : i32[2]\n"
        "  output vm = u @ A\n"
        "  output mv = A @ t\n"
        "  output dot = u @ u\n"
        "  output rows = sum(A, axis = -1)\n"
        "  output cols = mean(A, axis = 0, keepdims = true)\n"
        "  output top = max(A)\n"
        "  output flat = reshape(A, [-1])\n"
        "  output tr = transpose(A) * 2 - 1\n"
        "  output oh = one_hot(l * 2 - 2, 3)\n"
        "  output li = -l * 3 + 1\n"
        "  output lrelu = leaky_relu(A - 3, alpha = 0.5)\n"
        "}\n", NULL);
    TensorStore *s = store_new(a, m);
    set(s, "A", (double[]){1, 2, 3, 4, 5, 6}, 6);
    set(s, "u", (double[]){1, 2}, 2);
    set(s, "t", (double[]){1, 1, 1}, 3);
    set(s, "l", (double[]){2, 1}, 2);
    interp_run(a, m, &m->forward, s);
    EXPECT(s, "vm", 1 + 2 * 4, 2 + 2 * 5, 3 + 2 * 6);   /* [1, 2] @ A */
    EXPECT(s, "mv", 6, 15);                           /* row sums */
    EXPECT(s, "dot", 5);                              /* 1 + 4 */
    EXPECT(s, "rows", 6, 15);
    EXPECT(s, "cols", 2.5, 3.5, 4.5);
    EXPECT(s, "top", 6);
    EXPECT(s, "flat", 1, 2, 3, 4, 5, 6);
    EXPECT(s, "tr", 1, 7, 3, 9, 5, 11);               /* [[1,4],[2,5],[3,6]] * 2 - 1 */
    EXPECT(s, "oh", 0, 0, 1, 1, 0, 0);                /* labels 2, 0 */
    EXPECT(s, "li", -5, -2);                          /* -2*3+1, -1*3+1 */
    EXPECT(s, "lrelu", -1, -0.5, 0, 1, 2, 3);         /* A - 3 = -2 -1 0 1 2 3 */
    int cols = model_find_tensor(m, "cols", TK_OUTPUT);
    CHECK(cols >= 0 && m->tensors[cols].shape.rank == 2 && m->tensors[cols].shape.dim[0] == 1);
    int dot = model_find_tensor(m, "dot", TK_OUTPUT);
    CHECK(dot >= 0 && m->tensors[dot].shape.rank == 0);
    int li = model_find_tensor(m, "li", TK_OUTPUT);
    CHECK(li >= 0 && m->tensors[li].dtype == DT_I32);
}

/* '@' on batches: vectors against a batch on either side, and each matrix
 * of a batch against its own transpose.  B's matrices: [[1,2,3],[4,5,6]]
 * and [[1,0,0],[0,1,-1]]. */
static void batches(Arena *a) {
    Model *m = compile(a,
        "model batches {\n"
        "  input B : f32[2, 2, 3]\n"
        "  input u : f32[2]\n"
        "  input t : f32[3]\n"
        "  output vb = u @ B\n"
        "  output bv = B @ t\n"
        "  output gram = B @ transpose(B, [0, 2, 1])\n"
        "}\n", NULL);
    TensorStore *s = store_new(a, m);
    set(s, "B", (double[]){1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, -1}, 12);
    set(s, "u", (double[]){1, 2}, 2);
    set(s, "t", (double[]){1, 1, 1}, 3);
    interp_run(a, m, &m->forward, s);
    EXPECT(s, "vb", 1 + 8, 2 + 10, 3 + 12, 1, 2, -2);    /* [1, 2] @ each matrix */
    EXPECT(s, "bv", 6, 15, 1, 0);                       /* row sums */
    /* [[1+4+9, 4+10+18], [4+10+18, 16+25+36]], [[1, 0], [0, 1+1]] */
    EXPECT(s, "gram", 14, 32, 32, 77, 1, 0, 0, 2);
    int vb = model_find_tensor(m, "vb", TK_OUTPUT), gram = model_find_tensor(m, "gram", TK_OUTPUT);
    CHECK(vb >= 0 && m->tensors[vb].shape.rank == 2 && m->tensors[vb].shape.dim[1] == 3);
    CHECK(gram >= 0 && m->tensors[gram].shape.rank == 3);
}

static void dense(Arena *a) {
    Define d = {.name = "units", .value = "2"};
    Defines defs = {.items = &d, .n = 1, .cap = 1};
    Model *m = compile(a,
        "const units = 5\n"
        "model dense {\n"
        "  input x : f32[1, 2]\n"
        "  with = Dense(x, units)\n"
        "  output y = Dense(with, units, bias = false) + with\n"
        "}\n", &defs);
    CHECK(d.used);
    CHECK(model_find_tensor(m, "with.b", TK_PARAM) >= 0);
    CHECK(model_find_tensor(m, "dense_0.W", TK_PARAM) >= 0);
    CHECK(model_find_tensor(m, "dense_0.b", TK_PARAM) < 0);   /* bias = false: no parameter */
    TensorStore *s = store_new(a, m);
    set(s, "x", (double[]){1, 2}, 2);
    set(s, "with.W", (double[]){1, 0, 0, 1}, 4);
    set(s, "with.b", (double[]){10, 20}, 2);
    set(s, "dense_0.W", (double[]){0, 1, 1, 0}, 4);
    interp_run(a, m, &m->forward, s);
    /* with = [1, 2] @ I + [10, 20] = [11, 22]; y = [22, 11] + [11, 22] */
    EXPECT(s, "y", 33, 33);
}

/* x = [[-1, 0, 2], [0.5, -2, 3]]; the transcendental values are PyTorch's
 * in float64 (F.gelu, F.gelu(approximate='tanh'), F.silu). */
static void modern(Arena *a) {
    Model *m = compile(a,
        "model modern {\n"
        "  input x : f32[2, 3]\n"
        "  input k : i32[3]\n"
        "  input n : f32[2]\n"
        "  input p : f32[2]\n"
        "  output ge = gelu(x)\n"
        "  output gt = gelu(x, approximate = true)\n"
        "  output si = silu(x)\n"
        "  output pw = x ** 3 + pow(x, 2) + square(x) * 0\n"
        "  output ng = -x ** 2 + 2 ** -1\n"
        "  output mm = minimum(x, 1) + maximum(x, 0) * 10\n"
        "  output cl = clip(x, -1.5, 1) + clip(x, hi = -1)\n"
        "  output cm = (x < 0) + (x <= 0) * 2 + (x > 0) * 4 + (x >= 2) * 8 + (x == 3) * 16 + (x != 0.5) * 32\n"
        "  output wh = where(x > 0, x, -10)\n"
        "  output ca = f32(k) / 2\n"
        "  output tr = i32(x * 1.5)\n"
        "  output mi = min(x, 1)\n"
        "  output va = var(x, 1)\n"
        "  output sd = std(x, axis = 1, unbiased = false)\n"
        "  output nmax = maximum(n, p)\n"
        "  output nmin = minimum(n, p)\n"
        "  output nclip = clip(n, 0, 0.5)\n"
        "  output nwhere = where(n > 0, n, p) + where(p != p, 100, 0)\n"
        "  output ncast = i32(n)\n"
        "}\n", NULL);
    TensorStore *s = store_new(a, m);
    set(s, "x", (double[]){-1, 0, 2, 0.5, -2, 3}, 6);
    set(s, "k", (double[]){-7, 0, 5}, 3);
    set(s, "n", (double[]){NAN, 1}, 2);
    set(s, "p", (double[]){1, NAN}, 2);
    interp_run(a, m, &m->forward, s);
    EXPECT(s, "ge", -0.15865525393145702, 0.0, 1.9544997361036416, 0.34573123063700656, -0.04550026389635842,
           2.99595030590511);
    EXPECT(s, "gt", -0.15880800939172324, 0.0, 1.954597694087775, 0.34571400982514394, -0.04540230591222494,
           2.996362607918227);
    EXPECT(s, "si", -0.2689414213699951, 0.0, 1.7615941559557646, 0.3112296656009273, -0.2384058440442351,
           2.8577223804672998);
    EXPECT(s, "pw", 0, 0, 12, 0.375, -4, 36);            /* x^3 + x^2 */
    EXPECT(s, "ng", -0.5, 0.5, -3.5, 0.25, -3.5, -8.5);   /* -(x^2) + 0.5 */
    EXPECT(s, "mm", -1, 0, 21, 5.5, -2, 31);             /* min(x, 1) + 10 max(x, 0) */
    EXPECT(s, "cl", -2, -1, 0, -0.5, -3.5, -0);          /* clip to [-1.5, 1] plus clip below -1 */
    /* x<0: 1, x<=0: 2, x>0: 4, x>=2: 8, x==3: 16, x!=0.5: 32 */
    EXPECT(s, "cm", 35, 34, 44, 4, 35, 60);
    EXPECT(s, "wh", -10, -10, 2, 0.5, -10, 3);
    EXPECT(s, "ca", -3.5, 0, 2.5);
    EXPECT(s, "tr", -1, 0, 3, 0, -3, 4);                 /* -1.5 0 3 0.75 -3 4.5 toward zero */
    EXPECT(s, "mi", -1, -2);
    EXPECT(s, "va", 7.0 / 3, 6.25);                      /* 42/9 / 2, 12.5 / 2 */
    EXPECT(s, "sd", 1.247219128924647, 2.041241452319315); /* sqrt(42/27), sqrt(12.5/3) */
    /* NaN propagates through maximum, minimum and clip (torch.maximum, torch.minimum,
     * torch.clamp); NaN > 0 is false, NaN != NaN true; i32(NaN) saturates to 0 */
    EXPECT(s, "nmax", NAN, NAN);
    EXPECT(s, "nmin", NAN, NAN);
    EXPECT(s, "nclip", NAN, 0.5);
    EXPECT(s, "nwhere", 1, 101);
    EXPECT(s, "ncast", 0, 1);
    int tr = model_find_tensor(m, "tr", TK_OUTPUT), cm = model_find_tensor(m, "cm", TK_OUTPUT);
    CHECK(tr >= 0 && m->tensors[tr].dtype == DT_I32 && cm >= 0 && m->tensors[cm].dtype == DT_F32);
}

/* The gradients where the derivative has a tie, a kink or a pole, from
 * PyTorch in float64 (torch.pow, minimum, maximum, clamp, amin, where, std). */
static void modern_gradients(Arena *a) {
    Model *m = compile(a,
        "model ties {\n"
        "  param z2 : f32[3]\n  param z3 : f32[3]\n  param z0 : f32[3]\n  param zh : f32[2]\n"
        "  param zm : f32[2]\n  param p : f32[3]\n  param q : f32[3]\n  param c : f32[5]\n"
        "  param r : f32[2, 3]\n  param w : f32[3]\n  param s : f32[2, 2]\n"
        "  loss sum(z2 ** 2) + sum(pow(z3, 3)) + sum(z0 ** 0 + z0 * 0) + sum(zh ** 0.5) + sum(zm ** -1)"
        " + sum(minimum(p, q)) + 2 * sum(maximum(p, q)) + sum(clip(c, -1, 1)) + sum(min(r, 1))"
        " + sum(where(w > 0, w * 2, w * 3)) + sum(std(s, 0))\n"
        "  optimizer sgd(lr = 0.1)\n"
        "}\n", NULL);
    autodiff_model(a, m);
    TensorStore *st = store_new(a, m);
    set(st, "z2", (double[]){0, 0, 1}, 3);
    set(st, "z3", (double[]){0, -1, 2}, 3);
    set(st, "z0", (double[]){0, NAN, 2}, 3);
    set(st, "zh", (double[]){0, 4}, 2);
    set(st, "zm", (double[]){0, 2}, 2);
    set(st, "p", (double[]){1, 2, 3}, 3);
    set(st, "q", (double[]){1, 1, 4}, 3);
    set(st, "c", (double[]){-1, 1, 0, 2, -3}, 5);
    set(st, "r", (double[]){1, 3, 1, 2, 2, 5}, 6);
    set(st, "w", (double[]){1, -1, 0}, 3);
    set(st, "s", (double[]){1, 2, 1, 3}, 4);   /* column 0 constant: std 0 */
    interp_run(a, m, &m->gradients, st);
    EXPECT(st, "grad/z2", 0, 0, 2);
    EXPECT(st, "grad/z3", 0, 3, 12);
    EXPECT(st, "grad/z0", 0, 0, 0);
    EXPECT(st, "grad/zh", INFINITY, 0.25);
    EXPECT(st, "grad/zm", -INFINITY, -0.25);
    EXPECT(st, "grad/p", 1.5, 2, 1);            /* ties split half and half */
    EXPECT(st, "grad/q", 1.5, 1, 2);
    EXPECT(st, "grad/c", 1, 1, 1, 0, 0);         /* the bounds are inside */
    EXPECT(st, "grad/r", 0.5, 0, 0.5, 0.5, 0.5, 0);
    EXPECT(st, "grad/w", 2, 3, 3);
    EXPECT(st, "grad/s", 0, -0.7071067811865475, 0, 0.7071067811865475);
}

int main(void) {
    Arena *a = arena_new();
    logistic(a);
    shapes(a);
    batches(a);
    dense(a);
    modern(a);
    modern_gradients(a);
    arena_free(a);
    if (failures) fprintf(stderr, "sema_values: %d failures\n", failures);
    return failures != 0;
}
