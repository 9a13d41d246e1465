#!/usr/bin/env bash
# gelu_accuracy.test.sh: the compiled exact gelu and its slope (math.c's
# dmk_geluf, dmk_gelu_slopef) over the whole float range against PyTorch's
# formulas in double precision (libm's erfc and exp, the oracle):
#   gelu(x) = x Phi(x), slope(x) = Phi(x) + x exp(-x^2/2) / sqrt(2 pi),
#   Phi(x) = erfc(-x / sqrt 2) / 2.
# The bounds are an absolute error in Phi of 2.5e-7: Abramowitz & Stegun
# 7.1.26 (PyTorch's vectorised erf) is within 1.5e-7 of erf, 7.5e-8 of Phi,
# and f32's roundings add a few 6e-8 (ulps of 0.5 to 1):
#   |gelu - ref| <= 2.5e-7 |x| + 2^-149   (the 2^-149: a denormal x's rounding)
#   |slope - ref| <= 2.5e-7
# and the non-finite values exactly: NaN -> NaN, gelu(inf) = inf,
# gelu(-inf) = -inf * 0 = NaN, slope(+-inf) = inf * 0 = NaN (ops.def).
# The largest error / bound (printed): 0.78 and 0.89 here, 0.91 and 0.96 over
# all 2^32 floats (main's erf-and-exp code before: 0.78 and 0.96 here, 0.94
# and 1.04 over all floats).
# The x are every 997th float bit pattern (4.3 million: every exponent, both
# signs, denormals, NaNs), a dense sweep of [-16, 16] and the edges (+-0,
# +-inf, NaN, the smallest denormal and normal, FLT_MAX, 10, 13.19 ...);
# GELU_STRIDE=1 checks all 2^32 bit patterns (slow).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/sweep.dm" <<'DM'
model sweep {
  param x : f32[65536]
  output y = gelu(x)
  loss sum(gelu(x))
  optimizer sgd(lr = 0.1)
}
DM
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"
enum { CHUNK = 65536 };
static double worst_gelu, worst_slope;   /* the largest error / bound */
static float worst_gelu_x, worst_slope_x;
static long checked, bad;

static void fail(const char *what, float x, float got, double want) {
    if (bad++ < 10) printf("%s(%.9g): %.9g, want %.9g\n", what, x, got, want);
}

static void check(float x, float gelu, float slope) {
    double xd = x, phi = 0.5 * erfc(-xd * 0.70710678118654752440);
    double want_gelu = xd * phi, want_slope = phi + xd * exp(-0.5 * xd * xd) * 0.39894228040143267794;
    checked++;
    if (isnan(want_gelu) || isinf(want_gelu)) {   /* exactly: NaN as NaN, an infinity as itself */
        if (!(isnan(want_gelu) ? isnan(gelu) : gelu == want_gelu)) fail("gelu", x, gelu, want_gelu);
    } else {
        double e = fabs(gelu - want_gelu) / (2.5e-7 * fabs(xd) + 0x1p-149);
        if (!(e <= 1)) fail("gelu", x, gelu, want_gelu);
        if (e > worst_gelu) worst_gelu = e, worst_gelu_x = x;
    }
    if (isnan(want_slope)) {
        if (!isnan(slope)) fail("slope", x, slope, want_slope);
    } else {
        double e = fabs(slope - want_slope) / 2.5e-7;
        if (!(e <= 1)) fail("slope", x, slope, want_slope);
        if (e > worst_slope) worst_slope = e, worst_slope_x = x;
    }
}

static void run(dm_model *m, float *xs, int n) {
    float loss, *x = dm_data(m, "x");
    memcpy(x, xs, n * sizeof *x);
    for (int i = n; i < CHUNK; i++) x[i] = 0;
    if (dm_forward(m) != 0 || dm_gradients(m, &loss) != 0) { printf("entry failed: %s\n", dm_last_error()); exit(1); }
    const float *y = dm_data(m, "y"), *g = dm_grad(m, "x");
    for (int i = 0; i < n; i++) check(xs[i], y[i], g[i]);
}

int main(int argc, char **argv) {
    uint64_t stride = strtoull(argv[1], NULL, 10);
    dm_model *m = dm_new(&sweep_model, 1);
    static float xs[CHUNK];
    int n = 0;
    union { uint32_t u; float f; } v;
    for (uint64_t u = 0; u < 1ull << 32; u += stride) {   /* the bit patterns */
        v.u = (uint32_t)u, xs[n++] = v.f;
        if (n == CHUNK) run(m, xs, n), n = 0;
    }
    static const float special[] = {INFINITY, -INFINITY, NAN, -NAN, 0.0f, -0.0f, 0x1p-149f, -0x1p-149f, 0x1p-126f,
                                    -0x1p-126f, 3.4028235e38f, -3.4028235e38f, 13.19f, -13.19f, 13.2f, -13.2f, 10, -10};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) xs[n++] = special[i];
    run(m, xs, n), n = 0;
    for (int k = -(16 << 16); k <= 16 << 16; k++) {   /* [-16, 16] by 2^-16 */
        xs[n++] = k * 0x1p-16f;
        if (n == CHUNK) run(m, xs, n), n = 0;
    }
    run(m, xs, n);
    printf("%ld values, %ld outside the bounds; largest error / bound: gelu %.3f (x = %.9g), slope %.3f (x = %.9g)\n",
           checked, bad, worst_gelu, worst_gelu_x, worst_slope, worst_slope_x);
    dm_free(m);
    return bad != 0;
}
C
"$B/dmc" "$tmp/sweep.dm" -o "$tmp/sweep.o"
cc -std=c11 -O2 -Wall -Iruntime -I"$tmp" "$tmp/main.c" "$tmp/sweep.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main" "${GELU_STRIDE:-997}"
