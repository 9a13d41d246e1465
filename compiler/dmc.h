/* dmc.h: the compiler's one internal header, a section per file, so the whole
 * surface of the compiler can be read on one page.  Nothing here is visible
 * to users of the runtime (runtime/dm.h never includes this). */
#ifndef DMC_H
#define DMC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DMC_VERSION "0.1.0"
#define MAX_RANK 8          /* = DM_MAX_RANK */

/* ---- util.c: arena, growable arrays, strings, fatal errors ------------- */

/* One arena per compilation: everything the compiler allocates lives until
 * arena_free at the end of main. */
typedef struct Arena Arena;
Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);            /* zeroed, 16-byte aligned */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable array of T in the arena: `T *items; int n, cap;` fields named
 * by the caller.  VEC_PUSH(arena, v.items, v.n, v.cap, x). */
void *vec_grow(Arena *a, void *items, int n, int *cap, size_t elem);
#define VEC_PUSH(A, ITEMS, N, CAP, X) \
    ((ITEMS) = vec_grow((A), (ITEMS), (N), &(CAP), sizeof *(ITEMS)), (ITEMS)[(N)++] = (X))

/* The environment's mistakes (exit 2) and the compiler's own bugs (exit 3). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)

/* Levenshtein distance, for "did you mean" suggestions. */
int edit_distance(const char *a, const char *b);

/* ---- source locations and diagnostics (diag.c) -------------------------- */

typedef struct SourceFile {
    const char *path;     /* as given on the command line, or "<prelude>" */
    const char *text;     /* NUL-terminated contents */
    size_t size;
} SourceFile;

/* 1-based line and column; len = number of columns the caret range covers
 * (at least 1).  file == NULL means "no location" (e.g. errors about -D). */
typedef struct Loc {
    const SourceFile *file;
    int line, col, len;
} Loc;

typedef struct Diag {
    int nerrors;          /* errors reported so far (including suppressed) */
    int max_errors;       /* print at most this many (default 20), count the rest */
    FILE *out;            /* stderr, or a buffer in tests */
    bool color;
} Diag;

/* Report "file:line:col: error: ...", the source line and a caret (range
 * loc.len).  Notes attach to the preceding error. */
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_verror(Diag *d, Loc loc, const char *fmt, va_list ap);
void diag_finish(Diag *d);   /* prints "N errors generated" style trailer incl. suppressed count */
/* The closest of names[0..n) to name within a small edit distance, or NULL. */
const char *diag_suggest(const char *name, const char *const *names, int n);

/* ---- ast.c: the abstract syntax tree built by grammar/dm.y --------------- */

typedef struct Expr Expr;
typedef struct Stmt Stmt;

typedef enum { DT_F32, DT_I32, DT_BOOL, DT_VOID } DType;

typedef enum {
    EX_NUMBER,   /* num; is_int when written without '.', 'e' */
    EX_BOOL,     /* boolean */
    EX_NAME,     /* name */
    EX_ARRAY,    /* items: the elements (each a number, name, expr or nested array) */
    EX_NEG,      /* lhs */
    EX_BINARY,   /* binop is one of + - * / @; lhs, rhs */
    EX_CALL      /* name (callee), name_loc, args */
} ExprKind;

typedef struct Arg {
    const char *key;      /* NULL for a positional argument */
    Loc key_loc;          /* the key; for a positional argument, the whole argument */
    Expr *value;
} Arg;

typedef struct ExprList { Expr **items; int n, cap; } ExprList;
typedef struct ArgList { Arg *items; int n, cap; } ArgList;

struct Expr {
    ExprKind kind;
    Loc loc;              /* the whole expression; for EX_BINARY the operator */
    double num;
    bool is_int;
    bool boolean;
    const char *name;
    Loc name_loc;
    char binop;           /* '+', '-', '*', '/', '@' */
    Expr *lhs, *rhs;
    ExprList items;       /* EX_ARRAY */
    ArgList args;         /* EX_CALL */
    int depth;            /* 1 for a leaf; never above PARSE_MAX_DEPTH */
};

