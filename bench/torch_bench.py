"""PyTorch side of `make bench`: one round of one workload.  Prints the mean
microseconds per call on its first line and, on its second, a JSON record of
what ran: the BLAS library the process mapped (from /proc/self/maps) and, for
OpenBLAS, its version and the kernel it chose, PyTorch's and the BLAS's
thread counts, the threads that used a CPU while the calls were timed and the
CPUs' worth of time they used together, and
PyTorch's own BLAS_INFO.  bench/run.py calls it alternately with dmc's bench
program, with and without the tuned allocator (that is the environment's
business: MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_).  Same models as
../shared/bench/torch_ref.py.
Usage: torch_bench.py WORKLOAD REPS THREADS   (run with /usr/bin/python3)"""
import ctypes, json, os, re, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

workload, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)

def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))

class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 6, 5, padding=2); s.c2 = nn.Conv2d(6, 16, 5)
        s.f1 = nn.Linear(400, 120); s.f2 = nn.Linear(120, 84); s.f3 = nn.Linear(84, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2); x = F.max_pool2d(F.relu(s.c2(x)), 2); x = x.flatten(1)
        return s.f3(F.relu(s.f2(F.relu(s.f1(x)))))

class TinyGPT(nn.Module):
    """examples/tinygpt/tinygpt.dm as a PyTorch user writes it (nanoGPT's shape):
    pre-norm blocks, one qkv projection, causal softmax attention, GELU MLP."""
    def __init__(s, V=96, T=64, D=128, heads=4, blocks=4):
        super().__init__()
        s.heads, s.tok, s.pos = heads, nn.Embedding(V, D), nn.Parameter(torch.randn(T, D) * 0.02)
        s.blocks = nn.ModuleList(nn.ModuleDict(dict(ln1=nn.LayerNorm(D), qkv=nn.Linear(D, 3 * D), proj=nn.Linear(D, D),
                                                    ln2=nn.LayerNorm(D), fc=nn.Linear(D, 4 * D), out=nn.Linear(4 * D, D)))
                                 for _ in range(blocks))
        s.ln, s.head = nn.LayerNorm(D), nn.Linear(D, V)
        s.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), 1))
    def attend(s, b, x):
        N, T, D = x.shape
        q, k, v = b["qkv"](x).split(D, dim=2)
        q, k, v = (t.view(N, T, s.heads, D // s.heads).transpose(1, 2) for t in (q, k, v))
        a = torch.softmax(q @ k.transpose(-2, -1) / (D // s.heads) ** 0.5 + s.mask, dim=-1) @ v
        return b["proj"](a.transpose(1, 2).reshape(N, T, D))
    def forward(s, ids):
        x = s.tok(ids) + s.pos
        for b in s.blocks:
            x = x + s.attend(b, b["ln1"](x))
            x = x + b["out"](F.gelu(b["fc"](b["ln2"](x))))
        return s.head(s.ln(x))

def thread_cpu_ns():
    """CPU nanoseconds used so far by each thread of this process."""
    used = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                used[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return used

busy_threads = cores_used = None

def timed(fn):
    """Mean microseconds of fn over reps calls after a warm-up; counts the
    threads that were on a CPU for at least a tenth of the timed interval, and
    the CPUs' worth of time all threads used in it."""
    global busy_threads, cores_used
    for _ in range(max(3, reps // 10)): fn()
    before = thread_cpu_ns()
    t = time.perf_counter()
    for _ in range(reps): fn()
    wall = time.perf_counter() - t
    after = thread_cpu_ns()
    if after:
        used = [ns - before.get(tid, 0) for tid, ns in after.items()]
        busy_threads = sum(1 for ns in used if ns > 0.1 * wall * 1e9)
        cores_used = round(sum(used) / (wall * 1e9), 2)
    return wall / reps * 1e6

def blas_info():
    """The BLAS this process really runs, as the dynamic loader mapped it."""
    with open("/proc/self/maps") as f:
        paths = sorted({l.split()[-1] for l in f if re.search(r"/lib(open)?blas[^/]*\.so", l)})
    info = {"blas": paths, "torch_threads": torch.get_num_threads(), "busy_threads": busy_threads,
            "cores_used": cores_used,
            "torch_blas_info": (re.findall(r"BLAS_INFO=([^,\s]+)", torch.__config__.show()) or ["?"])[0]}
    for p in paths:
        lib = ctypes.CDLL(p)
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_config"] = lib.openblas_get_config().decode()
            info["openblas_core"] = lib.openblas_get_corename().decode()
            info["blas_threads"] = lib.openblas_get_num_threads()
    return info

def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
    return timed(step)

def infer(model, x):
    with torch.inference_mode():
        return timed(lambda: model(x))

kind, name, batch = workload.split(":")
batch = int(batch)
if name == "matmul":
    W = torch.randn(batch, batch) * 0.03; x = torch.randn(batch, batch)
    with torch.inference_mode():
        us = timed(lambda: x @ W)
elif name == "attention":   # bench/models/attention.dm: batch = batch x heads matrices of 128 x 64
    q, k, v = (torch.randn(batch, 128, 64) for _ in range(3)); p = torch.randn(batch, 128, 128)
    with torch.inference_mode():
        us = timed(lambda: (q @ k.transpose(1, 2), p @ v))
elif name == "tinygpt":     # batch sequences of 64 characters, AdamW as tinygpt.dm
    model, ids, nxt = TinyGPT(), torch.randint(0, 96, (batch, 64)), torch.randint(0, 96, (batch, 64))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids).view(-1, 96), nxt.view(-1)); loss.backward(); opt.step()
    us = timed(step)
else:
    model, x = (mlp(), torch.randn(batch, 784)) if name == "mlp" else (LeNet(), torch.randn(batch, 1, 28, 28))
    y = torch.randint(0, 10, (batch,))
    us = train(model, x, y) if kind == "train" else infer(model, x)
print(f"{us:.3f}")
print(json.dumps(blas_info()))
