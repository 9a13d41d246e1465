/* sema_expr.c: expressions.  Evaluates an AST expression to a Value: numbers
 * and bools are folded at compile time (the constant expressions of dims,
 * consts and arguments); anything involving a tensor becomes nodes of the
 * model's forward graph, after the type and shape rules are checked here
 * with the user's locations (the builder only asserts them).
 * Needs: sema.c (scopes, errors), sema_builtin.c and sema_layer.c (calls).
 * Guarantees: an operand that is poison makes the result poison silently. */
#include "front/sema.h"

#include <math.h>
#include <string.h>

Value sema_err(void) {
    Value v = {.kind = V_ERR};
    return v;
}

Value sema_number(double num, bool is_int, Loc loc) {
    Value v = {.kind = V_NUM, .num = num, .is_int = is_int, .loc = loc};
    return v;
}

Value sema_tensor(Sema *s, int node, Loc loc) {
    const Node *n = &s->m->forward.nodes[node];
    Value v = {.kind = V_TENSOR, .node = node, .dtype = n->dtype, .shape = n->shape, .loc = loc};
    return v;
}

/* How a value is described in a diagnostic: f32[64, 10], a number, ... */
const char *sema_type_str(Sema *s, Value v) {
    switch (v.kind) {
    case V_TENSOR: return shape_str(s->a, v.dtype, v.shape);
    case V_NUM:    return v.is_int ? arena_printf(s->a, "the number %.17g", v.num)
                                   : arena_printf(s->a, "the number %.9g", v.num);
    case V_BOOL:   return v.num ? "true" : "false";
    case V_LIST:   return "a list";
    case V_ERR:    return "an erroneous value";
    }
    return "?";
}

/* An integer-valued number (3 or 3.0 both count: `28 * 28 / 4`). */
bool sema_int_of(Sema *s, Value v, const char *what, int64_t *out) {
    if (v.kind == V_ERR) return false;
    if (v.kind != V_NUM || v.num != floor(v.num) || fabs(v.num) > 9e15) {
        sema_error_from(s, v.defines, v.loc, "%s must be an integer, found %s", what, sema_type_str(s, v));
        return false;
    }
    *out = (int64_t)v.num;
    return true;
}

/* The dims of a declared type, each a positive integer constant. */
bool sema_dims(Sema *s, const TypeExpr *t, Shape *out) {
    memset(out, 0, sizeof *out);
    if (t->dims.n > MAX_RANK) {
        sema_error(s, t->loc, "a tensor has at most %d dimensions, found %d", MAX_RANK, t->dims.n);
        return false;
    }
    bool ok = true;
    out->rank = t->dims.n;
    bool bad[MAX_RANK] = {0};
    uint32_t defines = 0;
    for (int i = 0; i < t->dims.n; i++) {
        /* `f32[k, k]` with a bad k: one error, not two */
        const Expr *d = t->dims.items[i];
        bool repeated = false;
        for (int j = 0; j < i && d->kind == EX_NAME; j++)
            repeated |= bad[j] && t->dims.items[j]->kind == EX_NAME && strcmp(t->dims.items[j]->name, d->name) == 0;
        if (repeated) { ok = false; bad[i] = true; continue; }
        if (d->kind == EX_ELLIPSIS) {
            sema_error(s, d->loc, "'...' stands for any leading dimensions only in a layer's argument pattern "
                       "(x : f32[..., I]); a declared tensor names every dimension");
            ok = false;
            bad[i] = true;
            continue;
        }
        Value v = sema_eval_const(s, d, "a dimension");
        defines |= v.defines;
        int64_t n = 0;
        if (!sema_int_of(s, v, "a dimension", &n)) { ok = false; bad[i] = true; continue; }
        if (n <= 0) {
            sema_error_from(s, v.defines, v.loc, "a dimension must be positive, found %lld", (long long)n);
            ok = false;
            bad[i] = true;
        }
        out->dim[i] = n;
    }
    /* keep every element count far from int64 overflow (2^40 f32 = 4 TiB) */
    double count = 1;
    for (int i = 0; i < out->rank && ok; i++) count *= (double)out->dim[i];
    if (ok && count > 1099511627776.0) {
        sema_error_from(s, defines, t->loc, "%s has %.3g elements, more than dmc supports (2^40)",
                        shape_str(s->a, t->dtype, *out), count);
        ok = false;
    }
    s->dims_defines = defines;
    return ok;
}

