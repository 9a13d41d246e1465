#!/usr/bin/env bash
# cli.test.sh: the command-line contract of ARCHITECTURE.md, option by option:
# --help/--version, usage errors (exit 2), every --emit kind (the dot output
# must parse with Graphviz), -o -, --model, -D, --dump-after, --no-train,
# --stats, -O0..3 (each run against the interpreter by difftest), --target /
# --cpu / --features reaching LLVM, and outputs that appear whole or not at
# all: a failed compilation leaves an existing output untouched and no
# temporary behind; an unwritable output is exit 2.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
DMC=$PWD/$B/dmc
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
check() {   # check WHAT COMMAND...: the command must succeed
    local what=$1; shift
    if ! "$@" >"$tmp/log" 2>&1; then echo "FAILED: $what"; sed 's/^/  /' "$tmp/log" | head -20; fails=$((fails + 1)); fi
}
status_is() {   # status_is WANT WHAT COMMAND...: the command's exit status must be WANT
    local want=$1 what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc != "$want" ]; then echo "FAILED: $what: exit $rc, expected $want"; head -5 "$tmp/err"; fails=$((fails + 1)); fi
}
logreg=examples/logreg/logreg.dm
two=tests/codegen/two_models.dm

# ---- help, version, usage errors ----
check "--help exits 0" "$DMC" --help
for opt in -o --emit=KIND obj asm llvm ir header dot --dump-after=PASS -O0 -O3 "-D NAME=VALUE" --target=TRIPLE \
           --cpu=NAME --features=LIST --model=NAME --no-train --stats --help --version "exit status"; do
    "$DMC" --help | grep -q -- "$opt" || { echo "FAILED: --help does not mention '$opt'"; fails=$((fails + 1)); }
done
"$DMC" -h | cmp -s - <("$DMC" --help) || { echo "FAILED: -h differs from --help"; fails=$((fails + 1)); }
"$DMC" --version | grep -Eq '^dmc [0-9]+\.[0-9]+\.[0-9]+' || { echo "FAILED: --version"; fails=$((fails + 1)); }
# The manual page documents every option of --help.
for opt in $("$DMC" --help | grep -oE '^  (-[a-zA-Z]|--[a-z-]+)' | sort -u); do
    grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" docs/dmc.1 ||
        { echo "FAILED: docs/dmc.1 does not document $opt"; fails=$((fails + 1)); }
done
status_is 2 "no input" "$DMC"
status_is 2 "unknown option" "$DMC" --frobnicate $logreg
status_is 2 "unknown --emit kind" "$DMC" --emit=pdf $logreg
status_is 2 "unknown --dump-after pass" "$DMC" --dump-after=nosuch $logreg
status_is 2 "unknown --passes pass" "$DMC" --passes=simplify,nosuch $logreg
status_is 2 "the front end in --passes" "$DMC" --passes=sema $logreg
status_is 2 "--dump-after a pass --passes skips" "$DMC" --passes=entries --dump-after=simplify $logreg
"$DMC" --emit=ir $logreg -o "$tmp/logreg.ir"
status_is 2 "--emit=ast of an IR input" "$DMC" --emit=ast "$tmp/logreg.ir"
status_is 2 "-D with an IR input" "$DMC" -D batch=2 "$tmp/logreg.ir" -o "$tmp/l.o"
status_is 1 "autodiff twice" "$DMC" --passes=autodiff "$tmp/logreg.ir" -o "$tmp/l.o"
status_is 2 "-D without =" "$DMC" -D batch $logreg
status_is 2 "two inputs" "$DMC" $logreg $two
status_is 2 "missing input file" "$DMC" "$tmp/nonexistent.dm" -o "$tmp/n.o"
status_is 2 "-O4" "$DMC" -O4 $logreg
status_is 2 "an object to standard output" "$DMC" $logreg -o -

