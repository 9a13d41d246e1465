/* print.c: the deterministic text form of models and graphs (--emit=ir,
 * --dump-after, golden tests).  The format is documented in docs/ir.md.
 *
 * Needs: a model whose graphs refer to its tensors.  Guarantees: the same
 * graph always prints the same text; numbers are printed with %.9g, enough
 * to read an f32 back exactly; source locations are not printed, so goldens
 * do not change when a comment moves. */
#include "ir/ir.h"

static const char *const tensor_kind_name[] = {
    [TK_INPUT] = "input", [TK_OUTPUT] = "output", [TK_PARAM] = "param",
    [TK_GRAD] = "grad", [TK_STATE] = "state", [TK_LOSS] = "loss",
    [TK_BUFFER] = "buffer",
};

static const char *const init_kind_name[] = {
    [INIT_ZEROS] = "zeros", [INIT_ONES] = "ones", [INIT_CONST] = "const", [INIT_LITERAL] = "literal",
    [INIT_UNIFORM] = "uniform", [INIT_NORMAL] = "normal", [INIT_XAVIER] = "xavier", [INIT_HE] = "he",
    [INIT_SEED] = "seed",
};

static const char *const opt_kind_name[] = {
    [OPT_NONE] = "none", [OPT_SGD] = "sgd", [OPT_ADAM] = "adam", [OPT_ADAMW] = "adamw",
};

static void print_numbers(FILE *out, const double *v, int64_t n) {
    fputc('[', out);
    for (int64_t i = 0; i < n; i++) fprintf(out, "%s%.9g", i ? ", " : "", v[i]);
    fputc(']', out);
}

static void print_ints(FILE *out, const int *v, int n) {
    fputc('[', out);
    for (int i = 0; i < n; i++) fprintf(out, "%s%d", i ? ", " : "", v[i]);
    fputc(']', out);
}

static void print_type(FILE *out, DType t, Shape s) {
    static const char *const dtype_name[] = {[DT_F32] = "f32", [DT_I32] = "i32", [DT_BOOL] = "bool",
                                             [DT_VOID] = "void"};
    fputs((unsigned)t <= DT_VOID ? dtype_name[t] : "?", out);
    if (s.rank <= 0 || s.rank > MAX_RANK) return;
    fputc('[', out);
    for (int i = 0; i < s.rank; i++) fprintf(out, "%s%lld", i ? ", " : "", (long long)s.dim[i]);
    fputc(']', out);
}

static const char *tensor_name(const Model *m, int t) {
    return m && t >= 0 && t < m->ntensors ? m->tensors[t].name : "?";
}

static void print_init(FILE *out, const Tensor *t) {
    const Init *in = &t->init;
    fprintf(out, " init %s", init_kind_name[in->kind]);
    switch (in->kind) {
    case INIT_CONST: fprintf(out, " %.9g", in->a); break;
    case INIT_LITERAL:
        fputc(' ', out);
        if (in->data) print_numbers(out, in->data, shape_count(t->shape));
        break;
    case INIT_UNIFORM: case INIT_NORMAL: fprintf(out, "(%.9g, %.9g)", in->a, in->b); break;
    case INIT_XAVIER: case INIT_HE:
        fprintf(out, " fan_in=%lld fan_out=%lld", (long long)in->fan_in, (long long)in->fan_out);
        break;
    case INIT_ZEROS: case INIT_ONES: case INIT_SEED: break;
    }
}

