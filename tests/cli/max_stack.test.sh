#!/usr/bin/env bash
# max_stack.test.sh: --stats prints each entry's stack and code; --max-stack refuses
# an entry over the limit (status 1, the model's location, the entry and
# the largest frame named, no object written) and accepts exactly the
# reported size; -Os and -Oz make smaller code for a Cortex-M4 than -O2.
# The frames come from the back end (cg_stack.c): this test checks that
# they are used consistently, not their values (they follow LLVM's); the
# kernels' arrays sized by the shapes are checked against hand arithmetic
# (and more of them in stack_buffers.test.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
DMC=${DMC:-build/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
M4="--target=thumbv7em-none-eabihf --cpu=cortex-m4"
m=examples/baremetal/patterns.dm
"$DMC" $M4 --stats $m -o "$tmp/p.o" 2>"$tmp/stats"
for e in forward gradients apply train_step; do
    grep -q "^model patterns: entry $e: stack [0-9]* bytes" "$tmp/stats" || { echo "FAILED: no stack for $e"; exit 1; }
done
need=$(sed -n 's/^model patterns: entry train_step: stack \([0-9]*\) bytes.*/\1/p' "$tmp/stats")
fwd=$(sed -n 's/^model patterns: entry forward: stack \([0-9]*\) bytes.*/\1/p' "$tmp/stats")
[ "$need" -gt 1000 ] && [ "$need" -ge "$fwd" ]   # train_step runs forward's code and more

# The kernels' arrays sized by the shapes, in train_step's figure (by hand,
# kernel_stack.h's rules; an array of n floats counts 4 n + 60 bytes):
#   [16,64] @ [64,64], [16,64] @ [64,32] (forward), x^T [64,16] @ [16,64],
#   h1^T [64,16] @ [16,32] (weight gradients): the small path (K <= 256,
#   M >= 16, A and B within 128 KB), B's rows read in place (N a multiple
#   of 32): a 1-float array, 64 bytes;
#   the products with 4 columns or rows: 16*4*32 = 2048 multiply-adds <= 4096, no array;
#   dh1 = dh2 [16,32] @ W2^T [32,64]: the small path with B transposed, so
#   B is copied into rows of 64: 32 x 64 = 2048 floats, 8192 + 60 = 8252.
# One product runs at a time: the largest, 8252.
buffers=$(sed -n 's/^model patterns: entry train_step: .*kernel buffers sized by the shapes: \([0-9]*\) bytes.*/\1/p' "$tmp/stats")
[ "$buffers" = 8252 ] || { echo "FAILED: train_step's buffers '$buffers', by hand 8252"; exit 1; }
[ "$need" -gt "$buffers" ] || { echo "FAILED: train_step's stack $need does not hold its buffers"; exit 1; }
# Every variable-length array of the 32-bit kernels has a rule (none "not counted").
! grep -q "not counted" "$tmp/stats" || { echo "FAILED: a run-time-sized array no rule counts"; exit 1; }

# The code each entry may run (--stats): the sum of its functions' symbol
# sizes, so never more than the object's text (arm-none-eabi-size, the
# oracle), and apply (the update alone) less than train_step.
text=$(arm-none-eabi-size "$tmp/p.o" | awk 'NR == 2 { print $1 }')
code() { sed -n "s/^model patterns: entry $1: code \([0-9]*\) bytes in [0-9]* functions.*/\1/p" "$tmp/stats"; }
for e in forward gradients apply train_step; do
    c=$(code $e)
    [ -n "$c" ] && [ "$c" -gt 0 ] && [ "$c" -le "$text" ] || { echo "FAILED: code of $e: '$c' (text $text)"; exit 1; }
done
[ "$(code apply)" -lt "$(code train_step)" ] || { echo "FAILED: apply's code is not below train_step's"; exit 1; }

"$DMC" $M4 --max-stack=$need $m -o "$tmp/ok.o"    # exactly enough
set +e; "$DMC" $M4 --max-stack=$((need - 1)) $m -o "$tmp/no.o" 2>"$tmp/err"; rc=$?; set -e
[ $rc = 1 ] || { echo "FAILED: --max-stack=$((need - 1)) exits $rc"; exit 1; }
line=$(grep -n '^model patterns' $m | cut -d: -f1)   # the model's name is at column 7
grep -q "^$m:$line:7: error: entry 'train_step' of model 'patterns' needs $need bytes of stack, more than the limit of $((need - 1)) (--max-stack)" "$tmp/err"
grep -q "note: its largest frame is the kernel code '[a-z_.0-9]*', [0-9]* bytes" "$tmp/err"
[ ! -e "$tmp/no.o" ] && [ ! -e "$tmp/no.h" ]
set +e; "$DMC" --max-stack=12Q $m -o "$tmp/bad.o" 2>"$tmp/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "\-\-max-stack expects a positive size" "$tmp/err"

text() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 }'; }
for o in O2 Os Oz; do "$DMC" $M4 -$o $m -o "$tmp/$o.o"; done
o2=$(text "$tmp/O2.o"); os=$(text "$tmp/Os.o"); oz=$(text "$tmp/Oz.o")
echo "code for a Cortex-M4: -O2 $o2, -Os $os, -Oz $oz bytes; train_step's stack $need bytes"
[ "$os" -lt "$o2" ] && [ "$oz" -lt "$os" ]
