/* sema_values.c: the graphs sema builds compute what docs/language.md says.
 * Each case compiles a small model (with the prelude), fills its inputs and
 * params, runs the forward graph in the reference interpreter and compares
 * the outputs with values worked out by hand in the comments (or, for the
 * logistic model, with the formula evaluated independently in C).
 * Covers: NumPy matmul for ranks 1 and 2 (lowered with reshapes) and on
 * batches,
 * broadcasting with numbers, reductions with negative axes and keepdims,
 * reshape with -1, transpose, flatten, one_hot, i32 arithmetic, mse,
 * Dense with and without its bias, and -D overrides. */
#include "cg/cg.h"

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
        if (fabs(got[i] - want[i]) > 1e-9 * (1 + fabs(want[i]))) {
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

int main(void) {
    Arena *a = arena_new();
    logistic(a);
    shapes(a);
    batches(a);
    dense(a);
    arena_free(a);
    if (failures) fprintf(stderr, "sema_values: %d failures\n", failures);
    return failures != 0;
}
