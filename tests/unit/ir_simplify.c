/* ir_simplify.c: each rewrite of simplify.c happens, the result verifies,
 * and interpreting the graph before and after on random inputs stores the
 * same values. */
#include "ir_check.h"

typedef struct T { Arena *a; Model *m; Graph *g; int x, w, y, z, o1, o2, l; } T;

/* x : f32[2, 3] input, w : f32[3] param, l : i32[2] input, outputs y, z : f32[2, 3],
 * o1 : f32[3, 2], o2 : f32 */
static T setup(Arena *a) {
    T t = {.a = a, .m = new_model(a, "s")};
    t.g = &t.m->forward;
    t.x = add_tensor(a, t.m, "x", TK_INPUT, DT_F32, SHAPE(2, 3));
    t.w = add_tensor(a, t.m, "w", TK_PARAM, DT_F32, SHAPE(3));
    t.l = add_tensor(a, t.m, "l", TK_INPUT, DT_I32, SHAPE(2));
    t.y = add_tensor(a, t.m, "y", TK_OUTPUT, DT_F32, SHAPE(2, 3));
    t.z = add_tensor(a, t.m, "z", TK_OUTPUT, DT_F32, SHAPE(2, 3));
    t.o1 = add_tensor(a, t.m, "o1", TK_OUTPUT, DT_F32, SHAPE(3, 2));
    t.o2 = add_tensor(a, t.m, "o2", TK_OUTPUT, DT_F32, SCALAR);
    return t;
}

static unsigned rng = 2024;
static double uniform(void) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % 100000 / 50000.0 - 1;
}

/* Simplify a copy of t's graph, verify it, and check that both graphs store
 * the same values for random inputs.  Returns the simplified graph. */
static Graph simplified(T *t) {
    graph_verify(t->m, t->g);
    Graph after;
    graph_copy(t->a, &after, t->g);
    simplify_graph(t->a, t->m, &after);
    graph_verify(t->m, &after);
    for (int trial = 0; trial < 3; trial++) {
        TensorStore *s1 = store_new(t->a, t->m), *s2 = store_new(t->a, t->m);
        for (int i = 0; i < t->m->ntensors; i++)
            for (int64_t k = 0; k < shape_count(t->m->tensors[i].shape); k++) {
                double v = t->m->tensors[i].dtype == DT_I32 ? (double)(rng % 3) : uniform();
                if (t->m->tensors[i].dtype == DT_I32) uniform();
                s1->values[i][k] = s2->values[i][k] = v;
            }
        interp_run(t->a, t->m, t->g, s1);
        interp_run(t->a, t->m, &after, s2);
        for (int i = 0; i < t->m->ntensors; i++)
            for (int64_t k = 0; k < shape_count(t->m->tensors[i].shape); k++)
                if (!(fabs(s1->values[i][k] - s2->values[i][k]) <= 1e-12)) {
                    fprintf(stderr, "tensor %s[%lld]: %.17g before, %.17g after\n", t->m->tensors[i].name,
                            (long long)k, s1->values[i][k], s2->values[i][k]);
                    check_failures++;
                }
    }
    return after;
}

static int count_op(const Graph *g, Op op) {
    int n = 0;
    for (int i = 0; i < g->n; i++) n += g->nodes[i].op == op;
    return n;
}

/* x*1, 1*x, x+0, 0+x, x-0, x/1, neg neg, broadcast and reshape to the same shape: all x. */
static void test_identities(Arena *a) {
    T t = setup(a);
    Graph *g = t.g;
    int x = graph_load(a, g, t.m, t.x);
    int one = graph_scalar(a, g, 1), zero = graph_scalar(a, g, 0);
    int v = graph_binary(a, g, OP_MUL, x, one);
    v = graph_binary(a, g, OP_MUL, one, v);
    v = graph_binary(a, g, OP_ADD, v, zero);
    v = graph_binary(a, g, OP_ADD, zero, v);
    v = graph_binary(a, g, OP_SUB, v, zero);
    v = graph_binary(a, g, OP_DIV, v, graph_const(a, g, 1, DT_F32, SHAPE(3)));
    v = graph_unary(a, g, OP_NEG, graph_unary(a, g, OP_NEG, v));
    v = graph_broadcast(a, g, v, SHAPE(2, 3));
    v = graph_reshape(a, g, v, SHAPE(2, 3));
    graph_store(a, g, t.y, v);
    Graph s = simplified(&t);
    CHECK(s.n == 2 && s.nodes[0].op == OP_LOAD && s.nodes[1].op == OP_STORE && s.nodes[1].in[0] == 0);
}

/* x * 1 where 1 has a larger shape than x is not an identity (the shape changes). */
static void test_identity_needs_same_shape(Arena *a) {
    T t = setup(a);
    Graph *g = t.g;
    int w = graph_load(a, g, t.m, t.w);
    graph_store(a, g, t.y, graph_binary(a, g, OP_MUL, w, graph_const(a, g, 1, DT_F32, SHAPE(2, 3))));
    Graph s = simplified(&t);
    CHECK(count_op(&s, OP_MUL) == 1);
}