# ---- every --emit kind, to a file and to standard output ----
check "--emit=ir -o -" "$DMC" --emit=ir $logreg -o -
grep -q '^model logreg' "$tmp/log" || { echo "FAILED: --emit=ir output"; fails=$((fails + 1)); }
check "--emit=asm" "$DMC" --emit=asm $logreg -o "$tmp/l.s"
grep -q '^logreg_train_step:' "$tmp/l.s" || { echo "FAILED: asm has no logreg_train_step"; fails=$((fails + 1)); }
"$DMC" --emit=asm $logreg -o - | grep -q '^logreg_forward:' || { echo "FAILED: --emit=asm -o -"; fails=$((fails + 1)); }
check "--emit=llvm" "$DMC" --emit=llvm $logreg -o "$tmp/l.ll"
grep -q '^define .*@logreg_forward(' "$tmp/l.ll" || { echo "FAILED: llvm has no logreg_forward"; fails=$((fails + 1)); }
"$DMC" --emit=llvm $logreg -o - | grep -q '^define .*@logreg_gradients(' || { echo "FAILED: --emit=llvm -o -"; fails=$((fails + 1)); }
check "--emit=header" "$DMC" --emit=header $logreg -o "$tmp/l.h"
grep -q 'extern const dm_model_desc logreg_model;' "$tmp/l.h" || { echo "FAILED: header"; fails=$((fails + 1)); }
check "header compiles" cc -std=c11 -Wall -Wextra -Werror -Iruntime -fsyntax-only -x c "$tmp/l.h"
"$DMC" --emit=header $logreg -o - | cmp -s - "$tmp/l.h" || { echo "FAILED: --emit=header -o -"; fails=$((fails + 1)); }
check "--emit=dot" "$DMC" --emit=dot tests/torch/lenet.dm -o "$tmp/g.dot"
grep -q 'label="lenet: forward"' "$tmp/g.dot" && grep -q 'label="lenet: train_step"' "$tmp/g.dot" ||
    { echo "FAILED: dot lacks the forward or the train step graph"; fails=$((fails + 1)); }
if command -v dot >/dev/null; then
    check "dot -Tsvg parses --emit=dot" dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg"
    grep -q '<svg' "$tmp/g.svg" || { echo "FAILED: no svg"; fails=$((fails + 1)); }
else
    echo "FAILED: graphviz's dot is not installed (scripts/setup.sh installs it)"; fails=$((fails + 1))
fi
# The default output: FILE.o and FILE.h beside the input.
cp $logreg "$tmp/def.dm"
check "default output" "$DMC" "$tmp/def.dm"
test -s "$tmp/def.o" && test -s "$tmp/def.h" || { echo "FAILED: default FILE.o/FILE.h"; fails=$((fails + 1)); }

# ---- --model, -D, --dump-after, --no-train, --stats ----
check "--model=second" "$DMC" --model=second $two -o "$tmp/second.o"
nm "$tmp/second.o" | grep -q ' T second_forward' && ! nm "$tmp/second.o" | grep -q first_ ||
    { echo "FAILED: --model=second holds first_ symbols or lacks second_forward"; fails=$((fails + 1)); }
grep -q second_model "$tmp/second.h" && ! grep -q first_model "$tmp/second.h" ||
    { echo "FAILED: --model=second header"; fails=$((fails + 1)); }
status_is 1 "--model=nosuch" "$DMC" --model=nosuch $two -o "$tmp/none.o"
grep -q "there is no model named 'nosuch'" "$tmp/err" || { echo "FAILED: --model=nosuch message"; fails=$((fails + 1)); }
test ! -e "$tmp/none.o" || { echo "FAILED: --model=nosuch wrote an output"; fails=$((fails + 1)); }
"$DMC" -D batch=8 --emit=ir tests/torch/mlp.dm -o - 2>&1 | grep -q 'input f32\[8, ' ||
    { echo "FAILED: -D batch=8 does not reach the input's shape"; fails=$((fails + 1)); }
"$DMC" -Dbatch=8 --emit=ir tests/torch/mlp.dm -o - 2>&1 | grep -q 'input f32\[8, ' ||
    { echo "FAILED: -Dbatch=8"; fails=$((fails + 1)); }
status_is 1 "-D of an unknown const" "$DMC" -D nosuch=3 $logreg -o "$tmp/d.o"
for pass in sema autodiff optim entries simplify; do
    "$DMC" --dump-after=$pass --emit=ir $logreg -o "$tmp/dump.ir" 2>&1 | grep -q "^; after $pass" ||
        { echo "FAILED: --dump-after=$pass"; fails=$((fails + 1)); }
done
check "--no-train" "$DMC" --no-train $logreg -o "$tmp/nt.o"
nm "$tmp/nt.o" | grep -q ' T logreg_forward' && ! nm "$tmp/nt.o" | grep -Eq 'logreg_(train_step|gradients|apply)' ||
    { echo "FAILED: --no-train still has training entries"; fails=$((fails + 1)); }
