#!/usr/bin/env bash
# parts.test.sh: an entry of more than 64 executed nodes is split into
# internal functions "<model>_<entry>.partK" (cg_entry.c); a smaller one is
# one function.  tests/codegen/deep_parts.dm (20 layers) has entries of
# hundreds of nodes; tests/codegen/labels.dm's are a handful.  That the split
# computes what the interpreter computes is difftest's part
# (difftest.test.sh); this checks that the split happens where it should,
# and that --stats counts the parts in their entry's stack and code.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" --stats tests/codegen/deep_parts.dm -o "$tmp/d.o" 2> "$tmp/stats"
nm "$tmp/d.o" > "$tmp/syms"
fail() { echo "FAILED: $*"; exit 1; }
grep -q ' t deep_parts_gradients\.part0$' "$tmp/syms" || fail "gradients not split"
grep -q ' t deep_parts_gradients\.part1$' "$tmp/syms" || fail "gradients in one part"
grep -q ' t deep_parts_apply\.part0$' "$tmp/syms" || fail "apply not split"
grep -q ' t deep_parts_forward\.part0$' "$tmp/syms" || fail "forward not split"
# train_step calls gradients and apply: it has no parts of its own
grep -q 'deep_parts_train_step\.part' "$tmp/syms" && fail "train_step split"
# The parts are local symbols: the object exports the four entries and the descriptor only.
exported=$(awk '$2 == "T" || $2 == "D" || $2 == "R" { print $3 }' "$tmp/syms" | sort | tr '\n' ' ')
[ "$exported" = "deep_parts_apply deep_parts_forward deep_parts_gradients deep_parts_model deep_parts_train_step " ] ||
    fail "exports: $exported"
# --stats: the gradients entry's code counts its parts (more functions than parts)
parts=$(grep -c ' t deep_parts_gradients\.part' "$tmp/syms")
functions=$(sed -n 's/.*entry gradients: code [0-9]* bytes in \([0-9]*\) functions.*/\1/p' "$tmp/stats")
[ -n "$functions" ] && [ "$functions" -gt "$parts" ] || fail "gradients: $functions functions for $parts parts"
"$B/dmc" tests/codegen/labels.dm -o "$tmp/l.o"
nm "$tmp/l.o" | grep '\.part[0-9]' && fail "labels.dm: a small entry split"
echo "ok: gradients in $parts parts, $functions functions"
