/* sema_layer.c: user-defined layers.  A layer call is expanded inline: its
 * arguments are bound to the formals (positional, keyword, defaults), shape
 * patterns like `x : f32[N, I]` bind or check dimension names, and the body
 * is evaluated in a fresh scope (the top-level consts, the formals, the
 * pattern names) as a new instance whose parameters are named as docs/language.md
 * "Parameter names" says: the binding's name when the call is the whole
 * right-hand side, else <layer in lower case>_<k>, nested with dots.
 * Before any model is built, sema_check_layers rejects malformed layers and
 * recursion (a cycle of calls, reported once with its path).
 * Needs: sema.c, sema_expr.c.  Guarantees: expansion terminates. */
#include "front/sema.h"

#include <ctype.h>
#include <string.h>

static int layer_index(const Sema *s, const char *name) {
    for (int i = 0; i < s->nlayers; i++)
        if (strcmp(s->layers[i]->name, name) == 0) return i;
    return -1;
}

/* ---- the static checks ------------------------------------------------------ */

typedef struct CallSite { int layer; const Expr *call; } CallSite;
typedef struct CallList { CallSite *items; int n, cap; } CallList;

static void calls_in(Sema *s, const Expr *e, CallList *out) {
    if (!e) return;
    switch (e->kind) {
    case EX_ARRAY:
        for (int i = 0; i < e->items.n; i++) calls_in(s, e->items.items[i], out);
        break;
    case EX_NEG: calls_in(s, e->lhs, out); break;
    case EX_INDEX: case EX_SLICE:   /* a slice's bounds may be left out (NULL) */
        calls_in(s, e->lhs, out);
        for (int i = 0; i < e->items.n; i++) calls_in(s, e->items.items[i], out);
        break;
    case EX_BINARY:
        calls_in(s, e->lhs, out);
        calls_in(s, e->rhs, out);
        break;
    case EX_CALL: {
        for (int i = 0; i < e->args.n; i++) calls_in(s, e->args.items[i].value, out);
        int k = layer_index(s, e->name);
        if (k >= 0) {
            CallSite c = {k, e};
            VEC_PUSH(s->a, out->items, out->n, out->cap, c);
        }
        break;
    }
    case EX_NUMBER: case EX_BOOL: case EX_NAME: case EX_ELLIPSIS: break;
    }
}

static void type_calls(Sema *s, const TypeExpr *t, CallList *out) {
    if (!t) return;
    for (int i = 0; i < t->dims.n; i++) calls_in(s, t->dims.items[i], out);
}

static void body_calls(Sema *s, const StmtList *body, CallList *out) {
    for (int i = 0; i < body->n; i++) {
        type_calls(s, body->items[i]->type, out);
        calls_in(s, body->items[i]->value, out);
        body_calls(s, &body->items[i]->body, out);   /* a loop's statements */
    }
}

static CallList layer_calls(Sema *s, const Decl *d) {
    CallList out = {0};
    for (int i = 0; i < d->formals.n; i++) {
        type_calls(s, d->formals.items[i].type, &out);
        calls_in(s, d->formals.items[i].def, &out);
    }
    body_calls(s, &d->body, &out);
    return out;
}

/* Depth-first search for cycles; state 0 new, 1 on the path, 2 done.
 * stack[0..depth] are the layers on the current path. */
static void find_cycles(Sema *s, int *stack, int depth, int *state, CallList *calls) {
    int k = stack[depth];
    state[k] = 1;
    for (int i = 0; i < calls[k].n; i++) {
        CallSite c = calls[k].items[i];
        if (state[c.layer] == 1) {
            int start = depth;
            while (stack[start] != c.layer) start--;
            const char *cycle = s->layers[c.layer]->name;
            for (int j = start + 1; j <= depth; j++) cycle = arena_printf(s->a, "%s -> %s", cycle, s->layers[stack[j]]->name);
            cycle = arena_printf(s->a, "%s -> %s", cycle, s->layers[c.layer]->name);
            diag_error(s->d, c.call->name_loc, "layers cannot be recursive: %s", cycle);
            for (int j = start; j <= depth; j++) s->layer_bad[stack[j]] = true;
        } else if (state[c.layer] == 0) {
            stack[depth + 1] = c.layer;
            find_cycles(s, stack, depth + 1, state, calls);
        }
    }
    state[k] = 2;
}

static bool is_upper(const char *name) { return name[0] >= 'A' && name[0] <= 'Z'; }

/* The statements of the layer's loops (at any depth), checked once here
 * rather than at every call. */
static bool loops_ok(Sema *s, const StmtList *body) {
    bool ok = true;
    for (int i = 0; i < body->n; i++) {
        if (body->items[i]->kind != ST_FOR) continue;
        const StmtList *inner = &body->items[i]->body;
        for (int j = 0; j < inner->n; j++) ok &= sema_allowed_in_loop(s, inner->items[j]);
        ok &= loops_ok(s, inner);
    }
    return ok;
}

