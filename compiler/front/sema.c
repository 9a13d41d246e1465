/* sema.c: semantic analysis, the driver part.  Walks the program's
 * declarations: checks names, evaluates consts (with -D overrides), and
 * turns every model into a Model whose forward graph is the TRAINING forward
 * pass (dropout active): loads, the computation, a store for every output
 * and for the loss, and the dropout generator's advance.
 * Needs: the parsed Program (prelude first), the graph builder (graph.c).
 * Guarantees: every user error is reported through diag_error with a
 * location; after an error the offending value is poison (V_ERR) so the
 * same mistake is not reported twice; returns true only without errors.
 * Expressions live in sema_expr.c, built-ins in sema_builtin.c, layers in
 * sema_layer.c, loops in sema_loop.c, initialisers in sema_init.c, the optimizer
 * in sema_optim.c. */
#include "front/sema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char prelude_dm[];
const char *prelude_source = (const char *)prelude_dm;

/* An error, followed by one note per layer instance it happened in, so an
 * error inside a user layer's body points back at the user's call.  An error
 * with notes of its own: sema_error_begin, the notes, sema_error_end (so the
 * specific notes come before the chain of calls).
 *
 * The standard layers' source (the prelude) is not the user's to edit: an
 * error found there is reported at the user's call of the standard layer --
 * at the argument that carried the offending value when the prelude's token
 * is one of the layer's formals (`units` in `f32[I, units]` -> the `2.5` of
 * `Dense(x, 2.5)`) -- with the prelude's line as a note. */
bool sema_in_prelude(Loc loc) {
    return loc.file && strcmp(loc.file->path, "<prelude>") == 0;
}

