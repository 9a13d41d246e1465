#!/usr/bin/env bash
# 32bit.test.sh: make check-cross's proof for the 32-bit targets in every
# make test: lenet (convolution, matmul, pooling: the kernels' Conv and Gemm
# structs) compiled for i686 Linux, whose int64_t and double are 4-byte
# aligned in structs, and logreg for ARMv7 hard-float Linux, where they are
# 8-byte aligned, run under qemu-i386 / qemu-arm and compute what the host
# computes (bit-identical with --fp-contract=off, within 1e-5 by default;
# tests/cross/cross.py).  make check-cross runs every model on every target.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
make -s --no-print-directory BUILD="$B" runtime TARGET=i686-linux-gnu
/usr/bin/python3 tests/cross/cross.py --build "$B" --target i686-linux-gnu \
    --cc "i686-linux-gnu-gcc -msse2 -mfpmath=sse" --runtime "$B/i686-linux-gnu/libdmrt.a" \
    --emulator "qemu-i386 -L /usr/i686-linux-gnu" lenet
make -s --no-print-directory BUILD="$B" runtime TARGET=armv7-linux-gnueabihf
/usr/bin/python3 tests/cross/cross.py --build "$B" --target armv7-linux-gnueabihf \
    --cc arm-linux-gnueabihf-gcc --runtime "$B/armv7-linux-gnueabihf/libdmrt.a" \
    --emulator "qemu-arm -L /usr/arm-linux-gnueabihf" logreg
