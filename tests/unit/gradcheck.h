/* gradcheck.h: the harness of the gradient checks (tests/unit/gradcheck*.c).
 *
 * A check builds a tiny model directly with the builder: parameters (and
 * inputs) with values drawn from a fixed generator, some computation `out`,
 * and the scalar loss SUM(out * W) with W a literal of random weights, so
 * that every element of out matters.  check_finish runs autodiff_model,
 * verifies the model, interprets the gradients graph, and compares every
 * element of every "grad/<p>" with the central finite difference of the loss
 * through the interpreter's run of the forward graph (double precision,
 * h = 1e-6).  Persistent tensors are reset before every run, so a dropout
 * mask (whose generator state the forward advances) is the same in each.
 *
 * The oracle is the interpreter's forward pass and arithmetic; the code under
 * test is autodiff.c (and the *_DX ops of the interpreter it emits). */
#ifndef GRADCHECK_H
#define GRADCHECK_H

#include "cg/cg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Check {
    Arena *a;
    Model *m;
    Graph *g;             /* &m->forward, being built */
    const char *name;
    double **init;        /* per tensor: its values in every run */
    uint64_t rng;
} Check;

static int check_failures, check_count;

/* xorshift64*: the test's own deterministic generator. */
static inline double check_uniform(Check *c, double lo, double hi) {
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    uint64_t r = c->rng * 2685821657736338717ULL;
    return lo + (hi - lo) * (double)(r >> 11) / 9007199254740992.0;
}

static inline Shape shp(int rank, ...) {
    Shape s = {.rank = rank};
    va_list ap;
    va_start(ap, rank);
    for (int i = 0; i < rank; i++) s.dim[i] = va_arg(ap, int);
    va_end(ap);
    return s;
}

static inline Check *check_begin(const char *name) {
    Arena *a = arena_new();
    Check *c = arena_alloc(a, sizeof *c);
    c->a = a;
    c->name = name = arena_strdup(a, name);   /* the caller's may be a buffer of its loop */
    c->m = arena_alloc(a, sizeof *c->m);
    c->m->name = name;
    c->m->loss_tensor = -1;
    graph_init(&c->m->forward, "forward");
    c->g = &c->m->forward;
    c->init = arena_alloc(a, sizeof(double *) * 64);
    c->rng = 0x9E3779B97F4A7C15ULL;
    for (const char *p = name; *p; p++) c->rng = (c->rng ^ (uint8_t)*p) * 0x100000001B3ULL;
    if (!c->rng) c->rng = 1;
    return c;
}

static inline int check_tensor(Check *c, const char *name, TensorKind kind, DType t, Shape s) {
    int i = model_add_tensor(c->a, c->m, (Tensor){.name = name, .kind = kind, .dtype = t, .shape = s,
                                                   .param = -1});
    if (i >= 64) die("gradcheck: too many tensors");
    c->init[i] = arena_alloc(c->a, sizeof(double) * (size_t)(shape_count(s) + 1));
    return i;
}

/* Values in [lo, hi], or with magnitude in [lo, hi] and a random sign if
 * signed_ (keeps kinks at 0 out of reach). */
static inline void check_fill(Check *c, int t, double lo, double hi, bool signed_) {
    int64_t n = shape_count(c->m->tensors[t].shape);
    for (int64_t i = 0; i < n; i++) {
        double v = check_uniform(c, lo, hi);
        c->init[t][i] = signed_ && check_uniform(c, 0, 1) < 0.5 ? -v : v;
    }
}

/* A parameter with values of magnitude in [0.2, 1.5], random sign; returns its load. */
static inline int check_param(Check *c, const char *name, Shape s) {
    int t = check_tensor(c, name, TK_PARAM, DT_F32, s);
    check_fill(c, t, 0.2, 1.5, true);
    return graph_load(c->a, c->g, c->m, t);
}

/* A parameter with values in [lo, hi]. */
static inline int check_param_in(Check *c, const char *name, Shape s, double lo, double hi) {
    int t = check_tensor(c, name, TK_PARAM, DT_F32, s);
    check_fill(c, t, lo, hi, false);
    return graph_load(c->a, c->g, c->m, t);
}

