/* sema_math.c: the built-ins that sema lowers to a few IR ops each, and the
 * operators '**' and < <= > >= == !=.
 *
 *   gelu(x, approximate)  0.5 x (1 + erf(x / sqrt 2)), or with approximate =
 *                         true 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 *   silu(x)               x sigmoid(x)
 *   square(x), pow(x, p), x ** p   p a constant: 0 -> 1, 1 -> x, 2 -> x x,
 *                         0.5 -> sqrt(x), else the IR's pow
 *   minimum, maximum      the IR's ops (NumPy broadcasting)
 *   where(cond, a, b)     keep(cond, a) + keep(cond == 0, b): exact, and a NaN
 *                         or infinity of the branch not taken never leaks
 *   f32(x), i32(x)        casts
 *   min(x, axis, keepdims)          -max(-x): max's ties and NaNs, as torch.amin
 *   var(x, axis, keepdims, unbiased), std(...)   sum((x - mean)^2) / (n - 1)
 *                         (n with unbiased = false), std its square root
 *                         (with torch.std's gradient 0 where it is 0)
 *   a < b ...             f32 masks of 1 and 0 (constants: true or false)
 *
 * gelu is one op of either form (gelu, gelu_tanh), differentiated by
 * gelu_dx from x alone; each composite is differentiated through its parts
 * (autodiff.c), which gives PyTorch's gradients, ties and zeros included
 * (docs/decisions.md).
 * Needs: sema_expr.c (values), sema_builtin.c (argument binding, axes).
 * Guarantees: a returned tensor Value is a valid node of the forward graph;
 * a call on plain numbers folds to a number (a comparison to a bool). */
#include "front/sema.h"

#include <math.h>
#include <string.h>

typedef enum { M_GELU, M_SILU, M_SQUARE, M_POW, M_MINIMUM, M_MAXIMUM, M_WHERE, M_F32, M_I32, M_MIN, M_VAR, M_STD } MathKind;

typedef struct MathFn {
    const char *name;
    MathKind kind;
    int nrequired;
    const char *params[4];
    int nparams;
} MathFn;

static const MathFn fns[] = {
    {"gelu", M_GELU, 1, {"x", "approximate"}, 2},
    {"silu", M_SILU, 1, {"x"}, 1},
    {"square", M_SQUARE, 1, {"x"}, 1},
    {"pow", M_POW, 2, {"x", "p"}, 2},
    {"minimum", M_MINIMUM, 2, {"a", "b"}, 2},
    {"maximum", M_MAXIMUM, 2, {"a", "b"}, 2},
    {"where", M_WHERE, 3, {"cond", "a", "b"}, 3},
    {"f32", M_F32, 1, {"x"}, 1},
    {"i32", M_I32, 1, {"x"}, 1},
    {"min", M_MIN, 1, {"x", "axis", "keepdims"}, 3},
    {"var", M_VAR, 1, {"x", "axis", "keepdims", "unbiased"}, 4},
    {"std", M_STD, 1, {"x", "axis", "keepdims", "unbiased"}, 4},
};
enum { NFNS = sizeof fns / sizeof fns[0] };

static const MathFn *find(const char *name) {
    for (int i = 0; i < NFNS; i++)
        if (strcmp(fns[i].name, name) == 0) return &fns[i];
    return NULL;
}

bool sema_math_is(const char *name) { return find(name) != NULL; }

int sema_math_names(const char **names) {
    for (int i = 0; i < NFNS; i++) names[i] = fns[i].name;
    return NFNS;
}

/* ---- small builders ------------------------------------------------------------ */

typedef struct Build { Sema *s; Graph *g; Loc at; } Build;

static int at(Build *b, int node) { return sema_at(b->s, node, b->at); }
static int un(Build *b, Op op, int x) { return at(b, graph_unary(b->s->a, b->g, op, x)); }
static int bin(Build *b, Op op, int x, int y) { return at(b, graph_binary(b->s->a, b->g, op, x, y)); }
static int num(Build *b, double v) { return at(b, graph_scalar(b->s->a, b->g, v)); }

static Value result(Build *b, int node, Loc loc, uint32_t defines) {
    Value v = sema_tensor(b->s, node, loc);
    v.defines = defines;
    return v;
}

