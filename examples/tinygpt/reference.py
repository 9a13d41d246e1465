"""tinygpt.dm in PyTorch: the oracle of tests/examples/tinygpt.test.sh and the
anchor of the tinygpt row of make bench.

    tinygpt --dump DIR --epochs 1 --steps 5 ...   (writes DIR/init.safetensors,
                                                    DIR/batches.bin, DIR/losses.txt)
    /usr/bin/python3 examples/tinygpt/reference.py --check DIR

--check replays dmc's first steps from the same initial parameters on the same
batches with torch.optim.AdamW and compares each step's loss with dmc's.
--train DIR replays a whole run (tinygpt train --dump DIR ...): every batch of
batches.bin, and after the steps listed in validation.txt the validation loss
over the windows of validation.bin, printed beside dmc's (docs/examples.md).
The model is built functionally from the checkpoint's names, so it is the
same network as tinygpt.dm by construction of its parameters, not of its code.
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

BATCH, T, V, D, HEADS, BLOCKS = 32, 64, 96, 128, 4, 4


def read_safetensors(path):
    """The tensors of a safetensors file (f32 and i32), by name."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        dtype = {"F32": np.float32, "I32": np.int32}[t["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=dtype).reshape(t["shape"]).copy())
    return out


# The parameter names of tinygpt.dm (docs/language.md's naming rules).
def block_names(i):
    b = f"x.{i}"
    return {"ln1.weight": f"{b}.layernorm_0.weight", "ln1.bias": f"{b}.layernorm_0.bias",
            "qkv.W": f"{b}.multiheadattention_0.qkv.W", "qkv.b": f"{b}.multiheadattention_0.qkv.b",
            "proj.W": f"{b}.multiheadattention_0.proj.W", "proj.b": f"{b}.multiheadattention_0.proj.b",
            "ln2.weight": f"{b}.layernorm_1.weight", "ln2.bias": f"{b}.layernorm_1.bias",
            "fc.W": f"{b}.dense_0.W", "fc.b": f"{b}.dense_0.b",
            "out.W": f"{b}.dense_1.W", "out.b": f"{b}.dense_1.b"}


def attention(P, n, x):
    N = x.shape[0]
    d = D // HEADS
    qkv = x @ P[n["qkv.W"]] + P[n["qkv.b"]]
    q, k, v = (qkv[..., i * D:(i + 1) * D].reshape(N, T, HEADS, d).transpose(1, 2) for i in range(3))
    s = q @ k.transpose(-1, -2) / math.sqrt(d)
    s = s + torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(N, T, D)
    return o @ P[n["proj.W"]] + P[n["proj.b"]]


def forward(P, ids):
    x = P["embedding_0.W"][ids] + P["pos"]
    for i in range(BLOCKS):
        n = block_names(i)
        a = x + attention(P, n, F.layer_norm(x, (D,), P[n["ln1.weight"]], P[n["ln1.bias"]]))
        h = F.layer_norm(a, (D,), P[n["ln2.weight"]], P[n["ln2.bias"]])
        x = a + F.gelu(h @ P[n["fc.W"]] + P[n["fc.b"]]) @ P[n["out.W"]] + P[n["out.b"]]
    x = F.layer_norm(x, (D,), P["layernorm_0.weight"], P["layernorm_0.bias"])
    return x @ P["logits.W"] + P["logits.b"]


def batches(path):
    raw = np.fromfile(path, dtype=np.int32).reshape(-1, 2, BATCH, T)
    for step in raw:
        yield torch.from_numpy(step[0].astype(np.int64)), torch.from_numpy(step[1].astype(np.int64))


def params(path):
    ps = {k: v.requires_grad_() for k, v in read_safetensors(path).items()
          if not k.startswith(("opt/", "grad/", "rng"))}
    return ps


def validation(path):
    raw = np.fromfile(path, dtype=np.int32).reshape(-1, 2, BATCH, T)
    return [(torch.from_numpy(b[0].astype(np.int64)), torch.from_numpy(b[1].astype(np.int64))) for b in raw]


def replay(args):
    """The whole run in PyTorch; the validation losses beside dmc's."""
    P = params(f"{args.train}/init.safetensors")
    opt = torch.optim.AdamW(P.values(), lr=args.lr)
    windows = validation(f"{args.train}/validation.bin")
    at = {int(l.split()[0]): float(l.split()[1]) for l in open(f"{args.train}/validation.txt")}
    for step, (ids, nxt) in enumerate(batches(f"{args.train}/batches.bin"), 1):
        opt.zero_grad()
        F.cross_entropy(forward(P, ids).reshape(-1, V), nxt.reshape(-1)).backward()
        opt.step()
        if step in at:
            with torch.no_grad():
                val = sum(F.cross_entropy(forward(P, i).reshape(-1, V), n.reshape(-1)).item()
                          for i, n in windows) / len(windows)
            print(f"after {step} steps: validation loss PyTorch {val:.4f}, dmc {at[step]:.4f}, "
                  f"difference {val - at[step]:+.4f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", metavar="DIR", help="compare the first steps' losses with dmc's")
    ap.add_argument("--train", metavar="DIR", help="replay a whole dumped run, validation losses beside dmc's")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.train:
        return replay(args)
    P = params(f"{args.check}/init.safetensors")
    opt = torch.optim.AdamW(P.values(), lr=args.lr)
    want = [float(l) for l in open(f"{args.check}/losses.txt")]
    worst = 0.0
    for step, (ids, nxt) in enumerate(batches(f"{args.check}/batches.bin")):
        opt.zero_grad()
        loss = F.cross_entropy(forward(P, ids).reshape(-1, V), nxt.reshape(-1))
        loss.backward()
        opt.step()
        err = abs(loss.item() - want[step]) / max(1.0, abs(want[step]))
        worst = max(worst, err)
        print(f"step {step + 1}: PyTorch {loss.item():.6f}  dmc {want[step]:.6f}  difference {err:.2e}")
    ok = worst <= args.tolerance
    print(f"{'ok' if ok else 'FAIL'}: largest relative difference {worst:.2e} (tolerance {args.tolerance:g})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
