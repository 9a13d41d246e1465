/* ir_check.h: small helpers shared by the ir_*.c unit tests: a failure
 * counter, shapes written inline, and a one-op model run through the
 * builder, the verifier and the reference interpreter. */
#ifndef IR_CHECK_H
#define IR_CHECK_H
#include "cg/cg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                    \
        }                                                                        \
    } while (0)

#define CHECK_NEAR(got, want, tol)                                                        \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!(fabs(g_ - w_) <= (tol) * (1 + fabs(w_)))) {                                 \
            fprintf(stderr, "%s:%d: %s = %.12g, want %.12g\n", __FILE__, __LINE__, #got, g_, w_); \
            check_failures++;                                                             \
        }                                                                                 \
    } while (0)

static inline Shape shape_of(const int64_t *dims, int rank) {
    Shape s = {.rank = rank};
    for (int i = 0; i < rank; i++) s.dim[i] = dims[i];
    return s;
}
#define SHAPE(...) shape_of((int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))
#define SCALAR ((Shape){0})

static inline int add_tensor(Arena *a, Model *m, const char *name, TensorKind kind, DType t, Shape s) {
    return model_add_tensor(a, m, (Tensor){.name = name, .kind = kind, .dtype = t, .shape = s, .param = -1});
}

static inline Model *new_model(Arena *a, const char *name) {
    Model *m = arena_alloc(a, sizeof *m);
    m->name = name;
    m->loss_tensor = -1;
    graph_init(&m->forward, "forward");
    return m;
}

/* One operand of a one-op test: its type and row-major values. */
typedef struct Operand { DType t; Shape s; const double *v; } Operand;

/* Build  out = op(inputs...)  (the result type given for shaped ops), verify
 * it, interpret it, and return the result's values (count in *count). */
static inline double *run_op(Arena *a, Op op, Attr at, DType t, Shape s, int nin, const Operand *in,
                             int64_t *count) {
    Model *m = new_model(a, "one_op");
    Graph *g = &m->forward;
    int ids[NODE_MAX_IN];
    for (int i = 0; i < nin; i++) {
        int tensor = add_tensor(a, m, arena_printf(a, "in%d", i), TK_INPUT, in[i].t, in[i].s);
        ids[i] = graph_load(a, g, m, tensor);
    }
    int y = op_is_shaped(op) ? graph_node_shaped(a, g, op, ids, nin, at, t, s) : graph_node(a, g, op, ids, nin, at);
    int out = add_tensor(a, m, "out", TK_OUTPUT, g->nodes[y].dtype, g->nodes[y].shape);
    graph_store(a, g, out, y);
    model_verify(m);
    TensorStore *st = store_new(a, m);
    for (int i = 0; i < nin; i++)
        memcpy(st->values[i], in[i].v, sizeof(double) * (size_t)shape_count(in[i].s));
    interp_run(a, m, g, st);
    if (count) *count = shape_count(g->nodes[y].shape);
    return st->values[out];
}

/* Run f in a child process: true when it exits with status `status`
 * (3 = die(), the compiler's own bug).  The child's stderr goes to /dev/null. */
static inline bool exits_with(void (*f)(void *), void *arg, int status) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) _exit(99);
        f(arg);
        _exit(0);
    }
    int ws;
    if (waitpid(pid, &ws, 0) != pid) return false;
    return WIFEXITED(ws) && WEXITSTATUS(ws) == status;
}

static inline int check_report(const char *name) {
    if (check_failures) fprintf(stderr, "%s: %d checks failed\n", name, check_failures);
    else printf("%s: ok\n", name);
    return check_failures != 0;
}
#endif