static Value folded(Sema *s, double r, bool is_int, Loc loc, Value from, const char *fn) {
    if (isnan(r) || (isinf(r) && !isinf(from.num))) {
        sema_error_from(s, from.defines, from.loc, "%s of %g is not a %s number", fn, from.num,
                        isnan(r) ? "real" : "finite");
        return sema_err();
    }
    Value n = sema_number(r, is_int && r == floor(r), loc);
    n.defines = from.defines;
    return n;
}

static bool want_f32(Sema *s, const char *fn, const char *arg, Value v) {
    if (v.kind == V_ERR) return false;
    if (v.kind == V_TENSOR && v.dtype == DT_F32) return true;
    sema_error(s, v.loc, "%s expects an f32 tensor for '%s', found %s%s", fn, arg, sema_type_str(s, v),
               v.kind == V_TENSOR ? "; convert it with f32(...)" : "");
    return false;
}

/* ---- '**' and pow --------------------------------------------------------------- */

Value sema_pow(Sema *s, Value x, Value p, Loc loc, const char *what) {
    if (x.kind == V_ERR || p.kind == V_ERR) return sema_err();
    if (p.kind != V_NUM) {
        sema_error(s, p.loc, "the exponent of %s must be a constant number, found %s (dm differentiates x ** p "
                   "for a fixed p only)", what, sema_type_str(s, p));
        return sema_err();
    }
    if (x.kind == V_NUM) {
        double r = pow(x.num, p.num);
        if (isnan(r) || (isinf(r) && !isinf(x.num))) {
            sema_error_from(s, x.defines | p.defines, loc, x.num < 0 ? "(%g) ** %g is not a %s number"
                            : "%g ** %g is not a %s number", x.num, p.num, isnan(r) ? "real" : "finite");
            return sema_err();
        }
        Value v = sema_number(r, x.is_int && p.is_int && p.num >= 0 && r == floor(r), loc);
        v.defines = x.defines | p.defines;
        return v;
    }
    if (s->const_why) return sema_err();   /* a list: reported by the caller */
    if (!want_f32(s, what, "x", x)) return sema_err();
    Build b = {s, &s->m->forward, loc};
    int r;
    if (p.num == 0) r = at(&b, graph_const(s->a, b.g, 1, DT_F32, x.shape));   /* 1 even at NaN, as torch */
    else if (p.num == 1) return x;
    else if (p.num == 2) r = bin(&b, OP_MUL, x.node, x.node);
    else if (p.num == 0.5) r = un(&b, OP_SQRT, x.node);
    else r = bin(&b, OP_POW, x.node, num(&b, p.num));
    return result(&b, r, loc, x.defines | p.defines);
}

/* ---- comparisons ----------------------------------------------------------------- */

static bool is_comparison(char op) {
    return op == '<' || op == '>' || op == AST_LE || op == AST_GE || op == AST_EQ || op == AST_NE;
}

bool sema_is_comparison(char op) { return is_comparison(op); }

static bool compare_numbers(char op, double x, double y) {
    switch (op) {
    case '<': return x < y;
    case '>': return x > y;
    case AST_LE: return x <= y;
    case AST_GE: return x >= y;
    case AST_EQ: return x == y;
    }
    return x != y;
}