/* ---- constants ------------------------------------------------------------ */

/* Evaluates e where only compile-time values are allowed (why names the
 * place, for the message).  Tensors are rejected with one diagnostic. */
Value sema_eval_const(Sema *s, const Expr *e, const char *why) {
    const char *saved = s->const_why;
    s->const_why = why;
    Value v = sema_eval(s, e);
    s->const_why = saved;
    return v;
}

static Value fold_binary(Sema *s, const Expr *e, Value x, Value y) {
    double r = 0;
    bool is_int = x.is_int && y.is_int;
    switch (e->binop) {
    case '+': r = x.num + y.num; break;
    case '-': r = x.num - y.num; break;
    case '*': r = x.num * y.num; break;
    case '/':
        if (y.num == 0) {
            sema_error_from(s, y.defines, e->loc, "division by zero in a constant expression");
            return sema_err();
        }
        r = x.num / y.num;
        is_int = is_int && r == floor(r);   /* 784 / 2 is 392; 7 / 2 is 3.5 */
        break;
    case '@':
        sema_error(s, e->loc, "'@' needs tensors, found %s @ %s", sema_type_str(s, x), sema_type_str(s, y));
        return sema_err();
    }
    Value v = sema_number(r, is_int, e->loc);
    v.defines = x.defines | y.defines;
    return v;
}

/* ---- tensors ------------------------------------------------------------------ */

/* A (nested, rectangular) list of numbers as a LITERAL tensor. */
static bool list_shape(const Value *v, Shape *sh, int depth, int64_t *count) {
    if (v->kind != V_LIST) {
        if (depth != sh->rank) return false;
        return v->kind == V_NUM;
    }
    if (depth >= MAX_RANK || v->n == 0) return false;
    if (depth == sh->rank) sh->dim[sh->rank++] = v->n;
    else if (sh->dim[depth] != v->n) return false;
    for (int i = 0; i < v->n; i++)
        if (!list_shape(&v->items[i], sh, depth + 1, count)) return false;
    return true;
}

static void list_flatten(const Value *v, double *out, int64_t *k) {
    if (v->kind != V_LIST) { out[(*k)++] = v->num; return; }
    for (int i = 0; i < v->n; i++) list_flatten(&v->items[i], out, k);
}

/* A list's shape and row-major data, or false if it is not a rectangular
 * array of numbers.  Used by literal initialisers too. */
bool sema_list_data(Sema *s, Value v, Shape *shape, const double **data) {
    memset(shape, 0, sizeof *shape);
    int64_t count = 0;
    if (!list_shape(&v, shape, 0, &count)) return false;
    double *d = arena_alloc(s->a, (size_t)shape_count(*shape) * sizeof *d);
    int64_t k = 0;
    list_flatten(&v, d, &k);
    *data = d;
    return true;
}

/* A number or list used where a tensor is needed, as a tensor of dtype t. */
static Value as_tensor(Sema *s, Value v, DType t) {
    if (v.kind == V_TENSOR || v.kind == V_ERR) return v;
    if (v.kind == V_NUM) {
        if (t == DT_I32 && !v.is_int && v.num != floor(v.num)) {
            sema_error(s, v.loc, "an i32 tensor cannot be combined with the non-integer %g", v.num);
            return sema_err();
        }
        Shape sc = {0};
        Value c = sema_tensor(s, sema_at(s, graph_const(s->a, &s->m->forward, v.num, t, sc), v.loc), v.loc);
        c.defines = v.defines;
        return c;
    }
    if (v.kind == V_LIST) {
        Shape sh;
        const double *data;
        if (!sema_list_data(s, v, &sh, &data)) {
            sema_error(s, v.loc, "an array literal must be a rectangular array of numbers");
            return sema_err();
        }
        Node lit = {.op = OP_LITERAL, .dtype = t, .shape = sh, .loc = v.loc};
        lit.attr.data = data;
        return sema_tensor(s, graph_add(s->a, &s->m->forward, lit), v.loc);
    }
    sema_error(s, v.loc, "expected a tensor or a number, found %s", sema_type_str(s, v));
    return sema_err();
}

Value sema_as_tensor(Sema *s, Value v, DType t) { return as_tensor(s, v, t); }

static const char *op_word(char op) { return ast_binop_text(op); }