/* f32[d0, d1] / i32 / f32[]: dims are expressions (constants, or in a layer's
 * signature, pattern names). */
typedef struct TypeExpr {
    DType dtype;
    ExprList dims;        /* n == 0 for a scalar */
    Loc loc;
} TypeExpr;

typedef enum {
    ST_CONST,      /* name = value */
    ST_INPUT,      /* name : type */
    ST_PARAM,      /* name : type [= value]  (value: an initialiser expression or NULL) */
    ST_BIND,       /* name = value */
    ST_OUTPUT,     /* output name [= value]  (value NULL: names an existing binding) */
    ST_LOSS,       /* loss value */
    ST_OPTIMIZER,  /* optimizer name(args) : value is an EX_CALL */
    ST_RETURN      /* return value */
} StmtKind;

struct Stmt {
    StmtKind kind;
    Loc loc;              /* the statement's keyword (or the name for ST_BIND) */
    const char *name;
    Loc name_loc;
    TypeExpr *type;
    Expr *value;
};

typedef struct StmtList { Stmt **items; int n, cap; } StmtList;

/* A layer's formal parameter: `x : f32[N, I]`, `units`, `bias = true`. */
typedef struct Formal {
    const char *name;
    Loc loc;
    TypeExpr *type;       /* a shape pattern, or NULL */
    Expr *def;            /* default value, or NULL */
} Formal;

typedef struct FormalList { Formal *items; int n, cap; } FormalList;

typedef enum { DECL_MODEL, DECL_LAYER, DECL_CONST } DeclKind;

typedef struct Decl {
    DeclKind kind;
    const char *name;
    Loc loc;              /* the name */
    FormalList formals;   /* DECL_LAYER */
    StmtList body;        /* DECL_MODEL, DECL_LAYER */
    Expr *value;          /* DECL_CONST */
} Decl;

typedef struct Program {
    Decl **items; int n, cap;
} Program;

/* Limits (issue 7): past them the parser reports an error instead of
 * recursing, so no later phase can recurse deeper than PARSE_MAX_DEPTH. */
#define PARSE_MAX_DEPTH 256          /* ( [ nesting and expression tree depth */
#define PARSE_MAX_TOKEN 256          /* bytes of an identifier or a number */
#define PARSE_MAX_FILE (16 << 20)    /* bytes of a source file */

/* The state of one parse, shared by the scanner (grammar/dm.l, as yyextra),
 * the parser (grammar/dm.y, %parse-param) and the builders below. */
typedef struct ParseCtx {
    Arena *arena;
    Diag *diag;
    const SourceFile *file;
    Program *prog;
    void *scanner;            /* the flex scanner (yyscan_t) */
    /* scanner state */
    int line, col;            /* position of the next byte */
    size_t offset;
    int nesting;              /* open ( and [ : newlines inside them are spaces */
    int open_line[PARSE_MAX_DEPTH + 1]; /* where each open bracket is */
    int open_col[PARSE_MAX_DEPTH + 1];
    char open_char[PARSE_MAX_DEPTH + 1];
    bool draining;            /* after a too-deep nesting: skip to the statement's end */
    bool line_has_token;      /* a token was returned since the last line end */
    bool first_on_line;       /* the last token began its line */
    int last_token;           /* kind of the last token returned (0 before the first) */
    size_t token_offset, token_len; /* its text, for "found 'foo'" */
    bool depth_reported;      /* "nested too deeply" was reported in this statement */
    int continued_line;       /* a line that ended with an operator (error reported), or 0 */
    Expr *poison;             /* what builders return after that (one node, shared) */
} ParseCtx;

