/* ad_ties.c: the derivative conventions at the points where finite
 * differences cannot decide (ties and kinks), checked against hand
 * arithmetic written next to each case (docs/autodiff.md gives the rules):
 *   max over axes: dy shared evenly among the tied maxima (torch.amax);
 *   maximum(a, b): a tie gives each operand half (torch.maximum);
 *   relu and abs at 0: derivative 0 (as PyTorch);
 *   maxpool2d: a window's dy goes to its first maximum (ops.def). */
#include "cg/cg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

typedef struct Case {
    Arena *a;
    Model *m;
    Graph *g;
    const double *values[8];
} Case;

static Case begin(void) {
    Case c = {.a = arena_new()};
    c.m = arena_alloc(c.a, sizeof *c.m);
    c.m->name = "ties";
    c.m->loss_tensor = -1;
    graph_init(&c.m->forward, "forward");
    c.g = &c.m->forward;
    return c;
}

static int param(Case *c, const char *name, Shape s, const double *values) {
    int t = model_add_tensor(c->a, c->m, (Tensor){.name = name, .kind = TK_PARAM, .dtype = DT_F32,
                                                   .shape = s, .param = -1});
    c->values[t] = values;
    return graph_load(c->a, c->g, c->m, t);
}

static int literal(Case *c, Shape s, const double *values) {
    return graph_node_shaped(c->a, c->g, OP_LITERAL, NULL, 0, (Attr){.data = values}, DT_F32, s);
}

/* loss = SUM(out) over all axes; expected[k] = the gradient of param k. */
static void finish(Case *c, const char *name, int out, const double *const *expected) {
    Shape os = c->g->nodes[out].shape;
    int loss = graph_reduce(c->a, c->g, OP_SUM, out, os.rank ? (1u << os.rank) - 1 : 0, false);
    c->m->loss_tensor = model_add_tensor(c->a, c->m, (Tensor){.name = "loss", .kind = TK_LOSS,
                                                              .dtype = DT_F32, .param = -1});
    graph_store(c->a, c->g, c->m->loss_tensor, loss);
    autodiff_model(c->a, c->m);
    model_verify(c->m);
    TensorStore *s = store_new(c->a, c->m);
    for (int t = 0; t < c->m->ntensors; t++)
        if (c->values[t] && t < 8)
            memcpy(s->values[t], c->values[t], sizeof(double) * (size_t)shape_count(c->m->tensors[t].shape));
    interp_run(c->a, c->m, &c->m->gradients, s);
    int k = 0, bad = 0;
    for (int p = 0; p < c->m->ntensors; p++) {
        if (c->m->tensors[p].kind != TK_PARAM) continue;
        int g = model_find_tensor(c->m, arena_printf(c->a, "grad/%s", c->m->tensors[p].name), TK_GRAD);
        for (int64_t i = 0; i < shape_count(c->m->tensors[p].shape); i++)
            if (g < 0 || fabs(s->values[g][i] - expected[k][i]) > 1e-15) {
                printf("FAIL %s: d loss / d %s[%lld] = %g, expected %g\n", name, c->m->tensors[p].name,
                       (long long)i, g < 0 ? NAN : s->values[g][i], expected[k][i]);
                bad++;
            }
        k++;
    }
    if (bad) failures++;
    else printf("ok   %s\n", name);
    arena_free(c->a);
}

static Shape shape2(int d0, int d1) { return (Shape){.rank = 2, .dim = {d0, d1}}; }
static Shape shape1(int d0) { return (Shape){.rank = 1, .dim = {d0}}; }

int main(void) {
    {   /* max([1, 3, 3]) = 3, reached twice: each gets 1/2 */
        Case c = begin();
        static const double x[] = {1, 3, 3}, dx[] = {0, 0.5, 0.5};
        int xl = param(&c, "x", shape1(3), x);
        finish(&c, "max_tie", graph_reduce(c.a, c.g, OP_MAX, xl, 1, false), (const double *[]){dx});
    }
    {   /* max over axis 1 of [[2,2,2],[1,5,0]], weighted by [1, 3]:
           row 0 ties three ways -> 1/3 each; row 1 -> 3 to the 5 */
        Case c = begin();
        static const double x[] = {2, 2, 2, 1, 5, 0}, w[] = {1, 3};
        static const double dx[] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 3, 0};
        int xl = param(&c, "x", shape2(2, 3), x);
        int m = graph_reduce(c.a, c.g, OP_MAX, xl, 2, false);
        finish(&c, "max_axis_tie", graph_binary(c.a, c.g, OP_MUL, m, literal(&c, shape1(2), w)),
               (const double *[]){dx});
    }
    {   /* maximum([1,2,3], [1,0,4]): a tie at 0 -> 1/2 each */
        Case c = begin();
        static const double a[] = {1, 2, 3}, b[] = {1, 0, 4}, da[] = {0.5, 1, 0}, db[] = {0.5, 0, 1};
        int al = param(&c, "a", shape1(3), a), bl = param(&c, "b", shape1(3), b);
        finish(&c, "maximum_tie", graph_binary(c.a, c.g, OP_MAXIMUM, al, bl), (const double *[]){da, db});
    }
    {   /* relu'(0) = 0, relu'(-1) = 0, relu'(2) = 1 */
        Case c = begin();
        static const double x[] = {0, -1, 2}, dx[] = {0, 0, 1};
        int xl = param(&c, "x", shape1(3), x);
        finish(&c, "relu_at_zero", graph_unary(c.a, c.g, OP_RELU, xl), (const double *[]){dx});
    }
    {   /* abs'(0) = 0, abs'(-2) = -1, abs'(3) = 1 */
        Case c = begin();
        static const double x[] = {0, -2, 3}, dx[] = {0, -1, 1};
        int xl = param(&c, "x", shape1(3), x);
        finish(&c, "abs_at_zero", graph_unary(c.a, c.g, OP_ABS, xl), (const double *[]){dx});
    }
    {   /* leaky_relu'(0) = alpha = 0.25 (the x <= 0 side), 1 above */
        Case c = begin();
        static const double x[] = {0, -1, 2}, dx[] = {0.25, 0.25, 1};
        int xl = param(&c, "x", shape1(3), x);
        finish(&c, "leaky_relu_at_zero", graph_node(c.a, c.g, OP_LEAKY_RELU, &xl, 1, (Attr){.value = 0.25}),
               (const double *[]){dx});
    }
    {   /* a 2x2 window of equal values: all of dy to the first */
        Case c = begin();
        static const double x[] = {1, 1, 1, 1}, dx[] = {1, 0, 0, 0};
        int xl = param(&c, "x", (Shape){.rank = 4, .dim = {1, 1, 2, 2}}, x);
        finish(&c, "maxpool2d_tie",
               graph_node(c.a, c.g, OP_MAXPOOL2D, &xl, 1, (Attr){.size = {2, 2}, .stride = {2, 2}}),
               (const double *[]){dx});
    }
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}
