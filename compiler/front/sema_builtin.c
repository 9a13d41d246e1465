/* sema_builtin.c: the built-in functions of docs/language.md, and the argument
 * binder shared by every kind of call.  Each built-in checks its operands'
 * dtypes and shapes, reporting violations with both shapes in the
 * language's notation, then builds its nodes.  Elementwise functions of
 * plain numbers fold at compile time (so `sqrt(2)` is a constant).
 * Needs: sema_expr.c (values), graph.c and shape.c (builder, shape rules).
 * Guarantees: a returned tensor Value is a valid node of the forward graph. */
#include "front/sema.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* ---- argument binding ---------------------------------------------------------- */

static Loc arg_loc(const Arg *a) { return a->key ? a->key_loc : a->value->loc; }

bool sema_bind_args(Sema *s, const Expr *call, const char *what, const char *const *names, int n,
                    int nrequired, const Value *args, Value *out, bool *given) {
    bool ok = true;
    const Arg **by = arena_alloc(s->a, (size_t)(n + 1) * sizeof *by);
    for (int j = 0; j < n; j++) { out[j] = sema_err(); given[j] = false; }
    int pos = 0;
    for (int i = 0; i < call->args.n; i++) {
        const Arg *a = &call->args.items[i];
        int j = -1;
        if (!a->key) {
            if (pos >= n) {
                bool filler = n >= 1 && n <= 2 && strcmp(names[0], "shape") == 0;   /* zeros(3, 6), as torch.zeros */
                sema_error(s, a->value->loc, "too many arguments to %s: it takes %d, found %d%s", what, n,
                           call->args.n, filler ? "; the shape is one list, as in zeros([3, 6])" : "");
                ok = false;
                break;
            }
            j = pos++;
        } else {
            for (int k = 0; k < n; k++)
                if (strcmp(names[k], a->key) == 0) j = k;
            if (j < 0) {
                const char *near = diag_suggest(a->key, names, n), *hint = sema_key_hint(s, a->key, names, n);
                if (hint) sema_error(s, a->key_loc, "%s has no argument '%s'%s", what, a->key, hint);
                else if (near) sema_error(s, a->key_loc, "%s has no argument '%s'; did you mean '%s'?", what, a->key, near);
                else sema_error(s, a->key_loc, "%s has no argument '%s'", what, a->key);
                ok = false;
                continue;
            }
            if (given[j]) {
                sema_error_begin(s, a->key_loc, "argument '%s' of %s is given twice", a->key, what);
                diag_note(s->d, arg_loc(by[j]), "it was first given here");
                sema_error_end(s);
                ok = false;
                continue;
            }
        }
        given[j] = true;
        by[j] = a;
        out[j] = args[i];
    }
    for (int j = 0; j < nrequired && ok; j++) {
        if (!given[j]) {
            sema_error(s, call->name_loc, "missing argument '%s' of %s", names[j], what);
            ok = false;
        }
    }
    return ok;
}

/* ---- operand checks ------------------------------------------------------------ */

static bool want_tensor(Sema *s, const char *fn, const char *arg, Value v, DType t) {
    if (v.kind == V_ERR) return false;
    if (v.kind != V_TENSOR || v.dtype != t) {
        sema_error(s, v.loc, "%s expects an %s tensor for '%s', found %s", fn, t == DT_F32 ? "f32" : "i32", arg,
                   sema_type_str(s, v));
        return false;
    }
    return true;
}

static bool want_int(Sema *s, const char *fn, const char *arg, Value v, int64_t lo, int64_t *out) {
    if (v.kind == V_ERR) return false;
    if (v.kind != V_NUM || v.num != floor(v.num)) {
        sema_error_from(s, v.defines, v.loc, "'%s' of %s must be an integer, found %s", arg, fn, sema_type_str(s, v));
        return false;
    }
    if (v.num < lo || v.num > 1e9) {
        sema_error_from(s, v.defines, v.loc, "'%s' of %s must be at least %lld, found %g", arg, fn, (long long)lo, v.num);
        return false;
    }
    *out = (int64_t)v.num;
    return true;
}

static bool want_bool(Sema *s, const char *fn, const char *arg, Value v, bool *out) {
    if (v.kind == V_ERR) return false;
    if (v.kind != V_BOOL) {
        sema_error(s, v.loc, "'%s' of %s must be true or false, found %s", arg, fn, sema_type_str(s, v));
        return false;
    }
    *out = v.num != 0;
    return true;
}

/* An axis, negative counting from the end as in NumPy. */
static bool want_axis(Sema *s, const char *fn, Value v, Value x, int *out) {
    int64_t a;
    if (v.kind == V_ERR) return false;
    if (v.kind != V_NUM || v.num != floor(v.num)) {
        sema_error(s, v.loc, "an axis of %s must be an integer, found %s", fn, sema_type_str(s, v));
        return false;
    }
    int r = x.shape.rank;
    if (fabs(v.num) > 1e15) { /* converting it to int64_t would be undefined (found by fuzzing) */
        sema_error(s, v.loc, "axis %g is out of range for %s (rank %d)", v.num, sema_type_str(s, x), r);
        return false;
    }
    a = (int64_t)v.num;
    if (a < -r || a >= r) {
        if (r == 0) sema_error(s, v.loc, "axis %lld is out of range: %s is a scalar (it has no axes)", (long long)a, sema_type_str(s, x));
        else sema_error(s, v.loc, "axis %lld is out of range for %s (rank %d: axes %d to %d)", (long long)a,
                        sema_type_str(s, x), r, -r, r - 1);
        return false;
    }
    *out = (int)(a < 0 ? a + r : a);
    return true;
}