/* Builders called from the grammar's actions (one line each there). */
Expr *ast_number(ParseCtx *p, Loc loc, const char *text);
Expr *ast_bool(ParseCtx *p, Loc loc, bool value);
Expr *ast_name(ParseCtx *p, Loc loc, const char *name);
Expr *ast_array(ParseCtx *p, Loc loc, ExprList items);
Expr *ast_neg(ParseCtx *p, Loc loc, Expr *x);
Expr *ast_binary(ParseCtx *p, Loc loc, char op, Expr *l, Expr *r);
Expr *ast_call(ParseCtx *p, Loc loc, const char *callee, ArgList args);
Expr *ast_negs(ParseCtx *p, Loc first_minus, int count, Expr *x);  /* count unary minuses */
ExprList ast_exprs_add(ParseCtx *p, ExprList list, Expr *e);
Arg ast_arg(ParseCtx *p, Loc key_loc, const char *key, Expr *value); /* key NULL: positional */
ArgList ast_args_add(ParseCtx *p, ArgList list, Arg arg);  /* reports positional after keyword */
TypeExpr *ast_type(ParseCtx *p, Loc loc, DType dtype, ExprList dims);
Stmt *ast_stmt(ParseCtx *p, StmtKind kind, Loc loc, const char *name, Loc name_loc,
               TypeExpr *type, Expr *value);
StmtList ast_stmts_add(ParseCtx *p, StmtList list, Stmt *s);
Formal ast_formal(ParseCtx *p, Loc loc, const char *name, TypeExpr *type, Expr *def);
FormalList ast_formals_add(ParseCtx *p, FormalList list, Formal f);
Decl *ast_model(ParseCtx *p, Loc loc, const char *name, StmtList body);
Decl *ast_layer(ParseCtx *p, Loc loc, const char *name, FormalList formals, StmtList body);
Decl *ast_const_decl(ParseCtx *p, Loc loc, const char *name, Expr *value);
void ast_program_add(ParseCtx *p, Decl *d);
void ast_dump(FILE *out, const Program *prog);   /* --emit=ast, for parser tests */

/* Parse one source file (appending to prog).  Returns false after syntax
 * errors (all reported through d).  parse.c wraps the flex/bison pair. */
bool parse_file(Arena *a, Diag *d, const SourceFile *file, Program *prog);
/* Read a whole file into the arena; NULL and errno set on failure. */
SourceFile *source_read(Arena *a, const char *path);
SourceFile *source_from_string(Arena *a, const char *name, const char *text);

/* ---- the graph IR (graph.c, print.c, verify.c) -------------------------- */

typedef enum {
#define OP(NAME, TEXT, ARITY, CLASS) OP_##NAME,
#include "ops.def"
#undef OP
    OP_COUNT
} Op;

typedef enum { OC_LEAF, OC_UNARY, OC_BINARY, OC_REDUCE, OC_SHAPE, OC_COMPLEX, OC_EFFECT } OpClass;

typedef struct OpInfo { const char *name; int arity; OpClass cls; } OpInfo;
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
    double value;         /* OP_CONST, LEAKY_RELU alpha, RANDOM_MASK rate */
    uint32_t axes;        /* reductions: bit i = reduce axis i */
    bool keepdims;
    int axis;             /* softmax, log_softmax (non-negative after sema) */
    int perm[MAX_RANK];   /* OP_TRANSPOSE */
    int stride[2], pad[2], size[2]; /* conv2d (stride, pad), pooling (size, stride) */
    bool trans_a, trans_b;/* OP_MATMUL: use the operand transposed */
    int classes;          /* OP_ONE_HOT */
    const double *data;   /* OP_LITERAL: shape_count(shape) values */
    uint32_t salt;        /* OP_RANDOM_MASK: which dropout site (0, 1, ...) in the model */
} Attr;

#define NODE_MAX_IN 4

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

typedef enum { TK_INPUT, TK_OUTPUT, TK_PARAM, TK_GRAD, TK_STATE, TK_LOSS } TensorKind;

