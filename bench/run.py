"""`make bench`: dmc against PyTorch on the workloads of the performance issue,
alternating the two in every round, and a markdown table of medians written to
docs/performance.md.  Run from the repository root:
    /usr/bin/python3 bench/run.py [--rounds N] [--build DIR]
No number here is asserted: the machine is shared and noisy; ratios measured
in the same run are what counts."""
import argparse, datetime, os, platform, re, statistics, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=7)
ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
ap.add_argument("--out", default="docs/performance.md")
args = ap.parse_args()
B = args.build
work = os.path.join(B, "bench")
os.makedirs(work, exist_ok=True)
TORCH_ENV = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")   # OpenBLAS 0.3.21 misreads this CPU

def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout

def build(model, defines=(), flags=()):
    """Compile bench/models/MODEL.dm (with -D defines) and link bench.c with it."""
    tag = model + "".join("_" + d.replace("=", "") for d in defines) + "".join(f.replace("-", "_") for f in flags)
    obj = os.path.join(work, tag + ".o")
    cmd = [os.path.join(B, "dmc"), f"bench/models/{model}.dm", "-o", obj] + list(flags)
    for d in defines: cmd += ["-D", d]
    run(cmd)
    exe = os.path.join(work, tag)
    run(["cc", "-O2", "-Iruntime", f"-DDM_MODEL={model}_model", "-include", obj[:-2] + ".h",
         "bench/bench.c", obj, os.path.join(B, "libdmrt.a"), "-lm", "-lpthread", "-o", exe])
    return exe

def dmc_round(exe, entry, reps, threads):
    out = run([exe, entry, str(reps), str(threads), "1"]).split("\n")
    return float(out[0]), int(out[1].split()[1])

def torch_round(workload, reps, threads):
    return float(run(["/usr/bin/python3", "bench/torch_bench.py", workload, str(reps), str(threads)], TORCH_ENV))

def stats_of(model, defines=()):
    """FLOPs and the memory lower bound from dmc --stats."""
    cmd = [os.path.join(B, "dmc"), f"bench/models/{model}.dm", "--emit=ir", "-o", "/dev/null", "--stats"]
    for d in defines: cmd += ["-D", d]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    return err

def flops_of(stats, entry):
    m = re.findall(r"total: (\d+) FLOPs", stats)
    return int(m[-1]) if m else None

# FLOPs of the matrix products, counted by hand: 2*M*N*K per product, three
# products per layer in a train step (forward, dX, dW), one in forward.
def mlp_flops(batch, train):
    mk = 2 * batch * (784 * 256 + 256 * 128 + 128 * 10)
    return 3 * mk if train else mk

peak = None
try:
    run(["gcc", "-O3", "-march=native", "-funroll-loops", "-pthread", "../shared/bench/peak.c", "-o",
         os.path.join(work, "peak")])
    peak = float(re.search(r"peak ([\d.]+)", run([os.path.join(work, "peak"), "1"])).group(1))
except Exception as e:
    print("bench: could not measure the FMA peak:", e, file=sys.stderr)

workloads = [
    # name, dmc exe, entry, reps, threads, torch workload (or None), flops, goal text
    ("mlp train step, batch 64", build("mlp"), "train", 50, 1, "train:mlp:64", mlp_flops(64, True), ">= 4x faster than PyTorch"),
    ("lenet train step, batch 64", build("lenet"), "train", 10, 1, "train:lenet:64", None, ">= 3x faster than PyTorch"),
    ("mlp forward, batch 1", build("mlp", ["batch=1"], ["--no-train"]), "forward", 2000, 1, "forward:mlp:1", mlp_flops(1, False), ">= 10x faster than PyTorch"),
    ("mlp train step, batch 256, 1 thread", build("mlp", ["batch=256"]), "train", 10, 1, "train:mlp:256", mlp_flops(256, True), "(baseline of the next row)"),
    ("mlp train step, batch 256, 2 threads", build("mlp", ["batch=256"]), "train", 10, 2, None, mlp_flops(256, True), ">= 1.7x the 1-thread row"),
    ("matmul 1024 x 1024 x 1024 forward", build("matmul", [], ["--no-train"]), "forward", 3, 1, "forward:matmul:1024", 2 * 1024 ** 3, ">= 75% of the FMA peak"),
]

times = {w[0]: [] for w in workloads}
ttimes = {w[0]: [] for w in workloads}
memory = {}
for r in range(args.rounds):
    for name, exe, entry, reps, threads, tw, _, _ in workloads:
        t, mem = dmc_round(exe, entry, reps, threads)
        times[name].append(t); memory[name] = mem
        if tw: ttimes[name].append(torch_round(tw, reps, threads))
    print(f"bench: round {r + 1}/{args.rounds} done", file=sys.stderr)

# dmc -O2 on lenet: wall time of the whole compilation, median of 5.
compile_times = []
for _ in range(5):
    t0 = time.perf_counter()
    run([os.path.join(B, "dmc"), "-O2", "bench/models/lenet.dm", "-o", os.path.join(work, "lenet_ct.o")])
    compile_times.append(time.perf_counter() - t0)

rows = ["| workload | dmc median | PyTorch median | dmc vs PyTorch | GFLOP/s | of peak | memory | goal |",
        "|---|---|---|---|---|---|---|---|"]
med = {k: statistics.median(v) for k, v in times.items()}
for name, exe, entry, reps, threads, tw, flops, goal in workloads:
    t = med[name]
    tt = statistics.median(ttimes[name]) if ttimes[name] else None
    ratio = f"{tt / t:.2f}x faster" if tt else ""
    if "2 threads" in name:
        ratio = f"{med['mlp train step, batch 256, 1 thread'] / t:.2f}x the 1-thread time"
    gf = flops / t / 1e3 if flops else None
    rows.append(f"| {name} | {t:.1f} us | {f'{tt:.1f} us' if tt else '-'} | {ratio} | "
                f"{f'{gf:.1f}' if gf else '-'} | {f'{100 * gf / peak:.0f}%' if gf and peak else '-'} | "
                f"{memory[name] / 1e6:.2f} MB | {goal} |")
rows.append(f"| `dmc -O2 lenet.dm` | {statistics.median(compile_times) * 1e3:.0f} ms | | | | | | < 1 s |")

table = "\n".join(rows)
print(table)
cpu = ""
try:
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1)
except Exception:
    pass
doc = f"""# Performance

Measured by `make bench` (`/usr/bin/python3 bench/run.py --rounds {args.rounds}`) on
{datetime.date.today().isoformat()}, on {cpu or platform.machine()} ({os.cpu_count()} cores),
FMA peak measured by `../shared/bench/peak.c`: {f'{peak:.1f} GFLOP/s' if peak else 'unknown'} on one core.
Medians of {args.rounds} rounds; in every round dmc and PyTorch ({'python3-torch'}, one thread,
`OPENBLAS_CORETYPE=SkylakeX`) run one after the other, so both see the same machine load.
The machine is shared: quote ratios, not absolute times.

{table}

FLOPs count the matrix products only (2*M*N*K each; three per layer in a train step).
Memory is `dm_memory_size`: one instance with parameters, gradients, optimizer state,
inputs, outputs and the planned scratch arena.
"""
with open(args.out, "w") as f:
    f.write(doc)
print(f"bench: wrote {args.out}", file=sys.stderr)
