#!/usr/bin/env python3
"""compile_scaling.py: how dmc's compile time, memory and code grow with the model.

The model is the plain stack of issue 17: n layers h_i = relu(Dense(h_{i-1}, 64)),
batch 32, 10 classes, Adam.  For n = 10, 50, 200, 800 it runs dmc at -O2 and -O0
and records the wall and CPU time of the compiler (its children included), its
peak resident memory, and the object's size and text (-O0 up to --o0-max layers); the markdown table goes to
standard output, or is appended to --append FILE (make bench appends it to
docs/performance.md).  Doubling a model should at most double each column.

    /usr/bin/python3 bench/compile_scaling.py [--build build] [--sizes 10,50,200,800] [--append FILE]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time


def model(n):
    lines = ["model deep {", "  input x : f32[32, 64]", "  input y : i32[32]", "  h0 = x"]
    lines += [f"  h{i} = relu(Dense(h{i - 1}, 64))" for i in range(1, n + 1)]
    lines += [f"  logits = Dense(h{n}, 10)", "  loss softmax_cross_entropy(logits, y)",
              "  optimizer adam(lr = 0.001)", "}"]
    return "\n".join(lines) + "\n"


def text_size(obj):
    out = subprocess.run(["size", obj], capture_output=True, text=True, check=True).stdout.splitlines()
    return int(out[1].split()[0])


def compile_once(dmc, src, obj, level):
    """(wall s, CPU s, peak RSS bytes) of one dmc run, measured in a child of its own."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.time(); subprocess.run(sys.argv[1:], check=True)\n"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(time.time() - t, u.ru_utime + u.ru_stime, u.ru_maxrss * 1024)\n")
    out = subprocess.run([sys.executable, "-c", code, dmc, level, src, "-o", obj],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--sizes", default="10,50,200,800")
    ap.add_argument("--levels", default="-O2,-O0")
    # -O0 at 800 layers needed 18 GB before cg_elem.c shared its per-node tables (750 MB after)
    ap.add_argument("--o0-max", type=int, default=800)
    ap.add_argument("--append", default="")
    args = ap.parse_args()
    dmc = os.path.join(args.build, "dmc")
    rows = ["| n | level | wall | CPU | peak memory | object | text |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for n in map(int, args.sizes.split(",")):
            src = os.path.join(tmp, f"deep{n}.dm")
            with open(src, "w") as f:
                f.write(model(n))
            for level in args.levels.split(","):
                if level == "-O0" and n > args.o0_max:
                    continue
                obj = os.path.join(tmp, f"deep{n}{level}.o")
                wall, cpu, rss = compile_once(dmc, src, obj, level)
                rows.append(f"| {n} | {level} | {wall:.2f} s | {cpu:.2f} s | {rss / 2**20:.0f} MB | "
                            f"{os.path.getsize(obj) / 1024:.0f} KB | {text_size(obj) / 1024:.0f} KB |")
                print(rows[-1], file=sys.stderr, flush=True)
        # The models users bring next: a ResNet-style CNN and a GPT (the n column names them).
        for name, src in (("resnet", "bench/models/resnet.dm"), ("tinygpt", "examples/tinygpt/tinygpt.dm")):
            obj = os.path.join(tmp, f"{name}.o")
            wall, cpu, rss = compile_once(dmc, src, obj, "-O2")
            rows.append(f"| {name} | -O2 | {wall:.2f} s | {cpu:.2f} s | {rss / 2**20:.0f} MB | "
                        f"{os.path.getsize(obj) / 1024:.0f} KB | {text_size(obj) / 1024:.0f} KB |")
            print(rows[-1], file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    table = ("\n## Compile time, memory and code against the model's size\n\n"
             "`/usr/bin/python3 bench/compile_scaling.py` (part of `make bench`): a stack of n layers\n"
             "`relu(Dense(h, 64))`, batch 32, Adam; dmc's wall and CPU time, peak memory, the object and\n"
             "its text; then bench/models/resnet.dm (two residual blocks with batch norm) and\n"
             "examples/tinygpt/tinygpt.dm (4 transformer blocks)\n"
             f"(load average {load:.1f} at the end; CPU time is the steadier column).\n\n"
             + "\n".join(rows) + "\n")
    if args.append:
        with open(args.append, "a") as f:
            f.write(table)
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