static void test_reshape_transpose_chains(Arena *a) {
    T t = setup(a);
    Graph *g = t.g;
    int x = graph_load(a, g, t.m, t.x);
    /* reshape(reshape(x, [6]), [3, 2]) -> one reshape */
    int r = graph_reshape(a, g, graph_reshape(a, g, x, SHAPE(6)), SHAPE(3, 2));
    graph_store(a, g, t.o1, r);
    /* reshape(reshape(x, [3, 2]), [2, 3]) -> x */
    graph_store(a, g, t.y, graph_reshape(a, g, graph_reshape(a, g, x, SHAPE(3, 2)), SHAPE(2, 3)));
    /* transpose(transpose(x)) -> x */
    int tt = graph_transpose(a, g, graph_transpose(a, g, x, (int[]){1, 0}), (int[]){1, 0});
    graph_store(a, g, t.z, tt);
    /* reshape(sum(x, axes=[0], keepdims) [1, 3], [3]) -> sum(x, axes=[0]); broadcast to o2's
     * shape via a scalar sum */
    int k = graph_reshape(a, g, graph_reduce(a, g, OP_SUM, x, 1, true), SHAPE(3));
    graph_store(a, g, t.o2, graph_reduce(a, g, OP_MAX, k, 1, false));
    Graph s = simplified(&t);
    CHECK(count_op(&s, OP_RESHAPE) == 1 && count_op(&s, OP_TRANSPOSE) == 0);
    CHECK(count_op(&s, OP_SUM) == 1 && count_op(&s, OP_MAX) == 1);
    for (int i = 0; i < s.n; i++)
        if (s.nodes[i].op == OP_SUM) CHECK(!s.nodes[i].attr.keepdims && shape_eq(s.nodes[i].shape, SHAPE(3)));
    CHECK(s.n == 8);   /* load, reshape, sum, max, 4 stores */

    /* rank 3: perms p1 = [1,0,2] then p2 = [0,2,1] compose to p1[p2[i]] = [1,2,0] */
    T u = setup(a);
    int t3 = add_tensor(a, u.m, "t3", TK_INPUT, DT_F32, SHAPE(2, 3, 4));
    int o3 = add_tensor(a, u.m, "o3", TK_OUTPUT, DT_F32, SHAPE(3, 4, 2));
    int y3 = graph_load(a, u.g, u.m, t3);
    int c = graph_transpose(a, u.g, graph_transpose(a, u.g, y3, (int[]){1, 0, 2}), (int[]){0, 2, 1});
    graph_store(a, u.g, o3, c);
    Graph s3 = simplified(&u);
    CHECK(count_op(&s3, OP_TRANSPOSE) == 1);
    for (int i = 0; i < s3.n; i++)
        if (s3.nodes[i].op == OP_TRANSPOSE)
            CHECK(s3.nodes[i].attr.perm[0] == 1 && s3.nodes[i].attr.perm[1] == 2 && s3.nodes[i].attr.perm[2] == 0);
}

static void test_folding(Arena *a) {
    T t = setup(a);
    Graph *g = t.g;
    /* 2 + 3 = 5, a scalar */
    graph_store(a, g, t.o2, graph_binary(a, g, OP_ADD, graph_scalar(a, g, 2), graph_scalar(a, g, 3)));
    /* exp(0) broadcast to [2, 3] (uniform, folded at any size): 1 */
    int e = graph_unary(a, g, OP_EXP, graph_const(a, g, 0, DT_F32, SHAPE(2, 3)));
    graph_store(a, g, t.y, graph_binary(a, g, OP_MUL, graph_load(a, g, t.m, t.x), graph_binary(a, g, OP_ADD, e, e)));
    /* [[1,2,3],[4,5,6]] transposed, times 2: literal [[2,8],[4,10],[6,12]] */
    int lit = graph_node_shaped(a, g, OP_LITERAL, NULL, 0, (Attr){.data = (double[]){1, 2, 3, 4, 5, 6}}, DT_F32,
                                SHAPE(2, 3));
    int tr = graph_transpose(a, g, lit, (int[]){1, 0});
    graph_store(a, g, t.o1, graph_binary(a, g, OP_MUL, tr, graph_scalar(a, g, 2)));
    Graph s = simplified(&t);
    CHECK(count_op(&s, OP_TRANSPOSE) == 0 && count_op(&s, OP_EXP) == 0 && count_op(&s, OP_ADD) == 0);
    for (int i = 0; i < s.n; i++) {
        const Node *n = &s.nodes[i];
        if (n->op != OP_STORE) continue;
        const Node *v = &s.nodes[n->in[0]];
        if (n->attr.tensor == t.o2) CHECK(v->op == OP_CONST && v->attr.value == 5);
        if (n->attr.tensor == t.o1) {
            CHECK(v->op == OP_LITERAL);
            if (v->op == OP_LITERAL) {
                static const double want[] = {2, 8, 4, 10, 6, 12};
                for (int k = 0; k < 6; k++) CHECK(v->attr.data[k] == want[k]);
            }
        }
        if (n->attr.tensor == t.y) {   /* x * 2: a mul of the load and the folded constant 1 + 1 */
            CHECK(v->op == OP_MUL);
            if (v->op == OP_MUL) CHECK(s.nodes[v->in[1]].op == OP_CONST && s.nodes[v->in[1]].attr.value == 2);
        }
    }
    /* i32 folding: 7 / 2 = 3 (truncating); sum of a literal */
    T u = setup(a);
    int ti = add_tensor(a, u.m, "i", TK_OUTPUT, DT_I32, SCALAR);
    int q = graph_binary(a, u.g, OP_DIV, graph_const(a, u.g, 7, DT_I32, SCALAR), graph_const(a, u.g, 2, DT_I32, SCALAR));
    graph_store(a, u.g, ti, q);
    Graph su = simplified(&u);
    CHECK(su.n == 2 && su.nodes[0].op == OP_CONST && su.nodes[0].attr.value == 3 && su.nodes[0].dtype == DT_I32);
}

