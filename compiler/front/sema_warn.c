/* sema_warn.c: the warnings of a program that compiled without errors
 * (docs/diagnostics.md, "Warnings").  Two kinds of check:
 *   - by the text of a model or user layer body: a binding, an input, a
 *     param or a layer's argument that no statement of the body mentions
 *     (unused-binding, unused-input, unused-param, unused-argument);
 *   - by the forward graph of a model: an input or param that is mentioned
 *     but that no output and not the loss depends on (unused-input,
 *     unused-param), a param an output depends on but the loss does not
 *     (untrained-param), a loss that depends on no param (loss-constant).
 * Needs: sema_program's result (the models' forward graphs before autodiff).
 * Guarantees: nothing is said about the prelude; the warnings come out in
 * the order of their places in the file. */
#include "front/sema.h"

#include <stdlib.h>
#include <string.h>

typedef struct PendingWarning {
    Loc loc;
    WarningKind kind;
    const char *text;
    int order;                    /* ties: the order they were found in */
} PendingWarning;

typedef struct Warnings {
    Sema *s;
    PendingWarning *items; int n, cap;
} Warnings;

static void add(Warnings *w, WarningKind kind, Loc loc, const char *text) {
    PendingWarning p = {loc, kind, text, w->n};
    VEC_PUSH(w->s->a, w->items, w->n, w->cap, p);
}

static bool in_prelude(Loc loc) {
    return loc.file && strcmp(loc.file->path, "<prelude>") == 0;
}

/* ---- by the text ------------------------------------------------------------ */

static int mentions(const Expr *e, const char *name) {
    if (!e) return 0;
    int n = 0;
    switch (e->kind) {
    case EX_NAME: return strcmp(e->name, name) == 0;
    case EX_ARRAY:
        for (int i = 0; i < e->items.n; i++) n += mentions(e->items.items[i], name);
        return n;
    case EX_NEG: return mentions(e->lhs, name);
    case EX_INDEX: case EX_SLICE:   /* a slice's bounds may be left out (NULL) */
        n = mentions(e->lhs, name);
        for (int i = 0; i < e->items.n; i++) n += mentions(e->items.items[i], name);
        return n;
    case EX_BINARY: return mentions(e->lhs, name) + mentions(e->rhs, name);
    case EX_CALL:
        for (int i = 0; i < e->args.n; i++) n += mentions(e->args.items[i].value, name);
        return n;
    case EX_NUMBER: case EX_BOOL: case EX_ELLIPSIS: return 0;
    }
    return 0;
}

static int type_mentions(const TypeExpr *t, const char *name) {
    int n = 0;
    for (int i = 0; t && i < t->dims.n; i++) n += mentions(t->dims.items[i], name);
    return n;
}

/* Whether any statement of the list (loops' bodies included) mentions
 * name; `output NAME` without a value mentions NAME. */
static bool stmts_mention(const StmtList *body, const char *name) {
    for (int i = 0; i < body->n; i++) {
        const Stmt *st = body->items[i];
        if (st->kind == ST_OUTPUT && !st->value && strcmp(st->name, name) == 0) return true;
        if (type_mentions(st->type, name) || mentions(st->value, name) || stmts_mention(&st->body, name)) return true;
    }
    return false;
}

/* Whether any statement of the body (or formal of the layer) mentions name. */
static bool body_mentions(const Decl *d, const char *name) {
    for (int i = 0; i < d->formals.n; i++) {
        const Formal *f = &d->formals.items[i];
        if (type_mentions(f->type, name) || mentions(f->def, name)) return true;
    }
    return stmts_mention(&d->body, name);
}

