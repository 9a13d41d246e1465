"""`make bench`: dmc against the strongest anchors a user of this machine can
configure and against the machine's physical limit, and docs/performance.md
rewritten from the run.  Run from the repository root:
    /usr/bin/python3 bench/run.py [--rounds N] [--build DIR] [--shared DIR] [--coretype NAME]

Every row times, alternating within each round so that all see the same
machine load: dmc; PyTorch as installed; PyTorch with the tuned allocator
(MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at 100 MB, the strongest
PyTorch a user can configure); for the matmul row, OpenBLAS called directly.
The limit of a row is its FLOPs over the FMA peak measured just before it
(../shared/bench/peak.c) or, for a batch-1 row, the bytes its entry must read
and write over the read bandwidth measured at that size (bench/bandwidth.c).

The anchors are checked, not assumed: the BLAS PyTorch mapped is named, the
threads that used a CPU while PyTorch was timed are counted (no more than the
row's threads), and no ratio is printed unless PyTorch's own 1024 x 1024
matmul reaches half the FMA peak measured in the same run (the reference BLAS
reaches 3%).  OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the
anchors' environment (OpenBLAS picks its kernel for this CPU; the table names
it); --coretype NAME forces one where OpenBLAS misreads a CPU.
No number is asserted: the machine is shared and noisy; the ratios are medians
over rounds of ratios measured within one round."""
import argparse, datetime, json, os, platform, re, resource, statistics, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=7)
ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
ap.add_argument("--out", default="docs/performance.md")
ap.add_argument("--shared", default="../shared", help="the design folder holding bench/peak.c")
ap.add_argument("--coretype", default="", help="OPENBLAS_CORETYPE for the anchors (default: OpenBLAS chooses)")
ap.add_argument("--only", default="", help="time only the rows whose name contains this; print their table "
                "rows and leave docs/performance.md alone")
args = ap.parse_args()
B = args.build
work = os.path.join(B, "bench")
os.makedirs(work, exist_ok=True)
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "100000000", "MALLOC_TRIM_THRESHOLD_": "100000000"}
HALF_PEAK = 0.5   # PyTorch's 1024 matmul must reach this fraction of the FMA peak


