#!/usr/bin/env bash
# valgrind.sh: make check-valgrind.  Runs under valgrind memcheck
#   1. dmc compiling every example (code generation to an object included);
#   2. dmc on a sample of the golden test cases (VALGRIND_SAMPLE, default 12),
#      with each case's flags, expecting the case's exit status (1 for .err);
#   3. the runtime's unit tests ($BUILD/tests/bin/rt_*);
#   4. every example program that finishes natively within 2 s (recompiled
#      with --cpu=x86-64-v3: valgrind 3.19 cannot run AVX-512 code).
# memcheck runs with --leak-check=full --errors-for-leak-kinds=definite,indirect
# and --error-exitcode=99 (99, not 1: dmc's own exit 1 means "errors in the
# input", which the .err cases expect).  "Still reachable" memory (LLVM's
# process-lifetime registries) is not an error.  Prints one line per run and
# "N passed, M failed"; logs of failures go to $BUILD/valgrind/.
# VALGRIND_PARTS=34 runs only parts 3 and 4, and so on.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DMC=$PWD/$BUILD/dmc
SAMPLE=${VALGRIND_SAMPLE:-12}
PARTS=${VALGRIND_PARTS:-1234}   # which of the four parts to run
LOGS=$PWD/$BUILD/valgrind
rm -rf "$LOGS"; mkdir -p "$LOGS"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
VG=(valgrind -q --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30)
pass=0; fail=0; failed=(); start=$(date +%s)

# run NAME EXPECTED-STATUS COMMAND...
run() {
    local name=$1 want=$2 log t0 rc
    shift 2
    log=$LOGS/$(echo "$name" | tr '/ ' '__').log
    t0=$(date +%s)
    timeout 900 "${VG[@]}" --log-file="$log" "$@" >/dev/null 2>>"$log"
    rc=$?
    if [ "$rc" = "$want" ]; then
        pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - t0 )) s)"; rm -f "$log"
    else
        fail=$((fail + 1)); failed+=("$name")
        echo "FAIL $name: exit $rc, expected $want ($(( $(date +%s) - t0 )) s; log $log)"
        grep -m 12 -E '==[0-9]+== +(Invalid|Conditional|Use of|Mismatched|Source|Syscall|[0-9,]+ bytes in)|==[0-9]+== +(at|by) 0x' "$log" | head -n 12 | sed 's/^/    /'
    fi
}

[ -x "$DMC" ] || { echo "valgrind: $DMC is not built (make all tests-build)" >&2; exit 2; }

# 1. The compiler on every example, all the way to an object.
for dm in examples/*/*.dm; do
    [ -f "$dm" ] && [[ $PARTS == *1* ]] || continue
    flags=$(cat "${dm%.dm}.dmflags" 2>/dev/null || true)
    run "dmc $dm" 0 "$DMC" $flags "$dm" -o "$tmp/$(basename "${dm%.dm}").o"
done

# 2. A sample of the golden cases: every k-th, so that it spans the suite.
mapfile -t cases < <(find tests -name '*.dm' -not -path 'tests/fuzz/*' | sort | while read -r dm; do
    b=${dm%.dm}; for e in ir err ast; do [ -f "$b.$e" ] && { echo "$e $dm"; break; }; done; done)
step=$(( (${#cases[@]} + SAMPLE - 1) / (SAMPLE > 0 ? SAMPLE : 1) )); [ $step -ge 1 ] || step=1
[[ $PARTS == *2* ]] || cases=()
for ((i = 0; i < ${#cases[@]}; i += step)); do
    read -r ext dm <<<"${cases[$i]}"
    flags=$(cat "${dm%.dm}.flags" 2>/dev/null || true)
    case $ext in
        err) run "dmc $dm" 1 "$DMC" $flags "$dm" -o "$tmp/case.o" ;;
        *)   run "dmc --emit=$ext $dm" 0 "$DMC" $flags --emit="$ext" "$dm" -o - ;;
    esac
done

# 3. The runtime's unit tests.
for t in "$BUILD"/tests/bin/rt_*; do
    [ -x "$t" ] && [[ $PARTS == *3* ]] && run "$t" 0 "$t"
done

# 4. Example programs quick enough natively (valgrind is 20-50x slower),
# recompiled for x86-64-v3: valgrind 3.19 does not decode AVX-512, which dmc
# uses by default on a host that has it.
for dir in examples/*/; do
    [[ $PARTS == *4* ]] && ls "$dir"*.dm >/dev/null 2>&1 || continue
    name=$(basename "$dir") out=$tmp/ex/$name
    mkdir -p "$out"
    ok=1
    for dm in "$dir"*.dm; do
        [ -f "$dm" ] || continue
        "$DMC" $(cat "${dm%.dm}.dmflags" 2>/dev/null || true) --cpu=x86-64-v3 "$dm" \
            -o "$out/$(basename "${dm%.dm}").o" 2>>"$out/build.log" || ok=0
    done
    common=() # as examples/examples.mk links them
    grep -q '"trainer.h"' "$dir"*.c 2>/dev/null && common=(examples/common/trainer.c)
    [ $ok = 1 ] && ${CC:-cc} -O2 -g -Iruntime -Iexamples/common -I"$out" -o "$out/$name" "$dir"*.c \
        "${common[@]}" "$out"/*.o "$BUILD/libdmrt.a" -lm -lpthread 2>>"$out/build.log" || {
        echo "SKIP example $name (does not build; $out/build.log)"; continue; }
    if timeout 2 "$out/$name" >/dev/null 2>&1; then
        run "example $name" 0 "$out/$name"
    else
        echo "SKIP example $name (longer than 2 s natively, or needs arguments or data)"
    fi
done

echo
[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "valgrind: $pass passed, $fail failed in $(( $(date +%s) - start )) s"
[ $fail = 0 ]
