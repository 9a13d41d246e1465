#!/usr/bin/env bash
# kernels.test.sh: compiles the kernels of compiler/cg/kernels natively with clang-19
# (as the Makefile does for the bitcode, plus the host's vector extensions)
# and runs tests/codegen/kernels_check.c against it: GEMM and convolution
# kernels against double-precision oracles, and independent of the split of
# their work.  linalg.c is built once per register tile (the Makefile's
# LINALG_TILES): each must pass, and all must compute the same bits (the
# digest of every product kernels_check prints), since the tile may not
# change any sum.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
flags="-O2 -std=c11 -fno-math-errno -ffp-contract=fast -march=native"
objs=
for k in conv conv_im2col nn math; do
    clang-19 $flags -c compiler/cg/kernels/$k.c -o "$tmp/$k.o"
    objs="$objs $tmp/$k.o"
done
tiles=$(sed -n 's/^LINALG_TILES *:= *//p' Makefile)
[ -n "$tiles" ] || { echo "no LINALG_TILES in the Makefile"; exit 1; }
digests=
for t in $tiles; do
    clang-19 $flags -DLINALG_TILE_$t -c compiler/cg/kernels/linalg.c -o "$tmp/linalg_$t.o"
    clang-19 -O2 -std=c11 -Iruntime tests/codegen/kernels_check.c $objs "$tmp/linalg_$t.o" -lm -o "$tmp/check_$t"
    out=$("$tmp/check_$t") || { echo "tile $t: kernels_check failed"; exit 1; }
    d=$(printf '%s\n' "$out" | sed -n 's/^products digest //p')
    echo "tile $t: digest $d"
    digests="$digests $d"
done
n=$(printf '%s\n' $digests | sort -u | wc -l)
[ "$n" -eq 1 ] || { echo "the tiles compute different bits:$digests"; exit 1; }
