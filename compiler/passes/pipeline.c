/* pipeline.c: the passes over models between the front end and code
 * generation, named in one table that drives the default pipeline,
 * --passes, --dump-after and the list of names in `dmc --help`.
 *
 * Needs: models from sema (a .dm input) or from read.c (a .ir input).
 * Guarantees: the default pipeline runs the table's passes in its order,
 * each on the models its `by_default` selects; --passes=LIST runs the named
 * passes in the given order on every model, each only after its `not_ready`
 * check passes (otherwise an error at the model, never a die() inside the
 * pass).  After every pass (and after the front end, "sema") the models are
 * verified under --verify-each and printed to stderr under --dump-after. */
#include "passes/passes.h"
#include "options.h"

#include <string.h>

typedef struct Pass {
    const char *name;
    /* The pass on one model; NULL for the front end, which makes the models. */
    void (*run)(Arena *a, const Options *o, Model *m);
    /* Whether the default pipeline runs it on m. */
    bool (*by_default)(const Options *o, const Model *m);
    /* Why it cannot run on m as m is now (--passes), or NULL. */
    const char *(*not_ready)(const Model *m);
} Pass;

static bool trains(const Options *o, const Model *m) { return m->loss_tensor >= 0 && !o->no_train; }
static bool always(const Options *o, const Model *m) { return true; }
static bool optimizing(const Options *o, const Model *m) { return o->opt_level > 0; }

static bool has_tensor(const Model *m, TensorKind kind, const char *prefix) {
    for (int i = 0; i < m->ntensors; i++)
        if (m->tensors[i].kind == kind && strncmp(m->tensors[i].name, prefix, strlen(prefix)) == 0) return true;
    return false;
}

static bool stores(const Graph *g, int tensor) {
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_STORE && g->nodes[i].attr.tensor == tensor) return true;
    return false;
}

static void run_autodiff(Arena *a, const Options *o, Model *m) { autodiff_model(a, m); }
static const char *autodiff_not_ready(const Model *m) {
    if (m->gradients.n > 0 || has_tensor(m, TK_GRAD, "")) return "it has gradients already";
    if (m->loss_tensor >= 0 && !stores(&m->forward, m->loss_tensor))
        return "its forward graph does not store the loss (after entries, it is the inference entry)";
    return NULL;
}

static void run_optim(Arena *a, const Options *o, Model *m) { optim_model(a, m); }
static const char *optim_not_ready(const Model *m) {
    if (m->apply.n > 0 || m->train_step.n > 0 || has_tensor(m, TK_STATE, "opt/"))
        return "it has an optimizer update already";
    return NULL;
}

static void run_entries(Arena *a, const Options *o, Model *m) { entries_finish(a, m, trains(o, m)); }

static void run_simplify(Arena *a, const Options *o, Model *m) {
    Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
    for (size_t i = 0; i < sizeof graphs / sizeof graphs[0]; i++)
        if (graphs[i]->n) simplify_graph(a, m, graphs[i]);
}

static const char *ready(const Model *m) { return NULL; }

static bool in_place(const Options *o, const Model *m) { return o->in_place_update && trains(o, m); }
static void run_inplace(Arena *a, const Options *o, Model *m) { inplace_update(a, m); }

static const Pass passes[] = {
    {"sema", NULL, NULL, NULL},
    {"autodiff", run_autodiff, trains, autodiff_not_ready},
    {"optim", run_optim, trains, optim_not_ready},
    {"entries", run_entries, always, ready},
    {"simplify", run_simplify, optimizing, ready},
    {"inplace", run_inplace, in_place, inplace_refusal},
};
enum { NPASSES = sizeof passes / sizeof passes[0] };

static const Pass *find_pass(const char *name, size_t len) {
    for (int i = 0; i < NPASSES; i++)
        if (strlen(passes[i].name) == len && strncmp(passes[i].name, name, len) == 0) return &passes[i];
    return NULL;
}

