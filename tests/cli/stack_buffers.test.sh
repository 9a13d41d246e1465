#!/usr/bin/env bash
# stack_buffers.test.sh: --stats counts, in each entry's stack, the arrays
# the kernels size by the shapes at run time (the matrix product's packed
# blocks and small-path copy of B, im2col's chunk of col), and --max-stack
# checks the total.  The oracle for the arrays is hand arithmetic from the
# rules in compiler/cg/kernels/kernel_stack.h (the 8 x 32 tile of AVX-512,
# which the figures are compiled for, whatever the host: MR 8, NR 32, KC 256, MC 128,
# NCB 512, SMALL_PRODUCT 4096, SMALL_BYTES 128 KB, COL_FLOATS 24576,
# COL_SLACK 16), each array of n floats counted as 4 n + 60 bytes (its
# 64-byte alignment); the frames around them are the back end's, so the
# test checks total >= arrays, not the total's value.  On an x86-64 host
# the real stack is then measured by painting (tests/cli/stack_paint.c):
# the figure must bound it, and the arrays must really be there.
set -euo pipefail
cd "$(dirname "$0")/../.."
DMC=${DMC:-build/dmc}
BUILD=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dm=tests/cli/stack_buffers.dm

# The arrays of each model's forward entry, by hand:
#   tiny    [4,2] @ [2,3]: 4*3*2 = 24 multiply-adds <= 4096: plain loops, no array.
#   big     [256,512] @ [512,1024]: K = 512 > KC: the blocked GEMM (gemm_block).
#           A's block: min(256, MC) rows x min(512, KC) = 128 x 256 = 32768 floats -> 131072 + 60
#           B's block: min(1024, NCB) cols x 256 = 512 x 256 = 131072 floats   -> 524288 + 60
#           131132 + 524348 = 655480
#   mid     [20,300] @ [300,40]: K = 300 > KC: blocked, blocks below MC and NCB.
#           A: 20 rows up to whole slivers of 8 = 24, x 256 = 6144 floats  -> 24576 + 60 = 24636
#           B: 40 columns up to whole panels of 32 = 64, x 256 = 16384 floats -> 65536 + 60 = 65596
#           24636 + 65596 = 90232
#   copyb   [32,64] @ [64,40]: 81920 multiply-adds; K = 64 <= KC, M = 32 >= 16, A and B
#           (32*64 + 64*40) * 4 = 18432 bytes <= 128 KB: the small path (small_block);
#           N = 40 is not a multiple of 32, so B is copied into rows of 64:
#           64 x 64 = 4096 floats -> 16384 + 60 = 16444
#   strided conv2d x [1,3,32,32], w [8,3,3,3], stride 2, pad 1: OH = OW = (32+2-3)/2+1 = 16;
#           stride 2: im2col.  R = 3*3*3 = 27 rows, P = 256 positions;
#           chunk = min(24576 / 27 = 910, 256) = 256 (whole rows of 16).
#           col: 27*256 + 16 = 6928 floats                     -> 27712 + 60 = 27772
#           product [8,27] @ [27,256]: A 8 x 27 = 216 floats    -> 864 + 60 = 924
#                                      B 256 x 27 = 6912 floats -> 27648 + 60 = 27708
#           27772 + 924 + 27708 = 56404
declare -A arrays=([tiny]=0 [big]=655480 [mid]=90232 [copyb]=16444 [strided]=56404)

field() { sed -n "s/^model $1: entry forward: stack \([0-9]*\) bytes (.*kernel buffers sized by the shapes: \([0-9]*\) bytes).*/\\$2/p" "$tmp/$1.stats"; }
avx512=(--target=x86_64-linux-gnu --cpu=x86-64-v4)   # the 8 x 32 tile (docs/codegen.md, "linalg.c")
for m in tiny big mid copyb strided; do
    "$DMC" "${avx512[@]}" --model=$m --stats $dm -o "$tmp/$m.o" 2>"$tmp/$m.stats"
    total=$(field $m 1); buffers=$(field $m 2)
    [ -n "$total" ] && [ "$buffers" = "${arrays[$m]}" ] || {
        echo "FAILED: $m: buffers '$buffers', by hand ${arrays[$m]}"; cat "$tmp/$m.stats" | grep stack; exit 1; }
    ! grep -q "not counted" "$tmp/$m.stats" || { echo "FAILED: $m: an array no rule counts"; exit 1; }
    [ "$total" -ge "$buffers" ] || { echo "FAILED: $m: total $total below its arrays $buffers"; exit 1; }
    "$DMC" "${avx512[@]}" --model=$m --max-stack=$total $dm -o "$tmp/ok.o"
    set +e; "$DMC" "${avx512[@]}" --model=$m --max-stack=$((total - 1)) $dm -o "$tmp/no.o" 2>"$tmp/err"; rc=$?; set -e
    [ $rc = 1 ] || { echo "FAILED: $m: --max-stack=$((total - 1)) exits $rc"; exit 1; }
    if [ "$buffers" -gt 0 ]; then
        grep -q "note: $buffers bytes of that are the kernels' buffers sized by the shapes" "$tmp/err" ||
            { echo "FAILED: $m: no note of the buffers"; cat "$tmp/err"; exit 1; }
    fi
    echo "$m: forward's stack $total bytes, of which $buffers the kernels' arrays"
