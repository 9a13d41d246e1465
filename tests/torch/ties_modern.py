"""ties_modern.dm in PyTorch: p holds zeros (x ** 2, x ** 3, where's p >= 0),
clip's bounds -1 and 1, and equals q at 7 places; q's row 0 holds its minimum
-1 twice, row 1 its minimum -2 three times (so the whole-tensor min ties three
times); s's row 0 is constant (std 0)."""
import numpy as np
import torch
import torch.nn.functional as F


def params(r):
    p = np.array([[0, 1, -1, 0.5, 0, 2], [-1, 1, 0.3, -2, 0, 1.5]], dtype=np.float32)
    q = np.array([[0, 1, -1, -1, 2, 2], [-1, 3, 0.3, -2, -2, -2]], dtype=np.float32)
    s = np.array([[1, 1, 1], [0.5, -1, 2]], dtype=np.float32)
    return {"p": p, "q": q, "s": s}


def inputs(r):
    return {"t": r.away((2, 6), 0.5, 1.5)}


def model(P, X, ctx):
    p, q, s, t = P["p"], P["q"], P["s"], X["t"]
    a = p ** 2 + torch.pow(p, 3) + torch.clamp(p, -1, 1) + torch.minimum(p, q) * 2 + torch.maximum(p, q) * 3
    m = torch.amin(q, dim=1, keepdim=True)
    loss = (torch.mean(a * t) + torch.mean(m * t) + torch.amin(q) * 0.5 + torch.sum(torch.std(s, dim=1))
            + torch.mean(torch.where(p >= 0, p, q) * t))
    return loss, {"a": a}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1)
