#!/usr/bin/env bash
# The logistic example against PyTorch (examples/logreg/reference.py, the same
# model, data and optimizer): every printed loss, prediction and parameter
# agrees to 1e-5 relative.
set -euo pipefail
cd "$(dirname "$0")/../.."
ours=$("${BUILD:-build}/examples/logreg/logreg")
theirs=$(/usr/bin/python3 examples/logreg/reference.py)
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import re, sys
num = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")
ours, theirs = sys.argv[1].splitlines(), sys.argv[2].splitlines()
assert len(ours) == len(theirs) == 12, (len(ours), len(theirs))
for a, b in zip(ours, theirs):
    assert num.sub("#", a) == num.sub("#", b), f"lines differ: {a!r} vs {b!r}"
    for u, v in zip(num.findall(a), num.findall(b)):
        u, v = float(u), float(v)
        assert abs(u - v) <= 1e-5 * max(abs(v), 1e-3), f"{a!r} vs {b!r}"
print("logreg matches PyTorch:", ours[-1])
PY
