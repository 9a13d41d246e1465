"""softmax.dm in PyTorch."""
import torch
import torch.nn.functional as F


def params(r):
    return {"W": r.normal((5, 5)), "v": r.normal((2, 3, 4))}


def inputs(r):
    return {"x": r.normal((4, 5)), "z": r.normal((2, 3, 4)), "t": r.uniform((4, 5), 0.0, 0.5)}


def model(P, X, ctx):
    x, z, t, W, v = X["x"], X["z"], X["t"], P["W"], P["v"]
    l = x @ W
    p = F.softmax(l, dim=-1)
    q = F.log_softmax(l, dim=0)
    r = F.softmax(z * v, dim=1)
    s = F.log_softmax(z + v, dim=-1)
    u = F.log_softmax(z * v, dim=-2)
    loss = F.mse_loss(p, t) + torch.mean(q * t) * 0.1 + torch.sum(r * z) * 0.05 - torch.mean(s * z) \
        + torch.mean(u * u) * 0.1
    return loss, {"p": p, "s": s}


def optimizer(ps):
    return torch.optim.AdamW(ps, lr=0.01)
