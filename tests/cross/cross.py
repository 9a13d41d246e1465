#!/usr/bin/env python3
"""cross.py: compiled code on another target computes what it computes on the host.

For each model (the PyTorch conformance models of tests/torch/, whose params()
and inputs() give seeded values, and the seed's logreg), dmc compiles it twice,
for the host and for --target, and tests/tools/dmrun.c is linked with each: the
host's runtime for one, the target's runtime (make runtime TARGET=...) and the
target's C compiler for the other, which runs under an emulator (qemu-user).
Both runs start from the same init.safetensors and inputs; every tensor they
record (the loss and every gradient after one step, outputs, the parameters and
optimizer state after the updates) must be

  bit-identical        with --fp-contract=off (the host is the oracle: it is
                       checked against PyTorch by tests/torch/conformance.py)
  within 1e-5          with the default contraction (fused multiply-adds round
                       once, so targets with and without FMA differ in the last bits),
                       relative to the element or, for elements much smaller than
                       their tensor's largest, to that (conformance.py's rule)

Usage: cross.py --build B --target TRIPLE --cc CC --runtime LIB --emulator CMD [--exe-suffix .exe] [MODEL...]
"""
import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
_spec = importlib.util.spec_from_file_location("conformance", os.path.join(ROOT, "tests", "torch", "conformance.py"))
conf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conf)
conf.RTOL = 1e-5   # conformance's rule (relative to each element or its tensor's largest), tighter

# Every conformance model; dropout's masks come from dmc's own generator, the
# same integer arithmetic on every target, so it is checked as any other.
DEFAULT_MODELS = ["logreg", "bce", "bce_edge", "broadcast", "conv", "dropout", "elementwise", "layers",
                  "lenet", "matmul", "mlp", "oddsizes", "onehot", "reduce", "shapes", "softmax", "stable", "ties"]
UPDATES = 3


def model_source(name):
    if name == "logreg":
        return os.path.join(ROOT, "examples", "logreg", "logreg.dm"), {}
    spec = conf.load_spec(name)
    return os.path.join(ROOT, "tests", "torch", name + ".dm"), getattr(spec, "DEFINES", {})


def seeded_values(name, src_dir):
    """init.safetensors and in.<input>.bin in src_dir, from the spec's seeded draws."""
    draw = conf.Draw(20261202 + sum(map(ord, name)))
    if name == "logreg":
        params = {"W": draw.normal((2,), 0.5), "b": draw.normal((), 0.5)}
        inputs = {"x": draw.uniform((4, 2)), "y": draw.uniform((4,), 0.0, 1.0)}
    else:
        spec = conf.load_spec(name)
        params, inputs = spec.params(draw), spec.inputs(draw)
    conf.st_write(os.path.join(src_dir, "init.safetensors"), params, {"format": "pt"})
    for n, v in inputs.items():
        np.array(v, order="C").astype(v.dtype.newbyteorder("<")).tofile(os.path.join(src_dir, f"in.{n}.bin"))


def build(args, name, dm, defines, tmp, cross, contract):
    tag = ("cross" if cross else "host") + "_" + contract
    obj = os.path.join(tmp, f"{name}_{tag}.o")
    cmd = [os.path.join(args.build, "dmc"), "--fp-contract=" + contract, dm, "-o", obj]
    if cross:
        cmd.insert(1, "--target=" + args.target)
    for k, v in defines.items():
        cmd += ["-D", f"{k}={v}"]
    conf.run(cmd, "dmc")
    exe = os.path.join(tmp, f"dmrun_{tag}" + (args.exe_suffix if cross else ""))
    cc = args.cc.split() if cross else [os.environ.get("CC", "cc")]
    lib = args.runtime if cross else os.path.join(args.build, "libdmrt.a")
    conf.run(cc + (["-static"] if cross else []) +
             ["-std=c11", "-O1", "-I" + os.path.join(ROOT, "runtime"), f"-DDM_MODEL={name}_model",
              "-include", obj[:-2] + ".h", os.path.join(ROOT, "tests", "tools", "dmrun.c"), obj, lib,
              "-lm", "-lpthread", "-o", exe], "cc (linking dmrun)")
    return exe


def execute(args, exe, src_dir, tmp, tag, cross):
    d = os.path.join(tmp, tag)
    shutil.copytree(src_dir, d)
    env = dict(os.environ, DM_THREADS="2")
    conf.run((args.emulator.split() if cross else []) + [exe, d, str(UPDATES)], f"dmrun ({tag})",
             timeout=600, env=env)
    out = {}
    for f in ("results", "final"):
        tensors, _ = conf.st_read(os.path.join(d, f + ".safetensors"))
        out.update({f"{f}/{k}": v for k, v in tensors.items()})
    return out


def differences(host, cross, exact):
    problems = []
    if sorted(host) != sorted(cross):
        return [f"different tensors: {sorted(set(host) ^ set(cross))}"]
    for k in sorted(host):
        a, b = host[k], cross[k]
        if a.dtype != b.dtype or a.shape != b.shape:
            problems.append(f"{k}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}")
        elif exact:
            if a.tobytes() != b.tobytes():
                bits = f"u{a.itemsize}"
                i = int(np.argmax(a.reshape(-1).view(bits) != b.reshape(-1).view(bits)))
                problems.append(f"{k}: not bit-identical (first at flat index {i}: "
                                f"{a.reshape(-1)[i]!r} vs {b.reshape(-1)[i]!r})")
        else:
            why = conf.compare(b, a)
            if why:
                problems.append(f"{k}: {why}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--target", required=True)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--exe-suffix", default="", help="the target's program suffix (.exe for Windows)")
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    failed = 0
    for name in args.models or DEFAULT_MODELS:
        tmp = tempfile.mkdtemp(prefix=f"dmcross_{name}_")
        try:
            dm, defines = model_source(name)
            src = os.path.join(tmp, "values")
            os.mkdir(src)
            seeded_values(name, src)
            lines = []
            for contract, exact in (("off", True), ("fast", False)):
                host = execute(args, build(args, name, dm, defines, tmp, False, contract), src, tmp,
                               "host_" + contract, False)
                cross = execute(args, build(args, name, dm, defines, tmp, True, contract), src, tmp,
                                "cross_" + contract, True)
                lines += [f"--fp-contract={contract}: {p}" for p in differences(host, cross, exact)]
            if lines:
                failed += 1
                print(f"FAIL {args.target} {name}")
                for p in lines[:12]:
                    print("    " + p)
            else:
                print(f"ok   {args.target} {name}: bit-identical with --fp-contract=off, within 1e-5 by default")
        except Exception as e:
            failed += 1
            print(f"FAIL {args.target} {name}: {e}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
