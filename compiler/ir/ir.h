/* ir.h: the graph IR: ops (ops.def), shapes, nodes, graphs, models; the
 * builder (graph.c, shape.c), printer (print.c), verifier (verify.c), the
 * Graphviz view (dot.c) and the reference interpreter (interp.c). */
#ifndef DMC_IR_H
#define DMC_IR_H

#include "support/support.h"

#define MAX_RANK 8          /* = DM_MAX_RANK */

typedef enum { DT_F32, DT_I32, DT_BOOL, DT_VOID } DType;

/* ---- the graph IR (graph.c, print.c, verify.c) -------------------------- */

typedef enum {
#define OP(NAME, TEXT, ARITY, CLASS) OP_##NAME,
#include "ir/ops.def"
} Op;
enum {   /* the number of ops: not an Op, so that switches need no case for it */
    OP_COUNT = 0
#define OP(NAME, TEXT, ARITY, CLASS) + 1
#include "ir/ops.def"
};

/* Case labels from ops.def in a switch over ops, naming every op of some
 * classes without a list, e.g. the ops a per-class function never sees:
 *     #define OP OP_CASE
 *     #define OP_UNARY OP_NONE
 *     #include "ir/ops.def"
 *         die("%s is not unary", ...);
 * (ops.def #undefs OP and the class macros at its end). */
#define OP_CASE(NAME, ...) case OP_##NAME:
#define OP_NONE(NAME, ...)

typedef enum { OC_LEAF, OC_UNARY, OC_BINARY, OC_REDUCE, OC_SHAPE, OC_COMPLEX, OC_EFFECT } OpClass;

typedef struct OpInfo {
    const char *name;
    int arity;
    OpClass cls;
    bool fn;              /* unary: also a built-in function of the language, named name */
    bool i32;             /* elementwise: defined on i32 operands */
    int nparams;          /* unary: number parameters, in attr.value and attr.value2 */
    const char *param[2]; /* their names */
    double dflt[2];       /* their defaults in the language */
} OpInfo;
extern const OpInfo op_info[OP_COUNT];

typedef struct Shape {
    int rank;             /* 0 = scalar */
    int64_t dim[MAX_RANK];
} Shape;

int64_t shape_count(Shape s);                     /* product of dims, 1 for a scalar */
bool shape_eq(Shape a, Shape b);
/* The language's notation: f32[64, 784], f32 for a scalar. */
const char *shape_str(Arena *a, DType t, Shape s);

typedef struct Attr {
    int tensor;           /* OP_LOAD, OP_STORE: index into Model.tensors */
    double value;         /* OP_CONST, RANDOM_MASK rate, a unary op's first parameter (leaky_relu alpha) */
    double value2;        /* a unary op's second parameter (OpInfo.param[1]) */
    uint32_t axes;        /* reductions: bit i = reduce axis i */
    bool keepdims;
    int axis;             /* softmax, log_softmax (non-negative after sema) */
    int perm[MAX_RANK];   /* OP_TRANSPOSE */
    int stride[2], pad[2], size[2]; /* conv2d (stride, pad), pooling (size, stride) */
    bool trans_a, trans_b;/* OP_MATMUL: use the operand transposed */
    int classes;          /* OP_ONE_HOT */
    const double *data;   /* OP_LITERAL: shape_count(shape) values */
    uint32_t salt;        /* OP_RANDOM_MASK: which dropout site (0, 1, ...) in the model */
    bool has_ignore;      /* OP_SCE, OP_SCE_DX: positions labelled `ignore` count for nothing */
    int32_t ignore;
    int start[MAX_RANK];  /* OP_SLICE, OP_SLICE_DX: the first element taken on each axis (>= 0) */
    int step[MAX_RANK];   /* and the step between elements (>= 1) */
} Attr;

/* scalar.c: the value of an elementwise op on numbers, as ops.def defines
 * it, in double (the interpreter and the constant folder).  dt: the result's
 * dtype; at: the node's attributes (a unary op's parameters). */
double op_scalar_unary(Op op, const Attr *at, DType dt, double x);
double op_scalar_binary(Op op, DType dt, double x, double y);

/* The most operands of a node: concat's (a longer concat is a tree of them,
 * sema_index.c; docs/decisions.md). */
#define NODE_MAX_IN 8

typedef struct Node {
    Op op;
    DType dtype;
    Shape shape;
    int nin;
    int in[NODE_MAX_IN];  /* operand node ids, all smaller than this node's id */
    Attr attr;
    const char *name;     /* the source binding's name, or NULL */
    Loc loc;              /* where it came from in the source */
} Node;

/* One entry's computation: nodes in topological order (a node's operands come
 * before it); OP_STORE nodes are the roots.  A graph never reads a tensor
 * after storing it (checked by the verifier). */
typedef struct Graph {
    const char *entry;    /* "forward", "gradients", "apply", "train_step" */
    Node *nodes; int n, cap;
} Graph;

/* The values of dm_kind (asserted in cg_desc.c). */
typedef enum { TK_INPUT, TK_OUTPUT, TK_PARAM, TK_GRAD, TK_STATE, TK_LOSS, TK_BUFFER } TensorKind;

