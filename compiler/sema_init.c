/* sema_init.c: parameter initialisers and the optimizer statement.
 * Initialisers: zeros, ones, a number (every element), an array literal of
 * exactly the parameter's shape, uniform(lo, hi), normal(mean = 0, std = 1),
 * xavier (Glorot uniform) and he (Kaiming normal, fan-in), the last two with
 * fan_in/fan_out computed here from the shape.  Optimizers: sgd, adam and
 * adamw with PyTorch's defaults and argument checks.
 * Needs: sema_expr.c (constant evaluation), sema_builtin.c (argument binder).
 * Guarantees: a successful Init/Optimizer is complete and in range. */
#include "dmc.h"

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
        const char *near = diag_suggest(name, init_names, NINITS);
        if (near) sema_error(s, e->kind == EX_CALL ? e->name_loc : e->loc, "unknown initialiser '%s'; did you mean '%s'?", name, near);
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

/* ---- optimizers ------------------------------------------------------------------ */

enum { O_LR, O_MOMENTUM, O_DAMPENING, O_NESTEROV, O_WEIGHT_DECAY, O_BETA1, O_BETA2, O_EPS, O_N };

static const char *const sgd_args[] = {"lr", "momentum", "dampening", "weight_decay", "nesterov"};
static const int sgd_slots[] = {O_LR, O_MOMENTUM, O_DAMPENING, O_WEIGHT_DECAY, O_NESTEROV};
static const char *const adam_args[] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
static const int adam_slots[] = {O_LR, O_BETA1, O_BETA2, O_EPS, O_WEIGHT_DECAY};

void sema_optimizer(Sema *s, const Stmt *st, Optimizer *out) {
    static const char *const kinds[] = {"sgd", "adam", "adamw"};
    const Expr *e = st->value;
    memset(out, 0, sizeof *out);
    out->loc = st->loc;
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(kinds[i], e->name) == 0) k = i;
    if (k < 0) {
        const char *near = diag_suggest(e->name, kinds, 3);
        if (near) sema_error(s, e->name_loc, "unknown optimizer '%s'; did you mean '%s'?", e->name, near);
        else sema_error(s, e->name_loc, "unknown optimizer '%s' (expected sgd, adam or adamw)", e->name);
        return;
    }
    out->kind = k == 0 ? OPT_SGD : k == 1 ? OPT_ADAM : OPT_ADAMW;
    double val[O_N] = {0};
    val[O_LR] = 0.001;
    val[O_BETA1] = 0.9;
    val[O_BETA2] = 0.999;
    val[O_EPS] = 1e-8;
    val[O_WEIGHT_DECAY] = out->kind == OPT_ADAMW ? 0.01 : 0;
    const char *const *names = k == 0 ? sgd_args : adam_args;
    const int *slots = k == 0 ? sgd_slots : adam_slots;
    Value *args = arena_alloc(s->a, (size_t)(e->args.n + 1) * sizeof *args);
    for (int i = 0; i < e->args.n; i++) args[i] = sema_eval_const(s, e->args.items[i].value, "an optimizer argument");
    Value v[5];
    bool given[5];
    const char *what = arena_printf(s->a, "optimizer %s", e->name);
    /* the arguments that did bind are still checked: independent errors */
    bool ok = sema_bind_args(s, e, what, names, 5, k == 0 ? 1 : 0, args, v, given);
    for (int j = 0; j < 5; j++) {
        if (!given[j]) continue;
        if (v[j].kind == V_ERR) { ok = false; continue; }
        if (slots[j] == O_NESTEROV) {
            if (v[j].kind != V_BOOL) {
                sema_error(s, v[j].loc, "'nesterov' of sgd must be true or false, found %s", sema_type_str(s, v[j]));
                ok = false;
            }
            out->nesterov = v[j].num != 0;
            continue;
        }
        if (v[j].kind != V_NUM) {
            sema_error(s, v[j].loc, "'%s' of %s must be a number, found %s", names[j], e->name, sema_type_str(s, v[j]));
            ok = false;
            continue;
        }
        double x = v[j].num;
        bool beta = slots[j] == O_BETA1 || slots[j] == O_BETA2;
        if (x < 0 || (beta && x >= 1)) {
            sema_error(s, v[j].loc, "'%s' of %s must be %s, found %g", names[j], e->name,
                       beta ? "in [0, 1)" : "at least 0", x);
            ok = false;
            continue;
        }
        val[slots[j]] = x;
    }
    if (ok && out->nesterov && (val[O_MOMENTUM] <= 0 || val[O_DAMPENING] != 0)) {
        sema_error(s, e->name_loc, "nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch)");
        ok = false;
    }
    out->lr = val[O_LR];
    out->momentum = val[O_MOMENTUM];
    out->dampening = val[O_DAMPENING];
    out->weight_decay = val[O_WEIGHT_DECAY];
    out->beta1 = val[O_BETA1];
    out->beta2 = val[O_BETA2];
    out->eps = val[O_EPS];
    (void)ok;
}
