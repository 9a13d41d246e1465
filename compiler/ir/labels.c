/* labels.c: the class indices a graph reads: the labels of every
 * softmax_cross_entropy (and of its adjoint) and of every one_hot, and the
 * ids of every gather (and of its adjoint), whose classes are the rows of
 * the table: an embedding's id is checked as a label is.
 *
 * An index outside [0, classes) is an error of the entry (DM_ERANGE,
 * docs/ir.md), found before the entry changes anything.  The reference
 * interpreter (interp.c) and the generated entries (cg/cg_labels.c) check
 * this list in its order, so both report the same first bad index, in the
 * same words (label_message here; runtime/labels.c for compiled code).
 *
 * A softmax_cross_entropy with an ignored label (ignore = -100) also
 * accepts that value (label_valid).
 *
 * Needs: a verified graph.  Guarantees: one Label per distinct triple (values,
 * classes, ignored label).  Values loaded from a tensor (through reshapes) are named by the
 * tensor, two loads of it are one Label, and they come first, in the order
 * of their first reader: an entry checks them before it runs any node.
 * Computed values (`y + 1`) follow in the order of their first reader, just
 * before which each is checked. */
#include "ir/ir.h"

#include <math.h>
#include <string.h>

int label_operand(const Node *n) {
    if (n->op == OP_SCE || n->op == OP_SCE_DX) return n->in[1];
    if (n->op == OP_ONE_HOT) return n->in[0];
    if (n->op == OP_GATHER || n->op == OP_GATHER_DX) return n->in[1];
    return -1;
}

int64_t label_classes(const Graph *g, const Node *n) {
    if (n->op == OP_ONE_HOT) return n->attr.classes;
    if (n->op == OP_SCE || n->op == OP_SCE_DX) return g->nodes[n->in[0]].shape.dim[1];
    if (n->op == OP_GATHER) return g->nodes[n->in[0]].shape.dim[0];
    if (n->op == OP_GATHER_DX) return n->shape.dim[0];
    die("labels: %s reads no class indices", op_info[n->op].name);
}

static const char *reader_name(const Node *n) {
    if (n->op == OP_ONE_HOT) return "one_hot";
    if (n->op == OP_GATHER || n->op == OP_GATHER_DX) return "embedding";
    return "softmax_cross_entropy";
}

static const char *label_name(Arena *a, const Model *m, const Node *reader, int tensor) {
    if (tensor >= 0) {
        const Tensor *t = &m->tensors[tensor];
        return arena_printf(a, "%s '%s'", t->kind == TK_INPUT ? "input" : "tensor", t->name);
    }
    const char *op = reader_name(reader);
    const char *which = reader->op == OP_GATHER || reader->op == OP_GATHER_DX ? "id tensor" : "labels";
    if (!reader->loc.file) return arena_printf(a, "the %s of %s", which, op);
    return arena_printf(a, "the %s of %s at %s:%d:%d", which, op, reader->loc.file->path, reader->loc.line,
                        reader->loc.col);
}

static void add_label(Arena *a, Labels *ls, Label l) {
    for (int i = 0; i < ls->n; i++) {
        const Label *o = &ls->items[i];
        if (o->classes == l.classes && o->has_ignore == l.has_ignore && o->ignore == l.ignore &&
            (l.tensor >= 0 ? o->tensor == l.tensor : o->value == l.value))
            return;
    }
    Label *grown = arena_alloc(a, sizeof *grown * (size_t)(ls->n + 1));
    if (ls->n) memcpy(grown, ls->items, sizeof *grown * (size_t)ls->n);
    grown[ls->n++] = l;
    ls->items = grown;
}

Labels graph_labels(Arena *a, const Model *m, const Graph *g) {
    Labels loaded = {0}, computed = {0};
    for (int i = 0; i < g->n; i++) {
        const Node *reader = &g->nodes[i];
        int v = label_operand(reader);
        if (v < 0) continue;
        int root = v;
        while (g->nodes[root].op == OP_RESHAPE) root = g->nodes[root].in[0];
        int tensor = g->nodes[root].op == OP_LOAD ? g->nodes[root].attr.tensor : -1;
        Label l = {.value = v, .tensor = tensor, .reader = i};
        l.classes = label_classes(g, reader);
        l.shape = tensor >= 0 ? m->tensors[tensor].shape : g->nodes[v].shape;
        l.what = label_name(a, m, reader, tensor);
        if (reader->op != OP_ONE_HOT) l.has_ignore = reader->attr.has_ignore, l.ignore = reader->attr.ignore;
        add_label(a, tensor >= 0 ? &loaded : &computed, l);
    }
    for (int i = 0; i < computed.n; i++) add_label(a, &loaded, computed.items[i]);
    return loaded;
}

bool label_valid(const Label *l, double v) {
    return (v >= 0 && v < (double)l->classes) || (l->has_ignore && v == (double)l->ignore);
}

/* A value no class count allows that reads as a float of ordinary size: the
 * usual cause is a float stored into the i32 buffer. */
static bool looks_like_float(int32_t value, float *f) {
    if (value > -(1 << 23) && value < (1 << 23)) return false;
    memcpy(f, &value, sizeof *f);
    float mag = fabsf(*f);
    return mag >= 0x1p-10f && mag <= 0x1p24f;
}

const char *label_message(Arena *a, const Label *l, int64_t at, int32_t value) {
    const char *where = "";
    if (l->shape.rank > 0) {
        int64_t idx[MAX_RANK], rest = at;
        for (int d = l->shape.rank - 1; d >= 0; d--) idx[d] = rest % l->shape.dim[d], rest /= l->shape.dim[d];
        where = " at [";
        for (int d = 0; d < l->shape.rank; d++)
            where = arena_printf(a, "%s%s%lld", where, d ? ", " : "", (long long)idx[d]);
        where = l->shape.rank > 1 ? arena_printf(a, "%s] (element %lld)", where, (long long)at)
                                  : arena_printf(a, "%s]", where);
    }
    float f;
    const char *hint = looks_like_float(value, &f)
                           ? arena_printf(a, " (the bits of the float %g: a float stored into an i32 buffer?)", (double)f)
                           : "";
    return arena_printf(a, "%s holds %d%s, not a class index in [0, %lld)%s", l->what, (int)value, where,
                        (long long)l->classes, hint);
}