/* The text of the token at loc (its first loc.len bytes), or "". */
static const char *token_text(Sema *s, Loc loc) {
    const char *p = loc.file->text, *end = p + loc.file->size;
    for (int l = 1; l < loc.line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (loc.col < 1 || loc.len < 1 || (size_t)(end - p) < (size_t)(loc.col - 1 + loc.len)) return "";
    return arena_strndup(s->a, p + loc.col - 1, (size_t)loc.len);
}

static Loc user_location(Sema *s, Loc loc) {
    const Frame *f = s->frame;
    if (!sema_in_prelude(loc) || !f || !f->layer || !f->call_expr || sema_in_prelude(f->call)) return loc;
    const char *word = token_text(s, loc);
    const Decl *layer = f->layer;
    for (int j = 0; j < layer->formals.n; j++) {
        if (strcmp(layer->formals.items[j].name, word) != 0) continue;
        int pos = 0;
        for (int i = 0; i < f->call_expr->args.n; i++) {
            const Arg *arg = &f->call_expr->args.items[i];
            if (arg->key ? strcmp(arg->key, word) == 0 : pos++ == j) return arg->value->loc;
        }
    }
    return f->call;
}

/* The error itself, at the user's place (see user_location). */
static void error_at(Sema *s, Loc loc, const char *fmt, va_list ap) {
    Loc at = user_location(s, loc);
    diag_verror(s->d, at, fmt, ap);
    if (at.file != loc.file)
        diag_note(s->d, loc, "in the standard layer %s (dmc's built-in prelude)", s->frame->layer->name);
}

void sema_error_begin(Sema *s, Loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at(s, loc, fmt, ap);
    va_end(ap);
}

void sema_error_end(Sema *s) {
    for (Frame *f = s->frame; f; f = f->parent)
        if (f->layer && !(sema_in_prelude(f->layer->loc) && !sema_in_prelude(f->call)))   /* already the error's place */
            diag_note(s->d, f->call, "in this call of layer %s", f->layer->name);
}

void sema_note_defines(Sema *s, uint32_t defines) {
    for (int i = 0; i < s->defs->n && i < 32; i++) {
        const Define *def = &s->defs->items[i];
        if (defines & (1u << i))
            diag_note(s->d, s->define_loc[i], "'%s' is set to %s by -D %s=%s on the command line", def->name,
                      def->value, def->name, def->value);
    }
}

void sema_error_from(Sema *s, uint32_t defines, Loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at(s, loc, fmt, ap);
    va_end(ap);
    sema_note_defines(s, defines);
    sema_error_end(s);
}

void sema_error(Sema *s, Loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at(s, loc, fmt, ap);
    va_end(ap);
    sema_error_end(s);
}

/* A param statement's type and initialiser, in a model or a layer. */
bool sema_param_decl(Sema *s, const Stmt *st, Shape *shape, Init *init) {
    bool ok = sema_dims(s, st->type, shape);
    if (ok && st->type->dtype != DT_F32) {
        sema_error(s, st->type->loc, "a param must be f32 (it is trained), found %s",
                   shape_str(s->a, st->type->dtype, *shape));
        ok = false;
    }
    if (ok && st->value) ok = sema_init(s, st->value, DT_F32, *shape, init);
    return ok;
}

/* ---- scopes --------------------------------------------------------------- */

Binding *sema_scope_find(Scope *sc, const char *name) {
    for (int i = 0; i < sc->n; i++)
        if (strcmp(sc->items[i].name, name) == 0) return &sc->items[i];
    return NULL;
}

/* The innermost scope first, then the top-level consts. */
Binding *sema_lookup(Sema *s, const char *name) {
    for (Scope *sc = s->frame ? s->frame->scope : &s->globals; sc; sc = sc->parent) {
        Binding *b = sema_scope_find(sc, name);
        if (b) return b;
    }
    return NULL;
}

const char *sema_bind_kind_word(BindKind k) {
    switch (k) {
    case BK_CONST: return "const";
    case BK_INPUT: return "input";
    case BK_PARAM: return "param";
    case BK_BUFFER: return "buffer";
    case BK_VALUE: return "binding";
    case BK_ARG:   return "argument";
    case BK_DIM:   return "dimension";
    }
    return "name";
}

/* Single assignment: a second binding of a name in the same scope is an
 * error pointing at the first.  Returns NULL after that error. */
Binding *sema_bind(Sema *s, Scope *sc, const char *name, Loc loc, BindKind kind, Value v) {
    Binding *old = sema_scope_find(sc, name);
    if (old) {
        sema_error_begin(s, loc, "'%s' is already defined; a name is bound once", name);
        diag_note(s->d, old->loc, "'%s' was first defined here (as %s %s)", name,
                  old->kind == BK_ARG || old->kind == BK_INPUT ? "an" : "a", sema_bind_kind_word(old->kind));
        sema_error_end(s);
        return NULL;
    }
    if (kind == BK_VALUE && v.kind == V_TENSOR && !s->m->forward.nodes[v.node].name)   /* for --emit=ir */
        s->m->forward.nodes[v.node].name = arena_printf(s->a, "%s%s", s->frame->prefix, name);
    Binding b = {.name = name, .loc = loc, .kind = kind, .v = v, .tensor = -1};
    VEC_PUSH(s->a, sc->items, sc->n, sc->cap, b);
    return &sc->items[sc->n - 1];
}

/* The value of a name at a use: inputs and params are loaded on first use
 * (one load per graph); a layer's param is created then (so a param the
 * instance never uses, e.g. the bias with bias = false, does not exist). */
Value sema_binding_value(Sema *s, Binding *b, Loc use) {
    if ((b->kind == BK_INPUT || b->kind == BK_PARAM || b->kind == BK_BUFFER) && !b->loaded) {
        if (s->const_why) return sema_err();   /* reported by the caller */
        if (b->tensor < 0) b->tensor = sema_add_param(s, b->pending);
        b->loaded = true;
        int node = -1;
        if (b->tensor >= 0 && s->reuse)   /* a shared loop's param: the first iteration's load */
            for (int i = 0; i < s->m->forward.n && node < 0; i++)
                if (s->m->forward.nodes[i].op == OP_LOAD && s->m->forward.nodes[i].attr.tensor == b->tensor) node = i;
        if (b->tensor < 0) {
            b->v = sema_err();
        } else if (node >= 0) {
            b->v = sema_tensor(s, node, b->loc);
            b->v.defines = b->defines;
        } else {
            node = graph_load(s->a, &s->m->forward, s->m, b->tensor);
            s->m->forward.nodes[node].name = s->m->tensors[b->tensor].name;
            b->v = sema_tensor(s, sema_at(s, node, b->loc), b->loc);
            b->v.defines = b->defines;
        }
    }
    Value v = b->v;
    v.loc = use;
    return v;
}

/* Adds a parameter tensor; a name used twice (e.g. a binding called
 * dense_0 next to an unnamed Dense call) is an error, except in a shared
 * loop's later iterations, which use the first iteration's parameters. */
int sema_add_param(Sema *s, Tensor t) {
    for (int i = 0; i < s->m->ntensors; i++) {
        if (strcmp(s->m->tensors[i].name, t.name) != 0) continue;
        const Tensor *first = &s->m->tensors[i];
        if (s->reuse && first->kind == TK_PARAM) {
            if (shape_eq(first->shape, t.shape)) return i;
            sema_error_begin(s, t.loc, "in this shared loop, parameter '%s' is %s here but %s in the first "
                             "iteration; shared parameters keep their shape", t.name,
                             shape_str(s->a, t.dtype, t.shape), shape_str(s->a, first->dtype, first->shape));
            sema_error_end(s);
            return -1;
        }
        if (s->reuse && first->kind == TK_BUFFER) {   /* its update would run once per iteration */
            sema_error_begin(s, t.loc, "buffer '%s' cannot be shared by the iterations of a shared loop: a buffer "
                             "has at most one update per step; use a plain loop", t.name);
            sema_error_end(s);
            return -1;
        }
        sema_error_begin(s, t.loc, "two tensors of model '%s' are named '%s'", s->m->name, t.name);
        diag_note(s->d, first->loc, "the other '%s' is declared here", t.name);
        sema_error_end(s);
        return -1;
    }
    t.param = -1;
    return model_add_tensor(s->a, s->m, t);
}

int sema_at(Sema *s, int node, Loc loc) {
    s->m->forward.nodes[node].loc = loc;
    return node;
}

/* ---- consts and -D --------------------------------------------------------- */

static const Define *define_for(Sema *s, const char *name) {
    for (int i = 0; i < s->defs->n; i++)
        if (strcmp(s->defs->items[i].name, name) == 0) return &s->defs->items[i];
    return NULL;
}

/* A -D value is a number as written in dm: 128, 0.5, 1e-3, -2.  It
 * remembers where it came from (the first 32 -D only). */
static Value define_value(const Sema *s, const Define *def, Loc loc) {
    const char *t = def->value;
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (!*t || *end || errno || v != v) return sema_err();
    bool is_int = strpbrk(t, ".eEnN") == NULL;
    Value n = sema_number(v, is_int, loc);
    int index = (int)(def - s->defs->items);
    if (index < 32) n.defines = 1u << index;
    return n;
}

/* `const NAME = expr`, at top level, in a model or in a layer instance.  A
 * const in a loop body is computed per iteration: -D does not set it. */
void sema_const_stmt(Sema *s, Scope *sc, const char *name, Loc loc, const Expr *value) {
    const Define *def = s->frame && s->frame->loop ? NULL : define_for(s, name);
    Value v;
    if (def) {
        v = define_value(s, def, loc);   /* a bad value was reported by check_defines */
        s->define_loc[def - s->defs->items] = loc;
    } else {
        v = sema_eval_const(s, value, "a const");
        if (v.kind == V_TENSOR) v = sema_err();
        else if (v.kind == V_LIST) {
            sema_error(s, value->loc, "a const is a number, found a list");
            v = sema_err();
        }
    }
    sema_bind(s, sc, name, loc, BK_CONST, v);
}

static void note_const_names(Sema *s, const StmtList *body, const char ***names, int *n, int *cap) {
    for (int i = 0; i < body->n; i++)
        if (body->items[i]->kind == ST_CONST) VEC_PUSH(s->a, *names, *n, *cap, body->items[i]->name);
}

/* Every -D must name a const somewhere in the file (any model or layer, so
 * --model does not change the verdict) and carry a number. */
static void check_defines(Sema *s) {
    const char **names = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < s->prog->n; i++) {
        const Decl *d = s->prog->items[i];
        if (d->kind == DECL_CONST) VEC_PUSH(s->a, names, n, cap, d->name);
        else note_const_names(s, &d->body, &names, &n, &cap);
    }
    Loc none = {0};
    for (int i = 0; i < s->defs->n; i++) {
        Define *def = &s->defs->items[i];
        bool known = false;
        for (int j = 0; j < n && !known; j++) known = strcmp(names[j], def->name) == 0;
        if (!known) {
            const char *near = diag_suggest(def->name, names, n);
            if (near) diag_error(s->d, none, "-D %s: there is no const named '%s'; did you mean '%s'?",
                                 def->name, def->name, near);
            else diag_error(s->d, none, "-D %s: there is no const named '%s'", def->name, def->name);
            continue;
        }
        def->used = true;
        if (define_value(s, def, none).kind == V_ERR)
            diag_error(s->d, none, "-D %s=%s: the value must be a number (like 128 or 0.5)",
                       def->name, def->value);
    }
}

