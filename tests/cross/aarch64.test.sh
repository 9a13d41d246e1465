#!/usr/bin/env bash
# aarch64.test.sh: make check-cross's proof for one target in every make test:
# a few models compiled for aarch64 Linux run under qemu-aarch64 and compute
# what the host computes (bit-identical with --fp-contract=off, within 1e-5
# by default; tests/cross/cross.py).  make check-cross runs every model on
# every target (docs/targets.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
t=aarch64-linux-gnu
make -s --no-print-directory BUILD="$B" runtime TARGET=$t
/usr/bin/python3 tests/cross/cross.py --build "$B" --target $t --cc $t-gcc --runtime "$B/$t/libdmrt.a" \
    --emulator "qemu-aarch64 -L /usr/$t" logreg mlp lenet dropout