/* The unused names bound by the statements of body (and of its loops). */
static void unused_names(Warnings *w, const Decl *d, const StmtList *body, const char *of) {
    Arena *a = w->s->a;
    for (int i = 0; i < body->n; i++) {
        const Stmt *st = body->items[i];
        if (st->kind == ST_FOR) unused_names(w, d, &st->body, of);   /* its variable may go unused: `for _ in` */
        if (!st->name || st->kind == ST_FOR || body_mentions(d, st->name)) continue;
        if (st->kind == ST_BIND)
            add(w, W_UNUSED_BINDING, st->name_loc, arena_printf(a, "binding '%s'%s is never used", st->name, of));
        else if (st->kind == ST_INPUT)
            add(w, W_UNUSED_INPUT, st->name_loc, arena_printf(a, "input '%s' is never used", st->name));
        else if (st->kind == ST_PARAM)
            add(w, W_UNUSED_PARAM, st->name_loc, arena_printf(a, "param '%s'%s is never used", st->name, of));
    }
}

static void text_checks(Warnings *w, const Decl *d) {
    Arena *a = w->s->a;
    const char *of = d->kind == DECL_LAYER ? arena_printf(a, " of layer %s", d->name) : "";
    for (int i = 0; i < d->formals.n; i++) {
        const Formal *f = &d->formals.items[i];
        if (!body_mentions(d, f->name))
            add(w, W_UNUSED_ARGUMENT, f->loc, arena_printf(a, "argument '%s'%s is never used", f->name, of));
    }
    unused_names(w, d, &d->body, of);
}

/* ---- by the graph ------------------------------------------------------------ */

/* live[i]: an output (or, with loss_only, the loss) depends on node i. */
static bool *live_nodes(Arena *a, const Model *m, bool loss_only) {
    const Graph *g = &m->forward;
    bool *live = arena_alloc(a, (size_t)g->n + 1);
    for (int i = g->n - 1; i >= 0; i--) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_STORE) {
            TensorKind k = m->tensors[n->attr.tensor].kind;
            live[i] = k == TK_LOSS || (!loss_only && k == TK_OUTPUT);
        }
        if (!live[i]) continue;
        for (int j = 0; j < n->nin; j++) live[n->in[j]] = true;
    }
    return live;
}

/* How a tensor is read by the forward graph. */
typedef enum { READ_NEVER, READ_DEAD, READ_BY_OUTPUTS, READ_BY_LOSS } Reading;

static Reading reading(const Model *m, int t, const bool *live, const bool *live_loss) {
    Reading r = READ_NEVER;
    const Graph *g = &m->forward;
    for (int i = 0; i < g->n; i++) {
        if (g->nodes[i].op != OP_LOAD || g->nodes[i].attr.tensor != t) continue;
        if (live_loss[i]) return READ_BY_LOSS;
        if (live[i]) r = READ_BY_OUTPUTS;
        else if (r == READ_NEVER) r = READ_DEAD;
    }
    return r;
}

static bool same_loc(Loc a, Loc b) {
    return a.file == b.file && a.line == b.line && a.col == b.col;
}

/* The input or param statement (in a loop too) that declares the tensor at loc. */
static const Stmt *declared_at(const StmtList *body, Loc loc) {
    for (int i = 0; i < body->n; i++) {
        const Stmt *st = body->items[i];
        if ((st->kind == ST_INPUT || st->kind == ST_PARAM) && same_loc(st->name_loc, loc)) return st;
        const Stmt *inner = declared_at(&st->body, loc);
        if (inner) return inner;
    }
    return NULL;
}

/* Parameters of one layer call share its place: one warning names them all. */
static const char *param_list(Sema *s, const Model *m, const int *ts, int n) {
    const char *list = "";
    for (int i = 0; i < n; i++)
        list = arena_printf(s->a, "%s%s'%s'", list, i == 0 ? "" : i + 1 < n ? ", " : " and ", m->tensors[ts[i]].name);
    return arena_printf(s->a, "param%s %s", n > 1 ? "s" : "", list);
}

