/* ir_shape.c: every shape rule of shape.c, its failures, shape_str, and the
 * builder's type rules (including the die() on invalid operands). */
#include "ir_check.h"

static void test_count_eq_str(Arena *a) {
    CHECK(shape_count(SCALAR) == 1);
    CHECK(shape_count(SHAPE(64, 784)) == 64 * 784);
    CHECK(shape_count(SHAPE(3, 0, 2)) == 0);
    CHECK(shape_eq(SHAPE(2, 3), SHAPE(2, 3)));
    CHECK(!shape_eq(SHAPE(2, 3), SHAPE(3, 2)));
    CHECK(!shape_eq(SHAPE(2), SHAPE(2, 1)));
    CHECK(strcmp(shape_str(a, DT_F32, SHAPE(64, 784)), "f32[64, 784]") == 0);
    CHECK(strcmp(shape_str(a, DT_F32, SCALAR), "f32") == 0);
    CHECK(strcmp(shape_str(a, DT_I32, SHAPE(4)), "i32[4]") == 0);
}

static void test_broadcast(void) {
    Shape r;
    CHECK(shape_broadcast(SHAPE(4, 1), SHAPE(3), &r) && shape_eq(r, SHAPE(4, 3)));
    CHECK(shape_broadcast(SCALAR, SHAPE(2, 3), &r) && shape_eq(r, SHAPE(2, 3)));
    CHECK(shape_broadcast(SHAPE(2, 3), SCALAR, &r) && shape_eq(r, SHAPE(2, 3)));
    CHECK(shape_broadcast(SHAPE(5, 1, 4, 1), SHAPE(3, 1, 6), &r) && shape_eq(r, SHAPE(5, 3, 4, 6)));
    CHECK(shape_broadcast(SHAPE(1), SHAPE(1), &r) && shape_eq(r, SHAPE(1)));
    CHECK(!shape_broadcast(SHAPE(2, 3), SHAPE(2), &r));
    CHECK(!shape_broadcast(SHAPE(4, 3), SHAPE(5, 3), &r));
}

static void test_matmul(void) {
    Shape r;
    CHECK(shape_matmul(SHAPE(64, 784), SHAPE(784, 10), false, false, &r) && shape_eq(r, SHAPE(64, 10)));
    CHECK(shape_matmul(SHAPE(784, 64), SHAPE(784, 10), true, false, &r) && shape_eq(r, SHAPE(64, 10)));
    CHECK(shape_matmul(SHAPE(64, 784), SHAPE(10, 784), false, true, &r) && shape_eq(r, SHAPE(64, 10)));
    CHECK(shape_matmul(SHAPE(784, 64), SHAPE(10, 784), true, true, &r) && shape_eq(r, SHAPE(64, 10)));
    CHECK(!shape_matmul(SHAPE(64, 784), SHAPE(128, 10), false, false, &r));
    CHECK(!shape_matmul(SHAPE(784), SHAPE(784, 10), false, false, &r));   /* rank 2 or more (sema reshapes vectors) */
    CHECK(!shape_matmul(SHAPE(784, 10), SCALAR, false, false, &r));
    /* batches: the axes before the last two broadcast */
    CHECK(shape_matmul(SHAPE(2, 3, 4), SHAPE(4, 2), false, false, &r) && shape_eq(r, SHAPE(2, 3, 2)));
    CHECK(shape_matmul(SHAPE(3, 4), SHAPE(5, 4, 2), false, false, &r) && shape_eq(r, SHAPE(5, 3, 2)));
    CHECK(shape_matmul(SHAPE(8, 4, 7, 16), SHAPE(8, 4, 7, 16), false, true, &r) && shape_eq(r, SHAPE(8, 4, 7, 7)));
    CHECK(shape_matmul(SHAPE(8, 4, 16, 7), SHAPE(8, 4, 16, 7), true, false, &r) && shape_eq(r, SHAPE(8, 4, 7, 7)));
    CHECK(shape_matmul(SHAPE(6, 1, 3, 5), SHAPE(1, 2, 5, 7), false, false, &r) && shape_eq(r, SHAPE(6, 2, 3, 7)));
    CHECK(shape_matmul(SHAPE(1, 3, 5), SHAPE(9, 1, 7, 5), false, true, &r) && shape_eq(r, SHAPE(9, 1, 3, 7)));
    CHECK(!shape_matmul(SHAPE(2, 3, 4), SHAPE(3, 4, 2), false, false, &r));   /* batch 2 against 3 */
    CHECK(!shape_matmul(SHAPE(2, 3, 4), SHAPE(2, 3, 2), false, false, &r));   /* K 4 against 3 */
    CHECK(shape_matmul(SHAPE(2, 3, 4), SHAPE(2, 3, 4), true, false, &r) && shape_eq(r, SHAPE(2, 4, 4)));
    CHECK(!shape_matmul(SHAPE(2, 3, 4), SHAPE(2, 3, 4), false, false, &r));
}