/* An int or a pair [h, w] (stride, pad, pool size). */
static bool want_pair(Sema *s, const char *fn, const char *arg, Value v, int64_t lo, int out[2]) {
    int64_t x;
    if (v.kind == V_LIST) {
        if (v.n != 2) {
            sema_error(s, v.loc, "'%s' of %s is an integer or a pair [h, w], found a list of %d", arg, fn, v.n);
            return false;
        }
        int64_t y;
        if (!want_int(s, fn, arg, v.items[0], lo, &x) || !want_int(s, fn, arg, v.items[1], lo, &y)) return false;
        out[0] = (int)x;
        out[1] = (int)y;
        return true;
    }
    if (!want_int(s, fn, arg, v, lo, &x)) return false;
    out[0] = out[1] = (int)x;
    return true;
}

static Value node_value(Sema *s, int node, const Expr *call) {
    sema_at(s, node, call->name_loc);
    return sema_tensor(s, node, call->loc);
}

/* ---- the table ------------------------------------------------------------------- */

typedef enum {
    F_UNARY, F_REDUCE, F_RESHAPE, F_TRANSPOSE, F_FLATTEN, F_SOFTMAX, F_CONV, F_POOL,
    F_DROPOUT, F_MSE, F_BCE, F_SCE, F_ONE_HOT, F_EMBEDDING, F_CAUSAL_MASK, F_LAYER_NORM, F_DIM, F_SHAPE, F_FULL
} FnKind;

typedef struct Builtin {
    const char *name;
    FnKind kind;
    Op op;
    int nrequired;
    const char *params[5];
    int nparams;
} Builtin;

/* The elementwise functions (relu, exp, leaky_relu ...) are not listed
 * here: they are the unary ops marked FN in ops.def, with their parameters
 * (find_builtin). */
static const Builtin builtins[] = {
    {"sum", F_REDUCE, OP_SUM, 1, {"x", "axis", "keepdims"}, 3},
    {"mean", F_REDUCE, OP_MEAN, 1, {"x", "axis", "keepdims"}, 3},
    {"max", F_REDUCE, OP_MAX, 1, {"x", "axis", "keepdims"}, 3},
    {"reshape", F_RESHAPE, OP_RESHAPE, 2, {"x", "shape"}, 2},
    {"transpose", F_TRANSPOSE, OP_TRANSPOSE, 1, {"x", "perm"}, 2},
    {"flatten", F_FLATTEN, OP_RESHAPE, 1, {"x"}, 1},
    {"softmax", F_SOFTMAX, OP_SOFTMAX, 1, {"x", "axis"}, 2},
    {"log_softmax", F_SOFTMAX, OP_LOG_SOFTMAX, 1, {"x", "axis"}, 2},
    {"conv2d", F_CONV, OP_CONV2D, 2, {"x", "w", "stride", "pad"}, 4},
    {"maxpool2d", F_POOL, OP_MAXPOOL2D, 2, {"x", "size", "stride"}, 3},
    {"avgpool2d", F_POOL, OP_AVGPOOL2D, 2, {"x", "size", "stride"}, 3},
    {"dropout", F_DROPOUT, OP_RANDOM_MASK, 2, {"x", "rate"}, 2},
    {"mse", F_MSE, OP_MEAN, 2, {"pred", "target"}, 2},
    {"bce", F_BCE, OP_BCE, 2, {"prob", "target"}, 2},
    {"softmax_cross_entropy", F_SCE, OP_SCE, 2, {"logits", "labels", "ignore"}, 3},
    {"one_hot", F_ONE_HOT, OP_ONE_HOT, 2, {"labels", "classes"}, 2},
    {"embedding", F_EMBEDDING, OP_GATHER, 2, {"table", "ids"}, 2},
    {"causal_mask", F_CAUSAL_MASK, OP_LITERAL, 1, {"size"}, 1},
    {"layer_norm", F_LAYER_NORM, OP_MEAN, 1, {"x", "axis", "eps"}, 3},
    {"dim", F_DIM, OP_RESHAPE, 2, {"x", "axis"}, 2},
    {"shape", F_SHAPE, OP_RESHAPE, 1, {"x"}, 1},
    {"zeros", F_FULL, OP_CONST, 1, {"shape"}, 1},
    {"ones", F_FULL, OP_CONST, 1, {"shape"}, 1},
    {"full", F_FULL, OP_CONST, 2, {"shape", "value"}, 2},
};
enum { NBUILTINS = sizeof builtins / sizeof builtins[0] };
_Static_assert(NBUILTINS + OP_COUNT + 18 <= SEMA_MAX_BUILTINS /* sema_math's, select, concat, stack */, "SEMA_MAX_BUILTINS holds every name");