static void graph_checks(Warnings *w, const Model *m, const Decl *d) {
    Arena *a = w->s->a;
    bool *live = live_nodes(a, m, false), *live_loss = live_nodes(a, m, true);
    Reading *r = arena_alloc(a, (size_t)m->ntensors * sizeof *r + 1);
    bool loss_has_param = false;
    for (int t = 0; t < m->ntensors; t++) {
        r[t] = reading(m, t, live, live_loss);
        loss_has_param |= m->tensors[t].kind == TK_PARAM && r[t] == READ_BY_LOSS;
    }
    bool has_loss = m->loss_tensor >= 0;
    if (has_loss && !loss_has_param)
        add(w, W_LOSS_CONSTANT, m->tensors[m->loss_tensor].loc,
            "the loss depends on no param: training would change nothing");
    bool *done = arena_alloc(a, (size_t)m->ntensors + 1);
    int *group = arena_alloc(a, (size_t)m->ntensors * sizeof *group + 1);
    for (int t = 0; t < m->ntensors; t++) {
        const Tensor *tt = &m->tensors[t];
        if (done[t] || (tt->kind != TK_INPUT && tt->kind != TK_PARAM)) continue;
        const char *kind = tt->kind == TK_INPUT ? "input" : "param";
        WarningKind wk = tt->kind == TK_INPUT ? W_UNUSED_INPUT : W_UNUSED_PARAM;
        const Stmt *st = declared_at(&d->body, tt->loc);
        if (st && !body_mentions(d, st->name)) continue;   /* said by the text checks */
        if (r[t] == READ_NEVER) {   /* only a model's own: a layer's param exists once read */
            add(w, wk, tt->loc, arena_printf(a, "%s '%s' is used only in a branch of select that is not taken",
                                             kind, tt->name));
            continue;
        }
        bool untrained = tt->kind == TK_PARAM && has_loss && loss_has_param && r[t] == READ_BY_OUTPUTS;
        if (r[t] != READ_DEAD && !untrained) continue;
        int n = 0;
        for (int u = t; u < m->ntensors; u++)
            if (!done[u] && m->tensors[u].kind == tt->kind && r[u] == r[t] && same_loc(m->tensors[u].loc, tt->loc)) {
                group[n++] = u;
                done[u] = true;
            }
        const char *what = tt->kind == TK_INPUT ? arena_printf(a, "input '%s'", tt->name) : param_list(w->s, m, group, n);
        if (untrained)
            add(w, W_UNTRAINED_PARAM, tt->loc, arena_printf(a, "the loss does not depend on %s: training never "
                                                            "changes %s (an output uses %s)", what,
                                                            n > 1 ? "them" : "it", n > 1 ? "them" : "it"));
        else
            add(w, wk, tt->loc, arena_printf(a, "%s affect%s no output and not the loss", what, n > 1 ? "" : "s"));
    }
}

/* ---- the program ------------------------------------------------------------- */

static int by_place(const void *x, const void *y) {
    const PendingWarning *a = x, *b = y;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col) return a->loc.col < b->loc.col ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void sema_warnings(Sema *s, const Models *models) {
    Warnings w = {.s = s};
    for (int i = 0; i < s->prog->n; i++) {
        const Decl *d = s->prog->items[i];
        if (d->kind == DECL_LAYER && !in_prelude(d->loc)) text_checks(&w, d);
    }
    for (int i = 0; i < models->n; i++) {
        const Model *m = models->items[i];
        const Decl *d = NULL;
        for (int j = 0; j < s->prog->n && !d; j++)
            if (s->prog->items[j]->kind == DECL_MODEL && strcmp(s->prog->items[j]->name, m->name) == 0)
                d = s->prog->items[j];
        if (!d) continue;
        text_checks(&w, d);
        graph_checks(&w, m, d);
    }
    if (w.n) qsort(w.items, (size_t)w.n, sizeof *w.items, by_place);
    for (int i = 0; i < w.n; i++) diag_warning(s->d, w.items[i].kind, w.items[i].loc, "%s", w.items[i].text);
}
