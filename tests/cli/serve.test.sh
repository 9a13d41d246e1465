#!/usr/bin/env bash
# serve.test.sh: a model with dropout serves from its own training
# checkpoint, and trains on from an inference checkpoint (issue 11, 2.1).
# tests/cli/serve.dm holds `fit` (dropout, Adam) and `serve` (no loss, the
# same parameters).  The C program trains `fit` a few steps, saves, and
#  1. `serve` (the inference model of the same file) and `fit` compiled with
#     --no-train both load that checkpoint (its opt/* and rng/* are ignored)
#     and hold no state tensor; their probabilities equal a plain C
#     evaluation of relu(x W1 + b1) W2 + b2 and softmax from the saved
#     parameters (dropout is the identity in inference), and the training
#     object's own forward entry;
#  2. `fit` loads the parameters-only checkpoint `serve` writes: the
#     parameters are the trained ones, the optimizer and generator state are
#     fresh (opt/step 0, opt/lr 0.01, rng/dropout as a new instance has it).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" tests/cli/serve.dm -o "$tmp/serve.o"
mkdir "$tmp/inf"
"$B/dmc" --no-train -D batch=1 --model=fit tests/cli/serve.dm -o "$tmp/inf/fit_inf.o"
# The --no-train object defines fit_* too: give it its own program.
for program in serve fit_inf; do
cat > "$tmp/$program.c" <<C
#include <math.h>
#include <stdio.h>
#include <string.h>
#define INFER_$program 1
#ifdef INFER_serve
#include "serve.h"
#define INFER (&serve_model)
#define TRAIN (&fit_model)
#define HAS_TRAIN 1
#else
#include "fit_inf.h"
#define INFER (&fit_model)
#define HAS_TRAIN 0
#endif
static int bad;
static void check(int ok, const char *what) {
    if (!ok) printf("failed: %s (%s)\n", what, dm_last_error()), bad = 1;
}
static float *get(dm_model *m, const char *name) {
    float *p = dm_data(m, name);
    if (!p) printf("no tensor %s: %s\n", name, dm_last_error()), bad = 1;
    return p;
}
/* The oracle: relu(x W1 + b1) W2 + b2, softmax, in double. */
static void reference(dm_model *m, const float *x, double probs[2]) {
    float *w1 = get(m, "dense_0.W"), *b1 = get(m, "dense_0.b"), *w2 = get(m, "logits.W"), *b2 = get(m, "logits.b");
    double h[5], z[2];
    for (int j = 0; j < 5; j++) {
        h[j] = b1[j];
        for (int k = 0; k < 3; k++) h[j] += (double)x[k] * w1[k * 5 + j];
        if (h[j] < 0) h[j] = 0;
    }
    for (int c = 0; c < 2; c++) {
        z[c] = b2[c];
        for (int j = 0; j < 5; j++) z[c] += h[j] * w2[j * 2 + c];
    }
    double mx = z[0] > z[1] ? z[0] : z[1], e0 = exp(z[0] - mx), e1 = exp(z[1] - mx);
    probs[0] = e0 / (e0 + e1), probs[1] = e1 / (e0 + e1);
}
int main(int argc, char **argv) {
    const char *trained = argv[1], *served = argv[2];
    (void)argc;
    static const float xs[12] = {1, -2, 0.5f, 0.3f, 0.7f, -1, -0.4f, 1.5f, 2, 0.9f, 0.1f, -0.6f};
    dm_model *s = dm_new(INFER, 9);
    check(s != NULL, "dm_new");
    const dm_model_desc *d = dm_desc(s);
    for (int i = 0; i < d->ntensors; i++)
        check(d->tensors[i].kind != DM_STATE && d->tensors[i].kind != DM_LOSS && d->tensors[i].kind != DM_GRAD,
              "an inference object holds parameters, inputs and outputs only");
    check(dm_load(s, trained) == 0, "the inference object loads the training checkpoint");
    for (int r = 0; r < 4; r++) {
        memcpy(get(s, "x"), xs + 3 * r, 3 * sizeof(float));
        check(dm_forward(s) == 0, "forward");
        double want[2];
        reference(s, xs + 3 * r, want);
        float *p = get(s, "probs");
        for (int c = 0; c < 2; c++) check(fabs(p[c] - want[c]) < 1e-6, "probs = the C evaluation");
    }
    check(dm_save(s, served) == 0, "dm_save of the inference object");
#if HAS_TRAIN
    {
        dm_model *f = dm_new(TRAIN, 1), *fresh = dm_new(TRAIN, 5), *g = dm_new(TRAIN, 5);
        check(dm_load(f, trained) == 0, "the training object reloads its checkpoint");
        memcpy(get(f, "x"), xs, sizeof xs);
        check(dm_forward(f) == 0, "training object's forward");
        for (int r = 0; r < 4; r++) {
            double want[2];
            reference(f, xs + 3 * r, want);
            for (int c = 0; c < 2; c++) check(fabs(get(f, "probs")[2 * r + c] - want[c]) < 1e-6, "training forward");
        }
        check(dm_load(g, served) == 0, "the training object loads the parameters-only checkpoint");
        const char *params[] = {"dense_0.W", "dense_0.b", "logits.W", "logits.b"};
        int counts[] = {15, 5, 10, 2};
        for (int k = 0; k < 4; k++)
            check(memcmp(get(g, params[k]), get(f, params[k]), counts[k] * sizeof(float)) == 0, "trained parameters");
        check(*get(g, "opt/step") == 0 && *get(f, "opt/step") == 3, "opt/step: fresh in g, 3 in f");
        check(dm_learning_rate(g) == 0.01f, "opt/lr back to 0.01");
        check(memcmp(dm_data(g, "rng/dropout"), dm_data(fresh, "rng/dropout"), 8) == 0, "rng/dropout of a new instance");
        check(*get(g, "opt/m/logits.b") == 0, "Adam's moments are zero");
        dm_free(f), dm_free(fresh), dm_free(g);
    }
#endif
    dm_free(s);
    if (!bad) printf("ok: $program\n");
    return bad;
}
C
done
# The trainer: fit, three Adam steps with dropout on, then saved.
cat > "$tmp/train.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "serve.h"
int main(int argc, char **argv) {
    (void)argc;
    static const float xs[12] = {1, -2, 0.5f, 0.3f, 0.7f, -1, -0.4f, 1.5f, 2, 0.9f, 0.1f, -0.6f};
    dm_model *f = dm_new(&fit_model, 1);
    memcpy(dm_data(f, "x"), xs, sizeof xs);
    int *y = dm_data(f, "y");
    y[0] = 1, y[1] = 0, y[2] = 1, y[3] = 0;
    for (int i = 0; i < 3; i++)
        if (dm_train_step(f, NULL) != 0) return printf("%s\n", dm_last_error()), 1;
    if (dm_save(f, argv[1]) != 0) return printf("%s\n", dm_last_error()), 1;
    dm_free(f);
    return 0;
}
C
CC="cc -std=c11 -Wall -Wextra -Werror -Iruntime"
$CC -I"$tmp" "$tmp/train.c" "$tmp/serve.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/train"
$CC -I"$tmp" "$tmp/serve.c" "$tmp/serve.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/serve"
$CC -I"$tmp/inf" "$tmp/fit_inf.c" "$tmp/inf/fit_inf.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/fit_inf"
"$tmp/train" "$tmp/trained.st"
"$tmp/serve" "$tmp/trained.st" "$tmp/served.st"
"$tmp/fit_inf" "$tmp/trained.st" "$tmp/served_inf.st"
