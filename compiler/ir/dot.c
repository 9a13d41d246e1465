/* dot.c: --emit=dot.  Draws the forward and train_step graphs of every model for Graphviz,
 * one cluster per entry: ops as ellipses labelled with their result shape,
 * persistent tensors (loads and stores) as boxes, edges from operand to user.
 * Needs: op_info, shape_str.  Guarantees: deterministic output. */
#include "ir/ir.h"

static void print_label_text(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', out);
        fputc(*s, out);
    }
}

static void print_graph(FILE *out, Arena *a, const Model *m, const Graph *g, int cluster) {
    fprintf(out, "  subgraph cluster_%d {\n    label=\"%s: %s\";\n", cluster, m->name, g->entry);
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        const char *id = arena_printf(a, "g%d_n%d", cluster, i);
        if (n->op == OP_LOAD || n->op == OP_STORE) {
            const Tensor *t = &m->tensors[n->attr.tensor];
            fprintf(out, "    %s [shape=box, label=\"%s ", id, n->op == OP_LOAD ? "load" : "store");
            print_label_text(out, t->name);
            fprintf(out, "\\n%s\"];\n", shape_str(a, t->dtype, t->shape));
        } else {
            fprintf(out, "    %s [label=\"%s", id, op_info[n->op].name);
            if (n->name) {
                fputc(' ', out);
                print_label_text(out, n->name);
            }
            fprintf(out, "\\n%s\"];\n", shape_str(a, n->dtype, n->shape));
        }
        for (int k = 0; k < n->nin; k++) fprintf(out, "    g%d_n%d -> %s;\n", cluster, n->in[k], id);
    }
    fprintf(out, "  }\n");
}

void dot_print(FILE *out, const Models *models) {
    Arena *a = arena_new();
    fprintf(out, "digraph dmc {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n");
    int cluster = 0;
    for (int i = 0; i < models->n; i++) {
        const Model *m = models->items[i];
        const Graph *graphs[] = {&m->forward, &m->train_step};
        for (int k = 0; k < 2; k++)
            if (graphs[k]->n) print_graph(out, a, m, graphs[k], cluster++);
    }
    fprintf(out, "}\n");
    arena_free(a);
}