/* The built-in function called name, if there is one. */
static bool find_builtin(const char *name, Builtin *out) {
    for (int op = 0; op < OP_COUNT; op++) {
        const OpInfo *in = &op_info[op];
        if (in->cls == OC_UNARY && in->fn && strcmp(in->name, name) == 0) {
            *out = (Builtin){in->name, F_UNARY, (Op)op, 1, {"x", in->param[0], in->param[1]}, 1 + in->nparams};
            return true;
        }
    }
    for (int i = 0; i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0) { *out = builtins[i]; return true; }
    return false;
}

/* Every built-in function's name, elementwise ones first; returns how many. */
int sema_builtin_names(const char **names) {
    int n = 0;
    for (int op = 0; op < OP_COUNT; op++)
        if (op_info[op].cls == OC_UNARY && op_info[op].fn) names[n++] = op_info[op].name;
    for (int i = 0; i < NBUILTINS; i++) names[n++] = builtins[i].name;
    n += sema_math_names(names + n);
    names[n++] = "select";
    names[n++] = "concat";   /* sema_index.c */
    names[n++] = "stack";
    return n;
}

/* relu(2) etc. on plain numbers: folded by the op's definition (ops.def).
 * An integer stays one through the ops defined on i32 (relu, abs). */
static Value fold_unary(Sema *s, const Builtin *b, Value x, const Attr *at, const Expr *call) {
    double v = x.num, r = op_scalar_unary(b->op, at, DT_F32, v);
    if (isnan(r) || (isinf(r) && !isinf(v))) {
        sema_error_from(s, x.defines, x.loc, "%s of %g is not a %s number", b->name, v, isnan(r) ? "real" : "finite");
        return sema_err();
    }
    bool is_int = x.is_int && r == floor(r) && op_info[b->op].i32;
    Value n = sema_number(r, is_int, call->loc);
    n.defines = x.defines;
    return n;
}

bool sema_reduce_axes(Sema *s, const char *fn, Value x, Value axis, bool given_axis, Value keepdims,
                      bool given_keepdims, uint32_t *axes, bool *keep) {
    *axes = 0;
    *keep = false;
    if (!given_axis) {
        *axes = x.shape.rank ? (1u << x.shape.rank) - 1 : 0;
    } else {
        int n = axis.kind == V_LIST ? axis.n : 1;
        for (int i = 0; i < n; i++) {
            Value one = axis.kind == V_LIST ? axis.items[i] : axis;
            int a;
            if (!want_axis(s, fn, one, x, &a)) return false;
            if (*axes & (1u << a)) {
                sema_error(s, one.loc, "axis %d appears twice in the axes of %s", a, fn);
                return false;
            }
            *axes |= 1u << a;
        }
    }
    return !given_keepdims || want_bool(s, fn, "keepdims", keepdims, keep);
}

static Value reduce(Sema *s, const Builtin *b, const Expr *call, Value *v, bool *given) {
    Value x = v[0];
    if (!want_tensor(s, b->name, "x", x, DT_F32)) return sema_err();
    uint32_t axes;
    bool keep;
    if (!sema_reduce_axes(s, b->name, x, v[1], given[1], v[2], given[2], &axes, &keep)) return sema_err();
    if (axes == 0) return x;
    return node_value(s, graph_reduce(s->a, &s->m->forward, b->op, x.node, axes, keep), call);
}

static Value reshape(Sema *s, const Expr *call, Value x, Value dims) {
    if (!want_tensor(s, "reshape", "x", x, x.kind == V_TENSOR ? x.dtype : DT_F32)) return sema_err();
    if (dims.kind == V_ERR) return sema_err();
    if (dims.kind != V_LIST || dims.n > MAX_RANK) {
        sema_error(s, dims.loc, "the shape of reshape is a list of at most %d dimensions like [64, -1], found %s",
                   MAX_RANK, sema_type_str(s, dims));
        return sema_err();
    }
    Shape to = {.rank = dims.n};
    int hole = -1;
    int64_t known = 1;
    for (int i = 0; i < dims.n; i++) {
        int64_t d;
        if (!sema_int_of(s, dims.items[i], "a dimension of reshape", &d)) return sema_err();
        if (d == -1) {
            if (hole >= 0) {
                sema_error(s, dims.items[i].loc, "reshape allows one -1 dimension, found a second");
                return sema_err();
            }
            hole = i;
            continue;
        }
        if (d <= 0) {
            sema_error(s, dims.items[i].loc, "a dimension of reshape must be positive or -1, found %lld", (long long)d);
            return sema_err();
        }
        to.dim[i] = d;
        known *= d;
    }
    int64_t count = shape_count(x.shape);
    if (hole >= 0) {
        if (count % known != 0) {
            const char *want = "";
            for (int i = 0; i < to.rank; i++)
                want = arena_printf(s->a, "%s%s%lld", want, i ? ", " : "", i == hole ? -1LL : (long long)to.dim[i]);
            sema_error_from(s, x.defines | dims.defines, dims.loc,
                       "cannot reshape %s (%lld elements) to [%s]: %lld is not a multiple of %lld",
                       sema_type_str(s, x), (long long)count, want, (long long)count, (long long)known);
            return sema_err();
        }
        to.dim[hole] = count / known;
    } else if (known != count) {
        sema_error_from(s, x.defines | dims.defines, dims.loc, "cannot reshape %s (%lld elements) to %s (%lld elements)",
                   sema_type_str(s, x),
                   (long long)count, shape_str(s->a, x.dtype, to), (long long)known);
        return sema_err();
    }
    if (shape_eq(to, x.shape)) return x;
    return node_value(s, graph_reshape(s->a, &s->m->forward, x.node, to), call);
}

