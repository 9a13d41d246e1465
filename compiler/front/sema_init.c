/* sema_init.c: parameter initialisers.  zeros, ones, a number (every
 * element), an array literal of exactly the parameter's shape,
 * uniform(lo, hi), normal(mean = 0, std = 1), xavier (Glorot uniform) and
 * he (Kaiming normal, fan-in), the last two with fan_in/fan_out computed
 * here from the shape.
 * Needs: sema_expr.c (constant evaluation), sema_builtin.c (argument binder).
 * Guarantees: a successful Init is complete and in range. */
#include "front/sema.h"

#include <string.h>

/* Fans as PyTorch computes them for its weight layouts, transposed for
 * Dense's [I, O]: rank 1 [D]: D, D; rank 2 [I, O]: I, O; rank >= 3
 * [F, C, K...] (a convolution): C * prod(K), F * prod(K). */
static void fans(Shape s, Init *out) {
    if (s.rank == 0) {
        out->fan_in = out->fan_out = 1;
    } else if (s.rank == 1) {
        out->fan_in = out->fan_out = s.dim[0];
    } else if (s.rank == 2) {
        out->fan_in = s.dim[0];
        out->fan_out = s.dim[1];
    } else {
        int64_t field = 1;
        for (int i = 2; i < s.rank; i++) field *= s.dim[i];
        out->fan_in = s.dim[1] * field;
        out->fan_out = s.dim[0] * field;
    }
}

static const char *const init_names[] = {"zeros", "ones", "uniform", "normal", "xavier", "he"};
enum { NINITS = sizeof init_names / sizeof init_names[0] };

static bool init_number(Sema *s, Value v, const char *what, double *out) {
    if (v.kind == V_ERR) return false;
    if (v.kind != V_NUM) {
        sema_error(s, v.loc, "%s must be a number, found %s", what, sema_type_str(s, v));
        return false;
    }
    *out = v.num;
    return true;
}

static bool init_call(Sema *s, const Expr *e, const char *name, Shape shape, Init *out) {
    int k = -1;
    for (int i = 0; i < NINITS; i++)
        if (strcmp(init_names[i], name) == 0) k = i;
    if (k < 0) {
        const char *near = diag_suggest(name, init_names, NINITS), *hint = sema_init_hint(name);
        if (hint) sema_error(s, e->kind == EX_CALL ? e->name_loc : e->loc, "unknown initialiser '%s': %s", name, hint);
        else if (near) sema_error(s, e->kind == EX_CALL ? e->name_loc : e->loc, "unknown initialiser '%s'; did you mean '%s'?", name, near);
        else sema_error(s, e->kind == EX_CALL ? e->name_loc : e->loc,
                        "unknown initialiser '%s' (expected zeros, ones, a literal, uniform(lo, hi), "
                        "normal(mean, std), xavier or he)", name);
        return false;
    }
    static const InitKind kinds[] = {INIT_ZEROS, INIT_ONES, INIT_UNIFORM, INIT_NORMAL, INIT_XAVIER, INIT_HE};
    out->kind = kinds[k];
    fans(shape, out);
    static const char *const uniform_args[] = {"lo", "hi"};
    static const char *const normal_args[] = {"mean", "std"};
    const char *const *names = out->kind == INIT_UNIFORM ? uniform_args : out->kind == INIT_NORMAL ? normal_args : NULL;
    int nnames = names ? 2 : 0;
    if (out->kind == INIT_UNIFORM && e->kind != EX_CALL) {
        sema_error(s, e->loc, "uniform needs its bounds: uniform(lo, hi)");
        return false;
    }
    out->a = 0;
    out->b = 1;
    if (e->kind != EX_CALL) return true;
    Value *args = arena_alloc(s->a, (size_t)(e->args.n + 1) * sizeof *args);
    for (int i = 0; i < e->args.n; i++) args[i] = sema_eval_const(s, e->args.items[i].value, "an initialiser's argument");
    Value v[2];
    bool given[2];
    const char *what = arena_printf(s->a, "initialiser '%s'", name);
    if (!sema_bind_args(s, e, what, names, nnames, out->kind == INIT_UNIFORM ? 2 : 0, args, v, given)) return false;
    for (int j = 0; j < nnames; j++) {
        if (!given[j]) continue;
        double x;
        if (!init_number(s, v[j], arena_printf(s->a, "'%s' of %s", names[j], name), &x)) return false;
        if (j == 0) out->a = x;
        else out->b = x;
    }
    if (out->kind == INIT_UNIFORM && out->a > out->b) {
        sema_error(s, e->loc, "uniform(lo, hi) needs lo <= hi, found uniform(%g, %g)", out->a, out->b);
        return false;
    }
    if (out->kind == INIT_NORMAL && out->b < 0) {
        sema_error(s, e->loc, "the std of normal must not be negative, found %g", out->b);
        return false;
    }
    return true;
}

bool sema_init(Sema *s, const Expr *e, DType t, Shape shape, Init *out) {
    memset(out, 0, sizeof *out);
    if (e->kind == EX_CALL) return init_call(s, e, e->name, shape, out);
    if (e->kind == EX_NAME) {
        bool named = !sema_lookup(s, e->name);
        for (int i = 0; i < NINITS; i++) named |= strcmp(init_names[i], e->name) == 0;
        if (named) return init_call(s, e, e->name, shape, out);
    }
    Value v = sema_eval_const(s, e, "an initialiser");
    if (v.kind == V_ERR) return false;
    if (v.kind == V_NUM) {
        out->kind = INIT_CONST;
        out->a = v.num;
        return true;
    }
    if (v.kind == V_LIST) {
        Shape have;
        const double *data;
        if (!sema_list_data(s, v, &have, &data)) {
            sema_error(s, e->loc, "an array initialiser must be a rectangular array of numbers");
            return false;
        }
        if (!shape_eq(have, shape)) {
            sema_error(s, e->loc, "the initialiser is %s but the param is %s", shape_str(s->a, t, have),
                       shape_str(s->a, t, shape));
            return false;
        }
        out->kind = INIT_LITERAL;
        out->data = data;
        return true;
    }
    sema_error(s, e->loc, "an initialiser is zeros, ones, a number, an array, uniform(lo, hi), normal(mean, std), "
               "xavier or he, found %s", sema_type_str(s, v));
    return false;
}