/* NumPy matmul: [..., M, K] @ [..., K, N] -> [..., M, N], the batch axes
 * (those before the last two) broadcast as elementwise operands do.  A
 * vector operand becomes a [1, K] row (left) or a [K, 1] column (right),
 * and the added axis is removed from the result. */
static Value matmul(Sema *s, const Expr *e, Value x, Value y) {
    if (x.dtype != DT_F32 || y.dtype != DT_F32 || x.shape.rank < 1 || y.shape.rank < 1) {
        sema_error(s, e->loc, "'@' multiplies f32 tensors of rank 1 or more, found %s @ %s", sema_type_str(s, x),
                   sema_type_str(s, y));
        return sema_err();
    }
    Shape xs = x.shape, ys = y.shape;
    if (xs.rank == 1) xs = (Shape){.rank = 2, .dim = {1, x.shape.dim[0]}};
    if (ys.rank == 1) ys = (Shape){.rank = 2, .dim = {y.shape.dim[0], 1}};
    Shape product;
    if (xs.dim[xs.rank - 1] != ys.dim[ys.rank - 2]) {
        sema_error_from(s, x.defines | y.defines, e->loc, "matmul shapes do not agree: %s @ %s", sema_type_str(s, x),
                        sema_type_str(s, y));
        return sema_err();
    }
    if (!shape_matmul(xs, ys, false, false, &product)) {
        sema_error_from(s, x.defines | y.defines, e->loc,
                        "matmul batch dimensions do not broadcast: %s @ %s (the axes before the last two)",
                        sema_type_str(s, x), sema_type_str(s, y));
        return sema_err();
    }
    Graph *g = &s->m->forward;
    int a = x.node, b = y.node;
    if (x.shape.rank == 1) a = sema_at(s, graph_reshape(s->a, g, a, xs), e->loc);
    if (y.shape.rank == 1) b = sema_at(s, graph_reshape(s->a, g, b, ys), e->loc);
    int r = sema_at(s, graph_matmul(s->a, g, a, b, false, false), e->loc);
    if (x.shape.rank == 1 || y.shape.rank == 1) {
        Shape out = {0};   /* the product without the row's M = 1 and the column's N = 1 */
        for (int i = 0; i < product.rank; i++) {
            bool added = (i == product.rank - 2 && x.shape.rank == 1) || (i == product.rank - 1 && y.shape.rank == 1);
            if (!added) out.dim[out.rank++] = product.dim[i];
        }
        r = sema_at(s, graph_reshape(s->a, g, r, out), e->loc);
    }
    Value v = sema_tensor(s, r, e->loc);
    v.defines = x.defines | y.defines;
    return v;
}

static Value binary(Sema *s, const Expr *e, Value x, Value y) {
    if (x.kind == V_ERR || y.kind == V_ERR) return sema_err();
    if (sema_is_comparison(e->binop)) return sema_compare(s, e, x, y);
    if (e->binop == AST_POW && x.kind != V_BOOL) return sema_pow(s, x, y, e->loc, "'**'");
    if (x.kind == V_BOOL || y.kind == V_BOOL) {
        sema_error(s, e->loc, "'%s' needs numbers or tensors, found %s %s %s", op_word(e->binop),
                   sema_type_str(s, x), op_word(e->binop), sema_type_str(s, y));
        return sema_err();
    }
    if (x.kind == V_NUM && y.kind == V_NUM) return fold_binary(s, e, x, y);
    if (s->const_why) return sema_err();   /* a list in a constant: reported by the caller */
    DType t = x.kind == V_TENSOR ? x.dtype : y.kind == V_TENSOR ? y.dtype : DT_F32;
    if (t == DT_I32 && e->binop == '/') {
        sema_error(s, e->loc, "'/' is not defined on i32 tensors: %s / %s", sema_type_str(s, x),
                   sema_type_str(s, y));
        return sema_err();
    }
    x = as_tensor(s, x, t);
    y = as_tensor(s, y, t);
    if (x.kind == V_ERR || y.kind == V_ERR) return sema_err();
    if (e->binop == '@') return matmul(s, e, x, y);
    if (x.dtype != y.dtype) {
        sema_error(s, e->loc, "cannot mix i32 and f32 tensors: %s %s %s (there are no implicit conversions)",
                   sema_type_str(s, x), op_word(e->binop), sema_type_str(s, y));
        return sema_err();
    }
    if (x.dtype == DT_I32 && e->binop == '/') {
        sema_error(s, e->loc, "'/' is not defined on i32 tensors: %s / %s", sema_type_str(s, x),
                   sema_type_str(s, y));
        return sema_err();
    }
    Shape out;
    if (!shape_broadcast(x.shape, y.shape, &out)) {
        sema_error_from(s, x.defines | y.defines, e->loc, "shapes do not broadcast: %s %s %s", sema_type_str(s, x),
                        op_word(e->binop), sema_type_str(s, y));
        return sema_err();
    }
    Op op = e->binop == '+' ? OP_ADD : e->binop == '-' ? OP_SUB : e->binop == '*' ? OP_MUL : OP_DIV;
    Value v = sema_tensor(s, sema_at(s, graph_binary(s->a, &s->m->forward, op, x.node, y.node), e->loc), e->loc);
    v.defines = x.defines | y.defines;
    return v;
}

