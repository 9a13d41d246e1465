#!/usr/bin/env bash
# fp_contract.test.sh: --fp-contract=off leaves no fused multiply-add in the
# object (x86-64's vfmadd/vfmsub/vfnmadd family), fast and on do fuse where
# the CPU has FMA, and a bad mode is a usage error.  That the three modes
# compute what they should is tests/cross/'s business.
set -euo pipefail
cd "$(dirname "$0")/../.."
DMC=${DMC:-build/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fmas() { objdump -d "$1" | grep -cE 'vf(n)?m(add|sub)' || true; }
for mode in off on fast; do
    "$DMC" --cpu=haswell --fp-contract=$mode examples/fashion_mlp/fashion_mlp.dm -o "$tmp/$mode.o"
done
off=$(fmas "$tmp/off.o"); on=$(fmas "$tmp/on.o"); fast=$(fmas "$tmp/fast.o")
echo "fused multiply-adds: off $off, on $on, fast $fast"
[ "$off" = 0 ] && [ "$on" -gt 0 ] && [ "$fast" -ge "$on" ]
set +e; "$DMC" --fp-contract=sometimes examples/logreg/logreg.dm -o "$tmp/x.o" 2>"$tmp/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "expected off, on or fast" "$tmp/err" && [ ! -e "$tmp/x.o" ]