Value sema_compare(Sema *s, const Expr *e, Value x, Value y) {
    const char *word = ast_binop_text(e->binop);
    if (x.kind == V_ERR || y.kind == V_ERR) return sema_err();
    bool same_kind_consts = (x.kind == V_NUM && y.kind == V_NUM) ||
                            (x.kind == V_BOOL && y.kind == V_BOOL && (e->binop == AST_EQ || e->binop == AST_NE));
    if (same_kind_consts) {
        Value v = {.kind = V_BOOL, .num = compare_numbers(e->binop, x.num, y.num), .loc = e->loc};
        v.defines = x.defines | y.defines;
        return v;
    }
    if (x.kind == V_BOOL || y.kind == V_BOOL) {
        sema_error(s, e->loc, "'%s' compares numbers or tensors, found %s %s %s", word, sema_type_str(s, x), word,
                   sema_type_str(s, y));
        return sema_err();
    }
    if (s->const_why) return sema_err();
    DType t = x.kind == V_TENSOR ? x.dtype : y.dtype;
    x = sema_as_tensor(s, x, t);
    y = sema_as_tensor(s, y, t);
    if (x.kind == V_ERR || y.kind == V_ERR) return sema_err();
    if (x.dtype != y.dtype) {
        sema_error(s, e->loc, "cannot compare i32 and f32 tensors: %s %s %s (convert one with f32(...) or i32(...))",
                   sema_type_str(s, x), word, sema_type_str(s, y));
        return sema_err();
    }
    Shape out;
    if (!shape_broadcast(x.shape, y.shape, &out)) {
        sema_error_from(s, x.defines | y.defines, e->loc, "shapes do not broadcast: %s %s %s", sema_type_str(s, x),
                        word, sema_type_str(s, y));
        return sema_err();
    }
    Build b = {s, &s->m->forward, e->loc};
    int a = x.node, c = y.node, r;
    switch (e->binop) {
    case '<': r = bin(&b, OP_GT, c, a); break;
    case '>': r = bin(&b, OP_GT, a, c); break;
    case AST_LE: r = bin(&b, OP_GE, c, a); break;
    case AST_GE: r = bin(&b, OP_GE, a, c); break;
    case AST_EQ: r = bin(&b, OP_EQ, a, c); break;
    default: r = bin(&b, OP_NE, a, c); break;
    }
    if (t == DT_I32) r = at(&b, graph_cast(s->a, b.g, r, DT_F32));   /* masks are f32 */
    return result(&b, r, e->loc, x.defines | y.defines);
}

/* clip(x, lo, hi) (an ops.def built-in): at least one bound, lo <= hi. */
bool sema_clip_bounds(Sema *s, const Expr *call, const bool *given, const Attr *at) {
    if (!given[1] && !given[2]) {
        sema_error(s, call->name_loc, "clip needs a bound: clip(x, lo), clip(x, hi = h) or clip(x, lo, hi)");
        return false;
    }
    if (at->value > at->value2) {
        sema_error(s, call->name_loc, "clip's bounds are reversed: lo = %g is above hi = %g", at->value, at->value2);
        return false;
    }
    return true;
}

/* ---- the functions ----------------------------------------------------------------- */

static Value activation(Sema *s, const MathFn *f, const Expr *call, Value x, Value approx, bool given) {
    bool tanh_form = false;
    if (given) {
        if (approx.kind != V_BOOL) {
            sema_error(s, approx.loc, "'approximate' of gelu must be true (the tanh approximation) or false, found %s",
                       sema_type_str(s, approx));
            return sema_err();
        }
        tanh_form = approx.num != 0;
    }
    const double k = 0.7978845608028654, kappa = 0.044715;   /* sqrt(2 / pi), as PyTorch */
    if (x.kind == V_NUM) {
        double v = x.num, r = f->kind == M_SQUARE ? v * v
                            : f->kind == M_SILU ? v / (1 + exp(-v))
                            : tanh_form ? 0.5 * v * (1 + tanh(k * (v + kappa * v * v * v)))
                                        : 0.5 * v * (1 + erf(v * M_SQRT1_2));
        return folded(s, r, x.is_int && f->kind == M_SQUARE, call->loc, x, f->name);
    }
    if (s->const_why && x.kind != V_ERR) {
        sema_error(s, x.loc, "%s must be a constant number, found %s", s->const_why, sema_type_str(s, x));
        return sema_err();
    }
    if (f->kind == M_SQUARE && x.kind == V_TENSOR && x.dtype == DT_I32) {
        Build b = {s, &s->m->forward, call->name_loc};
        return result(&b, bin(&b, OP_MUL, x.node, x.node), call->loc, x.defines);
    }
    if (!want_f32(s, f->name, "x", x)) return sema_err();
    Build b = {s, &s->m->forward, call->name_loc};
    int r;
    if (f->kind == M_SQUARE) {
        r = bin(&b, OP_MUL, x.node, x.node);
    } else if (f->kind == M_SILU) {
        r = bin(&b, OP_MUL, x.node, un(&b, OP_SIGMOID, x.node));
    } else {   /* gelu: one op, whose backward reads only x (ops.def) */
        r = un(&b, tanh_form ? OP_GELU_TANH : OP_GELU, x.node);
    }
    return result(&b, r, call->loc, x.defines);
}