typedef enum {
    INIT_ZEROS, INIT_ONES, INIT_CONST, INIT_LITERAL, INIT_UNIFORM, INIT_NORMAL, INIT_XAVIER, INIT_HE,
    INIT_SEED
} InitKind;           /* same order as dm_init_kind */

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
    Init init;            /* TK_PARAM, TK_STATE */
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
int graph_node(Arena *a, Graph *g, Op op, const int *in, int nin, Attr attr); /* the rest */
/* For the ops whose result type is not derivable from the operands (const,
 * literal, reshape, broadcast, cast, random_mask, conv2d_dx, conv2d_dw,
 * avgpool2d_dx): t and s give it (t is ignored where the dtype follows from
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
bool shape_matmul(Shape a, Shape b, bool trans_a, bool trans_b, Shape *out);   /* rank 2 */
bool shape_reduce(Shape a, uint32_t axes, bool keepdims, Shape *out);
bool shape_conv2d(Shape x, Shape w, const int stride[2], const int pad[2], Shape *out);
bool shape_pool2d(Shape x, const int size[2], const int stride[2], Shape *out);

/* print.c: the deterministic text form (--emit=ir, --dump-after, golden tests). */
void graph_print(FILE *out, const Model *m, const Graph *g);
void model_print(FILE *out, const Model *m);      /* tensors, then every non-empty graph */

/* verify.c: structural checks (operand order, arity, shapes recomputed by the
 * rules above, dtypes, no load after store).  Dies with a message on failure. */
void graph_verify(const Model *m, const Graph *g);
void model_verify(const Model *m);

/* ---- sema.c (and sema_*.c): AST -> models with forward graphs ------------ */

typedef struct Define { const char *name; const char *value; bool used; } Define;
typedef struct Defines { Define *items; int n, cap; } Defines;

/* Check the program and build one Model per model declaration (only `only`
 * if non-NULL).  Returns false after errors (reported through d). */
bool sema_program(Arena *a, Diag *d, const Program *prog, const Defines *defs,
                  const char *only, Models *out);
/* The standard layers (Dense, Conv2d) written in dm, parsed before the user's file. */
extern const char *prelude_source;

/* Inside sema (shared by sema*.c only).  A Value is what an expression
 * evaluates to: a compile-time number, bool or list, or a tensor (a node of
 * the forward graph); V_ERR is the poison value of an expression that already
 * produced a diagnostic, so nothing downstream reports again. */
typedef enum { V_ERR, V_NUM, V_BOOL, V_LIST, V_TENSOR } ValueKind;
typedef struct Value {
    ValueKind kind;
    double num; bool is_int;          /* V_NUM; V_BOOL: num is 0 or 1 */
    struct Value *items; int n;       /* V_LIST */
    int node; DType dtype; Shape shape; /* V_TENSOR */
    Loc loc;                          /* the expression it came from */
} Value;

typedef enum { BK_CONST, BK_INPUT, BK_PARAM, BK_VALUE, BK_ARG, BK_DIM } BindKind;
typedef struct Binding {
    const char *name;
    Loc loc;                          /* where it was bound */
    BindKind kind;
    Value v;                          /* V_ERR for an input/param not loaded yet */
    int tensor;                       /* BK_INPUT, BK_PARAM: the tensor, -1 until created */
    Tensor pending;                   /* BK_PARAM in a layer: created on first use */
    bool loaded;
    const char *origin;               /* BK_DIM: "argument 'x' (f32[8, 3])", for notes */
} Binding;
typedef struct Scope { struct Scope *parent; Binding *items; int n, cap; } Scope;