/* ---- names ------------------------------------------------------------------ */

static void collect_names(Sema *s, const char ***names, int *n, int *cap) {
    for (Scope *sc = s->frame ? s->frame->scope : &s->globals; sc; sc = sc->parent)
        for (int i = 0; i < sc->n; i++) VEC_PUSH(s->a, *names, *n, *cap, sc->items[i].name);
}

/* The statement of the current model or layer body that binds `name`
 * after `use` (a name is visible only after its statement), or NULL. */
static const Stmt *bound_later(Sema *s, const char *name, Loc use) {
    const Decl *body = s->frame ? s->frame->layer : NULL;
    for (int i = 0; !body && s->m && i < s->prog->n; i++)
        if (s->prog->items[i]->kind == DECL_MODEL && s->prog->items[i]->name &&
            strcmp(s->prog->items[i]->name, s->m->name) == 0)
            body = s->prog->items[i];
    for (int i = 0; body && i < body->body.n; i++) {
        const Stmt *st = body->body.items[i];
        if (st->kind == ST_OPTIMIZER || !st->name || strcmp(st->name, name) != 0) continue;
        if (st->name_loc.file == use.file &&
            (st->name_loc.line > use.line || (st->name_loc.line == use.line && st->name_loc.col > use.col)))
            return st;
    }
    return NULL;
}

static Value eval_name(Sema *s, const Expr *e) {
    Binding *b = sema_lookup(s, e->name);
    if (!b && strcmp(e->name, "training") == 0) {
        sema_error(s, e->loc, "'training' is only the condition of select: select(training, a, b) is a in the "
                   "training step and b in the forward entry");
        return sema_err();
    }
    if (!b) {
        const char **names = NULL;
        int n = 0, cap = 0;
        collect_names(s, &names, &n, &cap);
        const Stmt *later = bound_later(s, e->name, e->loc);
        const char *near = later ? NULL : diag_suggest(e->name, names, n);
        bool layer = false;
        for (int i = 0; i < s->nlayers; i++) layer |= strcmp(s->layers[i]->name, e->name) == 0;
        if (!later && (layer || sema_is_builtin(e->name)))   /* `activation = relu` */
            sema_error_begin(s, e->loc, "'%s' is a %s, not a value: dm calls it, as in %s(...)", e->name,
                             layer ? "layer" : "function", e->name);
        else if (near) sema_error_begin(s, e->loc, "unknown name '%s'; did you mean '%s'?", e->name, near);
        else sema_error_begin(s, e->loc, "unknown name '%s'", e->name);
        if (later) diag_note(s->d, later->name_loc, "'%s' is bound here, after its use: a name is visible only "
                             "after its statement", e->name);
        /* a caller's name is not visible in a layer: say so where it is */
        for (Frame *f = s->frame ? s->frame->parent : NULL; f && !near; f = f->parent) {
            const Binding *caller = NULL;
            for (int i = 0; i < f->scope->n && !caller; i++)
                if (strcmp(f->scope->items[i].name, e->name) == 0) caller = &f->scope->items[i];
            if (caller) {
                diag_note(s->d, caller->loc, "'%s' is defined in the caller; a layer sees only top-level consts, its "
                          "arguments and its own names", e->name);
                break;
            }
        }
        sema_error_end(s);
        return sema_err();
    }
    if (s->const_why) {
        bool tensor = b->kind == BK_INPUT || b->kind == BK_PARAM || b->kind == BK_BUFFER || b->v.kind == V_TENSOR;
        if (tensor) {
            sema_error_begin(s, e->loc, "%s must be a constant expression, but '%s' is a tensor (%s)",
                       s->const_why, e->name, sema_bind_kind_word(b->kind));
            diag_note(s->d, b->loc, "'%s' is defined here", e->name);
            sema_error_end(s);
            return sema_err();
        }
    }
    return sema_binding_value(s, b, e->loc);
}

