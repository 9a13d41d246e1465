#!/usr/bin/env bash
# The PyTorch conformance suite: every model of tests/torch/ agrees with
# PyTorch (loss, gradients, 5 updates, checkpoint round trip); one line per
# model.  See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tests/torch/conformance.py --build "${BUILD:-build}"
