/* gradcheck.c: finite-difference checks of the adjoints of the elementwise,
 * reduction and data-movement ops (the harness is gradcheck.h; matmul,
 * convolution, pooling, softmax and the losses are in gradcheck_nn.c).
 * Operand shapes are odd on purpose ([3], [2,3], [1,3], [3,1], []) so that
 * every broadcasting case sends its adjoint back through a reduction. */
#include "gradcheck.h"

static void unary_case(const char *name, Op op, double lo, double hi, bool signed_) {
    Check *c = check_begin(name);
    int t = check_tensor(c, "x", TK_PARAM, DT_F32, shp(2, 2, 3));
    check_fill(c, t, lo, hi, signed_);
    int x = graph_load(c->a, c->g, c->m, t);
    int y;
    if (op == OP_LEAKY_RELU)
        y = graph_node(c->a, c->g, OP_LEAKY_RELU, &x, 1, (Attr){.value = 0.1});
    else if (op == OP_SOFTPLUS && !signed_)   /* beta 2, threshold 20: the log(1 + exp) branch */
        y = graph_node(c->a, c->g, OP_SOFTPLUS, &x, 1, (Attr){.value = 2, .value2 = 20});
    else if (op == OP_SOFTPLUS)   /* beta 1, threshold 0.3: |x| >= 0.6, so x > 0 is the identity */
        y = graph_node(c->a, c->g, OP_SOFTPLUS, &x, 1, (Attr){.value = 1, .value2 = 0.3});
    else if (op == OP_CAST)
        y = graph_cast(c->a, c->g, x, DT_F32);
    else if (op == OP_CLIP)   /* |x| >= 0.2: the negatives clipped at -0.1, the positives passed */
        y = graph_node(c->a, c->g, OP_CLIP, &x, 1, (Attr){.value = -0.1, .value2 = 10});
    else
        y = graph_unary(c->a, c->g, op, x);
    /* a second op after the first, so dy is not just the loss weights */
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, y, graph_unary(c->a, c->g, OP_TANH, x)));
}

static void unary_cases(void) {
    unary_case("neg", OP_NEG, 0.2, 1.5, true);
    unary_case("relu", OP_RELU, 0.2, 1.5, true);
    unary_case("leaky_relu", OP_LEAKY_RELU, 0.2, 1.5, true);
    unary_case("sigmoid", OP_SIGMOID, 0.2, 2, true);
    unary_case("tanh", OP_TANH, 0.2, 2, true);
    unary_case("exp", OP_EXP, 0.2, 1.5, true);
    unary_case("log", OP_LOG, 0.3, 3, false);
    unary_case("sqrt", OP_SQRT, 0.3, 3, false);
    unary_case("abs", OP_ABS, 0.2, 1.5, true);
    unary_case("softplus", OP_SOFTPLUS, -2, 2, false);
    unary_case("softplus_threshold", OP_SOFTPLUS, 0.6, 1.5, true);
    unary_case("cast_f32", OP_CAST, 0.2, 1.5, true);
    unary_case("erf", OP_ERF, 0.05, 2.5, true);
    unary_case("clip", OP_CLIP, 0.2, 1.5, true);
    unary_case("gelu", OP_GELU, 0.05, 2.5, true);
    unary_case("gelu_tanh", OP_GELU_TANH, 0.05, 2.5, true);
}

/* op(x, y) for x, y of the given shapes, both parameters. */
static void binary_case(const char *name, Op op, Shape xs, Shape ys) {
    Check *c = check_begin(name);
    int x, y;
    if (op == OP_POW) {   /* a positive base */
        x = check_param_in(c, "x", xs, 0.5, 2);
        y = check_param(c, "y", ys);
    } else if (op == OP_DIV) {
        x = check_param(c, "x", xs);
        y = check_param_in(c, "y", ys, 0.5, 2);
    } else {
        x = check_param(c, "x", xs);
        y = check_param(c, "y", ys);
    }
    check_finish(c, graph_binary(c->a, c->g, op, x, y));
}

