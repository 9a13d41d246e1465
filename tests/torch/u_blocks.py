"""u_blocks.dm in PyTorch: hand-written causal multi-head attention (view,
permute, matmul on rank 4), dmc's dropout masks at four sites (two per
iteration, in evaluation order), std/mean normalisation, F.layer_norm over
the last two axes, AdamW."""
import torch
import torch.nn.functional as F


def params(r):
    names = ["attend_0.proj_0.W", "attend_0.proj_1.W", "attend_0.proj_2.W", "proj_0.W",
             "attend_1.proj_0.W", "attend_1.proj_1.W", "attend_1.proj_2.W", "proj_1.W"]
    return {n: r.normal((6, 6), 0.4) for n in names}


def inputs(r):
    return {"x": r.normal((1, 5, 6)), "t": r.normal((1, 5, 6))}


def attend(P, pre, x):
    N, T, D = x.shape

    def heads(v):
        return v.reshape(N, T, 2, 3).permute(0, 2, 1, 3)

    q, k, v = (heads(x @ P[f"{pre}.proj_{j}.W"]) for j in range(3))
    mask = torch.triu(torch.full((T, T), float("-inf"), dtype=x.dtype), 1)
    w = F.softmax(q @ k.transpose(2, 3) / 3 ** 0.5 + mask, -1)
    return (w @ v).permute(0, 2, 1, 3).reshape(N, T, D)


def model(P, X, ctx):
    h = X["x"]
    for i in range(2):
        z = (h - h.mean(-1, keepdim=True)) / (h.std(-1, keepdim=True, unbiased=False) + 1e-3)
        a = h + ctx.dropout(attend(P, f"attend_{i}", z), 0.1)
        h = a + ctx.dropout(torch.tanh(F.layer_norm(a, a.shape[-2:]) @ P[f"proj_{i}.W"]), 0.2)
    return F.mse_loss(h, X["t"]), {"y": h}


def optimizer(ps):
    return torch.optim.AdamW(ps, lr=0.01, betas=(0.85, 0.999))