static Value extremum(Sema *s, const MathFn *f, const Expr *call, Value x, Value y) {
    Op op = f->kind == M_MINIMUM ? OP_MINIMUM : OP_MAXIMUM;
    if (x.kind == V_NUM && y.kind == V_NUM) {
        Value v = sema_number(op_scalar_binary(op, DT_F32, x.num, y.num), x.is_int && y.is_int, call->loc);
        v.defines = x.defines | y.defines;
        return v;
    }
    bool tx = x.kind == V_TENSOR || x.kind == V_NUM || x.kind == V_LIST;
    bool ty = y.kind == V_TENSOR || y.kind == V_NUM || y.kind == V_LIST;
    if (!tx || !ty) {
        Value bad = tx ? y : x;
        sema_error(s, bad.loc, "%s expects tensors or numbers, found %s", f->name, sema_type_str(s, bad));
        return sema_err();
    }
    DType t = x.kind == V_TENSOR ? x.dtype : y.dtype;
    x = sema_as_tensor(s, x, t);
    y = sema_as_tensor(s, y, t);
    if (x.kind == V_ERR || y.kind == V_ERR) return sema_err();
    if (x.dtype != y.dtype) {
        sema_error(s, call->name_loc, "%s cannot mix i32 and f32 tensors: %s and %s (convert one with f32(...))",
                   f->name, sema_type_str(s, x), sema_type_str(s, y));
        return sema_err();
    }
    Shape out;
    if (!shape_broadcast(x.shape, y.shape, &out)) {
        sema_error_from(s, x.defines | y.defines, call->name_loc, "the arguments of %s do not broadcast: %s and %s",
                        f->name, sema_type_str(s, x), sema_type_str(s, y));
        return sema_err();
    }
    Build b = {s, &s->m->forward, call->name_loc};
    return result(&b, bin(&b, op, x.node, y.node), call->loc, x.defines | y.defines);
}

static Value where(Sema *s, const Expr *call, Value c, Value x, Value y) {
    if (c.kind == V_BOOL) return c.num ? x : y;   /* a constant condition picks, like select */
    if (c.kind != V_TENSOR) {
        sema_error(s, c.loc, "the condition of where must be a tensor (a mask such as x > 0) or true or false, found %s",
                   sema_type_str(s, c));
        return sema_err();
    }
    if (x.kind == V_NUM || x.kind == V_LIST) x = sema_as_tensor(s, x, DT_F32);
    if (y.kind == V_NUM || y.kind == V_LIST) y = sema_as_tensor(s, y, DT_F32);
    bool okx = want_f32(s, "where", "a", x), oky = want_f32(s, "where", "b", y);
    if (!okx || !oky) return sema_err();
    Shape cx, all;
    if (!shape_broadcast(c.shape, x.shape, &cx) || !shape_broadcast(cx, y.shape, &all)) {
        sema_error_from(s, c.defines | x.defines | y.defines, call->name_loc,
                        "the arguments of where do not broadcast: %s, %s and %s", sema_type_str(s, c),
                        sema_type_str(s, x), sema_type_str(s, y));
        return sema_err();
    }
    Build b = {s, &s->m->forward, call->name_loc};
    int cond = c.dtype == DT_F32 ? c.node : at(&b, graph_cast(s->a, b.g, c.node, DT_F32));
    int not_cond = bin(&b, OP_EQ, cond, num(&b, 0));
    int r = bin(&b, OP_ADD, bin(&b, OP_KEEP, cond, x.node), bin(&b, OP_KEEP, not_cond, y.node));
    return result(&b, r, call->loc, c.defines | x.defines | y.defines);
}

static Value cast(Sema *s, const MathFn *f, const Expr *call, Value x) {
    DType t = f->kind == M_F32 ? DT_F32 : DT_I32;
    if (x.kind == V_NUM) {
        if (t == DT_F32) return folded(s, x.num, false, call->loc, x, f->name);
        if (!(fabs(x.num) < 2147483648.0)) {
            sema_error_from(s, x.defines, x.loc, "i32 of %g is out of the range of i32", x.num);
            return sema_err();
        }
        return folded(s, trunc(x.num), true, call->loc, x, f->name);
    }
    if (x.kind == V_ERR) return x;
    if (x.kind != V_TENSOR) {
        sema_error(s, x.loc, "%s converts a tensor or a number, found %s", f->name, sema_type_str(s, x));
        return sema_err();
    }
    if (s->const_why) return sema_err();
    if (x.dtype == t) return x;
    Build b = {s, &s->m->forward, call->name_loc};
    return result(&b, at(&b, graph_cast(s->a, b.g, x.node, t)), call->loc, x.defines);
}