/* ---- models ------------------------------------------------------------------ */

static int add_tensor(Sema *s, const char *name, TensorKind kind, DType t, Shape shape, Loc loc) {
    Tensor tt = {.name = name, .kind = kind, .dtype = t, .shape = shape, .param = -1, .loc = loc};
    return model_add_tensor(s->a, s->m, tt);
}

static Shape scalar_shape(void) {
    Shape sh = {0};
    return sh;
}

/* `output NAME [= expr]`: a tensor named NAME, stored from the value. */
static void model_output(Sema *s, const Stmt *st) {
    Value v;
    if (st->value) {
        v = sema_eval(s, st->value);
        sema_bind(s, s->frame->scope, st->name, st->name_loc, BK_VALUE, v);
    } else {
        Binding *b = sema_lookup(s, st->name);
        if (!b) {
            Expr name = {.kind = EX_NAME, .loc = st->name_loc, .name = st->name, .name_loc = st->name_loc};
            v = sema_eval(s, &name);   /* reports "unknown name" with a suggestion */
        } else if (b->kind == BK_INPUT || b->kind == BK_PARAM || b->kind == BK_BUFFER) {
            /* An output is a tensor of its own: one named like the input or
             * param would be a second tensor of that name (see
             * docs/language.md, "Outputs"). */
            const char *kind = b->kind == BK_INPUT ? "an input" : b->kind == BK_PARAM ? "a param" : "a buffer";
            sema_error_begin(s, st->name_loc, "'output %s' names %s; an output is a tensor of its own: "
                             "bind it to a new name, e.g. 'output %s_out = %s'", st->name, kind, st->name, st->name);
            diag_note(s->d, b->loc, "'%s' is declared here", st->name);
            sema_error_end(s);
            return;
        } else {
            v = sema_binding_value(s, b, st->name_loc);
        }
    }
    if (v.kind == V_ERR) return;
    if (v.kind != V_TENSOR) {
        sema_error(s, st->value ? st->value->loc : st->name_loc,
                   "an output must be a tensor, found %s", sema_type_str(s, v));
        return;
    }
    for (int i = 0; i < s->m->ntensors; i++) {
        if (s->m->tensors[i].kind == TK_OUTPUT && strcmp(s->m->tensors[i].name, st->name) == 0) {
            sema_error(s, st->name_loc, "'%s' is already an output", st->name);
            diag_note(s->d, s->m->tensors[i].loc, "the first output '%s' is here", st->name);
            return;
        }
    }
    int t = add_tensor(s, st->name, TK_OUTPUT, v.dtype, v.shape, st->name_loc);
    sema_at(s, graph_store(s->a, &s->m->forward, t, v.node), st->loc);
}