static void binary_cases(void) {
    static const struct { Op op; const char *name; } ops[] = {
        {OP_ADD, "add"}, {OP_SUB, "sub"}, {OP_MUL, "mul"}, {OP_DIV, "div"}, {OP_POW, "pow"},
        {OP_MAXIMUM, "maximum"}, {OP_MINIMUM, "minimum"},
    };
    Shape pairs[][2] = {
        {shp(2, 2, 3), shp(2, 2, 3)}, {shp(2, 2, 3), shp(1, 3)}, {shp(1, 3), shp(2, 2, 3)},
        {shp(2, 2, 3), shp(2, 1, 3)}, {shp(2, 3, 1), shp(2, 1, 3)}, {shp(2, 2, 3), shp(0)},
        {shp(0), shp(3, 2, 1, 3)}, {shp(3, 2, 3, 1), shp(1, 4)},
    };
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%zu", ops[o].name, p);
            binary_case(name, ops[o].op, pairs[p][0], pairs[p][1]);
        }
}

/* The piecewise-constant ops pass no gradient: x * step(y), x * sign(y),
 * x * gt(x, y), x * eq(x, x): d/dy is 0, which the finite difference agrees
 * with away from the steps. */
static void no_gradient_cases(void) {
    static const Op ops[] = {OP_STEP, OP_SIGN};
    for (int i = 0; i < 2; i++) {
        Check *c = check_begin(i ? "sign_passes_none" : "step_passes_none");
        int x = check_param(c, "x", shp(2, 2, 3)), y = check_param(c, "y", shp(1, 3));
        check_finish(c, graph_binary(c->a, c->g, OP_MUL, x, graph_unary(c->a, c->g, ops[i], y)));
    }
    Check *c = check_begin("gt_eq_pass_none");
    int x = check_param(c, "x", shp(2, 2, 3)), y = check_param(c, "y", shp(1, 3));
    int gt = graph_binary(c->a, c->g, OP_GT, x, y), eq = graph_binary(c->a, c->g, OP_EQ, x, x);
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, graph_binary(c->a, c->g, OP_MUL, x, gt), eq));
    c = check_begin("ge_ne_pass_none");
    x = check_param(c, "x", shp(2, 2, 3)), y = check_param(c, "y", shp(1, 3));
    int ge = graph_binary(c->a, c->g, OP_GE, x, y), ne = graph_binary(c->a, c->g, OP_NE, y, x);
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, graph_binary(c->a, c->g, OP_MUL, x, ge), ne));
    /* keep(mask, y): the gradient goes to y where the mask holds, none to the mask */
    c = check_begin("keep_to_y_only");
    x = check_param(c, "x", shp(2, 2, 3)), y = check_param(c, "y", shp(1, 3));
    int mask = graph_binary(c->a, c->g, OP_GT, x, graph_scalar(c->a, c->g, 0));
    check_finish(c, graph_binary(c->a, c->g, OP_KEEP, mask, graph_unary(c->a, c->g, OP_TANH, y)));
}

static void reduce_cases(void) {
    static const struct { Op op; const char *name; } ops[] = {{OP_SUM, "sum"}, {OP_MEAN, "mean"}, {OP_MAX, "max"}};
    static const uint32_t axes[] = {1, 2, 4, 5, 6, 7};
    for (int o = 0; o < 3; o++)
        for (int a = 0; a < 6; a++)
            for (int keep = 0; keep < 2; keep++) {
                char name[64];
                snprintf(name, sizeof name, "%s_axes%u%s", ops[o].name, axes[a], keep ? "_keepdims" : "");
                Check *c = check_begin(name);
                int x = check_param(c, "x", shp(3, 2, 3, 4));
                check_finish(c, graph_reduce(c->a, c->g, ops[o].op, x, axes[a], keep));
            }
    /* a reduction of a scalar-shaped result feeding a broadcast */
    Check *c = check_begin("max_all_times_x");
    int x = check_param(c, "x", shp(2, 3, 1));
    int m = graph_reduce(c->a, c->g, OP_MAX, x, 3, false);
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, x, m));
}