static Value transpose(Sema *s, const Expr *call, Value x, Value perm, bool given) {
    if (!want_tensor(s, "transpose", "x", x, x.kind == V_TENSOR ? x.dtype : DT_F32)) return sema_err();
    int p[MAX_RANK] = {0};
    int r = x.shape.rank;
    if (!given) {
        if (r != 2) {
            sema_error(s, call->name_loc, "transpose(x) swaps the axes of a matrix, but x is %s; give a permutation: "
                       "transpose(x, [...])", sema_type_str(s, x));
            return sema_err();
        }
        p[0] = 1;
    } else {
        if (perm.kind == V_ERR) return sema_err();
        if (perm.kind != V_LIST || perm.n != r) {
            sema_error(s, perm.loc, "the permutation of transpose must list the %d axes of %s, found %s", r,
                       sema_type_str(s, x), perm.kind == V_LIST ? arena_printf(s->a, "%d", perm.n) : sema_type_str(s, perm));
            return sema_err();
        }
        uint32_t seen = 0;
        for (int i = 0; i < r; i++) {
            int a;
            if (!want_axis(s, "transpose", perm.items[i], x, &a)) return sema_err();
            if (seen & (1u << a)) {
                sema_error(s, perm.items[i].loc, "axis %d appears twice in the permutation of transpose", a);
                return sema_err();
            }
            seen |= 1u << a;
            p[i] = a;
        }
    }
    if (!given) p[1] = 0;
    return node_value(s, graph_transpose(s->a, &s->m->forward, x.node, p), call);
}

static Value conv(Sema *s, const Expr *call, Value *v, bool *given) {
    Value x = v[0], w = v[1];
    bool okx = want_tensor(s, "conv2d", "x", x, DT_F32), okw = want_tensor(s, "conv2d", "w", w, DT_F32);
    if (!okx || !okw) return sema_err();
    Attr at = {0};
    at.stride[0] = at.stride[1] = 1;
    if (given[2] && !want_pair(s, "conv2d", "stride", v[2], 1, at.stride)) return sema_err();
    if (given[3] && !want_pair(s, "conv2d", "pad", v[3], 0, at.pad)) return sema_err();
    if (x.shape.rank != 4 || w.shape.rank != 4) {
        sema_error(s, call->name_loc, "conv2d needs x [N, C, H, W] and w [F, C, KH, KW], found %s and %s",
                   sema_type_str(s, x), sema_type_str(s, w));
        return sema_err();
    }
    if (x.shape.dim[1] != w.shape.dim[1]) {
        sema_error_from(s, x.defines | w.defines, call->name_loc,
                   "conv2d channels do not agree: x %s has C = %lld, w %s has C = %lld",
                   sema_type_str(s, x), (long long)x.shape.dim[1], sema_type_str(s, w), (long long)w.shape.dim[1]);
        return sema_err();
    }
    Shape out;
    if (!shape_conv2d(x.shape, w.shape, at.stride, at.pad, &out)) {
        sema_error_from(s, x.defines | w.defines | v[3].defines, call->name_loc,
                   "conv2d kernel %lldx%lld does not fit the input %s with pad %d, %d",
                   (long long)w.shape.dim[2], (long long)w.shape.dim[3], sema_type_str(s, x), at.pad[0], at.pad[1]);
        return sema_err();
    }
    int in[2] = {x.node, w.node};
    return node_value(s, graph_node(s->a, &s->m->forward, OP_CONV2D, in, 2, at), call);
}

static Value pool(Sema *s, const Builtin *b, const Expr *call, Value *v, bool *given) {
    Value x = v[0];
    if (!want_tensor(s, b->name, "x", x, DT_F32)) return sema_err();
    Attr at = {0};
    if (!want_pair(s, b->name, "size", v[1], 1, at.size)) return sema_err();
    at.stride[0] = at.size[0];
    at.stride[1] = at.size[1];
    if (given[2] && !want_pair(s, b->name, "stride", v[2], 1, at.stride)) return sema_err();
    if (x.shape.rank != 4) {
        sema_error(s, x.loc, "%s needs x [N, C, H, W], found %s", b->name, sema_type_str(s, x));
        return sema_err();
    }
    Shape out;
    if (!shape_pool2d(x.shape, at.size, at.stride, &out)) {
        sema_error_from(s, x.defines | v[1].defines | v[2].defines, call->name_loc,
                   "%s window %dx%d does not fit the input %s", b->name, at.size[0], at.size[1],
                   sema_type_str(s, x));
        return sema_err();
    }
    int in[1] = {x.node};
    return node_value(s, graph_node(s->a, &s->m->forward, b->op, in, 1, at), call);
}

/* dropout(x, rate) = x * mask, the mask drawn from the model's generator
 * (inverted dropout: kept elements are scaled by 1 / (1 - rate)). */
