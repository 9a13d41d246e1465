/* sema_loop.c: static loops, `for NAME in range(...) [shared] { body }`,
 * unrolled while the graph is built (docs/language.md, "Loops").
 *
 * Each iteration evaluates the body in a scope of its own, whose loop
 * variable is a compile-time integer; names first bound in the body live for
 * one iteration.  A binding made before the loop and bound again in the body
 * is the loop-carried value: the rebinding replaces the outer binding's value
 * (same kind, dtype and shape), so the next iteration and the statements after
 * the loop see it.  Layer instances and params of a plain loop are distinct per
 * iteration: a name the statement gives (`x = Block(x)`, `param W`) takes the
 * suffix `.<i>` of the loop (x.0, x.1, ...), unnamed calls keep counting
 * (dense_0, dense_1, ...).  In a `shared` loop the suffix is the loop
 * variable's name (`h = Cell(x, h)` in `for t` is h.t), every iteration
 * replays the first one's names, and the repeated parameters are the first
 * iteration's tensors, loaded once (sema_add_param, sema_binding_value:
 * s->reuse).  Nested loops add one suffix each, outer first: x.1.0.
 * Needs: sema.c (scopes, binding), the statement runner of the model or the
 * layer.  Guarantees: unrolling stops at the first iteration with an error,
 * so a mistake in the body is reported once; the number of unrolled
 * iterations of a model is bounded (SEMA_MAX_ITERATIONS). */
#include "front/sema.h"

#include <string.h>

/* Unrolling makes a graph node per operation per iteration: past this many
 * iterations in one model (nested loops multiply) the program is refused
 * rather than the machine's memory exhausted. */
enum { SEMA_MAX_ITERATIONS = 100000 };

/* `range(stop)`, `range(start, stop)` or `range(start, stop, step)`, each a
 * compile-time integer, as Python's range; an empty range is an error. */
static bool loop_range(Sema *s, const Expr *e, int64_t bound[3], int64_t *count) {
    if (e->kind != EX_CALL || strcmp(e->name, "range") != 0) {
        sema_error(s, e->loc, "a loop runs over range(N), range(A, B) or range(A, B, STEP)");
        return false;
    }
    if (e->args.n < 1 || e->args.n > 3) {
        sema_error(s, e->loc, "range takes 1 to 3 arguments (stop; start, stop; start, stop, step), found %d",
                   e->args.n);
        return false;
    }
    bound[0] = 0;
    bound[2] = 1;
    int64_t v[3];
    uint32_t defines = 0;   /* the -D values the bounds came from: an empty range names them */
    for (int i = 0; i < e->args.n; i++) {
        const Arg *a = &e->args.items[i];
        if (a->key) {
            sema_error(s, a->key_loc, "range takes positional arguments only");
            return false;
        }
        Value x = sema_eval_const(s, a->value, "a bound of range");
        defines |= x.defines;
        if (!sema_int_of(s, x, "a bound of range", &v[i])) return false;
    }
    if (e->args.n == 1) bound[1] = v[0];
    else {
        bound[0] = v[0];
        bound[1] = v[1];
        if (e->args.n == 3) bound[2] = v[2];
    }
    if (bound[2] == 0) {
        sema_error_from(s, defines, e->args.items[2].value->loc, "the step of range must not be 0");
        return false;
    }
    int64_t span = bound[2] > 0 ? bound[1] - bound[0] : bound[0] - bound[1];
    int64_t step = bound[2] > 0 ? bound[2] : -bound[2];
    *count = span > 0 ? (span + step - 1) / step : 0;
    if (*count == 0) {
        if (e->args.n == 3)
            sema_error_from(s, defines, e->loc, "range(%lld, %lld, %lld) is empty: the loop would not run",
                            (long long)bound[0],
                       (long long)bound[1], (long long)bound[2]);
        else
            sema_error_from(s, defines, e->loc, "range(%lld, %lld) is empty: the loop would not run",
                            (long long)bound[0],
                       (long long)bound[1]);
        return false;
    }
    return true;
}

/* The first binding of name in the current frame's scopes from sc outwards
 * (the top-level consts are not the frame's: a body may shadow them). */
static Binding *frame_binding(Sema *s, Scope *from, const char *name) {
    for (Scope *sc = from; sc && sc != &s->globals; sc = sc->parent) {
        Binding *b = sema_scope_find(sc, name);
        if (b) return b;
    }
    return NULL;
}

static bool same_type(Value a, Value b) {
    if (a.kind == V_ERR || b.kind == V_ERR) return true;   /* reported already */
    if (a.kind != b.kind) return false;
    if (a.kind != V_TENSOR) return true;
    if (a.dtype != b.dtype || a.shape.rank != b.shape.rank) return false;
    for (int i = 0; i < a.shape.rank; i++)
        if (a.shape.dim[i] != b.shape.dim[i]) return false;
    return true;
}