static void shape_cases(void) {
    Check *c = check_begin("reshape");
    int x = check_param(c, "x", shp(3, 2, 3, 4));
    check_finish(c, graph_reshape(c->a, c->g, x, shp(2, 6, 4)));

    static const int perms[][3] = {{2, 0, 1}, {1, 2, 0}, {0, 2, 1}};
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "transpose_%d%d%d", perms[i][0], perms[i][1], perms[i][2]);
        c = check_begin(name);
        x = check_param(c, "x", shp(3, 2, 3, 4));
        check_finish(c, graph_transpose(c->a, c->g, x, perms[i]));
    }

    c = check_begin("broadcast_3x1_to_2x3x4");
    x = check_param(c, "x", shp(2, 3, 1));
    check_finish(c, graph_broadcast(c->a, c->g, x, shp(3, 2, 3, 4)));
    c = check_begin("broadcast_scalar");
    x = check_param(c, "x", shp(0));
    check_finish(c, graph_broadcast(c->a, c->g, x, shp(2, 2, 3)));
    c = check_begin("broadcast_1x3_to_4x3");
    x = check_param(c, "x", shp(2, 1, 3));
    check_finish(c, graph_broadcast(c->a, c->g, x, shp(2, 4, 3)));
}

/* Indexing and concatenation: slices (strided, overlapping, of a slice),
 * slice_dx (whose adjoint is a slice), concat of three along each axis. */
static void index_cases(void) {
    static const int start[] = {1, 0, 2}, step[] = {1, 2, 1}, ones[] = {1, 1, 1}, zeros[] = {0, 0, 0};
    Check *c = check_begin("slice_strided");
    int x = check_param(c, "x", shp(3, 3, 4, 5));
    check_finish(c, graph_slice(c->a, c->g, x, start, step, shp(3, 2, 2, 3)));

    c = check_begin("slices_overlapping");   /* x[:, :3] * x[:, 1:]: two scatters add */
    x = check_param(c, "x", shp(3, 2, 3, 4));
    int left = graph_slice(c->a, c->g, x, zeros, ones, shp(3, 2, 3, 3));
    int right = graph_slice(c->a, c->g, x, (const int[]){0, 0, 1}, ones, shp(3, 2, 3, 3));
    int inner = graph_slice(c->a, c->g, right, (const int[]){0, 1, 0}, (const int[]){1, 1, 2}, shp(3, 2, 2, 2));
    check_finish(c, graph_binary(c->a, c->g, OP_ADD, graph_binary(c->a, c->g, OP_MUL, left, right),
                                 graph_reduce(c->a, c->g, OP_SUM, inner, 7, false)));

    c = check_begin("slice_dx");
    x = check_param(c, "x", shp(3, 2, 2, 3));
    check_finish(c, graph_slice_dx(c->a, c->g, graph_unary(c->a, c->g, OP_TANH, x), start, step, shp(3, 3, 4, 5)));

    for (int axis = 0; axis < 3; axis++) {
        char name[32];
        snprintf(name, sizeof name, "concat_axis%d", axis);
        c = check_begin(name);
        Shape parts[3] = {shp(3, 2, 3, 4), shp(3, 2, 3, 4), shp(3, 2, 3, 4)};
        for (int k = 0; k < 3; k++) parts[k].dim[axis] = k + 1;
        int xs[3] = {check_param(c, "a", parts[0]), check_param(c, "b", parts[1]), check_param(c, "c", parts[2])};
        int joined = graph_concat(c->a, c->g, xs, 3, axis);
        check_finish(c, graph_binary(c->a, c->g, OP_MUL, joined, graph_unary(c->a, c->g, OP_SIGMOID, joined)));
    }
}

/* Several uses of one node and of one parameter: adjoints accumulate. */
static void accumulation_cases(void) {
    Check *c = check_begin("fan_out");
    int x = check_param(c, "x", shp(1, 3));
    int t = graph_unary(c->a, c->g, OP_TANH, x);
    int y = graph_binary(c->a, c->g, OP_ADD, graph_binary(c->a, c->g, OP_MUL, t, t), t);
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, y, x));

    c = check_begin("param_loaded_twice");
    x = check_param(c, "x", shp(2, 2, 3));
    int again = graph_load(c->a, c->g, c->m, c->g->nodes[x].attr.tensor);
    check_finish(c, graph_binary(c->a, c->g, OP_MUL, graph_unary(c->a, c->g, OP_EXP, x), again));

    c = check_begin("unused_param");   /* its gradient is zero */
    x = check_param(c, "x", shp(1, 3));
    check_param(c, "unused", shp(2, 2, 2));
    check_finish(c, graph_unary(c->a, c->g, OP_SIGMOID, x));
}

int main(void) {
    unary_cases();
    binary_cases();
    no_gradient_cases();
    reduce_cases();
    shape_cases();
    index_cases();
    accumulation_cases();
    return check_summary();
}