static Value dropout(Sema *s, const Expr *call, Value x, Value rate) {
    bool okx = want_tensor(s, "dropout", "x", x, DT_F32);
    if (rate.kind == V_ERR || !okx) return sema_err();
    if (rate.kind != V_NUM || rate.num < 0 || rate.num >= 1) {
        sema_error_from(s, rate.defines, rate.loc, "the rate of dropout must be a number with 0 <= rate < 1, found %s",
                        sema_type_str(s, rate));
        return sema_err();
    }
    int salt = sema_dropout_site(s);
    Node mask = {.op = OP_RANDOM_MASK, .dtype = DT_F32, .shape = x.shape, .nin = 1, .loc = call->name_loc};
    mask.in[0] = s->rng_node;
    mask.attr.value = rate.num;
    mask.attr.salt = (uint32_t)salt;
    int m = graph_add(s->a, &s->m->forward, mask);
    return node_value(s, graph_binary(s->a, &s->m->forward, OP_MUL, x.node, m), call);
}

static bool same_shape(Sema *s, const char *fn, Value a, Value b, const Expr *call) {
    if (shape_eq(a.shape, b.shape)) return true;
    sema_error_from(s, a.defines | b.defines, call->name_loc, "%s needs two tensors of the same shape, found %s and %s", fn,
               sema_type_str(s, a), sema_type_str(s, b));
    return false;
}

/* softmax_cross_entropy(logits [..., K], labels [...], ignore = L): the
 * classes on the last axis, the mean over every other position (but those
 * labelled L), as PyTorch's F.cross_entropy(logits.reshape(-1, K),
 * labels.reshape(-1), ignore_index = L).  The op sees [M, K] and [M]. */
static Value cross_entropy(Sema *s, const Expr *call, Value *v, bool *given) {
    Graph *g = &s->m->forward;
    const char *fn = "softmax_cross_entropy";
    bool okl = want_tensor(s, fn, "logits", v[0], DT_F32), oky = want_tensor(s, fn, "labels", v[1], DT_I32);
    Attr at = {0};
    if (given[2]) {
        Value l = v[2];
        if (l.kind == V_ERR) return sema_err();
        if (l.kind != V_NUM || l.num != floor(l.num) || l.num < INT32_MIN || l.num > INT32_MAX) {
            sema_error_from(s, l.defines, l.loc, "'ignore' of %s must be an i32 integer (a label), found %s", fn,
                            sema_type_str(s, l));
            return sema_err();
        }
        at.has_ignore = true, at.ignore = (int32_t)l.num;
    }
    if (!okl || !oky) return sema_err();
    Shape ls = v[0].shape;
    if (ls.rank < 2) {
        sema_error(s, v[0].loc, "the logits of softmax_cross_entropy must be [N, K] or [N, ..., K] (classes last), found %s",
                   sema_type_str(s, v[0]));
        return sema_err();
    }
    Shape want = {.rank = ls.rank - 1};
    for (int d = 0; d < want.rank; d++) want.dim[d] = ls.dim[d];
    if (!shape_eq(v[1].shape, want)) {
        sema_error_from(s, v[0].defines | v[1].defines, v[1].loc,
                   "the labels of softmax_cross_entropy must be %s for logits %s, found %s",
                   shape_str(s->a, DT_I32, want), sema_type_str(s, v[0]), sema_type_str(s, v[1]));
        return sema_err();
    }
    int in[2] = {v[0].node, v[1].node};
    if (ls.rank > 2) {
        int64_t K = ls.dim[ls.rank - 1], M = shape_count(want);
        in[0] = sema_at(s, graph_reshape(s->a, g, in[0], (Shape){.rank = 2, .dim = {M, K}}), call->name_loc);
        in[1] = sema_at(s, graph_reshape(s->a, g, in[1], (Shape){.rank = 1, .dim = {M}}), call->name_loc);
    }
    return node_value(s, graph_node(s->a, g, OP_SCE, in, 2, at), call);
}

static Value losses(Sema *s, const Builtin *b, const Expr *call, Value *v) {
    Graph *g = &s->m->forward;
    const char *n0 = b->params[0], *n1 = b->params[1];
    bool ok0 = want_tensor(s, b->name, n0, v[0], DT_F32), ok1 = want_tensor(s, b->name, n1, v[1], DT_F32);
    if (!ok0 || !ok1 || !same_shape(s, b->name, v[0], v[1], call)) return sema_err();
    if (b->kind == F_BCE) {
        int in[2] = {v[0].node, v[1].node};
        Attr at = {0};
        return node_value(s, graph_node(s->a, g, OP_BCE, in, 2, at), call);
    }
    /* mse = mean((pred - target)^2) */
    int d = sema_at(s, graph_binary(s->a, g, OP_SUB, v[0].node, v[1].node), call->name_loc);
    int sq = sema_at(s, graph_binary(s->a, g, OP_MUL, d, d), call->name_loc);
    uint32_t all = v[0].shape.rank ? (1u << v[0].shape.rank) - 1 : 0;
    if (!all) return node_value(s, sq, call);
    return node_value(s, graph_reduce(s->a, g, OP_MEAN, sq, all, false), call);
}

