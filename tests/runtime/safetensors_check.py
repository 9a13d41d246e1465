"""safetensors_check.py TMPDIR ST_TOOL: the Python half of safetensors_python.test.sh.

Reimplements the runtime's generator from docs/runtime.md (not from its C code)
and checks dmc's checkpoints and initial values against it."""
import json, math, struct, subprocess, sys

tmp, tool = sys.argv[1], sys.argv[2]
M64 = (1 << 64) - 1
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)

# ---- the generator, as documented -------------------------------------------
def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)

def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & M64
    return h

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64

class Stream:
    def __init__(self, seed, name):
        st = seed ^ fnv1a64(name)
        self.s = []
        for _ in range(4):
            st, out = splitmix64(st)
            self.s.append(out)
        self.spare = None
    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result
    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53
    def normal(self):
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        self.spare = r * math.sin(2 * math.pi * u2)
        return r * math.cos(2 * math.pi * u2)

def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]

def i32(x):
    return struct.unpack("<i", struct.pack("<I", x))[0]

def expected_init(seed):
    e = {}
    s = Stream(seed, "u"); e["u"] = [f32(-1 + 4 * s.uniform()) for _ in range(5)]
    s = Stream(seed, "n"); e["n"] = [f32(2 + 3 * s.normal()) for _ in range(5)]
    s = Stream(seed, "layer.he"); e["layer.he"] = [f32(math.sqrt(2 / 200) * s.normal()) for _ in range(3)]
    lim = math.sqrt(6 / (3 + 2))
    s = Stream(seed, "layer.xavier"); e["layer.xavier"] = [f32(lim * (2 * s.uniform() - 1)) for _ in range(6)]
    s = Stream(seed, "rng/dropout"); e["rng/dropout"] = [i32(s.next() >> 32), 0]
    return e

def parse_values(text):
    vals = {}
    for line in text.split("\n"):
        if not line:
            continue
        name, _, v = line.split(" ")
        vals.setdefault(name, []).append(float.fromhex(v) if ("x" in v) else int(v))
    return vals

# ---- 1. initial values --------------------------------------------------------
got = parse_values(open(tmp + "/gen.txt").read())
want = expected_init(42)
for name in want:
    for i, (g, w) in enumerate(zip(got[name], want[name])):
        if name in ("n", "layer.he"):
            check(abs(g - w) <= 1e-6 * abs(w) + 1e-30, f"init {name}[{i}] = {g}, Python says {w}")
        else:
            check(g == w, f"init {name}[{i}] = {g!r}, Python says {w!r}")

# ---- 2. dmc's checkpoint read in Python ---------------------------------------
raw = open(tmp + "/dmc.safetensors", "rb").read()
(hlen,) = struct.unpack("<Q", raw[:8])
check((8 + hlen) % 8 == 0, "data section aligned to 8")
header = json.loads(raw[8:8 + hlen].decode())
data = raw[8 + hlen:]
check(header.pop("__metadata__") == {"format": "dmc", "model": "tiny"}, "metadata")
check(list(header) == ["fc.W", "fc.b", "opt/m/fc.W", "rng/dropout"], f"tensor order {list(header)}")

def tensor(name):
    h = header[name]
    b, e = h["data_offsets"]
    fmt = {"F32": "f", "I32": "i"}[h["dtype"]]
    n = (e - b) // 4
    return h["shape"], list(struct.unpack("<%d%s" % (n, fmt), data[b:e]))

# fixture's train step with x = [1, 2, 3, 4]: grad/fc.W = 1, grad/fc.b = [1, 2];
# fc.W -= 0.1, fc.b = 0.5 - 0.1 * [1, 2], opt/m = 1, rng/dropout = [key, 1]
s = Stream(42, "fc.W"); lim = math.sqrt(6 / 5)
W0 = [f32(lim * (2 * s.uniform() - 1)) for _ in range(6)]
shape, W = tensor("fc.W")
check(shape == [3, 2], "fc.W shape")
check(W == [f32(w - f32(0.1)) for w in W0], f"fc.W {W}")
check(tensor("fc.b") == ([2], [f32(0.5 - f32(0.1)), f32(0.5 - f32(0.2))]), f"fc.b {tensor('fc.b')}")
check(tensor("opt/m/fc.W") == ([3, 2], [1.0] * 6), "opt/m/fc.W")
s = Stream(42, "rng/dropout")
check(tensor("rng/dropout") == ([2], [i32(s.next() >> 32), 1]), f"rng/dropout {tensor('rng/dropout')}")

# ---- 3. torch tensors written in Python, loaded by dmc --------------------------
import torch
def write(path, tensors):
    hdr, blobs, off = {}, b"", 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        dtype = {torch.float32: "F32", torch.int32: "I32", torch.float64: "F64"}[t.dtype]
        hdr[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs += b; off += len(b)
    hdr["__metadata__"] = {"format": "pt"}
    h = json.dumps(hdr).encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + blobs)

Wt = torch.arange(6, dtype=torch.float32).reshape(3, 2) / 7
bt = torch.tensor([-1.5, 2.25])
write(tmp + "/torch.safetensors", {"fc.b": bt, "fc.W": Wt})  # weights only, another order
out = subprocess.run([tool, "load", tmp + "/torch.safetensors"], capture_output=True, text=True)
check(out.returncode == 0, f"load torch file: {out.stdout}{out.stderr}")
if out.returncode == 0:
    v = parse_values(out.stdout)
    check(v["fc.W"] == Wt.flatten().tolist(), f"fc.W from torch {v['fc.W']}")
    check(v["fc.b"] == [-1.5, 2.25], "fc.b from torch")
    check(v["opt/m/fc.W"] == [0.0] * 6, "state reset when absent")
    check(v["rng/dropout"][1] == 0, "step reset when absent")

write(tmp + "/bad.safetensors", {"fc.W": Wt.t().contiguous(), "fc.b": bt})
out = subprocess.run([tool, "load", tmp + "/bad.safetensors"], capture_output=True, text=True)
check(out.returncode == 2 and "tensor 'fc.W' has shape [2, 3], the model expects [3, 2]" in out.stdout,
      f"mis-shaped file: {out.stdout}")

write(tmp + "/f64.safetensors", {"fc.W": Wt.double(), "fc.b": bt})
out = subprocess.run([tool, "load", tmp + "/f64.safetensors"], capture_output=True, text=True)
check(out.returncode == 2 and "has dtype F64, the model expects F32" in out.stdout, f"f64 file: {out.stdout}")

sys.exit(1 if failures else 0)
