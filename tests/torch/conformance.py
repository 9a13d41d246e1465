#!/usr/bin/python3
"""conformance.py: dmc against PyTorch, model by model.

Usage: conformance.py [--build DIR] [--keep] [-v] [NAME ...]   (default: every tests/torch/*.dm)

For each model NAME, tests/torch/NAME.dm is the dmc model and tests/torch/NAME.py
the same computation written with torch.nn.functional (the "spec"; see
docs/testing.md for its interface).  This script:
  1. draws the initial parameters and the inputs from a seeded generator
     (values chosen by the spec away from kinks: relu at 0, abs at 0, ties);
  2. writes them to a temporary folder: init.safetensors (written here with
     struct + json, the way a PyTorch user without the safetensors package
     would) and one raw little-endian file per input, in.<name>.bin;
  3. compiles NAME.dm with dmc, links tests/tools/dmrun.c with the object and
     libdmrt.a, and runs it: dm_load, dm_forward, dm_gradients, dm_apply, then
     dm_train_step 4 times (5 updates), dm_save (see dmrun.c);
  4. runs the spec in PyTorch from the same values with the torch.optim
     optimizer of the same name, in float64 (the oracle) and in float32 (to
     check the test itself is well conditioned: float32 PyTorch must pass the
     same rule, or the model is reported as a bad test); a spec that sets
     ORACLE = torch.float32 (f32's own edges: exp(89) is infinite) is run in
     float32 only, which is then the oracle;
  5. compares: the forward entry's outputs, the loss and every parameter's
     gradient after the first gradients call, the training outputs, the loss of
     every later step, and every parameter and every optimizer state tensor
     (torch.optim's exp_avg, exp_avg_sq, momentum_buffer, step as dmc's
     opt/m/<p>, opt/v/<p>, opt/momentum/<p>, opt/step) after the 5 updates,
     read back from dmc's final checkpoint (dm_save -> Python), every buffer
     (a spec's buffers(): batch norm's running statistics, updated in place by
     the spec's model in training mode) after the 5 updates, and the forward
     entry's outputs after them ("eval/", the spec run with ctx.train False,
     i.e. model.eval()).  The checkpoint
     written right after dm_load must hold exactly the parameters PyTorch wrote,
     and the final one, loaded into a second instance and saved, must not change;
  6. resumes dmc from PyTorch's checkpoint after 2 updates (parameters and
     optimizer state) for the last 3 updates, and compares again (check_resume).

The rule, for a tensor a (dmc) against b (reference):
    |a_i - b_i| <= 1e-4 * max(|b_i|, scale)   for every i,
where scale = max_j |b_j| (the tensor's max-abs; never below 1e-30).  Non-finite
values must match exactly (same inf, or both NaN).

Prints one line per model (PASS/FAIL) and exits 1 if any model fails.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RTOL = 1e-4
SEED = 20261128

# ---- safetensors with the standard library -----------------------------------

_DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64, "I64": np.int64}


def st_write(path, tensors, metadata=None):
    """Writes {name: ndarray} as safetensors (8-byte LE length, JSON, raw LE data)."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, a in tensors.items():
        a = np.array(a, order="C")   # (np.ascontiguousarray would make a scalar [1])
        code = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[a.dtype]
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def st_read(path):
    """Reads a safetensors file: ({name: ndarray}, metadata or None).  Checks
    that the tensors tile the data section exactly."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode())
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    out, spans = {}, []
    for name, info in header.items():
        dt = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if e - b != count * dt.itemsize:
            raise ValueError(f"{path}: tensor {name}: {e - b} bytes for shape {info['shape']}")
        out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"]).astype(dt.newbyteorder("="))
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError(f"{path}: data section has a hole or overlap at byte {pos}")
        pos = e
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes after the tensors")
    return out, meta


# ---- the dropout generator (compiler/cg/kernels/random.h, re-implemented) -----------

_M64 = (1 << 64) - 1


def _mix64(z):
    """SplitMix64's finaliser on a uint64 array (numpy wraps multiplication mod 2^64)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def dropout_keep(key, step, salt, count, rate):
    """The keep decisions of dm_dropout_keep(key, step, salt, i, rate) for i < count."""
    with np.errstate(over="ignore"):
        i = np.arange(count, dtype=np.uint64)
        salted = _mix64((np.uint64(salt & 0xFFFFFFFF) << np.uint64(32)) | i)
        ks = np.uint64(((key & 0xFFFFFFFF) << 32 | (step & 0xFFFFFFFF)) & _M64)
        h = _mix64(ks ^ salted)
    u = (h >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0)
    return u >= np.float32(rate)