"$DMC" --stats $logreg -o "$tmp/st.o" 2>"$tmp/stats"
# logreg: x [4, 2] @ W [2, 1] is 2*4*2*1 = 16 FLOPs; sigmoid of 4 values, 4 FLOPs.
grep -q 'data region' "$tmp/stats" && grep -Eq '^ +[0-9]+ matmul +f32\[4, 1\] +16 ' "$tmp/stats" &&
    grep -q 'total: .* FLOPs, .* bytes' "$tmp/stats" && grep -Eq 'param +W +f32\[2\] +offset' "$tmp/stats" ||
    { echo "FAILED: --stats lacks the plan, a node's FLOPs or the totals"; head -30 "$tmp/stats"; fails=$((fails + 1)); }

# ---- -O0 .. -O3: each level's code against the interpreter ----
# (difftest.test.sh runs every codegen model at -O0 and -O2; here the other two.)
for level in 0 1 2 3; do check "-O$level difftest" "$B/tests/tools/difftest" -O$level $logreg; done
for level in 1 3; do check "-O$level difftest conv" "$B/tests/tools/difftest" -O$level tests/codegen/conv_odd.dm; done

# ---- --target, --cpu, --features reach LLVM ----
check "--target=aarch64-linux-gnu" "$DMC" --target=aarch64-linux-gnu --cpu=cortex-a72 --features=+neon $logreg -o "$tmp/a64.o"
# ELF e_machine (bytes 18-19, little endian) 183 = EM_AARCH64
[ "$(od -An -tu2 -j18 -N2 "$tmp/a64.o" | tr -d ' ')" = 183 ] || { echo "FAILED: not an AArch64 object"; fails=$((fails + 1)); }
grep -q 'extern const dm_model_desc logreg_model;' "$tmp/a64.h" || { echo "FAILED: cross header"; fails=$((fails + 1)); }
status_is 2 "an unknown --cpu" "$DMC" --cpu=nosuchcpu $logreg -o "$tmp/c.o"
grep -q "nosuchcpu" "$tmp/err" || { echo "FAILED: unknown --cpu message"; fails=$((fails + 1)); }
status_is 2 "an unknown --features" "$DMC" --features=+nosuchfeature $logreg -o "$tmp/c.o"
status_is 2 "an unknown --target" "$DMC" --target=nosuch-triple $logreg -o "$tmp/c.o"
status_is 2 "a 16-bit --target" "$DMC" --target=msp430 $logreg -o "$tmp/c.o"
grep -q "2-byte pointers" "$tmp/err" || { echo "FAILED: 16-bit target message"; fails=$((fails + 1)); }
# 32-bit targets take the 32-bit kernels (tests/cross/32bit.test.sh runs them).
check "--target=thumbv7em-none-eabihf" "$DMC" --target=thumbv7em-none-eabihf --cpu=cortex-m4 $logreg -o "$tmp/m4.o"
# ELF class (byte 4) 1 = 32-bit, e_machine 40 = EM_ARM
[ "$(od -An -tu1 -j4 -N1 "$tmp/m4.o" | tr -d ' ')/$(od -An -tu2 -j18 -N2 "$tmp/m4.o" | tr -d ' ')" = 1/40 ] ||
    { echo "FAILED: not a 32-bit ARM object"; fails=$((fails + 1)); }
# Stack use follows the shapes: logreg's 4 x 2 product takes no 640 KB frame
# (the matmul's full packed blocks); every fixed frame is under 4 KB.
"$DMC" --target=thumbv7em-none-eabihf --cpu=cortex-m4 --emit=asm $logreg -o "$tmp/m4.s"
big=$(grep -E 'sub(\.w)?[[:space:]]+sp, (sp, )?#' "$tmp/m4.s" | grep -oE '#[0-9]+' | tr -d '#' | sort -n | tail -1)
[ -n "$big" ] && [ "$big" -lt 4096 ] || { echo "FAILED: a Cortex-M4 frame of $big bytes"; fails=$((fails + 1)); }
# --cpu and --features change the code: AVX-512 (zmm registers) only when enabled.
"$DMC" --cpu=skylake-avx512 --emit=asm tests/torch/mlp.dm -o - | grep -q zmm ||
    { echo "FAILED: --cpu=skylake-avx512 gives no zmm code"; fails=$((fails + 1)); }
