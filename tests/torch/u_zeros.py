"""u_zeros.dm in PyTorch: a GRU-like cell over x[:, t] from torch.zeros."""
import torch
import torch.nn.functional as F

H = 6


def params(r):
    return {"Wz": r.normal((5 + H, H), 0.4), "Wr": r.normal((5 + H, H), 0.4), "Wc": r.normal((5 + H, H), 0.4),
            "bz": r.normal((H,), 0.1), "logits.W": r.normal((H, 4), 0.4), "logits.b": r.normal((4,), 0.1)}


def inputs(r):
    return {"x": r.normal((3, 4, 5)), "y": r.labels(3, 4)}


def model(P, X, ctx):
    x = X["x"]
    h = torch.zeros(3, H, dtype=x.dtype)
    for t in range(4):
        xt = x[:, t, :] + torch.zeros_like(x[:, t, :])
        xh = torch.cat([xt, h], 1)
        z = torch.sigmoid(xh @ P["Wz"] + P["bz"] - torch.full((3, H), 0.25, dtype=x.dtype))
        r = torch.sigmoid(xh @ P["Wr"])
        c = torch.tanh(torch.cat([xt, r * h], 1) @ P["Wc"])
        h = (torch.ones(3, H, dtype=x.dtype) - z) * h + z * c
    logits = h @ P["logits.W"] + P["logits.b"]
    return F.cross_entropy(logits, X["y"]), {"p": F.softmax(logits, 1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)
