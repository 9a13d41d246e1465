#!/usr/bin/env bash
# mutate.test.sh: a few hundred broken variants of the repository's .dm files
# (fixed seed) through dmc: exit 0 or 1 only, `error:` with every exit 1, no
# hang, no leftover output (tests/mutation/mutate.py says how).  Failing
# inputs are kept in $BUILD/mutation-failures/.  Takes ~10-30 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
rm -rf "$BUILD/mutation-failures"
/usr/bin/python3 tests/mutation/mutate.py "$PWD/$BUILD/dmc" "$scratch" "$BUILD/mutation-failures"