static void test_reduce(void) {
    Shape r;
    CHECK(shape_reduce(SHAPE(2, 3, 4), 1u << 1, false, &r) && shape_eq(r, SHAPE(2, 4)));
    CHECK(shape_reduce(SHAPE(2, 3, 4), 1u << 1, true, &r) && shape_eq(r, SHAPE(2, 1, 4)));
    CHECK(shape_reduce(SHAPE(2, 3, 4), 7, false, &r) && shape_eq(r, SCALAR));
    CHECK(shape_reduce(SHAPE(2, 3, 4), 5, true, &r) && shape_eq(r, SHAPE(1, 3, 1)));
    CHECK(shape_reduce(SHAPE(2, 3), 0, false, &r) && shape_eq(r, SHAPE(2, 3)));
    CHECK(!shape_reduce(SHAPE(2, 3), 1u << 2, false, &r));
}

static void test_conv_pool(void) {
    Shape r;
    int s1[2] = {1, 1}, p0[2] = {0, 0}, p2[2] = {2, 2}, s2[2] = {2, 2}, k2[2] = {2, 2}, k3[2] = {3, 3};
    /* LeNet: 28 + 2*2 - 5 + 1 = 28; then 14 - 5 + 1 = 10 */
    CHECK(shape_conv2d(SHAPE(64, 1, 28, 28), SHAPE(6, 1, 5, 5), s1, p2, &r) && shape_eq(r, SHAPE(64, 6, 28, 28)));
    CHECK(shape_conv2d(SHAPE(64, 6, 14, 14), SHAPE(16, 6, 5, 5), s1, p0, &r) && shape_eq(r, SHAPE(64, 16, 10, 10)));
    /* stride 2: (7 + 0 - 3) / 2 + 1 = 3 */
    CHECK(shape_conv2d(SHAPE(1, 1, 7, 8), SHAPE(1, 1, 3, 3), s2, p0, &r) && shape_eq(r, SHAPE(1, 1, 3, 3)));
    CHECK(!shape_conv2d(SHAPE(1, 2, 7, 7), SHAPE(1, 3, 3, 3), s1, p0, &r));   /* C differs */
    CHECK(!shape_conv2d(SHAPE(1, 1, 2, 2), SHAPE(1, 1, 3, 3), s1, p0, &r));   /* no output */
    CHECK(!shape_conv2d(SHAPE(1, 1, 7), SHAPE(1, 1, 3, 3), s1, p0, &r));
    int s0[2] = {0, 1};
    CHECK(!shape_conv2d(SHAPE(1, 1, 7, 7), SHAPE(1, 1, 3, 3), s0, p0, &r));
    /* pooling: (28 - 2) / 2 + 1 = 14; (5 - 3) / 2 + 1 = 2 */
    CHECK(shape_pool2d(SHAPE(64, 6, 28, 28), k2, s2, &r) && shape_eq(r, SHAPE(64, 6, 14, 14)));
    CHECK(shape_pool2d(SHAPE(1, 1, 5, 6), k3, s2, &r) && shape_eq(r, SHAPE(1, 1, 2, 2)));
    CHECK(!shape_pool2d(SHAPE(1, 1, 2, 5), k3, s1, &r));
    CHECK(!shape_pool2d(SHAPE(1, 5, 5), k2, s2, &r));
}

/* The builder's dtype and shape of each op class. */
/* Rows of a table: [V, D...] by ids [S...] -> [S..., D...]. */
static void test_gather(void) {
    Shape r;
    CHECK(shape_gather(SHAPE(10, 4), SHAPE(2, 3), &r) && shape_eq(r, SHAPE(2, 3, 4)));
    CHECK(shape_gather(SHAPE(10, 4), SCALAR, &r) && shape_eq(r, SHAPE(4)));   /* one id: one row */
    CHECK(shape_gather(SHAPE(10), SHAPE(5), &r) && shape_eq(r, SHAPE(5)));   /* rank 1: elements */
    CHECK(shape_gather(SHAPE(7, 2, 3), SHAPE(4), &r) && shape_eq(r, SHAPE(4, 2, 3)));
    CHECK(!shape_gather(SCALAR, SHAPE(3), &r));                               /* no rows */
    CHECK(!shape_gather(SHAPE(2, 2, 2, 2, 2), SHAPE(2, 2, 2, 2, 2), &r));   /* rank 9 > MAX_RANK */
    CHECK(shape_gather(SHAPE(2, 2, 2, 2), SHAPE(2, 2, 2, 2, 2), &r) && r.rank == 8);
}