typedef struct LayerCount { const char *layer; int k; } LayerCount;
typedef struct InstanceName { const char *name; Loc loc; } InstanceName;
/* The model, or one layer instance being expanded. */
typedef struct Frame {
    struct Frame *parent;
    const Decl *layer;                /* NULL for the model */
    Loc call;                         /* the call that made this instance */
    const Expr *call_expr;            /* ...and its expression (its arguments) */
    const char *prefix;               /* "" or "block_0.fc1." */
    Scope *scope;
    LayerCount *counts; int ncounts, capcounts;
    InstanceName *instances; int ninstances, capinstances;  /* names given to calls so far */
    const Expr *rhs_expr;             /* the whole RHS of the statement being evaluated */
    const char *rhs_name;             /* ...and the name it binds */
    int depth;
} Frame;

typedef struct Sema {
    Arena *a; Diag *d;
    const Program *prog; const Defines *defs;
    Scope globals;
    const Decl **layers; int nlayers;
    bool *layer_bad;                  /* in a recursion cycle or malformed: calls are poison */
    Model *m;                         /* the model being built, NULL for global consts */
    Frame *frame;
    const char *const_why;            /* non-NULL while evaluating a constant expression */
    int dropout_sites, rng_tensor, rng_node;
} Sema;

void sema_error(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sema_error_begin(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sema_error_end(Sema *s);
bool sema_param_decl(Sema *s, const Stmt *st, Shape *shape, Init *init);
Value sema_eval(Sema *s, const Expr *e);
Value sema_eval_const(Sema *s, const Expr *e, const char *why);
Value sema_err(void);
Value sema_number(double v, bool is_int, Loc loc);
Value sema_tensor(Sema *s, int node, Loc loc);
const char *sema_type_str(Sema *s, Value v);
bool sema_dims(Sema *s, const TypeExpr *t, Shape *out);
bool sema_int_of(Sema *s, Value v, const char *what, int64_t *out);
Binding *sema_lookup(Sema *s, const char *name);
Binding *sema_bind(Sema *s, Scope *sc, const char *name, Loc loc, BindKind kind, Value v);
Value sema_binding_value(Sema *s, Binding *b, Loc use);
int sema_add_param(Sema *s, Tensor t);
int sema_at(Sema *s, int node, Loc loc);
Value sema_call_builtin(Sema *s, const Expr *call, const Value *args, bool *found);
Value sema_call_layer(Sema *s, const Expr *call, const Value *args);
void sema_check_layers(Sema *s);
/* Argument binding shared by built-ins, layers, initialisers and optimizers:
 * names[0..n) the formals (the first nrequired required); fills out[] (V_ERR
 * and given[j] false when absent).  Reports arity/keyword errors. */
bool sema_bind_args(Sema *s, const Expr *call, const char *what, const char *const *names, int n,
                    int nrequired, const Value *args, Value *out, bool *given);
bool sema_init(Sema *s, const Expr *e, DType t, Shape shape, Init *out);
const char *sema_bind_kind_word(BindKind k);
void sema_const_stmt(Sema *s, Scope *sc, const char *name, Loc loc, const Expr *value);
bool sema_list_data(Sema *s, Value v, Shape *shape, const double **data);
Value sema_as_tensor(Sema *s, Value v, DType t);
Value sema_select(Sema *s, const Expr *call);
int sema_dropout_site(Sema *s);
bool sema_is_builtin(const char *name);
void sema_optimizer(Sema *s, const Stmt *st, Optimizer *out);

/* ---- passes over a model ------------------------------------------------- */

/* autodiff.c: m->gradients = forward + reverse-mode adjoints, storing the loss,
 * the outputs, the dropout generator's advance and every f32 parameter's
 * gradient (new TK_GRAD tensors "grad/<name>").  Nothing without a loss.
 * Conventions at ties and kinks: docs/autodiff.md. */
void autodiff_model(Arena *a, Model *m);
/* optim.c: adds the optimizer's state tensors, builds m->apply (reads grads,
 * params and state, stores params and state) and m->train_step (gradients
 * followed by apply, the gradient loads forwarded). */
void optim_model(Arena *a, Model *m);
/* entries.c: turns m->forward into the inference entry (dropout off, no loss
 * store); without training (!train) the other graphs stay empty. */
void entries_finish(Arena *a, Model *m, bool train);
/* simplify.c: constant folding, CSE, DCE and algebraic identities on one graph. */
void simplify_graph(Arena *a, const Model *m, Graph *g);

/* ---- interp.c: the reference interpreter (the oracle) ------------------- */

/* Values of the model's persistent tensors, in double precision (i32 tensors
 * hold exact integers). */
typedef struct TensorStore {
    const Model *model;
    double **values;      /* values[i]: shape_count(tensors[i].shape) doubles */
} TensorStore;

TensorStore *store_new(Arena *a, const Model *m);
/* Run a graph: loads read the store, stores write it (after every load). */
void interp_run(Arena *a, const Model *m, const Graph *g, TensorStore *s);

/* ---- back end ------------------------------------------------------------ */

typedef struct Options Options;

/* fuse.c: which nodes are computed inside another node's loop.  An
 * elementwise node (unary, binary, const, broadcast) whose users are all
 * elementwise nodes of its shape in one loop (a const: any elementwise
 * users) is "inline": it has no buffer and its value is computed in that
 * loop; a value also stored once may be inline unless no_export[i] (the
 * loop then writes it to its tensor).  Returns inline[i] for every node of
 * g (with !enable only consts) and, if root, the node whose loop computes i. */
bool *fuse_graph(Arena *a, const Graph *g, bool enable, const bool *no_export, int *root);
bool op_is_elementwise(Op op);     /* unary, binary, const, broadcast */

/* plan.c: the memory plan.  The data region holds every persistent tensor
 * (params, state, grads, inputs, outputs, loss: each family contiguous, every
 * tensor 64-byte aligned) and then one scratch arena shared by all entries
 * (they never run at once).  Inside an entry, node buffers are reused when
 * lifetimes do not overlap; reshapes alias their operand; a stored value is
 * computed in place into its tensor where that is legal. */
typedef struct EntryPlan {
    const Graph *graph;   /* NULL for an entry without code */
    bool *inl;            /* fuse_graph's answer */
    int *root;            /* per node: the exec node whose loop computes it (itself if not inline) */
    int64_t *offset;      /* per node: byte offset of its buffer in the data region, -1 if none */
    int *epilogue;        /* per kernel node: the elementwise root whose loop it runs on its output, -1 if none */
    int *host;            /* per elementwise root: the kernel that runs its loop (epilogue), -1 if none */
    uint64_t scratch_size;
    uint64_t peak_live;   /* the most scratch bytes live at once (a lower bound of scratch_size) */
} EntryPlan;

enum { ENTRY_FORWARD, ENTRY_GRADIENTS, ENTRY_APPLY, ENTRY_TRAIN_STEP, ENTRY_COUNT };

typedef struct ModelPlan {
    int *order;           /* tensors in descriptor order: params, state, grads, inputs, outputs, loss */
    uint64_t *tensor_offset; /* per tensor (Model order) */
    uint64_t scratch_offset, scratch_size, data_size;
    EntryPlan entry[ENTRY_COUNT];
} ModelPlan;

ModelPlan *plan_model(Arena *a, const Model *m, int opt_level);
/* cg_*.c: LLVM code generation, shared between its files only.  Visible
 * where llvm-c/Core.h is included first (the cg files), so the rest of the
 * compiler never sees LLVM types. */
#ifdef LLVM_C_CORE_H
#include <llvm-c/TargetMachine.h>
typedef struct Cg {
    Arena *arena;
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef i1, i8, i32, i64, f32, ptr, void_t;
    const Model *model;
    const ModelPlan *plan;
    const EntryPlan *ep;     /* the entry being generated */
    const char *prefix;      /* "<model>_<entry>": names of its helpers */
    LLVMValueRef fn, data;   /* the entry function and its data argument */
    LLVMValueRef ex;         /* its dm_exec argument (threads), possibly NULL at run time */
    bool check_numerics;     /* --check-numerics: training entries test the loss and gradients */
    LLVMValueRef *literal;   /* per node of the entry: constant global of an OP_LITERAL */
} Cg;

/* cg_module.c: the target machine's settings (cg_split.c makes a second). */
typedef struct CgTarget {
    LLVMTargetRef target;
    const char *triple, *cpu, *features;
    LLVMCodeGenOptLevel level;
} CgTarget;
/* cg_module.c: the kernels' prebuilt helpers (compiled by clang, never by
 * the -O pipeline): the test, and their hold (optnone) while a pipeline runs. */
bool cg_is_prebuilt(LLVMValueRef fn);
void cg_hold_prebuilt(LLVMContextRef ctx, LLVMModuleRef mod, bool hold);
bool cg_run_passes(LLVMModuleRef mod, const char *pipeline, LLVMTargetMachineRef tm);
/* cg_module.c: the -O pipeline and code generation of the whole module into *out. */
bool cg_compile_whole(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out);
/* cg_split.c: the same on two threads (the helpers on one), where the
 * target's object format allows (ELF) and the machine has two processors. */
bool cg_split_applies(const char *triple);
bool cg_split_compile(const CgTarget *t, LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out);
/* cg_module.c: a function of the linked kernels (compiler/kernels). */
LLVMValueRef cg_kernel(Cg *cg, const char *name);
LLVMValueRef cg_call(Cg *cg, LLVMValueRef fn, LLVMValueRef *args, int nargs, const char *name);
/* A private, unnamed_addr constant global holding init. */
LLVMValueRef cg_constant(Cg *cg, LLVMValueRef init, const char *name);
/* cg_entry.c: the entries of one model. */
void cg_entries(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]);
LLVMValueRef cg_node_ptr(Cg *cg, int node);   /* where node's value lives */
const char *cg_node_name(Cg *cg, int node);
/* cg_elem.c: one loop computing an elementwise root and its inline operands. */
void cg_elementwise(Cg *cg, int root);
/* cg_elem.c: root's loop as the epilogue of the kernel it reads (plan.c): void(data, first, end). */
LLVMValueRef cg_epilogue(Cg *cg, int root);
/* cg_kernels.c: a reduction, transpose or complex op as a kernel call. */
void cg_complex(Cg *cg, int node);
/* cg_desc.c: the model's descriptor constant NAME_model. */
void cg_descriptor(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]);
#endif

