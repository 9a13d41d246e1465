/* sema_standard.c: the checks of the standard layers' arguments that the
 * prelude's dm cannot state itself.
 *
 * Without them a wrong argument to a standard layer surfaces as an error
 * about the prelude's insides (Dense(x, 3, 8): "the condition of select must
 * be true or false"; MultiHeadAttention(x, 3) of a width 8: "a dimension of
 * reshape must be an integer, found 2.66666667") or, worse, is accepted: a
 * PyTorch user's BatchNorm2d(x, 16) (num_features written out) silently
 * trains with momentum 16, LayerNorm(x, 8) with eps 8.  Each check runs once
 * the instance's formals are bound, before the body, and reports at the
 * formal's name in the prelude's signature, which sema_error places at the
 * user's argument (or the call, for a default).  docs/language.md, "The
 * standard layers", lists the rules. */
#include "front/sema.h"

#include <string.h>

/* The bound value of formal `name`, and where its name is declared. */
static Value formal(Sema *s, const char *name, Loc *at) {
    const Decl *layer = s->frame->layer;
    for (int j = 0; j < layer->formals.n; j++)
        if (strcmp(layer->formals.items[j].name, name) == 0) *at = layer->formals.items[j].loc;
    Binding *b = sema_scope_find(s->frame->scope, name);
    return b ? b->v : sema_err();
}

/* Whether the call gave formal `name` by keyword (a positional number where
 * PyTorch's constructor takes a size is the likely slip otherwise). */
static bool by_keyword(Sema *s, const char *name) {
    const Expr *call = s->frame->call_expr;
    for (int i = 0; call && i < call->args.n; i++)
        if (call->args.items[i].key && strcmp(call->args.items[i].key, name) == 0) return true;
    return false;
}

static bool check_bool(Sema *s, const char *name) {
    Loc at = {0};
    Value v = formal(s, name, &at);
    if (v.kind == V_ERR || v.kind == V_BOOL) return true;
    const char *layer = s->frame->layer->name;
    const char *hint = "";
    if (strcmp(name, "bias") == 0 && strcmp(layer, "Dense") == 0 && v.kind == V_NUM && !by_keyword(s, name))
        hint = " (Dense takes its input width from x: PyTorch's Linear(in, out) is Dense(x, out))";
    sema_error_from(s, v.defines, at, "'%s' of %s must be true or false, found %s%s", name, layer,
                    sema_type_str(s, v), hint);
    return false;
}

/* A number in [lo, hi) (hi_open) or [lo, hi]; `why` ends the message. */
static bool check_range(Sema *s, const char *name, double lo, double hi, bool hi_open, const char *why) {
    Loc at = {0};
    Value v = formal(s, name, &at);
    if (v.kind == V_ERR) return true;
    const char *layer = s->frame->layer->name;
    if (v.kind == V_NUM && v.num >= lo && (hi_open ? v.num < hi : v.num <= hi)) return true;
    if (by_keyword(s, name) || v.kind != V_NUM) why = "";
    sema_error_from(s, v.defines, at, "'%s' of %s must be a number in [%g, %g%c, found %s%s", name, layer, lo, hi,
                    hi_open ? ')' : ']', sema_type_str(s, v), why);
    return false;
}

static bool check_heads(Sema *s) {
    Loc at = {0};
    Value heads = formal(s, "heads", &at);
    Binding *width = sema_scope_find(s->frame->scope, "D");
    if (heads.kind == V_ERR || !width || width->v.kind != V_NUM) return true;
    if (heads.kind != V_NUM || heads.num != (double)(int64_t)heads.num || heads.num < 1) {
        sema_error_from(s, heads.defines, at, "'heads' of MultiHeadAttention must be a positive integer, found %s",
                        sema_type_str(s, heads));
        return false;
    }
    int64_t d = (int64_t)width->v.num, h = (int64_t)heads.num;
    if (d % h == 0) return true;
    sema_error_from(s, heads.defines | width->v.defines, at,
                    "MultiHeadAttention splits the width D = %lld of x into heads of equal size: "
                    "%lld is not a multiple of heads = %lld", (long long)d, (long long)d, (long long)h);
    return false;
}

static const char *const eps_why =
    " (a variance floor such as 1e-5; the width comes from x: PyTorch's LayerNorm(D) is LayerNorm(x) here)";
bool sema_check_standard_layer(Sema *s) {
    const char *name = s->frame->layer->name;
    bool ok = true;
    if (strcmp(name, "Dense") == 0 || strcmp(name, "Conv2d") == 0) ok &= check_bool(s, "bias");
    if (strcmp(name, "MultiHeadAttention") == 0) ok &= check_heads(s) & check_bool(s, "causal");
    if (strcmp(name, "LayerNorm") == 0) ok &= check_range(s, "eps", 0, 1, true, eps_why);
    if (strcmp(name, "BatchNorm1d") == 0 || strcmp(name, "BatchNorm2d") == 0) {
        const char *why = arena_printf(s->a, " (the channel count comes from x: PyTorch's %s(C) is %s(x) here)",
                                       name, name);
        ok &= check_range(s, "momentum", 0, 1, false, why);
        ok &= check_range(s, "eps", 0, 1, true, " (a variance floor such as 1e-5)");
    }
    return ok;
}
