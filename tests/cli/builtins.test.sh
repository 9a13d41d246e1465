#!/usr/bin/env bash
# builtins.test.sh: the built-in functions are listed once, by dmc itself
# (dmc --list-builtins, from sema's table and ops.def's FN rows); every
# other list of them is checked against that one: docs/language.md
# documents each (`name` or `name(`), the fuzz dictionary holds each ("name"), and
# the conformance suite takes its list from dmc (conformance.py's
# language_calls), so a new built-in that none of its models calls fails it.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
names=$("$B/dmc" --list-builtins) || { echo "FAIL dmc --list-builtins"; exit 1; }
[ "$(printf '%s\n' "$names" | grep -c .)" -ge 20 ] || { echo "FAIL too few built-ins: $names"; exit 1; }
[ "$(printf '%s\n' "$names" | sort | uniq -d)" = "" ] || { echo "FAIL a name listed twice"; exit 1; }
fails=0
for n in $names; do
    grep -q "\`$n[\`(]" docs/language.md || { echo "FAIL docs/language.md does not document \`$n\`"; fails=1; }
    grep -qx "\"$n\"" tests/fuzz/frontend.dict || { echo "FAIL tests/fuzz/frontend.dict lacks \"$n\""; fails=1; }
done
# The list moves with the table: an elementwise op marked FN is a built-in,
# one marked IR (step, the derivative of relu) is not.
printf '%s\n' "$names" | grep -qx leaky_relu || { echo "FAIL leaky_relu (ops.def, FN) missing"; fails=1; }
printf '%s\n' "$names" | grep -qx step && { echo "FAIL step (ops.def, IR) listed"; fails=1; }
grep -q -- "--list-builtins" tests/torch/conformance.py || { echo "FAIL conformance.py does not read the list"; fails=1; }
exit $fails