static void model_loss(Sema *s, const Stmt *st, const Stmt *first) {
    if (first) {
        sema_error(s, st->loc, "a model has at most one loss");
        diag_note(s->d, first->loc, "the first loss is here");
    }
    Value v = sema_eval(s, st->value);
    if (v.kind == V_ERR || first) return;
    if (v.kind != V_TENSOR || v.dtype != DT_F32 || v.shape.rank != 0) {
        sema_error(s, st->value->loc, "the loss must be an f32 scalar, found %s", sema_type_str(s, v));
        return;
    }
    int t = add_tensor(s, "loss", TK_LOSS, DT_F32, scalar_shape(), st->loc);
    s->m->loss_tensor = t;
    sema_at(s, graph_store(s->a, &s->m->forward, t, v.node), st->loc);
}

/* The generator advances once per train step: rng = rng + [0, 1]. */
static void finish_dropout(Sema *s) {
    if (s->dropout_sites == 0) return;
    Graph *g = &s->m->forward;
    double *one = arena_alloc(s->a, 2 * sizeof *one);
    one[1] = 1;
    Node lit = {.op = OP_LITERAL, .dtype = DT_I32, .shape = {.rank = 1, .dim = {2}}};
    lit.attr.data = one;
    int step = graph_add(s->a, g, lit);
    int next = graph_binary(s->a, g, OP_ADD, s->rng_node, step);
    graph_store(s->a, g, s->rng_tensor, next);
}

