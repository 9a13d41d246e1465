#!/usr/bin/env bash
# link.test.sh: models from two files (two models in each, with the same
# tensor names and both using the standard layer Dense) compiled to two
# objects and linked into ONE C program without clashes; every model runs
# and its numbers are checked against hand arithmetic (in the C comments).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" tests/cli/link_a.dm -o "$tmp/link_a.o"
"$B/dmc" tests/cli/link_b.dm -o "$tmp/link_b.o"
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include "link_a.h"
#include "link_b.h"
static int bad;
static void near(const char *what, float got, float want) {
    if (fabsf(got - want) > 1e-5f * (1 + fabsf(want))) { printf("%s: %g, expected %g\n", what, got, want); bad = 1; }
}
int main(void) {
    dm_model *a = dm_new(&affine_model, 7), *q = dm_new(&square_model, 7);
    dm_model *p = dm_new(&pool_model, 7), *f = dm_new(&fit_model, 7);
    if (!a || !q || !p || !f) { printf("dm_new failed: %s\n", dm_last_error()); return 1; }
    /* affine: x = [[1, 0, 1], [0, 1, 0]]; W = [[1,2],[3,4],[5,6]], b = [0.5, -0.5]
     * y = [[1+5+0.5, 2+6-0.5], [3+0.5, 4-0.5]] = [[6.5, 7.5], [3.5, 3.5]] */
    float *x = dm_data(a, "x");
    float xa[6] = {1, 0, 1, 0, 1, 0};
    for (int i = 0; i < 6; i++) x[i] = xa[i];
    if (dm_forward(a)) bad = 1;
    float *y = dm_data(a, "y");
    near("affine y0", y[0], 6.5f); near("affine y1", y[1], 7.5f);
    near("affine y2", y[2], 3.5f); near("affine y3", y[3], 3.5f);
    /* z = Dense(x, 4) = x @ z.W + z.b, recomputed from the parameters */
    float *zw = dm_data(a, "z.W"), *zb = dm_data(a, "z.b"), *z = dm_data(a, "z");
    if (!zw || !zb || !z) { printf("affine: no z.W, z.b or z\n"); return 1; }
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) {
            float s = zb[c];
            for (int k = 0; k < 3; k++) s += xa[r * 3 + k] * zw[k * 4 + c];
            near("affine z", z[r * 4 + c], s);
        }
    /* square: y = x * x */
    float *sx = dm_data(q, "x");
    for (int i = 0; i < 4; i++) sx[i] = (float)i - 1.5f;
    if (dm_forward(q)) bad = 1;
    float *sy = dm_data(q, "y");
    near("square y0", sy[0], 2.25f); near("square y3", sy[3], 2.25f); near("square y1", sy[1], 0.25f);
    /* pool: x = 0..15 as a 4x4 image; 2x2 blocks {0,1,4,5} {2,3,6,7} {8,9,12,13} {10,11,14,15}:
     * max = 5, 7, 13, 15; sums (kernel of ones, stride 2) = 10, 18, 42, 50 */
    float *px = dm_data(p, "x");
    for (int i = 0; i < 16; i++) px[i] = (float)i;
    if (dm_forward(p)) bad = 1;
    float *pm = dm_data(p, "m"), *ps = dm_data(p, "s");
    float want_m[4] = {5, 7, 13, 15}, want_s[4] = {10, 18, 42, 50};
    for (int i = 0; i < 4; i++) near("pool m", pm[i], want_m[i]), near("pool s", ps[i], want_s[i]);
    if (!dm_data(p, "d.W") || !dm_data(p, "d")) { printf("pool: no d.W or d\n"); bad = 1; }
    /* fit: x = [1, 2], t = [1, 1], w = 0.5: p = [0.5, 1], loss = ((0.5-1)^2 + 0)/2 = 0.125,
     * dloss/dw = mean(2 (p - t) x) = (2 * -0.5 * 1 + 0) / 2 = -0.5, w' = 0.5 - 0.1 * -0.5 = 0.55 */
    float *fx = dm_data(f, "x"), *ft = dm_data(f, "t");
    fx[0] = 1, fx[1] = 2, ft[0] = 1, ft[1] = 1;
    float loss = -1;
    if (dm_train_step(f, &loss)) bad = 1;
    near("fit loss", loss, 0.125f);
    near("fit w", *(float *)dm_data(f, "w"), 0.55f);
    dm_free(a); dm_free(q); dm_free(p); dm_free(f);
    if (!bad) printf("ok: four models from two files in one program\n");
    return bad;
}
C
cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/link_a.o" "$tmp/link_b.o" \
   "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main"
# --model picks one model of a file: the other's symbols are absent.
"$B/dmc" --model=square tests/cli/link_a.dm -o "$tmp/sq.o"
nm "$tmp/sq.o" | grep -q ' T square_forward'
! nm "$tmp/sq.o" | grep -q affine_
