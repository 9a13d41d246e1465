#!/usr/bin/env bash
# safetensors_python.test.sh: checkpoints move between dmc and Python/PyTorch,
# and the documented generator (docs/runtime.md) reimplemented in Python gives
# the runtime's initial parameters.
#   1. Python reimplements SplitMix64 / FNV-1a / xoshiro256** / the initialisers
#      and checks st_tool's initial values (exact for uniform, xavier and the
#      seed key; within 1e-6 relative for Box-Muller, where libm may differ).
#   2. dm_save's file, read with struct + json, holds the values Python expects
#      after one hand-computed training step of the fixture (fixture.h).
#   3. A file written from torch tensors with struct + json loads in dmc with
#      the same values; a mis-shaped one is rejected with the precise reason.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$BUILD" "$BUILD/libdmrt.a"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -Iruntime -Itests/runtime -o "$tmp/st_tool" tests/runtime/st_tool.c \
    "$BUILD/libdmrt.a" -lm -lpthread

"$tmp/st_tool" gen 42 > "$tmp/gen.txt"
"$tmp/st_tool" save "$tmp/dmc.safetensors" 42
"$PY" tests/runtime/safetensors_check.py "$tmp" "$tmp/st_tool"
echo "ok"
