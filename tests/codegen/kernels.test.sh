#!/usr/bin/env bash
# kernels.test.sh: compiles the kernels of compiler/cg/kernels natively with clang-19
# (as the Makefile does for the bitcode, plus the host's vector extensions)
# and runs tests/codegen/kernels_check.c against it: GEMM and convolution
# kernels against double-precision oracles, and independent of the split of
# their work.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
flags="-O2 -std=c11 -fno-math-errno -ffp-contract=fast -march=native"
objs=
for k in linalg conv conv_im2col nn math; do
    clang-19 $flags -c compiler/cg/kernels/$k.c -o "$tmp/$k.o"
    objs="$objs $tmp/$k.o"
done
clang-19 -O2 -std=c11 -Iruntime tests/codegen/kernels_check.c $objs -lm -o "$tmp/check"
"$tmp/check"
