#!/usr/bin/env bash
# torch.test.sh: python/dmc.py drives models compiled with --emit=shared and
# agrees with PyTorch (float64) on the loss and every gradient of the first
# step and every parameter after 4 updates, to 1e-5 of the tensor's scale;
# the ctypes mirror of the descriptor matches the C layout.  See
# tests/python/check_torch.py and docs/python.md.
set -eu
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tests/python/check_torch.py --build "${BUILD:-build}"
