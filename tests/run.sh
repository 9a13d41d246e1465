#!/usr/bin/env bash
# run.sh: the test runner.  One line per case, then "N passed, M failed".
#
# A case is one of:
#   tests/**/NAME.dm with a sibling expected file
#       NAME.err  dmc exits 1 and prints exactly this on stderr
#       NAME.warn dmc exits 0 and prints exactly this on stderr (warnings)
#       NAME.ir   dmc --emit=ir prints exactly this
#       NAME.ast  dmc --emit=ast prints exactly this
#     NAME.flags (optional) holds extra dmc arguments for the case.
#   tests/**/NAME.ir without a NAME.dm (the IR's text form as input) with
#       NAME.expected  `dmc --emit=ir FLAGS NAME.ir -o -` exits 0 and prints exactly
#                      this (standard output, after standard error: --stats,
#                      --dump-after); FLAGS from NAME.flags, e.g. --passes=simplify
#       NAME.err       dmc exits 1 and prints exactly this on stderr
#   tests/**/NAME.test.sh   a script; passes when it exits 0
#   $BUILD/tests/bin/*      a compiled test program; passes when it exits 0
# UPDATE=1 rewrites the expected files instead of comparing (review with git diff).
# TESTS=pattern runs only the cases whose path contains pattern.
# TEST_TIMEOUT=seconds bounds each script and program (default 600; the
# sanitizer build, about three times slower, sets more).
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export DMC=$PWD/$BUILD/dmc
UPDATE=${UPDATE:-0}
pattern=${TESTS:-}
limit=${TEST_TIMEOUT:-600}
pass=0; fail=0; failed=()
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

report() {  # report NAME STATUS [DETAIL-FILE]
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"
    else fail=$((fail + 1)); failed+=("$1"); echo "FAIL $1"
        [ "$2" = 124 ] && echo "    timed out after $limit s (TEST_TIMEOUT)"
        # the start and the end of a long detail: a script's failure is usually last
        if [ -n "${3:-}" ] && [ -s "$3" ]; then
            if [ "$(wc -l <"$3")" -le 40 ]; then sed 's/^/    /' "$3"
            else head -n 10 "$3" | sed 's/^/    /'; echo "    ..."; tail -n 30 "$3" | sed 's/^/    /'; fi
        fi
    fi
}

golden() {  # golden DM EXT: compare one kind of dmc output with its expected file
    local dm=$1 ext=$2 base=${1%.dm} flags="" out=$tmp/out status=0 rc
    [ -f "$base.flags" ] && flags=$(cat "$base.flags")
    case $ext in
        err) timeout 60 "$DMC" $flags "$dm" -o "$tmp/case.o" >/dev/null 2>"$out"; rc=$?
             [ $rc = 1 ] || { echo "exit status $rc, expected 1" >"$tmp/why"; status=1; } ;;
        warn) timeout 60 "$DMC" $flags "$dm" -o "$tmp/case.o" >/dev/null 2>"$out"; rc=$?
             [ $rc = 0 ] || { echo "exit status $rc, expected 0" >"$tmp/why"; status=1; } ;;
        ir)  timeout 60 "$DMC" $flags --emit=ir "$dm" -o - >"$out" 2>"$tmp/why"; status=$? ;;
        ast) timeout 60 "$DMC" $flags --emit=ast "$dm" -o - >"$out" 2>"$tmp/why"; status=$? ;;
    esac
    if [ "$UPDATE" = 1 ]; then cp "$out" "$base.$ext"; report "$base.$ext" 0; return; fi
    compare "$base.$ext" "$out" $status
}

compare() {  # compare EXPECTED-FILE OUTPUT STATUS
    local status=$3
    if [ $status = 0 ] && ! diff -u "$1" "$2" >"$tmp/why" 2>&1; then status=1; fi
    report "$1" $status "$tmp/why"
}

ir_golden() {  # ir_golden IR EXT: dmc run on an IR input (pass tests, reader errors)
    local ir=$1 ext=$2 base=${1%.ir} flags="" out=$tmp/out status=0 rc
    [ -f "$base.flags" ] && flags=$(cat "$base.flags")
    case $ext in
        err) timeout 60 "$DMC" $flags "$ir" -o "$tmp/case.o" >/dev/null 2>"$out"; rc=$?
             [ $rc = 1 ] || { echo "exit status $rc, expected 1" >"$tmp/why"; status=1; } ;;
        expected) timeout 60 "$DMC" --emit=ir $flags "$ir" -o - >"$out" 2>&1; rc=$?
             [ $rc = 0 ] || { echo "exit status $rc, expected 0" >"$tmp/why"; cat "$out" >>"$tmp/why"; status=1; } ;;
    esac
    if [ "$UPDATE" = 1 ]; then cp "$out" "$base.$ext"; report "$base.$ext" 0; return; fi
    compare "$base.$ext" "$out" $status
}

while IFS= read -r dm; do
    for ext in err warn ir ast; do
        [ -f "${dm%.dm}.$ext" ] && [[ "$dm" == *"$pattern"* ]] && golden "$dm" $ext
    done
done < <(find tests -name '*.dm' | sort)

while IFS= read -r ir; do
    [ -f "${ir%.ir}.dm" ] && continue          # the expected output of a .dm case
    for ext in expected err; do
        [ -f "${ir%.ir}.$ext" ] && [[ "$ir" == *"$pattern"* ]] && ir_golden "$ir" $ext
    done
done < <(find tests -name '*.ir' | sort)

[ "$UPDATE" = 1 ] && { echo "$pass updated"; exit 0; }

while IFS= read -r t; do
    [[ "$t" == *"$pattern"* ]] || continue
    # A case's stdin is /dev/null: the loop reads the list of cases from its own
    # (mpirun, for one, forwards its stdin to rank 0 and would eat the list).
    timeout "$limit" bash "$t" >"$tmp/why" 2>&1 </dev/null; report "$t" $? "$tmp/why"
done < <(find tests -name '*.test.sh' | sort)

if [ -d "$BUILD/tests/bin" ]; then
    while IFS= read -r t; do
        [[ "$t" == *"$pattern"* ]] || continue
        timeout "$limit" "$t" >"$tmp/why" 2>&1 </dev/null; report "$t" $? "$tmp/why"
    done < <(find "$BUILD/tests/bin" -type f -perm -u+x | sort)
fi

echo
[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
