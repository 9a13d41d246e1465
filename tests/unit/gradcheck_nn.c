/* gradcheck_nn.c: finite-difference checks of the adjoints of matmul (every
 * combination of transpose flags), softmax and log_softmax (each axis),
 * conv2d (strides, paddings, rectangular kernels), max and average pooling
 * (stride equal to and different from the window), the two fused losses,
 * dropout, one_hot, gather (repeated ids), and a small MLP.  The harness is gradcheck.h. */
#include "gradcheck.h"

/* Batched products: every transpose combination with batch axes broadcast
 * both ways (A [2, 1, 2, 3] against B [1, 3, 3, 4]: each operand's gradient
 * sums over the axis it was broadcast on), a shared matrix (the one-GEMM
 * gradient of autodiff's shared_matrix_grad, plain and transposed), one
 * matrix against a batch, and a batch of rank 1 against a rank-3 one. */
static void batched_matmul_cases(void) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            char name[40];
            snprintf(name, sizeof name, "matmul_batch_broadcast_t%d%d", ta, tb);
            Check *c = check_begin(name);
            /* op(A) is [.., 2, 3], op(B) is [.., 3, 4] */
            int A = check_param(c, "A", ta ? shp(4, 2, 1, 3, 2) : shp(4, 2, 1, 2, 3));
            int B = check_param(c, "B", tb ? shp(4, 1, 3, 4, 3) : shp(4, 1, 3, 3, 4));
            check_finish(c, graph_matmul(c->a, c->g, A, B, ta, tb));
        }
    for (int tb = 0; tb < 2; tb++) {
        Check *c = check_begin(tb ? "matmul_batch_shared_transposed" : "matmul_batch_shared");
        int x = check_param(c, "x", shp(3, 3, 2, 4));
        int W = check_param(c, "W", tb ? shp(2, 5, 4) : shp(2, 4, 5));
        check_finish(c, graph_matmul(c->a, c->g, x, W, false, tb));
    }
    Check *c = check_begin("matmul_batch_shared_rank3");   /* W [1, K, N]: a batch of one */
    int x = check_param(c, "x", shp(3, 3, 2, 4));
    int W = check_param(c, "W", shp(3, 1, 4, 5));
    check_finish(c, graph_matmul(c->a, c->g, x, W, false, false));
    c = check_begin("matmul_matrix_times_batch");
    int A = check_param(c, "A", shp(2, 3, 2));
    int B = check_param(c, "B", shp(3, 4, 3, 2));
    check_finish(c, graph_matmul(c->a, c->g, A, B, true, false));
    c = check_begin("matmul_batch_rank4_rank3");
    A = check_param(c, "A", shp(4, 2, 3, 2, 4));
    B = check_param(c, "B", shp(3, 3, 5, 4));
    check_finish(c, graph_matmul(c->a, c->g, A, B, false, true));
}

static void matmul_cases(void) {
    /* square operands: a wrong transpose flag keeps the shapes right */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            char name[32];
            snprintf(name, sizeof name, "matmul_square_t%d%d", ta, tb);
            Check *c = check_begin(name);
            int A = check_param(c, "A", shp(2, 3, 3)), B = check_param(c, "B", shp(2, 3, 3));
            check_finish(c, graph_matmul(c->a, c->g, A, B, ta, tb));
        }
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            char name[32];
            snprintf(name, sizeof name, "matmul_t%d%d", ta, tb);
            Check *c = check_begin(name);
            /* op(A) is [2, 3], op(B) is [3, 4] */
            int A = check_param(c, "A", ta ? shp(2, 3, 2) : shp(2, 2, 3));
            int B = check_param(c, "B", tb ? shp(2, 4, 3) : shp(2, 3, 4));
            check_finish(c, graph_matmul(c->a, c->g, A, B, ta, tb));
        }
    /* one operand an input: only the other has a gradient path */
    Check *c = check_begin("matmul_input_times_param");
    int x = check_input_in(c, "x", shp(2, 4, 3), -1, 1);
    int W = check_param(c, "W", shp(2, 3, 2));
    check_finish(c, graph_matmul(c->a, c->g, x, W, false, false));
    /* the same node on both sides: x^T x */
    c = check_begin("matmul_gram");
    x = check_param(c, "x", shp(2, 3, 2));
    check_finish(c, graph_matmul(c->a, c->g, x, x, true, false));
    batched_matmul_cases();
}

static void softmax_cases(void) {
    static const Op ops[] = {OP_SOFTMAX, OP_LOG_SOFTMAX};
    for (int o = 0; o < 2; o++)
        for (int axis = 0; axis < 3; axis++) {
            char name[48];
            snprintf(name, sizeof name, "%s_axis%d%s", op_info[ops[o]].name, axis, axis == 2 ? "_rank3" : "");
            Check *c = check_begin(name);
            int x = check_param(c, "x", axis == 2 ? shp(3, 2, 2, 3) : shp(2, 3, 4));
            check_finish(c, graph_node(c->a, c->g, ops[o], &x, 1, (Attr){.axis = axis}));
        }
}

