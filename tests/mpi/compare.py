#!/usr/bin/python3
"""compare.py A B [TOL]: the parameters (and optimizer moments) of two
safetensors checkpoints agree within TOL relative (default 1e-5): for every
f32 tensor, max |a - b| <= TOL * max |b|.  Prints the worst ratio; exits 1
if a tensor differs more, or the files hold different tensors.  A reader of
its own (the format is 8 bytes of header length, a JSON header, raw data),
so the check does not rest on dmc's loader."""
import array, json, struct, sys

def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        values = array.array({"F32": "f", "I32": "i"}[t["dtype"]], data[lo:hi])
        if sys.byteorder != "little":
            values.byteswap()
        out[name] = list(values)
    return out

a, b = load(sys.argv[1]), load(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
if sorted(a) != sorted(b):
    sys.exit("the checkpoints hold different tensors: %s / %s" % (sorted(a), sorted(b)))
worst, where = 0.0, ""
for name in sorted(a):
    if name.startswith("rng/"):
        continue                      # the dropout generator: compared by the caller
    scale = max((abs(v) for v in b[name]), default=0.0)
    diff = max((abs(x - y) for x, y in zip(a[name], b[name])), default=0.0)
    ratio = diff / scale if scale > 0 else diff
    if ratio > worst:
        worst, where = ratio, name
print("worst relative difference %.3g (%s)" % (worst, where or "-"))
sys.exit(0 if worst <= tol else 1)