static void check_layer_body(Sema *s, int k) {
    const Decl *d = s->layers[k];
    if (!is_upper(d->name)) {
        char *upper = arena_strdup(s->a, d->name);
        upper[0] = (char)toupper((unsigned char)upper[0]);
        diag_error(s->d, d->loc, "a layer's name starts with an upper-case letter (a lower-case call is a "
                   "function): rename '%s' to '%s'", d->name, upper);
        s->layer_bad[k] = true;
    }
    const Stmt *ret = NULL;
    for (int i = 0; i < d->body.n; i++) {
        const Stmt *st = d->body.items[i];
        const char *word = NULL;
        switch (st->kind) {
        case ST_INPUT: word = "input"; break;
        case ST_OUTPUT: word = "output"; break;
        case ST_LOSS: word = "loss"; break;
        case ST_OPTIMIZER: word = "optimizer"; break;
        case ST_RETURN:
            if (ret) {
                diag_error(s->d, st->loc, "layer %s returns twice", d->name);
                diag_note(s->d, ret->loc, "the first return is here");
                s->layer_bad[k] = true;
            }
            ret = st;
            break;
        case ST_CONST: case ST_PARAM: case ST_BIND: case ST_FOR: case ST_BUFFER: case ST_UPDATE: break;
        }
        if (word) {
            diag_error(s->d, st->loc, "'%s' belongs in a model, not in layer %s", word, d->name);
            s->layer_bad[k] = true;
        }
    }
    if (!ret) {
        diag_error(s->d, d->loc, "layer %s has no 'return'", d->name);
        s->layer_bad[k] = true;
    }
    if (!loops_ok(s, &d->body)) s->layer_bad[k] = true;
}

void sema_check_layers(Sema *s) {
    for (int i = 0; i < s->prog->n; i++)
        if (s->prog->items[i]->kind == DECL_LAYER) s->nlayers++;
    s->layers = arena_alloc(s->a, (size_t)(s->nlayers + 1) * sizeof *s->layers);
    s->layer_bad = arena_alloc(s->a, (size_t)(s->nlayers + 1));
    int n = 0;
    for (int i = 0; i < s->prog->n; i++)
        if (s->prog->items[i]->kind == DECL_LAYER) s->layers[n++] = s->prog->items[i];
    CallList *calls = arena_alloc(s->a, (size_t)(n + 1) * sizeof *calls);
    int *state = arena_alloc(s->a, (size_t)(n + 1) * sizeof *state);
    int *stack = arena_alloc(s->a, (size_t)(n + 1) * sizeof *stack);
    for (int k = 0; k < n; k++) {
        check_layer_body(s, k);
        calls[k] = layer_calls(s, s->layers[k]);
    }
    for (int k = 0; k < n; k++)
        if (state[k] == 0) {
            stack[0] = k;
            find_cycles(s, stack, 0, state, calls);
        }
}

/* ---- shape patterns ------------------------------------------------------------ */

/* A dimension expression as written, for messages: N, 2 * C. */
static const char *expr_text(Sema *s, const Expr *e) {
    switch (e->kind) {
    case EX_NAME: return e->name;
    case EX_NUMBER: return arena_printf(s->a, "%g", e->num);
    case EX_NEG: return arena_printf(s->a, "-%s", expr_text(s, e->lhs));
    case EX_BINARY:
        return arena_printf(s->a, "%s %s %s", expr_text(s, e->lhs), ast_binop_text(e->binop), expr_text(s, e->rhs));
    case EX_BOOL: case EX_ARRAY: case EX_CALL: case EX_INDEX: case EX_SLICE: case EX_ELLIPSIS: return "...";
    }
    return "...";
}

/* Matches the argument v against the formal's pattern `f32[N, I]`: a name
 * not yet bound in the instance binds the dimension; a bound name or any
 * other expression must equal it. */
