#!/bin/bash
# dropout.test.sh: sema lowers dropout(x, rate) in the TRAINING forward graph to
# x * random_mask(load rng/dropout) with the rate and a per-site salt, and
# advances the generator: store rng/dropout = rng/dropout + [0, 1].
set -eu
cd "$(dirname "$0")/../.."
DMC=${DMC:-$PWD/${BUILD:-build}/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/d.dm" <<'DM'
model d {
  input x : f32[2, 3]
  param w : f32[3, 3] = ones
  h = dropout(x, 0.5) @ w
  output y = dropout(h, 0.25)
}
DM
"$DMC" --emit=ir --no-train -O0 --dump-after=sema "$tmp/d.dm" -o "$tmp/d.ir" 2> "$tmp/ir"
sed -n '/^graph forward/,$p' "$tmp/ir" > "$tmp/fwd"
want() { grep -qE "$1" "$tmp/fwd" || { echo "missing: $1"; cat "$tmp/ir"; exit 1; }; }
grep -q "tensor rng/dropout state i32\[2\] init seed" "$tmp/ir" || { echo "no rng state"; cat "$tmp/ir"; exit 1; }
want '%1 = load rng/dropout : i32\[2\]'
want '%2 = random_mask %1 rate=0.5 salt=0 : f32\[2, 3\]'
want '%3 = mul %0, %2 : f32\[2, 3\]'
want 'random_mask %1 rate=0.25 salt=1 : f32\[2, 3\]'
want '%([0-9]+) = literal \[0, 1\] : i32\[2\]'
lit=$(grep -oE '%[0-9]+ = literal' "$tmp/fwd" | cut -d' ' -f1)
want "%([0-9]+) = add %1, $lit : i32\[2\]"
add=$(grep -E "= add %1, $lit" "$tmp/fwd" | cut -d' ' -f3)
want "store rng/dropout, $add\$"
[ "$(grep -c 'load rng/dropout' "$tmp/fwd")" = 1 ] || { echo "rng loaded twice"; exit 1; }
echo ok