static void test_cse_dce_names(Arena *a) {
    T t = setup(a);
    Graph *g = t.g;
    int x1 = graph_load(a, g, t.m, t.x), x2 = graph_load(a, g, t.m, t.x);
    int r1 = graph_unary(a, g, OP_RELU, x1), r2 = graph_unary(a, g, OP_RELU, x2);
    g->nodes[r1].name = "h";
    g->nodes[r1].loc = (Loc){.line = 7, .col = 3, .len = 1};
    int dead = graph_unary(a, g, OP_EXP, graph_load(a, g, t.m, t.w));
    (void)dead;
    int s1 = graph_reduce(a, g, OP_SUM, r1, 3, false), s2 = graph_reduce(a, g, OP_SUM, r2, 3, false);
    int s3 = graph_reduce(a, g, OP_SUM, r2, 1, false);   /* differs in axes: not merged */
    graph_store(a, g, t.y, r1);
    graph_store(a, g, t.z, r2);
    graph_store(a, g, t.o2, graph_binary(a, g, OP_ADD, s1, graph_binary(a, g, OP_ADD, s2,
                                                                          graph_reduce(a, g, OP_MAX, s3, 1, false))));
    Graph s = simplified(&t);
    CHECK(count_op(&s, OP_LOAD) == 1 && count_op(&s, OP_RELU) == 1 && count_op(&s, OP_EXP) == 0);
    CHECK(count_op(&s, OP_SUM) == 2 && count_op(&s, OP_STORE) == 3);
    for (int i = 0; i < s.n; i++)
        if (s.nodes[i].op == OP_RELU)
            CHECK(s.nodes[i].name && strcmp(s.nodes[i].name, "h") == 0 && s.nodes[i].loc.line == 7);
    /* topological and renumbered: every operand is an earlier node (graph_verify checked it) */
}

/* A larger random chain: random elementwise ops over x and constants, then
 * the before/after check does the work. */
static void test_random_chains(Arena *a) {
    static const Op ops[] = {OP_ADD, OP_SUB, OP_MUL, OP_MAXIMUM, OP_NEG, OP_RELU, OP_TANH, OP_RESHAPE, OP_TRANSPOSE};
    for (int trial = 0; trial < 20; trial++) {
        T t = setup(a);
        Graph *g = t.g;
        int pool[64], np = 0;
        pool[np++] = graph_load(a, g, t.m, t.x);
        pool[np++] = graph_const(a, g, 1, DT_F32, SHAPE(2, 3));
        pool[np++] = graph_scalar(a, g, 0);
        pool[np++] = graph_load(a, g, t.m, t.x);
        for (int k = 0; k < 30; k++) {
            Op op = ops[rng % 9];
            uniform();
            int p = pool[rng % np];
            uniform();
            int q = pool[rng % np];
            uniform();
            int v;
            if (op_info[op].cls == OC_BINARY) v = graph_binary(a, g, op, p, q);
            else if (op == OP_RESHAPE) v = graph_reshape(a, g, p, g->nodes[p].shape);
            else if (op == OP_TRANSPOSE && g->nodes[p].shape.rank == 2) v = graph_transpose(a, g, p, (int[]){1, 0});
            else if (op == OP_TRANSPOSE) continue;
            else v = graph_unary(a, g, op, p);
            if (g->nodes[v].shape.rank == 2 && g->nodes[v].shape.dim[0] == 3) v = graph_transpose(a, g, v, (int[]){1, 0});
            if (np < 64) pool[np++] = v;
        }
        Shape s23 = SHAPE(2, 3);
        graph_store(a, g, t.y, graph_broadcast(a, g, pool[np - 1], s23));
        graph_store(a, g, t.z, graph_broadcast(a, g, pool[np / 2], s23));
        simplified(&t);
    }
}

int main(void) {
    Arena *a = arena_new();
    test_identities(a);
    test_identity_needs_same_shape(a);
    test_reshape_transpose_chains(a);
    test_folding(a);
    test_cse_dce_names(a);
    test_random_chains(a);
    arena_free(a);
    return check_report("ir_simplify");
}