const char *pipeline_names(Arena *a, bool with_front_end) {
    const char *list = "";
    for (int i = with_front_end ? 0 : 1; i < NPASSES; i++)
        list = arena_printf(a, "%s%s%s", list, *list ? ", " : "", passes[i].name);
    return list;
}

bool pipeline_is_pass(const char *name, bool with_front_end) {
    const Pass *p = find_pass(name, strlen(name));
    return p && (with_front_end || p->run);
}

/* Calls fn on each name of a comma-separated list; stops at the first false. */
static bool each_name(const char *list, bool (*fn)(void *ctx, const char *name, size_t len), void *ctx) {
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        if (!fn(ctx, s, len)) return false;
        s += len;
        if (*s == ',') s++;
    }
    return true;
}

typedef struct Check { Arena *a; const char *bad, *dump; bool dump_found; } Check;

static bool check_name(void *ctx, const char *name, size_t len) {
    Check *c = ctx;
    const Pass *p = find_pass(name, len);
    if (!p || !p->run) {
        c->bad = arena_strndup(c->a, name, len);
        return false;
    }
    if (c->dump && strcmp(c->dump, p->name) == 0) c->dump_found = true;
    return true;
}

const char *pipeline_check_list(Arena *a, const char *list, const char *dump_after) {
    Check c = {a, NULL, dump_after, dump_after == NULL || strcmp(dump_after, "sema") == 0};
    if (!each_name(list, check_name, &c))
        return arena_printf(a, "unknown pass '%s' in --passes (%s)", c.bad, pipeline_names(a, false));
    if (!c.dump_found) return arena_printf(a, "--dump-after=%s names a pass that --passes does not run", dump_after);
    return NULL;
}

static void after_pass(const Options *o, const char *pass, Models *models) {
    for (int i = 0; i < models->n; i++) {
        if (o->verify_each) model_verify(models->items[i]);
        if (o->dump_after && strcmp(o->dump_after, pass) == 0) {
            fprintf(stderr, "; after %s\n", pass);
            model_print(stderr, models->items[i]);
        }
    }
}

typedef struct Run { Arena *a; Diag *d; const Options *o; Models *models; } Run;

static bool run_named(void *ctx, const char *name, size_t len) {
    Run *r = ctx;
    const Pass *p = find_pass(name, len);
    for (int i = 0; i < r->models->n; i++) {
        Model *m = r->models->items[i];
        const char *why = p->not_ready(m);
        if (why) {
            diag_error(r->d, m->loc, "pass %s cannot run on model '%s': %s", p->name, m->name, why);
            return false;
        }
        p->run(r->a, r->o, m);
    }
    after_pass(r->o, p->name, r->models);
    return true;
}

/* --in-place-update on a model it cannot apply to: an error at its
 * optimizer (or at the model, without one), before any pass runs. */
static bool check_in_place(Diag *d, const Options *o, Models *models) {
    bool ok = true;
    for (int i = 0; i < models->n; i++) {
        const Model *m = models->items[i];
        if (!in_place(o, m)) continue;
        const char *why = inplace_optimizer_refusal(&m->opt);
        if (!why) continue;
        diag_error(d, m->opt.kind == OPT_NONE ? m->loc : m->opt.loc, "--in-place-update on model '%s': %s", m->name,
                   why);
        ok = false;
    }
    return ok;
}

bool pipeline_run(Arena *a, Diag *d, const Options *o, Models *models) {
    after_pass(o, passes[0].name, models);
    if (o->passes) {
        Run r = {a, d, o, models};
        return each_name(o->passes, run_named, &r);
    }
    if (!check_in_place(d, o, models)) return false;
    for (int k = 1; k < NPASSES; k++) {
        for (int i = 0; i < models->n; i++)
            if (passes[k].by_default(o, models->items[i])) passes[k].run(a, o, models->items[i]);
        after_pass(o, passes[k].name, models);
    }
    return true;
}
