#!/usr/bin/env bash
# core.test.sh: the freestanding core (build/libdmrt_core.a, docs/runtime.md
# "The freestanding core").
#  1. What it needs from outside: nothing but the C library's string
#     functions and, for the random initialisers, libm's sqrt, log, sin, cos
#     and llrint (nm: every undefined symbol not defined in the archive).
#  2. A program linked with it and nothing else (no -lpthread) trains mlp in a
#     static buffer and ends with parameters and optimizer state bit-identical
#     to the same program linked with libdmrt.a: the core is the hosted
#     library's code (the oracle, tested against PyTorch by tests/torch/)
#     without its threads.  Errors are reported without stdio: a bad label's
#     message (with its %g), a NULL model, dm_threads 1 whatever is asked.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$B" "$B/libdmrt_core.a" "$B/libdmrt.a"

nm "$B/libdmrt_core.a" | awk '$1 ~ /^[0-9a-f]+$/ && $2 ~ /[TDBR]/ { print $3 }' | sort -u >"$tmp/defined"
nm -u "$B/libdmrt_core.a" | awk 'NF == 2 { print $2 }' | sort -u >"$tmp/undefined"
allowed="memcpy memmove memset strcmp strlen strncmp strstr sqrt log sin cos llrint _GLOBAL_OFFSET_TABLE_"
# Under make check-sanitize (DM_SANITIZE) the library is instrumented: the
# sanitizers' own entry points are its only other needs.
extra=$(comm -23 "$tmp/undefined" "$tmp/defined" | grep -vxF -f <(printf '%s\n' $allowed) |
        { if [ -n "${DM_SANITIZE:-}" ]; then grep -vE '^__(asan|ubsan|start_asan|stop_asan)' || true; else cat; fi } || true)
if [ -n "$extra" ]; then
    echo "FAILED: libdmrt_core.a needs $(echo $extra)"; exit 1
fi

"$B/dmc" -D batch=8 tests/torch/mlp.dm -o "$tmp/mlp.o"
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "mlp.h"

static unsigned char buf[mlp_MEMORY_SIZE] __attribute__((aligned(mlp_MEMORY_ALIGN)));

int main(void) {
    dm_model *m = dm_init(&mlp_model, buf, sizeof buf, 7);
    if (!m) { printf("dm_init: %s\n", dm_last_error()); return 1; }
    float *x = dm_data(m, "x");
    int *y = dm_data(m, "y");
    for (int i = 0; i < 8 * 784; i++) x[i] = (float)((i * 37) % 101) / 101.0f;
    for (int i = 0; i < 8; i++) y[i] = (i * 3) % 10;
    float loss = 0;
    for (int s = 0; s < 3; s++)
        if (dm_train_step(m, &loss) != 0) { printf("train: %s\n", dm_last_error()); return 1; }
    printf("loss %a\n", loss);
    for (int i = 0; i < dm_tensor_count(m); i++) { /* parameters and state, as bits */
        const dm_tensor_desc *t = dm_tensor_at(m, i);
        if (t->kind != DM_PARAM && t->kind != DM_STATE) continue;
        unsigned long h = 5381;
        const unsigned char *p = (const unsigned char *)buf + ((unsigned char *)dm_data(m, t->name) - buf);
        for (unsigned long k = 0; k < t->bytes; k++) h = h * 33 + p[k];
        printf("%s %lx\n", t->name, h);
    }
    printf("threads %d\n", dm_set_threads(m, 1) == 0 ? dm_threads(m) : -1);
    float bits = 3.0f;           /* a float stored into the labels: the message says so */
    memcpy(&y[5], &bits, 4);
    int rc = dm_train_step(m, &loss);
    printf("bad label: %d %s\n", rc, dm_last_error());
    printf("null: %d %s\n", dm_forward(NULL), dm_last_error());
    return 0;
}
C
cc -std=c11 -O1 -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/mlp.o" "$B/libdmrt_core.a" -lm -o "$tmp/core"
cc -std=c11 -O1 -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/mlp.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/hosted"
"$tmp/core" >"$tmp/core.out"
"$tmp/hosted" >"$tmp/hosted.out"
if ! cmp -s "$tmp/core.out" "$tmp/hosted.out"; then
    echo "FAILED: the core and the hosted library differ:"; diff "$tmp/hosted.out" "$tmp/core.out" | head; exit 1
fi
grep -q "^bad label: -9 dm_train_step: model 'mlp': input 'y' holds 1077936128 at \[5\], not a class index in \[0, 10) (the bits of the float 3:" "$tmp/core.out" ||
    { echo "FAILED: bad label message:"; grep "bad label" "$tmp/core.out"; exit 1; }
grep -q "^null: -1 dm_forward: NULL model" "$tmp/core.out" || { echo "FAILED: NULL model message"; exit 1; }
echo ok
