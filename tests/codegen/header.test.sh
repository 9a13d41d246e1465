#!/usr/bin/env bash
# header.test.sh: the object and header as a C user sees them.  Compiles
# tests/codegen/two_models.dm, builds a C program against the header with
# -Wall -Wextra -Werror (symbols, size macros), links it with libdmrt and
# checks the forward entries against hand arithmetic; also checks that
# --emit=asm, --emit=llvm and --emit=header write their files, a cross
# object, and --stats.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" tests/codegen/two_models.dm -o "$tmp/two.o"
test -s "$tmp/two.o" && test -s "$tmp/two.h"
grep -q 'extern const dm_model_desc first_model;' "$tmp/two.h"
grep -q 'extern const dm_model_desc second_model;' "$tmp/two.h"
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "two.h"
_Static_assert(second_x_COUNT == 33, "x has 33 elements");
_Static_assert(first_x_DIM0 == 3 && first_x_DIM1 == 7, "x is [3, 7]");
int main(void) {
    int bad = 0;
    if (first_model.train_step == NULL || second_model.train_step != NULL || second_model.forward == NULL) bad |= 1;
    if (first_model.data_size != first_DATA_SIZE) bad |= 2;
    dm_model *m = dm_new(&second_model, 1);
    float *x = dm_data(m, "x");
    int *k = dm_data(m, "k");
    for (int i = 0; i < 33; i++) x[i] = (float)i * 0.25f, k[i] = i % 3;
    if (dm_forward(m) != 0) bad |= 4;
    /* s = ones, one_hot rows sum to 1: a = b = x + 1 */
    float *a = dm_data(m, "a"), *b = dm_data(m, "b");
    for (int i = 0; i < 33; i++)
        if (a[i] != (float)i * 0.25f + 1 || b[i] != a[i]) bad |= 8;
    dm_free(m);
    m = dm_new(&first_model, 1);
    float *w = dm_data(m, "w"), *fx = dm_data(m, "x");
    memset(fx, 0, sizeof(float) * 21);
    for (int i = 0; i < 7; i++) w[i] = 0.5f;
    fx[0] = 1, fx[7] = 1, fx[8] = 1;     /* rows: 0.5, 1.0, 0 */
    if (dm_forward(m) != 0) bad |= 16;
    float *p = dm_data(m, "p");
    /* sigmoid(0.5) = 0.6224593312, sigmoid(1) = 0.7310585786, sigmoid(0) = 0.5 */
    if (fabsf(p[0] - 0.6224593312f) > 1e-6f || fabsf(p[1] - 0.7310585786f) > 1e-6f || fabsf(p[2] - 0.5f) > 1e-6f) bad |= 32;
    dm_free(m);
    if (bad) printf("failed checks: %#x\n", bad);
    return bad != 0;
}
C
cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/two.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main"
"$B/dmc" --emit=asm tests/codegen/two_models.dm -o "$tmp/two.s" && grep -q second_forward "$tmp/two.s"
"$B/dmc" --emit=llvm tests/codegen/two_models.dm -o "$tmp/two.ll" && grep -q 'define .*@first_train_step(' "$tmp/two.ll"
"$B/dmc" --emit=header tests/codegen/two_models.dm -o "$tmp/h.h" && cmp "$tmp/h.h" "$tmp/two.h"
"$B/dmc" --target=aarch64-linux-gnu tests/codegen/conv_odd.dm -o "$tmp/a64.o" && test -s "$tmp/a64.o"
# --stats: the memory plan and the per-node table of every entry.
"$B/dmc" --stats tests/codegen/two_models.dm -o "$tmp/s.o" 2>"$tmp/stats"
grep -q '^model first: data region' "$tmp/stats" && grep -q 'entry train_step' "$tmp/stats" &&
    grep -q 'matmul' "$tmp/stats" && grep -q 'total: ' "$tmp/stats"
echo ok