/* The attributes an op uses, after its operands. */
static void print_attrs(FILE *out, const Node *n) {
    const Attr *a = &n->attr;
    switch (n->op) {
#define OP OP_NONE   /* a unary op's parameters, named in ops.def */
#define OP_UNARY OP_CASE
#include "ir/ops.def"
        for (int k = 0; k < op_info[n->op].nparams; k++)
            fprintf(out, " %s=%.9g", op_info[n->op].param[k], k ? a->value2 : a->value);
        break;
    case OP_RANDOM_MASK: fprintf(out, " rate=%.9g salt=%u", a->value, a->salt); break;
    case OP_TRAIN_SELECT: break;
    case OP_SUM: case OP_MEAN: case OP_MAX:
        fputs(" axes=[", out);
        for (int i = 0, first = 1; i < 32; i++)
            if (a->axes & (1u << i)) { fprintf(out, "%s%d", first ? "" : ", ", i); first = 0; }
        fputc(']', out);
        if (a->keepdims) fputs(" keepdims", out);
        break;
    case OP_TRANSPOSE:
        fputs(" perm=", out);
        print_ints(out, a->perm, n->shape.rank);
        break;
    case OP_MATMUL:
        if (a->trans_a) fputs(" trans_a", out);
        if (a->trans_b) fputs(" trans_b", out);
        break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_CONCAT: fprintf(out, " axis=%d", a->axis); break;
    case OP_LAYER_NORM: case OP_LAYER_NORM_DX: fprintf(out, " axis=%d eps=%.9g", a->axis, a->value); break;
    case OP_SLICE: case OP_SLICE_DX:
        fputs(" start=", out);
        print_ints(out, a->start, n->shape.rank);
        fputs(" step=", out);
        print_ints(out, a->step, n->shape.rank);
        break;
    case OP_CONV2D: case OP_CONV2D_DX: case OP_CONV2D_DW:
        fputs(" stride=", out);
        print_ints(out, a->stride, 2);
        fputs(" pad=", out);
        print_ints(out, a->pad, 2);
        break;
    case OP_MAXPOOL2D: case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D: case OP_AVGPOOL2D_DX:
        fputs(" size=", out);
        print_ints(out, a->size, 2);
        fputs(" stride=", out);
        print_ints(out, a->stride, 2);
        break;
    case OP_ONE_HOT: fprintf(out, " classes=%d", a->classes); break;
    case OP_SCE: case OP_SCE_DX:
        if (a->has_ignore) fprintf(out, " ignore=%d", (int)a->ignore);
        break;
    case OP_LOAD: case OP_CONST: case OP_LITERAL: case OP_RESHAPE: case OP_BROADCAST:
    case OP_BCE: case OP_BCE_DX: case OP_GATHER: case OP_GATHER_DX: case OP_STORE:
#define OP OP_NONE
#define OP_BINARY OP_CASE
#include "ir/ops.def"
        break;
    }
}

static void print_node(FILE *out, const Model *m, const Graph *g, int id) {
    const Node *n = &g->nodes[id];
    if (n->op == OP_STORE) {
        fprintf(out, "  store %s, %%%d", tensor_name(m, n->attr.tensor), n->in[0]);
    } else {
        if ((unsigned)n->op >= OP_COUNT) {   /* print what is there; the verifier says what is wrong */
            fprintf(out, "  %%%d = <op %d>\n", id, (int)n->op);
            return;
        }
        fprintf(out, "  %%%d = %s", id, op_info[n->op].name);
        if (n->op == OP_LOAD) fprintf(out, " %s", tensor_name(m, n->attr.tensor));
        if (n->op == OP_CONST) fprintf(out, " %.9g", n->attr.value);
        if (n->op == OP_LITERAL) {
            fputc(' ', out);
            print_numbers(out, n->attr.data, n->attr.data ? shape_count(n->shape) : 0);
        }
        for (int i = 0; i < n->nin; i++) fprintf(out, "%s%%%d", i ? ", " : " ", n->in[i]);
        print_attrs(out, n);
        fputs(" : ", out);
        print_type(out, n->dtype, n->shape);
    }
    if (n->name) fprintf(out, "    # %s", n->name);
    fputc('\n', out);
}

void graph_print(FILE *out, const Model *m, const Graph *g) {
    fprintf(out, "graph %s\n", g->entry ? g->entry : "?");
    for (int i = 0; i < g->n; i++) print_node(out, m, g, i);
}

static void print_optimizer(FILE *out, const Optimizer *o) {
    fprintf(out, "  optimizer %s", opt_kind_name[o->kind]);
    switch (o->kind) {
    case OPT_SGD:
        fprintf(out, " lr=%.9g momentum=%.9g dampening=%.9g weight_decay=%.9g%s", o->lr, o->momentum,
                o->dampening, o->weight_decay, o->nesterov ? " nesterov" : "");
        break;
    case OPT_ADAM: case OPT_ADAMW:
        fprintf(out, " lr=%.9g beta1=%.9g beta2=%.9g eps=%.9g weight_decay=%.9g", o->lr, o->beta1, o->beta2,
                o->eps, o->weight_decay);
        break;
    case OPT_NONE: break;
    }
    fputc('\n', out);
}

void model_print(FILE *out, const Model *m) {
    fprintf(out, "model %s\n", m->name);
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        fprintf(out, "  tensor %s %s ", t->name, tensor_kind_name[t->kind]);
        print_type(out, t->dtype, t->shape);
        if (t->kind == TK_PARAM || t->kind == TK_STATE || t->kind == TK_BUFFER) print_init(out, t);
        if ((t->kind == TK_GRAD || t->kind == TK_STATE) && t->param >= 0)
            fprintf(out, " of %s", tensor_name(m, t->param));
        fputc('\n', out);
    }
    if (m->opt.kind != OPT_NONE) print_optimizer(out, &m->opt);
    const Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
    for (int i = 0; i < 4; i++)
        if (graphs[i]->n > 0) graph_print(out, m, graphs[i]);
}