static inline int check_input_in(Check *c, const char *name, Shape s, double lo, double hi) {
    int t = check_tensor(c, name, TK_INPUT, DT_F32, s);
    check_fill(c, t, lo, hi, false);
    return graph_load(c->a, c->g, c->m, t);
}

/* An i32 input holding `values`. */
static inline int check_labels(Check *c, const char *name, Shape s, const int *values) {
    int t = check_tensor(c, name, TK_INPUT, DT_I32, s);
    for (int64_t i = 0; i < shape_count(s); i++) c->init[t][i] = values[i];
    return graph_load(c->a, c->g, c->m, t);
}

static inline int check_literal(Check *c, Shape s, double lo, double hi) {
    int64_t n = shape_count(s);
    double *w = arena_alloc(c->a, sizeof(double) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) w[i] = check_uniform(c, lo, hi);
    return graph_node_shaped(c->a, c->g, OP_LITERAL, NULL, 0, (Attr){.data = w}, DT_F32, s);
}

static inline void check_reset(Check *c, TensorStore *s) {
    for (int i = 0; i < c->m->ntensors; i++)
        if (c->init[i])
            memcpy(s->values[i], c->init[i], sizeof(double) * (size_t)shape_count(c->m->tensors[i].shape));
}

static inline double check_loss(Check *c, TensorStore *s) {
    Arena *scratch = arena_new();
    check_reset(c, s);
    interp_run(scratch, c->m, &c->m->forward, s);
    arena_free(scratch);
    return s->values[c->m->loss_tensor][0];
}

/* loss = SUM(out * W); autodiff; compare grads with finite differences. */
static inline void check_finish(Check *c, int out) {
    Shape os = c->g->nodes[out].shape;
    int weighted = graph_binary(c->a, c->g, OP_MUL, out, check_literal(c, os, -1, 1));
    int loss = graph_reduce(c->a, c->g, OP_SUM, weighted, os.rank ? (1u << os.rank) - 1 : 0, false);
    int lt = check_tensor(c, "loss", TK_LOSS, DT_F32, (Shape){0});
    c->init[lt] = NULL;
    c->m->loss_tensor = lt;
    graph_store(c->a, c->g, lt, loss);
    model_verify(c->m);
    autodiff_model(c->a, c->m);
    model_verify(c->m);

    TensorStore *s = store_new(c->a, c->m);
    Arena *scratch = arena_new();
    check_reset(c, s);
    interp_run(scratch, c->m, &c->m->gradients, s);
    arena_free(scratch);
    int nparams = 0, bad = 0;
    const double h = 1e-6, tol = 1e-6;
    for (int p = 0; p < c->m->ntensors; p++) {
        if (c->m->tensors[p].kind != TK_PARAM) continue;
        nparams++;
        int gt = -1;
        for (int t = 0; t < c->m->ntensors; t++)
            if (c->m->tensors[t].kind == TK_GRAD && c->m->tensors[t].param == p) gt = t;
        if (gt < 0) { printf("FAIL %s: no grad tensor for %s\n", c->name, c->m->tensors[p].name); bad++; continue; }
        int64_t n = shape_count(c->m->tensors[p].shape);
        double *grad = s->values[gt];
        for (int64_t i = 0; i < n; i++) {
            double v = c->init[p][i];
            c->init[p][i] = v + h;
            double lp = check_loss(c, s);
            c->init[p][i] = v - h;
            double lm = check_loss(c, s);
            c->init[p][i] = v;
            double fd = (lp - lm) / (2 * h);
            if (!(fabs(grad[i] - fd) <= tol * (1 + fabs(fd)))) {
                if (bad < 5)
                    printf("FAIL %s: d loss / d %s[%lld] = %.10g, finite difference %.10g\n", c->name,
                           c->m->tensors[p].name, (long long)i, grad[i], fd);
                bad++;
            }
        }
    }
    if (nparams == 0) { printf("FAIL %s: no parameters\n", c->name); bad++; }
    check_count++;
    if (bad) check_failures++;
    else printf("ok   %s\n", c->name);
    arena_free(c->a);
}

static inline int check_summary(void) {
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
