#!/usr/bin/env bash
# The schedulable learning rate ("opt/lr", dm_set_learning_rate): it starts
# at the .dm file's value; an SGD apply then moves a parameter by exactly
# -lr * grad with the rate set at run time (the oracle: that formula, on the
# gradient the model itself reports); bad rates and models without an
# optimizer are refused with an error code.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" examples/logreg/logreg.dm -o "$tmp/logreg.o"
"$B/dmc" --no-train -D batch=1 examples/fashion_mlp/fashion_mlp.dm -o "$tmp/mlp.o"
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include "logreg.h"
#include "mlp.h"
int main(void) {
    dm_model *m = dm_new(&logreg_model, 0);
    float *x = dm_data(m, "x"), *y = dm_data(m, "y"), *W = dm_data(m, "W"), loss;
    for (int i = 0; i < 8; i++) x[i] = 0.5f * i;
    y[0] = 0, y[1] = 1, y[2] = 1, y[3] = 0;
    if (dm_learning_rate(m) != 0.01f) { printf("initial rate %g\n", dm_learning_rate(m)); return 1; }
    if (dm_set_learning_rate(m, 0.25f) != 0 || dm_learning_rate(m) != 0.25f) return 2;
    if (dm_gradients(m, &loss) != 0) return 3;
    float w0 = W[0], g0 = dm_grad(m, "W")[0];
    if (dm_apply(m) != 0) return 4;
    float want = w0 - 0.25f * g0;
    if (fabsf(W[0] - want) > 1e-7f * fabsf(want) || g0 == 0) { printf("W %g, want %g\n", W[0], want); return 5; }
    if (dm_set_learning_rate(m, -1) != DM_EINVAL || dm_set_learning_rate(m, NAN) != DM_EINVAL) return 6;
    if (dm_learning_rate(m) != 0.25f) return 7;
    dm_model *inf = dm_new(&mlp_model, 0);
    if (dm_set_learning_rate(inf, 0.1f) != DM_EUNSUPPORTED || !isnan(dm_learning_rate(inf))) return 8;
    printf("ok: %s\n", dm_last_error());
    dm_free(inf);
    dm_free(m);
    return 0;
}
C
cc -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/logreg.o" "$tmp/mlp.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/lr"
"$tmp/lr"
