#!/usr/bin/env bash
# cortex_m.test.sh: tests/cross/cortex_m.sh in every make test, on three
# models (logreg; conv: the Conv struct on a 32-bit target; onehot: i32
# labels, whose dtype in the descriptor needs 4-byte enums, which
# arm-none-eabi-gcc does not give by default); make check-cross runs all.
exec bash "$(dirname "$0")/cortex_m.sh" logreg conv onehot
