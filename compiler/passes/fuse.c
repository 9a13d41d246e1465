/* fuse.c: decides which elementwise nodes are computed inside their users'
 * loops instead of in a buffer of their own (loop fusion).
 *
 * Needs: a graph in topological order.  Guarantees: an inline node is an
 * elementwise node (unary, binary, const, broadcast), or a slice read only
 * by elementwise nodes (its loop reads through it), that is never stored and
 * whose every user is elementwise; apart from consts (any number of users,
 * any shape: a const is free to recompute) its users all have its shape and
 * all end up in the same loop (one user, or a diamond like (a - b) * (a - b)
 * inside one chain), so fusing never recomputes work: the code generator
 * emits one loop per chain, rooted at the first node that is not inline, and
 * computes a shared inline node once per element.  A value that is also
 * stored (once) may be inline too, unless no_export says otherwise: the
 * loop then writes it to its tensor as well (plan.c checks that this is
 * legal in place, and asks again without the exports that are not). */
#include "passes/passes.h"

bool op_is_elementwise(Op op) {
    OpClass c = op_info[op].cls;
    return c == OC_UNARY || c == OC_BINARY || op == OP_CONST || op == OP_BROADCAST;
}

bool *fuse_graph(Arena *a, const Graph *g, bool enable, const bool *no_export, int *root) {
    /* root[i]: the node whose loop computes node i (i itself if not inline).
     * Users come after their operands, so walking backwards every user's
     * root is known when its operand is decided. */
    if (!root) root = arena_alloc(a, sizeof *root * (g->n + 1));
    int *users = arena_alloc(a, sizeof *users * (g->n + 1));
    int *stores = arena_alloc(a, sizeof *stores * (g->n + 1));
    bool *all_elementwise = arena_alloc(a, sizeof(bool) * (g->n + 1));
    bool *inl = arena_alloc(a, sizeof(bool) * (g->n + 1));
    int *user_root = arena_alloc(a, sizeof *user_root * (g->n + 1));   /* -1 none yet, -2 several */
    for (int i = 0; i < g->n; i++) all_elementwise[i] = true, user_root[i] = -1;
    for (int i = g->n - 1; i >= 0; i--) {
        const Node *n = &g->nodes[i];
        root[i] = i;
        /* A value stored once may still be fused (and written by the loop). */
        bool exportable = enable && stores[i] == 1 && n->op != OP_CONST && !(no_export && no_export[i]);
        if (op_is_elementwise(n->op) && users[i] > stores[i] && all_elementwise[i] && (!stores[i] || exportable)) {
            if (n->op == OP_CONST) inl[i] = true;
            else if (enable && user_root[i] >= 0) inl[i] = true, root[i] = user_root[i];
        }
        /* A slice read only by one loop is read through: the loop loads the
         * elements from the slice's operand (cg_elem.c), no copy is made. */
        if (n->op == OP_SLICE && enable && users[i] > 0 && !stores[i] && all_elementwise[i] && user_root[i] >= 0)
            inl[i] = true, root[i] = user_root[i];
        /* Tell the operands about this user. */
        for (int k = 0; k < n->nin; k++) {
            int x = n->in[k];
            users[x]++;
            if (n->op == OP_STORE) { stores[x]++; continue; }
            if (!op_is_elementwise(n->op)) all_elementwise[x] = false;
            int r = op_is_elementwise(n->op) && shape_eq(n->shape, g->nodes[x].shape) ? root[i] : -2;
            user_root[x] = user_root[x] == -1 || user_root[x] == r ? r : -2;
        }
    }
    return inl;
}
