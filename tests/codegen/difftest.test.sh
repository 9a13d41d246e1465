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
# Threads on batched products: whole products per task, and each product split
# (heads_odd.dm: products through strided views, passes/views.c).
for f in tests/codegen/bmm_odd.dm tests/codegen/bmm_threads.dm tests/codegen/heads_odd.dm; do
    "$tool" --threads 3 "$f" || status=1
done
# Threads: the kernels that split their work must give the same results.
for f in tests/codegen/matmul_odd.dm tests/codegen/threads_elementwise.dm tests/codegen/embedding_odd.dm tests/codegen/index_odd.dm \
         tests/codegen/threads_modern.dm tests/codegen/deep_parts.dm tests/torch/lenet.dm tests/torch/mlp.dm; do
    "$tool" --threads 3 "$f" || status=1
done
# NaN, infinities, signed zeros, huge and tiny values (--special): the
# compiled code's non-finite results are the interpreter's, exactly.
# modern.dm is left out: its square(x - b) - x ** 2 cancels catastrophically at
# x = 1e18, where f32 and the interpreter's double legitimately differ by orders
# of magnitude (its ops' special values are in tests/codegen/modern_odd.dm).
for f in tests/torch/*.dm tests/codegen/threads_elementwise.dm tests/codegen/matmul_odd.dm tests/codegen/deep_parts.dm \
         tests/codegen/layer_norm_odd.dm; do
    [ "$f" = tests/torch/modern.dm ] && continue
    "$tool" --special "$f" || status=1
done
# Labels outside [0, K): every entry that reads them refuses as the
# interpreter does (the same code and message) and changes no tensor.
"$tool" --bad-labels tests/torch/mlp.dm || status=1
# An entry split into parts (deep_parts.dm) returns the first part's refusal.
"$tool" --bad-labels tests/codegen/deep_parts.dm || status=1
# ... and beside labels equal to softmax_cross_entropy's ignored one (seq.dm: -100 and 0).
for seed in 1 2 3; do "$tool" --bad-labels --seed $seed tests/torch/seq.dm || status=1; done
for seed in 1 2 3 4 5 6; do
    "$tool" --bad-labels --seed $seed tests/codegen/labels.dm || status=1
done
# Embedding ids outside [0, rows), loaded and computed, likewise.
for seed in 1 2 3; do
    "$tool" --bad-labels --seed $seed tests/codegen/embedding_odd.dm || status=1
done
exit $status
