#!/usr/bin/env bash
# in_place.test.sh: --in-place-update against its oracle, the normal build
# of the same model (in_place_check.c: same seed, same inputs, train_step
# for several steps, every parameter, buffer and the loss equal bit for
# bit; a smaller instance; no gradients or apply entry).  Models: logreg
# (examples), an MLP, a CNN with conv, max and average pooling and weight
# decay (tests/torch/conv.dm), weight tying, batch norm with max pooling;
# a stack of 20 layers (its train step split into parts); at -O0 (no
# fusion) and -O2, and the MLP at -Oz.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() {  # check MODEL.dm FLAGS...
    local dm=$1; shift
    "$B/dmc" --verify-each "$@" --name=ref "$dm" -o "$tmp/ref.o"
    "$B/dmc" --verify-each "$@" --in-place-update --name=inp "$dm" -o "$tmp/inp.o"
    ${CC:-cc} -std=c11 -Wall -Werror -Iruntime -o "$tmp/check" tests/runtime/in_place_check.c \
        "$tmp/ref.o" "$tmp/inp.o" "$B/libdmrt.a" -lm -lpthread
    out=$("$tmp/check") || fail "$dm $*: $out"
    echo "$dm $*: $out"
}
for dm in examples/logreg/logreg.dm tests/runtime/in_place/mlp.dm tests/torch/conv.dm \
          tests/runtime/in_place/tied.dm tests/runtime/in_place/bn.dm tests/runtime/in_place/deep.dm; do
    check "$dm" -O2
    check "$dm" -O0
done
check tests/runtime/in_place/mlp.dm -Oz
echo ok
