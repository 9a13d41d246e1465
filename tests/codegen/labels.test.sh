#!/usr/bin/env bash
# labels.test.sh: class indices outside [0, classes) (tests/codegen/labels.dm).
# For each bad label (3 of 3 classes, -1, 1000000, the float bits 1.0f =
# 0x3f800000 written into the i32 buffer, a bad cell of a matrix, a bad
# computed label y + 1) every entry that reads it (train_step, gradients,
# forward through one_hot) must return DM_ERANGE, name the labels, the
# element and the value in dm_last_error(), and leave every tensor
# (parameters, gradients, optimizer state, outputs, loss) byte for byte as it
# was; a forward entry that does not read the labels runs.  With the labels in range again the instance trains on: its loss is
# the loss of a fresh instance, and both are PyTorch's cross_entropy.
# Another target's run (tests/cross/windows.test.sh): LABELS_TARGET (dmc's
# --target), LABELS_CC, LABELS_RUNTIME (that target's libdmrt.a),
# LABELS_RUN (the emulator) and LABELS_EXE (the program suffix: .exe).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "labels.h"

static const float X[8] = {1, 2, -1, 0.5f, 0.3f, -2, 0, 1};
static int fails;
#define CHECK(c, ...) do { if (!(c)) { printf("FAILED %s: ", #c); printf(__VA_ARGS__); printf("\n"); fails++; } } while (0)

/* Every tensor's bytes, concatenated in descriptor order. */
static size_t snapshot(dm_model *m, unsigned char *buf) {
    const dm_model_desc *d = dm_desc(m);
    size_t n = 0;
    for (int i = 0; i < d->ntensors; i++) {
        memcpy(buf + n, dm_data(m, d->tensors[i].name), d->tensors[i].bytes);
        n += d->tensors[i].bytes;
    }
    return n;
}

static void fill(dm_model *m, const int *y) {
    memcpy(dm_data(m, "x"), X, sizeof X);
    memcpy(dm_data(m, "y"), y, 4 * sizeof *y);
    if (dm_tensor(m, "grid")) {
        static const int grid[6] = {0, 1, 2, 3, 4, 0};
        memcpy(dm_data(m, "grid"), grid, sizeof grid);
    }
}

/* Every entry reading the labels refuses and changes nothing.  x changes
 * too, so that an output computed before the check would differ. */
static void refused(dm_model *m, int with_forward, const char *want) {
    static unsigned char before[1 << 16], after[1 << 16];
    ((float *)dm_data(m, "x"))[0] += 1;
    size_t n = snapshot(m, before);
    float loss = 12345;
    const char *names[] = {"dm_train_step", "dm_gradients", "dm_forward"};
    for (int e = 0; e < 2 + with_forward; e++) {
        int rc = e == 0 ? dm_train_step(m, &loss) : e == 1 ? dm_gradients(m, &loss) : dm_forward(m);
        CHECK(rc == DM_ERANGE, "%s returned %d", names[e], rc);
        CHECK(strstr(dm_last_error(), names[e]) && strstr(dm_last_error(), want), "%s: '%s' lacks '%s'", names[e],
              dm_last_error(), want);
        CHECK(loss == 12345, "%s wrote the loss", names[e]);
        CHECK(snapshot(m, after) == n && memcmp(before, after, n) == 0, "%s changed a tensor", names[e]);
    }
}

