"""modern.dm in PyTorch."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    # b away from x (|x| >= 0.8 below, |b| <= 0.6) and from clip's hi = 0.1
    b = np.array([-0.6, -0.4, -0.2, 0.3, 0.45, 0.6, 0.5], dtype=np.float32)
    return {"a": r.uniform((3, 7), 0.5, 2.0), "b": b, "c": r.uniform((), 0.3, 0.3)}


def inputs(r):
    # |x| >= 0.8; x * a in [0.4, 3] in magnitude may sit near -0.6 or 0.7:
    # nudged off by the draw's seed (checked by the float32 run)
    return {"x": r.away((3, 7), 0.8, 1.5), "t": r.normal((3, 7))}


def model(P, X, ctx):
    x, t, a, b, c = X["x"], X["t"], P["a"], P["b"], P["c"]
    g = F.gelu(x * a) + F.gelu(x + b, approximate="tanh") + F.silu(x - c) + torch.erf(x * c)
    p = torch.square(x - b) + torch.pow(a, 1.5) + a ** -0.5 - x ** 2 + a ** 3 + torch.pow(a, 0.5) + (x * c) ** 1
    m = (torch.minimum(x, b) + torch.maximum(a, c) + torch.clamp(x * a, -0.6, 0.7) + torch.clamp(x, min=0.25)
         + torch.clamp(b, max=0.1))
    y = g + p * 0.25 + m
    return F.mse_loss(y, t), {"y": y}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)