static void test_builder(Arena *a) {
    Model *m = new_model(a, "b");
    Graph *g = &m->forward;
    int tx = add_tensor(a, m, "x", TK_INPUT, DT_F32, SHAPE(4, 3));
    int tl = add_tensor(a, m, "y", TK_INPUT, DT_I32, SHAPE(4));
    int x = graph_load(a, g, m, tx), l = graph_load(a, g, m, tl);
    int b = graph_binary(a, g, OP_ADD, x, graph_scalar(a, g, 1));
    CHECK(g->nodes[b].dtype == DT_F32 && shape_eq(g->nodes[b].shape, SHAPE(4, 3)));
    int e = graph_binary(a, g, OP_EQ, l, graph_const(a, g, 2, DT_I32, SCALAR));
    CHECK(g->nodes[e].dtype == DT_I32 && shape_eq(g->nodes[e].shape, SHAPE(4)));
    int r = graph_reduce(a, g, OP_SUM, x, 1, true);
    CHECK(shape_eq(g->nodes[r].shape, SHAPE(1, 3)));
    int t = graph_transpose(a, g, x, (int[]){1, 0});
    CHECK(shape_eq(g->nodes[t].shape, SHAPE(3, 4)));
    int mm = graph_matmul(a, g, x, x, true, false);
    CHECK(shape_eq(g->nodes[mm].shape, SHAPE(3, 3)));
    int oh = graph_node(a, g, OP_ONE_HOT, &l, 1, (Attr){.classes = 10});
    CHECK(g->nodes[oh].dtype == DT_F32 && shape_eq(g->nodes[oh].shape, SHAPE(4, 10)));
    int sce = graph_node(a, g, OP_SCE, (int[]){x, l}, 2, (Attr){0});
    CHECK(g->nodes[sce].dtype == DT_F32 && g->nodes[sce].shape.rank == 0);
    int c = graph_cast(a, g, l, DT_F32);
    CHECK(g->nodes[c].dtype == DT_F32 && shape_eq(g->nodes[c].shape, SHAPE(4)));
    int bc = graph_broadcast(a, g, c, SHAPE(2, 4));
    CHECK(shape_eq(g->nodes[bc].shape, SHAPE(2, 4)));
    int rs = graph_reshape(a, g, x, SHAPE(12));
    CHECK(g->nodes[rs].dtype == DT_F32 && shape_eq(g->nodes[rs].shape, SHAPE(12)));
    int sm = graph_node(a, g, OP_SOFTMAX, &x, 1, (Attr){.axis = 1});
    CHECK(shape_eq(g->nodes[sm].shape, SHAPE(4, 3)));
    model_verify(m);
}

/* Each of these builds an invalid node: the builder must die() (exit 3). */
static void bad_mixed_dtypes(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    int x = graph_scalar(a, &g, 1), y = graph_const(a, &g, 1, DT_I32, SCALAR);
    graph_binary(a, &g, OP_ADD, x, y);
}
static void bad_broadcast(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    int x = graph_const(a, &g, 1, DT_F32, SHAPE(2, 3)), y = graph_const(a, &g, 1, DT_F32, SHAPE(2));
    graph_binary(a, &g, OP_MUL, x, y);
}
static void bad_matmul(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    int x = graph_const(a, &g, 1, DT_F32, SHAPE(2, 3));
    graph_matmul(a, &g, x, x, false, false);
}
static void bad_reshape(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    int x = graph_const(a, &g, 1, DT_F32, SHAPE(2, 3));
    graph_reshape(a, &g, x, SHAPE(5));
}
static void bad_operand_id(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    graph_unary(a, &g, OP_RELU, 0);
}
static void bad_shaped_via_node(void *arg) {
    Arena *a = arg;
    Graph g;
    graph_init(&g, "t");
    int x = graph_scalar(a, &g, 1);
    graph_node(a, &g, OP_RESHAPE, &x, 1, (Attr){0});
}

int main(void) {
    Arena *a = arena_new();
    test_count_eq_str(a);
    test_broadcast();
    test_matmul();
    test_reduce();
    test_conv_pool();
    test_gather();
    test_builder(a);
    CHECK(exits_with(bad_mixed_dtypes, a, 3));
    CHECK(exits_with(bad_broadcast, a, 3));
    CHECK(exits_with(bad_matmul, a, 3));
    CHECK(exits_with(bad_reshape, a, 3));
    CHECK(exits_with(bad_operand_id, a, 3));
    CHECK(exits_with(bad_shaped_via_node, a, 3));
    arena_free(a);
    return check_report("ir_shape");
}
