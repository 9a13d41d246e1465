#!/usr/bin/env bash
# run.sh: the test runner.  One line per case, then "N passed, M failed".
#
# A case is one of:
#   tests/**/NAME.dm with a sibling expected file
#       NAME.err  dmc exits 1 and prints exactly this on stderr
#       NAME.ir   dmc --emit=ir prints exactly this
#       NAME.ast  dmc --emit=ast prints exactly this
#     NAME.flags (optional) holds extra dmc arguments for the case.
#   tests/**/NAME.test.sh   a script; passes when it exits 0
#   $BUILD/tests/bin/*      a compiled test program; passes when it exits 0
# UPDATE=1 rewrites the expected files instead of comparing (review with git diff).
# TESTS=pattern runs only the cases whose path contains pattern.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export DMC=$PWD/$BUILD/dmc
UPDATE=${UPDATE:-0}
pattern=${TESTS:-}
pass=0; fail=0; failed=()
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

report() {  # report NAME STATUS [DETAIL-FILE]
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"
    else fail=$((fail + 1)); failed+=("$1"); echo "FAIL $1"
        [ -n "${3:-}" ] && [ -s "$3" ] && head -n 40 "$3" | sed 's/^/    /'
    fi
}

golden() {  # golden DM EXT: compare one kind of dmc output with its expected file
    local dm=$1 ext=$2 base=${1%.dm} flags="" out=$tmp/out status=0 rc
    [ -f "$base.flags" ] && flags=$(cat "$base.flags")
    case $ext in
        err) timeout 60 "$DMC" $flags "$dm" -o "$tmp/case.o" >/dev/null 2>"$out"; rc=$?
             [ $rc = 1 ] || { echo "exit status $rc, expected 1" >"$tmp/why"; status=1; } ;;
        ir)  timeout 60 "$DMC" $flags --emit=ir "$dm" -o - >"$out" 2>"$tmp/why"; status=$? ;;
        ast) timeout 60 "$DMC" $flags --emit=ast "$dm" -o - >"$out" 2>"$tmp/why"; status=$? ;;
    esac
    if [ "$UPDATE" = 1 ]; then cp "$out" "$base.$ext"; report "$base.$ext" 0; return; fi
    if [ $status = 0 ] && ! diff -u "$base.$ext" "$out" >"$tmp/why" 2>&1; then status=1; fi
    report "$base.$ext" $status "$tmp/why"
}

while IFS= read -r dm; do
    for ext in err ir ast; do
        [ -f "${dm%.dm}.$ext" ] && [[ "$dm" == *"$pattern"* ]] && golden "$dm" $ext
    done
done < <(find tests -name '*.dm' | sort)

[ "$UPDATE" = 1 ] && { echo "$pass updated"; exit 0; }

while IFS= read -r t; do
    [[ "$t" == *"$pattern"* ]] || continue
    # A case's stdin is /dev/null: the loop reads the list of cases from its own
    # (mpirun, for one, forwards its stdin to rank 0 and would eat the list).
    timeout 600 bash "$t" >"$tmp/why" 2>&1 </dev/null; report "$t" $? "$tmp/why"
done < <(find tests -name '*.test.sh' | sort)

if [ -d "$BUILD/tests/bin" ]; then
    while IFS= read -r t; do
        [[ "$t" == *"$pattern"* ]] || continue
        timeout 600 "$t" >"$tmp/why" 2>&1 </dev/null; report "$t" $? "$tmp/why"
    done < <(find "$BUILD/tests/bin" -type f -perm -u+x | sort)
fi

echo
[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
