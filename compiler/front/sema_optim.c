/* sema_optim.c: the optimizer statement.  sgd, adam and adamw with
 * PyTorch's defaults (torch.optim), arguments by keyword or in table order,
 * and PyTorch's argument checks (non-negative values, betas below 1,
 * nesterov only with momentum and without dampening).
 * Needs: sema_expr.c (constant evaluation), sema_builtin.c (argument binder).
 * Guarantees: the Optimizer record is complete (defaults filled in). */
#include "front/sema.h"

#include <string.h>
#include <strings.h>

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
        for (int i = 0; i < 3; i++)
            if (strcasecmp(kinds[i], e->name) == 0) near = kinds[i];   /* `SGD`, `Adam`: lower case in dm */
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
            sema_error_from(s, v[j].defines, v[j].loc, "'%s' of %s must be %s, found %g", names[j], e->name,
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
}
