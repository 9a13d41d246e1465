"""`make bench`: dmc against PyTorch on the workloads of the performance issue,
alternating the two in every round, and a markdown table of medians written to
docs/performance.md.  Run from the repository root:
    /usr/bin/python3 bench/run.py [--rounds N] [--build DIR]
No number here is asserted: the machine is shared and noisy; ratios measured
in the same run are what counts."""
import argparse, datetime, os, platform, re, resource, statistics, subprocess, sys, time

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

def dmc_round(exe, entry, reps, threads, cpu=False):
    env = dict(os.environ, BENCH_CPU="1") if cpu else None
    out = run([exe, entry, str(reps), str(threads), "1"], env).split("\n")
    return float(out[0]), int(out[1].split()[1])

def torch_round(workload, reps, threads):
    return float(run(["/usr/bin/python3", "bench/torch_bench.py", workload, str(reps), str(threads)], TORCH_ENV))

def stats_of(model, defines=(), flags=()):
    """dmc --stats of the model: the plan and the FLOPs of every node."""
    cmd = [os.path.join(B, "dmc"), f"bench/models/{model}.dm", "-o", os.path.join(work, "stats.o"), "--stats"]
    cmd += list(flags)
    for d in defines: cmd += ["-D", d]
    return subprocess.run(cmd, capture_output=True, text=True).stderr

def product_flops(model, entry, defines=(), flags=()):
    """FLOPs of the matrix products and convolutions of one entry (2 per
    multiply-add), from the per-node table of --stats."""
    total, inside = 0, False
    for line in stats_of(model, defines, flags).splitlines():
        m = re.match(r" entry (\w+):", line)
        if m: inside = m.group(1) == entry; continue
        m = re.match(r"\s+\d+ (\S+)\s+\w+(?:\[[^\]]*\])?\s+(\d+) ", line)
        if inside and m and (m.group(1) == "matmul" or m.group(1).startswith("conv2d")):
            total += int(m.group(2))
    return total or None

def memory_lower_bound(model, defines=(), flags=()):
    """The persistent tensors (parameters, gradients, optimizer state, inputs,
    outputs) plus the largest set of scratch buffers live at once in any entry."""
    st = stats_of(model, defines, flags)
    tensors = int(re.search(r"tensors (\d+)", st).group(1))
    return tensors + max(int(x) for x in re.findall(r"peak live (\d+) bytes", st))

peak = None
peak_exe = os.path.join(work, "peak")
try:
    run(["gcc", "-O3", "-march=native", "-funroll-loops", "-pthread", "../shared/bench/peak.c", "-o", peak_exe])
except Exception as e:
    peak_exe = None
    print("bench: could not build the FMA peak program:", e, file=sys.stderr)

cpu_peak = None

def measure_peak():
    """The FMA peak, measured right before every dmc measurement (a loaded or
    throttled machine lowers it; the highest is the one closest to the
    machine's own), by the wall clock as peak.c reports it and by the CPU time
    the process used.  Returns the wall-clock figure."""
    global peak, cpu_peak
    if not peak_exe: return None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = re.search(r"peak ([\d.]+) GFLOP/s \(([\d.]+)s\)", run([peak_exe, "1"]))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    p, wall = float(m.group(1)), float(m.group(2))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = p if peak is None else max(peak, p)
    if cpu > 0:
        c = p * wall / cpu
        cpu_peak = c if cpu_peak is None else max(cpu_peak, c)
    return p

workloads = [
    # name, dmc exe, entry, reps, threads, torch workload (or None), flops, goal text
    ("mlp train step, batch 64", build("mlp"), "train", 50, 1, "train:mlp:64",
     product_flops("mlp", "train_step"), ">= 4x faster than PyTorch"),
    ("lenet train step, batch 64", build("lenet"), "train", 10, 1, "train:lenet:64",
     product_flops("lenet", "train_step"), ">= 3x faster than PyTorch"),
    ("mlp forward, batch 1", build("mlp", ["batch=1"], ["--no-train"]), "forward", 2000, 1, "forward:mlp:1",
     product_flops("mlp", "forward", ["batch=1"], ["--no-train"]), ">= 10x faster than PyTorch"),
    ("mlp train step, batch 256, 1 thread", build("mlp", ["batch=256"]), "train", 10, 1, "train:mlp:256",
     product_flops("mlp", "train_step", ["batch=256"]), "(baseline of the next row)"),
    ("mlp train step, batch 256, 2 threads", build("mlp", ["batch=256"]), "train", 10, 2, None,
     product_flops("mlp", "train_step", ["batch=256"]), ">= 1.7x the 1-thread row"),
    ("matmul 1024 x 1024 x 1024 forward", build("matmul", [], ["--no-train"]), "forward", 3, 1, "forward:matmul:1024",
     2 * 1024 ** 3, ">= 75% of the FMA peak"),
]