static Value one_hot(Sema *s, const Expr *call, Value labels, Value classes) {
    bool ok = want_tensor(s, "one_hot", "labels", labels, DT_I32);
    int64_t k;
    if (!want_int(s, "one_hot", "classes", classes, 1, &k) || !ok) return sema_err();
    if (labels.shape.rank >= MAX_RANK) {
        sema_error(s, labels.loc, "one_hot of %s would exceed %d dimensions", sema_type_str(s, labels), MAX_RANK);
        return sema_err();
    }
    Attr at = {0};
    at.classes = (int)k;
    int in[1] = {labels.node};
    return node_value(s, graph_node(s->a, &s->m->forward, OP_ONE_HOT, in, 1, at), call);
}

/* ---- gather: rows of a table ----------------------------------------------------- */

/* Constant ids (a number, a list): integers in [0, V), checked here. */
static bool constant_ids(Sema *s, const char *what, Value ids, Value table) {
    int64_t V = table.shape.dim[0];
    if (ids.kind == V_NUM) {
        if (ids.num != floor(ids.num) || ids.num < 0 || ids.num >= (double)V) {
            sema_error_from(s, ids.defines | table.defines, ids.loc,
                            "the id %g of %s is not a row of the table %s: ids are integers in [0, %lld)", ids.num,
                            what, sema_type_str(s, table), (long long)V);
            return false;
        }
        return true;
    }
    for (int i = 0; i < ids.n; i++)
        if (ids.items[i].kind == V_NUM || ids.items[i].kind == V_LIST)
            if (!constant_ids(s, what, ids.items[i], table)) return false;
    return true;
}

Value sema_gather(Sema *s, const char *what, Value table, Value ids, Loc at, Loc whole) {
    if (table.kind == V_ERR || ids.kind == V_ERR) return sema_err();
    if (table.kind == V_TENSOR && ids.kind == V_TENSOR && table.dtype == DT_I32 && ids.dtype == DT_F32) {
        sema_error(s, at, "%s takes the table first, then the ids: found the ids %s first and the table %s second",
                   what, sema_type_str(s, table), sema_type_str(s, ids));
        return sema_err();
    }
    if (!want_tensor(s, what, "table", table, DT_F32)) return sema_err();
    if (table.shape.rank < 1) {
        sema_error(s, table.loc, "the table of %s must have rows, f32[V, ...], found the scalar %s", what,
                   sema_type_str(s, table));
        return sema_err();
    }
    bool constant = ids.kind == V_NUM || ids.kind == V_LIST;
    if (constant && !constant_ids(s, what, ids, table)) return sema_err();
    if (constant) ids = sema_as_tensor(s, ids, DT_I32);
    if (!want_tensor(s, what, "ids", ids, DT_I32)) return sema_err();
    Shape out;
    if (!shape_gather(table.shape, ids.shape, &out)) {
        sema_error(s, at, "%s of ids %s in the table %s would have %d dimensions, more than %d", what,
                   sema_type_str(s, ids), sema_type_str(s, table), ids.shape.rank + table.shape.rank - 1, MAX_RANK);
        return sema_err();
    }
    int in[2] = {table.node, ids.node};
    Attr none = {0};
    Value r = sema_tensor(s, sema_at(s, graph_node(s->a, &s->m->forward, OP_GATHER, in, 2, none), at), whole);
    r.defines = table.defines | ids.defines;
    return r;
}

/* causal_mask(T): the constant f32[T, T] with 0 on and below the diagonal
 * and -inf above, to add to attention scores (query i, key j): softmax over
 * j then gives the keys after i exactly no weight.  A literal in the object,
 * so T is bounded. */
enum { CAUSAL_MASK_MAX = 4096 };
static Value causal_mask(Sema *s, const Expr *call, Value size) {
    int64_t T;
    if (!want_int(s, "causal_mask", "size", size, 1, &T)) return sema_err();
    if (T > CAUSAL_MASK_MAX) {
        sema_error_from(s, size.defines, size.loc, "causal_mask(%lld) would be a constant of %lld x %lld; the most is %d",
                        (long long)T, (long long)T, (long long)T, CAUSAL_MASK_MAX);
        return sema_err();
    }
    double *data = arena_alloc(s->a, sizeof(double) * (size_t)(T * T));
    for (int64_t i = 0; i < T; i++)
        for (int64_t j = 0; j < T; j++) data[i * T + j] = j <= i ? 0 : -INFINITY;
    Node lit = {.op = OP_LITERAL, .dtype = DT_F32, .shape = {.rank = 2, .dim = {T, T}}, .loc = call->loc};
    lit.attr.data = data;
    return node_value(s, graph_add(s->a, &s->m->forward, lit), call);
}

/* zeros(shape), ones(shape), full(shape, value): an f32 tensor of that
 * shape, every element the same number (torch.zeros, torch.full): a
 * loop's first state, `h = zeros([N, H])`, or `zeros(shape(x))` for
 * zeros_like.  One const node, computed where it is read: no memory. */