_GENERATOR_CHECK = r"""
#include <stdio.h>
#include "cg/kernels/random.h"
int main(void) {
    static const unsigned cases[][4] = {{123456789u, 3, 1, 25}, {0xfffffff0u, 0, 0, 50}, {7, 4, 2, 75}};
    for (int c = 0; c < 3; c++)
        for (unsigned i = 0; i < 64; i++)
            putchar('0' + dm_dropout_keep(cases[c][0], cases[c][1], cases[c][2], i, cases[c][3] / 100.0f));
    putchar('\n');
    return 0;
}
"""


def check_generator(tmp):
    """None if dropout_keep agrees with compiler/cg/kernels/random.h compiled by cc, else why."""
    src = os.path.join(tmp, "generator_check.c")
    exe = os.path.join(tmp, "generator_check")
    with open(src, "w") as f:
        f.write(_GENERATOR_CHECK)
    run([os.environ.get("CC", "cc"), "-std=c11", "-I" + os.path.join(ROOT, "compiler"), src, "-o", exe], "cc")
    theirs = run([exe], "generator check").stdout.strip()
    ours = "".join("".join(str(int(k)) for k in dropout_keep(key, step, salt, 64, rate / 100.0))
                   for key, step, salt, rate in ((123456789, 3, 1, 25), (0xFFFFFFF0, 0, 0, 50), (7, 4, 2, 75)))
    return None if ours == theirs else f"random.h says {theirs}, conformance.py says {ours}"


class Ctx:
    """What a spec's model() gets besides the tensors: whether this is a training
    run, and dropout with dmc's masks (generator state {key, step} of the step)."""

    def __init__(self, train, rng_state=None, buffers=None):
        self.train = train
        self.rng_state = rng_state
        self.salt = 0
        self.buffers = buffers if buffers is not None else {}   # torch tensors, updated in place

    def dropout(self, x, rate):
        if not self.train:
            return x
        if self.rng_state is None:
            raise RuntimeError("dropout in training but dmrun recorded no generator state")
        key, step = (int(v) & 0xFFFFFFFF for v in self.rng_state)
        keep = dropout_keep(key, step, self.salt, x.numel(), rate).reshape(tuple(x.shape))
        self.salt += 1
        scale = 1.0 / (1.0 - np.float32(rate))
        return x * torch.tensor(keep, dtype=x.dtype) * scale


# ---- values for the tests -----------------------------------------------------------


class Draw:
    """Seeded draws for a spec's params() and inputs() (float32 / int32 arrays)."""

    def __init__(self, seed):
        self.r = np.random.default_rng(seed)

    def normal(self, shape, std=1.0, mean=0.0):
        return (mean + std * self.r.standard_normal(shape)).astype(np.float32)

    def uniform(self, shape, lo=-1.0, hi=1.0):
        return self.r.uniform(lo, hi, shape).astype(np.float32)

    def away(self, shape, lo, hi):
        """Magnitudes in [lo, hi] with a random sign: never near zero."""
        mag = self.r.uniform(lo, hi, shape)
        sign = np.where(self.r.random(shape) < 0.5, -1.0, 1.0)
        return (mag * sign).astype(np.float32)

    def labels(self, n, classes):
        return self.r.integers(0, classes, n).astype(np.int32)


