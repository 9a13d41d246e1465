#!/usr/bin/env bash
# accessors.test.sh: the header's typed accessors (issue 11, 3).
# 1. A C program (-Wall -Wextra -Werror) fills an f32 input, an i32 label
#    input and a parameter through acc_x, acc_y, acc_w, runs dm_gradients
#    and reads acc_probs and acc_grad_w: the values are checked against hand
#    arithmetic, and each accessor returns what dm_data returns by name; an
#    instance of another model gives NULL.
# 2. `float *p = acc_y(m)` (a float buffer for the i32 labels) does not
#    compile with -Werror=incompatible-pointer-types, while the same line
#    with int32_t compiles.
# 3. A --no-train header has accessors for what the forward entry uses only.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/acc.dm" <<'DM'
model acc {
  input x : f32[3, 2]
  input y : i32[3]
  param w : f32[2, 2]
  logits = x @ w
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.5)
}
model other {
  input x : f32[2]
  output y = x * 2
}
DM
"$B/dmc" "$tmp/acc.dm" -o "$tmp/acc.o"
cat > "$tmp/main.c" <<'C'
#include <math.h>
#include <stdio.h>
#include "acc.h"
static int bad;
static void near(const char *what, float got, double want) {
    if (fabs(got - want) > 1e-6) printf("%s: %.7f, expected %.7f\n", what, got, want), bad = 1;
}
int main(void) {
    dm_model *m = dm_new(&acc_model, 1), *o = dm_new(&other_model, 1);
    float *x = acc_x(m), *w = acc_w(m);
    int32_t *y = acc_y(m);
    if (x != dm_data(m, "x") || (void *)y != dm_data(m, "y") || w != dm_data(m, "w") ||
        acc_probs(m) != dm_data(m, "probs") || acc_grad_w(m) != dm_grad(m, "w"))
        printf("an accessor disagrees with dm_data\n"), bad = 1;
    if (acc_x(o) != NULL || other_x(m) != NULL) printf("an accessor of another model's instance\n"), bad = 1;
    /* x = [[1, 0], [0, 1], [0, 0]], w = I: logits = x; y = [0, 0, 1] */
    const float xs[6] = {1, 0, 0, 1, 0, 0}, ws[4] = {1, 0, 0, 1};
    for (int i = 0; i < 6; i++) x[i] = xs[i];
    for (int i = 0; i < 4; i++) w[i] = ws[i];
    y[0] = 0, y[1] = 0, y[2] = 1;
    float loss = 0;
    if (dm_gradients(m, &loss) != 0) return printf("%s\n", dm_last_error()), 1;
    /* loss = (log(1 + e^-1) + log(1 + e) + log 2) / 3 = (0.3132617 + 1.3132617 + 0.6931472) / 3 */
    near("loss", loss, 0.7732235);
    /* probs row 0 = softmax([1, 0]) = [0.7310586, 0.2689414] */
    near("probs[0]", acc_probs(m)[0], 0.7310586);
    near("probs[1]", acc_probs(m)[1], 0.2689414);
    /* dw = x^T (p - onehot(y)) / 3: row 0 from sample 0: [-0.2689414, 0.2689414] / 3,
     * row 1 from sample 1: [0.2689414 - 1, 0.7310586] / 3 */
    float *g = acc_grad_w(m);
    near("dw00", g[0], -0.0896471); near("dw01", g[1], 0.0896471);
    near("dw10", g[2], -0.2436862); near("dw11", g[3], 0.2436862);
    other_x(o)[0] = 1.5f, other_x(o)[1] = -2;
    if (dm_forward(o) != 0) return 1;
    near("other y0", other_y(o)[0], 3); near("other y1", other_y(o)[1], -4);
    dm_free(m), dm_free(o);
    if (!bad) printf("ok: typed accessors\n");
    return bad;
}
C
CC="cc -std=c11 -Wall -Wextra -Werror -Iruntime -I$tmp"
$CC "$tmp/main.c" "$tmp/acc.o" "$B/libdmrt.a" -lm -lpthread -o "$tmp/main"
"$tmp/main"
# 2. the C compiler catches a float buffer for i32 labels.
for type in int32_t float; do
    printf '#include "acc.h"\nvoid fill(dm_model *m) { %s *p = acc_y(m); p[0] = 1; }\n' "$type" > "$tmp/$type.c"
done
$CC -Werror=incompatible-pointer-types -c "$tmp/int32_t.c" -o "$tmp/ok.o"
if $CC -Werror=incompatible-pointer-types -c "$tmp/float.c" -o "$tmp/bad.o" 2>"$tmp/err"; then
    echo "float *p = acc_y(m) compiled"; exit 1
fi
grep -q "incompatible" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# 3. --no-train: the labels, the loss and the gradients are gone.
"$B/dmc" --no-train --model=acc --emit=header "$tmp/acc.dm" -o "$tmp/inf.h"
grep -q 'float \*acc_x(dm_model \*m)' "$tmp/inf.h" && grep -q 'float \*acc_probs(' "$tmp/inf.h" &&
    grep -q 'float \*acc_w(' "$tmp/inf.h"
! grep -qE 'acc_y|acc_grad_w|loss' "$tmp/inf.h"
echo "ok: no-train header"
# 4. An accessor whose name the header already defines (the macros of x, the
#    data size) is left out with a comment; the header still compiles.
cat > "$tmp/clash.dm" <<'DM'
model c {
  input x : f32[2]
  input x_COUNT : f32[2]
  input DATA_SIZE : f32[2]
  output y = x + x_COUNT + DATA_SIZE
}
DM
"$B/dmc" --emit=header "$tmp/clash.dm" -o "$tmp/clash.h"
grep -q "no accessor for 'x_COUNT': c_x_COUNT names something else" "$tmp/clash.h"
grep -q "no accessor for 'DATA_SIZE'" "$tmp/clash.h" && grep -q 'float \*c_y(' "$tmp/clash.h"
printf '#include "clash.h"\nint n(dm_model *m) { return c_x_COUNT + (c_x(m) != 0); }\n' > "$tmp/clash.c"
$CC -c "$tmp/clash.c" -o "$tmp/clash.o"
echo ok
