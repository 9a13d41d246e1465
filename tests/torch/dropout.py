"""dropout.dm in PyTorch, with dmc's masks (ctx.dropout re-implements the
generator; in the forward entry it is the identity)."""
import torch
import torch.nn.functional as F


THREADS = (1, 2)              # the masks must not depend on the partition


def params(r):
    return {"dense_0.W": r.normal((6, 16), 0.5), "dense_0.b": r.normal((16,), 0.1),
            "dense_1.W": r.normal((16, 8), 0.4), "dense_1.b": r.normal((8,), 0.3),
            "out.W": r.normal((8, 3), 0.4), "out.b": r.normal((3,), 0.1)}


def inputs(r):
    return {"x": r.normal((8, 6)), "t": r.normal((8, 3))}


def model(P, X, ctx):
    h = ctx.dropout(torch.tanh(F.linear(X["x"], P["dense_0.W"].t(), P["dense_0.b"])), 0.5)
    h2 = ctx.dropout(F.relu(F.linear(h, P["dense_1.W"].t(), P["dense_1.b"])), 0.25)
    out = F.linear(h2, P["out.W"].t(), P["out.b"])
    return F.mse_loss(out, X["t"]), {"out": out}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)