done

# The real stack, on the host: the entry run through the runtime on a painted
# stack, less what the same thread takes without it.  The runtime's frames
# above the entry are not in the figure: tiny's measurement minus tiny's
# figure stands for them (at most what they take, since tiny's figure is at
# least what tiny takes), so the check below is if anything stricter than
# "the entry's real stack <= its figure".
[ "$(uname -m)" = x86_64 ] || { echo "measuring skipped: not an x86-64 host"; exit 0; }
# --cpu=portable: the baseline's entries are measured; the faster levels'
# copies of the kernels (renamed small_block.N, ...) are no arrays without a rule.
"$DMC" --cpu=portable --model=copyb --stats $dm -o "$tmp/portable.o" 2>"$tmp/portable.stats"
grep -q "^model copyb: entry forward: .*kernel buffers sized by the shapes: ${arrays[copyb]} bytes)$" "$tmp/portable.stats" ||
    { echo "FAILED: --cpu=portable"; grep stack "$tmp/portable.stats"; exit 1; }
# Under make check-sanitize the runtime and this program are instrumented
# (bigger frames, locals moved to ASan's fake stacks): what painting sees is
# not the stack the figure describes, so only the figures above are checked.
[ -z "${DM_SANITIZE:-}" ] || { echo "measuring skipped: an instrumented runtime (DM_SANITIZE)"; exit 0; }
measured=0
measure() {  # measure MODEL ENTRY: sets measured to the bytes of stack the entry takes with the runtime's frames
    local size=$(( $(field $1 1) * 2 + 262144 ))
    local with without
    with=$("$tmp/paint_$1" $size $2) && without=$("$tmp/paint_$1" $size none) ||
        { echo "FAILED: painting $1's stack"; exit 1; }
    measured=$((with - without))
}
for m in tiny big mid copyb strided; do   # for the host's CPU now (its tile): the figures it reports
    "$DMC" --model=$m --stats $dm -o "$tmp/$m.o" 2>"$tmp/$m.stats"
    cc -O2 -std=c11 -Wall -Werror -Iruntime -I"$tmp" -DMODEL_HEADER="\"$m.h\"" -DMODEL_DESC=${m}_model tests/cli/stack_paint.c \
        "$tmp/$m.o" "$BUILD/libdmrt.a" -Wl,-z,now -lpthread -lm -o "$tmp/paint_$m"
done
measure tiny forward
runtime=$(( measured - $(field tiny 1) ))
for m in big mid copyb strided; do
    measure $m forward
    used=$(( measured - runtime )); total=$(field $m 1); buffers=$(field $m 2)
    echo "$m: measured $used bytes (runtime's $runtime taken off), figure $total"
    [ "$used" -le "$total" ] || { echo "FAILED: $m uses $used bytes of stack, more than its figure $total"; exit 1; }
    [ "$used" -ge "$buffers" ] || { echo "FAILED: $m uses $used bytes, fewer than its arrays $buffers"; exit 1; }
done

# LeNet (batch 8) trains through the direct convolutions, whose register
# tiles are called through pointers stored in a struct (not named by the
# caller's call): its train_step's real stack must be within the figure too.
"$DMC" -D batch=8 --stats examples/fashion_lenet/fashion_lenet.dm -o "$tmp/lenet.o" 2>"$tmp/lenet.stats"
total=$(sed -n 's/^model lenet: entry train_step: stack \([0-9]*\) bytes.*/\1/p' "$tmp/lenet.stats")
cc -O2 -std=c11 -Wall -Werror -Iruntime -I"$tmp" -DMODEL_HEADER='"lenet.h"' -DMODEL_DESC=lenet_model \
    tests/cli/stack_paint.c "$tmp/lenet.o" "$BUILD/libdmrt.a" -Wl,-z,now -lpthread -lm -o "$tmp/paint_lenet"
size=$((total * 2 + 262144))
with=$("$tmp/paint_lenet" $size train_step) && without=$("$tmp/paint_lenet" $size none) ||
    { echo "FAILED: painting lenet's stack"; exit 1; }
used=$(( with - without - runtime ))
echo "lenet: train_step measured $used bytes, figure $total"
[ "$used" -le "$total" ] || { echo "FAILED: lenet's train_step uses $used bytes of stack, more than its figure $total"; exit 1; }
