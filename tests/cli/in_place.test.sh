#!/usr/bin/env bash
# in_place.test.sh: --in-place-update's usage errors (exit 2): with
# --no-train (no train step to change) and with --check-numerics (its check
# needs every gradient before the first update); and --passes=inplace on
# an IR model whose optimizer is adam (exit 1, the pass cannot run).  The
# oracle of the flag's results is tests/runtime/in_place.test.sh.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect STATUS TEXT ARGS...: dmc ARGS exits STATUS and says TEXT
    local status=$1 text=$2; shift 2
    "$B/dmc" "$@" > "$tmp/out" 2>&1
    local rc=$?
    [ "$rc" = "$status" ] || fail "dmc $*: exit $rc, expected $status: $(cat "$tmp/out")"
    grep -qF -- "$text" "$tmp/out" || fail "dmc $*: no '$text' in: $(cat "$tmp/out")"
}
lr=examples/logreg/logreg.dm
expect 2 "dmc: error: --in-place-update changes the train step: --no-train has none" \
    --in-place-update --no-train "$lr" -o "$tmp/x.o"
expect 2 "dmc: error: --in-place-update and --check-numerics: the check needs every gradient" \
    --in-place-update --check-numerics "$lr" -o "$tmp/x.o"
[ -e "$tmp/x.o" ] && fail "an object was written"
# An IR model straight from sema, then the pipeline by hand up to inplace.
"$B/dmc" --emit=ir --passes= tests/sema/in_place_adam.dm -o "$tmp/adam.ir" || fail "sema-only IR"
expect 1 "pass inplace cannot run on model 'm': only sgd without momentum is supported" \
    --passes=autodiff,optim,entries,inplace "$tmp/adam.ir" -o "$tmp/x.o"
# The same by hand on logreg (plain sgd) works: the pass is the flag's.
"$B/dmc" --emit=ir --passes= "$lr" -o "$tmp/lr.ir" || fail "sema-only IR of logreg"
"$B/dmc" --passes=autodiff,optim,entries,inplace --emit=ir "$tmp/lr.ir" -o "$tmp/lr_inplace.ir" \
    || fail "--passes=...,inplace on logreg"
grep -q "grad/" "$tmp/lr_inplace.ir" && fail "gradient tensors kept: $(cat "$tmp/lr_inplace.ir")"
echo ok
