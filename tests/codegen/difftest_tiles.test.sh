#!/usr/bin/env bash
# difftest_tiles.test.sh: the matrix product's narrower register tiles
# (kernels/linalg.c, picked by cg_tile.c) against the reference interpreter:
# the models of products of odd sizes, batched products, attention (its
# strided views of the heads too) and
# convolutions (whose gradients use the product), compiled for the x86-64
# baseline (SSE2: the 4 x 8 tile) and, where the host has AVX2 and FMA, for
# x86-64-v3 (6 x 16), with and without threads.  The difftest of the host's
# own CPU is difftest.test.sh.  A host of another architecture skips.
set -u
cd "$(dirname "$0")/../.."
tool=${BUILD:-build}/tests/tools/difftest
[ -x "$tool" ] || { echo "missing $tool (make tests-build)"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "skip: not an x86-64 host"; exit 0; }
cpus=x86-64
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && cpus="$cpus x86-64-v3"
status=0
for cpu in $cpus; do
    for f in tests/codegen/matmul_odd.dm tests/codegen/bmm_odd.dm tests/codegen/bmm_small.dm tests/torch/mha.dm \
             tests/torch/attention.dm tests/torch/oddsizes.dm tests/torch/lenet.dm tests/codegen/views_odd.dm; do
        "$tool" --cpu $cpu "$f" || status=1
    done
    for f in tests/codegen/matmul_odd.dm tests/codegen/bmm_threads.dm tests/codegen/heads_odd.dm; do
        "$tool" --cpu $cpu --threads 3 "$f" || status=1
    done
done
exit $status