/* What the statements of a model have declared so far. */
typedef struct ModelState { const Stmt *loss, *opt; bool has_output; } ModelState;

/* One statement of a model's body (or of a loop in it: sema_loop.c). */
static void model_stmt(Sema *s, const Stmt *st, void *ctx) {
    ModelState *ms = ctx;
    Scope *scope = s->frame->scope;
    s->frame->rhs_expr = NULL;
    switch (st->kind) {
    case ST_CONST:
        sema_const_stmt(s, scope, st->name, st->name_loc, st->value);
        break;
    case ST_INPUT: {
        Shape shape;
        bool ok = sema_dims(s, st->type, &shape);
        uint32_t defines = s->dims_defines;
        Binding *b = sema_bind(s, scope, st->name, st->name_loc, BK_INPUT, sema_err());
        if (b) b->defines = defines;
        if (b && ok) b->tensor = add_tensor(s, st->name, TK_INPUT, st->type->dtype, shape, st->name_loc);
        else if (b) b->loaded = true;   /* poison */
        break;
    }
    case ST_PARAM: {
        Shape shape;
        Init init = {0};
        bool ok = sema_param_decl(s, st, &shape, &init);
        uint32_t defines = s->dims_defines;
        Binding *b = sema_bind(s, scope, st->name, st->name_loc, BK_PARAM, sema_err());
        if (!b) break;
        b->defines = defines;
        if (!ok) { b->loaded = true; break; }
        Tensor t = {.name = arena_printf(s->a, "%s%s", st->name, sema_loop_suffix(s)), .kind = TK_PARAM,
                    .dtype = DT_F32, .shape = shape, .init = init, .loc = st->name_loc};
        b->tensor = sema_add_param(s, t);
        if (b->tensor < 0) b->loaded = true;
        break;
    }
    case ST_BIND:
        s->frame->rhs_expr = st->value;
        s->frame->rhs_name = st->name;
        sema_bind_value(s, st->name, st->name_loc, sema_eval(s, st->value));
        break;
    case ST_OUTPUT:
        s->frame->rhs_expr = st->value;
        s->frame->rhs_name = st->name;
        model_output(s, st);
        ms->has_output = true;
        break;
    case ST_LOSS:
        model_loss(s, st, ms->loss);
        if (!ms->loss) ms->loss = st;
        break;
    case ST_OPTIMIZER:
        if (ms->opt) {
            sema_error(s, st->loc, "a model has at most one optimizer");
            diag_note(s->d, ms->opt->loc, "the first optimizer is here");
            break;
        }
        ms->opt = st;
        sema_optimizer(s, st, &s->m->opt);
        break;
    case ST_RETURN:
        sema_error(s, st->loc, "'return' belongs in a layer; a model exports results with 'output'");
        break;
    case ST_FOR:
        sema_for(s, st, model_stmt, ms);
        break;
    case ST_BUFFER:
        sema_buffer_stmt(s, st);
        break;
    case ST_UPDATE:
        sema_update_stmt(s, st);
        break;
    }
}

