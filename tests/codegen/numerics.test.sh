#!/usr/bin/env bash
# numerics.test.sh: --check-numerics.  tests/codegen/numerics.dm has a NaN
# loss (log of -1): the train step and gradients entries must return
# DM_ENUMERIC and the train step must leave the parameter and the optimizer
# state as they were; built without the flag, the step runs and returns 0.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "numerics.h"
int main(int argc, char **argv) {
    int checked = argc > 1;
    dm_model *m = dm_new(&numerics_model, 1);
    float *x = dm_data(m, "x"), *p = dm_data(m, "p"), loss;
    x[0] = x[1] = x[2] = 1;
    int rc = dm_train_step(m, &loss);
    int bad = 0;
    if (checked) {
        if (rc != DM_ENUMERIC) bad |= 1;
        if (p[0] != 1 || p[1] != -1 || p[2] != 2) bad |= 2;        /* unchanged */
        const dm_tensor_desc *d = numerics_model.tensors;
        for (int i = 0; i < numerics_model.ntensors; i++)        /* adam's m, v and step still zero */
            if (d[i].kind == DM_STATE && d[i].dtype == DM_F32 && strcmp(d[i].name, "opt/lr") != 0)
                for (int k = 0; k < d[i].count; k++)
                    if (((float *)dm_data(m, d[i].name))[k] != 0) bad |= 4;
        if (dm_gradients(m, &loss) != DM_ENUMERIC) bad |= 8;
    } else {
        if (rc != 0 || !isnan(loss)) bad |= 16;
    }
    if (bad) printf("failed checks %#x (rc %d)\n", bad, rc);
    dm_free(m);
    return bad != 0;
}
C
for flag in "" --check-numerics; do
    "$B/dmc" $flag tests/codegen/numerics.dm -o "$tmp/numerics.o"
    cc -std=c11 -Wall -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/numerics.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
    "$tmp/main" $flag
done
echo ok
