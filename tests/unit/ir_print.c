/* ir_print.c: the printer's text form of a small model, compared with the
 * format written out by hand from docs/ir.md. */
#include "ir_check.h"

static const char *const expected =
    "model logreg\n"
    "  tensor x input f32[4, 2]\n"
    "  tensor y input i32[4]\n"
    "  tensor W param f32[2] init literal [0.1, 0.2]\n"
    "  tensor b param f32 init const 0.3\n"
    "  tensor K param f32[3, 2, 2, 2] init he fan_in=8 fan_out=12\n"
    "  tensor p output f32[4]\n"
    "  tensor grad/W grad f32[2] of W\n"
    "  optimizer sgd lr=0.01 momentum=0 dampening=0 weight_decay=0\n"
    "graph forward\n"
    "  %0 = load x : f32[4, 2]\n"
    "  %1 = load W : f32[2]\n"
    "  %2 = reshape %1 : f32[2, 1]\n"
    "  %3 = matmul %2, %0 trans_a trans_b : f32[1, 4]\n"
    "  %4 = const 0.5 : f32\n"
    "  %5 = sum %3 axes=[0] keepdims : f32[1, 4]    # s\n"
    "  %6 = transpose %5 perm=[1, 0] : f32[4, 1]\n"
    "  %7 = leaky_relu %6 alpha=0.01 : f32[4, 1]\n"
    "  %8 = mul %7, %4 : f32[4, 1]\n"
    "  %9 = reshape %8 : f32[4]    # p\n"
    "  %10 = literal [1, 2.5] : f32[2]\n"
    "  %11 = load y : i32[4]\n"
    "  %12 = one_hot %11 classes=3 : f32[4, 3]\n"
    "  %13 = softmax %12 axis=1 : f32[4, 3]\n"
    "  %14 = load K : f32[3, 2, 2, 2]\n"
    "  %15 = conv2d %14, %14 stride=[1, 1] pad=[1, 1] : f32[3, 3, 3, 3]\n"
    "  %16 = maxpool2d %15 size=[2, 2] stride=[1, 1] : f32[3, 3, 2, 2]\n"
    "  %17 = random_mask %18 rate=0.25 salt=2 : f32[3]\n"
    "  store p, %9\n"
    "  store grad/W, %10\n";

int main(void) {
    Arena *a = arena_new();
    Model *m = new_model(a, "logreg");
    m->opt = (Optimizer){.kind = OPT_SGD, .lr = 0.01};
    Graph *g = &m->forward;
    int tx = add_tensor(a, m, "x", TK_INPUT, DT_F32, SHAPE(4, 2));
    int ty = add_tensor(a, m, "y", TK_INPUT, DT_I32, SHAPE(4));
    int tw = model_add_tensor(a, m, (Tensor){.name = "W", .kind = TK_PARAM, .dtype = DT_F32, .shape = SHAPE(2),
                                             .param = -1, .init = {.kind = INIT_LITERAL, .data = (double[]){0.1, 0.2}}});
    model_add_tensor(a, m, (Tensor){.name = "b", .kind = TK_PARAM, .dtype = DT_F32, .param = -1,
                                    .init = {.kind = INIT_CONST, .a = 0.3}});
    int tk = model_add_tensor(a, m, (Tensor){.name = "K", .kind = TK_PARAM, .dtype = DT_F32, .shape = SHAPE(3, 2, 2, 2),
                                    .param = -1, .init = {.kind = INIT_HE, .fan_in = 8, .fan_out = 12}});
    int tp = add_tensor(a, m, "p", TK_OUTPUT, DT_F32, SHAPE(4));
    int tg = model_add_tensor(a, m, (Tensor){.name = "grad/W", .kind = TK_GRAD, .dtype = DT_F32,
                                             .shape = SHAPE(2), .param = tw});
    int x = graph_load(a, g, m, tx);
    int w = graph_reshape(a, g, graph_load(a, g, m, tw), SHAPE(2, 1));
    int mm = graph_matmul(a, g, w, x, true, true);
    int half = graph_scalar(a, g, 0.5);
    int s = graph_reduce(a, g, OP_SUM, mm, 1, true);
    g->nodes[s].name = "s";
    int t = graph_transpose(a, g, s, (int[]){1, 0});
    int lr = graph_node(a, g, OP_LEAKY_RELU, &t, 1, (Attr){.value = 0.01});
    int p = graph_reshape(a, g, graph_binary(a, g, OP_MUL, lr, half), SHAPE(4));
    g->nodes[p].name = "p";
    int lit = graph_node_shaped(a, g, OP_LITERAL, NULL, 0, (Attr){.data = (double[]){1, 2.5}}, DT_F32, SHAPE(2));
    int y = graph_load(a, g, m, ty);
    int oh = graph_node(a, g, OP_ONE_HOT, &y, 1, (Attr){.classes = 3});
    graph_node(a, g, OP_SOFTMAX, &oh, 1, (Attr){.axis = 1});
    int k = graph_load(a, g, m, tk);
    int conv = graph_node(a, g, OP_CONV2D, (int[]){k, k}, 2, (Attr){.stride = {1, 1}, .pad = {1, 1}});
    graph_node(a, g, OP_MAXPOOL2D, &conv, 1, (Attr){.size = {2, 2}, .stride = {1, 1}});
    /* not a valid graph (a forward operand), but the printer prints what it is given */
    graph_add(a, g, (Node){.op = OP_RANDOM_MASK, .nin = 1, .in = {18}, .dtype = DT_F32, .shape = SHAPE(3),
                           .attr = {.value = 0.25, .salt = 2}});
    graph_store(a, g, tp, p);
    graph_store(a, g, tg, lit);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    model_print(out, m);
    fclose(out);
    if (strcmp(text, expected) != 0) {
        fprintf(stderr, "printed:\n%s\nexpected:\n%s", text, expected);
        check_failures++;
    }
    free(text);
    arena_free(a);
    return check_report("ir_print");
}