times = {w[0]: [] for w in workloads}
ttimes = {w[0]: [] for w in workloads}
ctimes = {w[0]: [] for w in workloads}
peaks = {w[0]: [] for w in workloads}   # the peak measured just before each dmc run
memory = {}
for r in range(args.rounds):
    for name, exe, entry, reps, threads, tw, _, _ in workloads:
        peaks[name].append(measure_peak())
        t, mem = dmc_round(exe, entry, reps, threads)
        times[name].append(t); memory[name] = mem
        if threads == 1: ctimes[name].append(dmc_round(exe, entry, reps, threads, cpu=True)[0])
        if tw: ttimes[name].append(torch_round(tw, reps, threads))
    print(f"bench: round {r + 1}/{args.rounds} done", file=sys.stderr)

# dmc -O2 on lenet: wall time of the whole compilation, median of 5.
compile_times, compile_cpu = [], []
for _ in range(5):
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run([os.path.join(B, "dmc"), "-O2", "bench/models/lenet.dm", "-o", os.path.join(work, "lenet_ct.o")])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    compile_times.append(time.perf_counter() - t0)
    compile_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

rows = ["| workload | dmc median | dmc CPU time | PyTorch median | dmc vs PyTorch | GFLOP/s | of peak "
        "| of the round's peak | GFLOP/s of CPU time | of CPU-time peak | memory | goal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
med = {k: statistics.median(v) for k, v in times.items()}
def per_round(a, b):
    """The median over rounds of a[r] / b[r]: both measured in the same round."""
    return statistics.median(x / y for x, y in zip(a, b))
for name, exe, entry, reps, threads, tw, flops, goal in workloads:
    t = med[name]
    tt = statistics.median(ttimes[name]) if ttimes[name] else None
    ratio = f"{per_round(ttimes[name], times[name]):.2f}x faster" if tt else ""
    if "2 threads" in name:
        ratio = f"{per_round(times['mlp train step, batch 256, 1 thread'], times[name]):.2f}x the 1-thread time"
    gf = flops / t / 1e3 if flops else None
    rp = (statistics.median(100 * flops / tr / 1e3 / p for tr, p in zip(times[name], peaks[name]))
          if flops and all(peaks[name]) else None)
    ct = f"{statistics.median(ctimes[name]):.1f} us" if ctimes[name] else "-"
    cgf = flops / statistics.median(ctimes[name]) / 1e3 if flops and ctimes[name] else None
    cpu_cols = (f"{cgf:.1f} | {f'{100 * cgf / cpu_peak:.0f}%' if cpu_peak else '-'}" if cgf else "- | -")
    rows.append(f"| {name} | {t:.1f} us | {ct} | {f'{tt:.1f} us' if tt else '-'} | {ratio} | "
                f"{f'{gf:.1f}' if gf else '-'} | {f'{100 * gf / peak:.0f}%' if gf and peak else '-'} | "
                f"{f'{rp:.0f}%' if rp else '-'} | {cpu_cols} | "
                f"{memory[name] / 1e6:.2f} MB | {goal} |")
rows.append(f"| `dmc -O2 lenet.dm` | {statistics.median(compile_times) * 1e3:.0f} ms | "
            f"{statistics.median(compile_cpu) * 1e3:.0f} ms | | | | | | | | | < 1 s |")
for model in ("mlp", "lenet"):
    size = memory[f"{model} train step, batch 64"]
    bound = memory_lower_bound(model)
    rows.append(f"| `dm_memory_size` {model} | {size / 1e6:.3f} MB | | | | | | | | | lower bound {bound / 1e6:.3f} MB: "
                f"{size / bound:.3f}x | <= 1.25x the lower bound |")

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
FMA peak measured by the benchmark contract's `peak.c` (kept outside this repository): {f'{peak:.1f} GFLOP/s' if peak else 'unknown'} on one core
by the wall clock, {f'{cpu_peak:.1f} GFLOP/s' if cpu_peak else 'unknown'} by the CPU time it used (best round).
Medians of {args.rounds} rounds; in every round dmc and PyTorch ({'python3-torch'}, one thread,
`OPENBLAS_CORETYPE=SkylakeX`) run one after the other, so both see the same machine load.
The machine is shared: quote ratios, not absolute times.

{table}

FLOPs count the matrix products and convolutions only (2 per multiply-add), as
`dmc --stats` lists them for the entry (a train step has no dX for the first layer).
"dmc CPU time" is the same run timed by the process's CPU clock (`BENCH_CPU=1`): on a
loaded machine it leaves out the time the process waited for a core.
The ratios are medians over rounds of the ratio measured within each round.
"of peak" is against the highest FMA peak measured in the run (wall clock); "of the round's
peak" is the median over rounds of the GFLOP/s against the FMA peak measured just before that
measurement (the machine's speed drifts, and both see the same state); the CPU-time
columns divide the same FLOPs by dmc's CPU time and compare with the FMA loop's CPU-time peak.
The CPU time of `dmc -O2` is the second column of its row.
Memory is `dm_memory_size`: one instance with parameters, gradients, optimizer state,
inputs, outputs and the planned scratch arena; its lower bound is the persistent
tensors plus the most scratch bytes live at once in any entry (`--stats`, "peak live").
"""
notes = "bench/performance_notes.md"   # the hand-written analysis, kept under the table
if os.path.exists(notes):
    doc += "\n" + open(notes).read()
with open(args.out, "w") as f:
    f.write(doc)
print(f"bench: wrote {args.out}", file=sys.stderr)
