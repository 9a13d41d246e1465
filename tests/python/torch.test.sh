#!/usr/bin/env bash
# torch.test.sh: python/dmc.py drives models compiled with --emit=shared and
# agrees with PyTorch (float64) on the loss and every gradient of the first
# step and every parameter after 4 updates, to 1e-5 of the tensor's scale;
# the ctypes mirror of the descriptor matches the C layout.  See
# tests/python/check_torch.py and docs/python.md.
set -eu
cd "$(dirname "$0")/../.."
# Under make check-sanitize the libraries are built with AddressSanitizer,
# whose runtime a plain python3 lacks: it is preloaded (and Python's own
# allocations, never freed at exit, are not reported as leaks).
if [ -n "${DM_SANITIZE:-}" ]; then
    export LD_PRELOAD="$(clang-19 -print-file-name=libclang_rt.asan-x86_64.so)"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
exec /usr/bin/python3 tests/python/check_torch.py --build "${BUILD:-build}"
