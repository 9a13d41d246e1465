#!/usr/bin/env bash
# difftest.test.sh: the back end's differential test.  Every model of
# tests/codegen/*.dm (at -O0 and -O2), tests/torch/*.dm and examples/*/*.dm
# (at -O2) is compiled, run entry by entry, and compared tensor by tensor with the
# reference interpreter (see tests/tools/difftest.c).
set -u
cd "$(dirname "$0")/../.."
tool=${BUILD:-build}/tests/tools/difftest
[ -x "$tool" ] || { echo "missing $tool (make tests-build)"; exit 1; }
status=0
for f in tests/codegen/*.dm tests/torch/*.dm examples/*/*.dm; do
    [ -f "$f" ] || continue
    levels=2; [[ $f == tests/codegen/* ]] && levels="0 2"
    # The examples train at batch 64: a batch of 3 keeps the interpreter quick.
    defs=(); [[ $f == examples/* ]] && grep -q 'const batch' "$f" && defs=(-D batch=3)
    for level in $levels; do
        "$tool" -O$level "${defs[@]}" "$f" || status=1
    done
done
# Threads on batched products: whole products per task, and each product split.
for f in tests/codegen/bmm_odd.dm tests/codegen/bmm_threads.dm; do
    "$tool" --threads 3 "$f" || status=1
done
# Threads: the kernels that split their work must give the same results.
for f in tests/codegen/matmul_odd.dm tests/codegen/threads_elementwise.dm tests/torch/lenet.dm tests/torch/mlp.dm; do
    "$tool" --threads 3 "$f" || status=1
done
# Labels outside [0, K): every entry that reads them refuses as the
# interpreter does (the same code and message) and changes no tensor.
"$tool" --bad-labels tests/torch/mlp.dm || status=1
for seed in 1 2 3 4 5 6; do
    "$tool" --bad-labels --seed $seed tests/codegen/labels.dm || status=1
done
exit $status
