#!/usr/bin/env bash
# guard.test.sh: the header's include guard is unique per model set, not
# taken from the file name (issue 11, 2.2).  a/model.dm (model alpha) and
# b/model.dm (model beta) give two model.h; one C program includes both (and
# each twice: the guard still guards), runs both models and checks them by
# hand arithmetic.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/a" "$tmp/b"
cat > "$tmp/a/model.dm" <<'DM'
model alpha {
  input x : f32[2]
  param w : f32[2] = [3, 4]
  output y = x * w
}
DM
cat > "$tmp/b/model.dm" <<'DM'
model beta {
  input x : f32[2]
  param w : f32[2] = [3, 4]
  output y = x + w
}
DM
"$B/dmc" "$tmp/a/model.dm" -o "$tmp/a/model.o"
"$B/dmc" "$tmp/b/model.dm" -o "$tmp/b/model.o"
ga=$(sed -n 's/^#ifndef //p' "$tmp/a/model.h"); gb=$(sed -n 's/^#ifndef //p' "$tmp/b/model.h")
[ "$ga" != "$gb" ] || { echo "both headers use the guard $ga"; exit 1; }
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include "a/model.h"
#include "b/model.h"
#include "a/model.h"
#include "b/model.h"
int main(void) {
    dm_model *a = dm_new(&alpha_model, 1), *b = dm_new(&beta_model, 1);
    float *ax = dm_data(a, "x"), *bx = dm_data(b, "x");
    ax[0] = bx[0] = 2, ax[1] = bx[1] = -1;
    if (dm_forward(a) || dm_forward(b)) return printf("%s\n", dm_last_error()), 1;
    float *ay = dm_data(a, "y"), *by = dm_data(b, "y");
    /* alpha: [2 * 3, -1 * 4] = [6, -4]; beta: [2 + 3, -1 + 4] = [5, 3] */
    if (ay[0] != 6 || ay[1] != -4 || by[0] != 5 || by[1] != 3)
        return printf("alpha %g %g, beta %g %g\n", ay[0], ay[1], by[0], by[1]), 1;
    dm_free(a), dm_free(b);
    printf("ok: alpha and beta from two model.h in one program\n");
    return alpha_x_COUNT + beta_y_COUNT != 4;
}
C
cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/a/model.o" "$tmp/b/model.o" \
   "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main"
