#!/bin/bash
# warnings.test.sh: the models the project ships compile without a warning;
# the -W options' mistakes are usage errors (exit 2) with a suggestion; a
# program with warnings only exits 0 and writes its output.
set -eu
cd "$(dirname "$0")/../.."
DMC=${DMC:-$PWD/${BUILD:-build}/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# every example, with the flags its build uses, under -Werror
for dm in examples/*/*.dm; do
    flags=""; [ -f "${dm%.dm}.dmflags" ] && flags=$(cat "${dm%.dm}.dmflags")
    "$DMC" -Werror $flags --emit=ir "$dm" -o "$tmp/out.ir" 2>"$tmp/err" || { cat "$tmp/err"; fail "$dm warns"; }
    [ -s "$tmp/err" ] && { cat "$tmp/err"; fail "$dm prints on stderr"; }
done

# --help names the options and every warning
for opt in -Werror -Werror=NAME -Wno-NAME "-w " unused-input unused-param unused-binding unused-argument \
           untrained-param loss-constant; do
    "$DMC" --help | grep -q -- "$opt" || fail "--help does not mention '$opt'"
done

# a misspelt warning name
set +e
"$DMC" -Wunused-parm tests/sema/warn_unused.dm -o "$tmp/x.o" 2>"$tmp/err"; rc=$?
set -e
[ $rc = 2 ] || fail "-Wunused-parm: exit $rc, expected 2"
grep -q "unknown warning option '-Wunused-parm'; did you mean '-Wunused-param'?" "$tmp/err" || { cat "$tmp/err"; fail "no suggestion"; }
set +e
"$DMC" -Wno-error=frobnicate tests/sema/warn_unused.dm -o "$tmp/x.o" 2>"$tmp/err"; rc=$?
set -e
[ $rc = 2 ] || fail "-Wno-error=frobnicate: exit $rc, expected 2"
grep -q "unknown warning option '-Wno-error=frobnicate' (the warnings: unused-input" "$tmp/err" || { cat "$tmp/err"; fail "no list"; }

# warnings only: exit 0, the object and its header are written
"$DMC" tests/sema/warn_unused.dm -o "$tmp/w.o" 2>"$tmp/err"
[ -s "$tmp/w.o" ] && [ -s "$tmp/w.h" ] || fail "no output with warnings"
grep -q "^8 warnings generated.$" "$tmp/err" || { cat "$tmp/err"; fail "no trailer"; }
# -Werror: exit 1, nothing written
rm -f "$tmp/w.o" "$tmp/w.h"
set +e
"$DMC" -Werror tests/sema/warn_unused.dm -o "$tmp/w.o" 2>"$tmp/err"; rc=$?
set -e
[ $rc = 1 ] || fail "-Werror: exit $rc, expected 1"
[ ! -e "$tmp/w.o" ] || fail "-Werror wrote the object"
echo ok