const Graph *model_entry_graph(const Model *m, int entry);  /* NULL when empty */
int64_t dtype_size(DType t);        /* bytes of one element (4) */

/* llvmgen.c and friends: compile the models into one object (or asm / LLVM IR)
 * at path; the header is written by header.c.  Return false on failure with
 * the reason printed. */
bool cg_emit(Arena *a, const Options *opt, Models *models, const char *path);
bool header_emit(Arena *a, const Options *opt, const Models *models, const char *path);

/* dot.c: --emit=dot, every entry graph of every model for Graphviz. */
void dot_print(FILE *out, const Models *models);
/* plan.c: --stats, per node shape, FLOPs and bytes, totals, and the memory plan. */
void plan_print_stats(FILE *out, const Model *m);

/* ---- main.c: the driver --------------------------------------------------- */

typedef enum { EMIT_OBJ, EMIT_ASM, EMIT_LLVM, EMIT_IR, EMIT_HEADER, EMIT_DOT, EMIT_AST } EmitKind;

struct Options {
    const char *input;
    const char *output;
    EmitKind emit;
    const char *dump_after;   /* pass name, or NULL */
    int opt_level;            /* 0..3 */
    Defines defines;
    const char *target, *cpu, *features;
    const char *model;
    bool no_train;
    bool stats;
    bool check_numerics;
    bool verify_each;         /* run the verifier after every pass */
    uint64_t max_memory;      /* --max-memory: bytes one instance may need (default 16 GiB) */
};

#endif