typedef enum {
    INIT_ZEROS, INIT_ONES, INIT_CONST, INIT_LITERAL, INIT_UNIFORM, INIT_NORMAL, INIT_XAVIER, INIT_HE,
    INIT_SEED
} InitKind;           /* the values of dm_init_kind (asserted in cg_desc.c) */

typedef struct Init {
    InitKind kind;
    double a, b;
    int64_t fan_in, fan_out;
    const double *data;   /* INIT_LITERAL */
} Init;

/* A persistent tensor of a model instance. */
typedef struct Tensor {
    const char *name;     /* "fc1.W", "x", "grad/fc1.W", "opt/m/fc1.W", "loss" */
    TensorKind kind;
    DType dtype;
    Shape shape;
    Init init;            /* TK_PARAM, TK_STATE, TK_BUFFER */
    int param;            /* TK_GRAD, per-parameter TK_STATE: the parameter's index; else -1 */
    Loc loc;              /* declaration (params: the param statement or the layer call) */
} Tensor;

typedef enum { OPT_NONE, OPT_SGD, OPT_ADAM, OPT_ADAMW } OptKind;

typedef struct Optimizer {
    OptKind kind;
    Loc loc;
    double lr, momentum, dampening, weight_decay, beta1, beta2, eps;
    bool nesterov;
} Optimizer;

typedef struct Model {
    const char *name;
    Loc loc;
    Tensor *tensors; int ntensors, captensors;
    Optimizer opt;
    int loss_tensor;      /* index of the TK_LOSS tensor, or -1 without a loss */
    /* Built by sema: loads inputs and params, stores every output and the loss. */
    Graph forward;
    /* Built by autodiff and optim (empty without a loss or with --no-train). */
    Graph gradients, apply, train_step;
} Model;

typedef struct Models { Model **items; int n, cap; } Models;

/* graph.c: the builder.  Every constructor computes the result's dtype and
 * shape from its operands and asserts that they are valid (sema has already
 * reported user errors with locations; a failure here is a compiler bug). */
void graph_init(Graph *g, const char *entry);
int graph_add(Arena *a, Graph *g, Node n);        /* appends, returns the id */
int graph_load(Arena *a, Graph *g, const Model *m, int tensor);
int graph_store(Arena *a, Graph *g, int tensor, int value);
int graph_const(Arena *a, Graph *g, double value, DType t, Shape s);
int graph_scalar(Arena *a, Graph *g, double value);  /* f32 [] */
int graph_unary(Arena *a, Graph *g, Op op, int x);
int graph_binary(Arena *a, Graph *g, Op op, int x, int y);
int graph_reduce(Arena *a, Graph *g, Op op, int x, uint32_t axes, bool keepdims);
int graph_reshape(Arena *a, Graph *g, int x, Shape s);
int graph_transpose(Arena *a, Graph *g, int x, const int *perm);
int graph_broadcast(Arena *a, Graph *g, int x, Shape s);
int graph_matmul(Arena *a, Graph *g, int x, int y, bool trans_a, bool trans_b);
/* x's box start[k] + step[k] * i, i < s.dim[k] (s of x's rank); its adjoint,
 * dy scattered into zeros of shape s; xs (1..NODE_MAX_IN) joined along axis. */
int graph_slice(Arena *a, Graph *g, int x, const int *start, const int *step, Shape s);
int graph_slice_dx(Arena *a, Graph *g, int dy, const int *start, const int *step, Shape s);
int graph_concat(Arena *a, Graph *g, const int *xs, int n, int axis);
/* Whether slice node is a view of its operand's memory: its box is one
 * contiguous run of the operand (leading axes of extent 1, then one axis of
 * step 1, then whole axes) and the operand's memory is not a literal's;
 * *first: the run's first element in the operand. */
bool slice_is_view(const Graph *g, int node, int64_t *first);
/* The node whose memory n's value lives in: n itself, or through reshapes
 * and slice views, their operand's. */
int graph_view_base(const Graph *g, int n);
int graph_node(Arena *a, Graph *g, Op op, const int *in, int nin, Attr attr); /* the rest */
/* For the ops whose result type is not derivable from the operands (const,
 * literal, reshape, broadcast, cast, random_mask, conv2d_dx, conv2d_dw,
 * avgpool2d_dx, gather_dx): t and s give it (t is ignored where the dtype follows from
 * the operand: reshape, broadcast), and the builder checks it. */
int graph_node_shaped(Arena *a, Graph *g, Op op, const int *in, int nin, Attr attr, DType t, Shape s);
int graph_cast(Arena *a, Graph *g, int x, DType t);
bool op_is_shaped(Op op);
/* The type rule of n within g (n's operands must be nodes of g): NULL with
 * *t, *s set, or what is wrong.  For op_is_shaped ops (and a load when m is
 * NULL) n->dtype/n->shape are the requested type and are checked.  A store's
 * type is its value's. */
