"""bce.dm in PyTorch (F.binary_cross_entropy, mean reduction)."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    return {"dense_0.W": r.normal((5, 6), 0.5), "dense_0.b": r.normal((6,), 0.1),
            "dense_1.W": r.normal((6, 2), 0.5), "dense_1.b": r.normal((2,), 0.1)}


def inputs(r):
    t = r.uniform((8, 2), 0.0, 1.0)
    t[:3] = np.round(t[:3])        # a few hard 0/1 targets
    return {"x": r.normal((8, 5)), "t": t}


def model(P, X, ctx):
    h = torch.tanh(F.linear(X["x"], P["dense_0.W"].t(), P["dense_0.b"]))
    p = torch.sigmoid(F.linear(h, P["dense_1.W"].t(), P["dense_1.b"]))
    return F.binary_cross_entropy(p, X["t"]), {"p": p}


def optimizer(ps):
    return torch.optim.AdamW(ps, lr=0.01, betas=(0.85, 0.999), weight_decay=0.1)
