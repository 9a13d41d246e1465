"""u_rank4.dm in PyTorch: torch.matmul on rank-4 operands whose batch axes
broadcast ([1, 3] against [2, 1]), a matrix against a batch, a batch against
a vector; dmc's dropout masks; F.batch_norm over [N, C, L] (BatchNorm1d)."""
import torch
import torch.nn.functional as F


def params(r):
    return {"A": r.normal((2, 1, 13, 31), 0.3), "v": r.uniform((31,), -0.5, 0.5), "L": r.normal((7, 7), 0.3),
            "bn.weight": r.uniform((3,), 0.5, 1.5), "bn.bias": r.normal((3,), 0.2)}


def buffers(r):
    return {"bn.running_mean": r.normal((3,), 0.2), "bn.running_var": r.uniform((3,), 0.5, 2.0)}


def inputs(r):
    return {"x": r.normal((1, 3, 7, 13)), "t": r.normal((2, 3, 31))}


def model(P, X, ctx):
    A = P["A"]
    d = ctx.dropout(torch.tanh(X["x"] @ A), 0.25)
    mixed = P["L"] @ d
    s = mixed * 0.9 if ctx.train else mixed
    r = s @ P["v"]
    bn = F.batch_norm(r, ctx.buffers["bn.running_mean"], ctx.buffers["bn.running_var"], P["bn.weight"],
                      P["bn.bias"], training=ctx.train, momentum=0.1, eps=1e-5)
    out = bn @ A[:, 0, :7]
    return F.mse_loss(out, X["t"]), {"y": out}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)
