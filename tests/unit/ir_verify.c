/* ir_verify.c: the verifier accepts a well-formed model and catches each
 * class of malformed graph.  It die()s (exit status 3) on failure, so each
 * malformed case runs in a child process. */
#include "ir_check.h"

typedef struct Case { Arena *a; Model *m; int x, w, y; } Case;

/* x : f32[2, 3] input, W : f32[3] param, y : f32[2, 3] output; %0 = load x, %1 = load W */
static Case base(void *arg) {
    Case c = {.a = arg};
    c.m = new_model(c.a, "v");
    c.x = add_tensor(c.a, c.m, "x", TK_INPUT, DT_F32, SHAPE(2, 3));
    c.w = add_tensor(c.a, c.m, "W", TK_PARAM, DT_F32, SHAPE(3));
    c.y = add_tensor(c.a, c.m, "y", TK_OUTPUT, DT_F32, SHAPE(2, 3));
    graph_load(c.a, &c.m->forward, c.m, c.x);
    graph_load(c.a, &c.m->forward, c.m, c.w);
    return c;
}

static Node node(Op op, int nin, int in0, int in1, DType t, Shape s) {
    return (Node){.op = op, .nin = nin, .in = {in0, in1}, .dtype = t, .shape = s};
}

static void good(void *arg) {
    Case c = base(arg);
    int s = graph_binary(c.a, &c.m->forward, OP_MUL, 0, 1);
    graph_store(c.a, &c.m->forward, c.y, s);
    graph_store(c.a, &c.m->forward, c.w, graph_reduce(c.a, &c.m->forward, OP_SUM, s, 1, false));
    model_verify(c.m);
}
static void forward_operand(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_MUL, 2, 0, 2, DT_F32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void self_operand(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_RELU, 1, 2, 0, DT_F32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void wrong_arity(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_ADD, 1, 0, 0, DT_F32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void wrong_shape(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_ADD, 2, 0, 1, DT_F32, SHAPE(3, 2)));
    graph_verify(c.m, &c.m->forward);
}
static void wrong_dtype(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_RELU, 1, 0, 0, DT_I32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void wrong_load_type(void *arg) {
    Case c = base(arg);
    Node n = node(OP_LOAD, 0, 0, 0, DT_F32, SHAPE(2));
    n.attr.tensor = c.w;
    graph_add(c.a, &c.m->forward, n);
    graph_verify(c.m, &c.m->forward);
}
static void load_missing_tensor(void *arg) {
    Case c = base(arg);
    Node n = node(OP_LOAD, 0, 0, 0, DT_F32, SHAPE(3));
    n.attr.tensor = 17;
    graph_add(c.a, &c.m->forward, n);
    graph_verify(c.m, &c.m->forward);
}
static void store_to_input(void *arg) {
    Case c = base(arg);
    graph_store(c.a, &c.m->forward, c.x, 0);
    graph_verify(c.m, &c.m->forward);
}
static void store_wrong_shape(void *arg) {
    Case c = base(arg);
    graph_store(c.a, &c.m->forward, c.y, 1);
    graph_verify(c.m, &c.m->forward);
}
static void load_after_store(void *arg) {
    Case c = base(arg);
    graph_store(c.a, &c.m->forward, c.w, 1);
    graph_load(c.a, &c.m->forward, c.m, c.w);
    graph_verify(c.m, &c.m->forward);
}
static void two_stores(void *arg) {
    Case c = base(arg);
    graph_store(c.a, &c.m->forward, c.y, 0);
    graph_store(c.a, &c.m->forward, c.y, 0);
    graph_verify(c.m, &c.m->forward);
}
static void store_as_operand(void *arg) {
    Case c = base(arg);
    int s = graph_store(c.a, &c.m->forward, c.y, 0);
    graph_add(c.a, &c.m->forward, node(OP_RELU, 1, s, 0, DT_F32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void unknown_op(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node((Op)OP_COUNT, 0, 0, 0, DT_F32, SHAPE(2, 3)));
    graph_verify(c.m, &c.m->forward);
}
static void bad_transpose(void *arg) {
    Case c = base(arg);
    Node n = node(OP_TRANSPOSE, 1, 0, 0, DT_F32, SHAPE(3, 2));
    n.attr.perm[0] = 1, n.attr.perm[1] = 1;
    graph_add(c.a, &c.m->forward, n);
    graph_verify(c.m, &c.m->forward);
}
static void negative_dim(void *arg) {
    Case c = base(arg);
    graph_add(c.a, &c.m->forward, node(OP_CONST, 0, 0, 0, DT_F32, SHAPE(2, -3)));
    graph_verify(c.m, &c.m->forward);
}
static void grad_of_nothing(void *arg) {
    Case c = base(arg);
    model_add_tensor(c.a, c.m, (Tensor){.name = "grad/x", .kind = TK_GRAD, .dtype = DT_F32,
                                        .shape = SHAPE(2, 3), .param = c.x});
    model_verify(c.m);
}
static void duplicate_tensor(void *arg) {
    Case c = base(arg);
    add_tensor(c.a, c.m, "W", TK_STATE, DT_F32, SHAPE(3));
    model_verify(c.m);
}

int main(void) {
    Arena *a = arena_new();
    static const struct { const char *name; void (*f)(void *); int status; } cases[] = {
        {"good", good, 0},
        {"forward_operand", forward_operand, 3},
        {"self_operand", self_operand, 3},
        {"wrong_arity", wrong_arity, 3},
        {"wrong_shape", wrong_shape, 3},
        {"wrong_dtype", wrong_dtype, 3},
        {"wrong_load_type", wrong_load_type, 3},
        {"load_missing_tensor", load_missing_tensor, 3},
        {"store_to_input", store_to_input, 3},
        {"store_wrong_shape", store_wrong_shape, 3},
        {"load_after_store", load_after_store, 3},
        {"two_stores", two_stores, 3},
        {"store_as_operand", store_as_operand, 3},
        {"unknown_op", unknown_op, 3},
        {"bad_transpose", bad_transpose, 3},
        {"negative_dim", negative_dim, 3},
        {"grad_of_nothing", grad_of_nothing, 3},
        {"duplicate_tensor", duplicate_tensor, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!exits_with(cases[i].f, a, cases[i].status)) {
            fprintf(stderr, "case %s: not exit status %d\n", cases[i].name, cases[i].status);
            check_failures++;
        }
    arena_free(a);
    return check_report("ir_verify");
}