static void conv_case(const char *name, Shape xs, Shape ws, int sh, int sw, int ph, int pw) {
    Check *c = check_begin(name);
    int x = check_param(c, "x", xs), w = check_param(c, "w", ws);
    int in[2] = {x, w};
    check_finish(c, graph_node(c->a, c->g, OP_CONV2D, in, 2,
                               (Attr){.stride = {sh, sw}, .pad = {ph, pw}}));
}

static void conv_cases(void) {
    conv_case("conv2d_s1_p0", shp(4, 2, 2, 5, 5), shp(4, 3, 2, 3, 3), 1, 1, 0, 0);
    conv_case("conv2d_s2_p1", shp(4, 2, 2, 5, 5), shp(4, 3, 2, 3, 3), 2, 2, 1, 1);
    conv_case("conv2d_s2_p1_even", shp(4, 1, 2, 6, 6), shp(4, 2, 2, 3, 3), 2, 2, 1, 1);
    conv_case("conv2d_rect", shp(4, 2, 1, 5, 6), shp(4, 2, 1, 2, 3), 2, 1, 1, 0);
}

static void pool_case(const char *name, Op op, Shape xs, int size, int stride) {
    Check *c = check_begin(name);
    int x = check_param(c, "x", xs);
    check_finish(c, graph_node(c->a, c->g, op, &x, 1,
                               (Attr){.size = {size, size}, .stride = {stride, stride}}));
}

static void pool_cases(void) {
    pool_case("maxpool2d_2_2", OP_MAXPOOL2D, shp(4, 2, 2, 4, 4), 2, 2);
    pool_case("maxpool2d_3_2", OP_MAXPOOL2D, shp(4, 1, 2, 5, 5), 3, 2);
    pool_case("maxpool2d_2_1", OP_MAXPOOL2D, shp(4, 1, 1, 4, 5), 2, 1);
    pool_case("avgpool2d_2_2", OP_AVGPOOL2D, shp(4, 2, 2, 4, 4), 2, 2);
    pool_case("avgpool2d_3_2", OP_AVGPOOL2D, shp(4, 1, 2, 5, 5), 3, 2);
    pool_case("avgpool2d_2_1", OP_AVGPOOL2D, shp(4, 1, 1, 4, 5), 2, 1);
}

static void loss_cases(void) {
    static const int labels[4] = {2, 0, 4, 1};
    Check *c = check_begin("softmax_cross_entropy");
    int logits = check_param(c, "logits", shp(2, 4, 5));
    int y = check_labels(c, "y", shp(1, 4), labels);
    int in[2] = {logits, y};
    check_finish(c, graph_node(c->a, c->g, OP_SCE, in, 2, (Attr){0}));

    c = check_begin("bce_prob");
    int z = check_param(c, "z", shp(2, 2, 3));
    int t = check_input_in(c, "t", shp(2, 2, 3), 0.05, 0.95);
    int p = graph_unary(c->a, c->g, OP_SIGMOID, z);
    in[0] = p, in[1] = t;
    check_finish(c, graph_node(c->a, c->g, OP_BCE, in, 2, (Attr){0}));

    c = check_begin("bce_prob_and_target");
    p = check_param_in(c, "p", shp(1, 5), 0.1, 0.9);
    t = check_param_in(c, "t", shp(1, 5), 0.1, 0.9);
    in[0] = p, in[1] = t;
    check_finish(c, graph_node(c->a, c->g, OP_BCE, in, 2, (Attr){0}));

    /* one_hot carries no gradient; the product with it does */
    c = check_begin("one_hot_select");
    logits = check_param(c, "logits", shp(2, 4, 5));
    y = check_labels(c, "y", shp(1, 4), labels);
    int oh = graph_node(c->a, c->g, OP_ONE_HOT, &y, 1, (Attr){.classes = 5});
    int picked = graph_binary(c->a, c->g, OP_MUL, graph_node(c->a, c->g, OP_LOG_SOFTMAX, &logits, 1,
                                                             (Attr){.axis = 1}), oh);
    check_finish(c, picked);
}

/* gather: the adjoint scatter-adds into the table, so repeated ids sum
 * (ids [2, 3] name row 1 three times and row 3 never); tables of rank 1 to 3;
 * a scalar id; the same table read twice; a gather inside a bigger graph. */