def fail(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def anchor_env(threads, tuned):
    """The environment of PyTorch and OpenBLAS for a row of `threads` threads."""
    drop = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") + tuple(TUNED_MALLOC)
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if args.coretype:
        env["OPENBLAS_CORETYPE"] = args.coretype
    env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    if tuned:
        env.update(TUNED_MALLOC)
    return env


# ---- the programs: dmc's, the limits', OpenBLAS's ------------------------
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


def build_tool(name, cmd):
    try:
        run(cmd)
    except (subprocess.CalledProcessError, OSError) as e:
        fail(f"could not build {name}: {getattr(e, 'stderr', '') or e}")


peak_exe, bw_exe, sgemm_exe = (os.path.join(work, n) for n in ("peak", "bandwidth", "openblas_sgemm"))
build_tool("the FMA peak program", ["gcc", "-O3", "-march=native", "-funroll-loops", "-pthread",
                                    os.path.join(args.shared, "bench", "peak.c"), "-o", peak_exe])
build_tool("the bandwidth program", ["gcc", "-O3", "-march=native", "bench/bandwidth.c", "-o", bw_exe])
try:
    openblas_flags = run(["pkg-config", "--cflags", "--libs", "openblas"]).split()
except (subprocess.CalledProcessError, OSError):
    fail("OpenBLAS's pkg-config file is missing: the matmul row calls OpenBLAS directly; "
         "install libopenblas-pthread-dev and pkgconf (`make bench` does, as root)")
build_tool("the OpenBLAS program", ["gcc", "-O2", "bench/openblas_sgemm.c", "-o", sgemm_exe] + openblas_flags)


def stats_of(model, defines=(), flags=()):
    """dmc --stats of the model: the tensors, the plan and the FLOPs of every node."""
    cmd = [os.path.join(B, "dmc"), f"bench/models/{model}.dm", "-o", os.path.join(work, "stats.o"), "--stats"]
    cmd += list(flags)
    for d in defines: cmd += ["-D", d]
    return subprocess.run(cmd, capture_output=True, text=True).stderr


def entry_nodes(stats, entry):
    """(op, FLOPs, buffer) of every node of one entry in a --stats listing."""
    nodes, inside = [], False
    for line in stats.splitlines():
        m = re.match(r" entry (\w+):", line)
        if m: inside = m.group(1) == entry; continue
        m = re.match(r"\s+\d+ (\S+)\s+\w+(?:\[[^\]]*\])?\s+(\d+)\s+\d+\s+(\S+)", line)
        if inside and m: nodes.append((m.group(1), int(m.group(2)), m.group(3)))
    return nodes


def product_flops(model, entry, defines=(), flags=()):
    """FLOPs of the matrix products and convolutions of one entry (2 per
    multiply-add), from the per-node table of --stats."""
    return sum(f for op, f, _ in entry_nodes(stats_of(model, defines, flags), entry)
               if op == "matmul" or op.startswith("conv2d")) or None


def entry_bytes(model, entry, defines=(), flags=()):
    """The bytes one call of the entry must move at least: every persistent
    tensor it loads, and its outputs."""
    st = stats_of(model, defines, flags)
    tensors = {m.group(2): (m.group(1), int(m.group(3))) for m in
               re.finditer(r"^  (\w+)\s+\S+\s+\w+(?:\[[^\]]*\])?\s+offset\s+(\d+)\s+(\d+) bytes", st, re.M)}
    loaded = {buf for op, _, buf in entry_nodes(st, entry) if op == "load"}
    return sum(n for off, (kind, n) in tensors.items() if off in loaded or kind == "output")


def memory_lower_bound(model, defines=(), flags=()):
    """The persistent tensors (parameters, gradients, optimizer state, inputs,
    outputs) plus the largest set of scratch buffers live at once in any entry."""
    st = stats_of(model, defines, flags)
    tensors = int(re.search(r"tensors (\d+)", st).group(1))
    return tensors + max(int(x) for x in re.findall(r"peak live (\d+) bytes", st))


# ---- one measurement each ---------------------------------------------------
def measure_peak(threads):
    """The FMA peak of `threads` cores, GFLOP/s, as peak.c measures it now."""
    return float(re.search(r"peak ([\d.]+) GFLOP/s", run([peak_exe, str(threads)])).group(1))


def measure_bandwidth(nbytes):
    """GB/s reading a buffer of nbytes again and again (bench/bandwidth.c)."""
    args_ = ["triad"] if nbytes is None else ["read", str(nbytes)]
    return float(run([bw_exe] + args_).split()[1])


def dmc_round(exe, entry, reps, threads):
    out = run([exe, entry, str(reps), str(threads), "1"]).split("\n")
    return float(out[0]), int(out[1].split()[1])


def torch_round(workload, reps, threads, tuned):
    """Microseconds per call, and the record of what ran (torch_bench.py)."""
    out = run(["/usr/bin/python3", "bench/torch_bench.py", workload, str(reps), str(threads)],
              anchor_env(threads, tuned)).splitlines()
    return float(out[0]), json.loads(out[1])


def openblas_round(n, reps, threads):
    out = run([sgemm_exe, str(n), str(reps), str(threads), "1"], anchor_env(threads, False)).splitlines()
    info = dict(l.split(" ", 1) for l in out[:3])
    return float(out[3]), info


def blas_name(info):
    if "openblas_config" in info:
        return f"{info['openblas_config']} (kernel {info['openblas_core']})"
    return f"not OpenBLAS: {', '.join(info['blas']) or 'no BLAS library mapped'}"


def check_threads(name, info, threads):
    """PyTorch ran with the row's threads: its own pool and the BLAS's have
    that many, and no more CPUs' worth of time was used while it was timed;
    on one thread, a single thread used a CPU at all."""
    own, blas = info.get("torch_threads"), info.get("blas_threads", threads)
    busy, cores = info.get("busy_threads") or 0, info.get("cores_used") or 0
    # CPU time over the timed wall time carries the edges of the interval and
    # the kernel's page-fault time: a quarter over is measurement, a second
    # thread would show as twice (and as two busy threads, checked too).
    if own != threads or blas != threads or cores > threads * 1.25 or (threads == 1 and busy > 1):
        fail(f"{name}: PyTorch was to run on {threads} thread(s) but had {own} of its own, {blas} in "
             f"the BLAS, {busy} busy while timed, using {cores} CPUs' worth of time")


# ---- the gate: a PyTorch crippled by its BLAS is no anchor -----------------
# PyTorch's own 1024 matmul, as installed or tuned (the faster), against the FMA peak.
load_before = os.getloadavg()[0]
for attempt in range(5):   # the best of a few tries: a busy machine slows the product more than the FMA loop
    gate_peak = measure_peak(1)
    gate_us, gate_info = min((torch_round("forward:matmul:1024", 3, 1, tuned) for tuned in (False, True)),
                             key=lambda r: r[0])
    gate_gflops = 2 * 1024 ** 3 / gate_us / 1e3
    if gate_gflops >= HALF_PEAK * gate_peak:
        break
else:
    fail(f"PyTorch's 1024 x 1024 matmul runs at {gate_gflops:.1f} GFLOP/s, under half the FMA peak "
         f"measured just before ({gate_peak:.1f} GFLOP/s), in 5 tries: no ratio against it would mean "
         f"anything.  Its BLAS: {blas_name(gate_info)}.  Install libopenblas0-pthread (`make bench` "
         f"does, as root) and check `update-alternatives --display libblas.so.3-x86_64-linux-gnu`; "
         f"if OpenBLAS misreads this CPU, name a kernel (BENCH_FLAGS='--coretype SkylakeX' make bench); "
         f"on a busy machine, wait for it to be quiet.")
print(f"bench: PyTorch's BLAS is {blas_name(gate_info)}; its 1024 matmul {gate_gflops:.0f} GFLOP/s, "
      f"FMA peak {gate_peak:.0f}", file=sys.stderr)

# name, dmc exe, entry, reps, threads, PyTorch workload, OpenBLAS n, ("flops" | "bytes", count), goal
#   goal: ("anchor", k) dmc >= k times faster than the strongest anchor; ("limit", f) dmc reaches
#   f of the limit; ("scaling", k, row) dmc >= k times faster than that row's dmc
mlp256 = "mlp train step, batch 256, 1 thread"
workloads = [
    ("mlp train step, batch 64", build("mlp"), "train", 50, 1, "train:mlp:64", None,
     ("flops", product_flops("mlp", "train_step")), ("anchor", 4)),
    ("lenet train step, batch 64", build("lenet"), "train", 10, 1, "train:lenet:64", None,
     ("flops", product_flops("lenet", "train_step")), ("anchor", 3)),
    ("mlp forward, batch 1", build("mlp", ["batch=1"], ["--no-train"]), "forward", 2000, 1, "forward:mlp:1", None,
     ("bytes", entry_bytes("mlp", "forward", ["batch=1"], ["--no-train"])), ("anchor", 10)),
    (mlp256, build("mlp", ["batch=256"]), "train", 10, 1, "train:mlp:256", None,
     ("flops", product_flops("mlp", "train_step", ["batch=256"])), None),
    ("mlp train step, batch 256, 2 threads", build("mlp", ["batch=256"]), "train", 10, 2, "train:mlp:256", None,
     ("flops", product_flops("mlp", "train_step", ["batch=256"])), ("scaling", 1.7, mlp256)),
    ("matmul 1024 x 1024 x 1024 forward", build("matmul", [], ["--no-train"]), "forward", 3, 1,
     "forward:matmul:1024", 1024, ("flops", 2 * 1024 ** 3), ("limit", 0.75)),
    ("tinygpt train step, 32 x 64 characters, 1 thread", build("tinygpt"), "train", 10, 1, "train:tinygpt:32", None,
     ("flops", product_flops("tinygpt", "train_step")), ("anchor", 2)),
    ("attention products, 48 x [128, 64]: q k^T and p v, forward", build("attention", [], ["--no-train"]), "forward",
     20, 1, "forward:attention:48", None, ("flops", product_flops("attention", "forward", [], ["--no-train"])),
     ("limit", 0.5)),
]

workloads = [w for w in workloads if args.only in w[0]]
if not workloads:
    fail(f"no row's name contains {args.only!r}")
ANCHORS = ("PyTorch as installed", "PyTorch, tuned allocator", "OpenBLAS sgemm")
times = {w[0]: {k: [] for k in ("dmc", "limit") + ANCHORS} for w in workloads}
machine = {w[0]: [] for w in workloads}   # the peak (GFLOP/s) or bandwidth (GB/s) of each round
memory, infos, openblas_info = {}, [gate_info], None
for r in range(args.rounds):
    for name, exe, entry, reps, threads, tw, n_sgemm, (kind, amount), _ in workloads:
        t = times[name]
        speed = measure_peak(threads) if kind == "flops" else measure_bandwidth(amount)
        machine[name].append(speed)
        t["limit"].append(amount / speed / 1e3)   # FLOPs / GFLOP/s and bytes / GB/s, in us
        dt, memory[name] = dmc_round(exe, entry, reps, threads)
        t["dmc"].append(dt)
        for anchor, tuned in zip(ANCHORS[:2], (False, True)):
            us, info = torch_round(tw, reps, threads, tuned)
            check_threads(f"{name}, {anchor}", info, threads)
            t[anchor].append(us); infos.append(info)
        if n_sgemm:
            us, openblas_info = openblas_round(n_sgemm, reps, threads)
            t[ANCHORS[2]].append(us)
    print(f"bench: round {r + 1}/{args.rounds} done", file=sys.stderr)
triad = measure_bandwidth(None)

# The gate again, over the whole run: PyTorch's own matmul against the FMA peak of its round,
# at its best (the round least disturbed by the machine's other work).
mm = "matmul 1024 x 1024 x 1024 forward"
torch_mm = gate_gflops / gate_peak if mm not in times else max(2 * 1024 ** 3 / us / 1e3 / p for a in ANCHORS[:2] for us, p in zip(times[mm][a], machine[mm]))
if torch_mm < HALF_PEAK:
    fail(f"PyTorch's 1024 matmul reached {100 * torch_mm:.0f}% of the FMA peak at best in this run, "
         f"under {100 * HALF_PEAK:.0f}%: no ratio is printed against an anchor this weak "
         f"(BLAS: {blas_name(gate_info)}).")

# dmc -O2 on lenet: wall time of the whole compilation, median of 5.
compile_times, compile_cpu = [], []
for _ in range(0 if args.only else 5):
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run([os.path.join(B, "dmc"), "-O2", "bench/models/lenet.dm", "-o", os.path.join(work, "lenet_ct.o")])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    compile_times.append(time.perf_counter() - t0)
    compile_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


# ---- the table ----------------------------------------------------------------
def per_round(a, b):
    """The median over rounds of a[r] / b[r]: both measured in the same round."""
    return statistics.median(x / y for x, y in zip(a, b))


def us(v):
    return f"{statistics.median(v):.1f} us" if v else "-"


rows = ["| workload | dmc | PyTorch as installed | PyTorch, tuned allocator | OpenBLAS sgemm "
        "| dmc vs the strongest anchor | limit | dmc of the limit | memory | goal | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
for name, exe, entry, reps, threads, tw, n_sgemm, (kind, amount), goal in workloads:
    t = times[name]
    # the strongest anchor of each round: the least time any of them took in it
    strongest = [min(ts) for ts in zip(*(t[a] for a in ANCHORS if t[a]))]
    vs = per_round(strongest, t["dmc"])
    frac = per_round(t["limit"], t["dmc"])
    speed = statistics.median(machine[name])
    basis = (f"{amount / 1e6:.1f} MFLOP at {speed:.0f} GFLOP/s" if kind == "flops"
             else f"{amount / 1e6:.2f} MB at {speed:.0f} GB/s")
    if goal is None:
        goal_text, met = "(baseline of the next row)", None
    elif goal[0] == "anchor":
        goal_text, met = f">= {goal[1]}x faster than the strongest anchor", vs >= goal[1]
    elif goal[0] == "limit":
        goal_text, met = f">= {100 * goal[1]:.0f}% of the limit", frac >= goal[1]
    else:
        scale = per_round(times[goal[2]]["dmc"], t["dmc"])
        goal_text, met = f">= {goal[1]}x the 1-thread row (measured {scale:.2f}x)", scale >= goal[1]
    rows.append(f"| {name} | {us(t['dmc'])} | {us(t[ANCHORS[0]])} | {us(t[ANCHORS[1]])} | {us(t[ANCHORS[2]])} "
                f"| {vs:.2f}x | {us(t['limit'])} ({basis}) | {100 * frac:.0f}% "
                f"| {memory[name] / 1e6:.2f} MB | {goal_text} | {'-' if met is None else 'met' if met else 'missed'} |")
if not args.only:   # the whole-run rows
    rows.append(f"| `dmc -O2 lenet.dm` | {statistics.median(compile_times) * 1e3:.0f} ms wall, "
                f"{statistics.median(compile_cpu) * 1e3:.0f} ms CPU | | | | | | | | < 1 s | "
                f"{'met' if statistics.median(compile_times) < 1 else 'missed'} |")
    for model in ("mlp", "lenet"):
        size, bound = memory[f"{model} train step, batch 64"], memory_lower_bound(model)
        rows.append(f"| `dm_memory_size` {model} | {size / 1e6:.3f} MB | | | | | lower bound {bound / 1e6:.3f} MB "
                    f"| {size / bound:.3f}x of it | | <= 1.25x the lower bound | {'met' if size <= 1.25 * bound else 'missed'} |")
table = "\n".join(rows)
print(table)
if args.only:
    sys.exit(0)


# ---- docs/performance.md --------------------------------------------------------
def git(*a):
    try:
        return run(["git"] + list(a)).strip()
    except (subprocess.CalledProcessError, OSError):
        return "?"


cpu = (re.findall(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()) or [platform.machine()])[0]
peaks1 = [p for w in workloads if w[4] == 1 and w[7][0] == "flops" for p in machine[w[0]]]
torch_version = run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"]).strip()
cores = sorted({i.get("openblas_core", "?") for i in infos})
dirty = "-dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
caution = ""
if args.rounds < 5 or load_before > 1.0:
    caution = (f"\n**A check of the bench, not a measurement** ({args.rounds} round(s) on a machine "
               f"{'busy with other work' if load_before > 1.0 else 'quiet at the start'}): "
               f"run `make bench` on a quiet machine for figures.\n")
doc = f"""# Performance

Written by `make bench` (`/usr/bin/python3 bench/run.py --rounds {args.rounds}`) at
{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit {git('rev-parse', '--short', 'HEAD')}{dirty},
on {cpu} ({os.cpu_count()} cores; load average {load_before:.1f} before the run).
{caution}
- **Limit.** FMA peak of one core (`../shared/bench/peak.c`), measured before every
  compute row: median {statistics.median(peaks1):.0f} GFLOP/s ({min(peaks1):.0f} to {max(peaks1):.0f}).
  Memory (STREAM triad, `bench/bandwidth.c triad`): {triad:.1f} GB/s.
- **Anchors.** PyTorch {torch_version} (`python3-torch`) on {blas_name(gate_info)};
  `OPENBLAS_CORETYPE` {'set to ' + args.coretype if args.coretype else 'unset, so OpenBLAS chose its kernel itself'}{'' if len(cores) == 1 else ' (kernels seen: ' + ', '.join(cores) + ')'}.
  Its own 1024 x 1024 matmul reached {100 * torch_mm:.0f}% of the FMA peak of its round at best
  (`make bench` prints no ratio under {100 * HALF_PEAK:.0f}%).  Timed as installed, and with the tuned
  allocator `MALLOC_MMAP_THRESHOLD_=100000000 MALLOC_TRIM_THRESHOLD_=100000000`.
  The matmul row also calls OpenBLAS directly (`bench/openblas_sgemm.c`: kernel
  {openblas_info['core'] if openblas_info else '-'}, {openblas_info['threads'] if openblas_info else '-'} thread).
- **Threads.** Every anchor runs on the row's threads (`torch.set_num_threads`,
  `OPENBLAS_NUM_THREADS`: without the latter, OpenBLAS runs PyTorch's products on every
  core whatever `set_num_threads` says).  Checked at every PyTorch run: PyTorch's and
  OpenBLAS's own thread counts, the CPU time all threads used while timed (at most the
  row's threads' worth) and, on one thread, that one thread alone used a CPU for a tenth
  of the timed interval or more.

{table}

Medians of {args.rounds} round(s); in every round each row times dmc, PyTorch as installed,
PyTorch with the tuned allocator and (matmul) OpenBLAS one after the other, so all see the
same machine load.  The machine is shared: quote ratios, not absolute times.
"dmc vs the strongest anchor" is the median over rounds of the fastest anchor's time in
that round over dmc's (2x: dmc takes half the time; under 1x: the anchor is faster).
The limit of a compute row is its FLOPs over the FMA peak measured just before it (the
FLOPs count the matrix products and convolutions only, 2 per multiply-add, as
`dmc --stats` lists them for the entry; a train step has no dX for the first layer);
the limit of the batch-1 row is the bytes one call must move (every parameter, the input
and the output) over the read bandwidth of a buffer of that size, measured just before it
(`bench/bandwidth.c read`: the weights stay in cache between calls, so this is the
bandwidth of the cache that holds them, not of memory).  "dmc of the limit" is the median
over rounds of the limit over dmc's time.
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