/* `h = f(h)` in a loop body, h bound before the loop: the carried value. */
static void rebind(Sema *s, Loop *l, Binding *old, const char *name, Loc loc, Value v) {
    if (old->kind != BK_VALUE && old->kind != BK_ARG) {
        sema_error_begin(s, loc, "'%s' is %s %s; a loop can carry only a binding made before it (NAME = expr)",
                         name, old->kind == BK_INPUT ? "an" : "a", sema_bind_kind_word(old->kind));
        diag_note(s->d, old->loc, "'%s' is declared here; bind a copy before the loop, e.g. 'h = %s'", name, name);
        sema_error_end(s);
        return;
    }
    for (int i = 0; i < l->nrebound; i++) {
        if (strcmp(l->rebound[i].name, name) != 0) continue;
        sema_error_begin(s, loc, "'%s' is rebound twice in one iteration; a loop carries one value per name", name);
        diag_note(s->d, l->rebound[i].loc, "'%s' is rebound here first", name);
        sema_error_end(s);
        return;
    }
    LoopRebinding r = {name, loc};
    VEC_PUSH(s->a, l->rebound, l->nrebound, l->caprebound, r);
    if (!same_type(old->v, v)) {
        sema_error_begin(s, loc, "'%s' is carried through the loop as %s, but is rebound here to %s", name,
                         sema_type_str(s, old->v), sema_type_str(s, v));
        diag_note(s->d, old->loc, "'%s' is bound before the loop here, as %s", name, sema_type_str(s, old->v));
        sema_error_end(s);
        old->v = sema_err();
        return;
    }
    if (v.kind == V_TENSOR && !s->m->forward.nodes[v.node].name)   /* for --emit=ir: h.3 */
        s->m->forward.nodes[v.node].name = arena_printf(s->a, "%s%s%s", s->frame->prefix, name, l->path);
    old->v = v;
}

void sema_bind_value(Sema *s, const char *name, Loc loc, Value v) {
    Loop *l = s->frame->loop;
    for (Loop *up = l; up; up = up->parent) {
        if (strcmp(up->var, name) != 0) continue;
        sema_error(s, loc, "'%s' is the loop variable; it cannot be rebound in the loop", name);
        return;
    }
    Binding *old = NULL;
    if (l && !sema_scope_find(s->frame->scope, name)) old = frame_binding(s, s->frame->scope->parent, name);
    if (old) rebind(s, l, old, name, loc, v);
    else sema_bind(s, s->frame->scope, name, loc, BK_VALUE, v);
}

const char *sema_loop_suffix(Sema *s) {
    return s->frame && s->frame->loop ? s->frame->loop->suffix : "";
}

/* The statements a loop body cannot hold: they declare what exists once. */
bool sema_allowed_in_loop(Sema *s, const Stmt *st) {
    const char *word = NULL;
    switch (st->kind) {
    case ST_INPUT: word = "an input"; break;
    case ST_OUTPUT: word = "an output"; break;
    case ST_LOSS: word = "the loss"; break;
    case ST_OPTIMIZER: word = "the optimizer"; break;
    case ST_RETURN: word = "the return"; break;
    case ST_BUFFER: word = "a buffer"; break;     /* and its update: at most one per step (docs/language.md) */
    case ST_UPDATE: word = "an update"; break;
    case ST_CONST: case ST_PARAM: case ST_BIND: case ST_FOR: break;
    }
    if (word)
        sema_error(s, st->loc, "%s cannot be inside a loop: it exists once, not once per iteration; move it out "
                   "of the loop", word);
    return !word;
}

void sema_for(Sema *s, const Stmt *st, SemaStmtRunner run, void *ctx) {
    Frame *f = s->frame;
    int64_t bound[3], count;
    if (!loop_range(s, st->value, bound, &count)) return;
    Binding *taken = frame_binding(s, f->scope, st->name);
    if (taken) {
        sema_error_begin(s, st->name_loc, "the loop variable '%s' is already defined; a loop variable needs a new "
                         "name", st->name);
        diag_note(s->d, taken->loc, "'%s' was first defined here (as %s %s)", st->name,
                  taken->kind == BK_ARG || taken->kind == BK_INPUT ? "an" : "a", sema_bind_kind_word(taken->kind));
        sema_error_end(s);
        return;
    }
    if (count > SEMA_MAX_ITERATIONS - s->unrolled) {
        sema_error(s, st->value->loc, "this loop would unroll to more than %d iterations in model '%s' (each one is "
                   "copied into the graph)", SEMA_MAX_ITERATIONS, s->m->name);
        s->unrolled = SEMA_MAX_ITERATIONS;
        return;
    }
    s->unrolled += count;
    bool ok = true;
    for (int i = 0; i < st->body.n; i++) ok &= sema_allowed_in_loop(s, st->body.items[i]);
    if (!ok) return;

    /* A shared loop replays the first iteration's instance names. */
    int ncounts = f->ncounts, ninstances = f->ninstances;
    int *counts = arena_alloc(s->a, (size_t)(ncounts + 1) * sizeof *counts);
    for (int i = 0; i < ncounts; i++) counts[i] = f->counts[i].k;
    bool reuse = s->reuse;
    Scope *outer = f->scope;
    Loop *parent = f->loop;
    int errors = s->d->nerrors;
    for (int64_t k = 0; k < count && s->d->nerrors == errors; k++) {
        int64_t index = bound[0] + k * bound[2];
        if (st->shared && k > 0) {
            f->ncounts = ncounts;
            for (int i = 0; i < ncounts; i++) f->counts[i].k = counts[i];
            f->ninstances = ninstances;
            s->reuse = true;
        }
        Scope scope = {.parent = outer};
        const char *up_suffix = parent ? parent->suffix : "", *up_path = parent ? parent->path : "";
        Loop loop = {.parent = parent, .var = st->name,
                     .suffix = st->shared ? arena_printf(s->a, "%s.%s", up_suffix, st->name)
                                          : arena_printf(s->a, "%s.%lld", up_suffix, (long long)index),
                     .path = arena_printf(s->a, "%s.%lld", up_path, (long long)index)};
        f->scope = &scope;
        f->loop = &loop;
        sema_bind(s, &scope, st->name, st->name_loc, BK_CONST, sema_number((double)index, true, st->name_loc));
        for (int i = 0; i < st->body.n && s->d->nerrors == errors; i++) run(s, st->body.items[i], ctx);
        f->scope = outer;
        f->loop = parent;
    }
    s->reuse = reuse;
}