static Value full(Sema *s, const Builtin *b, const Expr *call, Value *v) {
    Value dims = v[0];
    if (dims.kind == V_NUM) {   /* zeros(5): a vector, as torch.zeros(5) */
        Value list = {.kind = V_LIST, .n = 1, .loc = dims.loc, .defines = dims.defines};
        list.items = arena_alloc(s->a, sizeof *list.items);
        list.items[0] = dims;
        dims = list;
    }
    if (dims.kind != V_LIST || dims.n > MAX_RANK) {
        sema_error(s, dims.loc, "the shape of %s is a list of at most %d dimensions like [4, 16], found %s%s", b->name,
                   MAX_RANK, sema_type_str(s, dims),
                   dims.kind == V_TENSOR ? arena_printf(s->a, " (%s(shape(x)) takes the shape of a tensor x)", b->name) : "");
        return sema_err();
    }
    Shape shape = {.rank = dims.n};
    double count = 1;
    for (int i = 0; i < dims.n; i++) {
        int64_t d;
        if (!sema_int_of(s, dims.items[i], "a dimension", &d)) return sema_err();
        if (d <= 0) {
            sema_error_from(s, dims.items[i].defines, dims.items[i].loc, "a dimension of %s must be positive, found %lld",
                            b->name, (long long)d);
            return sema_err();
        }
        shape.dim[i] = d;
        count *= (double)d;
    }
    if (count > 1099511627776.0) {   /* as a declared type (sema_expr.c) */
        sema_error_from(s, dims.defines, dims.loc, "%s has %.3g elements, more than dmc supports (2^40)",
                        shape_str(s->a, DT_F32, shape), count);
        return sema_err();
    }
    double value = b->name[0] == 'o' ? 1 : 0;
    if (b->nparams == 2) {
        if (v[1].kind != V_NUM) {
            sema_error(s, v[1].loc, "'value' of full must be a number, found %s", sema_type_str(s, v[1]));
            return sema_err();
        }
        value = v[1].num;
    }
    Value r = node_value(s, graph_const(s->a, &s->m->forward, value, DT_F32, shape), call);
    r.defines = dims.defines | (b->nparams == 2 ? v[1].defines : 0);
    return r;
}

/* relu(x), leaky_relu(x, alpha) ...: the op of ops.def, its number
 * parameters in attr.value and attr.value2. */
static Value elementwise(Sema *s, const Builtin *b, const Expr *call, Value *v, bool *given) {
    const OpInfo *info = &op_info[b->op];
    Attr at = {0};
    for (int k = 0; k < info->nparams; k++) {
        double p = info->dflt[k];
        if (given[k + 1]) {
            if (v[k + 1].kind == V_ERR) return sema_err();
            if (v[k + 1].kind != V_NUM) {
                sema_error(s, v[k + 1].loc, "'%s' of %s must be a number, found %s", info->param[k], b->name,
                           sema_type_str(s, v[k + 1]));
                return sema_err();
            }
            p = v[k + 1].num;
        }
        *(k == 0 ? &at.value : &at.value2) = p;
    }
    if (b->op == OP_CLIP && !sema_clip_bounds(s, call, given, &at)) return sema_err();
    if (v[0].kind == V_NUM) return fold_unary(s, b, v[0], &at, call);
    if (s->const_why && v[0].kind != V_ERR) {
        sema_error(s, v[0].loc, "%s must be a constant number, found %s", s->const_why, sema_type_str(s, v[0]));
        return sema_err();
    }
    if (!want_tensor(s, b->name, "x", v[0], DT_F32)) return sema_err();
    int in[1] = {v[0].node};
    return node_value(s, graph_node(s->a, &s->m->forward, b->op, in, 1, at), call);
}

/* layer_norm(x, axis = -1, eps = 1e-5): F.layer_norm without affine, over
 * the axes from `axis` to the last: (x - mu) / sqrt(var + eps) with mu and
 * the biased var their means.  One op (ops.def), whose adjoint reads only
 * x and dy, as PyTorch's native layer_norm. */
static Value layer_norm(Sema *s, const Expr *call, Value *v, bool *given) {
    Value x = v[0];
    if (!want_tensor(s, "layer_norm", "x", x, DT_F32)) return sema_err();
    int axis;
    if (!want_axis(s, "layer_norm", given[1] ? v[1] : sema_number(-1, true, call->loc), x, &axis))
        return sema_err();
    double eps = 1e-5;
    if (given[2] && (v[2].kind != V_NUM || !(v[2].num >= 0))) {
        sema_error(s, v[2].loc, "'eps' of layer_norm must be a number >= 0, found %s", sema_type_str(s, v[2]));
        return sema_err();
    }
    if (given[2]) eps = v[2].num;
    int in[1] = {x.node};
    return node_value(s, graph_node(s->a, &s->m->forward, OP_LAYER_NORM, in, 1, (Attr){.axis = axis, .value = eps}),
                      call);
}

/* dim(x, axis) and shape(x): a tensor's size along an axis and its list of
 * sizes, numbers known to the compiler (so they may size a param). */
static Value shape_of(Sema *s, const Builtin *b, const Expr *call, Value *v, bool *given) {
    Value x = v[0];
    if (x.kind == V_ERR) return sema_err();
    if (x.kind != V_TENSOR) {
        sema_error(s, x.loc, "%s expects a tensor for 'x', found %s", b->name, sema_type_str(s, x));
        return sema_err();
    }
    if (b->kind == F_DIM) {
        int axis;
        if (!want_axis(s, "dim", v[1], x, &axis)) return sema_err();
        Value n = sema_number((double)x.shape.dim[axis], true, call->loc);
        n.defines = x.defines;
        return n;
    }
    Value list = {.kind = V_LIST, .n = x.shape.rank, .loc = call->loc, .defines = x.defines};
    list.items = arena_alloc(s->a, (size_t)(x.shape.rank + 1) * sizeof *list.items);
    for (int i = 0; i < x.shape.rank; i++) list.items[i] = sema_number((double)x.shape.dim[i], true, call->loc);
    return list;
}