/* ---- expressions -------------------------------------------------------------- */

static Value eval_call(Sema *s, const Expr *e);

Value sema_eval(Sema *s, const Expr *e) {
    switch (e->kind) {
    case EX_NUMBER: return sema_number(e->num, e->is_int, e->loc);
    case EX_BOOL: {
        Value v = {.kind = V_BOOL, .num = e->boolean, .loc = e->loc};
        return v;
    }
    case EX_NAME: return eval_name(s, e);
    case EX_ARRAY: {
        Value v = {.kind = V_LIST, .n = e->items.n, .loc = e->loc};
        v.items = arena_alloc(s->a, (size_t)(e->items.n + 1) * sizeof *v.items);
        bool bad = false;
        for (int i = 0; i < e->items.n; i++) {
            v.items[i] = sema_eval(s, e->items.items[i]);
            v.defines |= v.items[i].defines;
            if (v.items[i].kind == V_ERR) bad = true;
            else if (v.items[i].kind == V_TENSOR || v.items[i].kind == V_BOOL) {
                sema_error(s, v.items[i].loc, "an array literal holds numbers, found %s",
                           sema_type_str(s, v.items[i]));
                bad = true;
            }
        }
        return bad ? sema_err() : v;
    }
    case EX_NEG: {
        Value x = sema_eval(s, e->lhs);
        if (x.kind == V_ERR) return x;
        if (x.kind == V_NUM) {
            Value n = sema_number(-x.num, x.is_int, e->loc);
            n.defines = x.defines;
            return n;
        }
        if (x.kind != V_TENSOR) {
            sema_error(s, e->loc, "unary '-' needs a number or a tensor, found %s", sema_type_str(s, x));
            return sema_err();
        }
        Value n = sema_tensor(s, sema_at(s, graph_unary(s->a, &s->m->forward, OP_NEG, x.node), e->loc), e->loc);
        n.defines = x.defines;
        return n;
    }
    case EX_BINARY: {
        Value x = sema_eval(s, e->lhs);
        Value y = sema_eval(s, e->rhs);
        return binary(s, e, x, y);
    }
    case EX_CALL: return eval_call(s, e);
    case EX_INDEX: return sema_index(s, e);
    case EX_SLICE: case EX_ELLIPSIS:   /* the grammar has them only inside an index */
        break;
    }
    die("bad expression kind %d", e->kind);
}

static bool is_layer_name(const char *name) { return name[0] >= 'A' && name[0] <= 'Z'; }

/* Arguments are evaluated left to right before the call (so layer calls in
 * arguments are numbered before the call they feed). */
static Value eval_call(Sema *s, const Expr *e) {
    if (strcmp(e->name, "select") == 0) return sema_select(s, e);
    if (strcmp(e->name, "concat") == 0 || strcmp(e->name, "stack") == 0) return sema_concat(s, e);
    if (!sema_callee_known(s, e)) return sema_err();   /* its arguments would only add errors */
    if (is_layer_name(e->name) && s->const_why) {
        sema_error(s, e->name_loc, "%s must be a constant expression, but calls layer %s",
                   s->const_why, e->name);
        return sema_err();
    }
    Value *args = arena_alloc(s->a, (size_t)(e->args.n + 1) * sizeof *args);
    /* A tensor's shape is known to the compiler: dim(x, 1) is a constant. */
    const char *why = s->const_why;
    if (strcmp(e->name, "dim") == 0 || strcmp(e->name, "shape") == 0) s->const_why = NULL;
    for (int i = 0; i < e->args.n; i++) args[i] = sema_eval(s, e->args.items[i].value);
    s->const_why = why;
    if (is_layer_name(e->name)) return sema_call_layer(s, e, args);
    bool found = false;
    return sema_call_builtin(s, e, args, &found);
}
