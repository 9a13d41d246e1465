#!/bin/bash
# doc_examples.test.sh: every ```dm block of docs/language.md compiles (sema
# and the passes after it, --emit=ir), so the documentation cannot rot.
set -u
cd "$(dirname "$0")/../.."
DMC=${DMC:-$PWD/${BUILD:-build}/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
    /^```dm[ \t]*$/ { n++; out = sprintf("%s/block%02d.dm", dir, n); inside = 1; next }
    /^```/ && inside { inside = 0; close(out); next }
    inside { print > out }
' docs/language.md
blocks=$(ls "$tmp"/block*.dm 2>/dev/null | wc -l)
[ "$blocks" -ge 4 ] || { echo "expected at least 4 dm blocks, found $blocks"; exit 1; }
fail=0
for f in "$tmp"/block*.dm; do
    if ! "$DMC" --emit=ir "$f" -o "$tmp/out.ir" 2>"$tmp/err"; then
        echo "docs/language.md block $(basename "$f" .dm) does not compile:"; cat "$tmp/err"; fail=1
    fi
done
[ $fail = 0 ] && echo "$blocks blocks compile"
exit $fail
