#!/usr/bin/env bash
# pow_edges.test.sh: pow(x, p) and x ** p of the compiled code at the edges of
# f32 (NaN, +-inf, +-0, huge, denormal, negative bases) against C's powf, the
# oracle: a non-finite or zero result must be the same value (sign included),
# a finite one agree to 1e-5 relative (the kernel's exp and log are polynomial
# approximations).  pow(-inf, 1.5) was NaN before dmk_powf read the sign bit.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/pw.dm" <<'DM'
model pw {
  input a : f32[14]
  output p15 = pow(a, 1.5)
  output pm05 = a ** -0.5
  output p3 = a ** 3
  output pm1 = pow(a, -1)
  output p25 = a ** 2.5
}
DM
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include "pw.h"
static const float A[14] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, 1e18f, -1e18f, 1e-40f, -1e-40f,
                            88.5f, -3.0f, 0.25f, 2.0f, -2.0f};
static int fails;
static void check(const char *what, const float *got, float p) {
    for (int i = 0; i < 14; i++) {
        float want = powf(A[i], p), g = got[i];
        int same = (isnan(want) && isnan(g)) ||
                   (isfinite(want) && want != 0 ? fabsf(g - want) <= 1e-5f * fabsf(want)
                                                : g == want && signbit(g) == signbit(want));
        if (!same) { printf("FAILED %s(%g): got %g, powf gives %g\n", what, A[i], g, want); fails++; }
    }
}
int main(void) {
    dm_model *m = dm_new(&pw_model, 1);
    for (int i = 0; i < 14; i++) pw_a(m)[i] = A[i];
    if (!m || dm_forward(m) != 0) { printf("forward failed\n"); return 1; }
    check("pow 1.5", pw_p15(m), 1.5f);
    check("** -0.5", pw_pm05(m), -0.5f);
    check("** 3", pw_p3(m), 3.0f);
    check("pow -1", pw_pm1(m), -1.0f);
    check("** 2.5", pw_p25(m), 2.5f);
    dm_free(m);
    return fails != 0;
}
C
"$B/dmc" "$tmp/pw.dm" -o "$tmp/pw.o"
cc -std=c11 -Iruntime -I"$tmp" -o "$tmp/pw" "$tmp/main.c" "$tmp/pw.o" "$B/libdmrt.a" -lm -lpthread
"$tmp/pw"