/* min, var, std over the axes that sema_reduce_axes reads (all by default). */
static Value reduction(Sema *s, const MathFn *f, const Expr *call, Value *v, bool *given) {
    Value x = v[0];
    if (!want_f32(s, f->name, "x", x)) return sema_err();
    uint32_t axes;
    bool keep, unbiased = true;
    if (!sema_reduce_axes(s, f->name, x, v[1], given[1], v[2], given[2], &axes, &keep)) return sema_err();
    if (f->kind != M_MIN && given[3]) {
        if (v[3].kind != V_BOOL) {
            sema_error(s, v[3].loc, "'unbiased' of %s must be true or false, found %s", f->name, sema_type_str(s, v[3]));
            return sema_err();
        }
        unbiased = v[3].num != 0;
    }
    Build b = {s, &s->m->forward, call->name_loc};
    Graph *g = b.g;
    int r;
    if (f->kind == M_MIN) {
        if (!axes) return x;
        r = un(&b, OP_NEG, at(&b, graph_reduce(s->a, g, OP_MAX, un(&b, OP_NEG, x.node), axes, keep)));
    } else {
        int64_t n = 1;
        for (int i = 0; i < x.shape.rank; i++)
            if (axes & (1u << i)) n *= x.shape.dim[i];
        int mean = axes ? at(&b, graph_reduce(s->a, g, OP_MEAN, x.node, axes, true)) : x.node;
        int d = bin(&b, OP_SUB, x.node, mean);
        int sq = bin(&b, OP_MUL, d, d);
        int ss = axes ? at(&b, graph_reduce(s->a, g, OP_SUM, sq, axes, keep)) : sq;
        /* n = 1 with unbiased: 0 / 0, NaN, as torch.var */
        r = bin(&b, OP_DIV, ss, num(&b, (double)(n - unbiased)));
        /* std = sqrt(keep(var != 0, var)): the same value, and where var is 0
         * keep drops sqrt's infinite derivative, so the gradient is 0 there,
         * as torch.std's (not 0 * inf) */
        if (f->kind == M_STD) r = un(&b, OP_SQRT, bin(&b, OP_KEEP, bin(&b, OP_NE, r, num(&b, 0)), r));
    }
    return result(&b, r, call->loc, x.defines);
}

Value sema_math_call(Sema *s, const Expr *call, const Value *args) {
    const MathFn *f = find(call->name);
    if (!f) die("sema_math_call: '%s' is not one of sema_math's built-ins", call->name);
    Value v[4] = {{0}};
    bool given[4] = {0};   /* the parameters past nparams stay absent */
    const char *what = arena_printf(s->a, "'%s'", f->name);
    if (!sema_bind_args(s, call, what, f->params, f->nparams, f->nrequired, args, v, given)) return sema_err();
    for (int j = 0; j < f->nparams; j++)
        if (given[j] && v[j].kind == V_ERR) return sema_err();
    bool on_numbers = f->kind != M_WHERE && f->kind != M_MIN && f->kind != M_VAR && f->kind != M_STD;
    if (s->const_why && !on_numbers) {
        sema_error(s, call->name_loc, "%s must be a constant expression, but %s works on tensors", s->const_why,
                   f->name);
        return sema_err();
    }
    switch (f->kind) {
    case M_GELU: case M_SILU: case M_SQUARE: return activation(s, f, call, v[0], v[1], given[1]);
    case M_POW: return sema_pow(s, v[0], v[1], call->loc, "pow");
    case M_MINIMUM: case M_MAXIMUM: return extremum(s, f, call, v[0], v[1]);
    case M_WHERE: return where(s, call, v[0], v[1], v[2]);
    case M_F32: case M_I32: return cast(s, f, call, v[0]);
    case M_MIN: case M_VAR: case M_STD: return reduction(s, f, call, v, given);
    }
    die("sema_math_call: bad kind");
}