static Value call_builtin(Sema *s, const Builtin *b, const Expr *call, Value *v, bool *given) {
    Graph *g = s->m ? &s->m->forward : NULL;
    bool needs_tensor = b->kind != F_UNARY && b->kind != F_DIM && b->kind != F_SHAPE;
    if (s->const_why && needs_tensor) {
        sema_error(s, call->name_loc, "%s must be a constant expression, but %s works on tensors", s->const_why,
                   b->name);
        return sema_err();
    }
    switch (b->kind) {
    case F_UNARY: return elementwise(s, b, call, v, given);
    case F_REDUCE: return reduce(s, b, call, v, given);
    case F_RESHAPE: return reshape(s, call, v[0], v[1]);
    case F_TRANSPOSE: return transpose(s, call, v[0], v[1], given[1]);
    case F_FLATTEN: {
        Value x = v[0];
        if (!want_tensor(s, "flatten", "x", x, x.kind == V_TENSOR ? x.dtype : DT_F32)) return sema_err();
        if (x.shape.rank < 2) {
            sema_error(s, x.loc, "flatten keeps dim 0 and joins the rest, so it needs rank 2 or more, found %s",
                       sema_type_str(s, x));
            return sema_err();
        }
        Shape to = {.rank = 2, .dim = {x.shape.dim[0], shape_count(x.shape) / x.shape.dim[0]}};
        if (shape_eq(to, x.shape)) return x;
        return node_value(s, graph_reshape(s->a, g, x.node, to), call);
    }
    case F_SOFTMAX: {
        Value x = v[0];
        if (!want_tensor(s, b->name, "x", x, DT_F32)) return sema_err();
        Attr at = {0};
        Value minus1 = sema_number(-1, true, call->loc);
        if (!want_axis(s, b->name, given[1] ? v[1] : minus1, x, &at.axis)) return sema_err();
        int in[1] = {x.node};
        return node_value(s, graph_node(s->a, g, b->op, in, 1, at), call);
    }
    case F_CONV: return conv(s, call, v, given);
    case F_POOL: return pool(s, b, call, v, given);
    case F_DROPOUT: return dropout(s, call, v[0], v[1]);
    case F_MSE:
    case F_BCE: return losses(s, b, call, v);
    case F_SCE: return cross_entropy(s, call, v, given);
    case F_CAUSAL_MASK: return causal_mask(s, call, v[0]);
    case F_ONE_HOT: return one_hot(s, call, v[0], v[1]);
    case F_EMBEDDING: return sema_gather(s, "embedding", v[0], v[1], call->name_loc, call->loc);
    case F_LAYER_NORM: return layer_norm(s, call, v, given);
    case F_DIM: case F_SHAPE: return shape_of(s, b, call, v, given);
    case F_FULL: return full(s, b, call, v);
    }
    die("bad built-in");
}

Value sema_call_builtin(Sema *s, const Expr *call, const Value *args, bool *found) {
    if (sema_math_is(call->name)) {
        *found = true;
        return sema_math_call(s, call, args);
    }
    Builtin found_b;
    *found = find_builtin(call->name, &found_b);
    if (!*found) die("the call of '%s' was not checked (sema_callee_known)", call->name);
    const Builtin *b = &found_b;
    Value v[5];
    bool given[5];
    const char *what = arena_printf(s->a, "'%s'", b->name);
    if (!sema_bind_args(s, call, what, b->params, b->nparams, b->nrequired, args, v, given)) return sema_err();
    for (int j = 0; j < b->nparams; j++)
        if (given[j] && v[j].kind == V_ERR) return sema_err();
    Value r = call_builtin(s, b, call, v, given);
    for (int j = 0; j < b->nparams; j++)
        if (given[j]) r.defines |= v[j].defines;   /* e.g. reshape(x, [batch, -1]) */
    return r;
}

/* Whether name is a built-in function (for "did you mean" across kinds). */
bool sema_is_builtin(const char *name) {
    Builtin b;
    return find_builtin(name, &b) || sema_math_is(name) || strcmp(name, "select") == 0 ||
           strcmp(name, "concat") == 0 || strcmp(name, "stack") == 0;
}

/* select(cond, a, b): a compile-time choice.  Only the chosen argument is
 * evaluated, so `select(bias, x @ W + b, x @ W)` never touches b (and a
 * layer's param that is never used is never created). */
Value sema_select(Sema *s, const Expr *call) {
    if (call->args.n != 3 || call->args.items[0].key || call->args.items[1].key || call->args.items[2].key) {
        sema_error(s, call->name_loc, "select takes three positional arguments: select(cond, a, b)");
        return sema_err();
    }
    if (sema_is_training(s, call->args.items[0].value)) return sema_select_training(s, call);
    Value c = sema_eval_const(s, call->args.items[0].value, "the condition of select");
    if (c.kind == V_ERR) return c;
    if (c.kind != V_BOOL) {
        sema_error(s, c.loc, "the condition of select must be true or false, found %s", sema_type_str(s, c));
        return sema_err();
    }
    return sema_eval(s, call->args.items[c.num ? 1 : 2].value);
}