def load_spec(name):
    spec = importlib.util.spec_from_file_location(f"spec_{name}", os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- the PyTorch side ----------------------------------------------------------------


RESUME_AT = 2  # the PyTorch checkpoint dmc resumes from is taken after this many updates


def checkpoint_of(P, opt, B, done):
    """The parameters, the buffers and torch.optim's state under the names of
    dmc's checkpoints (optim.c: opt/m/<p>, opt/v/<p>, opt/momentum/<p>, opt/step)
    after `done` updates."""
    out = {n: b.detach().clone() for n, b in B.items()}
    for n, p in P.items():
        out[n] = p.detach().clone()
        st = opt.state.get(p, {})
        for key, ours in (("exp_avg", "opt/m/"), ("exp_avg_sq", "opt/v/"), ("momentum_buffer", "opt/momentum/")):
            if st.get(key) is not None:
                out[ours + n] = st[key].detach().clone()
    steps = [st["step"] for st in opt.state.values() if "step" in st]
    if steps:
        out["opt/step"] = torch.as_tensor(steps[0], dtype=torch.float64)
    group = opt.param_groups[0]
    if isinstance(opt, torch.optim.SGD) and group["momentum"] != 0 and group["dampening"] != 0:
        # torch's SGD knows its first step by a missing momentum_buffer; dmc
        # counts the steps instead (optim.c), so its checkpoint has opt/step
        out["opt/step"] = torch.as_tensor(float(done), dtype=torch.float64)
    # dmc may keep the learning rate as state too (for schedules); compared
    # only where dmc's checkpoint has it (OPTIONAL_STATE)
    out["opt/lr"] = torch.as_tensor(opt.param_groups[0]["lr"], dtype=torch.float64)
    return out


OPTIONAL_STATE = ("opt/lr",)


def reference(spec, params, inputs, dtype, states, updates, buffers=None):
    """Runs the spec as dmrun runs dmc.  states[k] is the generator state before
    update k (or None).  Returns a dict of numpy float64 arrays named like dmrun's,
    plus "final/<name>" (checkpoint_of after the last update) and "resume/<name>"
    (after RESUME_AT updates)."""
    P = {n: torch.tensor(v, dtype=dtype, requires_grad=True) for n, v in params.items()}
    B = {n: torch.tensor(v, dtype=dtype) for n, v in (buffers or {}).items()}
    X = {n: torch.tensor(v, dtype=dtype) if v.dtype == np.float32 else torch.tensor(v, dtype=torch.long)
         for n, v in inputs.items()}
    out = {}
    with torch.no_grad():
        _, outputs = spec.model(P, X, Ctx(False, buffers=B))
    for k, v in outputs.items():
        out["forward/" + k] = v
    opt = spec.optimizer(list(P.values()))
    for k in range(max(updates, 1)):
        opt.zero_grad()
        loss, outputs = spec.model(P, X, Ctx(True, states.get(k), B))
        loss.backward()
        out[f"loss/{k}"] = loss
        if k == 0:
            for n, p in P.items():
                # a parameter the loss does not use: PyTorch has no grad, dmc a zero one
                out["grad/" + n] = p.grad.clone() if p.grad is not None else torch.zeros_like(p)
            for n, v in outputs.items():
                out["train/" + n] = v.clone()
        if updates > 0:
            opt.step()
        if k + 1 == RESUME_AT:
            for n, v in checkpoint_of(P, opt, B, RESUME_AT).items():
                out["resume/" + n] = v
    for n, v in checkpoint_of(P, opt, B, updates).items():
        out["final/" + n] = v
    with torch.no_grad():
        _, outputs = spec.model(P, X, Ctx(False, buffers=B))
    for k, v in outputs.items():
        out["eval/" + k] = v
    return {k: v.detach().numpy().astype(np.float64) for k, v in out.items()}


# ---- comparison ------------------------------------------------------------------------


def compare(a, b):
    """None if a (ours) matches b (reference) under the rule, else a reason."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return f"shape {list(a.shape)}, expected {list(b.shape)}"
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        i = np.unravel_index(np.argmax(fa != fb), a.shape)
        return f"non-finite mismatch at {list(i)}: {a[i]:.7g}, expected {b[i]:.7g}"
    nf = ~fa
    if nf.any() and not np.array_equal(np.nan_to_num(a[nf], nan=0.5), np.nan_to_num(b[nf], nan=0.5)):
        return "different non-finite values"
    if not fa.any():
        return None
    scale = max(float(np.max(np.abs(b[fb]))), 1e-30)
    with np.errstate(invalid="ignore"):
        err = np.where(fa, np.abs(a - b), 0.0)
    tol = RTOL * np.maximum(np.abs(b), scale)
    bad = err > tol
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err / tol, 0)), a.shape)
        return (f"{int(bad.sum())}/{a.size} elements off; worst at {list(i)}: {a[i]:.8g}, "
                f"expected {b[i]:.8g} (|diff| {err[i]:.3g} > tol {tol[i]:.3g})")
    return None


def check_rule():
    """None if compare() applies the rule as documented (a test of the test), else why."""
    b = np.array([3.0, -2.0, 1e-3, 0.0])
    cases = [(b * (1 + 5e-5), True),                      # relative error inside 1e-4
             (b * (1 + 2e-4), False),                     # ... outside
             (b + np.array([0, 0, 2.9e-4, 0]), True),     # small elements: 1e-4 of the max-abs 3.0
             (b + np.array([0, 0, 3.1e-4, 0]), False),
             (np.array([3.0, -2.0, 1e-3, np.nan]), False),  # a NaN where the reference is finite
             (b[:3], False)]                              # the wrong shape
    for a, ok in cases:
        if (compare(a, b) is None) != ok:
            return f"compare({a}, {b}) should {'pass' if ok else 'fail'}"
    if compare(np.array([np.inf, np.nan]), np.array([np.inf, np.nan])) is not None:
        return "equal non-finite values should pass"
    if compare(np.array([-np.inf]), np.array([np.inf])) is None:
        return "opposite infinities should fail"
    return None


def worst_ratio(a, b):
    """max |a-b| / tol over the tensor (<= 1 passes), for the verbose report."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    fin = np.isfinite(a) & np.isfinite(b)
    if not fin.any():
        return 0.0
    scale = max(float(np.max(np.abs(b[fin]))), 1e-30)
    return float(np.max(np.abs(a[fin] - b[fin]) / (RTOL * np.maximum(np.abs(b[fin]), scale))))


# ---- the dmc side --------------------------------------------------------------------------


def identical(a, b):
    """Bit for bit (a NaN equals the same NaN): the checkpoint round trips."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run(cmd, what, timeout=120, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        tail = "\n".join(msg[-12:])
        raise RuntimeError(f"{what} failed (exit {p.returncode}): {' '.join(cmd)}\n{tail}")
    return p


def dmc_build(name, spec, build, tmp, extra_flags):
    """Compiles the model with dmc and links dmrun with it; returns the program."""
    dmc = os.path.join(build, "dmc")
    obj = os.path.join(tmp, name + ".o")
    flags = list(extra_flags)
    for k, v in getattr(spec, "DEFINES", {}).items():
        flags += ["-D", f"{k}={v}"]
    run([dmc] + flags + [os.path.join(HERE, name + ".dm"), "-o", obj], "dmc")
    exe = os.path.join(tmp, "dmrun_" + name)
    cc = os.environ.get("CC", "cc")
    run([cc, "-std=c11", "-O1", "-I" + os.path.join(ROOT, "runtime"), f"-DDM_MODEL={name}_model",
         "-include", os.path.join(tmp, name + ".h"), os.path.join(ROOT, "tests", "tools", "dmrun.c"),
         obj, os.path.join(build, "libdmrt.a"), "-lm", "-lpthread", "-o", exe], "cc (linking dmrun)")
    return exe


def dmc_execute(exe, tmp, updates, threads):
    """Runs dmrun with DM_THREADS=threads; returns (results, loaded, final) from its files."""
    env = dict(os.environ, DM_THREADS=str(threads))
    run([exe, tmp, str(updates)], f"dmrun (DM_THREADS={threads})", timeout=300, env=env)
    results, _ = st_read(os.path.join(tmp, "results.safetensors"))
    loaded, _ = st_read(os.path.join(tmp, "loaded.safetensors"))
    final, _ = st_read(os.path.join(tmp, "final.safetensors"))
    reloaded, _ = st_read(os.path.join(tmp, "reloaded.safetensors"))
    if sorted(reloaded) != sorted(final) or any(not identical(reloaded[n], final[n]) for n in final):
        raise RuntimeError("final.safetensors loaded into a second instance and saved again is not identical")
    return results, loaded, final


def check_resume(exe, tmp, ref, ours, saved, updates):
    """PyTorch -> dmc with optimizer state: dmc resumes from PyTorch's checkpoint
    after RESUME_AT updates (parameters and torch.optim state, rounded to
    float32, plus dmc's generator state at that step; saved: the names in dmc's
    own checkpoint, for OPTIONAL_STATE) and makes the remaining
    updates; its losses and final checkpoint must match PyTorch's.  Returns
    the problems."""
    tag = f"[resumed from PyTorch's checkpoint after {RESUME_AT} updates] "
    sub = os.path.join(tmp, "resume")
    os.makedirs(sub, exist_ok=True)
    ckpt = {k[len("resume/"):]: v.astype(np.float32) for k, v in ref.items()
            if k.startswith("resume/") and (k[len("resume/"):] not in OPTIONAL_STATE or k[len("resume/"):] in saved)}
    for k, v in ours.items():
        if k.startswith(f"state/{RESUME_AT}/"):
            ckpt[k[len(f"state/{RESUME_AT}/"):]] = v
    st_write(os.path.join(sub, "init.safetensors"), ckpt, {"format": "pt"})
    for f in os.listdir(tmp):
        if f.startswith("in.") and f.endswith(".bin"):
            shutil.copy(os.path.join(tmp, f), sub)
    try:
        results, _, final = dmc_execute(exe, sub, updates - RESUME_AT, 1)
    except Exception as e:
        return [f"{tag}{e}"]
    problems = []
    for j in range(updates - RESUME_AT):
        why = compare(results.get(f"loss/{j}", np.nan), ref[f"loss/{j + RESUME_AT}"])
        if why:
            problems.append(f"{tag}loss/{j + RESUME_AT}: {why}")
    for key, b in ref.items():
        if key.startswith("final/") and (key[len("final/"):] not in OPTIONAL_STATE or key[len("final/"):] in saved):
            a = final.get(key[len("final/"):])
            why = "dmc saved no such tensor" if a is None else compare(a, b)
            if why:
                problems.append(f"{tag}{key}: {why}")
    return problems


# ---- one model ------------------------------------------------------------------------------


def check_model(name, build, keep, verbose, dmc_flags=()):
    """Returns (ok, one-line summary, detail lines)."""
    t0 = time.time()
    spec = load_spec(name)
    updates = getattr(spec, "UPDATES", 5)
    draw = Draw(SEED + sum(map(ord, name)))
    params = spec.params(draw)
    buffers = spec.buffers(draw) if hasattr(spec, "buffers") else {}
    inputs = spec.inputs(draw)
    tmp = tempfile.mkdtemp(prefix=f"dmconf_{name}_")
    problems, notes = [], []
    try:
        st_write(os.path.join(tmp, "init.safetensors"), {**params, **buffers}, {"format": "pt"})
        for n, v in inputs.items():
            np.array(v, order="C").astype(v.dtype.newbyteorder("<")).tofile(os.path.join(tmp, f"in.{n}.bin"))
        runs = {}
        try:
            exe = dmc_build(name, spec, build, tmp, dmc_flags)
            for threads in getattr(spec, "THREADS", (1,)):
                runs[threads] = dmc_execute(exe, tmp, updates, threads)
        except Exception as e:  # the compiler or the runtime failed: report its reason
            return False, f"FAIL {name}: {e}", []

        ref = ref32 = None
        worst = (0.0, "")
        first = None
        for threads, (ours, loaded, final) in runs.items():
            tag = "" if threads == 1 else f"[DM_THREADS={threads}] "
            # The checkpoint round trip: what dm_save wrote after dm_load is what we wrote.
            for n, v in {**params, **buffers}.items():
                if n not in loaded:
                    problems.append(f"{tag}loaded.safetensors: no parameter or buffer {n} (has {sorted(loaded)})")
                elif loaded[n].dtype != np.float32 or loaded[n].shape != v.shape or not identical(loaded[n], v):
                    problems.append(f"{tag}loaded.safetensors: {n} differs from init.safetensors")
            for n, v in final.items():
                ours["final/" + n] = v

            states = {}
            for k in range(updates + 1):
                st = [v for key, v in ours.items() if key.startswith(f"state/{k}/") and v.size == 2]
                if st:
                    states[k] = st[0]
            if ref is None:
                # A spec of f32's own edges (overflow to infinity: the nan_* models)
                # sets ORACLE = torch.float32: float64 would not overflow where f32 does.
                oracle = getattr(spec, "ORACLE", torch.float64)
                ref = reference(spec, params, inputs, oracle, states, updates, buffers)
                ref32 = ref if oracle == torch.float32 else \
                    reference(spec, params, inputs, torch.float32, states, updates, buffers)
                ref_states = states
                for key, b in ref.items():
                    if key.startswith("resume/"):
                        continue
                    why32 = compare(ref32[key], b)
                    if why32:
                        problems.append(f"{key}: BAD TEST, float32 PyTorch itself is off: {why32}")
            elif any(not np.array_equal(states[k], ref_states.get(k)) for k in states):
                problems.append(f"{tag}the generator state differs from the DM_THREADS=1 run")

            for key, b in ref.items():
                if key.startswith("resume/") or (key[len("final/"):] in OPTIONAL_STATE and key not in ours):
                    continue
                a = ours.get(key)
                if a is None:
                    problems.append(f"{tag}{key}: dmc produced no such tensor")
                    continue
                why = compare(a, b)
                if why:
                    problems.append(f"{tag}{key}: {why}")
                else:
                    r = worst_ratio(a, b)
                    if r > worst[0]:
                        worst = (r, tag + key)
            if first is None:
                first = ours
            else:
                same = all(identical(first[k], ours[k]) for k in ref if k in first and k in ours)
                notes.append(f"DM_THREADS={threads} is {'bitwise identical to' if same else 'not bitwise identical to'}"
                             f" DM_THREADS=1")
        if updates > RESUME_AT and not problems:
            problems += check_resume(exe, tmp, ref, runs[min(runs)][0], runs[min(runs)][2], updates)
        dt = time.time() - t0
        loss = float(ref["loss/0"])
        if problems:
            return False, f"FAIL {name}: {problems[0]}", problems[1:] + notes
        threads = "" if len(runs) == 1 else f", DM_THREADS={','.join(map(str, runs))}"
        ntensors = len([k for k in ref if not k.startswith("resume/")])
        return True, (f"PASS {name}: loss {loss:.6g}, {ntensors} tensors{threads}, worst {worst[0]:.2f} of tol "
                      f"({worst[1]}), {dt:.1f}s"), notes
    except Exception:
        return False, f"FAIL {name}: harness error", traceback.format_exc().splitlines()
    finally:
        if keep:
            print(f"  {name}: files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# Everything docs/language.md offers that the suite must exercise: a call "name(",
# or an optimizer keyword "name =" inside an optimizer statement.  The built-in
# functions are dmc's own list (dmc --list-builtins), so a new one is missing
# here until a model calls it; select is a compile-time choice, not an op.
LANGUAGE_LAYERS = "Dense Conv2d GRUCell LayerNorm BatchNorm1d BatchNorm2d sgd adam adamw".split()


def language_calls(build):
    """Every built-in function (from dmc) and the prelude's layers and optimizers."""
    out = subprocess.run([os.path.join(build, "dmc"), "--list-builtins"], capture_output=True, text=True, check=True)
    return [n for n in out.stdout.split() if n != "select"] + LANGUAGE_LAYERS

LANGUAGE_KEYS = "alpha axis keepdims stride pad kernel bias momentum dampening nesterov weight_decay beta1 beta2 eps ignore".split()


def check_coverage(names, build):
    """The docs/language.md features that no model of names uses (empty when all are)."""
    text = ""
    for n in names:
        with open(os.path.join(HERE, n + ".dm")) as f:
            text += "\n".join(line.split("#")[0] for line in f) + "\n"
    missing = [c for c in language_calls(build) if not re.search(r"(?<![A-Za-z0-9_])" + c + r"\s*\(", text)]
    missing += [k + " =" for k in LANGUAGE_KEYS if not re.search(r"[(,]\s*" + k + r"\s*=", text)]
    if not re.search(r"@", text):
        missing.append("@")
    return missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--dmc-flag", action="append", default=[], metavar="FLAG",
                    help="an extra dmc argument (e.g. -O0), to narrow a failure down")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    torch.set_num_threads(1)
    build = args.build if os.path.isabs(args.build) else os.path.join(ROOT, args.build)
    names = args.names or sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".dm"))
    for tool in ("dmc", "libdmrt.a"):
        if not os.path.exists(os.path.join(build, tool)):
            print(f"conformance: {os.path.join(build, tool)} does not exist (run make)", file=sys.stderr)
            return 2
    failed = []
    tmp = tempfile.mkdtemp(prefix="dmconf_")
    try:
        why = check_generator(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if why:
        print(f"FAIL dropout generator: the reference's copy differs from compiler/cg/kernels/random.h: {why}")
        failed.append("generator")
    why = check_rule()
    if why:
        print(f"FAIL comparison rule: {why}")
        failed.append("rule")
    if not args.names:
        missing = check_coverage(names, build)
        if missing:
            print(f"FAIL coverage: no model uses {', '.join(missing)} (docs/language.md)")
            failed.append("coverage")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(check_model, n, build, args.keep, args.verbose, args.dmc_flag) for n in names]
        for name, job in zip(names, jobs):
            ok, line, detail = job.result()
            print(line, flush=True)
            if not ok:
                failed.append(name)
            if detail and (args.verbose or not ok):
                for d in detail[:12]:
                    print("    " + d)
    print(f"conformance: {len(names) - len([f for f in failed if f in names])} of {len(names)} models "
          f"agree with PyTorch"
          + (f"; failing: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