/* Whether body (its loops included) writes an output or a loss anywhere,
 * even where it was refused (inside a loop): a model whose only output was
 * misplaced has already had its error. */
static bool writes_result(const StmtList *body) {
    for (int i = 0; i < body->n; i++) {
        const Stmt *st = body->items[i];
        if (st->kind == ST_OUTPUT || st->kind == ST_LOSS || (st->kind == ST_FOR && writes_result(&st->body)))
            return true;
    }
    return false;
}

static void sema_model(Sema *s, const Decl *d, Models *out) {
    Model *m = arena_alloc(s->a, sizeof *m);
    m->name = d->name;
    m->loc = d->loc;
    m->loss_tensor = -1;
    m->opt.kind = OPT_NONE;
    graph_init(&m->forward, "forward");
    Scope scope = {.parent = &s->globals};
    Frame frame = {.prefix = "", .scope = &scope};
    s->m = m;
    s->frame = &frame;
    s->dropout_sites = 0;
    s->rng_tensor = s->rng_node = -1;
    s->unrolled = 0;
    ModelState ms = {0};
    for (int i = 0; i < d->body.n; i++) model_stmt(s, d->body.items[i], &ms);
    if (ms.loss && !ms.opt)
        sema_error(s, ms.loss->loc, "the model has a loss but no optimizer; add e.g. 'optimizer sgd(lr = 0.01)'");
    if (ms.opt && !ms.loss)
        sema_error(s, ms.opt->loc, "the model has an optimizer but no loss to minimise");
    if (!ms.loss && !ms.has_output && !writes_result(&d->body))
        sema_error(s, d->loc, "model '%s' has no output and no loss: it would compute nothing", d->name);
    finish_dropout(s);
    sema_finish_updates(s);
    VEC_PUSH(s->a, out->items, out->n, out->cap, m);
    s->m = NULL;
    s->frame = NULL;
}

/* Creates the dropout generator's state on the first dropout site and
 * returns the site's salt.  Called by the dropout built-in. */
int sema_dropout_site(Sema *s) {
    if (s->rng_tensor < 0) {
        Shape two = {.rank = 1, .dim = {2}};
        s->rng_tensor = add_tensor(s, "rng/dropout", TK_STATE, DT_I32, two, s->m->loc);
        s->m->tensors[s->rng_tensor].init.kind = INIT_SEED;
        s->rng_node = graph_load(s->a, &s->m->forward, s->m, s->rng_tensor);
    }
    return s->dropout_sites++;
}

/* ---- the program ------------------------------------------------------------- */

static void check_unique_decls(Sema *s) {
    for (int i = 0; i < s->prog->n; i++) {
        const Decl *d = s->prog->items[i];
        if (d->kind == DECL_CONST) continue;
        /* a model's symbols are NAME_model, NAME_forward, ...: the runtime owns dm_* */
        if (d->kind == DECL_MODEL && d->name &&
            (strcmp(d->name, "dm") == 0 || strcmp(d->name, "DM") == 0 || strncmp(d->name, "dm_", 3) == 0 ||
             strncmp(d->name, "DM_", 3) == 0))
            diag_error(s->d, d->loc, "the model name '%s' is reserved: its symbols (%s_model, %s_forward, ...) "
                       "would clash with the runtime's dm_* names", d->name, d->name, d->name);
        for (int j = 0; j < i; j++) {
            const Decl *e = s->prog->items[j];
            if (e->kind != DECL_CONST && strcmp(e->name, d->name) == 0) {
                diag_error(s->d, d->loc, "%s '%s' is already defined", d->kind == DECL_MODEL ? "model" : "layer",
                           d->name);
                diag_note(s->d, e->loc, "the first '%s' is here", e->name);
                break;
            }
        }
    }
}