static bool match_pattern(Sema *s, const Decl *layer, const Formal *f, Value v, Loc at) {
    const TypeExpr *t = f->type;
    const char *pattern = "";
    for (int i = 0; i < t->dims.n; i++)
        pattern = arena_printf(s->a, "%s%s%s", pattern, i ? ", " : "", expr_text(s, t->dims.items[i]));
    pattern = arena_printf(s->a, "%s%s%s%s", t->dtype == DT_I32 ? "i32" : "f32", t->dims.n ? "[" : "", pattern,
                           t->dims.n ? "]" : "");
    if (v.kind != V_TENSOR) {
        sema_error_begin(s, at, "argument '%s' of %s must be a tensor %s, found %s", f->name, layer->name, pattern,
                         sema_type_str(s, v));
        diag_note(s->d, t->loc, "the pattern is declared here");
        sema_error_end(s);
        return false;
    }
    /* f32[..., I]: any leading dimensions (none included), then the rest */
    bool leading = t->dims.n > 0 && t->dims.items[0]->kind == EX_ELLIPSIS;
    int fixed = t->dims.n - leading;
    int lead = v.kind == V_TENSOR ? v.shape.rank - fixed : 0;
    if (v.dtype != t->dtype || (leading ? lead < 0 : v.shape.rank != t->dims.n)) {
        sema_error_begin(s, at, "argument '%s' of %s must match %s, found %s", f->name, layer->name, pattern,
                         sema_type_str(s, v));
        diag_note(s->d, t->loc, "the pattern is declared here");
        sema_error_end(s);
        return false;
    }
    for (int i = leading; i < t->dims.n; i++) {
        const Expr *d = t->dims.items[i];
        int64_t have = v.shape.dim[lead + i - leading];
        if (d->kind == EX_NAME && strcmp(d->name, "_") == 0) continue;   /* any size */
        Binding *b = d->kind == EX_NAME ? sema_lookup(s, d->name) : NULL;
        bool local = false;
        for (int j = 0; b && j < s->frame->scope->n; j++) local |= &s->frame->scope->items[j] == b;
        if (d->kind == EX_NAME && !local) {
            Value dim = sema_number((double)have, true, d->loc);
            dim.defines = v.defines;
            Binding *nb = sema_bind(s, s->frame->scope, d->name, d->loc, BK_DIM, dim);
            if (nb) nb->origin = arena_printf(s->a, "argument '%s' (%s)", f->name, sema_type_str(s, v));
            continue;
        }
        Value want = sema_eval_const(s, d, "a dimension of a pattern");
        if (want.kind == V_ERR) return false;
        if (want.kind != V_NUM || want.num != (double)have) {
            const char *name = expr_text(s, d);
            uint32_t defines = v.defines | want.defines;
            sema_error_begin(s, at, "argument '%s' of %s is %s, but dimension %s is %lld here (pattern %s)", f->name,
                             layer->name, sema_type_str(s, v), name, (long long)have, pattern);
            if (b && b->origin) diag_note(s->d, b->loc, "%s = %g was bound here by %s", name, b->v.num, b->origin);
            else if (b && b->v.kind == V_NUM) diag_note(s->d, b->loc, "%s = %g was bound here", name, b->v.num);
            else if (b) diag_note(s->d, b->loc, "%s is defined here", name);
            else if (want.kind == V_NUM) diag_note(s->d, d->loc, "here %s = %g", name, want.num);
            else diag_note(s->d, d->loc, "here %s is %s", name, sema_type_str(s, want));
            sema_note_defines(s, defines);
            sema_error_end(s);
            return false;
        }
    }
    return true;
}

/* ---- expansion ------------------------------------------------------------------ */

static const char *instance_name(Sema *s, const Expr *call, const Decl *layer) {
    Frame *f = s->frame;
    if (f->rhs_expr == call) return arena_printf(s->a, "%s%s", f->rhs_name, sema_loop_suffix(s));
    char *lower = arena_strdup(s->a, layer->name);
    for (char *p = lower; *p; p++) *p = (char)tolower((unsigned char)*p);
    for (int i = 0; i < f->ncounts; i++)
        if (f->counts[i].layer == layer->name) return arena_printf(s->a, "%s_%d", lower, f->counts[i].k++);
    LayerCount c = {layer->name, 1};
    VEC_PUSH(s->a, f->counts, f->ncounts, f->capcounts, c);
    return arena_printf(s->a, "%s_0", lower);
}

static void layer_param(Sema *s, const Stmt *st) {
    Shape shape;
    Init init = {0};
    bool ok = sema_param_decl(s, st, &shape, &init);
    uint32_t defines = s->dims_defines;
    Binding *b = sema_bind(s, s->frame->scope, st->name, st->name_loc, BK_PARAM, sema_err());
    if (!b) return;
    b->defines = defines;
    if (!ok) { b->loaded = true; return; }
    Tensor t = {.name = arena_printf(s->a, "%s%s%s", s->frame->prefix, st->name, sema_loop_suffix(s)),
                .kind = TK_PARAM, .dtype = DT_F32, .shape = shape, .init = init, .loc = s->frame->call};
    /* the outermost call in the user's code is the useful place */
    for (Frame *f = s->frame; f && f->layer; f = f->parent) t.loc = f->call;
    b->pending = t;
}

/* One statement of a layer's body (or of a loop in it: sema_loop.c);
 * `return` sets *result. */