! "$DMC" --cpu=skylake-avx512 --features=-avx512f --emit=asm tests/torch/mlp.dm -o - | grep -q zmm ||
    { echo "FAILED: --features=-avx512f still gives zmm code"; fails=$((fails + 1)); }
! "$DMC" --cpu=x86-64 --emit=asm tests/torch/mlp.dm -o - | grep -q ymm ||
    { echo "FAILED: --cpu=x86-64 gives AVX code"; fails=$((fails + 1)); }

# ---- outputs appear whole or not at all ----
mkdir -p "$tmp/dest"
printf 'old object\n' >"$tmp/dest/m.o"; printf 'old header\n' >"$tmp/dest/m.h"
cp "$tmp/dest/m.o" "$tmp/m.o.orig"; cp "$tmp/dest/m.h" "$tmp/m.h.orig"
printf 'model bad {\n  input x : f32[2]\n  output y = nosuch(x)\n}\n' >"$tmp/bad.dm"
status_is 1 "a bad model" "$DMC" "$tmp/bad.dm" -o "$tmp/dest/m.o"
status_is 1 "a bad model, --emit=ir" "$DMC" --emit=ir "$tmp/bad.dm" -o "$tmp/dest/m.o"
status_is 2 "a failing back end (16-bit target)" "$DMC" --target=msp430 $logreg -o "$tmp/dest/m.o"
status_is 2 "a failing back end (unknown cpu)" "$DMC" --cpu=nosuchcpu $logreg -o "$tmp/dest/m.o"
cmp -s "$tmp/dest/m.o" "$tmp/m.o.orig" && cmp -s "$tmp/dest/m.h" "$tmp/m.h.orig" ||
    { echo "FAILED: a failed compilation changed the existing output"; fails=$((fails + 1)); }
[ "$(ls "$tmp/dest" | sort | tr '\n' ' ')" = "m.h m.o " ] ||
    { echo "FAILED: temporaries left: $(ls "$tmp/dest")"; fails=$((fails + 1)); }
# An interrupted compilation leaves no temporary either.
"$DMC" -O3 tests/torch/lenet.dm -o "$tmp/dest/m.o" & pid=$!
sleep 0.3; kill -TERM $pid 2>/dev/null; wait $pid
[ "$(ls "$tmp/dest" | sort | tr '\n' ' ')" = "m.h m.o " ] ||
    { echo "FAILED: an interrupt left: $(ls "$tmp/dest")"; fails=$((fails + 1)); }
# Unwritable outputs: exit 2, nothing written.
status_is 2 "an output in a missing folder" "$DMC" $logreg -o "$tmp/nosuch/m.o"
status_is 2 "an output that is a folder" "$DMC" $logreg -o "$tmp/dest"
status_is 2 "an --emit=ir output in a missing folder" "$DMC" --emit=ir $logreg -o "$tmp/nosuch/m.ir"
[ "$(ls "$tmp/dest" | sort | tr '\n' ' ')" = "m.h m.o " ] || { echo "FAILED: left: $(ls "$tmp/dest")"; fails=$((fails + 1)); }
if [ "$(id -u)" != 0 ]; then   # root writes anywhere
    mkdir "$tmp/ro"; chmod 555 "$tmp/ro"
    status_is 2 "an output in a read-only folder" "$DMC" $logreg -o "$tmp/ro/m.o"
fi
# The input is never an output: `-o FILE.dm` is exit 2 and FILE.dm is intact.
cp $logreg "$tmp/self.dm"; cp $logreg "$tmp/self.orig"
status_is 2 "-o the input" "$DMC" "$tmp/self.dm" -o "$tmp/self.dm"
status_is 2 "--emit=ir -o the input" "$DMC" --emit=ir "$tmp/self.dm" -o "$tmp/self.dm"
status_is 2 "--emit=ast -o the input" "$DMC" --emit=ast "$tmp/self.dm" -o "$tmp/self.dm"
cmp -s "$tmp/self.dm" "$tmp/self.orig" || { echo "FAILED: the input was overwritten"; fails=$((fails + 1)); }
# A successful compilation replaces the old files whole.
check "a good compilation over old files" "$DMC" $logreg -o "$tmp/dest/m.o"
grep -q logreg_model "$tmp/dest/m.h" && ! cmp -s "$tmp/dest/m.o" "$tmp/m.o.orig" ||
    { echo "FAILED: the old files were not replaced"; fails=$((fails + 1)); }

[ $fails = 0 ] && echo "all command-line checks passed"
exit $((fails > 0))
