#!/usr/bin/env bash
# views.test.sh: attention's head transposes, slices and concats are not
# copied at -O1 and above (passes/views.c): the batched products read q, k
# and v in place in qkv, write weights @ v in [N, T, heads, d] order, and
# write the gradients of the heads into the gradient of qkv.  That the
# results are the interpreter's is difftest's part (heads_odd.dm in
# difftest.test.sh); this checks that the copies are gone: no call of the
# transpose or box-copy kernels in the module, and in --stats every
# transpose, slice and concat of the gradients and train_step entries moves
# no bytes.  At -O0 they stay copies (the plain plan).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
DMC=${DMC:-$B/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: $*"; exit 1; }
m=tests/codegen/heads_odd.dm
"$DMC" -O2 --emit=llvm "$m" -o "$tmp/o2.ll"
grep -q 'call .*@dmk_matmul_batched' "$tmp/o2.ll" || fail "no batched product at -O2"
grep -q 'call .*@dmk_transpose' "$tmp/o2.ll" && fail "a transpose is copied at -O2"
grep -q 'call .*@dmk_copy_box' "$tmp/o2.ll" && fail "a slice or concat is copied at -O2"
"$DMC" -O0 --emit=llvm "$m" -o "$tmp/o0.ll"
grep -q 'call .*@dmk_transpose' "$tmp/o0.ll" || fail "no transpose copied at -O0"
grep -q 'call .*@dmk_copy_box' "$tmp/o0.ll" || fail "no slice or concat copied at -O0"
# --stats: node, op, shape, FLOPs, bytes, buffer; per entry.
"$DMC" --stats "$m" -o "$tmp/h.o" 2> "$tmp/stats"
for entry in gradients train_step; do
    awk -v e="$entry" '$1 == "entry" { on = ($2 == e ":") } on && ($2 == "transpose" || $2 == "slice" || $2 == "concat")' \
        "$tmp/stats" > "$tmp/moves"
    n=$(wc -l < "$tmp/moves")
    # 3 slices, 5 transposes and 2 concats of a MultiHeadAttention's backward pass (4 in the forward)
    [ "$n" -ge 10 ] || fail "$entry: only $n transposes, slices and concats in --stats"
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^f32\[/) { while ($i !~ /\]$/) i++; if ($(i + 2) != 0) { print; bad = 1 } } }
         END { exit bad }' "$tmp/moves" || fail "$entry: a transpose, slice or concat moves bytes"
done
echo "ok views"