static void layer_stmt(Sema *s, const Stmt *st, void *result) {
    s->frame->rhs_expr = NULL;
    switch (st->kind) {
    case ST_CONST: sema_const_stmt(s, s->frame->scope, st->name, st->name_loc, st->value); break;
    case ST_PARAM: layer_param(s, st); break;
    case ST_BIND:
        s->frame->rhs_expr = st->value;
        s->frame->rhs_name = st->name;
        sema_bind_value(s, st->name, st->name_loc, sema_eval(s, st->value));
        break;
    case ST_RETURN: *(Value *)result = sema_eval(s, st->value); break;
    case ST_FOR: sema_for(s, st, layer_stmt, result); break;
    case ST_BUFFER: sema_buffer_stmt(s, st); break;
    case ST_UPDATE: sema_update_stmt(s, st); break;
    case ST_INPUT: case ST_OUTPUT: case ST_LOSS: case ST_OPTIMIZER: break;   /* rejected by sema_check_layers */
    }
}

Value sema_call_layer(Sema *s, const Expr *call, const Value *args) {
    int k = layer_index(s, call->name);
    if (k < 0) die("the call of '%s' was not checked (sema_callee_known)", call->name);
    if (s->layer_bad[k]) return sema_err();
    const Decl *layer = s->layers[k];
    if (s->frame->depth > 64) {
        sema_error(s, call->name_loc, "layers are nested more than 64 deep");
        return sema_err();
    }
    int n = layer->formals.n;
    const char **names = arena_alloc(s->a, (size_t)(n + 1) * sizeof *names);
    Value *v = arena_alloc(s->a, (size_t)(n + 1) * sizeof *v);
    bool *given = arena_alloc(s->a, (size_t)(n + 1));
    for (int j = 0; j < n; j++) names[j] = layer->formals.items[j].name;
    const char *what = arena_printf(s->a, "layer %s", layer->name);
    if (!sema_bind_args(s, call, what, names, n, 0, args, v, given)) return sema_err();
    bool ok = true;
    for (int j = 0; j < n; j++) {
        if (given[j] && v[j].kind == V_ERR) return sema_err();
        if (!given[j] && !layer->formals.items[j].def) {
            sema_error_begin(s, call->name_loc, "missing argument '%s' of layer %s", names[j], layer->name);
            diag_note(s->d, layer->formals.items[j].loc, "'%s' is declared here", names[j]);
            sema_error_end(s);
            ok = false;
        }
    }
    if (!ok) return sema_err();

    const char *name = instance_name(s, call, layer);
    for (int i = 0; i < s->frame->ninstances; i++) {
        if (strcmp(s->frame->instances[i].name, name) == 0) {
            sema_error_begin(s, call->name_loc, "this call of %s would be named '%s', a name already taken",
                             layer->name, name);
            diag_note(s->d, s->frame->instances[i].loc, "'%s' is the name of this call", name);
            sema_error_end(s);
            return sema_err();
        }
    }
    InstanceName inst = {name, call->name_loc};
    VEC_PUSH(s->a, s->frame->instances, s->frame->ninstances, s->frame->capinstances, inst);
    Scope scope = {.parent = &s->globals};
    Frame frame = {.parent = s->frame, .layer = layer, .call = call->name_loc, .call_expr = call, .scope = &scope,
                   .prefix = arena_printf(s->a, "%s%s.", s->frame->prefix, name), .depth = s->frame->depth + 1};
    s->frame = &frame;
    Value result = sema_err();
    /* Formals left to right, each matched against its pattern as soon as
     * it is bound, so a default may use earlier formals and dimension
     * names.  A mismatch is the caller's error, reported at the argument
     * (this instance's "in this call" note is suppressed meanwhile). */
    for (int j = 0; j < n && ok; j++) {
        const Formal *f = &layer->formals.items[j];
        Value x = given[j] ? v[j] : sema_eval(s, f->def);
        if (x.kind == V_ERR) ok = false;
        sema_bind(s, &scope, f->name, f->loc, BK_ARG, x);
        if (!ok || !f->type) continue;
        Loc at = call->name_loc;
        int pos = 0;
        for (int i = 0; i < call->args.n; i++) {
            const Arg *a = &call->args.items[i];
            if (a->key ? strcmp(a->key, f->name) == 0 : pos++ == j) at = a->value->loc;
        }
        frame.layer = NULL;
        if (!match_pattern(s, layer, f, x, at)) ok = false;
        frame.layer = layer;
    }
    if (ok && sema_in_prelude(layer->loc) && !sema_check_standard_layer(s)) ok = false;
    /* The body stops at its first error: the rest would only cascade. */
    int errors = s->d->nerrors;
    for (int i = 0; i < layer->body.n && ok && s->d->nerrors == errors; i++)
        layer_stmt(s, layer->body.items[i], &result);
    s->frame = frame.parent;
    if (s->d->nerrors != errors) return sema_err();
    result.loc = call->loc;
    for (int i = 0; i < call->args.n; i++) result.defines |= args[i].defines;   /* e.g. Dense(x, units) */
    return result;
}
