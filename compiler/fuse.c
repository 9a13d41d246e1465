/* fuse.c: decides which elementwise nodes are computed inside their users'
 * loops instead of in a buffer of their own (loop fusion).
 *
 * Needs: a graph in topological order.  Guarantees: an inline node is an
 * elementwise node (unary, binary, const, broadcast) that is never stored and
 * whose every user is elementwise; apart from consts (any number of users,
 * any shape: a const is free to recompute) it has exactly one user, of its
 * own shape, so fusing never recomputes work.  The code generator then emits
 * one loop per chain, rooted at the first node that is not inline. */
#include "dmc.h"

bool op_is_elementwise(Op op) {
    OpClass c = op_info[op].cls;
    return c == OC_UNARY || c == OC_BINARY || op == OP_CONST || op == OP_BROADCAST;
}

bool *fuse_graph(Arena *a, const Graph *g, bool enable) {
    int *uses = arena_alloc(a, sizeof *uses * (g->n + 1));
    bool *only_elementwise_same_shape = arena_alloc(a, sizeof(bool) * (g->n + 1));
    bool *only_elementwise = arena_alloc(a, sizeof(bool) * (g->n + 1));
    bool *inl = arena_alloc(a, sizeof(bool) * (g->n + 1));
    for (int i = 0; i < g->n; i++) only_elementwise[i] = only_elementwise_same_shape[i] = true;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++) {
            int x = n->in[k];
            uses[x]++;
            if (!op_is_elementwise(n->op)) only_elementwise[x] = false;
            if (!op_is_elementwise(n->op) || !shape_eq(n->shape, g->nodes[x].shape))
                only_elementwise_same_shape[x] = false;
        }
    }
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (!op_is_elementwise(n->op) || uses[i] == 0) continue;
        if (n->op == OP_CONST) inl[i] = only_elementwise[i];
        else inl[i] = enable && uses[i] == 1 && only_elementwise_same_shape[i];
    }
    return inl;
}
