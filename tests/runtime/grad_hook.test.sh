#!/usr/bin/env bash
# grad_hook.test.sh: the gradient hook (dm_set_gradient_hook) of compiled
# models reports every gradient exactly once, final, with no access after
# (grad_hook_check.c), on 1 and 3 threads; a --check-numerics build reports
# them all at the end, in one run; a plain one reports before the end.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() {  # check NAME MODEL.dm [dmc flags...]: builds and runs the checker
    local name=$1 src=$2; shift 2
    "$BUILD/dmc" "$@" --name="$name" "$src" -o "$tmp/$name.o"
    ${CC:-cc} -std=c11 -Wall -Werror -Iruntime -I"$tmp" -DMODEL="$name" -o "$tmp/$name" \
        tests/runtime/grad_hook_check.c "$tmp/$name.o" "$BUILD/libdmrt.a" -lm -lpthread
    "$tmp/$name" 1 >"$tmp/$name.out" && "$tmp/$name" 3 >/dev/null || { cat "$tmp/$name.out"; exit 1; }
}
check mlp tests/mpi/mlp.dm
check cnn tests/mpi/cnn.dm
check drop tests/mpi/dropout.dm
check bn tests/runtime/buffers.dm
check fmlp examples/fashion_mlp/fashion_mlp.dm -D batch=32
check numerics tests/mpi/mlp.dm --check-numerics
# Before the end: the mlp's reports are single gradients, one by one.
[ "$(sed -n 1p "$tmp/mlp.out" | grep -o '\[' | wc -l)" -ge 3 ] || { echo "mlp: reports not spread"; cat "$tmp/mlp.out"; exit 1; }
# --check-numerics: one report of every gradient, after the check.
[ "$(sed -n 1p "$tmp/numerics.out" | grep -o '\[' | wc -l)" -eq 1 ] || { echo "numerics: not one report"; cat "$tmp/numerics.out"; exit 1; }
cat "$tmp/mlp.out" | head -1
cat "$tmp/cnn.out" | head -1
