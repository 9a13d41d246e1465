#!/usr/bin/env bash
# buffers.test.sh: batch norm's running statistics as buffers, end to end
# (buffers_check.c): updated by the training entries only, used by the
# forward entry, saved in checkpoints and loaded by the inference build.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BUILD/dmc" tests/runtime/buffers.dm -o "$tmp/bn.o"
"$BUILD/dmc" --no-train --name=bn_infer tests/runtime/buffers.dm -o "$tmp/bn_infer.o"
${CC:-cc} -std=c11 -Wall -Werror -Iruntime -I"$tmp" -o "$tmp/check" tests/runtime/buffers_check.c \
    "$tmp/bn.o" "$tmp/bn_infer.o" "$BUILD/libdmrt.a" -lm -lpthread
"$tmp/check" "$tmp/bn.safetensors"