/* The C header names every input, output and param as MODEL_NAME_... with
 * the dots of the name made '_' (header.c): `fc.W` and an output `fc_W`, or
 * model `a` with `b_c` and model `a_b` with `c`, would define the same
 * macros.  Reported at the later tensor, with a note at the first. */
static void check_c_names(Sema *s, const Models *models) {
    typedef struct { const char *c; const Model *m; const Tensor *t; } CName;
    CName *seen = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < models->n; i++) {
        const Model *m = models->items[i];
        for (int j = 0; j < m->ntensors; j++) {
            const Tensor *t = &m->tensors[j];
            if (t->kind != TK_INPUT && t->kind != TK_OUTPUT && t->kind != TK_PARAM && t->kind != TK_BUFFER) continue;
            char *c = arena_printf(s->a, "%s_%s", m->name, t->name);
            for (char *p = c; *p; p++)
                if (!(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                    *p = '_';
            for (int k = 0; k < n; k++) {
                if (strcmp(seen[k].c, c) != 0) continue;
                diag_error(s->d, t->loc, "'%s' of model '%s' and '%s' of model '%s' would both be named %s_... in "
                           "the C header; rename one", t->name, m->name, seen[k].t->name, seen[k].m->name, c);
                diag_note(s->d, seen[k].t->loc, strchr(seen[k].t->name, '.') ? "'%s' is a parameter of this call"
                                                                              : "'%s' is declared here",
                          seen[k].t->name);
                break;
            }
            CName entry = {c, m, t};
            VEC_PUSH(s->a, seen, n, cap, entry);
        }
    }
}

bool sema_program(Arena *a, Diag *d, const Program *prog, const Defines *defs, const char *only,
                  Models *out) {
    static const Defines no_defines;
    Sema s = {.a = a, .d = d, .prog = prog, .defs = defs ? defs : &no_defines};
    int errors = d->nerrors;
    s.define_loc = arena_alloc(a, (size_t)(s.defs->n + 1) * sizeof *s.define_loc);
    check_defines(&s);
    check_unique_decls(&s);
    sema_check_layers(&s);
    for (int i = 0; i < prog->n; i++)
        if (prog->items[i]->kind == DECL_CONST)
            sema_const_stmt(&s, &s.globals, prog->items[i]->name, prog->items[i]->loc, prog->items[i]->value);

    const char **model_names = NULL;
    int nmodels = 0, cap = 0;
    bool found = false;
    for (int i = 0; i < prog->n; i++) {
        const Decl *decl = prog->items[i];
        if (decl->kind != DECL_MODEL) continue;
        VEC_PUSH(a, model_names, nmodels, cap, decl->name);
        if (only && strcmp(only, decl->name) != 0) continue;
        found = true;
        sema_model(&s, decl, out);
    }
    if (d->nerrors == errors) check_c_names(&s, out);
    Loc none = {0};
    if (only && !found) {
        const char *near = diag_suggest(only, model_names, nmodels);
        if (near) diag_error(d, none, "--model=%s: there is no model named '%s'; did you mean '%s'?", only, only, near);
        else diag_error(d, none, "--model=%s: there is no model named '%s'", only, only);
    } else if (nmodels == 0) {
        diag_error(d, none, "the file defines no model");
    }
    if (d->nerrors == errors) sema_warnings(&s, out);   /* after errors they would be noise */
    return d->nerrors == errors;
}