static void gather_cases(void) {
    static const int ids[6] = {1, 0, 1, 4, 1, 2}, one[1] = {3}, pair[2] = {2, 2};
    Check *c = check_begin("gather_repeated_ids");
    int E = check_param(c, "E", shp(2, 5, 3));
    int y = check_labels(c, "ids", shp(2, 2, 3), ids);
    check_finish(c, graph_node(c->a, c->g, OP_GATHER, (int[]){E, y}, 2, (Attr){0}));

    c = check_begin("gather_rank1_table");
    E = check_param(c, "E", shp(1, 5));
    y = check_labels(c, "ids", shp(1, 6), ids);
    check_finish(c, graph_node(c->a, c->g, OP_GATHER, (int[]){E, y}, 2, (Attr){0}));

    c = check_begin("gather_rank3_table_scalar_id");
    E = check_param(c, "E", shp(3, 4, 2, 3));
    y = check_labels(c, "id", shp(0), one);
    check_finish(c, graph_node(c->a, c->g, OP_GATHER, (int[]){E, y}, 2, (Attr){0}));

    /* E read by two gathers (ids [2, 2] and [6]) and a matmul: three adjoints summed */
    c = check_begin("gather_twice_and_matmul");
    E = check_param(c, "E", shp(2, 5, 3));
    int W = check_param(c, "W", shp(2, 3, 2));
    int a = graph_node(c->a, c->g, OP_GATHER, (int[]){E, check_labels(c, "pair", shp(1, 2), pair)}, 2, (Attr){0});
    int b = graph_node(c->a, c->g, OP_GATHER, (int[]){E, check_labels(c, "ids", shp(1, 6), ids)}, 2, (Attr){0});
    int h = graph_unary(c->a, c->g, OP_TANH, graph_matmul(c->a, c->g, b, W, false, false));   /* [6, 2] */
    int s = graph_reduce(c->a, c->g, OP_SUM, graph_binary(c->a, c->g, OP_MUL, a, a), 3, false);
    check_finish(c, graph_binary(c->a, c->g, OP_ADD, graph_matmul(c->a, c->g, E, W, false, false),
                                 graph_reduce(c->a, c->g, OP_SUM, graph_binary(c->a, c->g, OP_MUL, h, s), 3, false)));
}

/* Dropout as sema writes it: x * random_mask(load rng), and the generator
 * state advanced by a store in the same graph. */
static void dropout_case(void) {
    Check *c = check_begin("dropout");
    int x = check_param(c, "x", shp(2, 4, 6));
    int st = check_tensor(c, "rng/dropout", TK_STATE, DT_I32, shp(1, 2));
    c->init[st][0] = 12345, c->init[st][1] = 7;
    int rng = graph_load(c->a, c->g, c->m, st);
    int mask = graph_node_shaped(c->a, c->g, OP_RANDOM_MASK, &rng, 1, (Attr){.value = 0.5, .salt = 0},
                                 DT_F32, shp(2, 4, 6));
    int one_step = graph_node_shaped(c->a, c->g, OP_LITERAL, NULL, 0, (Attr){.data = (double[]){0, 1}},
                                     DT_I32, shp(1, 2));
    graph_store(c->a, c->g, st, graph_binary(c->a, c->g, OP_ADD, rng, one_step));
    int h = graph_binary(c->a, c->g, OP_MUL, graph_unary(c->a, c->g, OP_TANH, x), mask);
    check_finish(c, h);
}

/* relu(x W1 + b1) W2 + b2 into softmax cross-entropy, with an input batch. */
static void mlp_case(void) {
    static const int labels[5] = {1, 0, 2, 2, 1};
    Check *c = check_begin("mlp");
    int x = check_input_in(c, "x", shp(2, 5, 4), -1, 1);
    int y = check_labels(c, "y", shp(1, 5), labels);
    int W1 = check_param(c, "fc1.W", shp(2, 4, 6)), b1 = check_param(c, "fc1.b", shp(1, 6));
    int W2 = check_param(c, "fc2.W", shp(2, 6, 3)), b2 = check_param(c, "fc2.b", shp(1, 3));
    int h = graph_unary(c->a, c->g, OP_RELU,
                        graph_binary(c->a, c->g, OP_ADD, graph_matmul(c->a, c->g, x, W1, false, false), b1));
    int logits = graph_binary(c->a, c->g, OP_ADD, graph_matmul(c->a, c->g, h, W2, false, false), b2);
    int in[2] = {logits, y};
    int ce = graph_node(c->a, c->g, OP_SCE, in, 2, (Attr){0});
    /* plus an L2 penalty through pow and mean */
    int l2 = graph_reduce(c->a, c->g, OP_MEAN, graph_binary(c->a, c->g, OP_POW, W1, graph_scalar(c->a, c->g, 2)),
                          3, false);
    check_finish(c, graph_binary(c->a, c->g, OP_ADD, ce, l2));
}

int main(void) {
    matmul_cases();
    softmax_cases();
    conv_cases();
    pool_cases();
    loss_cases();
    gather_cases();
    dropout_case();
    mlp_case();
    return check_summary();
}
