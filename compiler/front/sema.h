/* sema.h: inside sema, shared by front/sema*.c only. */
#ifndef DMC_SEMA_H
#define DMC_SEMA_H

#include "front/front.h"

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
    uint32_t defines;                 /* bit i: computed from the i-th -D value (an error says so) */
} Value;

typedef enum { BK_CONST, BK_INPUT, BK_PARAM, BK_VALUE, BK_ARG, BK_DIM, BK_BUFFER } BindKind;
typedef struct Binding {
    const char *name;
    Loc loc;                          /* where it was bound */
    BindKind kind;
    Value v;                          /* V_ERR for an input/param not loaded yet */
    int tensor;                       /* BK_INPUT, BK_PARAM, BK_BUFFER: the tensor, -1 until created */
    Tensor pending;                   /* BK_PARAM, BK_BUFFER in a layer: created on first use */
    bool loaded;
    const char *origin;               /* BK_DIM: "argument 'x' (f32[8, 3])", for notes */
    uint32_t defines;                 /* BK_INPUT, BK_PARAM: the -D values of its type's dimensions */
} Binding;
typedef struct Scope { struct Scope *parent; Binding *items; int n, cap; } Scope;

/* One iteration of a loop being unrolled (sema_loop.c). */
typedef struct LoopRebinding { const char *name; Loc loc; } LoopRebinding;
typedef struct Loop {
    struct Loop *parent;              /* the enclosing loop in the same frame, or NULL */
    const char *var;                  /* the loop variable */
    const char *suffix;               /* per enclosing loop, ".i" (plain) or ".NAME" (shared): ".2", ".1.t" */
    const char *path;                 /* ".i" per enclosing loop, shared ones too (node names) */
    LoopRebinding *rebound; int nrebound, caprebound;   /* carried names rebound this iteration */
} Loop;

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
    Loop *loop;                       /* the innermost loop iteration being evaluated, or NULL */
    int depth;
} Frame;

/* An `update` statement's value, stored after the whole model (sema_buffer.c). */
typedef struct PendingUpdate { int tensor, node; Loc loc; } PendingUpdate;

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
    PendingUpdate *updates; int nupdates, capupdates;
    Loc *define_loc;                  /* per -D: the const it set last (for notes) */
    uint32_t dims_defines;            /* the -D values of sema_dims's last type */
    bool reuse;                       /* in a shared loop's later iteration: params already exist */
    int64_t unrolled;                 /* loop iterations unrolled in this model */
} Sema;

void sema_error(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sema_error_begin(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sema_error_end(Sema *s);
/* An error about a value computed from -D values: a note names each. */
void sema_error_from(Sema *s, uint32_t defines, Loc loc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sema_note_defines(Sema *s, uint32_t defines);   /* the notes alone, inside begin/end */
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
Binding *sema_scope_find(Scope *sc, const char *name);   /* in sc alone */
Binding *sema_bind(Sema *s, Scope *sc, const char *name, Loc loc, BindKind kind, Value v);
Value sema_binding_value(Sema *s, Binding *b, Loc use);
int sema_add_param(Sema *s, Tensor t);
int sema_at(Sema *s, int node, Loc loc);
Value sema_call_builtin(Sema *s, const Expr *call, const Value *args, bool *found);
Value sema_call_layer(Sema *s, const Expr *call, const Value *args);
void sema_check_layers(Sema *s);
bool sema_in_prelude(Loc loc);                   /* in the standard layers' source */
/* sema_standard.c: the standard layer being expanded (s->frame, its formals
 * bound) has arguments its body can use; reports the others. */
bool sema_check_standard_layer(Sema *s);
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
/* sema_builtin.c: the rows of table named by ids, table[ids] (embedding(table,
 * ids), an i32 index): table f32 [V, D...] (rank >= 1), ids an i32 tensor of
 * any shape or constant integers (a number, a list: checked against [0, V)
 * here; tensor ids are checked when the model runs, DM_ERANGE); the result is
 * f32 [ids..., D...], differentiable in table.  Reports wrong operands (what
 * names the operation in messages: "embedding"); the node is placed at `at`
 * (where a run-time error points), the value at `whole`. */
Value sema_gather(Sema *s, const char *what, Value table, Value ids, Loc at, Loc whole);
int sema_dropout_site(Sema *s);
/* sema_buffer.c: buffers, their updates, select(training, a, b). */
void sema_buffer_stmt(Sema *s, const Stmt *st);
void sema_update_stmt(Sema *s, const Stmt *st);
void sema_finish_updates(Sema *s);
bool sema_is_training(Sema *s, const Expr *e);
Value sema_select_training(Sema *s, const Expr *call);
bool sema_is_builtin(const char *name);
void sema_optimizer(Sema *s, const Stmt *st, Optimizer *out);
/* sema_builtin.c: the axes and keepdims of a reduction fn(x, axis, keepdims)
 * (all axes when axis is not given). */
bool sema_reduce_axes(Sema *s, const char *fn, Value x, Value axis, bool given_axis, Value keepdims,
                      bool given_keepdims, uint32_t *axes, bool *keep);
/* sema_math.c: gelu, silu, square, pow, minimum, maximum, where, f32, i32,
 * min, var, std; '**' (what: the operator or function, for messages) and
 * the comparison operators. */
bool sema_math_is(const char *name);
int sema_math_names(const char **names);
Value sema_math_call(Sema *s, const Expr *call, const Value *args);
Value sema_pow(Sema *s, Value x, Value p, Loc loc, const char *what);
bool sema_is_comparison(char op);
bool sema_clip_bounds(Sema *s, const Expr *call, const bool *given, const Attr *at);   /* given: x, lo, hi */
Value sema_compare(Sema *s, const Expr *e, Value x, Value y);
/* sema_index.c: x[...] (EX_INDEX), concat and stack (called before their
 * arguments are evaluated: the list holds tensors), and the index that is a
 * tensor (a gather; for now an error). */
Value sema_index(Sema *s, const Expr *e);
Value sema_concat(Sema *s, const Expr *call);
Value sema_tensor_index(Sema *s, const Expr *e, Value x, Value index);
/* sema_hint.c: reports a call of an unknown function or layer (false), with
 * a hint for other frameworks' names; an argument keyword's hint or NULL. */
bool sema_callee_known(Sema *s, const Expr *call);
const char *sema_key_hint(Sema *s, const char *key, const char *const *names, int n);
const char *sema_init_hint(const char *name);   /* another framework's initialiser: dm's, or NULL */
/* sema_loop.c: a `for` statement, unrolled; run evaluates one statement of
 * the body (the model's or the layer's statement evaluator). */
typedef void (*SemaStmtRunner)(Sema *s, const Stmt *st, void *ctx);
void sema_for(Sema *s, const Stmt *st, SemaStmtRunner run, void *ctx);
/* A binding statement `name = v`: binds in the current scope or, in a loop
 * body, rebinds the carried value of a name bound before the loop. */
void sema_bind_value(Sema *s, const char *name, Loc loc, Value v);
/* Whether st may be in a loop's body (input, output, loss, optimizer and
 * return may not: reported). */
bool sema_allowed_in_loop(Sema *s, const Stmt *st);
/* The suffix the enclosing loops add to the names statements give (layer
 * instances, params): ".3" in a plain loop, ".t" in a shared one, "" outside. */
const char *sema_loop_suffix(Sema *s);
/* sema_warn.c: the warnings of a program without errors. */
void sema_warnings(Sema *s, const Models *models);

#endif
