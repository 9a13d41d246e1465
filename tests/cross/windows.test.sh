#!/usr/bin/env bash
# windows.test.sh: dmc's output on Windows (x86-64, MinGW-w64), run under
# wine64 against the host (docs/targets.md, "Windows").
#
#   1. logreg, mlp, lenet, dropout (tests/cross/cross.py): every tensor after
#      one step and three updates bit-identical to the host's with
#      --fp-contract=off, within 1e-5 by default (the host's code may fuse
#      multiply-adds with its FMA unit; the Windows object is compiled for
#      the generic x86-64 CPU, which has none).  dmrun's checkpoints go
#      through dm_save's Windows path (os/windows.c: MoveFileEx), its steps
#      through winpthreads (DM_THREADS=2).
#   2. The Fashion-MNIST MLP example (examples/fashion_mlp, the real program
#      with examples/common/trainer.c: IDX loading, shuffling, the cosine
#      schedule, per-epoch checkpoints) trained for two epochs on 2048 samples,
#      --fp-contract=off: the same printed losses and accuracies, and a final
#      checkpoint byte-identical to the host's; then stopped after epoch 1
#      and resumed on Windows (dm_load, then dm_save over the old file):
#      the same checkpoint again.  Bit-identical is the right bound: same
#      instructions set aside, both runs do the same float operations in the
#      same order (docs/targets.md, "Same numbers everywhere").
#   3. tests/codegen/labels.test.sh for Windows: a bad class index reaches
#      the runtime's rt_bad_label through dm_exec (seven arguments: on Win64
#      three of them on the stack), and its message names the right element
#      and value.
#   4. The runtime's unit tests that need no fork, FIFO or symbolic link
#      (tests/unit/rt_*.c but rt_save_failure and rt_save_paths), built for
#      Windows with tests/cross/windows/posix.c for the POSIX calls the tests
#      themselves make: checkpoints saved over old ones, refused and kept,
#      loaded back; the API's errors; data loading; threads.
#
# The packages (scripts/setup.sh, group windows) are installed if missing;
# the test is skipped (a SKIP line, status 0) only when that fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
t=x86_64-w64-mingw32
cc=$t-gcc
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
if ! command -v $cc >/dev/null || [ ! -x "$wine" ]; then
    sh scripts/setup.sh windows >&2 || true
    wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
    if ! command -v $cc >/dev/null || [ ! -x "$wine" ]; then
        echo "SKIP windows: $cc or wine64 missing and not installable (sh scripts/setup.sh windows)"
        exit 0
    fi
fi
# wine's configuration (made on the first run, about 10 s) lives in the build folder.
export WINEPREFIX=$PWD/$B/wine WINEDEBUG=-all
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

make -s --no-print-directory BUILD="$B" runtime TARGET=$t
rt="$B/$t/libdmrt.a"

# 1. the conformance models and logreg
/usr/bin/python3 tests/cross/cross.py --build "$B" --target $t --cc "$cc -D__USE_MINGW_ANSI_STDIO=1" \
    --runtime "$rt" --emulator "$wine" --exe-suffix .exe logreg mlp lenet dropout

# 2. the Fashion-MNIST MLP program; the host's and Windows's builds of the
# model are both named fashion_mlp.h, so each has its own folder.
for side in host win; do
    mkdir -p "$tmp/$side"
    "$B/dmc" --fp-contract=off $([ $side = win ] && echo --target=$t) examples/fashion_mlp/fashion_mlp.dm \
        -o "$tmp/$side/fashion_mlp.o"
done
src="examples/fashion_mlp/main.c examples/common/trainer.c"
cc -std=c11 -O2 -D_GNU_SOURCE -Iruntime -Iexamples/common -I"$tmp/host" $src "$tmp/host/fashion_mlp.o" "$B/libdmrt.a" \
    -lm -lpthread -o "$tmp/host/fashion_mlp"
$cc -static -std=c11 -O2 -D_GNU_SOURCE -Iruntime -Iexamples/common -I"$tmp/win" $src "$tmp/win/fashion_mlp.o" "$rt" \
    -lm -lpthread -o "$tmp/win/fashion_mlp.exe"
run=(--epochs 2 --train-limit 2048 --threads 2)
"$tmp/host/fashion_mlp" "${run[@]}" --save "$tmp/host.safetensors" >"$tmp/host.out"
"$wine" "$tmp/win/fashion_mlp.exe" "${run[@]}" --save "$tmp/win.safetensors" >"$tmp/win.out"
"$wine" "$tmp/win/fashion_mlp.exe" "${run[@]}" --stop-after 1 --save "$tmp/resumed.safetensors" >/dev/null
"$wine" "$tmp/win/fashion_mlp.exe" "${run[@]}" --resume "$tmp/resumed.safetensors" \
    --save "$tmp/resumed.safetensors" >/dev/null
# The losses and accuracies, without the speeds (samples/s, seconds) and Windows's CR.
losses() { tr -d '\r' <"$1" | sed 's/, [0-9]* samples\/s.*//'; }
if ! diff <(losses "$tmp/host.out") <(losses "$tmp/win.out"); then
    echo "FAIL windows fashion_mlp: the printed losses differ (above: < host, > Windows)"; exit 1
fi
grep -q "^epoch 2/2: loss" "$tmp/host.out" || { echo "FAIL windows fashion_mlp: no epoch 2"; cat "$tmp/host.out"; exit 1; }
cmp "$tmp/host.safetensors" "$tmp/win.safetensors" ||
    { echo "FAIL windows fashion_mlp: the checkpoints differ"; exit 1; }
cmp "$tmp/host.safetensors" "$tmp/resumed.safetensors" ||
    { echo "FAIL windows fashion_mlp: the resumed run's checkpoint differs"; exit 1; }
ls "$tmp" | grep '\.tmp\.' >/dev/null && { echo "FAIL windows fashion_mlp: a temporary checkpoint was left behind"; exit 1; }
echo "ok   $t fashion_mlp: losses and checkpoint bit-identical with --fp-contract=off, also resumed"

# 3. class indices out of range
LABELS_TARGET=$t LABELS_CC="$cc -static -D__USE_MINGW_ANSI_STDIO=1" LABELS_RUNTIME="$rt" LABELS_RUN="$wine" \
    LABELS_EXE=.exe bash tests/codegen/labels.test.sh >/dev/null
echo "ok   $t labels: bad class indices reported through rt_bad_label"

# 4. the runtime's unit tests.  rt_api and rt_data remove their folders with
# system("rm -rf ..."), which Windows's shell cannot: the folder they name is
# removed here.
for u in rt_api rt_buffer rt_buffers rt_data rt_format rt_init rt_model rt_safetensors rt_threads; do
    $cc -static -O1 -std=c11 -D_GNU_SOURCE -include tests/cross/windows/posix.h -Iruntime -Itests/unit \
        tests/unit/$u.c tests/cross/windows/posix.c "$rt" -lm -lpthread -o "$tmp/$u.exe"
    if ! "$wine" "$tmp/$u.exe" >"$tmp/$u.out" 2>&1; then
        echo "FAIL $t $u:"; tr -d '\r' <"$tmp/$u.out"; exit 1
    fi
    left=$(tr -d '\r' <"$tmp/$u.out" | sed -n "s|^.*remove \(/tmp/$u\.[0-9A-Za-z]*\)$|\1|p")
    [ -z "$left" ] || rm -rf "$left"
done
echo "ok   $t runtime unit tests: rt_api rt_buffer rt_buffers rt_data rt_format rt_init rt_model rt_safetensors rt_threads"
