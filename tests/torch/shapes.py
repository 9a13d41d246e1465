"""shapes.dm in PyTorch (torch.reshape/permute/flatten are row-major like dmc)."""
import torch
import torch.nn.functional as F


def params(r):
    return {"W": r.normal((4, 6), 0.5), "p": r.normal((2, 3, 4))}


def inputs(r):
    return {"x": r.normal((2, 3, 4)), "t": r.normal((6, 4))}


def model(P, X, ctx):
    x, W, p = X["x"], P["W"], P["p"]
    a = torch.reshape(x * p, (6, -1))
    b = a.t()
    c = (x + p).permute(2, 0, 1)
    d = torch.flatten(c, 1)
    e = torch.reshape(b * d, (4, 2, 3))
    f = torch.flatten(e.permute(1, 2, 0), 1)
    g = torch.reshape(f, (6, 4))
    h = torch.flatten(torch.reshape(x * p, (2, 3, 2, 2)), 1)
    y = g + torch.tanh(a @ W) @ W.t() + torch.reshape(h, (6, 4))
    return F.mse_loss(y, X["t"]), {"y": y}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01, weight_decay=0.1)