int main(void) {
    static const int good[4] = {0, 2, 1, 2};
    /* One valid step first, so that gradients, optimizer state and outputs hold values a failed call could spoil. */
    dm_model *m = dm_new(&labels_model, 7), *fresh = dm_new(&labels_model, 7);
    fill(m, good);
    fill(fresh, good);
    float first, again, later;
    CHECK(dm_train_step(m, &first) == 0, "%s", dm_last_error());
    CHECK(dm_train_step(fresh, &again) == 0 && first == again, "%g %g", first, again);
    struct { int at, value; const char *want; } bad[] = {
        {3, 3, "input 'y' holds 3 at [3], not a class index in [0, 3)"},
        {0, -1, "input 'y' holds -1 at [0], not a class index in [0, 3)"},
        {2, 1000000, "input 'y' holds 1000000 at [2], not a class index in [0, 3)"},
        {1, 0x3f800000, "input 'y' holds 1065353216 at [1], not a class index in [0, 3) (the bits of the float 1: a float stored into an i32 buffer?)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int *y = dm_data(m, "y");
        memcpy(y, good, sizeof good);
        if (bad[k].value == 0x3f800000) ((float *)y)[bad[k].at] = 1.0f;   /* the C mistake itself */
        else y[bad[k].at] = bad[k].value;
        refused(m, 1, bad[k].want);
    }
    /* A bad cell of the matrix (one_hot through a reshape, 5 classes): its index in the input's shape. */
    fill(m, good);
    ((int *)dm_data(m, "grid"))[4] = 5;
    refused(m, 1, "input 'grid' holds 5 at [1, 1] (element 4), not a class index in [0, 5)");
    /* In range again: the instance trains on as the fresh one does. */
    fill(m, good);
    CHECK(dm_train_step(m, &later) == 0 && dm_train_step(fresh, &again) == 0 && later == again, "%g %g", later, again);
    printf("loss %.9g\n", first);
    const float *hot = dm_data(m, "hot");
    for (int i = 0; i < 12; i++) CHECK(hot[i] == (i % 3 == good[i / 3]), "hot[%d] = %g", i, hot[i]);

    /* Computed labels y + 1 (4 classes): y = 3 and y = -2 are bad. */
    dm_model *s = dm_new(&shifted_model, 7);
    static const int sgood[4] = {-1, 2, 0, 1};
    fill(s, sgood);
    CHECK(dm_train_step(s, &first) == 0, "%s", dm_last_error());
    printf("shifted %.9g\n", first);
    ((int *)dm_data(s, "y"))[2] = 3;
    refused(s, 0, "the labels of softmax_cross_entropy at tests/codegen/labels.dm:");
    refused(s, 0, "holds 4 at [2], not a class index in [0, 4)");
    ((int *)dm_data(s, "y"))[2] = -2;
    refused(s, 0, "holds -1 at [2], not a class index in [0, 4)");
    /* Its forward entry does not read y: the labels are not its business. */
    CHECK(dm_forward(s) == 0, "dm_forward of shifted: %s", dm_last_error());
    dm_free(m), dm_free(fresh), dm_free(s);
    return fails != 0;
}
C
"$B/dmc" ${LABELS_TARGET:+--target=$LABELS_TARGET} tests/codegen/labels.dm -o "$tmp/labels.o"
${LABELS_CC:-cc} -std=c11 -Wall -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/labels.o" "${LABELS_RUNTIME:-$B/libdmrt.a}" \
    -lm -lpthread -o "$tmp/main${LABELS_EXE:-}"
${LABELS_RUN:-} "$tmp/main${LABELS_EXE:-}" > "$tmp/out" || { cat "$tmp/out"; exit 1; }
# The oracle: PyTorch's cross_entropy of the same logits (the first step's loss).
/usr/bin/python3 - "$tmp/out" <<'PY'
import sys, torch
got = dict(line.split() for line in open(sys.argv[1]))
x = torch.tensor([1, 2, -1, 0.5, 0.3, -2, 0, 1]).reshape(4, 2)
W3 = torch.tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]])
W4 = torch.tensor([[0.5, -1, 2, 0], [1.5, 0.25, -0.75, 1]])
want = {"loss": torch.nn.functional.cross_entropy(x @ W3, torch.tensor([0, 2, 1, 2])).item(),
        "shifted": torch.nn.functional.cross_entropy(x @ W4, torch.tensor([-1, 2, 0, 1]) + 1).item()}
for k, v in want.items():
    if abs(float(got[k]) - v) > 1e-5 * (1 + abs(v)):
        sys.exit(f"{k}: compiled {got[k]}, PyTorch {v}")
PY
echo ok
