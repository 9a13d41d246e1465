#!/usr/bin/env bash
# name.test.sh: --name=NAME (issue 11, 2.5).  One model at two batch sizes
# in one program: tests/cli/serve.dm's `fit` compiled for training at
# -D batch=4 and for inference at -D batch=1 --no-train --name=fit_one; both
# objects link together.  The program trains fit, saves, loads the
# checkpoint into fit_one (same parameter names) and checks that each row's
# probabilities equal the training object's forward entry on the batch.
# Also: fit_one's descriptor and header carry the new name and list only the
# forward entry's tensors (no label y, no loss, no state); --name on a file
# with several models needs --model; a bad NAME is a usage error.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" --model=fit -D batch=4 tests/cli/serve.dm -o "$tmp/fit.o"
"$B/dmc" --model=fit -D batch=1 --no-train --name=fit_one tests/cli/serve.dm -o "$tmp/fit_one.o"
grep -q 'extern const dm_model_desc fit_one_model;' "$tmp/fit_one.h"
grep -q '#define fit_one_x_DIM0 1$' "$tmp/fit_one.h"
! grep -qE 'fit_one_y|loss|rng/|opt/|fit_model' "$tmp/fit_one.h"
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fit.h"
#include "fit_one.h"
static int bad;
static void check(int ok, const char *what) {
    if (!ok) printf("failed: %s (%s)\n", what, dm_last_error()), bad = 1;
}
int main(int argc, char **argv) {
    (void)argc;
    static const float xs[12] = {1, -2, 0.5f, 0.3f, 0.7f, -1, -0.4f, 1.5f, 2, 0.9f, 0.1f, -0.6f};
    dm_model *f = dm_new(&fit_model, 1), *one = dm_new(&fit_one_model, 2);
    check(f && one, "dm_new");
    check(strcmp(fit_one_model.name, "fit_one") == 0 && strcmp(fit_model.name, "fit") == 0, "descriptor names");
    check(fit_one_model.train_step == NULL && fit_one_model.forward != NULL, "fit_one has a forward entry only");
    /* fit_one: the four parameters of fit, the input x and the output probs. */
    check(fit_one_model.ntensors == 6, "six tensors");
    const char *names[] = {"dense_0.W", "dense_0.b", "logits.W", "logits.b", "x", "probs"};
    for (int i = 0; i < 6; i++) check(dm_tensor(one, names[i]) != NULL, names[i]);
    check(dm_tensor(one, "y") == NULL && dm_tensor(one, "loss") == NULL && dm_tensor(one, "rng/dropout") == NULL,
          "no y, loss or rng/dropout");
    memcpy(fit_x(f), xs, sizeof xs);
    int32_t *y = fit_y(f);
    y[0] = 1, y[1] = 0, y[2] = 1, y[3] = 0;
    for (int i = 0; i < 3; i++) check(dm_train_step(f, NULL) == 0, "train step");
    check(dm_save(f, argv[1]) == 0, "dm_save");
    check(dm_load(one, argv[1]) == 0, "fit_one loads fit's checkpoint");
    check(dm_forward(f) == 0, "forward of fit");
    for (int r = 0; r < 4; r++) {
        memcpy(fit_one_x(one), xs + 3 * r, 3 * sizeof(float));
        check(dm_forward(one) == 0, "forward of fit_one");
        for (int c = 0; c < 2; c++)
            check(fabsf(fit_one_probs(one)[c] - fit_probs(f)[2 * r + c]) < 1e-6f, "fit_one's row = fit's row");
    }
    dm_free(f), dm_free(one);
    if (!bad) printf("ok: one model at batch 4 and batch 1 in one program\n");
    return bad;
}
C
cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/fit.o" "$tmp/fit_one.o" \
   "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main" "$tmp/fit.st"
# Several models: --name needs --model (exit 2, no output).
rc=0; "$B/dmc" --name=x tests/cli/serve.dm -o "$tmp/x.o" 2>"$tmp/err" || rc=$?
[ $rc = 2 ] && grep -q "defines 2 (fit, serve); pick one with --model" "$tmp/err" && [ ! -e "$tmp/x.o" ] ||
    { echo "exit $rc"; cat "$tmp/err"; exit 1; }
for bad in 1x a-b dm_x ''; do
    rc=0; "$B/dmc" --name="$bad" --model=fit tests/cli/serve.dm -o "$tmp/x.o" 2>"$tmp/err" || rc=$?
    [ $rc = 2 ] || { echo "--name='$bad': exit $rc"; exit 1; }
done
echo ok
