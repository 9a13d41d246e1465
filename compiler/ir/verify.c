/* verify.c: the structural checks of the graph IR, run after every pass in
 * test builds (--verify-each) and by the unit tests.
 *
 * Needs: graph.c's type rule (graph_infer).  Guarantees: a graph that passes
 * has operand ids in range and smaller than the node's own, the arity of
 * ops.def, every dtype and shape equal to what the rules recompute, loads and
 * stores of existing tensors of the right type, no store to an input, at most
 * one store per tensor and no load of a tensor after its store.  Any failure
 * is a compiler bug: die() names the graph, the node and what is wrong. */
#include "ir/ir.h"

#include <string.h>

#define FAIL(g, id, ...) \
    die("verify: graph %s: node %%%d: %s", (g)->entry ? (g)->entry : "?", (id), arena_printf(a, __VA_ARGS__))

static void verify_node(Arena *a, const Model *m, const Graph *g, int id, char *stored) {
    const Node *n = &g->nodes[id];
    if ((unsigned)n->op >= OP_COUNT) FAIL(g, id, "unknown op %d", (int)n->op);
    const OpInfo *info = &op_info[n->op];
    if (n->nin < 0 || n->nin > NODE_MAX_IN) FAIL(g, id, "%s has %d operands", info->name, n->nin);
    if (info->arity >= 0 && n->nin != info->arity)
        FAIL(g, id, "%s has %d operands, wants %d", info->name, n->nin, info->arity);
    for (int i = 0; i < n->nin; i++)
        if (n->in[i] < 0 || n->in[i] >= id)
            FAIL(g, id, "%s: operand %d is %%%d, not an earlier node", info->name, i, n->in[i]);
    DType t;
    Shape s;
    const char *why = graph_infer(m, g, n, &t, &s);
    if (why) FAIL(g, id, "%s: %s", info->name, why);
    if (t != n->dtype || !shape_eq(s, n->shape))
        FAIL(g, id, "%s: type is %s, the rules say %s", info->name, shape_str(a, n->dtype, n->shape),
             shape_str(a, t, s));
    if (n->op == OP_LOAD || n->op == OP_STORE) {
        int tensor = n->attr.tensor;   /* in range: graph_infer checked it */
        if (n->op == OP_LOAD && stored[tensor])
            FAIL(g, id, "load of %s after its store", m->tensors[tensor].name);
        if (n->op == OP_STORE && stored[tensor]++)
            FAIL(g, id, "second store to %s", m->tensors[tensor].name);
    }
}

static void verify_graph_in(Arena *a, const Model *m, const Graph *g) {
    if (g->n < 0 || (g->n > 0 && !g->nodes)) die("verify: graph %s: no node array", g->entry);
    char *stored = arena_alloc(a, (size_t)m->ntensors + 1);
    for (int i = 0; i < g->n; i++) verify_node(a, m, g, i, stored);
}

void graph_verify(const Model *m, const Graph *g) {
    Arena *a = arena_new();
    verify_graph_in(a, m, g);
    arena_free(a);
}

void model_verify(const Model *m) {
    Arena *a = arena_new();
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        if (!t->name) die("verify: model %s: tensor %d has no name", m->name, i);
        if (t->shape.rank < 0 || t->shape.rank > MAX_RANK)
            die("verify: model %s: tensor %s has rank %d", m->name, t->name, t->shape.rank);
        for (int j = 0; j < i; j++)
            if (strcmp(m->tensors[j].name, t->name) == 0)
                die("verify: model %s: two tensors named %s", m->name, t->name);
        if (t->kind == TK_GRAD) {
            if (t->param < 0 || t->param >= m->ntensors || m->tensors[t->param].kind != TK_PARAM)
                die("verify: model %s: gradient %s of no parameter", m->name, t->name);
            const Tensor *p = &m->tensors[t->param];
            if (!shape_eq(p->shape, t->shape) || p->dtype != t->dtype)
                die("verify: model %s: gradient %s is not the type of %s", m->name, t->name, p->name);
        }
    }
    if (m->loss_tensor != -1) {
        if (m->loss_tensor < 0 || m->loss_tensor >= m->ntensors ||
            m->tensors[m->loss_tensor].kind != TK_LOSS || m->tensors[m->loss_tensor].shape.rank != 0)
            die("verify: model %s: loss_tensor %d is not a scalar loss tensor", m->name, m->loss_tensor);
    }
    verify_graph_in(a, m, &m->forward);
    verify_graph_in(a, m, &m->gradients);
    verify_graph_in(a, m, &m->apply);
    verify_graph_in(a, m, &m->train_step);
    arena_free(a);
}