const char *graph_infer(const Model *m, const Graph *g, const Node *n, DType *t, Shape *s);
void graph_copy(Arena *a, Graph *dst, const Graph *src);
int model_add_tensor(Arena *a, Model *m, Tensor t);  /* returns the index */
int model_find_tensor(const Model *m, const char *name, TensorKind kind); /* -1 if none */

/* shape.c: the shape rules, shared by sema (which reports violations) and the
 * builder (which asserts them).  Each returns false if the rule is violated. */
bool shape_broadcast(Shape a, Shape b, Shape *out);
bool shape_matmul(Shape a, Shape b, bool trans_a, bool trans_b, Shape *out);   /* ranks >= 2, batch broadcast */
int64_t shape_matrices(Shape s);   /* matrices in a batch of shape s: the product of all axes but the last two */
bool shape_reduce(Shape a, uint32_t axes, bool keepdims, Shape *out);
bool shape_conv2d(Shape x, Shape w, const int stride[2], const int pad[2], Shape *out);
bool shape_pool2d(Shape x, const int size[2], const int stride[2], Shape *out);
bool shape_gather(Shape table, Shape ids, Shape *out);   /* [V, D...], [S...] -> [S..., D...] */
/* Whether the box start, step, extents s lies inside x (same rank, steps >= 1). */
bool shape_slice_fits(Shape x, const int *start, const int *step, Shape s);
/* xs joined along axis: the other dimensions must agree. */
bool shape_concat(const Shape *xs, int n, int axis, Shape *out);

/* print.c: the deterministic text form (--emit=ir, --dump-after, golden tests). */
void graph_print(FILE *out, const Model *m, const Graph *g);
void model_print(FILE *out, const Model *m);      /* tensors, then every non-empty graph */

/* read.c: the text form read back (dmc FILE.ir, docs/ir.md): appends the
 * models of file (its text: size bytes, NUL-terminated) to out.  Returns
 * false after an error, reported through d with the line and a caret. */
bool ir_read(Arena *a, Diag *d, const SourceFile *file, Models *out);

/* verify.c: structural checks (operand order, arity, shapes recomputed by the
 * rules above, dtypes, no load after store).  Dies with a message on failure. */
void graph_verify(const Model *m, const Graph *g);
void model_verify(const Model *m);

/* The entries of a model, in descriptor order. */
enum { ENTRY_FORWARD, ENTRY_GRADIENTS, ENTRY_APPLY, ENTRY_TRAIN_STEP, ENTRY_COUNT };
const Graph *model_entry_graph(const Model *m, int entry);  /* NULL when empty */
int64_t dtype_size(DType t);        /* bytes of one element (4) */

/* dot.c: --emit=dot, the forward and train-step graphs of every model for Graphviz. */
void dot_print(FILE *out, const Models *models);

/* ---- labels.c: the class indices a graph reads --------------------------- */

/* One set of class indices to check: the labels of softmax_cross_entropy
 * (and its adjoint) or of one_hot, or the ids of a gather (and its adjoint),
 * whose classes are the table's rows. */
typedef struct Label {
    int value;          /* the reader's operand holding them */
    int tensor;         /* the tensor they are loaded from (through reshapes), or -1: computed */
    int reader;         /* the first node reading them */
    int64_t classes;    /* valid indices: [0, classes) */
    Shape shape;        /* the tensor's shape, or the value's: how a message counts elements */
    const char *what;   /* how a message names them: "input 'y'", "the labels of one_hot at f.dm:3:7" */
    bool has_ignore;    /* the reader's ignored label (softmax_cross_entropy's ignore), also valid */
    int32_t ignore;
} Label;

typedef struct Labels {
    Label *items;
    int n;
} Labels;

/* The operand of node n that holds class indices (labels, a gather's ids),
 * or -1; and how many classes they may name (a gather's: the table's rows). */
int label_operand(const Node *n);
int64_t label_classes(const Graph *g, const Node *n);
/* Every Label of g: loaded ones first, then computed ones (labels.c). */
Labels graph_labels(Arena *a, const Model *m, const Graph *g);
/* Whether v is a class index of l or its ignored label. */
bool label_valid(const Label *l, double v);
/* "input 'y' holds 3 at [3], not a class index in [0, 3)": the error of
 * element at (flat position) holding value, worded as runtime/labels.c. */
const char *label_message(Arena *a, const Label *l, int64_t at, int32_t value);

/* ---- interp.c: the reference interpreter (the oracle) ------------------- */

/* Values of the model's persistent tensors, in double precision (i32 tensors
 * hold exact integers). */
typedef struct TensorStore {
    const Model *model;
    double **values;      /* values[i]: shape_count(tensors[i].shape) doubles */
    const char *error;    /* why the last interp_run failed (label_message), else NULL */
} TensorStore;

TensorStore *store_new(Arena *a, const Model *m);
/* Run a graph: loads read the store, stores write it (after every load).
 * Returns 0, or DM_ERANGE (-9) with s->error set and the store unchanged
 * when a class index is outside [0, classes) (labels.c). */
int interp_run(Arena *a, const Model *m, const Graph *g, TensorStore *s);

#endif
